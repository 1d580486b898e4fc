import csv
import datetime
import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imports.formats import ihatemoney
from imports.parsed import ImportRefused, ParsedExpense, ParsedPayment

DATA = Path(__file__).parent / "data" / "ihatemoney"

# Derandomized and without an example database: the same examples on every run and machine.
deterministic = settings(derandomize=True, database=None, deadline=None, max_examples=150)

ZOE, ANN, LEX, KID = "Zoë", "Smith, Ann", "@lex", "Kid"
FRACTION_NOTICE = (
    "Shares of a fraction of a cent in {}: each share was rounded to a whole cent so that the "
    "shares add up to the bill. IHateMoney keeps the fractions, so a balance may differ from "
    "IHateMoney's by at most one cent per such bill; the group still sums to exactly 0."
)
KID_WEIGHT_NOTICE = (
    "The file carries no weight for people who never paid a bill; weight 1 was used, as "
    "IHateMoney's own import does (if a weight was different, that person's shares differ): "
    "Kid."
)


def read(name):
    return (DATA / name).read_bytes()


def trip_entries(sources):
    """The entries of bills-7x, in file order, with each bill's source."""
    expense = ParsedExpense
    return [
        expense(
            'Dinner, "Chez Zoë"',
            datetime.date(2024, 3, 5),
            10000,
            paid={ZOE: 10000},
            # Zoë weighs 2 (her payer_weight), the others 1: 100.00 × 2/5 and × 1/5.
            owed={ZOE: 4000, ANN: 2000, LEX: 2000, KID: 2000},
            source=sources[0],
        ),
        expense(
            "Taxi",
            datetime.date(2024, 3, 3),
            1000,
            paid={LEX: 1000},
            # 10.00 / 3: the leftover cent goes to the first ower listed.
            owed={LEX: 334, ANN: 333, KID: 333},
            source=sources[2],
        ),
        expense(
            "-20% discount lunch",
            datetime.date(2024, 3, 2),
            1234,
            paid={ZOE: 1234},
            # 12.34 × 1/3 = 4.113…, × 2/3 = 8.226…: Zoë's remainder is the larger.
            owed={KID: 411, ZOE: 823},
            source=sources[3],
        ),
        expense(
            "Flowers for Zoë 🌷",
            datetime.date(2024, 3, 1),
            700,
            paid={ANN: 700},
            owed={ZOE: 700},
            source=sources[4],
        ),
    ], [ParsedPayment(ANN, ZOE, 2550, datetime.date(2024, 3, 4), note="=1+1", source=sources[1])]


def test_a_7x_json_export_reads_into_exact_entries_and_balances():
    group = ihatemoney.parse(read("bills-7x.json"))

    sources = [f"bill {number}" for number in range(1, 6)]
    expenses, payments = trip_entries(sources)
    assert group.format == "ihatemoney"
    assert group.currency == "EUR"
    assert group.people == [ZOE, ANN, LEX, KID]
    assert group.expenses == expenses
    assert group.payments == payments
    assert group.balances() == {ZOE: 3161, ANN: 917, LEX: -1334, KID: -2744}
    assert group.notices == [KID_WEIGHT_NOTICE, FRACTION_NOTICE.format("bill 3, bill 4")]


def test_the_same_bills_as_csv_read_the_same_with_the_formula_escapes_removed():
    group = ihatemoney.parse(read("bills-7x.csv"))

    sources = [f"line {number}" for number in range(2, 7)]
    expenses, payments = trip_entries(sources)
    assert group.people == [ZOE, ANN, LEX, KID]
    assert group.expenses == expenses
    assert group.payments == payments
    assert group.balances() == {ZOE: 3161, ANN: 917, LEX: -1334, KID: -2744}
    assert group.notices == [
        "IHateMoney writes a ' before a text that starts with =, +, -, @, a tab or a line "
        "break, so that spreadsheets do not run it as a formula; it was removed again in: "
        "line 3, line 4, line 5.",
        KID_WEIGHT_NOTICE,
        FRACTION_NOTICE.format("line 4, line 5"),
    ]


def test_balances_are_within_a_cent_per_fractional_bill_of_ihatemoneys_own():
    # IHateMoney's full_balance: float sums, rounded to 2 decimals at the end.
    ihm = {ZOE: 0.0, ANN: 0.0, LEX: 0.0, KID: 0.0}
    weights = {ZOE: 2.0, ANN: 1.0, LEX: 1.0, KID: 1.0}
    for bill in json.loads(read("bills-7x.json")):
        ihm[bill["payer_name"]] += bill["amount"]
        total = sum(weights[name] for name in bill["owers"])
        for name in bill["owers"]:
            ihm[name] -= bill["amount"] / total * weights[name]

    balances = ihatemoney.parse(read("bills-7x.json")).balances()

    differences = {name: balances[name] - round(ihm[name] * 100) for name in ihm}
    # Bill 3 (Taxi) gave Lex its leftover cent; bill 4 did not move Kid's rounding the same way.
    assert differences == {ZOE: 0, ANN: 0, LEX: -1, KID: 1}


@pytest.mark.parametrize("name", ["bills-6x.json", "bills-6x.csv"])
def test_an_export_from_before_bill_types_has_only_expenses(name):
    group = ihatemoney.parse(read(name))

    assert [(e.description, e.amount, e.paid, e.owed) for e in group.expenses] == [
        # Mia weighs 1.5: 45.90 × 1/2.5 and × 1.5/2.5.
        ("Groceries", 4590, {"Luc": 4590}, {"Luc": 1836, "Mia": 2754}),
        ("Rent", 90000, {"Mia": 90000}, {"Luc": 36000, "Mia": 54000}),
    ]
    assert group.payments == []
    assert group.balances() == {"Luc": -33246, "Mia": 33246}


def test_bills_without_a_currency_leave_the_currency_to_choose():
    group = ihatemoney.parse(read("bills-6x.json"))

    assert group.currency == ""
    assert group.notices == [
        "The file does not say which currency the amounts are in; they were read with two decimals."
    ]
    assert ihatemoney.parse(read("bills-6x.csv")).currency == "USD"


def test_negative_bills_turn_round_and_zero_bills_are_left_out_with_notices():
    group = ihatemoney.parse(read("bills-negative.json"))

    # The shop refunded 30.00 to Ann, shared with Ben: Ben is owed 15.00 by Ann.
    assert group.expenses == [
        ParsedExpense(
            "Refund from the shop",
            datetime.date(2024, 5, 1),
            3000,
            paid={"Ann": 1500, "Ben": 1500},
            owed={"Ann": 3000},
            source="bill 3",
        )
    ]
    # A reimbursement of −5.00 from Ben to Ann is 5.00 from Ann to Ben.
    assert group.payments == [
        ParsedPayment(
            "Ann", "Ben", 500, datetime.date(2024, 5, 3), note="Money back", source="bill 1"
        )
    ]
    assert group.balances() == {"Ben": 1000, "Ann": -1000}
    assert group.notices == [
        "Entries of amount 0 change no balance and were left out: bill 2.",
        "Entries with a negative amount were imported the other way round (the owers paid the "
        "payer), which moves the balances exactly as the file does: bill 1, bill 3.",
    ]


def test_a_byte_order_mark_is_accepted():
    assert ihatemoney.parse(b"\xef\xbb\xbf" + read("bills-6x.csv")).balances() == {
        "Luc": -33246,
        "Mia": 33246,
    }


def test_an_owers_field_splits_into_known_names_that_contain_the_joiner():
    header = "what,amount,currency,date,payer_name,payer_weight,owers\r\n"
    rows = 'Tea,3.0,EUR,2024-01-01,"Smith, Ann",1.0,"Bo, Smith, Ann, Al"\r\n'

    group = ihatemoney.parse((header + rows).encode())

    assert group.expenses[0].owed == {"Bo": 100, "Smith, Ann": 100, "Al": 100}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "not-ihatemoney.json",
            "This is not an IHateMoney bills export: it holds one JSON object, where IHateMoney "
            "exports a list of bills.",
        ),
        (
            "not-ihatemoney.csv",
            "line 1: this is not an IHateMoney bills export: the header is "
            "“Date,Description,Category,Cost,Currency,Ann,Ben”, where IHateMoney writes what, "
            "bill_type, amount, currency, date, payer_name, payer_weight, owers.",
        ),
        ("truncated.json", "The file ends before its JSON is complete: it looks truncated."),
        ("truncated.csv", "line 3: the file ends inside a quoted field: it looks truncated."),
        ("amount-comma.csv", "line 3: the amount “12,50” is not a number."),
        ("amount-na.json", "bill 1: the amount “n/a” is not a number."),
        (
            "mixed-currencies.json",
            "The bills are in several currencies: USD (bill 1), EUR (bill 2), JPY (bill 3). The "
            "file carries no exchange rates, so the balances IHateMoney shows cannot be "
            "reproduced.",
        ),
        ("missing-key.json", "bill 2 has no “payer_weight”."),
        (
            "weight-conflict.csv",
            "line 3: “Ann” has weight 2 here but 1 in line 2; IHateMoney gives each member one "
            "weight.",
        ),
        ("bad-date.csv", "line 2: the date “05/03/2024” is not a date like 2024-07-31."),
        ("empty.csv", "The file is empty."),
        ("no-bills.json", "The file has no bills, so there is nothing to import."),
    ],
)
def test_bad_files_are_refused_naming_the_entry_and_the_reason(name, message):
    with pytest.raises(ImportRefused) as refused:
        ihatemoney.parse(read(name))

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("bill", "message"),
    [
        (
            {"bill_type": "Transfer"},
            "bill 1: the bill type “Transfer” is neither Expense nor Reimbursement.",
        ),
        ({"payer_name": ""}, "bill 1: the bill has no payer."),
        ({"payer_weight": -1.0}, "bill 1: “Ann” has a negative weight."),
        ({"owers": []}, "bill 1: nobody owes a share of it."),
        ({"owers": "Ann"}, "bill 1: “owers” is not a list of names."),
        ({"amount": None}, "bill 1: the amount is not a number."),
        ({"what": 5}, "bill 1: “what” is not text."),
        ({"owers": ["Ann", ""]}, "bill 1: one of the owers has no name."),
        ({"currency": "ZZZ"}, "bill 1: the currency “ZZZ” is not one this app knows."),
        ({"payer_weight": 0.0, "owers": ["Ann"]}, "bill 1: the owers' shares add up to 0."),
    ],
)
def test_bills_that_make_no_sense_are_refused(bill, message):
    base = {
        "what": "Tea",
        "bill_type": "Expense",
        "amount": 3.0,
        "currency": "EUR",
        "date": "2024-01-01",
        "payer_name": "Ann",
        "payer_weight": 1.0,
        "owers": ["Ann", "Bo"],
    }

    with pytest.raises(ImportRefused) as refused:
        ihatemoney.parse(json.dumps([base | bill]).encode())

    assert str(refused.value) == message


def test_blank_lines_in_a_csv_are_passed_over():
    data = read("bills-6x.csv").replace(b"\r\nRent", b"\r\n\r\nRent")

    assert ihatemoney.parse(data).expenses[1].source == "line 4"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[1]", "bill 1 is not a bill: it has no fields."),
        (
            json.dumps(
                [
                    {
                        key: 5
                        for key in ("what", "amount", "date", "payer_name", "payer_weight", "owers")
                    }
                ]
            ).encode(),
            "bill 1: “owers” is not a list of names.",
        ),
        (
            b"what,amount,date,payer_name,payer_weight,owers\r\nTea,3.0,2024-01-01,Ann\r\n",
            "line 2: 4 fields where the header has 6; is the line cut off?",
        ),
    ],
)
def test_files_that_are_no_list_of_bills_are_refused(data, message):
    with pytest.raises(ImportRefused) as refused:
        ihatemoney.parse(data)

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bills-7x.json", True),
        ("bills-7x.csv", True),
        ("bills-6x.csv", True),
        ("not-ihatemoney.json", False),
        ("not-ihatemoney.csv", False),
    ],
)
def test_looks_like_recognises_its_own_exports(name, expected):
    assert ihatemoney.looks_like(read(name)) is expected


def test_looks_like_leaves_cospend_bills_to_cospend():
    header = b"what,amount,date,timestamp,payer_name,payer_weight,payer_active,owers\n"
    assert ihatemoney.looks_like(header) is False


# Names as IHateMoney allows them, minus two things its export cannot carry back: a comma
# inside the name of someone who never paid (the owers field is joined with ", ") and a text
# that itself starts with ' before a formula character (the export escapes "=x" to "'=x").
names = st.text(st.sampled_from('AbZëü ß"=+-@🌷'), min_size=1, max_size=6).filter(
    lambda name: name == name.strip()
)
descriptions = st.text(st.characters(exclude_categories=["Cs"]), max_size=20).filter(
    lambda text: not (text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\n"))
)


@st.composite
def projects(draw):
    """A list of bills as IHateMoney exports them, and every member's weight."""
    people = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    weights = {
        name: draw(st.sampled_from([Decimal("1"), Decimal("2"), Decimal("0.5"), Decimal("1.5")]))
        for name in people
    }
    bills = []
    for _ in range(draw(st.integers(1, 12))):
        payer = draw(st.sampled_from(people))
        owers = draw(st.lists(st.sampled_from(people), min_size=1, max_size=6, unique=True))
        cents = draw(st.integers(-(10**6), 10**8))
        bills.append(
            {
                "what": draw(descriptions),
                "bill_type": draw(st.sampled_from(["Expense", "Reimbursement"])),
                "amount": float(Decimal(cents) / 100),
                "currency": "EUR",
                "date": draw(
                    st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 12, 31))
                ).isoformat(),
                "payer_name": payer,
                "payer_weight": float(weights[payer]),
                "owers": owers,
            }
        )
    return bills


def as_csv(bills):
    """The CSV IHateMoney writes: its header, csv.writer, owers joined, formulas escaped."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(bills[0].keys())
    for bill in bills:
        row = {**bill, "owers": ", ".join(bill["owers"])}.values()
        writer.writerow(
            [
                f"'{value}"
                if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\n")
                else value
                for value in row
            ]
        )
    return out.getvalue().encode()


def ihatemoney_arithmetic(bills):
    """Each member's exact balance in cents, and how many fractional bills touch them.

    IHateMoney's rule (Project.full_balance): the payer gets +amount, each ower
    −amount × weight / Σ weights; a member who never paid weighs 1 after an import.
    """
    weights = {bill["payer_name"]: Fraction(bill["payer_weight"]) for bill in bills}
    exact, fractional = {}, {}
    for bill in bills:
        amount = Fraction(Decimal(str(bill["amount"]))) * 100
        total = sum(weights.get(name, 1) for name in bill["owers"])
        shares = {name: amount * weights.get(name, 1) / total for name in bill["owers"]}
        touched = {bill["payer_name"], *bill["owers"]}
        for name in touched:
            exact.setdefault(name, Fraction(0))
            fractional.setdefault(name, 0)
        exact[bill["payer_name"]] += amount
        for name, share in shares.items():
            exact[name] -= share
        if any(share.denominator != 1 for share in shares.values()):
            for name in touched:
                fractional[name] += 1
    return exact, fractional


@deterministic
@given(projects(), st.booleans())
def test_any_export_balances_to_zero_and_to_ihatemoneys_arithmetic(bills, as_json):
    data = json.dumps(bills).encode() if as_json else as_csv(bills)

    group = ihatemoney.parse(data)

    balances = group.balances()
    assert sum(balances.values()) == 0
    exact, fractional = ihatemoney_arithmetic(bills)
    for name, value in exact.items():
        if fractional[name]:
            assert abs(balances[name] - value) < fractional[name]
        else:
            assert balances[name] == value
    kept = [bill for bill in bills if bill["amount"]]
    assert [e.description for e in group.expenses] == [
        b["what"] for b in kept if b["bill_type"] == "Expense"
    ]
    assert set(group.people) == {
        name for bill in bills for name in (bill["payer_name"], *bill["owers"])
    }
