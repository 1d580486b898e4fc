"""Reading our own export back: what it accepts, and what it refuses with which message."""

import copy
import datetime
import json

import pytest

from expenses.models import Expense, ExpenseShare
from groups.models import Member
from imports.formats.splitclone import LIMITS, looks_like, parse
from imports.parsed import ImportRefused, ParsedExpense, ParsedPayment
from settlements.models import Payment

DINNER_ID = "5d3c6f1e-8a9b-4c2d-9e0f-112233445566"
TAXI_ID = "0b6f4c1a-2d3e-4f50-8a6b-7c8d9e0f1a2b"
PAYMENT_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

DOCUMENT = {
    "format": "splitclone-export",
    "version": 1,
    "exported_at": "2026-11-29T10:00:00+00:00",
    "group": {
        "name": "Lisbon trip",
        "description": "",
        "currency": "EUR",
        "decimals": 2,
        "archived": False,
        "created_at": "2026-10-01T09:00:00+00:00",
        "settings": {"simplify_debts": True},
    },
    "members": [
        {
            "id": 1,
            "name": "Olivia",
            "kind": "user",
            "active": True,
            "role": "owner",
            "balance": 1000,
        },
        {
            "id": 2,
            "name": "Max",
            "kind": "user",
            "active": True,
            "role": "member",
            "balance": -1000,
        },
    ],
    "expenses": [
        {
            "description": "Dinner",
            "amount": 3000,
            "date": "2026-11-01",
            "category": "food",
            "notes": "",
            "split_kind": "percent",
            "submission_id": DINNER_ID,
            "paid": [{"member": 1, "amount": 3000}],
            "shares": [
                {"member": 1, "amount": 1500, "entered": "50"},
                {"member": 2, "amount": 1500, "entered": "50"},
            ],
            "receipt": None,
            "created_at": "2026-11-01T20:00:00+00:00",
            "deleted_at": None,
        },
        {
            "description": "Taxi",
            "amount": 800,
            "date": "2026-11-02",
            "category": "transport",
            "notes": "to the airport",
            "split_kind": "equal",
            "submission_id": TAXI_ID,
            "paid": [{"member": 2, "amount": 800}],
            "shares": [{"member": 1, "amount": 800, "entered": ""}],
            "receipt": None,
            "created_at": "2026-11-02T08:00:00+00:00",
            "deleted_at": "2026-11-02T09:00:00+00:00",
        },
    ],
    "payments": [
        {
            "from": 2,
            "to": 1,
            "amount": 500,
            "date": "2026-11-03",
            "note": "cash",
            "submission_id": PAYMENT_ID,
            "created_at": "2026-11-03T08:00:00+00:00",
            "deleted_at": None,
        }
    ],
}


def encoded(document):
    return json.dumps(document, ensure_ascii=False).encode()


def changed(change):
    document = copy.deepcopy(DOCUMENT)
    change(document)
    return encoded(document)


def test_a_file_reads_into_the_parsed_shape():
    parsed = parse(encoded(DOCUMENT))

    assert (parsed.format, parsed.name, parsed.currency) == ("splitclone", "Lisbon trip", "EUR")
    assert parsed.people == ["Olivia", "Max"]
    assert parsed.stated_balances == {"Olivia": 1000, "Max": -1000}
    assert parsed.expenses == [
        ParsedExpense(
            description="Dinner",
            date=datetime.date(2026, 11, 1),
            amount=3000,
            paid={"Olivia": 3000},
            owed={"Olivia": 1500, "Max": 1500},
            category="food",
            notes="",
            source="expense 1",
            split_kind="percent",
            entered={"Olivia": "50", "Max": "50"},
            submission_id=DINNER_ID,
            deleted=False,
        ),
        ParsedExpense(
            description="Taxi",
            date=datetime.date(2026, 11, 2),
            amount=800,
            paid={"Max": 800},
            owed={"Olivia": 800},
            category="transport",
            notes="to the airport",
            source="expense 2",
            split_kind="equal",
            entered={"Olivia": ""},
            submission_id=TAXI_ID,
            deleted=True,
        ),
    ]
    assert parsed.payments == [
        ParsedPayment(
            sender="Max",
            receiver="Olivia",
            amount=500,
            date=datetime.date(2026, 11, 3),
            note="cash",
            source="payment 1",
            submission_id=PAYMENT_ID,
        )
    ]
    assert parsed.notices == []
    # The deleted taxi moves nothing: the balances are the dinner's and the payment's.
    assert parsed.balances() == {"Olivia": 1000, "Max": -1000}


def test_a_byte_order_mark_and_fields_it_does_not_know_are_fine():
    def add_fields(document):
        document["from_the_future"] = {"anything": 1}
        document["expenses"][0]["tags"] = ["holiday"]

    parsed = parse(b"\xef\xbb\xbf" + changed(add_fields))

    assert [expense.description for expense in parsed.expenses] == ["Dinner", "Taxi"]


def test_people_with_the_same_name_get_distinct_names():
    def same_names(document):
        document["members"][1]["name"] = "olivia"

    parsed = parse(changed(same_names))

    assert parsed.people == ["Olivia", "olivia (2)"]
    assert parsed.expenses[0].owed == {"Olivia": 1500, "olivia (2)": 1500}
    assert parsed.notices == ["member 2: a second “olivia”, imported as “olivia (2)”."]


def set_in(path, value):
    """A change to the document: the value at `path` (keys and indexes) becomes `value`."""

    def change(document):
        *parents, last = path
        target = document
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def remove(path):
    def change(document):
        *parents, last = path
        target = document
        for key in parents:
            target = target[key]
        del target[last]

    return change


REFUSED = {
    "another format": (
        set_in(["format"], "spliit"),
        'This is not a Splitclone export: its "format" is not "splitclone-export".',
    ),
    "a newer version": (
        set_in(["version"], 2),
        "This export is in version 2 of the format; this site reads version 1.",
    ),
    "an unknown currency": (
        set_in(["group", "currency"], "XYZ"),
        "group: Unknown currency “XYZ”.",
    ),
    "members not a list": (
        set_in(["members"], {"1": "Olivia"}),
        'the file: "members" must be a list, not {"1": "Olivia"}.',
    ),
    "a member id twice": (
        set_in(["members", 1, "id"], 1),
        "member 2: the id 1 is already member 1's.",
    ),
    "a member without a name": (
        set_in(["members", 1, "name"], " "),
        'member 2: "name" is empty.',
    ),
    "a balance in decimals": (
        set_in(["members", 0, "balance"], 10.0),
        'member 1: "balance" must be a whole number, not 10.0.',
    ),
    "an amount as text": (
        set_in(["expenses", 0, "amount"], "30.00"),
        'expense 1: "amount" must be a whole number of minor units (cents), not "30.00".',
    ),
    "an amount that is true": (
        set_in(["expenses", 0, "amount"], True),
        'expense 1: "amount" must be a whole number of minor units (cents), not true.',
    ),
    "an amount missing": (
        remove(["expenses", 0, "amount"]),
        'expense 1: "amount" must be a whole number of minor units (cents), not nothing.',
    ),
    "an amount of zero": (
        set_in(["expenses", 0, "amount"], 0),
        'expense 1: "amount" is 0, outside 1 to 10000000000000.',
    ),
    "a negative share": (
        set_in(["expenses", 1, "shares", 0, "amount"], -1),
        'expense 2, "shares": "amount" is -1, outside 0 to 10000000000000.',
    ),
    "an undeclared payer": (
        set_in(["expenses", 0, "paid", 0, "member"], 9),
        'expense 1: "paid" names member 9, who is not declared.',
    ),
    "a share for someone twice": (
        set_in(["expenses", 0, "shares", 1, "member"], 1),
        'expense 1: "shares" names Olivia twice.',
    ),
    "shares that do not add up": (
        set_in(["expenses", 0, "shares", 1, "amount"], 1499),
        'expense 1: the "shares" amounts add up to 2999, not the amount 3000.',
    ),
    "payers that do not add up": (
        set_in(["expenses", 1, "paid", 0, "amount"], 801),
        'expense 2: the "paid" amounts add up to 801, not the amount 800.',
    ),
    "an unknown split": (
        set_in(["expenses", 0, "split_kind"], "by_mood"),
        'expense 1: "split_kind" is "by_mood", not one of equal, exact, percent, shares, '
        "adjustment.",
    ),
    "a date in another order": (
        set_in(["expenses", 0, "date"], "01/11/2026"),
        'expense 1: "date" must be a date like 2026-11-02, not "01/11/2026".',
    ),
    "a date that does not exist": (
        set_in(["expenses", 0, "date"], "2026-02-30"),
        'expense 1: "date" must be a date like 2026-11-02, not "2026-02-30".',
    ),
    "an empty description": (
        set_in(["expenses", 1, "description"], ""),
        'expense 2: "description" is empty.',
    ),
    "a description too long": (
        set_in(["expenses", 0, "description"], "x" * 201),
        'expense 1: "description" is longer than 200 characters.',
    ),
    "a NUL in the notes": (
        set_in(["expenses", 0, "notes"], "a\x00b"),
        'expense 1: "notes" contains a NUL character.',
    ),
    "an entered value too long": (
        set_in(["expenses", 0, "shares", 0, "entered"], "5" * 41),
        'expense 1, shares: "entered" is longer than 40 characters.',
    ),
    "a submission id that is no UUID": (
        set_in(["expenses", 0, "submission_id"], "dinner-1"),
        'expense 1: "submission_id" must be a UUID, not "dinner-1".',
    ),
    "a submission id twice": (
        set_in(["expenses", 1, "submission_id"], DINNER_ID),
        "expense 2: its submission id is also expense 1's.",
    ),
    "a deletion mark that is no time": (
        set_in(["expenses", 0, "deleted_at"], True),
        'expense 1: "deleted_at" must be a time or null, not true.',
    ),
    "a payment to oneself": (
        set_in(["payments", 0, "to"], 2),
        "payment 1: Max pays themselves.",
    ),
    "a payment from nobody declared": (
        set_in(["payments", 0, "from"], 3),
        'payment 1: "from" is member 3, who is not declared.',
    ),
    "a payment that is no object": (
        set_in(["payments", 0], "Max paid Olivia 5.00"),
        'payment 1: expected an object, found "Max paid Olivia 5.00".',
    ),
}


@pytest.mark.parametrize(("change", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_a_file_that_breaks_a_rule_is_refused_with_the_entry_and_reason(change, message):
    with pytest.raises(ImportRefused) as refused:
        parse(changed(change))

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            encoded(DOCUMENT)[:200],
            "This file is not valid JSON: line 1, column 196: Unterminated string starting at. "
            "It may have been cut short.",
        ),
        (
            b"{",
            "This file is not valid JSON: line 1, column 2: Expecting property name enclosed in "
            "double quotes. It may have been cut short.",
        ),
        (b"\xff\xfe{}", "This file is not UTF-8 text (byte 0)."),
        (b"[" * 100_000 + b"]" * 100_000, "This file's JSON is nested too deeply to read."),
        (b"[1, 2]", 'This is not a Splitclone export: its "format" is not "splitclone-export".'),
    ],
    ids=["cut short", "broken", "not UTF-8", "too deep", "a list"],
)
def test_what_is_not_our_json_is_refused(data, message):
    with pytest.raises(ImportRefused) as refused:
        parse(data)

    assert str(refused.value) == message


def test_only_our_files_look_like_ours():
    assert looks_like(encoded(DOCUMENT))
    assert not looks_like(changed(set_in(["format"], "spliit")))
    assert not looks_like(b'{"id": "x", "name": "Trip", "currency": "EUR", "expenses": []}')
    assert not looks_like(b"Date,Description,Category,Cost,Currency,Olivia,Max\n")
    assert not looks_like(b"\xff\xfe")


def test_the_limits_are_those_of_the_columns_entries_are_booked_into():
    columns = {
        "description": Expense._meta.get_field("description").max_length,
        "notes": Expense._meta.get_field("notes").max_length,
        "category": Expense._meta.get_field("category").max_length,
        "note": Payment._meta.get_field("note").max_length,
        "entered": ExpenseShare._meta.get_field("entered").max_length,
        "name": Member._meta.get_field("name").max_length,
    }

    assert columns == LIMITS
