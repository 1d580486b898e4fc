import datetime
import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imports.formats import spliit
from imports.parsed import ImportRefused, ParsedExpense, ParsedPayment
from splitclone import fx

DATA = Path(__file__).parent / "data" / "spliit"

# Derandomized and without an example database: the same examples on every run and machine.
deterministic = settings(derandomize=True, database=None, deadline=None, max_examples=150)

ZOE, JUR, ANN, MAX = "Zoë", "Jürgen", 'Ann "Boss", Jr.', '=HYPERLINK("x")'


def read(name):
    return (DATA / name).read_bytes()


def test_a_current_export_reads_into_exact_entries_and_spliits_own_balances():
    group = spliit.parse(read("group-current.json"))

    assert group.format == "spliit"
    assert group.name == "Summer in Zürich"
    assert group.currency == "CHF"
    assert group.people == [ZOE, JUR, ANN, MAX]
    july = [datetime.date(2024, 7, day) for day in range(1, 7)]
    assert group.expenses == [
        ParsedExpense(
            'Groceries, "bio" & more',
            july[0],
            1000,
            paid={ZOE: 1000},
            # EVENLY: 3.33 each; the FNV-1a hash of "exp-a" rotates the leftover cent to Ann.
            owed={ANN: 334, JUR: 333, ZOE: 333},
            category="Food and Drink / Groceries",
            notes="Migros + Coop",
            source='expense 1 (“Groceries, "bio" & more”)',
        ),
        ParsedExpense(
            "Cabin 🏡",
            july[1],
            45000,
            paid={JUR: 45000},
            # BY_SHARES: weights × 100, Zoë 2, the others 1.
            owed={ZOE: 18000, ANN: 9000, JUR: 9000, MAX: 9000},
            category="Home / Rent",
            source="expense 2 (“Cabin 🏡”)",
        ),
        ParsedExpense(
            "=SUM(A1:A9)",
            july[2],
            999,
            paid={ANN: 999},
            # BY_PERCENTAGE in basis points: 50% of 9.99 = 4.995, 25% = 2.4975 each.
            owed={ZOE: 499, ANN: 250, MAX: 250},
            category="Food and Drink / Dining Out",
            source="expense 3 (“=SUM(A1:A9)”)",
        ),
        ParsedExpense(
            "Train to Bern",
            july[3],
            6420,
            paid={MAX: 6420},
            # BY_AMOUNT in minor units; the amount is already in francs (originally 70 EUR).
            owed={JUR: 3210, MAX: 3210},
            category="Transportation / Train",
            notes="Bought in euros",
            source="expense 4 (“Train to Bern”)",
            # Kept as Spliit converted it: 70.00 EUR charged as 64.20 CHF.
            spent=fx.Conversion(7000, "EUR", Decimal("0.9171428571"), "charged"),
        ),
        ParsedExpense(
            "Ice cream",
            july[5],
            100,
            paid={MAX: 100},
            # "Uncategorized / General" is Spliit's default: no category.
            owed={ZOE: 34, JUR: 33, MAX: 33},
            source="expense 6 (“Ice cream”)",
        ),
    ]
    assert group.payments == [
        ParsedPayment(
            ZOE,
            JUR,
            5000,
            july[4],
            note="Zoë pays Jürgen back",
            source="expense 5 (“Zoë pays Jürgen back”)",
        )
    ]
    # What Spliit's getBalances gives for this group (its shares.ts run on the file).
    assert group.balances() == {ZOE: -12866, JUR: 27424, ANN: -8585, MAX: -5973}
    assert group.notices == [
        'Shares of a fraction of a cent in expense 1 (“Groceries, "bio" & more”), expense 3 '
        "(“=SUM(A1:A9)”), expense 6 (“Ice cream”): each share was rounded as Spliit has rounded "
        "it since August 2026, so the balances equal Spliit's to the cent. An older Spliit may "
        "show a balance one cent apart per such expense; the group still sums to exactly 0."
    ]


def test_an_export_from_2024_has_no_currency_code_ids_or_notes():
    group = spliit.parse(read("group-2024.json"))

    assert group.currency == ""
    assert group.people == ["Kai", "Lea", "Kai (2)"]
    assert group.expenses == [
        ParsedExpense(
            "Internet",
            datetime.date(2024, 2, 1),
            5999,
            paid={"Kai": 5999},
            # Without an expense id Spliit starts the leftover cents at the first id.
            owed={"Kai": 2000, "Lea": 2000, "Kai (2)": 1999},
            category="Utilities / TV/Phone/Internet",
            source="expense 1 (“Internet”)",
        )
    ]
    assert group.payments == [
        ParsedPayment(
            "Lea",
            "Kai",
            2000,
            datetime.date(2024, 2, 3),
            note="Paid back",
            source="expense 2 (“Paid back”)",
        )
    ]
    assert group.balances() == {"Kai": 1999, "Lea": 0, "Kai (2)": -1999}
    assert group.notices == [
        "Several participants share a name, so the later ones were numbered: “Kai” "
        "(participant 3) is called “Kai (2)”.",
        "The file names the group's currency only by its symbol “$” (Spliit exports carry the "
        "code since April 2025); its amounts are in that currency's smallest unit.",
        "Shares of a fraction of a cent in expense 1 (“Internet”): the file has no expense ids "
        "(it was exported before August 2026), so who gets a leftover cent may differ from "
        "Spliit: a balance may be one cent apart per such expense; the group still sums to "
        "exactly 0.",
    ]


def test_percentages_that_miss_100_are_applied_in_proportion_with_a_notice():
    group = spliit.parse(read("percent-not-100.json"))

    # 50% and 40%: 10.00 × 5/9 = 5.555…, × 4/9 = 4.444…
    assert group.expenses[0].owed == {"Ann": 556, "Ben": 444}
    assert group.notices[0] == (
        "The percentages of these expenses do not add up to 100%; they were applied in "
        "proportion, as Spliit does: expense 1 (“Boat”)."
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "amount-text.json",
            "expense 2 (“Museum”): the amount “120.00” is not a whole number of minor units "
            "(Spliit stores 12.50 as 1250).",
        ),
        (
            "amount-decimal.json",
            "expense 1 (“Boat”): the amount “120.5” is not a whole number of minor units "
            "(Spliit stores 12.50 as 1250).",
        ),
        (
            "undeclared-participant.json",
            "expense 1 (“Boat”): “p-ghost” is not one of the group's participants.",
        ),
        ("zero-shares.json", "expense 1 (“Boat”): the owers' shares add up to 0."),
        (
            "not-spliit.json",
            "This is not a Spliit group export: it has no list of “participants” and of "
            "“expenses”.",
        ),
        ("truncated.json", "The file ends before its JSON is complete: it looks truncated."),
    ],
)
def test_bad_files_are_refused_naming_the_entry_and_the_reason(name, message):
    with pytest.raises(ImportRefused) as refused:
        spliit.parse(read(name))

    assert str(refused.value) == message


def tiny_group(**expense):
    base = {
        "id": "x1",
        "expenseDate": "2024-03-01T00:00:00.000Z",
        "title": "Boat",
        "amount": 1000,
        "paidById": "a",
        "paidFor": [{"participantId": "a", "shares": 100}, {"participantId": "b", "shares": 100}],
        "splitMode": "EVENLY",
    }
    group = {
        "currencyCode": "EUR",
        "expenses": [base | expense],
        "participants": [{"id": "a", "name": "Ann"}, {"id": "b", "name": "Ben"}],
    }
    return json.dumps(group).encode()


@pytest.mark.parametrize(
    ("expense", "message"),
    [
        ({"paidById": "zz"}, "expense 1 (“Boat”): “zz” is not one of the group's participants."),
        (
            {"splitMode": "BY_MOOD"},
            "expense 1 (“Boat”): the split mode “BY_MOOD” is not one Spliit has.",
        ),
        (
            {"splitMode": "BY_SHARES", "paidFor": [{"participantId": "a", "shares": 1.5}]},
            "expense 1 (“Boat”): the share of “Ann”, “1.5”, is not a whole number.",
        ),
        (
            {
                "splitMode": "BY_SHARES",
                "paidFor": [
                    {"participantId": "a", "shares": 3},
                    {"participantId": "b", "shares": -1},
                ],
            },
            "expense 1 (“Boat”): the share of “Ben” is below 0.",
        ),
        (
            {"paidFor": [{"participantId": "a"}, {"participantId": "a"}]},
            "expense 1 (“Boat”): “Ann” is listed twice among the owers.",
        ),
        ({"paidFor": []}, "expense 1 (“Boat”): nobody owes a share of it."),
        ({"paidFor": {"a": 1}}, "expense 1 (“Boat”): “paidFor” is not a list of participants."),
        (
            {"amount": None},
            "expense 1 (“Boat”): the amount “null” is not a whole number of minor units "
            "(Spliit stores 12.50 as 1250).",
        ),
        (
            {"amount": True},
            "expense 1 (“Boat”): the amount “true” is not a whole number of minor units "
            "(Spliit stores 12.50 as 1250).",
        ),
        ({"expenseDate": "yesterday"}, "expense 1 (“Boat”): the date “yesterday” is not a date."),
        ({"amount": 10**14}, "expense 1 (“Boat”): the amount is too large."),
    ],
)
def test_expenses_that_make_no_sense_are_refused(expense, message):
    with pytest.raises(ImportRefused) as refused:
        spliit.parse(tiny_group(**expense))

    assert str(refused.value) == message


def test_amounts_that_miss_the_total_are_applied_in_proportion_with_a_notice():
    paid_for = [{"participantId": "a", "shares": 300}, {"participantId": "b", "shares": 100}]

    group = spliit.parse(tiny_group(splitMode="BY_AMOUNT", paidFor=paid_for))

    assert group.expenses[0].owed == {"Ann": 750, "Ben": 250}
    assert group.notices == [
        "The amounts of these expenses' shares do not add up to the expense; they were applied "
        "in proportion, as Spliit does: expense 1 (“Boat”)."
    ]


def test_a_name_used_three_times_is_numbered_past_the_numbers_taken():
    group = json.loads(tiny_group())
    group["participants"] += [{"id": "c", "name": "Ann (2)"}, {"id": "d", "name": "Ann"}]

    assert spliit.parse(json.dumps(group).encode()).people == ["Ann", "Ben", "Ann (2)", "Ann (3)"]


def test_a_date_without_a_time_is_that_day():
    group = spliit.parse(tiny_group(expenseDate="2024-03-01"))

    assert group.expenses[0].date == datetime.date(2024, 3, 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expenses": [1]}, "expense 1 is not an expense: it has no fields."),
        ({"participants": [[]]}, "participant 1 is not a participant: it has no fields."),
        ({"participants": [{"name": "Ann"}]}, "participant 1 has no id."),
        ({"participants": [{"id": "a", "name": ""}]}, "participant 1 has no name."),
        (
            {"participants": [{"id": "a", "name": "Ann"}, {"id": "a", "name": "Ben"}]},
            "participant 2: the id “a” belongs to another participant too.",
        ),
    ],
)
def test_groups_that_make_no_sense_are_refused(change, message):
    group = json.loads(tiny_group()) | change

    with pytest.raises(ImportRefused) as refused:
        spliit.parse(json.dumps(group).encode())

    assert str(refused.value) == message


def test_an_unknown_currency_code_is_refused():
    group = json.loads(tiny_group())
    group["currencyCode"] = "ZZZ"

    with pytest.raises(ImportRefused) as refused:
        spliit.parse(json.dumps(group).encode())

    assert str(refused.value) == "The group's currency “ZZZ” is not one this app knows."


def test_dates_are_the_utc_day_spliit_stored():
    group = spliit.parse(tiny_group(expenseDate="2024-03-01T00:00:00.000Z"))

    assert group.expenses[0].date == datetime.date(2024, 3, 1)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("group-current.json", True),
        ("group-2024.json", True),
        ("truncated.json", True),
        ("not-spliit.json", False),
    ],
)
def test_looks_like_recognises_its_own_exports(name, expected):
    assert spliit.looks_like(read(name)) is expected


# Spliit's share rule, ported line by line from src/lib/shares.ts (getExpenseShares and
# apportion) as the oracle the parser must agree with to the cent.
def fnv1a(text):
    digest = 0x811C9DC5
    units = text.encode("utf-16-le")
    for index in range(0, len(units), 2):
        digest ^= units[index] | units[index + 1] << 8
        digest = (digest * 0x01000193) % 2**32
    return digest


def spliit_shares(expense):
    paid_for = sorted(expense["paidFor"], key=lambda row: row["participantId"].encode("utf-16-be"))
    shares = [1 if expense["splitMode"] == "EVENLY" else row["shares"] for row in paid_for]
    total_shares = sum(shares)
    count = len(shares)
    offset = fnv1a(expense["id"]) % count if expense.get("id") else 0
    amount = expense["amount"]
    amounts, remainders = [], []
    for index, share in enumerate(shares):
        exact = amount * share
        base = math.floor(Fraction(exact, total_shares))
        amounts.append(base)
        remainders.append((index, exact - base * total_shares))
    remaining = amount - sum(amounts)
    remainders.sort(key=lambda item: (-item[1], (item[0] - offset + count) % count))
    for index, _ in remainders[:remaining]:
        amounts[index] += 1
    return {row["participantId"]: share for row, share in zip(paid_for, amounts, strict=True)}


def spliit_balances(group):
    balances = {participant["id"]: 0 for participant in group["participants"]}
    for expense in group["expenses"]:
        balances[expense["paidById"]] += expense["amount"]
        for participant_id, share in spliit_shares(expense).items():
            balances[participant_id] -= share
    return balances


# "～" (U+FF5E) sorts after "😀" in JavaScript's UTF-16 order, before it in code points.
ids = st.text(st.sampled_from("abxyz-09_ÿĀ～😀"), min_size=1, max_size=8)


@st.composite
def partition(draw, total, size):
    """``size`` non-negative ints adding up to ``total``."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=size - 1, max_size=size - 1)))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


@st.composite
def groups(draw):
    participant_ids = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    names = draw(
        st.lists(
            st.text(min_size=1, max_size=10),
            min_size=len(participant_ids),
            max_size=len(participant_ids),
            unique=True,
        )
    )
    expenses = []
    for number in range(draw(st.integers(1, 10))):
        paid_for = draw(
            st.lists(st.sampled_from(participant_ids), min_size=1, max_size=6, unique=True)
        )
        mode = draw(st.sampled_from(["EVENLY", "BY_SHARES", "BY_PERCENTAGE", "BY_AMOUNT"]))
        amount = draw(
            st.integers(1, 10**7) if mode == "BY_AMOUNT" else st.integers(-(10**6), 10**7)
        )
        if mode == "EVENLY":
            shares = [100] * len(paid_for)
        elif mode == "BY_SHARES":
            shares = [100 * draw(st.integers(1, 9)) for _ in paid_for]
        elif mode == "BY_PERCENTAGE":
            shares = draw(partition(10_000, len(paid_for)))
        else:
            shares = draw(partition(amount, len(paid_for)))
        expenses.append(
            {
                "id": draw(st.none() | st.just(f"exp-{number}") | ids),
                "expenseDate": "2024-07-01T00:00:00.000Z",
                "title": draw(st.text(max_size=20)),
                "category": None,
                "amount": amount,
                "paidById": draw(st.sampled_from(participant_ids)),
                "paidFor": [
                    {"participantId": p, "shares": s} for p, s in zip(paid_for, shares, strict=True)
                ],
                "isReimbursement": draw(st.booleans()),
                "splitMode": mode,
                "notes": None,
            }
        )
    participants = [{"id": p, "name": n} for p, n in zip(participant_ids, names, strict=True)]
    return {
        "id": "g",
        "name": "G",
        "currency": "€",
        "currencyCode": "EUR",
        "expenses": expenses,
        "participants": participants,
    }


@deterministic
@given(groups())
def test_any_export_balances_to_zero_and_to_spliits_own_balances(group):
    data = json.dumps(group, ensure_ascii=False, separators=(",", ":")).encode()

    parsed = spliit.parse(data)

    balances = parsed.balances()
    assert sum(balances.values()) == 0
    names = {participant["id"]: participant["name"] for participant in group["participants"]}
    assert balances == {names[id_]: value for id_, value in spliit_balances(group).items()}
    assert [e.description for e in parsed.expenses] == [
        e["title"] for e in group["expenses"] if e["amount"] and not e["isReimbursement"]
    ]


def test_an_expense_without_a_title_is_refused_by_its_number():
    group = json.loads(tiny_group())
    del group["expenses"][0]["title"]

    with pytest.raises(ImportRefused) as refused:
        spliit.parse(json.dumps(group).encode())

    assert str(refused.value) == "expense 1 has no title."


def test_leftover_units_follow_javascripts_order_of_participant_ids():
    group = json.loads(tiny_group(amount=1, id=None, paidById="～"))
    # JavaScript compares UTF-16 code units: "😀" (D83D DE00) sorts before "～" (FF5E),
    # although its code point is the larger.
    group["participants"] = [{"id": "～", "name": "Ann"}, {"id": "😀", "name": "Ben"}]
    group["expenses"][0]["paidFor"] = [{"participantId": "～"}, {"participantId": "😀"}]

    assert spliit.parse(json.dumps(group).encode()).expenses[0].owed == {"Ben": 1}
