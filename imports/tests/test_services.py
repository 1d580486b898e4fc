"""Booking a parsed file into a group: through the ledger, all or nothing."""

import dataclasses
import datetime

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from expenses.models import Expense, ExpensePayer, ExpenseShare
from expenses.tests.factories import add_expense
from groups.models import Activity, Group, Member, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from imports import services
from imports.models import ImportedFile
from imports.parsed import ImportRefused, ParsedExpense, ParsedGroup, ParsedPayment
from imports.services import ME, NEW_GUEST
from imports.tests.conftest import data
from imports.tests.test_splitwise import rows, splitwise_file
from ledger.tests.checks import assert_books_match_ledger
from settlements.models import Payment


def everyone_new(parsed, **overrides):
    return {**dict.fromkeys(parsed.people, NEW_GUEST), **overrides}


def import_basic(importer, **overrides):
    parsed = services.read_file(data("splitwise_basic.csv"))
    mapping = everyone_new(parsed, **overrides)
    return parsed, services.import_new_group(parsed, user=importer, mapping=mapping, name="Lisbon")


def balances(imported):
    return {
        name: Member.objects.get(pk=member.pk).balance for name, member in imported.members.items()
    }


def test_a_new_group_gets_every_entry_and_the_files_balances(importer):
    parsed, imported = import_basic(importer, **{"Zoë": ME})

    group = imported.group
    assert (group.name, group.currency, group.created_by) == ("Lisbon", "EUR", importer)
    assert imported.members["Zoë"].user == importer
    assert imported.members["Zoë"].role == Role.OWNER
    assert balances(imported) == {
        "Zoë": 69150,
        "Jürgen": -26550,
        "Sam O'Brien": -12600,
        "Li, Ana": -30000,
    }
    assert sorted(group.members.filter(user=None).values_list("name", flat=True)) == [
        "Jürgen",
        "Li, Ana",
        "Sam O'Brien",
    ]
    assert list(group.expenses.order_by("date").values_list("description", flat=True)) == [
        expense.description for expense in parsed.expenses
    ]
    assert (imported.expenses, imported.payments) == (8, 1)
    assert_books_match_ledger()


def test_entries_keep_their_payers_shares_dates_and_categories(importer):
    _, imported = import_basic(importer)
    people = {member.pk: name for name, member in imported.members.items()}

    hotel = Expense.objects.get(description='The "good" hotel')
    paid, owed = hotel.paid_and_owed()
    assert {people[pk]: amount for pk, amount in paid.items()} == {"Sam O'Brien": 30000}
    assert {people[pk]: amount for pk, amount in owed.items()} == {
        "Zoë": 10000,
        "Jürgen": 10000,
        "Sam O'Brien": 10000,
    }
    assert (hotel.date, hotel.category, hotel.split_kind) == (
        datetime.date(2024, 3, 3),
        "accommodation",
        "exact",
    )
    assert sorted(hotel.shares.values_list("entered", flat=True)) == ["100.00"] * 3
    # Imported entries are found by the list's search like any other.
    assert Expense.objects.get(search_text__contains='the "good" hotel') == hotel
    payment = Payment.objects.get()
    assert Payment.objects.get(search_text__contains="jurgen s. paid zoe m.") == payment
    assert (people[payment.from_member_id], people[payment.to_member_id]) == ("Jürgen", "Zoë")
    assert (payment.amount, payment.note) == (10000, "Jürgen S. paid Zoë M.")
    assert set(Expense.objects.values_list("category", flat=True)) == {
        "rent",
        "restaurants",
        "accommodation",
        "general",
        "groceries",
    }


def test_one_line_in_the_history_and_the_file_remembered(importer):
    parsed, imported = import_basic(importer)

    entry = imported.group.activities.latest("id")
    assert (entry.verb, entry.actor, entry.summary) == (
        Activity.Verb.ENTRIES_IMPORTED,
        importer,
        "imported 8 expenses and 1 payment from a Splitwise file",
    )
    with translation.override("de"):
        assert entry.text == "hat 8 Ausgaben und 1 Zahlung aus einer Splitwise-Datei importiert"
    remembered = ImportedFile.objects.get()
    assert (remembered.group, remembered.format, remembered.content_hash) == (
        imported.group,
        "splitwise",
        services.fingerprint(parsed),
    )
    assert (remembered.expense_count, remembered.payment_count) == (8, 1)


def test_people_map_to_existing_members_me_and_new_guests(importer):
    group = GroupFactory(name="Flat", created_by=importer)
    own = MemberFactory(group=group, user=importer, role=Role.OWNER)
    jurgen = GuestFactory(group=group, name="Jürgen S.")
    parsed = services.read_file(data("splitwise_basic.csv"))

    imported = services.book(
        parsed,
        group.pk,
        user=importer,
        mapping=everyone_new(parsed, **{"Zoë": ME, "Jürgen": jurgen.pk}),
        confirmed=False,
    )

    assert imported.members["Zoë"] == own
    assert imported.members["Jürgen"] == jurgen
    own.refresh_from_db()
    jurgen.refresh_from_db()
    assert (own.balance, jurgen.balance) == (69150, -26550)
    assert group.members.count() == 4


def test_default_mapping_proposes_members_by_name_then_me():
    user = UserFactory.build(pk=1, display_name="Zoë")
    jurgen = Member(pk=7, name="jürgen", user=None)
    gone = Member(pk=8, name="Li, Ana", user=None, is_active=False)
    parsed = ParsedGroup(format="x", currency="EUR", people=["Zoë", "Jürgen", "Li, Ana"])

    assert services.default_mapping(parsed, user, [jurgen, gone]) == {
        "Zoë": ME,
        "Jürgen": 7,
        "Li, Ana": NEW_GUEST,
    }


def test_two_people_on_one_member_are_refused(importer):
    parsed = services.read_file(data("splitwise_basic.csv"))
    mapping = everyone_new(parsed, **{"Zoë": ME, "Jürgen": ME})

    with pytest.raises(ImportRefused, match=r"^“Zoë” and “Jürgen” are both Zoë"):
        services.import_new_group(parsed, user=importer, mapping=mapping, name="Lisbon")
    assert not Group.objects.exists()


def test_a_new_guest_named_like_a_guest_of_the_group_is_refused(importer):
    group = GroupFactory(created_by=importer)
    MemberFactory(group=group, user=importer, role=Role.OWNER)
    GuestFactory(group=group, name="jürgen")
    parsed = services.read_file(data("splitwise_basic.csv"))

    with pytest.raises(ImportRefused, match=r"^“Jürgen”: There is already a guest called"):
        services.book(
            parsed, group.pk, user=importer, mapping=everyone_new(parsed), confirmed=False
        )
    assert group.members.count() == 2
    assert not Expense.objects.exists()


def test_an_inactive_member_cannot_take_entries(importer):
    group = GroupFactory(created_by=importer)
    MemberFactory(group=group, user=importer, role=Role.OWNER)
    gone = GuestFactory(group=group, name="Gone", is_active=False)
    parsed = services.read_file(data("splitwise_basic.csv"))

    with pytest.raises(ImportRefused, match=r"^The member chosen for “Jürgen” is not active"):
        services.book(
            parsed,
            group.pk,
            user=importer,
            mapping=everyone_new(parsed, Jürgen=gone.pk),
            confirmed=False,
        )


def test_only_owners_and_admins_import(importer):
    group = GroupFactory(created_by=importer)
    MemberFactory(group=group, user=importer, role=Role.MEMBER)
    parsed = services.read_file(data("splitwise_basic.csv"))

    with pytest.raises(ImportRefused, match=r"^Only the group's owners and admins can import"):
        services.book(
            parsed, group.pk, user=importer, mapping=everyone_new(parsed), confirmed=False
        )
    assert group.members.count() == 1


def test_a_group_with_history_takes_the_file_only_when_confirmed(importer):
    group = GroupFactory(created_by=importer)
    own = MemberFactory(group=group, user=importer, role=Role.OWNER)
    friend = GuestFactory(group=group, name="Friend")
    add_expense(group, importer, paid={own: 1000}, among=[own, friend])
    parsed = services.read_file(data("splitwise_basic.csv"))
    mapping = everyone_new(parsed, **{"Zoë": ME})

    with pytest.raises(services.NeedsConfirmation):
        services.book(parsed, group.pk, user=importer, mapping=mapping, confirmed=False)
    assert group.members.count() == 2
    services.book(parsed, group.pk, user=importer, mapping=mapping, confirmed=True)

    own.refresh_from_db()
    assert own.balance == 500 + 69150
    assert_books_match_ledger()


def test_the_same_file_twice_into_one_group_is_refused(importer):
    _, imported = import_basic(importer)
    again = services.read_file(data("splitwise_basic.csv").replace(b"\n", b"\r\n"))

    with pytest.raises(ImportRefused, match=r"^This file was already imported into Lisbon on "):
        services.book(
            again,
            imported.group.pk,
            user=importer,
            mapping=dict.fromkeys(again.people, NEW_GUEST),
            confirmed=True,
        )
    assert Expense.objects.count() == 8


def test_the_files_currency_must_be_the_groups(importer):
    group = GroupFactory(created_by=importer, currency="USD")
    MemberFactory(group=group, user=importer, role=Role.OWNER)
    parsed = services.read_file(data("splitwise_basic.csv"))

    with pytest.raises(
        ImportRefused, match=r"^The file's amounts are in EUR and the group's in USD"
    ):
        services.book(
            parsed, group.pk, user=importer, mapping=everyone_new(parsed), confirmed=False
        )


def small_file(**fields):
    expense = ParsedExpense(
        description="Lunch",
        date=datetime.date(2024, 1, 2),
        amount=1000,
        paid={"Ann": 1000},
        owed={"Ann": 500, "Ben": 500},
        source="bill 1",
    )
    return ParsedGroup(
        format="ihatemoney",
        currency=fields.pop("currency", "EUR"),
        people=["Ann", "Ben"],
        expenses=[dataclasses.replace(expense, **fields)],
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"amount": 0, "paid": {"Ann": 0}, "owed": {"Ann": 0}},
            "bill 1: the amount must be above zero",
        ),
        ({"date": datetime.date(1850, 1, 1)}, "bill 1: 1850-01-01: Pick a date in 1900 or later."),
        (
            {"description": "x" * 201},
            "bill 1: the description has 201 characters; we keep at most 200.",
        ),
        ({"notes": "x" * 2001}, "bill 1: the note has 2001 characters"),
        ({"owed": {"Ann": 500, "Cy": 500}}, "bill 1: “Cy” is not one of the file's people."),
        (
            {"owed": {"Ann": 1500, "Ben": -500}},
            "bill 1: a payer's amount or a share is below zero.",
        ),
        ({"owed": {"Ann": 500, "Ben": 400}}, "bill 1: what was paid and what is owed do not both"),
        ({"currency": "ABC"}, "“ABC” is not a currency we know."),
    ],
)
def test_entries_our_ledger_cannot_hold_are_refused_by_name(changes, message):
    with pytest.raises(ImportRefused) as refused:
        services.check_fits(small_file(**changes))

    assert str(refused.value).startswith(message)


def test_a_payment_to_oneself_is_refused():
    parsed = small_file()
    parsed.payments.append(
        ParsedPayment(sender="Ann", receiver="Ann", amount=5, date=datetime.date(2024, 1, 3))
    )

    with pytest.raises(
        ImportRefused, match=r"^the payment from Ann to Ann: Ann cannot pay themselves"
    ):
        services.check_fits(parsed)


def test_a_file_without_currency_goes_into_a_currency_with_two_decimals(importer):
    parsed = small_file(currency="")
    mapping = everyone_new(parsed)

    with pytest.raises(ImportRefused, match=r"^The file names no currency: choose"):
        services.import_new_group(parsed, user=importer, mapping=mapping, name="Trip")
    with pytest.raises(ImportRefused, match=r"which JPY does not have"):
        services.import_new_group(
            parsed, user=importer, mapping=mapping, name="Trip", currency="JPY"
        )
    imported = services.import_new_group(
        parsed, user=importer, mapping=mapping, name="Trip", currency="CHF"
    )

    assert imported.group.currency == "CHF"
    assert balances(imported) == {"Ann": 500, "Ben": -500}


def test_a_chosen_currency_cannot_overrule_the_files(importer):
    with pytest.raises(ImportRefused, match=r"^The file's amounts are in EUR, so the group's"):
        services.import_new_group(
            small_file(), user=importer, mapping={}, name="Trip", currency="USD"
        )
    assert not Group.objects.exists()


def test_a_file_with_people_only_leaves_the_currency_free(importer):
    parsed = ParsedGroup(format="splitwise", currency="EUR", people=["Ann"])

    imported = services.import_new_group(
        parsed, user=importer, mapping={"Ann": NEW_GUEST}, name="Trip"
    )

    assert not imported.group.has_ledger_history


def test_nothing_is_saved_when_a_late_step_fails(importer, monkeypatch):
    parsed = services.read_file(data("splitwise_basic.csv"))

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(ImportedFile.objects, "create", fail)
    with pytest.raises(RuntimeError):
        services.import_new_group(
            parsed, user=importer, mapping=everyone_new(parsed), name="Lisbon"
        )

    assert not Group.objects.exists()
    assert not Member.objects.exists()
    assert not Expense.objects.exists()
    assert not ExpensePayer.objects.exists()
    assert not ExpenseShare.objects.exists()
    assert not Payment.objects.exists()


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table_and_costs=st.lists(st.tuples(rows, st.integers(0, 5000)), max_size=25))
def test_imported_balances_are_the_column_sums_exactly(importer, table_and_costs):
    table = [values for values, _ in table_and_costs]
    file, sums = splitwise_file(table, [extra for _, extra in table_and_costs])
    parsed = services.read_file(file)

    imported = services.import_new_group(
        parsed, user=importer, mapping=everyone_new(parsed), name="Random"
    )

    assert balances(imported) == sums
    assert_books_match_ledger()
