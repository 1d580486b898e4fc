"""Server time of the settle-up page for a group of 50 members with debts and 20 payments.

    python benchmarks/bench_settle_up_page.py            # embedded SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/splitclone \
        python benchmarks/bench_settle_up_page.py

Runs against a throwaway test database, which it creates and drops. Balances are set directly
(seeded, realistic amounts from `bench_settle.expense_balances`): the page only reads the kept
balances, so how they came about does not change its cost. Both a fresh plan and the stored plan
that recording a suggestion leaves behind are timed.
"""

import logging
import os
import random
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

from benchmarks.bench_settle import expense_balances

MEMBERS = 50
PAYMENTS = 20
RUNS = 50
SEED = 20261124


def populate():
    from accounts.models import User
    from groups.models import Group, Member, Role
    from settlements.tests.factories import record_payment

    user = User.objects.create_user("bench@example.com", "pw", display_name="Bench")
    group = Group.objects.create(name="Big trip", currency="EUR", created_by=user)
    balances = list(expense_balances(random.Random(SEED), MEMBERS).values())
    members = [Member.objects.create(group=group, user=user, role=Role.OWNER, balance=balances[0])]
    members += Member.objects.bulk_create(
        Member(group=group, name=f"Guest {n:02}", balance=balance)
        for n, balance in enumerate(balances[1:])
    )
    for n in range(PAYMENTS):
        sender, receiver = members[n % MEMBERS], members[(n + 1) % MEMBERS]
        record_payment(sender, receiver, 100, actor=user)
        record_payment(receiver, sender, 100, actor=user)
    return user, group


def time_page(client, url):
    client.get(url)  # warm caches and the template loader
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    timings.sort()
    return timings


def report(label, timings):
    print(
        f"  {label}: median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(RUNS * 0.95) - 1]:.1f} ms, worst {timings[-1]:.1f} ms"
    )


def main():
    from settlements.models import Payment
    from settlements.tests.factories import record_payment

    logging.disable(logging.INFO)  # one access-log line per request would swamp the figures
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        user, group = populate()
        client = Client()
        client.force_login(user)
        url = f"/groups/{group.pk}/settle/"
        settle_up = Payment.objects.suggest(group)
        print(
            f"settle-up page, {MEMBERS} members ({len(settle_up.balances)} with a balance, "
            f"{len(settle_up.suggestions)} payments suggested), {connection.vendor}, {RUNS} runs"
        )
        report("fresh plan ", time_page(client, url))
        first = settle_up.suggestions[0]
        record_payment(first.debtor, first.creditor, first.amount, actor=user)
        report("stored plan", time_page(client, url))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
