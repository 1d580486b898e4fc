"""How people like to be paid: checking what they typed, the EPC QR payload and the links that
open a payment app with the amount filled in. Pure: no Django, so the rules are plain functions
the model (`accounts.models.PaymentMethod`) and the settle-up page share.

Every `normalise_*` function returns the tidy value or raises `InvalidValue` with a message for
the person who typed it, in English: the model translates it (`gettext_noop` marks the texts
for the catalogs without importing Django).
"""

import re
from decimal import Decimal
from urllib.parse import quote, urlencode


def gettext_noop(message):
    """Marks `message` for translation, which happens where it is shown."""
    return message


class InvalidValue(ValueError):
    """What is wrong with a typed value: a message with %(name)s placeholders, and their values.

    Text values among the params are marked too and are translated with the message.
    """

    def __init__(self, message, **params):
        super().__init__(message % params)
        self.message = message
        self.params = params


IBAN = "iban"
PAYPAL = "paypal"
REVOLUT = "revolut"
VENMO = "venmo"
UPI = "upi"
LIGHTNING = "lightning"
TEXT = "text"

KINDS = {
    IBAN: gettext_noop("Bank transfer (IBAN)"),
    PAYPAL: "PayPal.me",
    REVOLUT: "Revolut",
    VENMO: "Venmo",
    UPI: "UPI",
    LIGHTNING: "Lightning",
    TEXT: gettext_noop("Other (free text)"),
}

TEXT_MAX_LENGTH = 300
HOLDER_MAX_LENGTH = 70  # EPC069-12: the beneficiary's name

# ISO 13616 lengths of the IBAN of every SEPA country (SWIFT's IBAN registry), and a few others
# people in a group abroad often have.
IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "VA": 22, "AL": 28, "BA": 20, "GE": 22, "ME": 22, "MD": 24, "MK": 19, "RS": 22, "TR": 26,
    "UA": 29, "AE": 23, "SA": 24, "IL": 23, "BR": 29,
}  # fmt: skip

_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_BIC_SHAPE = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
_LINK = re.compile(r"(https?:|www\.|[a-z0-9-]+\.(me|com)/)", re.IGNORECASE)
_HANDLES = {
    # PayPal.me: letters and digits, up to 20 (PayPal's own rule).
    PAYPAL: (re.compile(r"[A-Za-z0-9]{1,20}"), gettext_noop("letters and digits only, at most 20")),
    # Revolut's revtag: letters, digits, dot and underscore, 3 to 32, without the @.
    REVOLUT: (
        re.compile(r"[A-Za-z0-9._]{3,32}"),
        gettext_noop("letters, digits, . and _, 3 to 32"),
    ),
    # Venmo usernames: letters, digits, - and _, 5 to 30.
    VENMO: (re.compile(r"[A-Za-z0-9_-]{5,30}"), gettext_noop("letters, digits, - and _, 5 to 30")),
}
_UPI = re.compile(r"[A-Za-z0-9._-]{2,256}@[A-Za-z][A-Za-z0-9]{1,63}")
_LIGHTNING_ADDRESS = re.compile(r"[a-z0-9._+-]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)+")
_LNURL = re.compile(r"lnurl1[02-9ac-hj-np-z]{20,}")


def _no_link_no_space(value):
    if _LINK.search(value) or "/" in value:
        raise InvalidValue(gettext_noop("Enter the handle, not the link."))
    if any(char.isspace() for char in value):
        raise InvalidValue(gettext_noop("A handle has no spaces."))


def normalise_iban(value):
    """The IBAN in capitals without spaces, if its country length and mod-97 checksum hold."""
    iban = "".join(value.split()).upper()
    if not _IBAN_SHAPE.fullmatch(iban):
        raise InvalidValue(
            gettext_noop(
                "That is not an IBAN: two letters for the country, two check digits, then the "
                "account (letters and digits)."
            )
        )
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        raise InvalidValue(
            gettext_noop(
                "An IBAN from %(country)s has %(expected)d characters; this one has %(length)d."
            ),
            country=iban[:2],
            expected=expected,
            length=len(iban),
        )
    # ISO 13616: move the first four characters to the end, letters become 10..35, mod 97 == 1.
    digits = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    if int(digits) % 97 != 1:
        raise InvalidValue(
            gettext_noop("That IBAN's check digits are wrong: check it for a typing mistake.")
        )
    return iban


def normalise_bic(value):
    bic = "".join(value.split()).upper()
    if bic and not _BIC_SHAPE.fullmatch(bic):
        raise InvalidValue(
            gettext_noop("A BIC has 8 or 11 letters and digits, like DEUTDEFF or DEUTDEFF500.")
        )
    return bic


def normalise_handle(kind, value):
    """The handle of a PayPal.me, Revolut or Venmo account, without a leading @."""
    handle = value.strip()
    _no_link_no_space(handle)
    handle = handle.removeprefix("@")
    pattern, rule = _HANDLES[kind]
    if "@" in handle:
        raise InvalidValue(
            gettext_noop("Enter the %(kind)s handle without @: %(rule)s."),
            kind=KINDS[kind],
            rule=rule,
        )
    if not pattern.fullmatch(handle):
        raise InvalidValue(
            gettext_noop("A %(kind)s handle has %(rule)s."), kind=KINDS[kind], rule=rule
        )
    return handle


def normalise_upi(value):
    vpa = value.strip()
    _no_link_no_space(vpa)
    if not _UPI.fullmatch(vpa):
        raise InvalidValue(gettext_noop("A UPI ID looks like name@bank."))
    return vpa


def normalise_lightning(value):
    """A Lightning address (user@domain, lower-cased) or an LNURL."""
    address = value.strip().lower().removeprefix("lightning:")
    _no_link_no_space(address)
    if not (_LIGHTNING_ADDRESS.fullmatch(address) or _LNURL.fullmatch(address)):
        raise InvalidValue(
            gettext_noop("A Lightning address looks like name@wallet.example, or an LNURL.")
        )
    return address


def normalise_text(value):
    text = value.strip()
    if not text:
        raise InvalidValue(gettext_noop("Say how you like to be paid."))
    if len(text) > TEXT_MAX_LENGTH:
        raise InvalidValue(gettext_noop("Keep it to %(count)d characters."), count=TEXT_MAX_LENGTH)
    return text


def normalise_value(kind, value):
    """The tidy value of a payment method of `kind`."""
    if kind == IBAN:
        return normalise_iban(value)
    if kind in _HANDLES:
        return normalise_handle(kind, value)
    if kind == UPI:
        return normalise_upi(value)
    if kind == LIGHTNING:
        return normalise_lightning(value)
    if kind == TEXT:
        return normalise_text(value)
    raise InvalidValue(gettext_noop("Choose how you like to be paid."))


def format_iban(iban):
    """In groups of four, as banks print it."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


# EPC069-12 limits.
EPC_MAX_AMOUNT = Decimal("999999999.99")
EPC_NAME_MAX = 70
EPC_REMITTANCE_MAX = 140
EPC_INFO_MAX = 70


def epc_payload(*, name, iban, amount, remittance, bic="", info=""):
    """The text of an EPC ("GiroCode") QR code (EPC069-12, version 002) for a SEPA credit
    transfer of `amount` euros (a Decimal with at most two decimals) with unstructured
    remittance text. Over-long name, remittance and info are cut to the standard's lengths."""
    if not Decimal("0.01") <= amount <= EPC_MAX_AMOUNT or amount != amount.quantize(
        Decimal("0.01")
    ):
        raise ValueError("An EPC QR code holds 0.01 to 999999999.99 euros, in cents.")
    lines = [
        "BCD",  # service tag
        "002",  # version
        "1",  # character set: UTF-8
        "SCT",  # SEPA credit transfer
        bic,
        name[:EPC_NAME_MAX],
        iban,
        f"EUR{amount.quantize(Decimal('0.01'))}",
        "",  # purpose
        "",  # structured reference: the remittance is unstructured
        remittance[:EPC_REMITTANCE_MAX],
        info[:EPC_INFO_MAX],
    ]
    # Trailing empty fields may be left out (EPC069-12, 3.3).
    while lines[-1] == "":
        lines.pop()
    return "\n".join(lines)


# PayPal.me takes an amount in these currencies (PayPal's list of supported currencies).
PAYPAL_CURRENCIES = frozenset(
    [
        "AUD",
        "BRL",
        "CAD",
        "CZK",
        "DKK",
        "EUR",
        "HKD",
        "HUF",
        "ILS",
        "JPY",
        "MYR",
        "MXN",
        "TWD",
        "NZD",
        "NOK",
        "PHP",
        "PLN",
        "GBP",
        "SGD",
        "SEK",
        "CHF",
        "THB",
        "USD",
    ]
)


def payment_link(kind, value, *, amount, currency, note, payee_name):
    """A link that opens the payment app at the payee, with the amount where the app takes one
    in `currency` (`amount` a Decimal string like "12.50"); None for kinds without one."""
    if kind == PAYPAL:
        if currency in PAYPAL_CURRENCIES:
            return f"https://paypal.me/{quote(value)}/{amount}{currency}"
        return f"https://paypal.me/{quote(value)}"
    if kind == REVOLUT:
        return f"https://revolut.me/{quote(value)}"
    if kind == VENMO:
        query = {"txn": "pay", "amount": amount} if currency == "USD" else {"txn": "pay"}
        query["note"] = note
        return f"https://venmo.com/{quote(value)}?{urlencode(query, quote_via=quote)}"
    if kind == UPI:
        query = {"pa": value, "pn": payee_name, "tn": note}
        if currency == "INR":
            query.update(am=amount, cu="INR")
        return f"upi://pay?{urlencode(query, quote_via=quote, safe='@')}"
    if kind == LIGHTNING:
        return f"lightning:{value}"
    return None
