"""Spliit's group export, JSON (``/groups/<id>/expenses/export/json``).

What the file holds (spliit-app/spliit: the export route, ``prisma/schema.prisma``,
``src/lib/shares.ts``)::

    {"id", "name", "information", "currency": "€", "currencyCode": "EUR" | null,
     "expenses": [{"id", "createdAt", "expenseDate": "2024-07-01T00:00:00.000Z", "title",
       "category": {"grouping", "name"} | null, "amount": Int, "originalAmount",
       "originalCurrency", "conversionRate", "paidById",
       "paidFor": [{"participantId", "shares": Int}], "isReimbursement",
       "splitMode": "EVENLY" | "BY_SHARES" | "BY_PERCENTAGE" | "BY_AMOUNT",
       "recurrenceRule", "notes"}],
     "participants": [{"id", "name"}], "activities": [...]}

Older exports lack what was added later: the expense ``id``, ``notes`` and ``information``
(2026-08), ``originalAmount`` and its kin, ``currencyCode`` (2025-04; before it only the symbol
says which currency). ``amount`` is in minor units of the group's currency, already converted
when the expense was entered in another one, so it is taken as it is and must be an integer.

Spliit splits every mode as a ratio, ``amount × shares / Σ shares`` (EVENLY ignores the shares),
even when percentages do not add up to 100% or amounts to the total; so do we, with a notice.
Since 2026-08 it rounds by largest remainder over the participants sorted by id, breaking ties
from a position picked by an FNV-1a hash of the expense id; we give the leftover units in that
same order, so the balances equal Spliit's to the cent. A reimbursement is imported as payments.
"""

import datetime
from decimal import Decimal
from fractions import Fraction

from imports.formats._bills import (
    Bill,
    GroupBuilder,
    decode,
    listing,
    load_json,
    strip_bom,
)
from imports.parsed import ImportRefused, ParsedGroup
from splitclone import fx
from splitclone.money import CURRENCIES
from splitclone.phrases import gettext_noop

_FORMAT = "spliit"

_SPLIT_MODES = ("EVENLY", "BY_SHARES", "BY_PERCENTAGE", "BY_AMOUNT")
# Spliit's category 0, which every expense has unless someone picks another.
_NO_CATEGORY = {"grouping": "Uncategorized", "name": "General"}
_PERCENT_TOTAL = 100_00

_FRACTION_NOTE_SPLIIT = gettext_noop(
    "each share was rounded as Spliit has rounded it since August 2026, so the balances equal "
    "Spliit's to the cent. An older Spliit may show a balance one cent apart per such expense; "
    "the group still sums to exactly 0."
)
_FRACTION_NOTE_NO_IDS = gettext_noop(
    "the file has no expense ids (it was exported before August 2026), so who gets a leftover "
    "cent may differ from Spliit: a balance may be one cent apart per such expense; the group "
    "still sums to exactly 0."
)


def looks_like(data: bytes) -> bool:
    head = strip_bom(data)
    # "participants" comes last in the file; a cut-off export still shows its expenses.
    return (
        head.startswith(b"{")
        and b'"expenses"' in head
        and any(key in head for key in (b'"participants"', b'"expenseDate"'))
    )


def parse(data: bytes) -> ParsedGroup:
    group = load_json(decode(data))
    if not (
        isinstance(group, dict)
        and isinstance(group.get("participants"), list)
        and isinstance(group.get("expenses"), list)
    ):
        raise ImportRefused(
            gettext_noop(
                "This is not a Spliit group export: it has no list of “participants” and of "
                "“expenses”."
            )
        )
    notices: list[str] = []
    names = _participants(group["participants"], notices)
    builder = GroupBuilder(names.values())
    builder.notices += notices
    currency = _currency(group, builder)
    unequal = {"BY_PERCENTAGE": [], "BY_AMOUNT": []}
    mismatched: list[str] = []
    without_id = False
    for index, expense in enumerate(group["expenses"], 1):
        if not isinstance(expense, dict):
            raise ImportRefused(
                gettext_noop("expense %(index)s is not an expense: it has no fields.", index=index)
            )
        without_id |= not isinstance(expense.get("id"), str)
        builder.add(_bill(index, expense, names, unequal, currency, mismatched))
    if unequal["BY_PERCENTAGE"]:
        builder.notices.append(
            gettext_noop(
                "The percentages of these expenses do not add up to 100%%; they were applied in "
                "proportion, as Spliit does: %(value)s.",
                value=listing(unequal["BY_PERCENTAGE"]),
            )
        )
    if unequal["BY_AMOUNT"]:
        builder.notices.append(
            gettext_noop(
                "The amounts of these expenses' shares do not add up to the expense; they were "
                "applied in proportion, as Spliit does: %(value)s.",
                value=listing(unequal["BY_AMOUNT"]),
            )
        )
    if mismatched:
        builder.notices.append(
            gettext_noop(
                "The amount spent in another currency of these expenses does not match their "
                "amount at Spliit's rate (older Spliit versions stored it in whole units), so "
                "only their amount in the group's currency was imported: %(value)s.",
                value=listing(mismatched),
            )
        )
    name = group.get("name")
    return builder.group(
        format=_FORMAT,
        currency=currency,
        name=name if isinstance(name, str) else "",
        fraction_note=_FRACTION_NOTE_NO_IDS if without_id else _FRACTION_NOTE_SPLIIT,
    )


def _participants(participants: list, notices: list[str]) -> dict[str, str]:
    """Participant id → name; a name used twice gets a number, as names identify people here."""
    names: dict[str, str] = {}
    renamed = []
    for index, participant in enumerate(participants, 1):
        source = gettext_noop("participant %(index)s", index=index)
        if not isinstance(participant, dict):
            raise ImportRefused(
                gettext_noop("%(source)s is not a participant: it has no fields.", source=source)
            )
        id_, name = participant.get("id"), participant.get("name")
        if not isinstance(id_, str) or not id_:
            raise ImportRefused(gettext_noop("%(source)s has no id.", source=source))
        if not isinstance(name, str) or not name:
            raise ImportRefused(gettext_noop("%(source)s has no name.", source=source))
        if id_ in names:
            raise ImportRefused(
                gettext_noop(
                    "%(source)s: the id “%(id)s” belongs to another participant too.",
                    source=source,
                    id=id_,
                )
            )
        taken = set(names.values())
        if name in taken:
            number = 2
            while f"{name} ({number})" in taken:
                number += 1
            renamed.append(
                gettext_noop(
                    "“%(name)s” (%(source)s) is called “%(name)s (%(number)s)”",
                    name=name,
                    source=source,
                    number=number,
                )
            )
            name = f"{name} ({number})"
        names[id_] = name
    if renamed:
        notices.append(
            gettext_noop(
                "Several participants share a name, so the later ones were numbered: %(value)s.",
                value=listing(renamed),
            )
        )
    return names


def _currency(group: dict, builder: GroupBuilder) -> str:
    code = group.get("currencyCode")
    if isinstance(code, str) and code:
        if code not in CURRENCIES:
            raise ImportRefused(
                gettext_noop(
                    "The group's currency “%(code)s” is not one this app knows.", code=code
                )
            )
        return code
    symbol = group.get("currency")
    builder.notices.append(
        gettext_noop(
            "The file names the group's currency only by its symbol “%(symbol)s” (Spliit "
            "exports carry the code since April 2025); its amounts are in that currency's "
            "smallest unit.",
            symbol=symbol,
        )
        if isinstance(symbol, str) and symbol
        else gettext_noop(
            "The file does not say which currency the amounts are in; they are in its smallest "
            "unit."
        )
    )
    return ""


def _bill(
    index: int,
    expense: dict,
    names: dict[str, str],
    unequal: dict,
    currency: str,
    mismatched: list[str],
) -> Bill:
    title = expense.get("title")
    if not isinstance(title, str):
        raise ImportRefused(gettext_noop("expense %(index)s has no title.", index=index))
    source = gettext_noop("expense %(index)s (“%(title)s”)", index=index, title=title)
    amount = expense.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ImportRefused(
            gettext_noop(
                "%(source)s: the amount “%(amount)s” is not a whole number of minor units "
                "(Spliit stores 12.50 as 1250).",
                source=source,
                amount=_shown(amount),
            )
        )
    payer = _name(expense.get("paidById"), names, source)
    mode = expense.get("splitMode") or "EVENLY"
    if mode not in _SPLIT_MODES:
        raise ImportRefused(
            gettext_noop(
                "%(source)s: the split mode “%(mode)s” is not one Spliit has.",
                source=source,
                mode=_shown(mode),
            )
        )
    paid_for = expense.get("paidFor")
    if not isinstance(paid_for, list) or not all(isinstance(row, dict) for row in paid_for):
        raise ImportRefused(
            gettext_noop("%(source)s: “paidFor” is not a list of participants.", source=source)
        )
    ids = [row.get("participantId") for row in paid_for]
    shares = [1 if mode == "EVENLY" else _share(row, names, source) for row in paid_for]
    if mode in unequal and sum(shares) != (_PERCENT_TOTAL if mode == "BY_PERCENTAGE" else amount):
        unequal[mode].append(source)
    order = _spliit_order(ids, expense.get("id"))
    notes = expense.get("notes")
    return Bill(
        source=source,
        description=title,
        date=_date(expense.get("expenseDate"), source),
        payer=payer,
        amount=Fraction(amount),
        owers=[(_name(ids[i], names, source), Fraction(shares[i])) for i in order],
        reimbursement=expense.get("isReimbursement") is True,
        category=_category(expense.get("category")),
        notes=notes if isinstance(notes, str) else "",
        spent=_spent(expense, amount, currency, source, mismatched),
    )


def _spent(
    expense: dict, amount: int, currency: str, source: str, mismatched: list[str]
) -> fx.Conversion | None:
    """What an expense entered in another currency cost in it, kept beside ``amount``.

    Spliit's balances use ``amount``, converted when the expense was entered, so it is booked
    as it is: as an amount charged (docs/currencies.md), the rate derived from the two amounts.
    Re-converting at the ECB's rate would move every balance away from Spliit's. An original
    amount that ``conversionRate`` does not turn into ``amount`` (to 1%) is left out, with a
    notice: rows of older Spliit versions hold it in major units.
    """
    original, code = expense.get("originalAmount"), expense.get("originalCurrency")
    if (
        not currency
        or not isinstance(code, str)
        or code in ("", currency)
        or code not in CURRENCIES
        or isinstance(original, bool)
        or not isinstance(original, int)
        or original <= 0
        or amount == 0
    ):
        return None
    charged = abs(amount)
    try:
        rate = Decimal(str(expense.get("conversionRate")))
        expected = (
            Decimal(original)
            * rate
            * 10 ** CURRENCIES[currency].exponent
            / 10 ** CURRENCIES[code].exponent
        )
        if abs(expected - charged) > max(1, charged / 100):
            raise ArithmeticError
        return fx.Conversion(
            original, code, fx.derived_rate(original, code, charged, currency), "charged"
        )
    except (ArithmeticError, fx.MoneyError):
        mismatched.append(source)
        return None


def _name(participant_id: object, names: dict[str, str], source: str) -> str:
    if participant_id not in names:
        raise ImportRefused(
            gettext_noop(
                "%(source)s: “%(participant_id)s” is not one of the group's participants.",
                source=source,
                participant_id=_shown(participant_id),
            )
        )
    return names[participant_id]


def _share(row: dict, names: dict[str, str], source: str) -> int:
    shares = row.get("shares")
    if isinstance(shares, bool) or not isinstance(shares, int):
        name = _name(row.get("participantId"), names, source)
        raise ImportRefused(
            gettext_noop(
                "%(source)s: the share of “%(name)s”, “%(shares)s”, is not a whole number.",
                source=source,
                name=name,
                shares=_shown(shares),
            )
        )
    return shares


def _spliit_order(ids: list, expense_id: object) -> list[int]:
    """The order in which Spliit offers leftover units: by participant id, then rotated.

    JavaScript compares strings by UTF-16 code units, and hashes them by code unit too.
    """
    by_id = sorted(range(len(ids)), key=lambda i: str(ids[i]).encode("utf-16-be"))
    if not by_id or not isinstance(expense_id, str):
        return by_id
    offset = _fnv1a(expense_id) % len(by_id)
    return by_id[offset:] + by_id[:offset]


def _fnv1a(text: str) -> int:
    digest = 0x811C9DC5
    encoded = text.encode("utf-16-be")
    for position in range(0, len(encoded), 2):
        digest ^= int.from_bytes(encoded[position : position + 2])
        digest = (digest * 0x01000193) & 0xFFFFFFFF
    return digest


def _date(value: object, source: str) -> datetime.date:
    """The expense's day: Spliit stores a date, exported as midnight UTC."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImportRefused(
            gettext_noop(
                "%(source)s: the date “%(value)s” is not a date.",
                source=source,
                value=_shown(value),
            )
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return moment.date()


def _category(category: object) -> str:
    if not isinstance(category, dict) or category == _NO_CATEGORY:
        return ""
    parts = [category.get(key) for key in ("grouping", "name")]
    return " / ".join(part for part in parts if isinstance(part, str) and part)


def _shown(value: object) -> str:
    """A JSON value as the file writes it, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
