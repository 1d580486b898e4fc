"""Money: what people type, what they read, and the exact integers in between.

An amount is an ``int`` of minor units (cents, fils, yen) plus an ISO 4217 code; the currency's
exponent says how many minor units make a major one. This module is the only place that converts
between the two, so forms, templates, exports and split messages cannot drift apart. It imports
nothing from Django: `expenses.splitting` and the benchmarks use it too.

How `parse_amount` reads input, chosen so that no input has two readings:

- Surrounding whitespace is ignored. A leading "-" or "−" (U+2212) makes the amount negative,
  which only signed amounts (adjustments) allow; these also take a leading "+", since a column
  that asks for "+/−" invites it. Other amounts have no sign. There is no exponent notation,
  NaN, Infinity, currency symbol or code.
- "." is always the decimal point.
- Thousands separators are ",", "_", "'" or a space (no-break and thin spaces included), one kind
  per amount, between groups of three digits ("1,234,567") or in Indian lakh/crore grouping
  ("12,34,567"). Anything else, such as "1,23" read as thousands, is not a separator.
- A single "," is the decimal point instead when there is no "." and it cannot be a thousands
  separator: "12,5" and "1 234,56" are 12.50 and 1234.56 EUR, while "1,234" is 1234 EUR.
- For currencies with 3 decimals (BHD, KWD, ...) "1,234" could be 1234 or 1.234, three orders of
  magnitude apart. Such input is rejected with a message asking for one of the two spellings.
- A decimal point or comma needs at least one digit after it, and there may be no more digits
  after it than the currency has decimals, even if they are zeros: "1.500 EUR" is rejected
  rather than read as 1.50, because it is far more likely a continental "one thousand five
  hundred".
- The magnitude is at most `MAX_AMOUNT` minor units.

Those are the rules for English (``language`` None or "en"). In the languages that write a decimal
comma (de, fr, es, pt: `LOCALES`) the comma is always the decimal point, a dot also is one, and
the locale's grouping ("." in German and Spanish, spaces in French and Portuguese) and spaces
separate thousands:

- "12,5" and "12.5" are 12.50; "1.234,56", "1 234,56" and "1.234.567" are what they say.
- A single dot followed by exactly three digits ("1.234") is the German way of writing a thousand
  and the English way of writing a decimal. It is read as thousands only where it cannot be a
  decimal point (currencies without decimals, JPY "1.234" is 1234 JPY, as `format_amount` writes
  it); otherwise it is rejected with a message asking for one of the two spellings.

`format_amount` writes what `parse_amount` reads back, in every language and currency.
"""

import re
from decimal import Decimal
from functools import cache, lru_cache
from types import MappingProxyType
from typing import NamedTuple

from babel.core import Locale
from babel.numbers import NumberPattern, get_currency_name, parse_pattern

from splitclone.phrases import gettext_noop, ngettext

# 100 billion in a 2-decimal currency: far beyond any shared expense, far below the 2**63 of a
# BigIntegerField, so sums over a whole group's ledger cannot overflow either.
MAX_AMOUNT = 10**13

MINUS = "\N{MINUS SIGN}"

# The languages whose amounts follow CLDR (Babel's data): the site's language code, lower case,
# to the CLDR locale. English keeps the locale-neutral "1,234.56 EUR" the app has always shown,
# which every export, import and API also use. Portuguese is the European one.
LOCALES = MappingProxyType({"de": "de_DE", "fr": "fr_FR", "es": "es_ES", "pt": "pt_PT"})


class MoneyError(ValueError):
    """Input that is not a valid amount; ``message`` is written for the person who typed it.

    ``code`` names the rule that failed ("empty", "invalid", "negative", "decimals",
    "ambiguous", "too_large" or "currency"), for forms that map it to a ValidationError.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class Currency(NamedTuple):
    """An ISO 4217 currency; ``exponent`` is the number of decimals of its minor unit."""

    code: str
    name: str
    exponent: int


# ISO 4217 list one, without funds, metals, test and special codes (XAU, XDR, CLF, ...), with
# the exponents it gives, which is what banks and card schemes use (HUF, IDR and COP have 2 even
# though prices there rarely show cents). ANG (being replaced by XCG) and BGN (Bulgaria joined
# the euro in 2026) stay while they are withdrawn, so recent trips can still be entered.
_TABLE = """
AED 2 UAE dirham
AFN 2 Afghan afghani
ALL 2 Albanian lek
AMD 2 Armenian dram
ANG 2 Netherlands Antillean guilder
AOA 2 Angolan kwanza
ARS 2 Argentine peso
AUD 2 Australian dollar
AWG 2 Aruban florin
AZN 2 Azerbaijani manat
BAM 2 Bosnia-Herzegovina convertible mark
BBD 2 Barbadian dollar
BDT 2 Bangladeshi taka
BGN 2 Bulgarian lev
BHD 3 Bahraini dinar
BIF 0 Burundian franc
BMD 2 Bermudian dollar
BND 2 Brunei dollar
BOB 2 Bolivian boliviano
BRL 2 Brazilian real
BSD 2 Bahamian dollar
BTN 2 Bhutanese ngultrum
BWP 2 Botswana pula
BYN 2 Belarusian ruble
BZD 2 Belize dollar
CAD 2 Canadian dollar
CDF 2 Congolese franc
CHF 2 Swiss franc
CLP 0 Chilean peso
CNY 2 Chinese yuan
COP 2 Colombian peso
CRC 2 Costa Rican colón
CUP 2 Cuban peso
CVE 2 Cape Verdean escudo
CZK 2 Czech koruna
DJF 0 Djiboutian franc
DKK 2 Danish krone
DOP 2 Dominican peso
DZD 2 Algerian dinar
EGP 2 Egyptian pound
ERN 2 Eritrean nakfa
ETB 2 Ethiopian birr
EUR 2 Euro
FJD 2 Fijian dollar
FKP 2 Falkland Islands pound
GBP 2 British pound
GEL 2 Georgian lari
GHS 2 Ghanaian cedi
GIP 2 Gibraltar pound
GMD 2 Gambian dalasi
GNF 0 Guinean franc
GTQ 2 Guatemalan quetzal
GYD 2 Guyanese dollar
HKD 2 Hong Kong dollar
HNL 2 Honduran lempira
HTG 2 Haitian gourde
HUF 2 Hungarian forint
IDR 2 Indonesian rupiah
ILS 2 Israeli new shekel
INR 2 Indian rupee
IQD 3 Iraqi dinar
IRR 2 Iranian rial
ISK 0 Icelandic króna
JMD 2 Jamaican dollar
JOD 3 Jordanian dinar
JPY 0 Japanese yen
KES 2 Kenyan shilling
KGS 2 Kyrgyzstani som
KHR 2 Cambodian riel
KMF 0 Comorian franc
KPW 2 North Korean won
KRW 0 South Korean won
KWD 3 Kuwaiti dinar
KYD 2 Cayman Islands dollar
KZT 2 Kazakhstani tenge
LAK 2 Lao kip
LBP 2 Lebanese pound
LKR 2 Sri Lankan rupee
LRD 2 Liberian dollar
LSL 2 Lesotho loti
LYD 3 Libyan dinar
MAD 2 Moroccan dirham
MDL 2 Moldovan leu
MGA 2 Malagasy ariary
MKD 2 Macedonian denar
MMK 2 Myanmar kyat
MNT 2 Mongolian tögrög
MOP 2 Macanese pataca
MRU 2 Mauritanian ouguiya
MUR 2 Mauritian rupee
MVR 2 Maldivian rufiyaa
MWK 2 Malawian kwacha
MXN 2 Mexican peso
MYR 2 Malaysian ringgit
MZN 2 Mozambican metical
NAD 2 Namibian dollar
NGN 2 Nigerian naira
NIO 2 Nicaraguan córdoba
NOK 2 Norwegian krone
NPR 2 Nepalese rupee
NZD 2 New Zealand dollar
OMR 3 Omani rial
PAB 2 Panamanian balboa
PEN 2 Peruvian sol
PGK 2 Papua New Guinean kina
PHP 2 Philippine peso
PKR 2 Pakistani rupee
PLN 2 Polish złoty
PYG 0 Paraguayan guaraní
QAR 2 Qatari riyal
RON 2 Romanian leu
RSD 2 Serbian dinar
RUB 2 Russian ruble
RWF 0 Rwandan franc
SAR 2 Saudi riyal
SBD 2 Solomon Islands dollar
SCR 2 Seychellois rupee
SDG 2 Sudanese pound
SEK 2 Swedish krona
SGD 2 Singapore dollar
SHP 2 Saint Helena pound
SLE 2 Sierra Leonean leone
SOS 2 Somali shilling
SRD 2 Surinamese dollar
SSP 2 South Sudanese pound
STN 2 São Tomé and Príncipe dobra
SVC 2 Salvadoran colón
SYP 2 Syrian pound
SZL 2 Eswatini lilangeni
THB 2 Thai baht
TJS 2 Tajikistani somoni
TMT 2 Turkmenistani manat
TND 3 Tunisian dinar
TOP 2 Tongan paʻanga
TRY 2 Turkish lira
TTD 2 Trinidad and Tobago dollar
TWD 2 New Taiwan dollar
TZS 2 Tanzanian shilling
UAH 2 Ukrainian hryvnia
UGX 0 Ugandan shilling
USD 2 US dollar
UYU 2 Uruguayan peso
UZS 2 Uzbekistani som
VED 2 Venezuelan digital bolívar
VES 2 Venezuelan bolívar
VND 0 Vietnamese đồng
VUV 0 Vanuatu vatu
WST 2 Samoan tālā
XAF 0 Central African CFA franc
XCD 2 East Caribbean dollar
XCG 2 Caribbean guilder
XOF 0 West African CFA franc
XPF 0 CFP franc
YER 2 Yemeni rial
ZAR 2 South African rand
ZMW 2 Zambian kwacha
ZWG 2 Zimbabwe gold
"""


def _load(table: str) -> dict[str, Currency]:
    currencies = {}
    for line in table.strip().splitlines():
        code, exponent, name = line.split(maxsplit=2)
        currencies[code] = Currency(code, name, int(exponent))
    return currencies


CURRENCIES: MappingProxyType[str, Currency] = MappingProxyType(_load(_TABLE))


def currency_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Return ``(code, "EUR — Euro")`` pairs sorted by code, for a form's select.

    The names are in ``language`` as CLDR writes them ("USD — US-Dollar" in German, "USD —
    dólar dos Estados Unidos" in Portuguese), like `format_amount`'s amounts; English (ISO
    4217's names) for None, "en" and languages outside `LOCALES`.
    """
    return list(_currency_choices(_locale(language)))


@cache
def _currency_choices(locale: str | None) -> tuple[tuple[str, str], ...]:
    # Every page with an amount field lists all the currencies: name them once per language.
    return tuple(
        (code, f"{code} — {get_currency_name(code, locale=locale) if locale else cur.name}")
        for code, cur in sorted(CURRENCIES.items())
    )


def get_currency(code: str) -> Currency:
    """Return the currency for an ISO code (upper case); MoneyError if we do not know it."""
    if not isinstance(code, str):
        raise TypeError(f"currency must be an ISO 4217 code, got {type(code).__name__}")
    try:
        return CURRENCIES[code]
    except KeyError:
        raise MoneyError(
            gettext_noop("Unknown currency “%(code)s”.", code=code), "currency"
        ) from None


# What pasted numbers contain: no-break, narrow no-break (French) and thin spaces, and the
# typographic apostrophe of Swiss "1’234.50".
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2019": "'"})


def _integer_patterns(separators: str) -> list[re.Pattern]:
    """Integer parts: plain digits, groups of three, Indian lakh/crore groups. The backreference
    keeps one kind of separator per amount, which is what lets "1 234,56" read the comma as a
    decimal."""
    group = f"([{re.escape(separators)}])"
    return [
        re.compile(r"[0-9]+"),
        re.compile(rf"[0-9]{{1,3}}{group}[0-9]{{3}}(?:\1[0-9]{{3}})*"),
        re.compile(rf"[0-9]{{1,2}}{group}[0-9]{{2}}(?:\1[0-9]{{2}})*\1[0-9]{{3}}"),
    ]


_INTEGER = _integer_patterns(",_' ")
# In the languages with a decimal comma the dot separates thousands instead.
_INTEGER_DECIMAL_COMMA = _integer_patterns("._' ")
_FRACTION = re.compile(r"[0-9]+")
# More digits than any valid amount has before or after its point. Checked before int() or
# 10**n, so that absurdly long input fails fast instead of stalling the worker.
_MAX_DIGITS = 20


def _integer_digits(text: str, patterns: list[re.Pattern] = _INTEGER) -> str | None:
    """Return the digits of an integer with optional thousands separators, or None."""
    if any(pattern.fullmatch(text) for pattern in patterns):
        return re.sub(r"[^0-9]", "", text)
    return None


def _locale(language: str | None) -> str | None:
    """The CLDR locale of a site language code ("de", "pt-pt"), None for English and unknowns."""
    if not language:
        return None
    return LOCALES.get(language.lower().replace("_", "-").split("-")[0])


def _split_decimal_comma(body: str, cur: Currency, typed: str, sign: str) -> tuple[str, str, str]:
    """(integer part, decimal mark, fraction) of an unsigned amount in a decimal-comma language."""
    if "," in body:
        return body.partition(",")
    if body.count(".") != 1:
        return body, "", ""
    before, _, after = body.partition(".")
    if len(after) != 3 or _integer_digits(body, _INTEGER_DECIMAL_COMMA) is None:
        return before, ".", after
    if cur.exponent == 0:
        return body, "", ""
    # A thousands dot or a decimal point: one of the two readings is wrong by a factor of 1000.
    if cur.exponent >= len(after):
        message = gettext_noop(
            "“%(text)s” is ambiguous for %(code)s: write %(whole)s or %(decimal)s.",
            text=typed,
            code=cur.code,
            whole=f"{sign}{before}{after}",
            decimal=f"{sign}{before},{after}",
        )
    else:
        message = gettext_noop(
            "“%(text)s” is ambiguous for %(code)s: write %(whole)s without the dot, or use a "
            "decimal comma.",
            text=typed,
            code=cur.code,
            whole=f"{sign}{before}{after}",
        )
    raise MoneyError(message, "ambiguous")


def parse_amount(
    text: str, currency: str, *, allow_negative: bool = False, language: str | None = None
) -> int:
    """Return the minor units typed in ``text``, following the rules in the module docstring
    for ``language`` (the site's language code; None is English).

    Raises MoneyError with a message for the user. Negative amounts need ``allow_negative``
    (adjustments), which also accepts a leading "+"; zero is accepted, callers that need more
    say so themselves.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    cur = get_currency(currency)
    body = text.strip().translate(_SPACES)
    if not body:
        raise MoneyError(gettext_noop("Enter an amount."), "empty")
    negative = body[0] in "-" + MINUS
    sign = "-" if negative else ""
    if negative or (allow_negative and body[0] == "+"):
        body = body[1:]

    decimal_comma = _locale(language) is not None
    whole, mark, fraction = body, "", ""
    if decimal_comma:
        whole, mark, fraction = _split_decimal_comma(body, cur, text.strip(), sign)
    elif "." in body:
        whole, mark, fraction = body.partition(".")
    elif body.count(",") == 1:
        before, _, after = body.partition(",")
        if _integer_digits(body) is None:
            whole, mark, fraction = before, ",", after
        elif len(after) <= cur.exponent:
            # Both readings are valid and 1000 times apart: make the person choose.
            raise MoneyError(
                gettext_noop(
                    "“%(text)s” is ambiguous for %(code)s: write %(whole)s or %(decimal)s.",
                    text=text.strip(),
                    code=cur.code,
                    whole=f"{sign}{before}{after}",
                    decimal=f"{sign}{before}.{after}",
                ),
                "ambiguous",
            )

    grouping = _INTEGER_DECIMAL_COMMA if decimal_comma else _INTEGER
    digits = _integer_digits(whole, grouping) if whole else ("0" if mark else None)
    if digits is None or (mark and not _FRACTION.fullmatch(fraction)):
        raise MoneyError(_invalid_message(cur, "," if decimal_comma else "."), "invalid")
    if negative and not allow_negative:
        raise MoneyError(gettext_noop("Amounts can't be negative."), "negative")
    if len(fraction) > cur.exponent:
        raise MoneyError(_decimals_message(cur), "decimals")
    digits = digits.lstrip("0")
    if len(digits) > _MAX_DIGITS:
        raise _too_large(cur)
    minor = int(digits or "0") * 10**cur.exponent + int(fraction.ljust(cur.exponent, "0") or "0")
    if minor > MAX_AMOUNT:
        raise _too_large(cur)
    return -minor if negative else minor


def format_amount(
    minor: int,
    currency: str,
    *,
    with_code: bool = True,
    grouping: bool = True,
    language: str | None = None,
) -> str:
    """Return ``minor`` as "1,234.56 EUR" (JPY "1,235 JPY", BHD "1.234 BHD"), negatives "−12.50".

    That is the English and locale-neutral format (``language`` None or "en"), which exports,
    imports, payment codes and logs use whatever the page's language. In the `LOCALES`
    languages it is CLDR's, with the currency's own ISO 4217 decimals rather than CLDR's: German
    "1.234,56 €", French "1 234,56 €" (narrow no-break space), Portuguese "1 234,56 €",
    Spanish "1.234,56 €"; negatives still start with "−". ``with_code=False`` is for table
    columns whose header names the currency; ``grouping=False`` gives "1234.56" ("1234,56") for
    form fields. `parse_amount` in the same language reads every one of them back.
    """
    _check_int(minor, "minor")
    cur = get_currency(currency)
    locale = _locale(language)
    if locale:
        text = _cldr_amount(abs(minor), cur, locale, with_code=with_code, grouping=grouping)
        return MINUS + text if minor < 0 else text
    whole, fraction = divmod(abs(minor), 10**cur.exponent)
    text = f"{whole:,}" if grouping else str(whole)
    if cur.exponent:
        text += f".{fraction:0{cur.exponent}d}"
    if minor < 0:
        text = MINUS + text
    return f"{text} {cur.code}" if with_code else text


# Kept per amount: Babel writes one in some 10 µs, a page repeats the same balances on every
# view, and a page of 60 amounts in German cost 0.7 ms.
@lru_cache(maxsize=4096)
def _cldr_amount(minor: int, cur: Currency, locale: str, *, with_code: bool, grouping: bool) -> str:
    babel_locale, pattern = _cldr_pattern(locale, cur.exponent, with_code)
    return pattern.apply(
        to_decimal(minor, cur.code),
        babel_locale,
        currency=cur.code if with_code else None,
        currency_digits=False,
        group_separator=grouping,
    )


@cache
def _cldr_pattern(locale: str, exponent: int, with_code: bool) -> tuple[Locale, NumberPattern]:
    # Parsed once per language and number of decimals: a list of 1,225 amounts would otherwise
    # parse the locale and its pattern 1,225 times, most of what formatting them costs.
    digits = "0" + ("." + "0" * exponent if exponent else "")
    babel_locale = Locale.parse(locale)
    if not with_code:
        return babel_locale, parse_pattern(f"#,##{digits}")
    # The locale's currency pattern ("#,##0.00 ¤") with as many decimals as the currency has.
    standard = babel_locale.currency_formats["standard"].pattern
    return babel_locale, parse_pattern(re.sub(r"0(\.0+)?", digits, standard, count=1))


def to_decimal(minor: int, currency: str) -> Decimal:
    """Return the amount in major units with exactly the currency's decimals (1200 → 12.00)."""
    _check_int(minor, "minor")
    # Built from a string so no context precision or rounding is involved.
    return Decimal(f"{minor}e-{get_currency(currency).exponent}")


def from_decimal(value: Decimal, currency: str) -> int:
    """Return the minor units of a major-unit Decimal, exactly; MoneyError if it has no exact
    value in the currency or lies beyond `MAX_AMOUNT`.

    Unlike `parse_amount` this judges the value, not the digits written: Decimal("12.500") is
    1250 EUR, because a Decimal comes from code or a DecimalField, not from someone's typing.
    """
    if not isinstance(value, Decimal):
        raise TypeError(f"value must be a Decimal, got {type(value).__name__}")
    cur = get_currency(currency)
    if not value.is_finite():
        raise MoneyError(_invalid_message(cur), "invalid")
    if not value:
        return 0
    # Bound both exponents before any big-int arithmetic: Decimal("1e999999999") is legal.
    if value.adjusted() > _MAX_DIGITS:
        raise _too_large(cur)
    if value.as_tuple().exponent < -_MAX_DIGITS:
        raise MoneyError(_decimals_message(cur), "decimals")
    numerator, denominator = value.as_integer_ratio()
    minor, rest = divmod(numerator * 10**cur.exponent, denominator)
    if rest:
        raise MoneyError(_decimals_message(cur), "decimals")
    if abs(minor) > MAX_AMOUNT:
        raise _too_large(cur)
    return minor


def _check_int(value: object, name: str) -> None:
    # bool is an int subclass, but True is not an amount of money.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int of minor units, got {type(value).__name__}")


def _example(cur: Currency, mark: str = ".") -> str:
    return "1234" + (mark + "567"[: cur.exponent] if cur.exponent else "")


def _invalid_message(cur: Currency, mark: str = ".") -> str:
    return gettext_noop("Enter a number, like %(example)s.", example=_example(cur, mark))


def _decimals_message(cur: Currency) -> str:
    if cur.exponent == 0:
        return gettext_noop("%(code)s amounts have no decimals.", code=cur.code)
    return ngettext(
        "%(code)s amounts have at most %(count)s decimal.",
        "%(code)s amounts have at most %(count)s decimals.",
        cur.exponent,
        code=cur.code,
    )


def _too_large(cur: Currency) -> MoneyError:
    return MoneyError(
        gettext_noop(
            "That amount is too large; the limit is %(limit)s.",
            limit=Amount(MAX_AMOUNT, cur.code),
        ),
        "too_large",
    )


class Amount(NamedTuple):
    """An amount inside a phrase (`splitclone.phrases`): English here, written the way the
    reader's language writes amounts where the phrase is shown (`splitclone.translation`)."""

    minor: int
    currency: str

    def __str__(self) -> str:
        return format_amount(self.minor, self.currency)
