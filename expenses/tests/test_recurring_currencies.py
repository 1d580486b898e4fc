"""A recurring expense spent in another currency converts each occurrence at its own date's ECB
reference rate; in a group that converts at settlement, each keeps the currency spent."""

import dataclasses
import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from expenses.models import (
    RECURRING_RATE,
    RECURRING_UNPUBLISHED,
    Expense,
    RecurringError,
    RecurringExpense,
)
from expenses.recurrence import Frequency, Schedule
from expenses.splitting import split
from expenses.tests.factories import recurring_entry
from expenses.tests.test_expense_views import post_expense, trio
from groups.models import ConvertAt, Group
from ledger.books import recompute_group
from ledger.models import CurrencyBalance
from settlements.tests.test_convert_at_settlement import converted
from splitclone import fx

__all__ = ["trio"]  # the fixture, shared with the other view tests

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2026, 1, 15)  # a Thursday
SECOND = datetime.date(2026, 2, 15)  # a Sunday: the rate of Friday 13 February


def at(day):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(9), datetime.UTC), tick=False
    )


def set_up_rent(client, trio, **overrides):
    client.force_login(trio.owner)
    with at(FIRST):
        fields = {
            "description": "Rent",
            "amount": "900.00",
            "original_currency": "USD",
            "date": FIRST.isoformat(),
            "repeat": Frequency.MONTHLY,
            "repeat_interval": "1",
            "repeat_ends": "never",
        }
        return post_expense(client, trio, **{**fields, **overrides})


def made(trio):
    return list(Expense.objects.filter(group=trio.group, description="Rent").order_by("date"))


def test_each_occurrence_converts_at_the_rate_of_its_date(client, trio):
    assert set_up_rent(client, trio).status_code == 302
    recurring = RecurringExpense.objects.get(description="Rent")
    assert (recurring.amount, recurring.original_currency, recurring.currency) == (
        90000,
        "USD",
        "EUR",
    )
    assert recurring.amount_display == "900.00 USD"

    with at(SECOND):
        RecurringExpense.objects.create_due_occurrences(SECOND)

    first_rate, second_rate = (fx.rate("USD", "EUR", day) for day in (FIRST, SECOND))
    assert first_rate.value != second_rate.value
    assert [
        (e.original_amount, e.original_currency, e.rate, e.rate_source, e.rate_date, e.amount)
        for e in made(trio)
    ] == [
        (
            90000,
            "USD",
            rate.value,
            "reference",
            rate.published_on,
            fx.convert(90000, "USD", "EUR", rate.value),
        )
        for rate in (first_rate, second_rate)
    ]
    assert second_rate.published_on == datetime.date(2026, 2, 13)
    for expense in made(trio):
        paid, owed = expense.paid_and_owed()
        assert sum(paid.values()) == sum(owed.values()) == expense.amount
    assert not recompute_group(trio.group, check=True)


def test_in_a_group_that_converts_at_settlement_each_keeps_the_currency_spent(client, trio):
    Group.objects.filter(pk=trio.group.pk).update(convert_at=ConvertAt.SETTLEMENT)
    assert set_up_rent(client, trio).status_code == 302

    with at(SECOND):
        RecurringExpense.objects.create_due_occurrences(SECOND)

    expenses = made(trio)
    assert [(e.settles_in_original, e.shares_currency) for e in expenses] == [(True, "USD")] * 2
    assert [e.amount for e in expenses] == [
        fx.convert(90000, "USD", "EUR", fx.rate("USD", "EUR", day).value) for day in (FIRST, SECOND)
    ]
    owner = trio.owner_membership
    kept = dict(CurrencyBalance.objects.filter(currency="USD").values_list("member", "amount"))
    # 900.00 USD twice, three ways: the owner paid it all and owes a third.
    assert kept[owner.pk] == 2 * 90000 - 2 * 30000
    assert sum(kept.values()) == 0
    assert not recompute_group(trio.group, check=True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rate_mode": "entered", "rate": "0.9"}, "rate_mode", RECURRING_RATE),
        ({"rate_mode": "charged", "charged": "800.00"}, "rate_mode", RECURRING_RATE),
        (
            {"original_currency": "KWD", "amount": "900.000"},
            "original_currency",
            RECURRING_UNPUBLISHED % {"currency": "KWD"},
        ),
    ],
)
def test_only_a_published_reference_rate_can_repeat(client, trio, overrides, field, message):
    response = set_up_rent(client, trio, **overrides)

    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert not RecurringExpense.objects.exists()


def test_a_typed_rate_does_not_repeat_for_any_caller(trio):
    owner = trio.owner_membership
    amount, conversion = converted(1000, "KWD")  # a typed rate: the ECB publishes none
    entry = recurring_entry(trio.group, paid={owner: amount}, among=[owner], date=FIRST)
    entry = dataclasses.replace(entry, conversion=conversion, original_paid={owner.pk: 1000})
    schedule = Schedule(frequency=Frequency.MONTHLY, start=FIRST)

    with at(FIRST), pytest.raises(RecurringError, match="choose that rate"):
        RecurringExpense.objects.create_recurring(
            group_id=trio.group.pk, author=trio.owner, entry=entry, schedule=schedule
        )
    assert not RecurringExpense.objects.exists()


def test_the_payers_amounts_in_the_currency_spent_must_add_up(trio):
    owner = trio.owner_membership
    amount, conversion = converted(1000, "USD")
    entry = recurring_entry(trio.group, paid={owner: amount}, among=[owner], date=FIRST)
    entry = dataclasses.replace(entry, conversion=conversion, original_paid={owner.pk: 999})
    schedule = Schedule(frequency=Frequency.MONTHLY, start=FIRST)

    with at(FIRST), pytest.raises(RecurringError, match="must add up to the amount spent"):
        RecurringExpense.objects.create_recurring(
            group_id=trio.group.pk, author=trio.owner, entry=entry, schedule=schedule
        )
    assert not RecurringExpense.objects.exists()


@given(
    amount=st.integers(min_value=1, max_value=10**9),
    currency=st.sampled_from(["USD", "JPY", "GBP", "ISK", "CHF"]),
    day=st.dates(min_value=datetime.date(2012, 1, 1), max_value=datetime.date(2026, 10, 30)),
    weights=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=4),
    payers=st.integers(min_value=1, max_value=3),
)
def test_an_occurrence_adds_up_in_both_currencies(amount, currency, day, weights, payers):
    members = [SimpleNamespace(is_active=True, display_name=f"M{pk}") for pk in range(4)]
    paid = split("equal", amount, dict.fromkeys(range(payers)), seed="p", currency=currency)
    people = (
        [
            SimpleNamespace(member_id=pk, member=members[pk], amount=part)
            for pk, part in dict(paid.shares).items()
            if part
        ],
        [
            SimpleNamespace(member_id=pk, member=members[pk], entered=str(weight))
            for pk, weight in enumerate(weights)
        ],
    )
    recurring = RecurringExpense(
        pk=1,
        group=Group(currency="EUR"),
        description="Rent",
        amount=amount,
        currency="EUR",
        original_currency=currency,
        split_kind="shares",
    )

    entry, _ = recurring.occurrence_entry(day, people)

    rate = fx.rate(currency, "EUR", day)
    converted_amount = fx.convert(amount, currency, "EUR", rate.value)
    if converted_amount <= 0:
        assert entry is None
        return
    assert entry.conversion == fx.Conversion(
        amount, currency, rate.value, "reference", rate.published_on
    )
    assert entry.amount == sum(entry.paid.values()) == sum(entry.owed.values()) == converted_amount
    assert sum(entry.original_paid.values()) == sum(entry.original_owed.values()) == amount
    assert all(part > 0 for part in entry.paid.values())


def test_the_edit_form_shows_it_in_the_currency_spent(client, trio):
    set_up_rent(client, trio, split_kind="exact", paid_by="", **exact_rent(trio))
    recurring = RecurringExpense.objects.get(description="Rent")
    url = reverse("expenses:recurring_edit", args=[trio.group.pk, recurring.pk])

    with at(FIRST):
        form = client.get(url).context["form"]

    owner, member = trio.owner_membership, trio.member_membership
    assert {name: form.initial[name] for name in ("original_currency", "amount")} == {
        "original_currency": "USD",
        "amount": "900.00",
    }
    assert (form.initial[f"paid_{owner.pk}"], form.initial[f"paid_{member.pk}"]) == (
        "600.00",
        "300.00",
    )


def exact_rent(trio):
    owner, member, bob = trio.owner_membership, trio.member_membership, trio.bob
    return {
        f"paid_{owner.pk}": "600.00",
        f"paid_{member.pk}": "300.00",
        f"value_{owner.pk}": "300.00",
        f"value_{member.pk}": "300.00",
        f"value_{bob.pk}": "300.00",
    }
