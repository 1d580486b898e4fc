"""The Splitwise parser, on files written by hand from the format's facts (pure: no database)."""

import datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from imports.formats.splitwise import parse
from imports.parsed import ImportRefused, ParsedExpense, ParsedPayment
from imports.tests.conftest import data
from splitclone.translation import translated

HEADER = "Date,Description,Category,Cost,Currency,Ann,Ben\n\n"
TOTAL = "\n2025-01-31,Total balance, , ,EUR,{},{}\n"


def one_line(line, totals=("0.00", "0.00")):
    return (HEADER + line + "\n" + TOTAL.format(*totals)).encode()


def test_reads_payers_shares_payments_and_text_exactly():
    parsed = parse(data("splitwise_basic.csv"))

    assert parsed.format == "splitwise"
    assert parsed.currency == "EUR"
    assert parsed.people == ["Zoë", "Jürgen", "Sam O'Brien", "Li, Ana"]
    assert [expense.description for expense in parsed.expenses] == [
        "Flat deposit",
        "Dinner, drinks and a taxi",
        'The "good" hotel',
        "=SUM(A1:A3)",
        "+33 cafe",
        "@home snacks",
        "-minus first",
        "Crème brûlée à la café 日本",
    ]
    assert parsed.expenses[0] == ParsedExpense(
        description="Flat deposit",
        date=datetime.date(2024, 3, 1),
        amount=120000,
        paid={"Zoë": 120000},
        owed={"Jürgen": 30000, "Sam O'Brien": 30000, "Li, Ana": 30000, "Zoë": 30000},
        category="Rent",
        source="line 3",
    )
    assert parsed.payments == [
        ParsedPayment(
            sender="Jürgen",
            receiver="Zoë",
            amount=10000,
            date=datetime.date(2024, 3, 8),
            note="Jürgen S. paid Zoë M.",
            source="line 10",
        )
    ]
    balances = {"Zoë": 69150, "Jürgen": -26550, "Sam O'Brien": -12600, "Li, Ana": -30000}
    assert parsed.balances() == balances
    assert parsed.stated_balances == balances


def test_one_payer_keeps_the_cost_and_their_own_share():
    parsed = parse(data("splitwise_basic.csv"))
    dinner = parsed.expenses[1]

    assert (dinner.amount, dinner.paid) == (9000, {"Jürgen": 9000})
    assert dinner.owed == {"Zoë": 3000, "Sam O'Brien": 3000, "Jürgen": 3000}


def test_german_header_payment_and_separators_of_empty_fields():
    parsed = parse(data("splitwise_german.csv"))

    assert parsed.people == ["Anna", "Björn", "Cem"]
    assert [payment.note for payment in parsed.payments] == ["Björn B. hat Anna A. bezahlt"]
    assert parsed.payments[0].sender == "Björn"
    assert parsed.balances() == parsed.stated_balances == {"Anna": 500, "Björn": -1500, "Cem": 1000}


def test_byte_order_mark_and_crlf_in_spanish():
    parsed = parse(data("splitwise_spanish_bom_crlf.csv"))

    assert parsed.people == ["Lucía", "Mateo"]
    assert parsed.currency == "USD"
    assert [(p.sender, p.receiver, p.amount) for p in parsed.payments] == [("Mateo", "Lucía", 2500)]
    assert parsed.balances() == parsed.stated_balances == {"Lucía": -600, "Mateo": 600}


def test_several_payers_are_rebuilt_from_the_values():
    parsed = parse(data("splitwise_several_payers.csv"))
    cash, multi, concert, taxi = parsed.expenses

    assert (cash.amount, cash.paid, cash.owed) == (
        45000,
        {"Ben": 15000, "Cat": 15000, "Dan": 15000},
        {"Ann": 45000},
    )
    assert (multi.amount, multi.paid, multi.owed) == (
        6666,
        {"Ann": 3333, "Ben": 3333},
        {"Cat": 6666},
    )
    assert (concert.amount, concert.paid) == (6000, {"Ann": 5000, "Ben": 1000})
    assert (taxi.amount, taxi.paid, taxi.owed) == (
        3000,
        {"Ann": 3000},
        {"Ben": 1000, "Cat": 1000, "Ann": 1000},
    )
    assert (
        parsed.balances()
        == parsed.stated_balances
        == {
            "Ann": -34667,
            "Ben": 18333,
            "Cat": 4334,
            "Dan": 12000,
        }
    )
    assert parsed.notices[1:] == [
        "2 expenses had several payers who also had a share, and the file does not say how "
        "their shares divided the rest of the cost, so they were imported for what moved "
        "between people, which keeps every balance exact: line 4 (“multi players”), 100.00 GBP "
        "imported as 66.66 GBP; line 5 (“Concert”), 120.00 GBP imported as 60.00 GBP."
    ]


def test_rows_that_move_nothing_are_left_out_with_a_notice():
    parsed = parse(data("splitwise_zero_rows.csv"))

    assert [expense.description for expense in parsed.expenses] == ["Tickets"]
    assert parsed.notices[-1] == (
        "2 entries changed nobody's balance (someone paid only for themselves) and the file "
        "does not say who paid, so they were left out: line 3 (“Own lunch”); line 5 "
        "(“Own coffee”)."
    )


def test_a_total_line_per_currency_each_checked():
    parsed = parse(data("splitwise_two_totals.csv"))

    assert parsed.currency == "CHF"
    assert parsed.stated_balances == {"Ann": 1500, "Ben": -1500}


def test_a_second_currency_total_that_is_not_zero_is_refused():
    bad = data("splitwise_two_totals.csv").replace(b"EUR,0.00,0.00", b"EUR,1.00,-1.00")

    with pytest.raises(
        ImportRefused, match=r"^Line 6 gives balances in EUR, but the file has no entries in EUR\."
    ):
        parse(bad)


def test_amounts_in_a_currency_without_decimals():
    parsed = parse(data("splitwise_jpy.csv"))

    assert parsed.expenses[0].amount == 1500
    assert parsed.balances() == {"Ken": -1250, "Yui": 1250}


def test_a_fraction_of_a_yen_is_refused():
    line = "2024-04-01,Ramen,Dining out,1500.50,JPY,750.25,-750.25"
    file = (HEADER + line + "\n\n2024-04-30,Total balance, , ,JPY,750.25,-750.25\n").encode()

    with pytest.raises(
        ImportRefused, match=r"the cost is “1500.50”, which is not an amount written like 123450"
    ):
        parse(file)


def test_one_minor_unit_off_is_repaired_and_the_difference_explained():
    parsed = parse(data("splitwise_one_cent_off.csv"))

    pizza = parsed.expenses[0]
    assert (pizza.paid, pizza.owed) == ({"Ann": 1000}, {"Ben": 333, "Cat": 333, "Ann": 334})
    assert parsed.balances() == {"Ann": 333, "Ben": 334, "Cat": -667}
    assert parsed.stated_balances == {"Ann": 334, "Ben": 334, "Cat": -668}
    assert parsed.notices[1:] == [
        "The values of 2 lines add up to 0.01 EUR more or less than 0, so on each the largest "
        "value on the side that was over gave up 0.01 EUR: line 3 (“Pizza”), Ann's 6.67 EUR "
        "read as 6.66 EUR; line 4 (“Drinks”), Cat's −3.35 EUR read as −3.34 EUR. So Ann's "
        "balance ends 0.01 EUR below the file's Total balance; Cat's balance ends 0.01 EUR "
        "above the file's Total balance."
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "splitwise_decimal_comma.csv",
            "Line 3: the cost is “12,50”, which is not an amount written like 1234.50.",
        ),
        (
            "splitwise_not_a_number.csv",
            "Line 4: Ann's value is “n/a”, which is not an amount written like 1234.50.",
        ),
        (
            "splitwise_not_zero_sum.csv",
            "Line 3 (“Groceries”): the people's values add up to 0.05 EUR instead of 0",
        ),
        (
            "splitwise_total_disagrees.csv",
            "Line 5 (the Total balance) gives Ann 12.00 EUR, but Ann's entries add up to "
            "10.00 EUR.",
        ),
        ("splitwise_truncated.csv", "The file ends without Splitwise's “Total balance” line"),
        (
            "splitwise_cut_mid_line.csv",
            "Line 4 has 2 values but the header has 7 columns; the file may be cut short",
        ),
        ("splitwise_unnamed_column.csv", "Line 1, column 7: a person's column has no name."),
        ("splitwise_wrong_header.csv", "This is not a Splitwise export: its first line should"),
    ],
)
def test_bad_files_are_refused_naming_the_line_and_reason(name, message):
    with pytest.raises(ImportRefused) as refused:
        parse(data(name))

    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf\n\n", "The file is empty."),
        (b"Date,Description,Category,Cost,Currency,Ann\n\xff\n", "Line 2 is not UTF-8 text."),
        (
            b'Date,Description,Category,Cost,Currency,Ann,Ben\n2024-01-01,"Open quote',
            "Line 2 cannot be read as CSV",
        ),
        (
            b"Date,Description,Category,Cost,Currency,Ann,Ann\n",
            "Line 1: two columns are named “Ann”",
        ),
        (
            one_line("2024-02-30,Lunch,General,2.00,EUR,1.00,-1.00"),
            "Line 3: “2024-02-30” is not a date.",
        ),
        (
            one_line("31/01/2024,Lunch,General,2.00,EUR,1.00,-1.00"),
            "Line 3: “31/01/2024” is not a date like",
        ),
        (one_line("2024-01-02,Lunch,General,1,234.00,EUR,1.00,-1.00"), "Line 3 has 8 values"),
        (
            one_line("2024-01-02,Lunch,General,2.00,XYZ,1.00,-1.00"),
            "Line 3: “XYZ” is not a currency",
        ),
        (one_line("2024-01-02,Lunch,General,-2.00,EUR,1.00,-1.00"), "Line 3: the cost is “-2.00”"),
    ],
)
def test_more_refusals(file, message):
    with pytest.raises(ImportRefused) as refused:
        parse(file)

    assert str(refused.value).startswith(message)


def test_a_quoted_line_break_counts_in_the_line_numbers():
    file = (
        HEADER + '2024-01-02,"Two\nlines",General,2.00,EUR,1.00,-1.00\n'
        "2024-01-03,Bad,General,2.00,EUR,one,-1.00\n" + TOTAL.format("0.00", "0.00")
    ).encode()

    with pytest.raises(ImportRefused, match=r"^Line 5: Ann's value is “one”"):
        parse(file)


def test_a_payment_between_more_than_two_people_is_an_expense():
    file = (
        b"Date,Description,Category,Cost,Currency,Ann,Ben,Cy\n\n"
        b"2024-01-02,Odd payment,Payment,2.00,EUR,2.00,-1.00,-1.00\n\n"
        b"2024-01-31,Total balance, , ,EUR,2.00,-1.00,-1.00\n"
    )

    parsed = parse(file)

    assert (parsed.payments, len(parsed.expenses)) == ([], 1)
    assert parsed.notices[1] == (
        "One line marked as a payment moved money between more than two people, so it was "
        "imported as an expense: line 3 (“Odd payment”)."
    )


def test_a_cost_below_what_moved_keeps_the_values():
    parsed = parse(one_line("2024-01-02,Lunch,General,1.00,EUR,2.00,-2.00", ("2.00", "-2.00")))

    assert (parsed.expenses[0].amount, parsed.expenses[0].paid) == (200, {"Ann": 200})
    assert parsed.notices[1] == (
        "One expense cost less than the values say was paid, so it was imported for what the "
        "values say, which keeps every balance exact: line 3 (“Lunch”), 1.00 EUR imported as "
        "2.00 EUR."
    )


def test_many_lines_of_a_kind_make_one_notice():
    lines = [f"2024-01-{day:02d},Own {day},General,1.00,EUR,0.00,0.00" for day in range(1, 14)]
    lines += [
        "2024-01-20,Pizza,General,1.00,EUR,1.01,-1.00",
        "2024-01-21,Tea,General,1.00,EUR,-1.01,1.00",
    ]

    parsed = parse((HEADER + "\n".join(lines) + "\n" + TOTAL.format("0.00", "0.00")).encode())

    repaired, left_out = parsed.notices[1:]
    assert repaired.endswith("So every balance still matches the file.")
    assert left_out.startswith("13 entries changed nobody's balance")
    assert left_out.endswith("line 12 (“Own 10”); and 3 more.")


# Rows as Splitwise writes them: integer cents per person, adding up to 0 on every row.
rows = st.lists(st.integers(-(10**7), 10**7), min_size=3, max_size=3).map(
    lambda values: [*values, -sum(values)]
)


def cents(value):
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"


def splitwise_file(table, costs):
    names = ["Ann", "Ben", "Cy", "Dee"]
    lines = [",".join(["Date", "Description", "Category", "Cost", "Currency", *names]), ""]
    for number, (values, extra) in enumerate(zip(table, costs, strict=True)):
        cost = sum(value for value in values if value > 0) + extra
        category = "Payment" if number % 7 == 3 else "General"
        cells = [f"2024-01-{number % 28 + 1:02d}", f"Row {number}", category, cents(cost), "EUR"]
        lines.append(",".join(cells + [cents(value) for value in values]))
    sums = [sum(column) for column in zip(*table, strict=True)] if table else [0] * 4
    lines += ["", ",".join(["2024-02-01", "Total balance", " ", " ", "EUR", *map(cents, sums)])]
    return "\n".join(lines).encode(), dict(zip(names, sums, strict=True))


@given(st.lists(st.tuples(rows, st.integers(0, 5000)), max_size=40))
def test_balances_are_the_column_sums_exactly(table_and_costs):
    table = [values for values, _ in table_and_costs]
    file, sums = splitwise_file(table, [extra for _, extra in table_and_costs])

    parsed = parse(file)

    assert parsed.balances() == parsed.stated_balances == sums
    for expense in parsed.expenses:
        assert sum(expense.paid.values()) == sum(expense.owed.values()) == expense.amount


def test_entries_in_several_currencies_keep_their_own_for_the_import_to_convert():
    parsed = parse(data("splitwise_several_currencies.csv"))

    # Most entries are in EUR: the file is read in euros, the others keep their currency.
    assert parsed.currency == "EUR"
    dinner, ramen = parsed.expenses[1], parsed.expenses[3]
    assert (dinner.currency, dinner.amount, dinner.paid, dinner.owed) == (
        "USD",
        6000,
        {"Ben": 6000},
        {"Ann": 3000, "Ben": 3000},
    )
    assert (ramen.currency, ramen.amount, ramen.owed) == ("JPY", 3000, {"Ben": 1500, "Ann": 1500})
    assert parsed.expenses[0].currency == ""
    assert (parsed.payments[0].currency, parsed.payments[0].amount) == ("USD", 1000)
    # Each Total balance line matches its currency's columns; none states converted balances.
    assert parsed.stated_balances == {}
    assert parsed.notices[-1].startswith(
        "The file has entries in several currencies: the group keeps its books in EUR, and the "
        "entries in other currencies (2 in USD, 1 in JPY) are converted to EUR at the ECB "
        "reference rate of their date"
    )
    # 60.00 USD at 0.9032607714 is 54.20 EUR, 3,000 JPY at 0.006184674377 is 18.55 EUR, and
    # the payment of 10.00 USD on Saturday 5 October takes Friday's 0.9067005168: 9.07 EUR.
    assert parsed.balances() == {"Ann": 5000 - 2710 + 1000 + 928 - 907, "Ben": -3311}


def test_a_total_balance_line_is_checked_against_its_own_currency():
    text = data("splitwise_several_currencies.csv").decode()
    text = text.replace(" ,JPY,1500.00,-1500.00", " ,JPY,1400.00,-1400.00")
    refused = "Line 11 .*gives Ann 1,400 JPY, but Ann's entries add up to 1,500 JPY"
    with pytest.raises(ImportRefused, match=refused):
        parse(text.encode())


def test_a_refusal_writes_its_amounts_as_the_reader_s_language_does():
    with pytest.raises(ImportRefused) as refused:
        parse(data("splitwise_total_disagrees.csv"))

    with translation.override("de"):
        german = translated(refused.value.message)
    # How the file itself writes an amount stays the file's (“1234.50”); sums are the reader's.
    assert "12,00\xa0€" in german
    assert "10,00\xa0€" in german
    assert "12.00 EUR" not in german
    assert "12.00 EUR" in translated(refused.value.message)
