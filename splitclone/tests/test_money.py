from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from splitclone.money import (
    CURRENCIES,
    MAX_AMOUNT,
    MoneyError,
    currency_choices,
    format_amount,
    from_decimal,
    get_currency,
    parse_amount,
    to_decimal,
)

# Derandomized and without an example database: the same examples on every run and machine.
deterministic = settings(derandomize=True, database=None, deadline=None, max_examples=300)

codes = st.sampled_from(sorted(CURRENCIES))
amounts = st.integers(-MAX_AMOUNT, MAX_AMOUNT)


def test_table_has_the_active_currencies_and_no_funds_or_metals():
    assert 140 <= len(CURRENCIES) <= 170
    for code in ["EUR", "USD", "GBP", "CHF", "JPY", "INR", "CNY", "BRL", "ZAR", "XCG", "ZWG"]:
        assert code in CURRENCIES
    for code in ["XAU", "XAG", "XPT", "XPD", "XDR", "XSU", "XUA", "XTS", "XXX", "CLF", "UYI"]:
        assert code not in CURRENCIES
    for code in ["BOV", "CHE", "CHW", "COU", "MXV", "USN", "UYW", "HRK", "SLL", "ZWL"]:
        assert code not in CURRENCIES


def test_table_entries_are_well_formed():
    for code, currency in CURRENCIES.items():
        assert currency.code == code
        assert len(code) == 3
        assert code.isascii()
        assert code.isupper()
        assert currency.name.strip() == currency.name != ""
        assert currency.exponent in {0, 2, 3}


@pytest.mark.parametrize(
    ("code", "exponent"),
    [
        ("EUR", 2),
        ("USD", 2),
        ("GBP", 2),
        ("CHF", 2),
        ("HUF", 2),
        ("INR", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("ISK", 0),
        ("VND", 0),
        ("CLP", 0),
        ("UGX", 0),
        ("XAF", 0),
        ("XOF", 0),
        ("XPF", 0),
        ("PYG", 0),
        ("RWF", 0),
        ("BIF", 0),
        ("DJF", 0),
        ("GNF", 0),
        ("KMF", 0),
        ("VUV", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("JOD", 3),
        ("OMR", 3),
        ("TND", 3),
        ("IQD", 3),
        ("LYD", 3),
    ],
)
def test_exponents(code, exponent):
    assert CURRENCIES[code].exponent == exponent


def test_exactly_the_known_currencies_have_no_or_three_decimals():
    by_exponent = {e: {c for c, cur in CURRENCIES.items() if cur.exponent == e} for e in (0, 3)}
    assert by_exponent[3] == {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}
    assert by_exponent[0] == {
        *("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"),
        *("RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"),
    }


def test_currency_choices_are_sorted_by_code_with_readable_labels():
    choices = currency_choices()

    assert [code for code, _ in choices] == sorted(CURRENCIES)
    assert ("EUR", "EUR — Euro") in choices
    assert ("JPY", "JPY — Japanese yen") in choices


@pytest.mark.parametrize(
    ("language", "label"),
    [
        (None, "USD — US dollar"),
        ("en", "USD — US dollar"),
        ("de", "USD — US-Dollar"),
        ("fr", "USD — dollar des États-Unis"),
        ("es", "USD — dólar estadounidense"),
        ("pt", "USD — dólar dos Estados Unidos"),
        ("pt-pt", "USD — dólar dos Estados Unidos"),
    ],
)
def test_currency_choices_name_the_currencies_in_the_language_asked(language, label):
    choices = currency_choices(language)

    assert [code for code, _ in choices] == sorted(CURRENCIES)
    assert ("USD", label) in choices


def test_get_currency():
    assert get_currency("BHD").exponent == 3
    with pytest.raises(MoneyError, match="Unknown currency “eur”") as caught:
        get_currency("eur")
    assert caught.value.code == "currency"


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12", "EUR", 1200),
        ("12.5", "EUR", 1250),
        ("12.50", "EUR", 1250),
        ("0.05", "EUR", 5),
        (".5", "EUR", 50),
        ("0", "EUR", 0),
        ("007", "EUR", 700),
        ("1,234.56", "EUR", 123456),
        ("1,234,567.89", "USD", 123456789),
        ("1 234.56", "EUR", 123456),
        ("1_234.56", "EUR", 123456),
        ("1'234.50", "CHF", 123450),
        ("1\u2019234.50", "CHF", 123450),
        ("  12.50\n", "EUR", 1250),
        # Decimal comma: a lone comma that cannot be a thousands separator.
        ("12,5", "EUR", 1250),
        ("12,50", "EUR", 1250),
        (",5", "EUR", 50),
        (" 1 234,56", "EUR", 123456),
        ("1\u00a0234,56", "EUR", 123456),
        ("1\u202f234,56", "EUR", 123456),
        ("1234,567", "BHD", 1234567),
        ("1 234,567", "BHD", 1234567),
        # A comma before three digits is a thousands separator below 3 decimals.
        ("1,234", "EUR", 123400),
        ("12,345", "USD", 1234500),
        ("1,234", "JPY", 1234),
        ("1,234,567", "JPY", 1234567),
        ("1,234,567", "BHD", 1234567000),
        ("1,234.567", "BHD", 1234567),
        ("1.234", "BHD", 1234),
        # Indian lakh and crore grouping.
        ("12,34,567.89", "INR", 123456789),
        ("1,23,45,678", "INR", 1234567800),
        ("12345", "JPY", 12345),
        ("100000000000", "EUR", MAX_AMOUNT),
        ("100,000,000,000.00", "EUR", MAX_AMOUNT),
        ("10000000000000", "JPY", MAX_AMOUNT),
        ("10000000000.000", "KWD", MAX_AMOUNT),
    ],
)
def test_parse_amount(text, currency, minor):
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "minor"),
    [("-12.50", -1250), ("\N{MINUS SIGN}12.50", -1250), ("-0", 0), ("-1,234.5", -123450)],
)
def test_parse_negative_amounts_when_allowed(text, minor):
    assert parse_amount(text, "EUR", allow_negative=True) == minor


@pytest.mark.parametrize(("text", "minor"), [("+5", 500), ("+12.50", 1250), ("+1,234.5", 123450)])
def test_signed_amounts_take_a_plus(text, minor):
    assert parse_amount(text, "EUR", allow_negative=True) == minor


@pytest.mark.parametrize("text", ["+", "++5", "+-5", "-+5", "+\N{MINUS SIGN}5", "+ 5", "5+"])
def test_one_sign_at_most_and_right_before_the_digits(text):
    with pytest.raises(MoneyError) as caught:
        parse_amount(text, "EUR", allow_negative=True)

    assert caught.value.code == "invalid"


@pytest.mark.parametrize(
    ("text", "currency", "code", "message"),
    [
        ("", "EUR", "empty", "Enter an amount."),
        ("   ", "EUR", "empty", "Enter an amount."),
        ("abc", "EUR", "invalid", "Enter a number, like 1234.56."),
        ("abc", "JPY", "invalid", "Enter a number, like 1234."),
        ("abc", "KWD", "invalid", "Enter a number, like 1234.567."),
        ("12.5.0", "EUR", "invalid", None),
        ("1.234,56", "EUR", "invalid", None),
        ("1,2,3", "EUR", "invalid", None),
        ("1,234,56", "EUR", "invalid", None),
        ("1,,234", "EUR", "invalid", None),
        ("1, 234", "EUR", "invalid", None),
        ("1,234 567", "EUR", "invalid", None),
        ("1_000_00", "EUR", "invalid", None),
        ("12.", "EUR", "invalid", None),
        ("12,", "EUR", "invalid", None),
        (".", "EUR", "invalid", None),
        ("-", "EUR", "invalid", None),
        ("- 12", "EUR", "invalid", None),
        ("+12", "EUR", "invalid", None),
        ("--12", "EUR", "invalid", None),
        ("12-", "EUR", "invalid", None),
        ("1e5", "EUR", "invalid", None),
        ("1E5", "JPY", "invalid", None),
        ("NaN", "EUR", "invalid", None),
        ("Infinity", "EUR", "invalid", None),
        ("inf", "EUR", "invalid", None),
        ("0x10", "EUR", "invalid", None),
        ("12 EUR", "EUR", "invalid", None),
        ("€12", "EUR", "invalid", None),
        ("\u0661\u0662", "EUR", "invalid", None),  # Arabic-Indic digits
        ("-12.50", "EUR", "negative", "Amounts can't be negative."),
        ("\N{MINUS SIGN}1", "JPY", "negative", "Amounts can't be negative."),
        ("12.505", "EUR", "decimals", "EUR amounts have at most 2 decimals."),
        ("1.500", "EUR", "decimals", "EUR amounts have at most 2 decimals."),
        ("12,505", "BHD", "ambiguous", "“12,505” is ambiguous for BHD: write 12505 or 12.505."),
        ("12,5055", "EUR", "decimals", "EUR amounts have at most 2 decimals."),
        ("12.5", "JPY", "decimals", "JPY amounts have no decimals."),
        ("12,34", "JPY", "decimals", "JPY amounts have no decimals."),
        ("1.2345", "BHD", "decimals", "BHD amounts have at most 3 decimals."),
        ("1,234", "BHD", "ambiguous", "“1,234” is ambiguous for BHD: write 1234 or 1.234."),
        ("123,456", "KWD", "ambiguous", "“123,456” is ambiguous for KWD: write 123456 or 123.456."),
        (
            "100000000000.01",
            "EUR",
            "too_large",
            "That amount is too large; the limit is 100,000,000,000.00 EUR.",
        ),
        ("10000000000001", "JPY", "too_large", None),
        ("9" * 40, "EUR", "too_large", None),
        ("12", "XYZ", "currency", "Unknown currency “XYZ”."),
        ("12", "eur", "currency", None),
    ],
)
def test_parse_amount_rejects(text, currency, code, message):
    with pytest.raises(MoneyError) as caught:
        parse_amount(text, currency)

    assert caught.value.code == code
    if message is not None:
        assert caught.value.message == message == str(caught.value)


def test_parse_ambiguity_message_keeps_the_sign():
    with pytest.raises(MoneyError, match=r"write -1234 or -1\.234"):
        parse_amount("-1,234", "OMR", allow_negative=True)


def test_too_large_negative_amounts_are_rejected():
    with pytest.raises(MoneyError) as caught:
        parse_amount("-100000000000.01", "EUR", allow_negative=True)
    assert caught.value.code == "too_large"


def test_leading_zeros_do_not_count_towards_the_size_limit():
    assert parse_amount("0" * 30 + "1", "EUR") == 100


@pytest.mark.parametrize(
    ("minor", "currency", "kwargs", "text"),
    [
        (123456, "EUR", {}, "1,234.56 EUR"),
        (123456, "EUR", {"with_code": False}, "1,234.56"),
        (123456, "EUR", {"grouping": False}, "1234.56 EUR"),
        (123456, "EUR", {"with_code": False, "grouping": False}, "1234.56"),
        (-1250, "EUR", {}, "\N{MINUS SIGN}12.50 EUR"),
        (5, "EUR", {}, "0.05 EUR"),
        (-5, "EUR", {"with_code": False}, "\N{MINUS SIGN}0.05"),
        (0, "EUR", {}, "0.00 EUR"),
        (1235, "JPY", {}, "1,235 JPY"),
        (0, "JPY", {}, "0 JPY"),
        (1234, "BHD", {}, "1.234 BHD"),
        (1234567, "KWD", {}, "1,234.567 KWD"),
        (MAX_AMOUNT, "EUR", {}, "100,000,000,000.00 EUR"),
    ],
)
def test_format_amount(minor, currency, kwargs, text):
    assert format_amount(minor, currency, **kwargs) == text


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [(1234, "EUR", "12.34"), (1200, "EUR", "12.00"), (-5, "BHD", "-0.005"), (1234, "JPY", "1234")],
)
def test_to_decimal_keeps_the_currency_decimals(minor, currency, text):
    assert str(to_decimal(minor, currency)) == text


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [
        ("12.34", "EUR", 1234),
        ("12.5", "EUR", 1250),
        ("12.500", "EUR", 1250),  # the value counts, not the digits written
        ("-0.01", "EUR", -1),
        ("0E-100", "EUR", 0),
        ("1E+3", "JPY", 1000),
        ("1.234", "BHD", 1234),
        ("100000000000", "EUR", MAX_AMOUNT),
    ],
)
def test_from_decimal(value, currency, minor):
    assert from_decimal(Decimal(value), currency) == minor


@pytest.mark.parametrize(
    ("value", "currency", "code"),
    [
        ("12.345", "EUR", "decimals"),
        ("0.5", "JPY", "decimals"),
        ("1E-100", "EUR", "decimals"),
        ("1E-999999999", "EUR", "decimals"),
        ("NaN", "EUR", "invalid"),
        ("-Infinity", "EUR", "invalid"),
        ("100000000000.01", "EUR", "too_large"),
        ("1E+999999999", "EUR", "too_large"),
        ("1", "ABC", "currency"),
    ],
)
def test_from_decimal_rejects(value, currency, code):
    with pytest.raises(MoneyError) as caught:
        from_decimal(Decimal(value), currency)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "call",
    [
        lambda: format_amount(True, "EUR"),
        lambda: format_amount(12.5, "EUR"),
        lambda: format_amount(Decimal(12), "EUR"),
        lambda: to_decimal(False, "EUR"),
        lambda: to_decimal(1.0, "EUR"),
        lambda: from_decimal(1.5, "EUR"),
        lambda: from_decimal(12, "EUR"),
        lambda: parse_amount(12, "EUR"),
        lambda: parse_amount("12", 978),
    ],
)
def test_wrong_types_are_type_errors(call):
    with pytest.raises(TypeError):
        call()


@deterministic
@given(codes, amounts)
def test_plain_format_round_trips_through_parse(currency, minor):
    text = format_amount(minor, currency, with_code=False, grouping=False)

    assert parse_amount(text, currency, allow_negative=True) == minor


@deterministic
@given(codes, amounts)
def test_grouped_format_round_trips_through_parse(currency, minor):
    text = format_amount(minor, currency, with_code=False)

    assert parse_amount(text, currency, allow_negative=True) == minor


@deterministic
@given(codes, amounts)
def test_decimal_conversion_is_exact_both_ways(currency, minor):
    value = to_decimal(minor, currency)

    assert value * 10 ** CURRENCIES[currency].exponent == minor
    assert -value.as_tuple().exponent == CURRENCIES[currency].exponent
    assert from_decimal(value, currency) == minor


@deterministic
@given(codes, st.integers(0, MAX_AMOUNT), st.integers(1, 3))
def test_more_decimals_than_the_currency_has_are_rejected(currency, minor, extra):
    # Append digits beyond the currency's decimals, non-zero so the value is not representable.
    exponent = CURRENCIES[currency].exponent
    text = format_amount(minor, currency, with_code=False, grouping=False)
    text += ("" if exponent else ".") + "5" * extra

    with pytest.raises(MoneyError) as caught:
        parse_amount(text, currency)
    assert caught.value.code == "decimals"


def outcome(text, currency):
    try:
        return parse_amount(text, currency, allow_negative=True)
    except MoneyError as error:
        return error.code


@deterministic
@given(st.text(alphabet="0123456789,. _'eE", min_size=1, max_size=25), codes)
def test_a_plus_reads_like_no_sign_at_all(text, currency):
    assume(not text[0].isspace())

    assert outcome(f"+{text}", currency) == outcome(text, currency)


@deterministic
@given(codes, st.integers(0, MAX_AMOUNT), st.booleans())
def test_a_plus_before_a_formatted_amount_keeps_its_value(currency, minor, grouping):
    text = format_amount(minor, currency, with_code=False, grouping=grouping)

    assert parse_amount(f"+{text}", currency, allow_negative=True) == minor


@deterministic
@given(st.text(alphabet="0123456789,. _'-\u2212eE+", max_size=25), codes)
def test_parse_only_ever_returns_a_bounded_int_or_raises_money_error(text, currency):
    try:
        minor = parse_amount(text, currency, allow_negative=True)
    except MoneyError:
        return  # any other exception fails the test

    assert type(minor) is int
    assert abs(minor) <= MAX_AMOUNT
