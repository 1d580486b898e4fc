"""Statistics pages on a big group: 100,000 expenses among 20 members.

    python benchmarks/bench_stats.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/splitclone python benchmarks/bench_stats.py

Runs against a throwaway test database, which it creates and drops.
"""

import io
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "splitclone.settings.test")

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse

from accounts.models import User
from benchmarks.bench_expenses import report, timed
from groups.models import Group

EXPENSES = int(os.environ.get("BENCH_EXPENSES", 100_000))
MEMBERS = 20


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
        print(f"{EXPENSES} expenses among {MEMBERS} members, {connection.vendor}")
        print(
            f"  seed_demo                                    {time.perf_counter() - started:7.1f} s"
        )
        # The planner's statistics, as autovacuum would have them on a live database.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        user = User.objects.get(email="demo@splitclone.test")
        group = Group.objects.get(name="Bench 3 #1")
        client = Client()
        client.force_login(user)
        stats = reverse("pages:stats", args=[group.pk])
        spending = reverse("pages:my_spending")

        def get(url, query=None):
            response = client.get(url, query)
            assert response.status_code == 200, response.status_code

        get(stats)
        report("group statistics, all time", timed(lambda: get(stats)))
        report(
            "group statistics, one year",
            timed(lambda: get(stats, {"date_from": "2025-01-01", "date_to": "2025-12-31"})),
        )
        # Starts and ends mid-month: those two months are read from the expense rows.
        cut = {"date_from": "2025-01-15", "date_to": "2025-12-10"}
        report("group statistics, mid-month to mid-month", timed(lambda: get(stats, cut)))
        report("my spending, all time", timed(lambda: get(spending)))
        report("my spending, mid-month to mid-month", timed(lambda: get(spending, cut)))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
