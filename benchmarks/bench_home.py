"""Server time of the home page for a user in 200 groups of 30 members.

    python benchmarks/bench_home.py            # embedded SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/splitclone python benchmarks/bench_home.py

Runs against a throwaway test database, which it creates and drops.
"""

import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "splitclone.settings.test")

import django

django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

GROUPS = 200
MEMBERS = 30
RUNS = 50


def populate():
    from accounts.models import User
    from groups.models import Group, Member, Role

    user = User.objects.create_user("bench@example.com", "pw", display_name="Bench")
    groups = Group.objects.bulk_create(
        Group(name=f"Group {n:03}", currency="EUR", created_by=user) for n in range(GROUPS)
    )
    Member.objects.bulk_create(
        Member(group=group, user=user, role=Role.OWNER, balance=n * 7 - 500)
        for n, group in enumerate(groups)
    )
    Member.objects.bulk_create(
        Member(group=group, name=f"Guest {n}") for group in groups for n in range(MEMBERS - 1)
    )
    return user


def main():
    logging.disable(logging.INFO)  # one access-log line per request would swamp the figures
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        user = populate()
        client = Client()
        client.force_login(user)
        client.get("/home/")  # warm caches and the template loader
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get("/home/")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        timings.sort()
        print(f"home page, {GROUPS} groups x {MEMBERS} members, {connection.vendor}, {RUNS} runs")
        print(f"  median {statistics.median(timings):.1f} ms")
        print(f"  p95    {timings[int(RUNS * 0.95) - 1]:.1f} ms")
        print(f"  worst  {timings[-1]:.1f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
