"""Importing a Splitwise export of 10,000 and 50,000 lines among 6 people.

    python benchmarks/bench_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/splitclone python benchmarks/bench_import.py

Runs against a throwaway test database, which it creates and drops. For each size it times
reading the file (parse and checks), the upload that shows the preview, and the click that
imports it, both through the test client; the import must stay under 30 seconds.
"""

import logging
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "splitclone.settings.test")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

from accounts.models import User
from groups.models import Group
from imports import detect, services
from ledger.books import recompute_group

SIZES = [int(size) for size in os.environ.get("BENCH_LINES", "10000,50000").split(",")]
PEOPLE = ["Ann", "Ben", "Cy", "Dee", "Eli", "Fay"]


def cents(value):
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"


def splitwise_export(lines, seed=1):
    """A file as Splitwise writes it: one payer (most lines), several payers, payments."""
    rng = random.Random(seed)
    rows = [",".join(["Date", "Description", "Category", "Cost", "Currency", *PEOPLE]), ""]
    sums = [0] * len(PEOPLE)
    for number in range(lines):
        values = [0] * len(PEOPLE)
        kind = rng.random()
        if kind < 0.1:
            sender, receiver = rng.sample(range(len(PEOPLE)), 2)
            amount = rng.randint(100, 50000)
            values[sender], values[receiver] = amount, -amount
            category, cost = "Payment", amount
        else:
            among = rng.sample(range(len(PEOPLE)), rng.randint(2, 6))
            payers = among[: 2 if kind < 0.2 else 1]
            cost = rng.randint(100, 100000)
            share, left = divmod(cost, len(among))
            for position, person in enumerate(among):
                values[person] -= share + (1 if position < left else 0)
            paid, rest = divmod(cost, len(payers))
            for position, person in enumerate(payers):
                values[person] += paid + (rest if position == 0 else 0)
            category = rng.choice(["General", "Groceries", "Dining out", "Taxi", "Rent"])
        for person, value in enumerate(values):
            sums[person] += value
        date = f"2024-{number % 12 + 1:02d}-{number % 28 + 1:02d}"
        cells = [date, f'"Lunch {number}, drinks"', category, cents(cost), "EUR"]
        rows.append(",".join([*cells, *map(cents, values)]))
    rows += ["", ",".join(["2025-01-01", "Total balance", " ", " ", "EUR", *map(cents, sums)])]
    return "\n".join(rows).encode(), dict(zip(PEOPLE, sums, strict=True))


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def main():
    logging.disable(logging.INFO)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        user = User.objects.create_user("bench@example.com", "pw", display_name="Bench")
        client = Client()
        client.force_login(user)
        for lines in SIZES:
            content, sums = splitwise_export(lines)
            assert len(content) <= detect.MAX_BYTES, "the file must fit the size limit"
            _, reading = timed(lambda content=content: services.read_file(content))
            upload = SimpleUploadedFile("export.csv", content)
            preview, previewing = timed(
                lambda upload=upload: client.post("/import/", {"file": upload, "format": ""})
            )
            assert preview.status_code == 200, preview.status_code
            form = preview.context["form"]
            fields = {name: form[name].value() for name in form.fields}
            fields["name"] = f"Imported {lines}"
            response, importing = timed(
                lambda fields=fields: client.post("/import/", {**fields, "action": "import"})
            )
            assert response.status_code == 302, response.status_code
            group = Group.objects.get(name=f"Imported {lines}")
            balances = dict(group.members.filter(user=None).values_list("name", "balance"))
            assert balances == sums, "balances must be the file's column sums"
            assert not recompute_group(group, check=True), "kept balances must match the ledger"
            print(
                f"{lines:,} lines ({len(content) / 1e6:.1f} MB), {connection.vendor}: "
                f"read {reading:.1f} s, upload and preview {previewing:.1f} s, "
                f"import {importing:.1f} s"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
