"""A group's export and its import back: 10,000 expenses and 2,000 payments among 10 members.

    python benchmarks/bench_export.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/splitclone python benchmarks/bench_export.py
    BENCH_EXPENSES=50000 python benchmarks/bench_export.py

Times the JSON and CSV downloads (server time, through the test client), reading the JSON
back, and booking it into an empty group through the ledger. Runs against a throwaway test
database, which it creates and drops.
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
from django.test import Client
from django.test.utils import setup_test_environment

EXPENSES = int(os.environ.get("BENCH_EXPENSES", 10_000))
PAYMENTS = EXPENSES // 5
MEMBERS = 10


def populate():
    from accounts.models import User
    from expenses.models import Expense, ExpensePayer, ExpenseShare
    from expenses.splitting import split_equal
    from groups.models import Group, Member, Role
    from ledger.books import recompute_group
    from settlements.models import Payment

    user = User.objects.create_user("bench@example.com", "pw", display_name="Bench")
    group = Group.objects.create(name="Big trip", currency="EUR", created_by=user)
    members = [Member.objects.create(group=group, user=user, role=Role.OWNER)]
    members += Member.objects.bulk_create(
        Member(group=group, name=f"Guest {n}") for n in range(MEMBERS - 1)
    )
    day = datetime.date(2026, 1, 1)
    expenses = Expense.objects.bulk_create(
        Expense(
            group=group,
            description=f"Expense {n}, “quoted” =and odd",
            amount=1000 + n,
            currency="EUR",
            date=day + datetime.timedelta(days=n % 300),
            category="food",
            split_kind="equal",
            created_by=user,
        )
        for n in range(EXPENSES)
    )
    ExpensePayer.objects.bulk_create(
        ExpensePayer(expense=expense, member=members[n % MEMBERS], amount=expense.amount)
        for n, expense in enumerate(expenses)
    )
    ExpenseShare.objects.bulk_create(
        ExpenseShare(expense=expense, member_id=member_id, amount=amount)
        for n, expense in enumerate(expenses)
        for member_id, amount in split_equal(
            expense.amount, [m.pk for m in members[: 2 + n % (MEMBERS - 1)]], seed=n
        ).shares.items()
    )
    Payment.objects.bulk_create(
        Payment(
            group=group,
            from_member=members[n % MEMBERS],
            to_member=members[(n + 1) % MEMBERS],
            amount=100 + n,
            currency="EUR",
            date=day,
            recorded_by=user,
            submission_id=uuid.uuid4(),
        )
        for n in range(PAYMENTS)
    )
    recompute_group(group)
    return user, group


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def main():
    from groups.models import Group, Member, Role
    from imports.booking import book_parsed_group
    from imports.formats.splitclone import parse

    logging.disable(logging.INFO)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        user, group = populate()
        client = Client()
        client.force_login(user)
        print(
            f"export of {EXPENSES:,} expenses and {PAYMENTS:,} payments, {MEMBERS} members, "
            f"{connection.vendor}"
        )
        for kind in ("csv", "json"):
            response, seconds = timed(
                lambda kind=kind: client.get(f"/groups/{group.pk}/export.{kind}")
            )
            assert response.status_code == 200
            print(
                f"  {kind.upper():<5} download  {seconds:6.2f} s"
                f"   {len(response.content):>11,} bytes"
            )
        data = client.get(f"/groups/{group.pk}/export.json").content
        parsed, seconds = timed(lambda: parse(data))
        print(f"  read the JSON   {seconds:6.2f} s")
        target = Group.objects.create(name="Copy", currency="EUR", created_by=user)
        Member.objects.create(group=target, user=user, role=Role.OWNER)
        mapping = {name: Member.objects.create(group=target, name=name) for name in parsed.people}
        _, seconds = timed(lambda: book_parsed_group(parsed, target, mapping, user))
        print(f"  book it into an empty group  {seconds:6.2f} s")
        kept = {m.name: m.balance for m in target.members.filter(user__isnull=True)}
        assert kept == parsed.balances(), "the copy's balances differ"
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
