"""Files with entries in several currencies: converted at the ECB rate of each entry's date,
keeping what was spent, by the bulk writer as by the ledger's own path, and exported back."""

import datetime
import importlib
import json
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from expenses.forms import ExpenseForm
from expenses.models import Expense
from expenses.splitting import split_in_proportion
from groups.models import Group, Member, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from imports import services
from imports.booking import book_parsed_group
from imports.export import group_csv, group_document, load_histories
from imports.formats import splitclone
from imports.parsed import ImportRefused, ParsedExpense, in_group_currency
from imports.tests.conftest import data
from imports.tests.test_services import everyone_new
from imports.tests.test_spliit import read as read_spliit
from ledger import books
from ledger.tests.checks import assert_books_match_ledger
from settlements.models import Payment
from splitclone import fx
from splitclone.money import MoneyError
from splitclone.translation import translated

pytestmark = pytest.mark.django_db
SEVERAL = "splitwise_several_currencies.csv"


def import_several(importer):
    parsed = services.read_file(data(SEVERAL))
    return services.import_new_group(
        parsed, user=importer, mapping=everyone_new(parsed), name="Autumn"
    )


def member_balances(group):
    guests = Member.objects.filter(group=group, user__isnull=True)
    return dict(guests.values_list("name", "balance"))


def spent(group):
    """Every entry's amount and what was spent, as comparable tuples."""
    columns = ["amount", "original_amount", "original_currency", "rate", "rate_source"]
    return sorted(
        Expense.objects.filter(group=group).values_list("description", *columns, "rate_date")
    ) + sorted(Payment.objects.filter(group=group).values_list(*columns, "rate_date"))


def assert_every_row_passes_the_books(group):
    for row in [*Expense.objects.filter(group=group), *Payment.objects.filter(group=group)]:
        conversion = books.fx.Conversion(
            row.original_amount, row.original_currency, row.rate, row.rate_source, row.rate_date
        )
        books.require_conversion(group, row.date, row.amount, conversion)


def test_a_splitwise_file_in_three_currencies_is_booked_in_the_group_s(importer):
    imported = import_several(importer)
    group = imported.group

    assert group.currency == "EUR"
    rows = {
        expense.description: (
            expense.amount,
            expense.original_amount,
            expense.original_currency,
            expense.rate,
            expense.rate_source,
            expense.rate_date,
        )
        for expense in Expense.objects.filter(group=group)
    }
    usd, jpy = Decimal("0.9032607714"), Decimal("0.006184674377")
    assert rows == {
        "Hotel": (10000, 10000, "EUR", Decimal(1), "same", None),
        "Dinner": (5420, 6000, "USD", usd, "reference", datetime.date(2024, 10, 2)),
        "Taxi": (2000, 2000, "EUR", Decimal(1), "same", None),
        "Ramen": (1855, 3000, "JPY", jpy, "reference", datetime.date(2024, 10, 4)),
    }
    ramen = Expense.objects.get(group=group, description="Ramen")
    assert sorted(share.amount for share in ramen.shares.all()) == [927, 928]
    assert sorted(share.entered for share in ramen.shares.all()) == ["1500", "1500"]
    payment = Payment.objects.get(group=group)
    assert (payment.amount, payment.original_amount, payment.original_currency) == (
        907,
        1000,
        "USD",
    )
    assert payment.rate_date == datetime.date(2024, 10, 4)
    assert member_balances(group) == {"Ann": 3311, "Ben": -3311}
    assert_books_match_ledger()
    assert_every_row_passes_the_books(group)


def test_the_edit_form_shows_an_imported_expense_as_it_was_spent(importer):
    group = import_several(importer).group
    dinner = Expense.objects.with_people().get(group=group, description="Dinner")
    members = list(group.members.with_people())

    form = ExpenseForm.for_expense(dinner, members)

    assert (form.initial["amount"], form.initial["original_currency"]) == ("60.00", "USD")
    assert form.initial["rate_mode"] == "reference"
    assert sorted(v for k, v in form.initial.items() if k.startswith("value_") and v) == [
        "30.00",
        "30.00",
    ]


@pytest.mark.parametrize(
    ("currency", "date", "reason"),
    [
        ("XAF", "2024-10-02", "line 4: The ECB publishes no reference rate for XAF."),
        ("ILS", "2010-12-31", "line 4: The first reference rate for ILS is of 2011-01-03."),
    ],
)
def test_an_entry_without_a_reference_rate_is_refused_naming_its_line(
    importer, currency, date, reason
):
    text = data(SEVERAL).decode()
    text = text.replace(
        "2024-10-02,Dinner,Dining out,60.00,USD", f"{date},Dinner,Dining out,60.00,{currency}"
    )
    text = text.replace(" ,USD,-40.00,40.00", " ,USD,-10.00,10.00")
    text += f"2024-10-31,Total balance, , ,{currency},-30.00,30.00\n"

    with pytest.raises(ImportRefused) as refused:
        services.read_file(text.encode())

    assert str(refused.value) == reason
    assert not Expense.objects.exists()


def test_the_export_keeps_what_was_spent_and_reads_back_exactly(importer):
    source = import_several(importer).group
    (history,) = load_histories([source])
    document = group_document(history)
    dinner = document["expenses"][1]
    assert {key: dinner[key] for key in ("amount", "original_amount", "original_currency")} == {
        "amount": 5420,
        "original_amount": 6000,
        "original_currency": "USD",
    }
    assert (dinner["rate"], dinner["rate_source"], dinner["rate_date"]) == (
        "0.9032607714",
        "reference",
        "2024-10-02",
    )
    csv_text = group_csv(history).decode("utf-8-sig")
    assert (
        "2024-10-02,Expense,Dinner,Restaurants and bars,Exact amounts,54.20,EUR,"
        "60.00,USD,0.9032607714,reference,2024-10-02," in csv_text
    )

    parsed = splitclone.parse(json.dumps(document).encode())
    owner = MemberFactory(group=GroupFactory(currency="EUR"), role=Role.OWNER)
    target = owner.group
    mapping = {name: GuestFactory(group=target, name=name) for name in parsed.people}
    book_parsed_group(parsed, target, mapping, owner.user)

    assert spent(target) == spent(source)
    assert sorted(member_balances(target).values()) == [-3311, 0, 3311]
    assert_every_row_passes_the_books(target)


@pytest.mark.parametrize("path", ["bulk", "ledger"])
def test_a_rate_changed_in_an_exported_file_is_refused_by_either_writer(importer, path):
    (history,) = load_histories([import_several(importer).group])
    document = group_document(history)
    document["expenses"][1]["rate"] = "0.95"
    parsed = splitclone.parse(json.dumps(document).encode())
    owner = MemberFactory(group=GroupFactory(currency="EUR"), role=Role.OWNER, user=importer)
    before = Expense.objects.count()

    if path == "bulk":
        write = partial(
            services.book, parsed, owner.group.pk, user=importer, mapping=everyone_new(parsed)
        )
        write = partial(write, confirmed=True)
    else:
        mapping = {name: GuestFactory(group=owner.group, name=name) for name in parsed.people}
        write = partial(book_parsed_group, parsed, owner.group, mapping, importer)

    with pytest.raises(ImportRefused, match=r"expense 2: .*the rate changed"):
        write()

    assert Expense.objects.count() == before


def spliit_file(**train):
    document = json.loads(read_spliit("group-current.json"))
    document["expenses"][3] |= train
    return json.dumps(document).encode()


def test_a_spliit_expense_in_euros_keeps_spliit_s_francs_and_what_was_spent(importer):
    parsed = services.read_file(spliit_file())
    group = services.import_new_group(
        parsed, user=importer, mapping=everyone_new(parsed), name="Zürich"
    ).group

    train = Expense.objects.get(group=group, description="Train to Bern")
    assert (train.amount, train.currency) == (6420, "CHF")
    assert (train.original_amount, train.original_currency) == (7000, "EUR")
    assert (train.rate, train.rate_source) == (Decimal("0.9171428571"), "charged")
    assert train.spent_display == "70.00 EUR → 64.20 CHF"
    assert_every_row_passes_the_books(group)


def test_a_spliit_original_amount_in_whole_units_is_left_out_with_a_notice(importer):
    parsed = services.read_file(spliit_file(originalAmount=70))

    assert parsed.expenses[3].spent is None
    assert any(
        notice.startswith("The amount spent in another currency of these expenses does not")
        and "expense 4 (“Train to Bern”)" in notice
        for notice in parsed.notices
    )


@pytest.mark.parametrize(
    ("model", "migration"),
    [
        (Expense, "expenses.migrations.0009_fill_bulk_imported_conversions"),
        (Payment, "settlements.migrations.0006_fill_bulk_imported_conversions"),
    ],
)
def test_rows_an_older_bulk_import_wrote_without_conversion_are_filled(importer, model, migration):
    group = import_several(importer).group
    rows = model.objects.filter(group=group, rate_source="same")
    # As the bulk writer left them before it wrote the conversion columns.
    rows.update(original_amount=0, original_currency="")
    converted = list(model.objects.filter(group=group).exclude(rate_source="same").values())

    with connection.cursor() as cursor:
        cursor.execute(importlib.import_module(migration).FILL)

    assert all((row.original_amount, row.original_currency) == (row.amount, "EUR") for row in rows)
    assert list(model.objects.filter(group=group).exclude(rate_source="same").values()) == (
        converted
    )


PEOPLE = ["Ann", "Ben", "Cy"]


@given(
    currency=st.sampled_from(["USD", "JPY", "GBP", "CHF"]),
    day=st.dates(datetime.date(2011, 1, 3), datetime.date(2026, 10, 30)),
    paid=st.lists(st.integers(0, 10**9), min_size=3, max_size=3).filter(any),
    weights=st.lists(st.integers(0, 10**6), min_size=3, max_size=3).filter(any),
    group_currency=st.sampled_from(["EUR", "JPY", "HUF"]),
)
@settings(max_examples=200, deadline=None)
def test_a_converted_entry_adds_up_and_passes_the_books(
    currency, day, paid, weights, group_currency
):
    amount = sum(paid)
    owed = split_in_proportion(amount, dict(zip(PEOPLE, weights, strict=True)), seed=1).shares
    entry = ParsedExpense(
        "Dinner",
        day,
        amount,
        paid=dict(zip(PEOPLE, paid, strict=True)),
        owed=dict(owed),
        source="line 2",
        currency=currency,
    )
    assume(currency != group_currency)
    rate = fx.rate(currency, group_currency, day).value
    try:
        total = fx.convert(amount, currency, group_currency, rate)
    except MoneyError:
        total = None
    if not total:
        # Beyond the limit, or less than a minor unit, once converted: named, never booked.
        with pytest.raises(ImportRefused, match=r"^line 2: "):
            in_group_currency(entry, group_currency, group_currency)
        return
    converted = in_group_currency(entry, group_currency, group_currency)
    assert converted.amount == total
    assert sum(converted.paid.values()) == converted.amount == sum(converted.owed.values())
    assert all(value >= 0 for value in [*converted.paid.values(), *converted.owed.values()])
    assert converted.conversion.rate_date <= day
    books.require_conversion(
        Group(currency=group_currency), day, converted.amount, converted.conversion
    )


def test_an_entry_that_converts_to_nothing_is_refused_with_the_reader_s_amounts():
    entry = ParsedExpense(
        "Gum", datetime.date(2025, 12, 24), 1, paid={"Ann": 1}, owed={"Ann": 1}, currency="IDR"
    )

    with pytest.raises(ImportRefused) as refused:
        in_group_currency(entry, "EUR", "EUR")

    with translation.override("de"):
        german = translated(refused.value.message)
    assert "1\xa0IDR" in german
    assert "0,01\xa0€" in german
    assert "1 IDR is less than 0.01 EUR converted." in str(refused.value.message)
