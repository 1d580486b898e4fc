"""CPU per request of each page in the load test's mix: the app's and the database's.

    python benchmarks/load/page_cpu.py PEOPLE.json OUT.md

Run by scripts/load-test on its seeded database, before Locust starts, with the same production
settings. In process (Django's test client, no gunicorn), one request at a time, for one of the
seeded people in their busiest group: CPU time is what capacity is planned with, and unlike
response times it barely moves when other work shares the machine.
"""

import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "splitclone.settings.production")

import django

django.setup()

from django.db import connection
from django.test import Client
from html_forms import form_with

from accounts.models import User

RUNS = 20
TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu():
    """CPU seconds so far of the PostgreSQL backend serving this process."""
    stat = Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def measure(request):
    """Median app CPU, mean database CPU (clock ticks are coarse) and median wall ms."""
    request()  # warm: templates compiled, connection open
    app, database, wall = [], [], []
    for _ in range(RUNS):
        db_before, cpu_before, wall_before = backend_cpu(), time.process_time(), time.perf_counter()
        request()
        app.append(time.process_time() - cpu_before)
        wall.append(time.perf_counter() - wall_before)
        database.append(backend_cpu() - db_before)
    median, mean = statistics.median, statistics.mean
    return median(app) * 1000, mean(database) * 1000, median(wall) * 1000


def main(people_path, out):
    people = json.loads(Path(people_path).read_text())
    person = max(people["users"], key=lambda p: len(p["groups"]))
    client = Client(SERVER_NAME="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(User.objects.get(email=person["email"]))
    group = f"/groups/{person['groups'][0]}/"

    def get(path):
        def request():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return request

    def add_expense():
        form = form_with(client.get(group + "expenses/new/").content.decode(), "description")
        payer = next(value for value in form["options"]["paid_by"] if value)
        fields = {**form["fields"], "description": "Dinner", "amount": "42.00", "paid_by": payer}
        response = client.post(group + "expenses/new/", fields)
        errors = re.findall(r"errorlist[^>]*>(.*?)</", response.text, re.S)
        assert response.status_code == 302, errors

    def log_in():
        response = Client(SERVER_NAME="127.0.0.1", HTTP_X_FORWARDED_PROTO="https").post(
            "/accounts/login/", {"login": person["email"], "password": people["password"]}
        )
        assert response.status_code == 302, response.status_code

    pages = {
        "group page": get(group),
        "expense list": get(group + "expenses/"),
        "settle-up": get(group + "settle/"),
        "who owes whom": get(group + "who-owes-whom/"),
        "home": get("/home/"),
        "add expense (form and save)": add_expense,
        "log in (password hash)": log_in,
    }
    lines = [
        "| Page | App CPU ms (median) | Database CPU ms (mean) | Wall ms (median) "
        "| Requests per app vCPU-second |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, request in pages.items():
        app, database, wall = measure(request)
        lines.append(f"| {name} | {app:.1f} | {database:.1f} | {wall:.1f} | {1000 / app:.0f} |")
    text = "\n".join(lines) + "\n"
    Path(out).write_text(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
