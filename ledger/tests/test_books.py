"""Rebuilding and checking the kept balances: `recompute_balances` and `ledger.books`."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from expenses.models import Expense
from expenses.tests.factories import add_expense
from groups.models import Member
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from ledger import books
from ledger.books import ledger_balances, recompute_group
from ledger.models import PairBalance
from settlements.models import Payment
from settlements.tests.factories import record_payment
from splitclone import metrics


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("command", ["settle_plan", "recompute_balances"])
def test_an_unknown_group_is_an_error(db, command):
    with pytest.raises(CommandError, match="no group with id 999"):
        run(command, "--group", "999")


def test_check_finds_no_drift_in_a_healthy_ledger(four):
    record_payment(four.cem, four.ana, 1000)

    output = run("recompute_balances", "--check")

    assert output == "No drift: every kept balance matches the ledger.\n"
    assert metrics.LEDGER_DRIFT_MEMBERS._value.get() == 0


def test_check_names_drifting_members_and_pairs_and_exits_1(four):
    Member.objects.filter(pk=four.cem.pk).update(balance=-3000)
    pair = PairBalance.objects.get(member_a=four.ana, member_b=four.cem)
    PairBalance.objects.filter(pk=pair.pk).update(amount=0)
    out = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("recompute_balances", "--check", stdout=out)

    assert error.value.returncode == 1
    assert "1 member balance(s) and 1 pair balance(s)" in str(error.value)
    assert out.getvalue().splitlines() == [
        f"Ski week (#{four.group.pk}): Cem's balance is −30.00 EUR, the ledger says −40.00 EUR",
        f"Ski week (#{four.group.pk}): Ana owes Cem 0.00 EUR, the ledger says −30.00 EUR",
    ]
    assert metrics.LEDGER_DRIFT_MEMBERS._value.get() == 1
    assert Member.objects.get(pk=four.cem.pk).balance == -3000  # --check changes nothing


def pair_amounts(group):
    return {(p.member_a_id, p.member_b_id): p.amount for p in group.pair_balances.all()}


def test_recompute_fixes_the_drift_and_the_check_then_passes(four):
    kept = {m.pk: m.balance for m in Member.objects.filter(group=four.group)}
    pairs = pair_amounts(four.group)
    Member.objects.filter(pk=four.cem.pk).update(balance=0)
    PairBalance.objects.filter(group=four.group).update(amount=1)
    PairBalance.objects.filter(member_a=four.ben, member_b=four.cem).delete()

    output = run("recompute_balances", "--group", str(four.group.pk))

    assert "Cem's balance is 0.00 EUR, the ledger says −40.00 EUR" in output
    assert "Ben owes Cem 0.00 EUR, the ledger says" in output
    assert output.endswith(f"fixed 1 member balance(s) and {len(pairs)} pair balance(s).\n")
    assert {m.pk: m.balance for m in Member.objects.filter(group=four.group)} == kept
    assert pair_amounts(four.group) == pairs
    assert run("recompute_balances", "--check").startswith("No drift")


def test_the_ledger_leaves_out_deleted_expenses_and_payments(four):
    payment = record_payment(four.cem, four.ana, 4000)
    Payment.objects.delete_payment(payment, actor=four.ana.user)
    expense = Expense.objects.get(description="Fondue")
    Expense.objects.delete_expense(expense, actor=four.ana.user)

    members, _ = ledger_balances(four.group.pk)

    assert members == {
        four.ana.pk: 9000,
        four.ben.pk: -3000,
        four.cem.pk: -3000,
        four.dan.pk: -3000,
    }
    assert not recompute_group(four.group, check=True)


@pytest.mark.parametrize("expenses", [1, 30])
def test_recompute_reads_a_constant_number_of_queries(db, django_assert_num_queries, expenses):
    group = GroupFactory()
    people = [GuestFactory(group=group) for _ in range(4)]
    for n in range(expenses):
        add_expense(group, group.created_by, paid={people[n % 4]: 1000 + n}, among=people)
    record_payment(people[0], people[1], 100)

    # savepoint, group lock (the plan version moved and the row read back in one statement),
    # expense rows, payments, conversion lines, members, balances in other currencies, pairs,
    # pairs in other currencies, spending per day and category, paid and shares per member,
    # kept spending of the group and of its members, release
    with django_assert_num_queries(15):
        drift = recompute_group(group, check=False)

    assert not drift


def test_ledger_changes_cannot_touch_another_groups_members(world):
    stranger = MemberFactory(group=GroupFactory())

    with pytest.raises(ValueError, match="another group"), transaction.atomic():
        books.apply(world.group, ({world.guest.pk: 100, stranger.pk: -100}, {}))

    world.guest.refresh_from_db()
    stranger.refresh_from_db()
    assert (world.guest.balance, stranger.balance) == (0, 0)


def test_ledger_changes_add_up_pairs(world):
    a, b = sorted([world.guest.pk, world.member_membership.pk])

    books.apply(world.group, ({}, {(a, b): 250}))
    books.apply(world.group, ({}, {(a, b): -100}))

    assert world.group.pair_balances.get(member_a_id=a, member_b_id=b).amount == 150


@pytest.mark.parametrize("check", [True, False])
def test_a_ledger_that_contradicts_itself_is_reported_not_a_crash(four, check):
    healthy = GroupFactory(name="Healthy")
    expense = Expense.objects.filter(group=four.group).first()
    expense.payers.update(amount=1)
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 group") as refused:
        call_command("recompute_balances", *(["--check"] if check else []), stdout=out)

    assert refused.value.returncode == 1
    assert f"Ski week (#{four.group.pk}): the ledger cannot be read: expense #{expense.pk}" in (
        out.getvalue()
    )
    assert f"#{healthy.pk}" not in out.getvalue()
    four.ana.refresh_from_db()
    assert four.ana.balance == 8000
