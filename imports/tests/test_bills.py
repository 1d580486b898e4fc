import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imports.formats._bills import (
    NameSplitter,
    apportion,
    csv_rows,
    decode,
    iso_date,
    load_json,
    number,
)
from imports.parsed import ImportRefused

# Derandomized and without an example database: the same examples on every run and machine.
deterministic = settings(derandomize=True, database=None, deadline=None, max_examples=300)

# Minor units, with the fractions a file's extra decimals leave.
amounts = st.builds(Fraction, st.integers(-(10**12), 10**12), st.sampled_from([1, 3, 1000]))
# Weights as the files write them: whole, halves, Cospend's 1.25, percentages in basis points.
weights = st.lists(
    st.builds(Fraction, st.integers(0, 10_000), st.sampled_from([1, 2, 4, 100])),
    min_size=1,
    max_size=12,
).filter(any)


@deterministic
@given(amounts, weights)
def test_shares_add_up_each_to_a_floor_or_ceiling_the_largest_remainders_up(amount, weights):
    shares, fractional = apportion(amount, weights)

    assert sum(shares) == round(amount)
    exact = [amount * weight / sum(weights) for weight in weights]
    for share, value in zip(shares, exact, strict=True):
        assert share in (math.floor(value), math.ceil(value))
    assert fractional == any(value.denominator != 1 for value in [amount, *exact])
    pairs = list(zip(shares, exact, strict=True))
    rounded_up = [value - math.floor(value) for share, value in pairs if share > value]
    kept_down = [value - math.floor(value) for share, value in pairs if share < value]
    assert min(rounded_up, default=1) >= max(kept_down, default=0)


def test_ties_go_to_the_first_listed():
    assert apportion(Fraction(1000), [Fraction(1)] * 3) == ([334, 333, 333], True)
    assert apportion(Fraction(1001), [Fraction(1)] * 3) == ([334, 334, 333], True)
    assert apportion(Fraction(900), [Fraction(1)] * 3) == ([300, 300, 300], False)


def test_an_amount_with_more_decimals_is_shared_at_its_rounded_value():
    # 33.333333333333 (Cospend's 100/3) in cents, split in two.
    shares, fractional = apportion(Fraction("3333.3333333333"), [Fraction(1), Fraction(1)])

    assert shares == [1667, 1666]
    assert fractional


def test_names_that_contain_the_joiner_are_kept_whole_when_known():
    split = NameSplitter(", ", ["Smith, Ann", "Bo"])

    assert split("Bo, Smith, Ann, Al") == ["Bo", "Smith, Ann", "Al"]
    assert split("Smith, Bo") == ["Smith", "Bo"]
    assert split("") == []


def test_names_joined_with_a_space_after_the_comma_are_trimmed():
    split = NameSplitter(",", ["Léa", "Tom"])

    assert split("Léa, Tom") == ["Léa", "Tom"]


def test_text_that_is_not_utf8_is_refused_naming_the_line():
    with pytest.raises(ImportRefused) as refused:
        decode("a,b\nZo\u00eb".encode("latin-1"))

    assert str(refused.value) == "line 2: the file is not UTF-8 text."


def test_a_byte_order_mark_is_dropped():
    assert decode(b"\xef\xbb\xbfwhat") == "what"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[NaN]", "The JSON contains NaN, which is not an amount."),
        ("[" + "1" * 5000 + "]", "The JSON holds a number too long to be an amount."),
        ("[" * 100_000, "The JSON is nested too deeply to be an export."),
        (
            '[1, 2,\n "a" "b"]',
            "line 2, column 6: this is not valid JSON (Expecting ',' delimiter).",
        ),
        ('[{"what": "Dinn', "The file ends before its JSON is complete: it looks truncated."),
    ],
)
def test_json_that_is_no_export_is_refused(text, message):
    with pytest.raises(ImportRefused) as refused:
        load_json(text)

    assert str(refused.value) == message


def test_rows_are_numbered_by_the_line_they_start_on():
    text = 'a,b\r\n"two\nlines",x\r\n\r\nc,d\r\n'

    assert list(csv_rows(text)) == [
        (1, ["a", "b"]),
        (2, ["two\nlines", "x"]),
        (4, []),
        (5, ["c", "d"]),
    ]


@pytest.mark.parametrize(
    "text", ["12,50", "n/a", "1 000", "", "1.", ".5", "NaN", "Infinity", "0x10"]
)
def test_only_numbers_as_the_exporters_write_them_are_read(text):
    with pytest.raises(ImportRefused) as refused:
        number(text, "line 3", "amount")

    assert str(refused.value) == f"line 3: the amount “{text}” is not a number."


@pytest.mark.parametrize(
    ("text", "value"),
    [("12.5", Fraction(25, 2)), ("-3", -3), ("1.0E+3", 1000), ("1e-05", Fraction(1, 100000))],
)
def test_numbers_are_read_exactly(text, value):
    assert number(text, "line 3", "amount") == value


def test_numbers_far_out_of_range_are_refused():
    with pytest.raises(ImportRefused) as refused:
        number("1e999999999", "line 3", "amount")

    assert str(refused.value) == "line 3: the amount “1e999999999” is out of range."


def test_a_field_beyond_the_csv_limit_is_refused_naming_its_line():
    text = 'a,b\n"' + "x" * 200_000 + '",c\n'

    with pytest.raises(ImportRefused) as refused:
        list(csv_rows(text))

    assert str(refused.value) == "line 2: field larger than field limit (131072)."


def test_a_day_that_does_not_exist_is_refused():
    with pytest.raises(ImportRefused) as refused:
        iso_date("2024-02-30", "line 4")

    assert str(refused.value) == "line 4: the date “2024-02-30” is not a date like 2024-07-31."
