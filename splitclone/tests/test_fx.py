import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splitclone import fx
from splitclone.money import CURRENCIES, MAX_AMOUNT, MoneyError

deterministic = settings(derandomize=True, database=None, deadline=None, max_examples=300)

D = datetime.date


# --- Reference rates -------------------------------------------------------------------------


def test_a_working_day_takes_its_own_rate_as_the_ecb_printed_it():
    # ECB, Wednesday 24 December 2025: 1 EUR = 1.1787 USD, read as the text it is.
    usd = fx.rate("EUR", "USD", D(2025, 12, 24))
    assert usd == fx.Rate(Decimal("1.1787"), D(2025, 12, 24))
    assert isinstance(usd.value, Decimal)


@pytest.mark.parametrize(
    ("asked", "published"),
    [
        (D(2025, 12, 27), D(2025, 12, 24)),  # Saturday after the Christmas holidays
        (D(2025, 12, 28), D(2025, 12, 24)),  # Sunday
        (D(2025, 12, 25), D(2025, 12, 24)),  # Christmas: TARGET closed
        (D(2025, 12, 26), D(2025, 12, 24)),  # Boxing day: TARGET closed
        (D(2026, 1, 1), D(2025, 12, 31)),  # New Year's day
        (D(2025, 4, 18), D(2025, 4, 17)),  # Good Friday
        (D(2025, 4, 21), D(2025, 4, 17)),  # Easter Monday
        (D(2025, 5, 1), D(2025, 4, 30)),  # Labour day
    ],
)
def test_a_day_without_publication_takes_the_last_rate_before_it(asked, published):
    assert fx.rate("EUR", "GBP", asked) == fx.rate("EUR", "GBP", published)
    assert fx.rate("EUR", "GBP", asked).published_on == published


def test_the_first_and_last_days_of_the_file():
    first, last = fx.date_range()
    assert first == D(1999, 1, 4)
    assert fx.rate("EUR", "USD", first) == fx.Rate(Decimal("1.1789"), first)
    assert fx.rate("EUR", "USD", last).published_on == last
    # After the file ends the last rate stands, so the app works on its shipped data.
    assert fx.rate("EUR", "USD", last + datetime.timedelta(days=40)).published_on == last


def test_a_date_before_the_first_rate_is_refused():
    with pytest.raises(fx.RateError) as error:
        fx.rate("USD", "EUR", D(1999, 1, 1))
    assert error.value.code == "too_early"
    assert "1999-01-04" in error.value.message
    # Each currency has its own first day: the shekel starts in 2011.
    with pytest.raises(fx.RateError, match="2011-01-03"):
        fx.rate("EUR", "ILS", D(2010, 12, 31))
    assert fx.rate("EUR", "ILS", D(2011, 1, 3)).published_on == D(2011, 1, 3)


def test_a_currency_the_ecb_does_not_publish_is_refused():
    with pytest.raises(fx.RateError) as error:
        fx.rate("EUR", "XAF", D(2025, 6, 2))
    assert error.value.code == "unpublished"
    assert error.value.message == "The ECB publishes no reference rate for XAF: enter the rate."


def test_a_currency_the_ecb_stopped_publishing_is_refused_after_its_last_rate():
    assert fx.rate("EUR", "RUB", D(2022, 3, 1)).published_on == D(2022, 3, 1)
    with pytest.raises(fx.RateError) as error:
        fx.rate("EUR", "RUB", D(2022, 3, 2))
    assert error.value.code == "discontinued"
    assert "RUB" not in fx.published_currencies()
    assert {"EUR", "USD", "JPY", "GBP", "CHF"} <= fx.published_currencies()


def test_an_unknown_code_is_refused():
    with pytest.raises(MoneyError) as error:
        fx.rate("EUR", "EUX", D(2025, 6, 2))
    assert error.value.code == "currency"


def test_cross_rates_go_through_the_euro_rounded_to_ten_digits():
    day = D(2025, 12, 24)
    usd, jpy = fx.rate("EUR", "USD", day).value, fx.rate("EUR", "JPY", day).value
    cross = fx.rate("USD", "JPY", day)
    assert cross.published_on == day
    exact = Fraction(jpy) / Fraction(usd)
    assert len(cross.value.as_tuple().digits) <= fx.RATE_DIGITS
    unit_in_last_place = Fraction(10) ** (cross.value.adjusted() - fx.RATE_DIGITS + 1)
    assert abs(Fraction(cross.value) - exact) <= unit_in_last_place / 2
    assert fx.rate("USD", "EUR", day).value == Decimal("0.8483922966")  # 1 / 1.1787
    assert fx.rate("JPY", "JPY", day) == fx.Rate(Decimal(1), day)


# --- Conversion ------------------------------------------------------------------------------

codes = st.sampled_from(sorted(CURRENCIES))
rates = st.decimals(min_value=fx.MIN_RATE, max_value=fx.MAX_RATE, places=8)


def exact_minor(minor, source, target, rate):
    return (
        Fraction(minor)
        * Fraction(rate)
        * 10 ** CURRENCIES[target].exponent
        / (10 ** CURRENCIES[source].exponent)
    )


@pytest.mark.parametrize("source_exponent", [0, 2, 3])
@pytest.mark.parametrize("target_exponent", [0, 2, 3])
@deterministic
@given(data=st.data())
def test_convert_rounds_the_exact_product_half_to_even(source_exponent, target_exponent, data):
    by_exponent = {0: "JPY", 2: "EUR", 3: "BHD"}
    source, target = by_exponent[source_exponent], by_exponent[target_exponent]
    minor = data.draw(st.integers(-(10**12), 10**12))
    rate = data.draw(rates)
    exact = exact_minor(minor, source, target, rate)
    if abs(round(exact)) > MAX_AMOUNT:
        with pytest.raises(MoneyError):
            fx.convert(minor, source, target, rate)
        return
    converted = fx.convert(minor, source, target, rate)
    assert converted == round(exact)  # Python's round() of a Fraction is half to even
    assert abs(converted - exact) <= Fraction(1, 2)
    assert fx.convert(-minor, source, target, rate) == -converted


@deterministic
@given(source=codes, target=codes, minor=st.integers(0, 10**9), rate=rates)
def test_convert_agrees_with_the_exact_product_for_every_pair(source, target, minor, rate):
    exact = exact_minor(minor, source, target, rate)
    if abs(round(exact)) > MAX_AMOUNT:
        with pytest.raises(MoneyError):
            fx.convert(minor, source, target, rate)
        return
    assert fx.convert(minor, source, target, rate) == round(exact)


def test_convert_worked_examples():
    # 12,345 JPY at 0.005421 EUR = 66.922245 EUR → 66.92
    assert fx.convert(12345, "JPY", "EUR", Decimal("0.005421")) == 6692
    # Halves go to the even neighbour: 0.125 EUR → 0.12, 0.135 EUR → 0.14
    assert fx.convert(125, "BHD", "EUR", Decimal("1")) == 12
    assert fx.convert(135, "BHD", "EUR", Decimal("1")) == 14
    # 10.00 EUR at 1.1787 → 11.787 USD → 11.79
    assert fx.convert(1000, "EUR", "USD", Decimal("1.1787")) == 1179
    # 1 JPY to BHD keeps three decimals: 0.0024 → 0.002
    assert fx.convert(1, "JPY", "BHD", Decimal("2.4")) == 2400


def test_convert_refuses_a_result_beyond_the_limit():
    assert fx.convert(MAX_AMOUNT, "EUR", "USD", Decimal(1)) == MAX_AMOUNT
    with pytest.raises(MoneyError) as error:
        fx.convert(MAX_AMOUNT, "EUR", "USD", Decimal("1.0001"))
    assert error.value.code == "too_large"


@pytest.mark.parametrize(
    "value", ["0", "-1.2", "0.0000009", "1000000.1", "NaN", "Infinity", "1.00000000000000001"]
)
def test_a_rate_that_is_not_one_is_refused(value):
    with pytest.raises(fx.RateError) as error:
        fx.check_rate(Decimal(value))
    assert error.value.code == "rate"


def test_the_bounds_are_rates():
    assert fx.check_rate(fx.MIN_RATE) == fx.MIN_RATE
    assert fx.check_rate(fx.MAX_RATE) == fx.MAX_RATE


def test_a_rate_derived_from_the_amount_charged():
    # 100.00 USD charged as 92.50 EUR
    assert fx.derived_rate(10000, "USD", 9250, "EUR") == Decimal("0.925")
    # 1,000 JPY charged as 6.07 EUR: 0.00607
    assert fx.derived_rate(1000, "JPY", 607, "EUR") == Decimal("0.00607")
    # 3 EUR charged as 1,000 JPY
    assert fx.derived_rate(300, "EUR", 1000, "JPY") == Decimal("333.3333333")
    with pytest.raises(fx.RateError):
        fx.derived_rate(0, "EUR", 1000, "JPY")
