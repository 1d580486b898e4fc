"""Entries spent in another currency: the books hold them to the conversion rule."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from expenses.models import Expense
from expenses.tests.factories import add_expense
from groups.models import Member
from ledger.books import LedgerError
from ledger.models import RateSource
from ledger.tests.test_expense_ledger import make_group
from settlements.models import Payment
from settlements.tests.factories import record_payment
from splitclone import fx

DAY = datetime.date(2025, 12, 27)  # a Saturday: the reference rate is Wednesday 24 December's


def reference(original, currency, group_currency="EUR", day=DAY):
    rate = fx.rate(currency, group_currency, day)
    conversion = fx.Conversion(original, currency, rate.value, "reference", rate.published_on)
    return fx.convert(original, currency, group_currency, rate.value), conversion


def entered(original, currency, rate, group_currency="EUR"):
    conversion = fx.Conversion(original, currency, Decimal(rate), "entered")
    return fx.convert(original, currency, group_currency, Decimal(rate)), conversion


def charged(original, currency, amount, group_currency="EUR"):
    rate = fx.derived_rate(original, currency, amount, group_currency)
    return amount, fx.Conversion(original, currency, rate, "charged")


def spend(group, author, payer, among, converted):
    amount, conversion = converted
    return add_expense(
        group, author, paid={payer: amount}, among=among, date=DAY, conversion=conversion
    )


@pytest.mark.django_db
def test_an_expense_keeps_what_was_spent_and_moves_the_converted_amount():
    group, owner, (ana, bob, cia, _) = make_group()
    expense = spend(group, owner, ana, [ana, bob, cia], reference(12345, "USD"))
    expense.refresh_from_db()
    # 123.45 USD × 0.8483922966 (1 / 1.1787, ECB of 24 Dec 2025) = 104.7340…  → 104.73 EUR
    assert (expense.original_amount, expense.original_currency) == (12345, "USD")
    assert (expense.amount, expense.currency) == (10473, "EUR")
    assert expense.rate == Decimal("0.8483922966")
    assert (expense.rate_source, expense.rate_date) == ("reference", datetime.date(2025, 12, 24))
    assert expense.rate_display == ("1 USD = 0.8483922966 EUR (ECB reference rate of 24 Dec 2025)")
    owed = sorted(share.amount for share in expense.shares.all())
    assert owed == [3491, 3491, 3491]
    assert sum(owed) == expense.amount


@pytest.mark.django_db
def test_an_entry_in_the_group_currency_has_rate_one():
    group, owner, (ana, bob, *_) = make_group()
    expense = add_expense(group, owner, paid={ana: 1000}, among=[ana, bob])
    expense.refresh_from_db()
    assert (expense.original_amount, expense.original_currency) == (1000, "EUR")
    assert (expense.rate, expense.rate_source, expense.is_converted) == (1, "same", False)
    payment = record_payment(bob, ana, 500)
    payment.refresh_from_db()
    assert (payment.original_amount, payment.original_currency) == (500, "EUR")
    assert payment.rate_source == RateSource.SAME


BAD = {
    "a reference rate that is not the day's": lambda: (
        1000,
        fx.Conversion(1000, "USD", Decimal("0.9"), "reference", datetime.date(2025, 12, 24)),
    ),
    "a reference rate of another publication day": lambda: (
        reference(1000, "USD")[0],
        reference(1000, "USD")[1]._replace(rate_date=datetime.date(2025, 12, 23)),
    ),
    "an entered rate whose amount is not its product": lambda: (
        999,
        entered(1000, "USD", "0.9")[1],
    ),
    "a rate of zero": lambda: (1, fx.Conversion(1000, "USD", Decimal(0), "entered")),
    "an absurd rate": lambda: (10**9, fx.Conversion(1, "JPY", Decimal("10000000"), "entered")),
    "a charged amount with a rate that is not the derived one": lambda: (
        900,
        fx.Conversion(1000, "USD", Decimal("0.8"), "charged"),
    ),
    "a foreign currency said to be the same": lambda: (1000, fx.Conversion.same(1000, "USD")),
    "the group currency with a rate": lambda: (
        1000,
        fx.Conversion(1000, "EUR", Decimal(1), "entered"),
    ),
    "a date before the first rate": lambda: (
        1000,
        fx.Conversion(1000, "ILS", Decimal("0.2"), "reference", datetime.date(2010, 1, 4)),
    ),
    "an unknown currency": lambda: (1000, fx.Conversion(1000, "EUX", Decimal(1), "entered")),
    "an overflow": lambda: (10**13, fx.Conversion(10**13, "JPY", Decimal(1000), "entered")),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD)
def test_a_conversion_that_does_not_hold_is_refused_and_saves_nothing(case):
    group, owner, (ana, bob, *_) = make_group()
    amount, conversion = BAD[case]()
    with pytest.raises(LedgerError):
        add_expense(
            group,
            owner,
            paid={ana: amount},
            among=[ana, bob],
            date=conversion.rate_date or DAY,
            conversion=conversion,
        )
    assert not Expense.objects.exists()
    assert not Member.objects.filter(group=group).exclude(balance=0).exists()


@pytest.mark.django_db
def test_a_payment_in_another_currency_is_held_to_the_rule():
    _, _, (ana, bob, *_) = make_group()
    amount, conversion = charged(10000, "USD", 8512)
    payment = record_payment(bob, ana, amount, date=DAY, conversion=conversion)
    payment.refresh_from_db()
    assert (payment.original_amount, payment.amount, payment.rate) == (
        10000,
        8512,
        Decimal("0.8512"),
    )
    with pytest.raises(LedgerError):
        record_payment(bob, ana, 8511, date=DAY, conversion=conversion)
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_a_group_with_expenses_in_five_currencies_settles_to_exactly_zero():
    group, owner, (ana, bob, cia, dan) = make_group()
    everyone = [ana, bob, cia, dan]
    spend(group, owner, ana, everyone, reference(12345, "USD"))
    spend(group, owner, bob, everyone, reference(9800, "JPY"))
    spend(group, owner, cia, [ana, cia, dan], charged(4567, "GBP", 5321))
    spend(group, owner, dan, [bob, cia], entered(12345, "BHD", "2.2712"))
    spend(group, owner, ana, [bob, dan], reference(8880, "CHF"))
    spend(group, owner, bob, everyone, (1001, None))
    balances = dict(Member.objects.filter(group=group).values_list("pk", "balance"))
    assert sum(balances.values()) == 0
    assert any(balances.values())

    for suggestion in Payment.objects.plan_for(group).suggestions:
        record_payment(suggestion.debtor, suggestion.creditor, suggestion.amount)

    assert list(Member.objects.filter(group=group).values_list("balance", flat=True)) == [0] * 4
    assert Payment.objects.plan_for(group).suggestions == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "amounts"),
    [("en", ("10.00 USD", "9.99 EUR")), ("de", ("10,00\xa0$", "9,99\xa0€"))],
    ids=["en", "de"],
)
def test_a_conversion_that_does_not_hold_says_so_in_the_readers_language(language, amounts):
    group, owner, (ana, bob, *_) = make_group()
    conversion = entered(1000, "USD", "0.9")[1]
    with translation.override(language), pytest.raises(LedgerError) as refused:
        add_expense(
            group, owner, paid={ana: 999}, among=[ana, bob], date=DAY, conversion=conversion
        )
    assert all(amount in refused.value.messages[0] for amount in amounts)
