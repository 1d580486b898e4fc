"""A group that converts at settlement, exported and imported as a new group: the same books,
in every currency, conversions included; and the files the import refuses."""

import csv
import datetime
import io
import json
import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import event, given, settings
from hypothesis import strategies as st

from expenses.models import Expense, ExpenseEntry
from expenses.splitting import SplitKind, split, split_in_proportion
from groups.models import ConvertAt, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from imports.booking import book_parsed_group
from imports.export import group_csv, group_json, load_histories
from imports.formats.splitclone import parse
from imports.parsed import ImportRefused, distinct_names
from imports.services import NEW_GUEST, import_new_group
from imports.tests.test_export import VALIDATOR
from imports.tests.test_round_trip import books_of
from ledger.books import recompute_group
from ledger.models import BalanceConversion
from settlements.models import Payment
from settlements.tests.factories import record_payment
from splitclone import fx
from splitclone.money import CURRENCIES

# Exponents 0, 3 and 2 beside the group's euro; typed rates, since the ECB publishes no BHD.
RATES = {"JPY": Decimal("0.0061"), "BHD": Decimal("2.4312"), "USD": Decimal("0.9187")}
FOREIGN = sorted(RATES)
TODAY_RATES = {"JPY": "0.0062", "BHD": "2.4", "USD": "0.91"}
DATES = st.dates(datetime.date(2024, 1, 1), datetime.date(2026, 11, 1))
EXPENSE = st.fixed_dictionaries(
    {
        "currency": st.sampled_from([*FOREIGN, "EUR"]),
        "amount": st.integers(100, 10**7),
        "among": st.sets(st.integers(0, 3), min_size=1),
        "payer": st.integers(0, 3),
        "date": DATES,
        "deleted": st.booleans(),
    }
)
PAYMENT = st.fixed_dictionaries(
    {
        # None: in the euro, which first converts the open balances in other currencies.
        "currency": st.sampled_from([None, *FOREIGN]),
        "sender": st.integers(0, 3),
        "step": st.integers(1, 3),
        "amount": st.integers(1, 10**6),
        "date": DATES,
        "deleted": st.booleans(),
    }
)
HISTORIES = st.fixed_dictionaries(
    {
        "people": st.integers(2, 4),
        # Entries in order; payments in between, so that conversions fall between expenses.
        "entries": st.lists(st.one_of(EXPENSE.map(lambda e: ("expense", e)),
                                      PAYMENT.map(lambda p: ("payment", p))),
                            min_size=1, max_size=10),
    }
)  # fmt: skip


def conversion_of(amount, currency):
    if currency == "EUR":
        return amount, None
    rate = RATES[currency]
    return fx.convert(amount, currency, "EUR", rate), fx.Conversion(
        amount, currency, rate, "entered"
    )


def add_expense(group, author, members, entry):
    among = sorted({members[i % len(members)].pk for i in entry["among"]})
    payer = members[entry["payer"] % len(members)].pk
    converted, conversion = conversion_of(entry["amount"], entry["currency"])
    if converted <= 0:
        return
    original_owed = dict(
        split(SplitKind.EQUAL, entry["amount"], dict.fromkeys(among), seed=0).shares
    )
    submission_id = uuid.uuid4()
    expense = Expense.objects.save_expense(
        group_id=group.pk,
        author=author,
        entry=ExpenseEntry(
            description="Dinner",
            amount=converted,
            currency="EUR",
            conversion=conversion,
            date=entry["date"],
            category="food",
            notes="",
            split_kind=SplitKind.EXACT,
            submission_id=submission_id,
            paid={payer: converted},
            owed=dict(split_in_proportion(converted, original_owed, seed=0).shares),
            original_paid={payer: entry["amount"]} if conversion else {},
            original_owed=original_owed if conversion else {},
        ),
    )
    if entry["deleted"]:
        Expense.objects.delete_expense(expense, actor=author)


def add_payment(group, author, members, entry):
    sender = members[entry["sender"] % len(members)]
    receiver = members[(entry["sender"] + entry["step"]) % len(members)]
    converted, conversion = conversion_of(entry["amount"], entry["currency"] or "EUR")
    if sender == receiver or converted <= 0:
        return
    payment = record_payment(
        sender,
        receiver,
        converted,
        actor=author,
        date=entry["date"],
        conversion=conversion,
        typed_rates={code: Decimal(rate) for code, rate in TODAY_RATES.items()},
    )
    if entry["deleted"]:
        Payment.objects.delete_payment(payment, actor=author)


def build_group(history):
    owner = MemberFactory(
        group=GroupFactory(currency="EUR", convert_at=ConvertAt.SETTLEMENT), role=Role.OWNER
    )
    group, author = owner.group, owner.user
    members = [owner] + [
        GuestFactory(group=group, name=f"Guest {number}") for number in range(history["people"])
    ]
    for kind, entry in history["entries"]:
        (add_expense if kind == "expense" else add_payment)(group, author, members, entry)
    return group, author


def kept_in_currencies(group, names):
    """Member and pair balances in other currencies, and the conversions, by people's names."""

    def pair(a, b, amount):
        if names[a] < names[b]:
            return (names[a], names[b]), amount
        return (names[b], names[a]), -amount

    return {
        "members": {
            (names[row.member_id], row.currency): row.amount
            for row in group.currency_balances.exclude(amount=0)
        },
        "pairs": {
            (*pair(row.member_a_id, row.member_b_id, row.amount)[0], row.currency): pair(
                row.member_a_id, row.member_b_id, row.amount
            )[1]
            for row in group.currency_pair_balances.exclude(amount=0)
        },
        "conversions": [
            (
                conversion.date,
                sorted(
                    (
                        line.currency,
                        line.rate,
                        line.rate_source,
                        line.rate_date,
                        *pair(line.member_a_id, line.member_b_id, line.amount)[0],
                        pair(line.member_a_id, line.member_b_id, line.amount)[1],
                        pair(line.member_a_id, line.member_b_id, line.converted)[1],
                    )
                    for line in conversion.lines.all()
                ),
            )
            for conversion in BalanceConversion.objects.filter(group=group).order_by("id")
        ],
        "settling_in_original": sorted(
            str(row.submission_id)
            for rows in (group.expenses.all(), group.payments.all())
            for row in rows
            if row.settles_in_original
        ),
    }


def names_of(group):
    members = list(group.members.order_by("id"))
    return dict(
        zip(
            [member.pk for member in members],
            distinct_names([member.display_name for member in members]),
            strict=True,
        )
    )


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(HISTORIES)
def test_a_group_converting_at_settlement_comes_back_from_its_export_the_same(history):
    with transaction.atomic():
        source, _ = build_group(history)
        (exported,) = load_histories([source])
        parsed = parse(group_json(exported))
        user = MemberFactory().user
        # What the preview shows beside the balances the file states.
        assert parsed.balances() == parsed.stated_balances

        imported = import_new_group(
            parsed, user=user, mapping=dict.fromkeys(parsed.people, NEW_GUEST), name="Again"
        )

        target = imported.group
        target_names = {member.pk: name for name, member in imported.members.items()}
        source_names = names_of(source)
        assert target.convert_at == ConvertAt.SETTLEMENT
        assert books_of(target, target_names) == books_of(source, source_names)
        assert kept_in_currencies(target, target_names) == kept_in_currencies(source, source_names)
        assert not recompute_group(target, check=True)
        event(f"conversions: {min(target.balance_conversions.count(), 2)}")
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(HISTORIES)
def test_csv_columns_add_up_to_each_balance_in_each_shares_currency(history):
    """With its conversion rows, each member's paid minus share per Shares currency is their
    balance in it: the group's currency's is their balance, the others' what is still open."""
    with transaction.atomic():
        group, _ = build_group(history)
        (exported,) = load_histories([group])
        header, *rows = csv.reader(io.StringIO(group_csv(exported).decode()[1:]))
        assert {row[header.index("Convert at")] for row in rows} <= {"settlement"}

        totals = {}
        first = header.index("Convert at") + 1
        for row in rows:
            if row[header.index("Deleted")]:
                continue
            code = row[header.index("Shares currency")]
            for index, member in enumerate(group.members.order_by("id")):
                paid, share = row[first + 2 * index], row[first + 2 * index + 1]
                minor = to_minor(paid or "0", code) - to_minor(share or "0", code)
                totals[member.pk, code] = totals.get((member.pk, code), 0) + minor

        expected = {(member.pk, "EUR"): member.balance for member in group.members.all()}
        expected |= {
            (row.member_id, row.currency): row.amount for row in group.currency_balances.all()
        }
        assert {key: value for key, value in totals.items() if value} == {
            key: value for key, value in expected.items() if value
        }
        transaction.set_rollback(True)


def to_minor(text, code):
    return int(Decimal(text).scaleb(CURRENCIES[code].exponent))


@pytest.fixture
def settled():
    """A group converting at settlement with a dollar expense, a conversion and a payment."""
    history = {
        "people": 2,
        "entries": [
            ("expense", {"currency": "USD", "amount": 3000, "among": {0, 1, 2}, "payer": 0,
                         "date": datetime.date(2026, 11, 1), "deleted": False}),
            ("payment", {"currency": None, "sender": 1, "step": 2, "amount": 500,
                         "date": datetime.date(2026, 11, 2), "deleted": False}),
        ],
    }  # fmt: skip
    group, _ = build_group(history)
    (exported,) = load_histories([group])
    return json.loads(group_json(exported))


def import_document(document):
    user = MemberFactory().user
    parsed = parse(json.dumps(document).encode())
    return import_new_group(
        parsed, user=user, mapping=dict.fromkeys(parsed.people, NEW_GUEST), name="Again"
    )


@pytest.mark.django_db
def test_the_export_says_how_the_group_converts_and_what_it_converted(settled):
    assert sorted(error.message for error in VALIDATOR.iter_errors(settled)) == []
    assert settled["group"]["settings"]["convert_at"] == "settlement"
    (expense,) = settled["expenses"]
    assert (expense["shares_currency"], expense["paid"]) == ("USD", [{"member": 1, "amount": 3000}])
    (conversion,) = settled["conversions"]
    assert [(line["currency"], line["rate"]) for line in conversion["lines"]] == [
        ("USD", "0.91"),
        ("USD", "0.91"),
    ]


@pytest.mark.django_db
def test_a_conversion_that_does_not_convert_to_its_amount_is_refused(settled):
    settled["conversions"][0]["lines"][0]["converted"] += 1

    with pytest.raises(ImportRefused, match=r"^conversion 1: .* is .*, not "):
        import_document(settled)


@pytest.mark.django_db
def test_a_currency_converted_at_two_rates_is_refused(settled):
    settled["conversions"][0]["lines"][1]["rate"] = "0.92"

    with pytest.raises(ImportRefused, match="conversion 1: USD is converted at two rates"):
        import_document(settled)


@pytest.mark.django_db
def test_a_conversion_line_of_someone_undeclared_is_refused(settled):
    settled["conversions"][0]["lines"][0]["member_b"] = 9

    with pytest.raises(ImportRefused, match='conversion 1, line 1: "member_b" is member 9'):
        import_document(settled)


@pytest.mark.django_db
def test_a_conversion_line_between_one_person_is_refused(settled):
    line = settled["conversions"][0]["lines"][0]
    line["member_b"] = line["member_a"]

    with pytest.raises(ImportRefused, match="conversion 1: USD: a line must be between two"):
        import_document(settled)


@pytest.mark.django_db
def test_conversions_of_a_group_converting_at_entry_are_refused(settled):
    settled["group"]["settings"]["convert_at"] = "entry"
    for expense in settled["expenses"]:
        expense["shares_currency"] = "EUR"
        expense["paid"] = [{"member": 1, "amount": expense["amount"]}]
        expense["shares"] = [{"member": 1, "amount": expense["amount"], "entered": ""}]

    with pytest.raises(ImportRefused, match='conversion 1: the group\'s "convert_at" is not'):
        import_document(settled)


@pytest.mark.django_db
def test_shares_in_the_currency_spent_need_a_group_converting_at_settlement(settled):
    settled["group"]["settings"]["convert_at"] = "entry"

    with pytest.raises(ImportRefused, match="entries keep their shares in the currency spent"):
        import_document(settled)


@pytest.mark.django_db
def test_shares_in_a_third_currency_are_refused(settled):
    settled["expenses"][0]["shares_currency"] = "JPY"

    with pytest.raises(ImportRefused, match='expense 1: "shares_currency" is "JPY"'):
        import_document(settled)


@pytest.mark.django_db
def test_shares_that_do_not_add_up_to_what_was_spent_are_refused(settled):
    settled["expenses"][0]["paid"][0]["amount"] = settled["expenses"][0]["amount"]

    with pytest.raises(ImportRefused, match='expense 1: the "paid" amounts add up to'):
        import_document(settled)


@pytest.mark.django_db
def test_a_settlement_file_is_refused_by_a_group_converting_at_entry(settled):
    importer = MemberFactory(group=GroupFactory(currency="EUR"), role=Role.OWNER)
    parsed = parse(json.dumps(settled).encode())
    mapping = {name: GuestFactory(group=importer.group, name=name) for name in parsed.people}

    with pytest.raises(ImportRefused, match="converts other currencies when settling up"):
        book_parsed_group(parsed, importer.group, mapping, importer.user)

    assert not importer.group.expenses.exists()


@pytest.mark.django_db
def test_an_unknown_convert_at_is_refused(settled):
    settled["group"]["settings"]["convert_at"] = "whenever"

    with pytest.raises(ImportRefused, match='group: "convert_at" is "whenever", not one of'):
        import_document(settled)


@pytest.mark.django_db
def test_a_conversion_of_the_groups_own_currency_is_refused(settled):
    settled["conversions"][0]["lines"][0]["currency"] = "EUR"

    with pytest.raises(ImportRefused, match="conversion 1, line 1: the group's own currency EUR"):
        import_document(settled)


@pytest.mark.django_db
def test_a_conversion_without_lines_is_refused(settled):
    settled["conversions"][0]["lines"] = []

    with pytest.raises(ImportRefused, match="conversion 1: it has no lines"):
        import_document(settled)
