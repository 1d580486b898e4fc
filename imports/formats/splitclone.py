"""Reads our own export format back (docs/export-format.md), for an exact round trip.

Pure: no Django. The JSON Schema (imports/schema/splitclone-export-v1.schema.json) describes the
shape; this reader also checks what a schema cannot say (every member an entry names is
declared, payers and shares add up to the amount, no submission id twice), and names the entry
and the reason when it refuses. Fields it does not know are ignored, so that a file written by a
later release of the same version still reads.
"""

import datetime
import json
import re
import uuid
from decimal import Decimal, InvalidOperation

from expenses.splitting import SplitKind
from imports.parsed import (
    ConversionLinePart,
    ImportRefused,
    ParsedConversion,
    ParsedExpense,
    ParsedGroup,
    ParsedPayment,
    distinct_names,
)
from splitclone import fx
from splitclone.money import MAX_AMOUNT, MoneyError, get_currency
from splitclone.phrases import gettext_noop

NAME = "splitclone"
FORMAT = "splitclone-export"
VERSION = 1

# What the columns the entries are booked into hold (the tests compare them with the models).
LIMITS = {
    "description": 200,
    "notes": 2000,
    "category": 20,
    "note": 200,
    "entered": 40,
    "name": 100,
}

RATE_SOURCES = ("reference", "entered", "charged")
CONVERT_AT = ("entry", "settlement")
# The rates a conversion of open balances is booked at (`ledger.books.day_rates`).
CONVERSION_RATE_SOURCES = ("reference", "entered")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def looks_like(data: bytes) -> bool:
    """Whether `data` is a file of ours: JSON whose "format" says so."""
    try:
        document = _load(data)
    except ImportRefused:
        return False
    return isinstance(document, dict) and document.get("format") == FORMAT


def parse(data: bytes) -> ParsedGroup:
    document = _load(data)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRefused(
            gettext_noop(
                'This is not a Splitclone export: its "format" is not "%(expected)s".',
                expected=FORMAT,
            )
        )
    version = document.get("version")
    if version != VERSION:
        raise ImportRefused(
            gettext_noop(
                "This export is in version %(version)s of the format; this site reads version "
                "%(supported)s.",
                version=json.dumps(version),
                supported=VERSION,
            )
        )
    group = _object(document.get("group"), "group")
    currency = _text(group, "currency", "group", limit=3, required=True)
    try:
        get_currency(currency)
    except MoneyError as error:
        raise ImportRefused(gettext_noop("group: %(message)s", message=error.message)) from None
    people, stated, notices = _members(_list(document, "members", "the file"))
    expenses = [
        _expense(entry, gettext_noop("expense %(number)s", number=number), people, currency)
        for number, entry in enumerate(_list(document, "expenses", "the file"), start=1)
    ]
    payments = [
        _payment(entry, gettext_noop("payment %(number)s", number=number), people, currency)
        for number, entry in enumerate(_list(document, "payments", "the file"), start=1)
    ]
    _require_unique_submissions(expenses)
    _require_unique_submissions(payments)
    settings = _object(group.get("settings", {}), "group, settings")
    convert_at = settings.get("convert_at", "entry")
    if convert_at not in CONVERT_AT:
        raise ImportRefused(
            gettext_noop(
                'group: "convert_at" is %(convert_at)s, not one of %(known)s.',
                convert_at=_shown(convert_at),
                known=", ".join(CONVERT_AT),
            )
        )
    if convert_at != "settlement" and any(
        entry.shares_in_original for entry in [*expenses, *payments]
    ):
        raise ImportRefused(
            gettext_noop(
                'group: entries keep their shares in the currency spent, but "convert_at" is not '
                '"settlement".'
            )
        )
    conversions = [
        _conversion(entry, gettext_noop("conversion %(number)s", number=number), people, currency)
        for number, entry in enumerate(
            _list(document, "conversions", "the file") if "conversions" in document else [],
            start=1,
        )
    ]
    if conversions and convert_at != "settlement":
        raise ImportRefused(
            gettext_noop('conversion 1: the group\'s "convert_at" is not "settlement".')
        )
    return ParsedGroup(
        format=NAME,
        currency=currency,
        people=list(people.values()),
        expenses=expenses,
        payments=payments,
        name=_text(group, "name", "group", limit=LIMITS["name"]),
        stated_balances=stated,
        notices=notices,
        convert_at=convert_at,
        conversions=conversions,
    )


def _load(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            gettext_noop("This file is not UTF-8 text (byte %(start)s).", start=error.start)
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRefused(
            gettext_noop(
                "This file is not valid JSON: line %(lineno)s, column %(colno)s: %(msg)s. It may "
                "have been cut short.",
                lineno=error.lineno,
                colno=error.colno,
                msg=error.msg,
            )
        ) from None
    except RecursionError:
        raise ImportRefused(
            gettext_noop("This file's JSON is nested too deeply to read.")
        ) from None


def _members(entries):
    """{id in the file: distinct name}, {name: stated balance}, notices."""
    ids, names, balances = [], [], []
    for number, entry in enumerate(entries, start=1):
        where = gettext_noop("member %(number)s", number=number)
        entry = _object(entry, where)
        member_id = _integer(entry, "id", where)
        if member_id in ids:
            first = ids.index(member_id) + 1
            raise ImportRefused(
                gettext_noop(
                    "%(where)s: the id %(member_id)s is already member %(first)s's.",
                    where=where,
                    member_id=member_id,
                    first=first,
                )
            )
        ids.append(member_id)
        names.append(_text(entry, "name", where, limit=LIMITS["name"], required=True))
        balances.append(_integer(entry, "balance", where))
    distinct = distinct_names(names)
    notices = [
        gettext_noop(
            "member %(number)s: a second “%(name)s”, imported as “%(new)s”.",
            number=number,
            name=name,
            new=new,
        )
        for number, (name, new) in enumerate(zip(names, distinct, strict=True), start=1)
        if name != new
    ]
    people = dict(zip(ids, distinct, strict=True))
    return people, dict(zip(distinct, balances, strict=True)), notices


def _expense(entry, where, people, currency):
    entry = _object(entry, where)
    amount = _amount(entry, "amount", where)
    split_kind = _text(entry, "split_kind", where, limit=20, required=True)
    if split_kind not in SplitKind:
        known = ", ".join(kind.value for kind in SplitKind)
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "split_kind" is "%(split_kind)s", not one of %(known)s.',
                where=where,
                split_kind=split_kind,
                known=known,
            )
        )
    paid = {}
    for part in _list(entry, "paid", where):
        name, value = _part(part, where, people, paid, "paid")
        paid[name] = value
    owed, entered = {}, {}
    for part in _list(entry, "shares", where):
        name, value = _part(part, where, people, owed, "shares", may_be_zero=True)
        owed[name] = value
        entered[name] = _text(
            part,
            "entered",
            gettext_noop("%(where)s, shares", where=where),
            limit=LIMITS["entered"],
        )
    spent = _spent(entry, where, amount, currency)
    shares_in_original = _shares_in_original(entry, where, spent, currency)
    total = spent.original_amount if shares_in_original else amount
    for side, values in (("paid", paid), ("shares", owed)):
        if sum(values.values()) != total:
            raise ImportRefused(
                gettext_noop(
                    '%(where)s: the "%(side)s" amounts add up to %(value)s, not the amount '
                    "%(total)s.",
                    where=where,
                    side=side,
                    value=sum(values.values()),
                    total=total,
                )
            )
    date = _date(entry, "date", where)
    return ParsedExpense(
        description=_text(entry, "description", where, limit=LIMITS["description"], required=True),
        date=date,
        amount=amount,
        paid=paid,
        owed=owed,
        category=_text(entry, "category", where, limit=LIMITS["category"]),
        notes=_text(entry, "notes", where, limit=LIMITS["notes"]),
        source=where,
        split_kind=split_kind,
        entered=entered,
        submission_id=_submission_id(entry, where),
        deleted=_deleted(entry, where),
        spent=spent,
        shares_in_original=shares_in_original,
    )


def _shares_in_original(entry, where, spent, currency):
    """Whether the entry's paid and shares amounts are in the currency it was spent in."""
    shares_currency = entry.get("shares_currency", currency)
    if shares_currency == currency:
        return False
    if spent is None or shares_currency != spent.original_currency:
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "shares_currency" is %(shares_currency)s, neither the group\'s '
                "currency nor the one it was spent in.",
                where=where,
                shares_currency=_shown(shares_currency),
            )
        )
    return True


def _conversion(entry, where, people, currency):
    """A conversion of open balances and its lines, each line checked on its own: the
    ledger checks the arithmetic (`ledger.books.book_conversion`) when it is booked."""
    entry = _object(entry, where)
    lines = []
    for number, line in enumerate(_list(entry, "lines", where), start=1):
        at = gettext_noop("%(where)s, line %(number)s", where=where, number=number)
        line = _object(line, at)
        ends = []
        for key in ("member_a", "member_b"):
            member = _integer(line, key, at)
            if member not in people:
                raise ImportRefused(
                    gettext_noop(
                        '%(at)s: "%(key)s" is member %(member)s, who is not declared.',
                        at=at,
                        key=key,
                        member=member,
                    )
                )
            ends.append(people[member])
        line_currency = _text(line, "currency", at, limit=3, required=True)
        source = line.get("rate_source")
        if source not in CONVERSION_RATE_SOURCES:
            raise ImportRefused(
                gettext_noop(
                    '%(at)s: "rate_source" is %(source)s, not one of %(known)s.',
                    at=at,
                    source=_shown(source),
                    known=", ".join(CONVERSION_RATE_SOURCES),
                )
            )
        try:
            get_currency(line_currency)
            rate = fx.check_rate(Decimal(_text(line, "rate", at, limit=40, required=True)))
        except (MoneyError, InvalidOperation) as error:
            message = getattr(error, "message", gettext_noop("not a number"))
            raise ImportRefused(
                gettext_noop('%(at)s: "currency" or "rate": %(message)s', at=at, message=message)
            ) from None
        if line_currency == currency:
            raise ImportRefused(
                gettext_noop(
                    "%(at)s: the group's own currency %(currency)s is not converted.",
                    at=at,
                    currency=currency,
                )
            )
        lines.append(
            ConversionLinePart(
                currency=line_currency,
                rate=rate,
                rate_source=source,
                rate_date=None if line.get("rate_date") is None else _date(line, "rate_date", at),
                debtor=ends[0],
                creditor=ends[1],
                amount=_integer(line, "amount", at),
                converted=_integer(line, "converted", at),
            )
        )
    if not lines:
        raise ImportRefused(gettext_noop("%(where)s: it has no lines.", where=where))
    return ParsedConversion(date=_date(entry, "date", where), lines=lines, source=where)


def _spent(entry, where, amount, currency):
    """What the entry was spent in and at which rate, or None if in the group's currency (and
    in a file from before currencies, which has none of these fields)."""
    source = entry.get("rate_source", "same")
    if source == "same":
        for key, expected in (("original_amount", amount), ("original_currency", currency)):
            if entry.get(key, expected) != expected:
                raise ImportRefused(
                    gettext_noop(
                        '%(where)s: "%(key)s" differs from the amount\'s, but "rate_source" is '
                        '"same".',
                        where=where,
                        key=key,
                    )
                )
        return None
    if source not in RATE_SOURCES:
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "rate_source" is %(source)s, not one of same, %(known)s.',
                where=where,
                source=_shown(source),
                known=", ".join(RATE_SOURCES),
            )
        )
    original_currency = _text(entry, "original_currency", where, limit=3, required=True)
    try:
        get_currency(original_currency)
        rate = fx.check_rate(Decimal(_text(entry, "rate", where, limit=40, required=True)))
    except (MoneyError, InvalidOperation) as error:
        message = getattr(error, "message", gettext_noop("not a number"))
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "original_currency" or "rate": %(message)s',
                where=where,
                message=message,
            )
        ) from None
    rate_date = None if entry.get("rate_date") is None else _date(entry, "rate_date", where)
    return fx.Conversion(
        _amount(entry, "original_amount", where), original_currency, rate, source, rate_date
    )


def _part(part, where, people, seen, side, *, may_be_zero=False):
    """One payer or share: (the member's name, amount), checked against the members."""
    at = gettext_noop('%(where)s, "%(side)s"', where=where, side=side)
    part = _object(part, at)
    member = _integer(part, "member", at)
    if member not in people:
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "%(side)s" names member %(member)s, who is not declared.',
                where=where,
                side=side,
                member=member,
            )
        )
    name = people[member]
    if name in seen:
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "%(side)s" names %(name)s twice.', where=where, side=side, name=name
            )
        )
    return name, _amount(part, "amount", at, may_be_zero=may_be_zero)


def _payment(entry, where, people, currency):
    entry = _object(entry, where)
    ends = []
    for key in ("from", "to"):
        member = _integer(entry, key, where)
        if member not in people:
            raise ImportRefused(
                gettext_noop(
                    '%(where)s: "%(key)s" is member %(member)s, who is not declared.',
                    where=where,
                    key=key,
                    member=member,
                )
            )
        ends.append(people[member])
    sender, receiver = ends
    if sender == receiver:
        raise ImportRefused(
            gettext_noop("%(where)s: %(sender)s pays themselves.", where=where, sender=sender)
        )
    amount = _amount(entry, "amount", where)
    spent = _spent(entry, where, amount, currency)
    return ParsedPayment(
        sender=sender,
        receiver=receiver,
        amount=amount,
        date=_date(entry, "date", where),
        note=_text(entry, "note", where, limit=LIMITS["note"]),
        source=where,
        submission_id=_submission_id(entry, where),
        deleted=_deleted(entry, where),
        spent=spent,
        shares_in_original=_shares_in_original(entry, where, spent, currency),
    )


def _require_unique_submissions(entries):
    first = {}
    for entry in entries:
        if entry.submission_id in first:
            raise ImportRefused(
                gettext_noop(
                    "%(source)s: its submission id is also %(first)s's.",
                    source=entry.source,
                    first=first[entry.submission_id],
                )
            )
        first[entry.submission_id] = entry.source


def _object(value, where):
    if not isinstance(value, dict):
        raise ImportRefused(
            gettext_noop(
                "%(where)s: expected an object, found %(value)s.", where=where, value=_shown(value)
            )
        )
    return value


def _list(entry, key, where):
    value = entry.get(key)
    if not isinstance(value, list):
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "%(key)s" must be a list, not %(value)s.',
                where=where,
                key=key,
                value=_shown(value),
            )
        )
    return value


def _text(entry, key, where, *, limit, required=False):
    value = entry.get(key)
    if not isinstance(value, str):
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "%(key)s" must be text, not %(value)s.',
                where=where,
                key=key,
                value=_shown(value),
            )
        )
    if required and not value.strip():
        raise ImportRefused(gettext_noop('%(where)s: "%(key)s" is empty.', where=where, key=key))
    if len(value) > limit:
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "%(key)s" is longer than %(limit)s characters.',
                where=where,
                key=key,
                limit=limit,
            )
        )
    if "\x00" in value:
        raise ImportRefused(
            gettext_noop('%(where)s: "%(key)s" contains a NUL character.', where=where, key=key)
        )
    return value


def _integer(entry, key, where):
    value = entry.get(key)
    # bool is an int in Python, but true is not a number in the file.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "%(key)s" must be a whole number, not %(value)s.',
                where=where,
                key=key,
                value=_shown(value),
            )
        )
    return value


def _amount(entry, key, where, *, may_be_zero=False):
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "%(key)s" must be a whole number of minor units (cents), not '
                "%(value)s.",
                where=where,
                key=key,
                value=_shown(value),
            )
        )
    if value < (0 if may_be_zero else 1) or value > MAX_AMOUNT:
        least = "0" if may_be_zero else "1"
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "%(key)s" is %(value)s, outside %(least)s to %(most)s.',
                where=where,
                key=key,
                value=value,
                least=least,
                most=MAX_AMOUNT,
            )
        )
    return value


def _date(entry, key, where):
    value = entry.get(key)
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ImportRefused(
        gettext_noop(
            '%(where)s: "%(key)s" must be a date like 2026-11-02, not %(value)s.',
            where=where,
            key=key,
            value=_shown(value),
        )
    )


def _submission_id(entry, where):
    value = entry.get("submission_id")
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "submission_id" must be a UUID, not %(value)s.',
                where=where,
                value=_shown(value),
            )
        ) from None


def _deleted(entry, where):
    value = entry.get("deleted_at", None)
    if value is not None and not isinstance(value, str):
        raise ImportRefused(
            gettext_noop(
                '%(where)s: "deleted_at" must be a time or null, not %(value)s.',
                where=where,
                value=_shown(value),
            )
        )
    return value is not None


def _shown(value):
    """A value as the file has it, cut short, for a message."""
    text = json.dumps(value, ensure_ascii=False) if value is not None else "nothing"
    return text if len(text) <= 40 else text[:39] + "…"
