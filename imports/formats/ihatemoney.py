"""IHateMoney's bills export, as JSON or CSV (``/<project>/export/bills.json`` or ``.csv``).

What the file holds (IHateMoney 5.2 to 7.x, ``get_pretty_bills`` and ``utils.py``):

- JSON: a list of bills ``{"what", "bill_type", "amount", "currency", "date", "payer_name",
  "payer_weight", "owers": [names]}``, newest first. ``bill_type`` ("Expense" or
  "Reimbursement") exists since 7.0; older files have none and every bill is an expense.
  ``amount`` is a float rounded to 2 decimals, in the bill's ``currency`` ("XXX": none).
- CSV: the same keys as its header, written by ``csv.writer`` (CRLF, quotes only where needed);
  the owers are one field joined by ", "; numbers are ``str(float)`` ("12.5", "2.0"). A text
  that starts with = + - @, a tab or a line break gets a ``'`` in front, so spreadsheets do not
  run it as a formula; we remove it again, and a notice says where.

How balances are computed there: the payer gets +amount, each ower −amount × weight / Σ weights
of the bill's owers, whether the bill is an expense or a reimbursement (which we import as
payments). Weights belong to members and the file carries only each payer's: an ower who never
paid gets weight 1, as IHateMoney's own import does, and a notice names them. IHateMoney keeps
the fractional shares as floats; see `imports.formats._bills` for how we round them.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from imports.formats._bills import (
    Bill,
    GroupBuilder,
    NameSplitter,
    csv_rows,
    decode,
    iso_date,
    listing,
    load_json,
    minor_units,
    number,
    strip_bom,
)
from imports.parsed import ImportRefused, ParsedGroup
from splitclone.money import CURRENCIES
from splitclone.phrases import Joined, gettext_noop

_FORMAT = "ihatemoney"

_REQUIRED = ("what", "amount", "date", "payer_name", "payer_weight", "owers")
_OPTIONAL = ("bill_type", "currency")
_CURRENT_HEADER = "what, bill_type, amount, currency, date, payer_name, payer_weight, owers"
_NO_CURRENCY = "XXX"
_BILL_TYPES = {"Expense": False, "Reimbursement": True}
# What ``escape_csv_formulae`` puts a ' in front of.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\n")
_OWERS_JOINER = ", "

_FRACTION_NOTE = gettext_noop(
    "each share was rounded to a whole cent so that the shares add up to the bill. IHateMoney "
    "keeps the fractions, so a balance may differ from IHateMoney's by at most one cent per "
    "such bill; the group still sums to exactly 0."
)


@dataclass(frozen=True)
class _Row:
    """A bill as read from either file, before weights and currency are known for all."""

    source: str
    what: str
    reimbursement: bool
    amount: Fraction
    currency: str | None
    date: datetime.date
    payer: str
    payer_weight: Fraction
    owers: list[str]


def looks_like(data: bytes) -> bool:
    head = strip_bom(data)
    if head.startswith(b"["):
        return b'"payer_name"' in head and b'"owers"' in head
    first_line = head.split(b"\n", 1)[0].rstrip(b"\r")
    return _is_header(first_line.decode("utf-8", "replace").split(","))


def parse(data: bytes) -> ParsedGroup:
    text = decode(data)
    start = text.lstrip()[:1]
    if start == "{":
        raise ImportRefused(
            gettext_noop(
                "This is not an IHateMoney bills export: it holds one JSON object, where "
                "IHateMoney exports a list of bills."
            )
        )
    builder = GroupBuilder()
    rows = _json_rows(text) if start == "[" else _csv_rows(text, builder)
    if not rows:
        raise ImportRefused(gettext_noop("The file has no bills, so there is nothing to import."))
    currency = _currency(rows, builder)
    weights = _weights(rows, builder)
    scale = minor_units(currency)
    for row in rows:
        builder.add(
            Bill(
                source=row.source,
                description=row.what,
                date=row.date,
                payer=row.payer,
                amount=row.amount * scale,
                owers=[(name, weights.get(name, Fraction(1))) for name in row.owers],
                reimbursement=row.reimbursement,
            )
        )
    return builder.group(format=_FORMAT, currency=currency, fraction_note=_FRACTION_NOTE)


def _is_header(fields: list[str]) -> bool:
    names = set(fields)
    return (
        len(names) == len(fields)
        and names.issuperset(_REQUIRED)
        and names.issubset(_REQUIRED + _OPTIONAL)
    )


def _json_rows(text: str) -> list[_Row]:
    rows = []
    # The text starts with "[", so this is a list.
    for index, bill in enumerate(load_json(text), 1):
        source = gettext_noop("bill %(index)s", index=index)
        if not isinstance(bill, dict):
            raise ImportRefused(
                gettext_noop("%(source)s is not a bill: it has no fields.", source=source)
            )
        missing = [key for key in _REQUIRED if key not in bill]
        if missing:
            raise ImportRefused(
                gettext_noop("%(source)s has no “%(missing)s”.", source=source, missing=missing[0])
            )
        owers = bill["owers"]
        if not isinstance(owers, list) or not all(isinstance(name, str) for name in owers):
            raise ImportRefused(
                gettext_noop("%(source)s: “owers” is not a list of names.", source=source)
            )
        rows.append(
            _row(
                source,
                what=_text(bill, "what", source),
                bill_type=_optional_text(bill, "bill_type", source),
                amount=_json_number(bill["amount"], source, gettext_noop("amount")),
                currency=_optional_text(bill, "currency", source),
                date=_text(bill, "date", source),
                payer=_text(bill, "payer_name", source),
                payer_weight=_json_number(
                    bill["payer_weight"], source, gettext_noop("payer weight")
                ),
                owers=owers,
            )
        )
    return rows


def _text(bill: dict, key: str, source: str) -> str:
    value = bill[key]
    if not isinstance(value, str):
        raise ImportRefused(
            gettext_noop("%(source)s: “%(key)s” is not text.", source=source, key=key)
        )
    return value


def _optional_text(bill: dict, key: str, source: str) -> str | None:
    return _text(bill, key, source) if bill.get(key) is not None else None


def _json_number(value: object, source: str, what: str) -> Fraction:
    # Numbers come as int or (parse_float) Decimal; str() gives back the digits as written.
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise ImportRefused(
            gettext_noop("%(source)s: the %(what)s is not a number.", source=source, what=what)
        )
    return number(str(value), source, what)


def _csv_rows(text: str, builder: GroupBuilder) -> list[_Row]:
    rows = csv_rows(text)
    line, header = next(rows)
    if not _is_header(header):
        raise ImportRefused(
            gettext_noop(
                "line %(line)s: this is not an IHateMoney bills export: the header is "
                "“%(header)s”, where IHateMoney writes %(expected)s.",
                line=line,
                header=",".join(header),
                expected=_CURRENT_HEADER,
            )
        )
    unescaped = []
    fields_by_line = []
    for line, row in rows:
        if not row:
            continue
        source = gettext_noop("line %(line)s", line=line)
        if len(row) != len(header):
            raise ImportRefused(
                gettext_noop(
                    "%(source)s: %(fields)s fields where the header has %(columns)s; is "
                    "the line cut off?",
                    source=source,
                    fields=len(row),
                    columns=len(header),
                )
            )
        fields = dict(zip(header, row, strict=True))
        for key in ("what", "payer_name", "owers"):
            value = fields[key]
            if len(value) > 1 and value[0] == "'" and value.startswith(_FORMULA_STARTS, 1):
                fields[key] = value[1:]
                unescaped.append(source)
        fields_by_line.append((source, fields))
    if unescaped:
        builder.notices.append(
            gettext_noop(
                "IHateMoney writes a ' before a text that starts with =, +, -, @, a tab or a "
                "line break, so that spreadsheets do not run it as a formula; it was removed "
                "again in: %(value)s.",
                value=listing(sorted(set(unescaped), key=unescaped.index)),
            )
        )
    split_owers = NameSplitter(
        _OWERS_JOINER, (fields["payer_name"] for _, fields in fields_by_line)
    )
    return [
        _row(
            source,
            what=fields["what"],
            bill_type=fields.get("bill_type"),
            amount=number(fields["amount"], source, gettext_noop("amount")),
            currency=fields.get("currency"),
            date=fields["date"],
            payer=fields["payer_name"],
            payer_weight=number(fields["payer_weight"], source, gettext_noop("payer weight")),
            owers=split_owers(fields["owers"]),
        )
        for source, fields in fields_by_line
    ]


def _row(source: str, *, bill_type: str | None, date: str, **fields) -> _Row:
    if bill_type is not None and bill_type not in _BILL_TYPES:
        raise ImportRefused(
            gettext_noop(
                "%(source)s: the bill type “%(bill_type)s” is neither Expense nor Reimbursement.",
                source=source,
                bill_type=bill_type,
            )
        )
    return _Row(
        source=source,
        reimbursement=_BILL_TYPES.get(bill_type, False),
        date=iso_date(date, source),
        **fields,
    )


def _currency(rows: list[_Row], builder: GroupBuilder) -> str:
    """The one currency of all bills, "" if none is named; refuse several, as no rates exist."""
    first_seen: dict[str | None, str] = {}
    for row in rows:
        code = None if row.currency in (None, "", _NO_CURRENCY) else row.currency
        first_seen.setdefault(code, row.source)
    if len(first_seen) > 1:
        seen = Joined(
            [
                gettext_noop("%(code)s (%(source)s)", code=code, source=source)
                if code
                else gettext_noop("no currency (%(source)s)", source=source)
                for code, source in first_seen.items()
            ]
        )
        raise ImportRefused(
            gettext_noop(
                "The bills are in several currencies: %(seen)s. The file carries no exchange "
                "rates, so the balances IHateMoney shows cannot be reproduced.",
                seen=seen,
            )
        )
    [(code, source)] = first_seen.items()
    if code is None:
        builder.notices.append(
            gettext_noop(
                "The file does not say which currency the amounts are in; they were read with "
                "two decimals."
            )
        )
        return ""
    if code not in CURRENCIES:
        raise ImportRefused(
            gettext_noop(
                "%(source)s: the currency “%(code)s” is not one this app knows.",
                source=source,
                code=code,
            )
        )
    return code


def _weights(rows: list[_Row], builder: GroupBuilder) -> dict[str, Fraction]:
    """Each payer's weight, which the file repeats on each of their bills."""
    weights: dict[str, tuple[Fraction, str]] = {}
    for row in rows:
        if row.payer_weight < 0:
            raise ImportRefused(
                gettext_noop(
                    "%(source)s: “%(payer)s” has a negative weight.",
                    source=row.source,
                    payer=row.payer,
                )
            )
        weight, source = weights.setdefault(row.payer, (row.payer_weight, row.source))
        if weight != row.payer_weight:
            raise ImportRefused(
                gettext_noop(
                    "%(source)s: “%(payer)s” has weight %(value)s here but %(value2)s in "
                    "%(source2)s; IHateMoney gives each member one weight.",
                    source=row.source,
                    payer=row.payer,
                    value=f"{float(row.payer_weight):g}",
                    value2=f"{float(weight):g}",
                    source2=source,
                )
            )
    never_paid = list(
        dict.fromkeys(name for row in rows for name in row.owers if name not in weights)
    )
    if never_paid:
        builder.notices.append(
            gettext_noop(
                "The file carries no weight for people who never paid a bill; weight 1 was used, "
                "as IHateMoney's own import does (if a weight was different, that person's "
                "shares differ): %(value)s.",
                value=listing(never_paid),
            )
        )
    return {name: weight for name, (weight, _) in weights.items()}
