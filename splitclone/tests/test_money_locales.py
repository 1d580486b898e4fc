"""Amounts written and read in each language of the site (splitclone.money, `language=`)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splitclone.money import (
    CURRENCIES,
    LOCALES,
    MAX_AMOUNT,
    MoneyError,
    format_amount,
    parse_amount,
)

deterministic = settings(derandomize=True, database=None, deadline=None, max_examples=300)

LANGUAGES = [None, "en", *LOCALES]
languages = st.sampled_from(LANGUAGES)
# One currency of each exponent the table has, and then every currency.
by_exponent = st.sampled_from(["JPY", "EUR", "BHD"])
codes = st.one_of(by_exponent, st.sampled_from(sorted(CURRENCIES)))
amounts = st.integers(-MAX_AMOUNT, MAX_AMOUNT)

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("language", "minor", "currency", "text"),
    [
        # English keeps the locale-neutral format the app has always had.
        (None, 123456, "EUR", "1,234.56 EUR"),
        ("en", 123456, "EUR", "1,234.56 EUR"),
        ("en-us", -1250, "EUR", "−12.50 EUR"),
        ("de", 123456, "EUR", f"1.234,56{NBSP}€"),
        ("de", 1234, "JPY", f"1.234{NBSP}¥"),
        ("de", 1234567, "BHD", f"1.234,567{NBSP}BHD"),
        ("de", -1250, "EUR", f"−12,50{NBSP}€"),
        ("de", 123456789, "CHF", f"1.234.567,89{NBSP}CHF"),
        ("fr", 123456, "EUR", f"1{NNBSP}234,56{NBSP}€"),
        ("fr", 1234, "JPY", f"1{NNBSP}234{NBSP}JPY"),
        ("es", 123456, "EUR", f"1.234,56{NBSP}€"),
        ("pt", 123456, "EUR", f"1{NBSP}234,56{NBSP}€"),
        ("pt-pt", 0, "EUR", f"0,00{NBSP}€"),
        # A language without a format of its own is written the English way.
        ("nl", 123456, "EUR", "1,234.56 EUR"),
    ],
)
def test_format_amount_per_language(language, minor, currency, text):
    assert format_amount(minor, currency, language=language) == text


@pytest.mark.parametrize(
    ("language", "kwargs", "text"),
    [
        ("de", {"with_code": False}, "−1.234,56"),
        ("de", {"with_code": False, "grouping": False}, "−1234,56"),
        ("fr", {"with_code": False}, f"−1{NNBSP}234,56"),
        ("fr", {"grouping": False}, f"−1234,56{NBSP}€"),
    ],
)
def test_bare_and_ungrouped_variants(language, kwargs, text):
    assert format_amount(-123456, "EUR", language=language, **kwargs) == text


def test_an_amount_written_again_reads_as_in_its_own_language_and_options():
    """Each amount written in a language is kept: the same minor units in another language,
    currency or variant are written for what they are, the first time and the next."""
    variants = [
        ("de", "EUR", {}, f"−1.234,56{NBSP}€"),
        ("fr", "EUR", {}, f"−1{NNBSP}234,56{NBSP}€"),
        ("de", "CHF", {}, f"−1.234,56{NBSP}CHF"),
        ("de", "JPY", {}, f"−123.456{NBSP}¥"),
        ("de", "EUR", {"with_code": False}, "−1.234,56"),
        ("de", "EUR", {"with_code": False, "grouping": False}, "−1234,56"),
        ("de", "EUR", {"grouping": False}, f"−1234,56{NBSP}€"),
    ]
    for _ in range(2):
        written = [
            format_amount(-123456, currency, language=language, **options)
            for language, currency, options, _ in variants
        ]
        assert written == [text for *_, text in variants]


@pytest.mark.parametrize(
    ("language", "text", "currency", "minor"),
    [
        ("de", "1.234,56", "EUR", 123456),
        ("de", "12,5", "EUR", 1250),
        ("de", "12.5", "EUR", 1250),
        ("de", "12.50", "EUR", 1250),
        ("de", "1.234.567", "EUR", 123456700),
        ("de", "1.234", "JPY", 1234),
        ("de", "1 234,56", "EUR", 123456),
        ("de", "−1.234,56", "EUR", -123456),
        ("de", "1234.567", "BHD", 1234567),
        ("de", "1,234", "BHD", 1234),
        ("es", "1.234,56", "EUR", 123456),
        ("fr", f"1{NNBSP}234,56", "EUR", 123456),
        ("fr", f"1{NBSP}234,56", "EUR", 123456),
        ("fr", "1 234 567", "JPY", 1234567),
        ("fr", "12,5", "EUR", 1250),
        ("pt", f"1{NBSP}234,56", "EUR", 123456),
        # English: a comma that cannot be a thousands separator is a decimal comma, as before.
        ("en", "1,234.56", "EUR", 123456),
        ("en", "12,50", "EUR", 1250),
        ("en", "1,234", "EUR", 123400),
    ],
)
def test_parse_amount_per_language(language, text, currency, minor):
    assert parse_amount(text, currency, allow_negative=True, language=language) == minor


@pytest.mark.parametrize(
    ("language", "text", "currency", "code", "message"),
    [
        # A thousands dot must never be read as a decimal point, nor the other way round.
        ("de", "1.234", "EUR", "ambiguous", "write 1234 without the dot, or use a decimal comma"),
        ("de", "1.234", "BHD", "ambiguous", "write 1234 or 1,234"),
        ("de", "-1.234", "BHD", "ambiguous", "write -1234 or -1,234"),
        ("es", "1.234", "EUR", "ambiguous", "“1.234” is ambiguous for EUR"),
        ("de", "1,234", "EUR", "decimals", "EUR amounts have at most 2 decimals."),
        ("de", "1,234.56", "EUR", "invalid", "Enter a number, like 1234,56."),
        ("de", "1.23,4", "EUR", "invalid", "Enter a number, like 1234,56."),
        ("de", "1,2,3", "EUR", "invalid", "Enter a number, like 1234,56."),
        ("fr", "1.234,5.6", "EUR", "invalid", "Enter a number, like 1234,56."),
        ("en", "1.234,56", "EUR", "invalid", "Enter a number, like 1234.56."),
    ],
)
def test_parse_amount_refuses_per_language(language, text, currency, code, message):
    with pytest.raises(MoneyError) as caught:
        parse_amount(text, currency, allow_negative=True, language=language)
    assert caught.value.code == code
    assert message in caught.value.message


@deterministic
@given(languages, codes, amounts, st.booleans())
def test_format_then_parse_round_trips_in_every_language(language, currency, minor, grouping):
    text = format_amount(minor, currency, with_code=False, grouping=grouping, language=language)

    assert parse_amount(text, currency, allow_negative=True, language=language) == minor


@deterministic
@given(st.sampled_from(list(LOCALES)), codes, st.integers(1, MAX_AMOUNT))
def test_a_grouped_amount_is_never_read_a_thousand_times_smaller(language, currency, minor):
    # Written with a thousands dot and without its decimals, as someone might type it.
    whole = minor // 10 ** CURRENCIES[currency].exponent
    typed = f"{whole:,}".replace(",", ".")
    try:
        read = parse_amount(typed, currency, language=language)
    except MoneyError as error:
        read = error.code

    assert read in {"ambiguous", whole * 10 ** CURRENCIES[currency].exponent}


@deterministic
@given(st.text(alphabet="0123456789,. _'-\u2212+\u202f\u00a0", max_size=25), codes, languages)
def test_parse_only_ever_returns_a_bounded_int_or_raises_money_error(text, currency, language):
    try:
        minor = parse_amount(text, currency, allow_negative=True, language=language)
    except MoneyError:
        return  # any other exception fails the test

    assert type(minor) is int
    assert abs(minor) <= MAX_AMOUNT


def reading(text, currency, language):
    try:
        return parse_amount(text, currency, allow_negative=True, language=language)
    except MoneyError:
        return None


@deterministic
@given(
    st.text(alphabet="0123456789,. \u202f", min_size=1, max_size=14),
    by_exponent,
    st.sampled_from(list(LOCALES)),
)
def test_english_and_another_language_never_read_one_text_as_two_amounts(text, currency, language):
    # An expense typed on a page in one language may be sent in another (the offline queue
    # replays it later, after a switch): it is then refused, never read as another amount.
    english, other = reading(text, currency, None), reading(text, currency, language)

    assert english is None or other is None or english == other
