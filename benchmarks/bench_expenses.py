"""Group page and expense saving on a big group: 100,000 expenses among 50 members.

    python benchmarks/bench_expenses.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/splitclone python benchmarks/bench_expenses.py

Runs against a throwaway test database, which it creates and drops.
"""

import io
import logging
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "splitclone.settings.test")

import django.utils.timezone

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

from accounts.models import User
from expenses.models import Expense, ExpenseEntry
from expenses.splitting import split_equal
from groups.models import Group
from ledger.books import recompute_group

EXPENSES = int(os.environ.get("BENCH_EXPENSES", 100_000))
MEMBERS = 50
RUNS = 30


def timed(action, runs=RUNS):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], timings[-1]


def report(label, figures):
    median, p95, worst = figures
    print(f"  {label:<44} median {median:7.1f} ms   p95 {p95:7.1f} ms   worst {worst:7.1f} ms")


def main():
    logging.disable(logging.INFO)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        started = time.perf_counter()
        call_command(
            "seed_demo",
            groups=1,
            members=MEMBERS,
            expenses=EXPENSES,
            seed=3,
            stdout=io.StringIO(),
        )
        seeded = time.perf_counter() - started
        user = User.objects.get(email="demo@splitclone.test")
        group = Group.objects.get(name="Bench 3 #1")
        members = [m.pk for m in group.members.order_by("id")]
        print(f"{EXPENSES} expenses among {MEMBERS} members, {connection.vendor}")
        print(f"  seed_demo (bulk insert, kept balances)      {seeded:7.1f} s")

        client = Client()
        client.force_login(user)
        url = f"/groups/{group.pk}/"
        client.get(url)
        report("group page", timed(lambda: client.get(url)))
        report(
            "expense and payment list, searched by text",
            timed(lambda: client.get(f"{url}expenses/?q=taxi")),
        )

        def save_one():
            submission_id = uuid.uuid4()
            entry = ExpenseEntry(
                description="Team dinner",
                amount=123456,
                currency=group.currency,
                date=django.utils.timezone.localdate(),
                category="food",
                notes="",
                split_kind="equal",
                submission_id=submission_id,
                paid={members[0]: 123456},
                owed=split_equal(123456, members, seed=str(submission_id)).shares,
            )
            Expense.objects.save_expense(group_id=group.pk, author=user, entry=entry)

        report(f"save an expense with {MEMBERS} participants", timed(save_one))

        started = time.perf_counter()
        drift = recompute_group(group, check=True)
        print(
            f"  recompute_balances --check over {group.expenses.count()} expenses"
            f"   {time.perf_counter() - started:7.2f} s ({'drift!' if drift else 'no drift'})"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
