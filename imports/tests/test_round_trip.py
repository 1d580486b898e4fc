"""Export a group as our JSON, read it back, book it into an empty group: the same books.

And how `book_parsed_group` writes what any format's parser read.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from expenses.models import Category, Expense
from expenses.splitting import SplitKind, split
from groups.models import Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from imports.booking import book_parsed_group
from imports.export import group_json, load_histories
from imports.formats.splitclone import parse
from imports.parsed import ImportRefused, ParsedExpense, ParsedGroup, ParsedPayment, distinct_names
from imports.tests.entries import save_expense
from ledger.books import recompute_group
from settlements.models import Payment
from settlements.tests.factories import record_payment
from splitclone import fx
from splitclone.money import MAX_AMOUNT, MoneyError, format_amount

TEXT = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=40
).filter(str.strip)
# Names that have broken importers: commas and quotes, formulas, case-only differences, scripts.
NAMES = st.one_of(
    st.sampled_from(["Ann", "ann", "ANN", "Zoë", "=SUM(A1:A9)", "-5", 'O\'Brien, "Bob"', "李雷"]),
    TEXT,
)
PERSON = st.tuples(NAMES, st.booleans())  # (name, is a guest)
AMOUNT = st.one_of(st.integers(1, 10**6), st.just(MAX_AMOUNT))
WEIGHTS = st.lists(st.integers(0, 4), min_size=5, max_size=5)
EXPENSE = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(SplitKind),
        "amount": AMOUNT,
        "among": st.sets(st.integers(0, 4), min_size=1),
        "payers": st.sets(st.integers(0, 4), min_size=1, max_size=3),
        "weights": WEIGHTS,
        "description": st.one_of(TEXT, st.sampled_from(["=1+1", 'Taxi, "late"', "@here"])),
        "notes": st.one_of(st.just(""), TEXT),
        "category": st.sampled_from(Category.values),
        "date": st.dates(datetime.date(1990, 1, 1), datetime.date(2026, 6, 30)),
        "deleted": st.booleans(),
    }
)
PAYMENT = st.fixed_dictionaries(
    {
        "sender": st.integers(0, 4),
        "step": st.integers(1, 4),
        "amount": AMOUNT,
        "note": st.one_of(st.just(""), TEXT),
        # Paid in US dollars at a typed rate (the amount is then its conversion), or not.
        "rate": st.one_of(
            st.none(), st.decimals(Decimal("0.001"), Decimal("1000"), places=4).map(Decimal)
        ),
        "date": st.dates(datetime.date(1990, 1, 1), datetime.date(2026, 6, 30)),
        "deleted": st.booleans(),
    }
)
HISTORIES = st.fixed_dictionaries(
    {
        "currency": st.sampled_from(["EUR", "JPY", "BHD"]),
        "people": st.lists(PERSON, min_size=2, max_size=5),
        "expenses": st.lists(EXPENSE, max_size=6),
        "payments": st.lists(PAYMENT, max_size=4),
    }
)


def split_inputs(kind, amount, people, weights, currency):
    """What a person would type for each participant, and the values `split` reads from it."""
    weight = {member.pk: weights[index] + 1 for index, member in enumerate(people)}
    match kind:
        case SplitKind.EQUAL:
            return dict.fromkeys(weight), dict.fromkeys(weight, "")
        case SplitKind.EXACT:
            amounts = split(SplitKind.SHARES, amount, weight, seed=0).shares
            return amounts, {pk: money(value, currency) for pk, value in amounts.items()}
        case SplitKind.PERCENT:
            hundredths = split(SplitKind.SHARES, 10_000, weight, seed=0).shares
            typed = {pk: str(Decimal(value) / 100) for pk, value in hundredths.items()}
            return typed, typed
        case SplitKind.SHARES:
            typed = {pk: Decimal(value) / 2 for pk, value in weight.items()}
            return typed, {pk: str(value) for pk, value in typed.items()}
        case SplitKind.ADJUSTMENT:
            # Within a quarter of an equal share either way, so nobody's share goes below zero.
            bound = amount // (4 * len(weight))
            adjustments = {pk: (value - 3) * bound // 2 for pk, value in weight.items()}
            return adjustments, {pk: money(value, currency) for pk, value in adjustments.items()}


def money(minor, currency):
    return format_amount(minor, currency, with_code=False, grouping=False)


def build_group(history):
    """The generated history, entered through the managers as the pages enter it."""
    owner = MemberFactory(group=GroupFactory(currency=history["currency"]), role=Role.OWNER)
    group, author = owner.group, owner.user
    owner.user.display_name = history["people"][0][0]
    owner.user.save(update_fields=["display_name"])
    members, guest_names = [owner], set()
    for name, is_guest in history["people"][1:]:
        if is_guest and name.casefold() not in guest_names:
            guest_names.add(name.casefold())
            members.append(GuestFactory(group=group, name=name))
        else:
            members.append(MemberFactory(group=group, user__display_name=name))
    for entry in history["expenses"]:
        among = list(dict.fromkeys(members[i % len(members)] for i in sorted(entry["among"])))
        payers = sorted({members[i % len(members)].pk for i in entry["payers"]})
        paid = split(SplitKind.EQUAL, entry["amount"], dict.fromkeys(payers), seed=0).shares
        values, entered = split_inputs(
            entry["kind"], entry["amount"], among, entry["weights"], group.currency
        )
        expense = save_expense(
            group,
            author,
            amount=entry["amount"],
            paid={pk: value for pk, value in paid.items() if value},
            values=values,
            kind=entry["kind"],
            entered=entered,
            description=entry["description"],
            notes=entry["notes"],
            category=entry["category"],
            date=entry["date"],
        )
        if entry["deleted"]:
            Expense.objects.delete_expense(expense, actor=author)
    for entry in history["payments"]:
        sender = members[entry["sender"] % len(members)]
        receiver = members[(entry["sender"] + entry["step"]) % len(members)]
        if sender == receiver:
            continue
        amount, conversion = entry["amount"], None
        if entry["rate"] is not None:
            try:
                converted = fx.convert(amount, "USD", group.currency, entry["rate"])
            except MoneyError:  # beyond the limit: the form refuses it
                converted = 0
            if converted > 0:
                conversion = fx.Conversion(amount, "USD", entry["rate"], "entered")
                amount = converted
        payment = record_payment(
            sender,
            receiver,
            amount,
            note=entry["note"],
            date=entry["date"],
            conversion=conversion,
        )
        if entry["deleted"]:
            Payment.objects.delete_payment(payment, actor=author)
    return group, author


def books_of(group, names):
    """Everything the round trip must keep, by people's names: `names` maps member id → name."""

    def pair(a, b, amount):
        return (
            ((names[a], names[b]), amount)
            if names[a] < names[b]
            else ((names[b], names[a]), -amount)
        )

    expenses = group.expenses.with_people().order_by("submission_id")
    payments = group.payments.order_by("submission_id")
    return {
        "balances": {names[m.pk]: m.balance for m in group.members.all() if m.pk in names},
        "pairs": dict(
            pair(row.member_a_id, row.member_b_id, row.amount)
            for row in group.pair_balances.exclude(amount=0)
        ),
        "expenses": [
            (
                expense.submission_id,
                expense.description,
                expense.amount,
                expense.currency,
                expense.date,
                expense.category,
                expense.notes,
                expense.split_kind,
                expense.is_deleted,
                (expense.original_amount, expense.original_currency, expense.rate_source),
                {names[payer.member_id]: payer.amount for payer in expense.payers.all()},
                {
                    names[share.member_id]: (share.amount, share.entered)
                    for share in expense.shares.all()
                },
            )
            for expense in expenses
        ],
        "payments": [
            (
                payment.submission_id,
                names[payment.from_member_id],
                names[payment.to_member_id],
                payment.amount,
                payment.currency,
                payment.date,
                payment.note,
                payment.is_deleted,
                (
                    payment.original_amount,
                    payment.original_currency,
                    payment.rate,
                    payment.rate_source,
                    payment.rate_date,
                ),
            )
            for payment in payments
        ],
    }


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(HISTORIES)
def test_importing_our_export_into_an_empty_group_gives_the_same_books(history):
    with transaction.atomic():
        source, _ = build_group(history)
        source_members = list(source.members.order_by("id"))
        source_names = dict(
            zip(
                [member.pk for member in source_members],
                distinct_names([member.display_name for member in source_members]),
                strict=True,
            )
        )
        (exported,) = load_histories([source])

        parsed = parse(group_json(exported))
        importer = MemberFactory(group=GroupFactory(currency=source.currency), role=Role.OWNER)
        target = importer.group
        mapping = {name: GuestFactory(group=target, name=name) for name in parsed.people}
        book_parsed_group(parsed, target, mapping, importer.user)

        target_names = {member.pk: name for name, member in mapping.items()}
        assert books_of(target, target_names) == books_of(source, source_names)
        assert sorted(target_names.values()) == sorted(source_names.values())
        assert not recompute_group(target, check=True)
        transaction.set_rollback(True)


DAY = datetime.date(2026, 11, 1)


@pytest.fixture
def target(db):
    owner = MemberFactory(group=GroupFactory(currency="EUR"), role=Role.OWNER)
    return owner.group, owner.user


def guest_balances(group):
    return {member.name: member.balance for member in group.members.filter(user__isnull=True)}


def people_in(group, *names):
    return {name: GuestFactory(group=group, name=name) for name in names}


def test_entries_without_a_split_kind_are_booked_as_exact_amounts(target):
    group, actor = target
    mapping = people_in(group, "Ann", "Bob")
    parsed = ParsedGroup(
        format="splitwise",
        currency="EUR",
        people=["Ann", "Bob"],
        expenses=[
            ParsedExpense(
                "Dinner",
                DAY,
                1001,
                paid={"Ann": 1001, "Bob": 0},
                owed={"Ann": 0, "Bob": 1001},
                category="Food and drink - Restaurants",
            ),
            ParsedExpense("Bus", DAY, 200, paid={"Bob": 200}, owed={"Ann": 100, "Bob": 100}),
        ],
    )

    book_parsed_group(parsed, group, mapping, actor)

    dinner, bus = group.expenses.with_people().order_by("id")
    assert (dinner.split_kind, dinner.category, bus.category) == ("exact", "other", "general")
    assert [(p.member.name, p.amount) for p in dinner.payers.all()] == [("Ann", 1001)]
    assert [(s.member.name, s.amount, s.entered) for s in dinner.shares.order_by("id")] == [
        ("Ann", 0, "0.00"),
        ("Bob", 1001, "10.01"),
    ]
    assert guest_balances(group) == parsed.balances()


def parsed_with_a_payment(**payment):
    return ParsedGroup(
        format="splitclone",
        currency="EUR",
        people=["Ann", "Bob"],
        expenses=[
            ParsedExpense(
                "Dinner",
                DAY,
                1000,
                paid={"Ann": 1000},
                owed={"Bob": 1000},
                source="expense 1",
                submission_id=str(uuid.uuid4()),
            )
        ],
        payments=[
            ParsedPayment(
                **{"sender": "Bob", "receiver": "Ann", "amount": 400, "date": DAY} | payment,
                source="payment 1",
                submission_id=str(uuid.uuid4()),
            )
        ],
    )


def test_importing_the_same_file_again_adds_nothing(target):
    group, actor = target
    mapping = people_in(group, "Ann", "Bob")
    parsed = parsed_with_a_payment()
    book_parsed_group(parsed, group, mapping, actor)

    book_parsed_group(parsed, group, mapping, actor)

    assert (group.expenses.count(), group.payments.count()) == (1, 1)
    assert guest_balances(group) == {"Ann": 600, "Bob": -600}


@pytest.mark.parametrize(
    ("payment", "message"),
    [
        (
            {"date": datetime.date(1899, 12, 31)},
            "payment 1: Pick a date in 1900 or later.",
        ),
        ({"amount": MAX_AMOUNT + 1}, "payment 1: A payment must be more than zero and at most"),
    ],
)
def test_an_entry_the_rules_refuse_is_named_and_nothing_is_saved(target, payment, message):
    group, actor = target
    mapping = people_in(group, "Ann", "Bob")

    with pytest.raises(ImportRefused) as refused:
        book_parsed_group(parsed_with_a_payment(**payment), group, mapping, actor)

    assert str(refused.value).startswith(message)
    assert (group.expenses.count(), group.payments.count()) == (0, 0)
    assert [m.balance for m in group.members.all()] == [0, 0, 0]


def test_a_file_in_another_currency_is_refused(target):
    group, actor = target
    mapping = people_in(group, "Ann", "Bob")
    parsed = parsed_with_a_payment()
    parsed.currency = "JPY"

    with pytest.raises(ImportRefused) as refused:
        book_parsed_group(parsed, group, mapping, actor)

    assert str(refused.value) == (
        "The file's amounts are in JPY and this group's in EUR. Import it into a group in JPY."
    )
    assert group.expenses.count() == 0
