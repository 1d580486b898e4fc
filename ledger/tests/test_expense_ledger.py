"""The kept balances always equal what the ledger says, whatever happens to the expenses."""

import datetime
import threading
import uuid

import pytest
from django.db import connection, connections, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from expenses.models import Expense, ExpenseEntry
from expenses.splitting import split
from expenses.tests.factories import add_expense
from groups.models import Member
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from ledger.effects import combine


def ledger_truth(group):
    """Balances and pairs rebuilt from the live expenses, the slow and obvious way."""
    effects = [
        expense.effect() for expense in group.expenses.live().prefetch_related("payers", "shares")
    ]
    members, pairs = combine(*effects) if effects else ({}, {})
    return (
        {pk: amount for pk, amount in members.items() if amount},
        {pair: amount for pair, amount in pairs.items() if amount},
    )


def kept(group):
    members = {m.pk: m.balance for m in Member.objects.filter(group=group) if m.balance}
    pairs = {
        (p.member_a_id, p.member_b_id): p.amount for p in group.pair_balances.all() if p.amount
    }
    return members, pairs


def make_group(size=4):
    owner_membership = MemberFactory(group=GroupFactory())
    group = owner_membership.group
    members = [owner_membership, *(GuestFactory(group=group) for _ in range(size - 1))]
    return group, owner_membership.user, members


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "edit", "delete", "restore"]),
        st.integers(min_value=1, max_value=10**9),  # amount
        st.sets(st.integers(0, 3), min_size=1),  # participants
        st.sets(st.integers(0, 3), min_size=1, max_size=2),  # payers
        st.integers(0, 50),  # which expense an edit/delete/restore picks
    ),
    min_size=1,
    max_size=12,
)


def entry_for(members, amount, among, payers, submission_id):
    payer_list = sorted(payers)
    paid = {members[i].pk: amount // len(payer_list) for i in payer_list}
    paid[members[payer_list[0]].pk] += amount - sum(paid.values())
    paid = {pk: value for pk, value in paid.items() if value}
    owed = split("equal", amount, dict.fromkeys(members[i].pk for i in sorted(among)), seed=1)
    return ExpenseEntry(
        description="Thing",
        amount=amount,
        currency="EUR",
        date=datetime.date(2026, 1, 1),
        category="general",
        notes="",
        split_kind="equal",
        submission_id=submission_id,
        paid=paid,
        owed=dict(owed.shares),
    )


@pytest.mark.django_db
@settings(max_examples=40, deadline=None)
@given(OPERATIONS)
def test_kept_balances_follow_any_sequence_of_changes(operations):
    with transaction.atomic():
        group, author, members = make_group()
        for action, amount, among, payers, pick in operations:
            existing = list(group.expenses.order_by("id"))
            target = existing[pick % len(existing)] if existing else None
            if action == "add" or target is None:
                entry = entry_for(members, amount, among, payers, uuid.uuid4())
                Expense.objects.save_expense(group_id=group.pk, author=author, entry=entry)
            elif action == "edit" and target.deleted_at is None:
                entry = entry_for(members, amount, among, payers, target.submission_id)
                Expense.objects.save_expense(
                    group_id=group.pk,
                    author=author,
                    entry=entry,
                    expense=target,
                    expected_version=target.version,
                )
            elif action == "delete":
                Expense.objects.delete_expense(target, actor=author)
            elif action == "restore":
                Expense.objects.restore_expense(target, actor=author)

        assert kept(group) == ledger_truth(group)
        assert sum(m.balance for m in Member.objects.filter(group=group)) == 0
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_leave_no_drift():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite serialises whole-database writes")
    group, author, members = make_group(size=6)
    errors = []

    def writer(offset):
        try:
            for n in range(50):
                payer = members[(offset + n) % len(members)]
                expense = add_expense(
                    group, author, paid={payer: 1000 + n}, among=members[offset % 3 :]
                )
                if n % 2:
                    Expense.objects.delete_expense(expense, actor=author)
        except Exception as error:  # reported to the main thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    assert group.expenses.count() == 400
    assert kept(group) == ledger_truth(group)
    assert sum(m.balance for m in Member.objects.filter(group=group)) == 0
