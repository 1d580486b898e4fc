"""A group that converts at settlement keeps balances per currency and settles up in its own."""

import datetime
import io
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expenses.models import Expense, ExpenseEntry
from expenses.splitting import split
from expenses.tests.factories import add_expense
from groups.models import Activity, ConversionFixed, ConvertAt, Group
from ledger import books
from ledger.books import LedgerError
from ledger.models import BalanceConversion, CurrencyBalance, CurrencyPairBalance
from ledger.tests.test_expense_ledger import make_group
from settlements.across import load_groups
from settlements.forms import PaymentForm
from settlements.models import Payment, PaymentError
from settlements.tests.factories import record_payment
from splitclone import fx
from splitclone.money import format_amount

DAY = datetime.date(2025, 12, 27)  # a Saturday: the reference rates are of 24 December
SETTLED_ON = datetime.date(2026, 3, 10)  # a Tuesday: the rates of that day
# Exponents 2, 2, 0, 0 and 3; the ECB publishes no rate for KWD, so it is typed.
CURRENCIES = ["EUR", "USD", "JPY", "ISK", "KWD"]
KWD_RATE = Decimal("2.79")


def converted(original, currency, group_currency="EUR"):
    """(group-currency amount, fx.Conversion) as the form would make them on DAY."""
    if currency == group_currency:
        return original, None
    if currency == "KWD":
        conversion = fx.Conversion(original, currency, KWD_RATE, "entered")
        return fx.convert(original, currency, group_currency, KWD_RATE), conversion
    rate = fx.rate(currency, group_currency, DAY)
    conversion = fx.Conversion(original, currency, rate.value, "reference", rate.published_on)
    return fx.convert(original, currency, group_currency, rate.value), conversion


def spend(group, author, payer, among, original, currency):
    """An expense typed in `currency`: split in it first, then in the group's, like the form."""
    amount, conversion = converted(original, currency)
    submission_id = uuid.uuid4()
    seed = str(submission_id)
    owed = dict(
        split("equal", amount, dict.fromkeys((m.pk for m in among), None), seed=seed).shares
    )
    entry = ExpenseEntry(
        description="Dinner",
        amount=amount,
        currency=group.currency,
        date=DAY,
        category="food",
        notes="",
        split_kind="equal",
        submission_id=submission_id,
        paid={payer.pk: amount},
        owed=owed,
        conversion=conversion,
        original_paid={payer.pk: original} if conversion else {},
        original_owed=dict(
            split("equal", original, dict.fromkeys((m.pk for m in among), None), seed=seed).shares
        )
        if conversion
        else {},
    )
    return Expense.objects.save_expense(group_id=group.pk, author=author, entry=entry)


def settlement_group(size=4):
    group, owner, members = make_group(size)
    Group.objects.filter(pk=group.pk).update(convert_at=ConvertAt.SETTLEMENT)
    group.refresh_from_db()
    for member in members:
        member.group = group
    return group, owner, members


def kept_by_currency(group):
    """{currency: {member id: balance}} as kept, the group's currency included."""
    kept = {group.currency: {m.pk: m.balance for m in group.members.all() if m.balance}}
    for row in CurrencyBalance.objects.filter(group=group).exclude(amount=0):
        kept.setdefault(row.currency, {})[row.member_id] = row.amount
    return {currency: balances for currency, balances in kept.items() if balances}


@pytest.mark.django_db
def test_convert_at_changes_only_while_no_entry_is_in_another_currency():
    group, owner, (ana, bob, *_) = make_group()
    settings_now = {
        "actor": owner,
        "name": group.name,
        "description": "",
        "currency": "EUR",
        "simplify_debts": True,
    }
    add_expense(group, owner, paid={ana: 1000}, among=[ana, bob])
    group.update_settings(**settings_now, convert_at=ConvertAt.SETTLEMENT)
    assert group.convert_at == ConvertAt.SETTLEMENT
    spend(group, owner, ana, [ana, bob], 1000, "USD")

    with pytest.raises(ConversionFixed, match="can't change once"):
        group.update_settings(**settings_now, convert_at=ConvertAt.ENTRY)

    group.refresh_from_db()
    assert group.convert_at == ConvertAt.SETTLEMENT
    # Left out, it stays: the other settings still save.
    group.update_settings(**{**settings_now, "name": "Trip"})
    assert (group.name, group.convert_at) == ("Trip", ConvertAt.SETTLEMENT)


@pytest.mark.django_db
def test_an_expense_in_another_currency_moves_that_currencys_balances():
    group, owner, (ana, bob, cia, _) = settlement_group()
    expense = spend(group, owner, ana, [ana, bob, cia], 12345, "USD")

    expense.refresh_from_db()
    # Statistics still read the amount converted at the entry's date (ECB of 24 Dec 2025).
    assert (expense.amount, expense.currency, expense.settles_in_original) == (10473, "EUR", True)
    assert sorted(share.amount for share in expense.shares.all()) == [4115, 4115, 4115]
    assert kept_by_currency(group) == {"USD": {ana.pk: 8230, bob.pk: -4115, cia.pk: -4115}}
    assert not books.recompute_group(group, check=True)


@pytest.mark.django_db
def test_recompute_finds_and_fixes_drift_in_another_currency():
    group, owner, (ana, bob, cia, _) = settlement_group()
    spend(group, owner, ana, [ana, bob, cia], 12345, "USD")
    CurrencyBalance.objects.filter(member=bob).update(amount=-4000)
    CurrencyPairBalance.objects.filter(group=group).delete()

    drift = books.recompute_group(group, check=True)
    assert [(d.member.pk, d.currency, d.kept, d.ledger) for d in drift.members] == [
        (bob.pk, "USD", -4000, -4115)
    ]
    assert {(d.currency, d.kept) for d in drift.pairs} == {("USD", 0)}
    assert len(drift.pairs) == 2

    books.recompute_group(group)
    assert not books.recompute_group(group, check=True)
    assert kept_by_currency(group) == {"USD": {ana.pk: 8230, bob.pk: -4115, cia.pk: -4115}}


@pytest.mark.django_db
def test_the_check_command_names_drift_in_another_currency_and_exits_1():
    group, owner, (ana, bob, cia, _) = settlement_group()
    spend(group, owner, ana, [ana, bob, cia], 12345, "USD")
    CurrencyBalance.objects.filter(member=bob).update(amount=-4000)
    out = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("recompute_balances", "--check", stdout=out)

    assert error.value.returncode == 1
    assert out.getvalue().splitlines() == [
        f"{group.name} (#{group.pk}): {bob.display_name}'s balance is −40.00 USD, the ledger "
        "says −41.15 USD"
    ]


@pytest.mark.django_db
def test_settle_up_converts_at_todays_rate_and_the_explanation_names_it():
    group, owner, (ana, bob, cia, _) = settlement_group()
    spend(group, owner, ana, [ana, bob, cia], 12345, "USD")

    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)):
        settle_up = Payment.objects.plan_for(group)
        rate = fx.rate("USD", "EUR", SETTLED_ON)
        assert [r.display for r in settle_up.conversion.rates.values()] == [
            f"1 USD = {rate.value.normalize():f} EUR (ECB reference rate of "
            f"{rate.published_on:%d %b %Y})"
        ]
        owed = fx.convert(4115, "USD", "EUR", rate.value)
        assert settle_up.balances == {ana.pk: 2 * owed, bob.pk: -owed, cia.pk: -owed}
        for debtor, creditor, amount in settle_up.plan.transfers:
            record_payment(
                group.members.get(pk=debtor),
                group.members.get(pk=creditor),
                amount,
                date=SETTLED_ON,
                expected_fingerprint=settle_up.fingerprint,
            )
            settle_up = Payment.objects.plan_for(group)

    assert kept_by_currency(group) == {}
    assert BalanceConversion.objects.filter(group=group).count() == 1
    feed = group.activities.filter(verb=Activity.Verb.BALANCES_CONVERTED).get()
    assert "1 USD = " in feed.summary
    assert "to EUR" in feed.summary
    assert not books.recompute_group(group, check=True)


@pytest.mark.django_db
def test_a_currency_the_ecb_does_not_publish_needs_a_typed_rate():
    group, owner, (ana, bob, *_) = settlement_group()
    spend(group, owner, ana, [ana, bob], 10000, "KWD")

    settle_up = Payment.objects.plan_for(group)
    assert "no reference rate for KWD" in settle_up.conversion.problem
    assert settle_up.plan.transfers == ()
    with pytest.raises(PaymentError, match="no reference rate for KWD"):
        record_payment(bob, ana, 100)

    settle_up = Payment.objects.plan_for(group, typed_rates={"KWD": KWD_RATE})
    (transfer,) = settle_up.plan.transfers
    # Bob owes half of 10.000 KWD: 5.000 KWD at 2.79 = 13.95 EUR
    assert transfer == (bob.pk, ana.pk, 1395)
    record_payment(bob, ana, 1395, typed_rates={"KWD": KWD_RATE})
    assert kept_by_currency(group) == {}


@pytest.mark.django_db
def test_two_conversions_one_after_the_other_convert_once():
    group, owner, (ana, bob, *_) = settlement_group()
    spend(group, owner, ana, [ana, bob], 10000, "USD")

    with books.change(group.pk) as locked:
        first = books.convert_open_balances(locked, on_date=SETTLED_ON, actor=owner)
    # A second request queued on the lock re-reads the open balances under it: none are left.
    with books.change(group.pk) as locked:
        second = books.convert_open_balances(locked, on_date=SETTLED_ON, actor=owner)

    assert first is not None
    assert second is None
    assert BalanceConversion.objects.count() == 1
    assert kept_by_currency(group).keys() == {"EUR"}
    assert not books.recompute_group(group, check=True)


# Above 0.1 KWD: less converts to under a euro cent, which the form refuses.
AMOUNTS = st.integers(min_value=100, max_value=10**7)
EXPENSES = st.lists(
    st.tuples(
        AMOUNTS,
        st.sampled_from(CURRENCIES),
        st.integers(0, 4),  # payer
        st.sets(st.integers(0, 4), min_size=1),  # who shares it
    ),
    min_size=1,
    max_size=8,
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expenses=EXPENSES, mode=st.sampled_from(list(ConvertAt)), simplify=st.booleans())
def test_following_the_plan_settles_every_currency_to_exactly_zero(expenses, mode, simplify):
    group, owner, members = make_group(5)
    Group.objects.filter(pk=group.pk).update(convert_at=mode, simplify_debts=simplify)
    group.refresh_from_db()
    for original, currency, payer, among in expenses:
        spend(group, owner, members[payer], [members[i] for i in sorted(among)], original, currency)
    if mode == ConvertAt.SETTLEMENT:
        open_pairs = books.open_currency_pairs([group.pk]).get(group.pk, {})
        rates = books.day_rates(group, open_pairs, SETTLED_ON, {"KWD": KWD_RATE})
        for currency in open_pairs:
            lines = books.conversion_lines({currency: open_pairs[currency]}, "EUR", rates)
            moved = books.converted_balances({}, lines)
            assert sum(moved.values()) == 0, "each currency's converted parts sum to zero"

    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)):
        settle_up = Payment.objects.plan_for(group, typed_rates={"KWD": KWD_RATE})
        for _ in range(len(members) ** 2):
            if not settle_up.plan.transfers:
                break
            debtor, creditor, amount = settle_up.plan.transfers[0]
            record_payment(
                group.members.get(pk=debtor),
                group.members.get(pk=creditor),
                amount,
                date=SETTLED_ON,
                expected_fingerprint=settle_up.fingerprint,
                typed_rates={"KWD": KWD_RATE},
            )
            settle_up = Payment.objects.plan_for(group, typed_rates={"KWD": KWD_RATE})

    assert settle_up.plan.transfers == ()
    assert kept_by_currency(group) == {}
    assert not books.recompute_group(group, check=True)


def test_an_unpublished_rate_is_refused_with_a_readable_message(db):
    group, _, _ = settlement_group()
    with pytest.raises(LedgerError, match="KWD: The ECB publishes no reference rate"):
        books.day_rates(group, ["KWD"], SETTLED_ON)


@pytest.mark.django_db
def test_the_worked_example_of_the_documentation():
    group, owner, (ana, bob, cia) = settlement_group(size=3)
    spend(group, owner, ana, [ana, bob, cia], 12345, "USD")
    spend(group, owner, bob, [ana, bob, cia], 9000, "JPY")

    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)):
        settle_up = Payment.objects.plan_for(group)
        lines = {
            (c, a, b): (amount, converted)
            for c, a, b, amount, converted in settle_up.conversion.lines
        }
        assert lines == {
            ("JPY", ana.pk, bob.pk): (3000, 1633),
            ("JPY", bob.pk, cia.pk): (-3000, -1633),
            ("USD", ana.pk, bob.pk): (-4115, -3535),
            ("USD", ana.pk, cia.pk): (-4115, -3535),
        }
        assert settle_up.balances == {ana.pk: 5437, bob.pk: -269, cia.pk: -5168}
        assert set(settle_up.plan.transfers) == {(bob.pk, ana.pk, 269), (cia.pk, ana.pk, 5168)}
        for debtor, creditor, amount in settle_up.plan.transfers:
            record_payment(group.members.get(pk=debtor), group.members.get(pk=creditor), amount)

    assert kept_by_currency(group) == {}
    assert not CurrencyPairBalance.objects.filter(group=group).exclude(amount=0).exists()


@pytest.mark.django_db
def test_a_group_with_balances_in_other_currencies_is_settled_on_its_own_first():
    group, owner, (ana, bob, *_) = settlement_group()
    spend(group, owner, ana, [ana, bob], 10000, "USD")

    (state,) = load_groups(owner, [group.pk])

    assert state.open_currencies == ("USD",)
    assert "balances in USD. Settle up in the group first" in state.problem


@pytest.mark.django_db
def test_another_payment_is_weighed_against_the_balance_at_todays_rates():
    group, owner, (ana, bob, *_) = settlement_group()
    spend(group, owner, ana, [ana, bob], 10000, "USD")
    settle_up = Payment.objects.plan_for(group)
    owed = settle_up.balances[ana.pk]

    def typed(minor):
        return format_amount(minor, "EUR", with_code=False, grouping=False)

    data = {
        "from_member": bob.pk,
        "to_member": ana.pk,
        "date": "2026-03-10",
        "submission_id": uuid.uuid4(),
    }

    within = PaymentForm({**data, "amount": typed(owed)}, settle_up=settle_up)
    beyond = PaymentForm({**data, "amount": typed(owed + 1)}, settle_up=settle_up)

    assert within.is_valid(), within.errors
    assert not beyond.is_valid()
    assert "more than" in beyond.errors["confirm"][0]
