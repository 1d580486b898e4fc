"""Saving, editing, deleting and restoring an expense run as many statements for 50 people as
for 10, and the group's lock is one statement that also moves the plan version."""

import datetime
import uuid
from unittest import mock

import pytest
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import TransactionManagementError

from expenses.models import Expense, ExpenseEntry
from expenses.splitting import split
from expenses.tests.factories import add_expense
from groups.models import Group
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from ledger.books import recompute_group


def group_of(size):
    owner = MemberFactory(group=GroupFactory())
    return (
        owner.group,
        owner.user,
        [owner, *(GuestFactory(group=owner.group) for _ in range(size - 1))],
    )


@pytest.mark.parametrize("people", [10, 50])
def test_an_expense_takes_the_same_statements_whatever_the_number_of_people(
    db, django_assert_num_queries, people
):
    group, author, members = group_of(people)
    # The group's first expense also marks it as having history (one statement more, once).
    add_expense(group, author, paid={members[1]: 500}, among=members[:2])
    paid = {members[0]: 60_000, members[1]: 39_999}

    # savepoint, the group's lock (plan version moved, row read back), the expense, its payers,
    # its shares, member balances, pair balances, spending of the group and of its members,
    # the history line, the followers' task queued with it, release: one commit in all.
    with django_assert_num_queries(12):
        expense = add_expense(group, author, paid=paid, among=members)

    # savepoint, lock, the expense, its payers, its shares, the old payers and shares deleted,
    # the expense updated, the new payers and shares, member balances, pair balances, spending
    # of the group and of its members, the history line, the followers' task, release
    with django_assert_num_queries(17):
        Expense.objects.save_expense(
            group_id=group.pk,
            author=author,
            entry=edited_entry(expense, members),
            expense=expense,
            expected_version=expense.version,
        )

    # savepoint, lock, the expense, its payers, its shares, member balances, pair balances,
    # spending of the group and of its members, the expense marked, the history line, the
    # followers' task, release
    with django_assert_num_queries(13):
        Expense.objects.delete_expense(expense, actor=author)
    # the same, but no one is told of a restored expense: no task
    with django_assert_num_queries(12):
        Expense.objects.restore_expense(expense, actor=author)

    assert not recompute_group(group, check=True)
    assert Expense.objects.get(pk=expense.pk).paid_and_owed() == (
        {members[2].pk: 99_999},
        dict(edited_entry(expense, members).owed),
    )


def test_an_expense_is_saved_through_one_cursor(db):
    group, author, members = group_of(10)
    add_expense(group, author, paid={members[1]: 500}, among=members[:2])
    opened = []
    open_cursor = BaseDatabaseWrapper.cursor

    def cursor(wrapper):
        opened.append(wrapper.alias)
        return open_cursor(wrapper)

    with mock.patch.object(BaseDatabaseWrapper, "cursor", cursor):
        add_expense(group, author, paid={members[0]: 60_000}, among=members)

    # The savepoint (the test runs in a transaction), the one cursor of the lock, the expense,
    # payers, shares, balances, totals, history line and task, the savepoint's release.
    assert opened == ["default"] * 3


def edited_entry(expense, members):
    """The expense paid by another member, shared by all but the first, in another category
    (so that the group's spending moves too)."""
    among = dict.fromkeys(member.pk for member in members[1:])
    owed = split("equal", expense.amount, among, seed="edit").shares
    return ExpenseEntry(
        description=expense.description,
        amount=expense.amount,
        currency=expense.currency,
        date=expense.date,
        category="transport",
        notes=expense.notes,
        split_kind="equal",
        submission_id=expense.submission_id,
        paid={members[2].pk: expense.amount},
        owed=dict(owed),
    )


def test_the_lock_moves_the_plan_version_and_reads_the_group_as_it_is(db):
    group = GroupFactory(name="Before")
    Group.objects.filter(pk=group.pk).update(name="After")

    with transaction.atomic():
        locked = Group.objects.lock_for_ledger(group.pk)

    assert (locked.pk, locked.name, locked.plan_version) == (group.pk, "After", 1)
    assert locked.created_at == group.created_at
    assert Group.objects.get(pk=group.pk).plan_version == 1


def test_the_lock_is_refused_outside_a_transaction(transactional_db):
    group = GroupFactory()

    with pytest.raises(TransactionManagementError):
        Group.objects.lock_for_ledger(group.pk)
    assert Group.objects.get(pk=group.pk).plan_version == 0


def test_locking_a_group_that_is_not_there_raises_does_not_exist(db):
    with transaction.atomic(), pytest.raises(Group.DoesNotExist):
        Group.objects.lock_for_ledger(0)


def test_what_was_typed_for_each_person_is_kept_as_typed(db):
    group, author, members = group_of(3)
    typed = ['2 "big" ones', "a\\b, {c}", "NULL"]
    entry = ExpenseEntry(
        description="Pizza",
        amount=900,
        currency=group.currency,
        date=datetime.date(2026, 11, 1),
        category="food",
        notes="",
        split_kind="exact",
        submission_id=uuid.uuid4(),
        paid={members[0].pk: 900},
        owed={member.pk: 300 for member in members},
        entered={member.pk: text for member, text in zip(members, typed, strict=True)},
    )

    expense = Expense.objects.save_expense(group_id=group.pk, author=author, entry=entry)

    assert [share.entered for share in expense.shares.order_by("member_id")] == typed
