"""The recurring-expense job over 10,000 recurring expenses, all due on the same day.

    python benchmarks/bench_recurring.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/splitclone python benchmarks/bench_recurring.py

Spread over 500 groups of 4 members (20 recurring expenses each, split equally, like a flat's
rent and bills). Prints the time of the run that makes them (one occurrence each), the queries
per occurrence, and the time of a second run that finds nothing left to do. Runs against a
throwaway test database, which it creates and drops.
"""

import datetime
import logging
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "splitclone.settings.test")

import django

django.setup()

from django.db import connection
from django.test.utils import setup_test_environment

from accounts.models import User
from expenses.models import (
    RecurringExpense,
    RecurringPayer,
    RecurringShare,
    RecurringStatus,
)
from expenses.recurrence import Frequency
from groups.models import Group, Member, Role

RECURRING = int(os.environ.get("BENCH_RECURRING", 10_000))
PER_GROUP = 20
MEMBERS = 4
TODAY = datetime.date.today()


def seed(user):
    """Groups, members and recurring expenses in bulk: the setup is not what is measured."""
    groups = Group.objects.bulk_create(
        Group(name=f"Flat {n}", currency="EUR", created_by=user)
        for n in range(RECURRING // PER_GROUP)
    )
    members = Member.objects.bulk_create(
        Member(
            group=group,
            name=f"Flatmate {n}",
            user=user if n == 0 else None,
            role=Role.OWNER if n == 0 else Role.MEMBER,
        )
        for group in groups
        for n in range(MEMBERS)
    )
    by_group = {}
    for member in members:
        by_group.setdefault(member.group_id, []).append(member)
    recurring = RecurringExpense.objects.bulk_create(
        RecurringExpense(
            group=group,
            description=f"Bill {n}",
            amount=10_000 + n,
            currency="EUR",
            split_kind="equal",
            frequency=Frequency.MONTHLY,
            start_date=TODAY,
            next_date=TODAY,
            status=RecurringStatus.ACTIVE,
            created_by=user,
        )
        for group in groups
        for n in range(PER_GROUP)
    )
    RecurringPayer.objects.bulk_create(
        RecurringPayer(recurring=each, member=by_group[each.group_id][0], amount=each.amount)
        for each in recurring
    )
    RecurringShare.objects.bulk_create(
        RecurringShare(recurring=each, member=member)
        for each in recurring
        for member in by_group[each.group_id]
    )


def main():
    logging.disable(logging.WARNING)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        user = User.objects.create_user(
            email=f"bench-{uuid.uuid4().hex}@splitclone.test", password="x"
        )
        seed(user)
        groups = RECURRING // PER_GROUP
        print(f"{RECURRING} recurring expenses due today in {groups} groups, {connection.vendor}")

        statements = []

        def count(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            run = RecurringExpense.objects.create_due_occurrences(TODAY)
            took = time.perf_counter() - started
        assert (run.created, run.failed) == (RECURRING, {}), run
        each_ms, each_queries = took / run.created * 1000, len(statements) / run.created
        print(f"  first run: {run.created} occurrences made     {took:7.1f} s")
        print(f"  each: {each_ms:5.2f} ms, {each_queries:4.1f} statements and one commit")

        started = time.perf_counter()
        again = RecurringExpense.objects.create_due_occurrences(TODAY)
        took = time.perf_counter() - started
        assert again.created == 0
        print(f"  second run: nothing left to do              {took * 1000:7.1f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
