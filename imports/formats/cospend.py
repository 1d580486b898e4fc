"""Cospend's project export, CSV (julien-nc/cospend-nc, ``CospendService::getJsonProject``).

The file is sections separated by blank lines, each known by its header::

    name,weight,active,color
    what,amount,date,timestamp,payer_name,payer_weight,payer_active,owers,repeat,repeatfreq,
        repeatallactive,repeatuntil,categoryid,paymentmode,paymentmodeid,comment,deleted
    categoryname,categoryid,icon,color          (when the project has categories)
    paymentmodename,paymentmodeid,icon,color    (when it has payment modes)
    currencyname,exchange_rate                  (when it has other currencies; main one first)

Before September 2021 there was no members section: the bills section came first and declared
each member with a fake bill ``deleteMeIfYouWant`` paid by that member, with their weight;
owers were joined by ", " and there was no ``deleted`` column. Numbers are PHP's
``strval(float)`` ("50", "17.5"); what, payer, owers and comment are quoted, with quotes inside
doubled only since January 2026 (older lines with such a quote are refused, naming the line);
the comment is URL-encoded; ``date`` is the UTC day of ``timestamp``.

Balances there: the payer gets +amount, each ower −amount × weight / Σ weights with the owers'
member weights, a weight of 0 counting as 1; deleted bills (in the trash) count for nothing.
Amounts are always in the main currency; the currencies section only feeds Cospend's converter.
Bills in the hard-coded category −11 (Reimbursement) are imported as payments.

Every person must be declared (in the members section or by a fake bill): a payer or ower the
file does not declare has no known weight, and is refused rather than guessed.
"""

import datetime
import urllib.parse
from dataclasses import dataclass
from fractions import Fraction

from imports.formats._bills import (
    Bill,
    GroupBuilder,
    NameSplitter,
    csv_rows,
    decode,
    iso_date,
    listing,
    minor_units,
    number,
    strip_bom,
)
from imports.parsed import ImportRefused, ParsedGroup
from splitclone.money import CURRENCIES
from splitclone.phrases import gettext_noop

_FORMAT = "cospend"

_MEMBER_DECLARATION = "deleteMeIfYouWant"
_REIMBURSEMENT = -11
# Categories older Cospend versions had built in, before each project had its own list.
_BUILT_IN_CATEGORIES = {
    -1: "Grocery",
    -2: "Bar/Party",
    -3: "Rent",
    -4: "Bill",
    -5: "Excursion/Culture",
    -6: "Health",
    -10: "Shopping",
    -12: "Restaurant",
    -13: "Accommodation",
    -14: "Transport",
    -15: "Sport",
}
# Section → the columns that identify its header, as Cospend's own import tells them apart.
_SECTIONS = {
    "members": ("name", "weight", "active", "color"),
    "bills": ("what", "amount", "payer_name", "payer_weight", "owers"),
    "categories": ("categoryname", "categoryid"),
    "paymentmodes": ("paymentmodename", "paymentmodeid"),
    "currencies": ("currencyname", "exchange_rate"),
}
_OWERS_JOINER = ","

_FRACTION_NOTE = gettext_noop(
    "each share was rounded to a whole cent so that the shares add up to the bill. Cospend "
    "keeps the fractions, so a balance may differ from Cospend's by at most one cent per such "
    "bill; the group still sums to exactly 0."
)


@dataclass(frozen=True)
class _Member:
    weight: Fraction
    source: str


def looks_like(data: bytes) -> bool:
    first_line = strip_bom(data).split(b"\n", 1)[0].rstrip(b"\r")
    columns = first_line.decode("utf-8", "replace").split(",")
    return columns == list(_SECTIONS["members"]) or (
        set(_SECTIONS["bills"]).issubset(columns) and "payer_active" in columns
    )


def parse(data: bytes) -> ParsedGroup:
    sections = _sections(decode(data))
    if "bills" not in sections:
        raise ImportRefused(
            gettext_noop("This Cospend file has no bills section, so there is nothing to import.")
        )
    notices: list[str] = []
    members = _members(sections, notices)
    builder = GroupBuilder(members)
    builder.notices += notices
    categories = _categories(sections.get("categories", []))
    currency = _currency(sections.get("currencies", []), builder)
    scale = minor_units(currency)
    split_owers = NameSplitter(_OWERS_JOINER, members)
    # Cospend counts a weight of 0 as 1.
    weights = {name: member.weight or Fraction(1) for name, member in members.items()}
    deleted = []
    unknown_categories = []
    for source, bill in sections["bills"]:
        if bill["what"] == _MEMBER_DECLARATION:
            continue
        if _deleted(bill, source):
            deleted.append(source)
            continue
        payer = _declared(bill["payer_name"], members, source)
        owers = [_declared(name, members, source) for name in split_owers(bill["owers"])]
        category_id = _category_id(bill, source)
        category = categories.get(category_id, _BUILT_IN_CATEGORIES.get(category_id, ""))
        if category_id not in (0, _REIMBURSEMENT) and not category:
            unknown_categories.append(source)
        builder.add(
            Bill(
                source=source,
                description=bill["what"],
                date=_date(bill, source),
                payer=payer,
                amount=number(bill["amount"], source, gettext_noop("amount")) * scale,
                # Only a missing name has no weight; the builder refuses it for what it is.
                owers=[(name, weights.get(name, Fraction(1))) for name in owers],
                reimbursement=category_id == _REIMBURSEMENT,
                category=category,
                notes=_comment(bill, source),
            )
        )
    if deleted:
        builder.notices.append(
            gettext_noop(
                "Deleted bills (in Cospend's trash) were left out: %(value)s.",
                value=listing(deleted),
            )
        )
    if unknown_categories:
        builder.notices.append(
            gettext_noop(
                "These bills name a category the file does not list, and were imported without a "
                "category: %(value)s.",
                value=listing(unknown_categories),
            )
        )
    return builder.group(format=_FORMAT, currency=currency, fraction_note=_FRACTION_NOTE)


def _sections(text: str) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Section name → its rows as (source, column → value), in file order."""
    sections: dict[str, list[tuple[str, dict[str, str]]]] = {}
    header = None
    for line, row in csv_rows(text):
        if not any(row):
            header = None
            continue
        if header is None:
            header = row
            kind = _section_kind(header, line)
            rows = sections.setdefault(kind, [])
            continue
        if len(row) != len(header):
            raise ImportRefused(
                gettext_noop(
                    "line %(line)s: %(fields)s fields where the %(kind)s header has "
                    "%(columns)s; is the line cut off?",
                    line=line,
                    fields=len(row),
                    kind=kind,
                    columns=len(header),
                )
            )
        rows.append((gettext_noop("line %(line)s", line=line), dict(zip(header, row, strict=True))))
    return sections


def _section_kind(header: list[str], line: int) -> str:
    for kind, columns in _SECTIONS.items():
        if set(columns).issubset(header):
            if kind == "bills" and not {"date", "timestamp"} & set(header):
                break
            return kind
    raise ImportRefused(
        gettext_noop(
            "line %(line)s: “%(header)s” is not the header of a Cospend section; this is not a "
            "Cospend project export.",
            line=line,
            header=",".join(header),
        )
    )


def _members(sections: dict, notices: list[str]) -> dict[str, _Member]:
    """Name → member, from the members section and the older fake bills that declare them."""
    members: dict[str, _Member] = {}
    declarations = [
        (source, row["name"], row["weight"]) for source, row in sections.get("members", [])
    ]
    declarations += [
        (source, row["payer_name"], row["payer_weight"])
        for source, row in sections["bills"]
        if row["what"] == _MEMBER_DECLARATION
    ]
    for source, name, weight_text in declarations:
        if not name:
            raise ImportRefused(gettext_noop("%(source)s: a member has no name.", source=source))
        if not weight_text:
            raise ImportRefused(
                gettext_noop(
                    "%(source)s: the member “%(name)s” has no weight.", source=source, name=name
                )
            )
        weight = number(weight_text, source, gettext_noop("weight"))
        if weight < 0:
            raise ImportRefused(
                gettext_noop(
                    "%(source)s: the member “%(name)s” has a negative weight.",
                    source=source,
                    name=name,
                )
            )
        if name in members:
            raise ImportRefused(
                gettext_noop(
                    "%(source)s: “%(name)s” is declared twice, also in %(source2)s.",
                    source=source,
                    name=name,
                    source2=members[name].source,
                )
            )
        members[name] = _Member(weight, source)
    if not members:
        raise ImportRefused(
            gettext_noop(
                "The file declares no members: it has neither a members section nor the "
                "“%(declaration)s” bills older Cospend versions wrote.",
                declaration=_MEMBER_DECLARATION,
            )
        )
    weightless = [name for name, member in members.items() if not member.weight]
    if weightless:
        notices.append(
            gettext_noop(
                "Cospend counts a weight of 0 as 1, and so does this import, for: %(value)s.",
                value=listing(weightless),
            )
        )
    return members


def _declared(name: str, members: dict[str, _Member], source: str) -> str:
    # A missing name is refused by the builder, for what it is.
    if name and name not in members:
        raise ImportRefused(
            gettext_noop(
                "%(source)s: “%(name)s” is not among the members the file declares.",
                source=source,
                name=name,
            )
        )
    return name


def _deleted(bill: dict[str, str], source: str) -> bool:
    flag = bill.get("deleted", "0")
    if flag not in ("", "0", "1"):
        raise ImportRefused(
            gettext_noop(
                "%(source)s: “deleted” is “%(flag)s”, neither 0 nor 1.", source=source, flag=flag
            )
        )
    return flag == "1"


def _category_id(bill: dict[str, str], source: str) -> int:
    text = bill.get("categoryid", "")
    try:
        return int(text) if text else 0
    except ValueError:
        raise ImportRefused(
            gettext_noop(
                "%(source)s: the category “%(text)s” is not a category id.",
                source=source,
                text=text,
            )
        ) from None


def _categories(rows: list[tuple[str, dict[str, str]]]) -> dict[int, str]:
    categories = {}
    for source, row in rows:
        try:
            categories[int(row["categoryid"])] = row["categoryname"]
        except ValueError:
            raise ImportRefused(
                gettext_noop(
                    "%(source)s: the category id “%(id)s” is not a number.",
                    source=source,
                    id=row["categoryid"],
                )
            ) from None
    return categories


def _currency(rows: list[tuple[str, dict[str, str]]], builder: GroupBuilder) -> str:
    """The main currency, the one at rate 1, when its name is an ISO code; "" otherwise."""
    main = next(
        (
            row["currencyname"]
            for source, row in rows
            if number(row["exchange_rate"], source, gettext_noop("exchange rate")) == 1
        ),
        None,
    )
    if main in CURRENCIES:
        return main
    builder.notices.append(
        gettext_noop(
            "Cospend names the main currency “%(main)s”, which is not a currency code; its "
            "amounts were read with two decimals.",
            main=main,
        )
        if main
        else gettext_noop(
            "The file does not say which currency the amounts are in; they were read with two "
            "decimals."
        )
    )
    return ""


def _date(bill: dict[str, str], source: str) -> datetime.date:
    if "date" in bill:
        return iso_date(bill["date"], source)
    try:
        return datetime.datetime.fromtimestamp(int(bill["timestamp"]), datetime.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise ImportRefused(
            gettext_noop(
                "%(source)s: the timestamp “%(timestamp)s” is not a time.",
                source=source,
                timestamp=bill["timestamp"],
            )
        ) from None


def _comment(bill: dict[str, str], source: str) -> str:
    try:
        return urllib.parse.unquote_plus(bill.get("comment", ""), errors="strict")
    except UnicodeDecodeError:
        raise ImportRefused(
            gettext_noop("%(source)s: the comment is not URL-encoded UTF-8 text.", source=source)
        ) from None
