"""Server time of the home page for a user in 200 groups of 30 members, 11 with a balance.

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
# Guests with a balance in each group, so each group's plan has some ten payments to work out.
OWING = 10
RUNS = 50


def populate():
    """Each group: the user and 29 guests, ten of whom have a balance, adding up to zero."""
    from accounts.models import User
    from groups.models import Group, Member, Role

    user = User.objects.create_user("bench@example.com", "pw", display_name="Bench")
    groups = Group.objects.bulk_create(
        Group(name=f"Group {n:03}", currency="EUR", created_by=user) for n in range(GROUPS)
    )
    members = []
    for n, group in enumerate(groups):
        balances = [n * 7 - 500] + [(-1) ** k * (k + 1) * 137 for k in range(OWING - 1)]
        balances.append(-sum(balances))
        members.append(Member(group=group, user=user, role=Role.OWNER, balance=balances[0]))
        members += (
            Member(group=group, name=f"Guest {k}", balance=balances[k + 1] if k < OWING else 0)
            for k in range(MEMBERS - 1)
        )
    Member.objects.bulk_create(members)
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
