"""API request times on a big group: 100,000 expenses among 50 members, with a token.

    python benchmarks/bench_api.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/splitclone python benchmarks/bench_api.py

Runs against a throwaway test database, which it creates and drops. BENCH_EXPENSES=10000 for a
quicker run. The group page's own figures are in bench_expenses.py, for comparison.
"""

import io
import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "splitclone.settings.test")
# The benchmark makes far more requests a minute than a person's script should.
os.environ.setdefault("API_RATE_LIMIT", "100000/min")

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

from accounts.models import User
from api.models import AccessToken, Scope
from benchmarks.bench_expenses import MEMBERS, report, timed
from groups.models import Group

EXPENSES = int(os.environ.get("BENCH_EXPENSES", 100_000))


def main():
    logging.disable(logging.INFO)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        call_command(
            "seed_demo", groups=1, members=MEMBERS, expenses=EXPENSES, seed=3, stdout=io.StringIO()
        )
        user = User.objects.get(email="demo@splitclone.test")
        group = Group.objects.get(name="Bench 3 #1")
        _, secret = AccessToken.objects.issue(user=user, name="Bench", scope=Scope.WRITE)
        client = Client(headers={"Authorization": f"Bearer {secret}"})
        base = f"/api/groups/{group.pk}"
        print(f"API, {EXPENSES} expenses among {MEMBERS} members, {connection.vendor}")
        for label, path in [
            ("GET /groups", "/api/groups"),
            ("GET /groups/{id}/expenses (50)", f"{base}/expenses"),
            ("GET /groups/{id}/expenses, page 20", None),
            ("GET /groups/{id}/payments (50)", f"{base}/payments"),
            ("GET /groups/{id}/balances", f"{base}/balances"),
            ("GET /groups/{id}/settle-up", f"{base}/settle-up"),
            ("GET /groups/{id}/activity (50)", f"{base}/activity"),
        ]:
            if path is None:
                cursor = ""
                for _ in range(19):
                    cursor = client.get(f"{base}/expenses?cursor={cursor}").json()["next_cursor"]
                path = f"{base}/expenses?cursor={cursor}"
            assert client.get(path).status_code == 200, path
            report(label, timed(lambda path=path: client.get(path)))
        member = group.members.order_by("id").first().pk
        body = (
            '{"description": "Taxi", "amount": "12.50", "date": "2026-11-03", '
            f'"paid_by": {member}}}'
        )
        report(
            f"POST /groups/{{id}}/expenses ({MEMBERS} people)",
            timed(lambda: client.post(f"{base}/expenses", body, content_type="application/json")),
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
