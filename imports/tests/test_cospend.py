import datetime
import urllib.parse
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imports.formats import cospend
from imports.parsed import ImportRefused, ParsedExpense, ParsedPayment

DATA = Path(__file__).parent / "data" / "cospend"

# Derandomized and without an example database: the same examples on every run and machine.
deterministic = settings(derandomize=True, database=None, deadline=None, max_examples=150)

BILLS_HEADER = (
    "what,amount,date,timestamp,payer_name,payer_weight,payer_active,owers,repeat,repeatfreq,"
    "repeatallactive,repeatuntil,categoryid,paymentmode,paymentmodeid,comment,deleted"
)
FRACTION_NOTICE = (
    "Shares of a fraction of a cent in {}: each share was rounded to a whole cent so that the "
    "shares add up to the bill. Cospend keeps the fractions, so a balance may differ from "
    "Cospend's by at most one cent per such bill; the group still sums to exactly 0."
)


def read(name):
    return (DATA / name).read_bytes()


def test_a_current_export_reads_into_exact_entries_and_balances():
    group = cospend.parse(read("project.csv"))

    assert group.format == "cospend"
    assert group.currency == "EUR"
    assert group.people == ["Alice", "Jürgen", "Zoë", "+Max", "Kid"]
    september = [datetime.date(2024, 9, day) for day in range(1, 8)]
    assert group.expenses == [
        ParsedExpense(
            'Groceries, "organic" shop',
            september[1],
            5000,
            paid={"Alice": 5000},
            # Member weights 1, 2, 1.
            owed={"Alice": 1250, "Jürgen": 2500, "Zoë": 1250},
            category="Grocery",
            notes="paid at the market – 50% bio",
            source="line 9",
        ),
        ParsedExpense(
            "=2+3 dinner",
            september[2],
            1750,
            paid={"Jürgen": 1750},
            # Weights 1, 2, 0.5 and Kid's 0 counted as 1: 17.50 / 4.5 = 3.888…; Alice and Kid
            # tie on the largest remainder and both get a leftover cent, Jürgen the third.
            owed={"Alice": 389, "Jürgen": 778, "+Max": 194, "Kid": 389},
            source="line 10",
        ),
        ParsedExpense(
            "Fuel ⛽",
            september[5],
            6040,
            paid={"+Max": 6040},
            owed={"Alice": 3020, "Kid": 3020},
            category="Car",
            source="line 13",
        ),
        ParsedExpense(
            "Hotel",
            september[6],
            12000,
            paid={"Alice": 12000},
            owed={"Alice": 4000, "Jürgen": 8000},
            # −13 is one of the categories Cospend once had built in.
            category="Accommodation",
            notes="2 nights\nlake view",
            source="line 14",
        ),
    ]
    assert group.payments == [
        ParsedPayment("Zoë", "Alice", 2000, september[3], note="Refund\nThanks!", source="line 11")
    ]
    assert group.balances() == {
        "Alice": 6341,
        "Jürgen": -9528,
        "Zoë": 750,
        "+Max": 5846,
        "Kid": -3409,
    }
    assert group.notices == [
        "Cospend counts a weight of 0 as 1, and so does this import, for: Kid.",
        "Deleted bills (in Cospend's trash) were left out: line 12.",
        FRACTION_NOTICE.format("line 10"),
    ]


def test_an_export_from_before_the_members_section_declares_members_by_fake_bills():
    group = cospend.parse(read("project-2021.csv"))

    assert group.currency == ""
    assert group.people == ["Léa", "Tom", "Ugo"]
    assert group.expenses == [
        ParsedExpense(
            "Pizza",
            datetime.date(2021, 5, 1),
            3600,
            paid={"Léa": 3600},
            # Owers joined by ", " then; Tom weighs 1.5: 36.00 / 3.5 = 10.2857…
            owed={"Léa": 1029, "Tom": 1543, "Ugo": 1028},
            category="Restaurant",
            source="line 5",
        ),
        ParsedExpense(
            "Cinema",
            datetime.date(2021, 5, 2),
            2460,
            paid={"Tom": 2460},
            owed={"Ugo": 2460},
            category="Excursion/Culture",
            notes="Films & popcorn",
            source="line 6",
        ),
    ]
    assert group.payments == [
        ParsedPayment(
            "Tom", "Léa", 1000, datetime.date(2021, 5, 3), note="Tom paid Léa back", source="line 7"
        )
    ]
    assert group.balances() == {"Léa": 1571, "Tom": 1917, "Ugo": -3488}
    assert group.notices == [
        "The file does not say which currency the amounts are in; they were read with two "
        "decimals.",
        FRACTION_NOTICE.format("line 5"),
    ]


def project(*bills, members=('"Ann",1,1,"#000000"', '"Ben",1,1,"#000000"'), extra=""):
    lines = ["name,weight,active,color", *members, "", BILLS_HEADER, *bills]
    return ("\n".join(lines) + "\n" + extra).encode()


def bill(what='"Tea"', amount="3", owers='"Ann,Ben"', category="0", comment='""', deleted="0"):
    return (
        f'{what},{amount},2024-01-01,1704067200,"Ann",1,1,{owers},n,1,0,,{category},n,0,'
        f"{comment},{deleted}"
    )


def test_amounts_with_more_decimals_than_cents_are_rounded_with_a_notice():
    # What Cospend writes for 100/3 entered in its calculator.
    group = cospend.parse(project(bill(amount="33.333333333333")))

    assert group.expenses[0].amount == 3333
    assert group.expenses[0].owed == {"Ann": 1667, "Ben": 1666}
    assert group.notices[-2:] == [
        "Amounts with more decimals than the currency has were rounded to its smallest unit: "
        "line 6.",
        FRACTION_NOTICE.format("line 6"),
    ]


def test_a_main_currency_without_a_code_is_left_to_choose_with_a_notice():
    group = cospend.parse(project(bill(), extra='\ncurrencyname,exchange_rate\n"€",1\n"$",1.1\n'))

    assert group.currency == ""
    assert group.notices == [
        "Cospend names the main currency “€”, which is not a currency code; its amounts were "
        "read with two decimals."
    ]


def test_a_zero_decimal_main_currency_reads_whole_units():
    group = cospend.parse(
        project(bill(amount="1500"), extra='\ncurrencyname,exchange_rate\n"JPY",1\n')
    )

    assert group.currency == "JPY"
    assert group.expenses[0].amount == 1500


def test_a_category_the_file_does_not_list_is_dropped_with_a_notice():
    group = cospend.parse(project(bill(category="77")))

    assert group.expenses[0].category == ""
    assert group.notices == [
        "The file does not say which currency the amounts are in; they were read with two "
        "decimals.",
        "These bills name a category the file does not list, and were imported without a "
        "category: line 6.",
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("member-without-weight.csv", "line 2: the member “Alice” has no weight."),
        ("undeclared-ower.csv", "line 6: “Zed” is not among the members the file declares."),
        ("amount-comma.csv", "line 7: the amount “12,50” is not a number."),
        ("amount-na.csv", "line 6: the amount “n/a” is not a number."),
        (
            "undoubled-quote.csv",
            "line 7: a quote inside a quoted field is not doubled, so the fields cannot be told "
            "apart; write each quote inside the text twice.",
        ),
        ("truncated.csv", "line 7: the file ends inside a quoted field: it looks truncated."),
        ("cut-line.csv", "line 7: 7 fields where the bills header has 17; is the line cut off?"),
        (
            "no-members.csv",
            "The file declares no members: it has neither a members section nor the "
            "“deleteMeIfYouWant” bills older Cospend versions wrote.",
        ),
        (
            "not-cospend.csv",
            "line 1: “Date,Description,Category,Cost,Currency,Ann,Ben” is not the header of a "
            "Cospend section; this is not a Cospend project export.",
        ),
    ],
)
def test_bad_files_are_refused_naming_the_line_and_the_reason(name, message):
    with pytest.raises(ImportRefused) as refused:
        cospend.parse(read(name))

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            project(bill(owers='"Ann,Zed"')),
            "line 6: “Zed” is not among the members the file declares.",
        ),
        (
            project(members=('"Ann",1,1,"#0"', '"Ann",2,1,"#0"')),
            "line 3: “Ann” is declared twice, also in line 2.",
        ),
        (project(members=('"",1,1,"#0"',)), "line 2: a member has no name."),
        (project(members=('"Ann",-1,1,"#0"',)), "line 2: the member “Ann” has a negative weight."),
        (project(bill(deleted="2")), "line 6: “deleted” is “2”, neither 0 nor 1."),
        (project(bill(category="food")), "line 6: the category “food” is not a category id."),
        (project(bill(comment='"%FF"')), "line 6: the comment is not URL-encoded UTF-8 text."),
        (project(bill(owers='""')), "line 6: nobody owes a share of it."),
        (project(bill(owers='"Ann,"')), "line 6: one of the owers has no name."),
        (
            b'name,weight,active,color\n"Ann",1,1,"#0"\n',
            "This Cospend file has no bills section, so there is nothing to import.",
        ),
    ],
)
def test_bills_that_make_no_sense_are_refused(data, message):
    with pytest.raises(ImportRefused) as refused:
        cospend.parse(data)

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("project.csv", True),
        ("project-2021.csv", True),
        ("no-members.csv", False),
        ("not-cospend.csv", False),
    ],
)
def test_looks_like_recognises_its_own_exports(name, expected):
    assert cospend.looks_like(read(name)) is expected


# Member names are quoted without escaping and owers are joined with ",", so a name can hold
# neither '"' nor ','; Cospend trims them.
names = st.text(st.sampled_from("AbZëü ß'=+-@🌷"), min_size=1, max_size=6).filter(
    lambda name: name == name.strip()
)
weights = st.sampled_from(
    [Decimal("1"), Decimal("2"), Decimal("0.5"), Decimal("0"), Decimal("1.25")]
)
# Cents, and now and then what Cospend's calculator leaves (100/3 = 33.333333333333).
amounts = st.integers(-(10**6), 10**8).map(lambda cents: Decimal(cents) / 100) | st.fractions(
    -1000, 1000, max_denominator=7
).map(lambda value: Decimal(f"{float(value):.14G}"))


def php_number(value):
    """PHP's strval((float) value) with precision 14: 50, 17.5, 33.333333333333."""
    return f"{float(value):.14G}"


@st.composite
def projects(draw):
    """A Cospend project export, and its members and bills as Cospend holds them."""
    people = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    member_weights = {name: draw(weights) for name in people}
    bills = []
    for _ in range(draw(st.integers(1, 12))):
        bills.append(
            {
                "what": draw(st.text(st.characters(exclude_categories=["Cs"]), max_size=20)),
                "amount": Decimal(php_number(draw(amounts))),
                "payer": draw(st.sampled_from(people)),
                "owers": draw(
                    st.lists(st.sampled_from(people), min_size=1, max_size=6, unique=True)
                ),
                "category": draw(st.sampled_from([0, -11, 101, -3])),
                "comment": draw(st.text(max_size=10)),
                "deleted": draw(st.sampled_from([0, 0, 0, 1])),
            }
        )
    lines = ["name,weight,active,color"]
    lines += [f'"{name}",{php_number(member_weights[name])},1,"#aabbcc"' for name in people]
    lines += ["", BILLS_HEADER]
    for b in bills:
        what = b["what"].replace('"', '""')
        lines.append(
            f'"{what}",{php_number(b["amount"])},2024-09-02,1725278401,"{b["payer"]}",'
            f'{php_number(member_weights[b["payer"]])},1,"{",".join(b["owers"])}",n,1,0,,'
            f'{b["category"]},n,0,"{urllib.parse.quote_plus(b["comment"])}",{b["deleted"]}'
        )
    lines += ["", "categoryname,categoryid,icon,color", '"Food",101,"🍔","#ffaa00"']
    return ("\n".join(lines) + "\n").encode(), member_weights, bills


def cospend_arithmetic(member_weights, bills):
    """Each member's exact balance in cents, and how many inexact bills touch them.

    Cospend's rule (getBalance): the payer gets +amount, each ower −amount × w / Σ w with
    the members' weights, 0 counting as 1; deleted bills count for nothing.
    """
    exact = dict.fromkeys(member_weights, Fraction(0))
    fractional = dict.fromkeys(member_weights, 0)
    for b in bills:
        if b["deleted"]:
            continue
        amount = Fraction(b["amount"]) * 100
        weight = {name: Fraction(member_weights[name]) or 1 for name in b["owers"]}
        shares = {name: amount * weight[name] / sum(weight.values()) for name in b["owers"]}
        exact[b["payer"]] += amount
        for name, share in shares.items():
            exact[name] -= share
        if amount.denominator != 1 or any(share.denominator != 1 for share in shares.values()):
            for name in {b["payer"], *b["owers"]}:
                fractional[name] += 1
    return exact, fractional


@deterministic
@given(projects())
def test_any_export_balances_to_zero_and_to_cospends_arithmetic(generated):
    data, member_weights, bills = generated

    group = cospend.parse(data)

    balances = group.balances()
    assert sum(balances.values()) == 0
    exact, fractional = cospend_arithmetic(member_weights, bills)
    for name, value in exact.items():
        if fractional[name]:
            assert abs(balances[name] - value) < fractional[name]
        else:
            assert balances[name] == value
    kept = [b for b in bills if not b["deleted"] and round(b["amount"] * 100)]
    assert [e.description for e in group.expenses] == [
        b["what"] for b in kept if b["category"] != -11
    ]
    assert [e.notes for e in group.expenses] == [b["comment"] for b in kept if b["category"] != -11]


def test_a_bills_section_without_a_date_column_reads_the_utc_day_of_the_timestamp():
    data = project(bill()).replace(b"date,timestamp", b"timestamp").replace(b"2024-01-01,", b"")

    group = cospend.parse(data.replace(b"1704067200", b"1704149999"))

    # 2024-01-01 22:59:59 UTC, whatever the server's time zone.
    assert group.expenses[0].date == datetime.date(2024, 1, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            project(bill())
            .replace(b"date,timestamp", b"timestamp")
            .replace(b"2024-01-01,1704067200", b"yesterday"),
            "line 6: the timestamp “yesterday” is not a time.",
        ),
        (
            project(bill()).replace(b",date,timestamp,", b",day,stamp,"),
            "line 5: “what,amount,day,stamp,payer_name,payer_weight,payer_active,owers,repeat,"
            "repeatfreq,repeatallactive,repeatuntil,categoryid,paymentmode,paymentmodeid,comment,"
            "deleted” is not the header of a Cospend section; this is not a Cospend project "
            "export.",
        ),
        (
            project(bill(), extra='\ncategoryname,categoryid,icon,color\n"Food",x,"",""\n'),
            "line 9: the category id “x” is not a number.",
        ),
    ],
)
def test_sections_that_make_no_sense_are_refused(data, message):
    with pytest.raises(ImportRefused) as refused:
        cospend.parse(data)

    assert str(refused.value) == message


def test_a_reimbursement_books_no_payment_from_the_payer_to_themselves():
    group = cospend.parse(
        project(bill(category="-11", owers='"Ann,Ben"'), bill(category="-11", owers='"Ann"'))
    )

    # Ann paid 3.00 back to Ann and Ben: only Ben's 1.50 moved.
    assert group.payments == [
        ParsedPayment("Ann", "Ben", 150, datetime.date(2024, 1, 1), note="Tea", source="line 6")
    ]
    assert group.balances() == {"Ann": 150, "Ben": -150}
    assert group.notices[-1] == (
        "Reimbursements from someone to themselves change no balance and were left out: line 7."
    )
