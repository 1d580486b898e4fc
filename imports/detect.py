"""Which app a file comes from, and the parser that reads it (pure: no Django imports).

Each format is a module `imports.formats.<name>` with `parse(data: bytes) -> ParsedGroup`. The
modules are imported by name when first needed: a format whose module is not there is simply
not offered, and a file in it is refused with a message that says so.

Files over `MAX_BYTES` or with more than `MAX_ENTRIES` expenses and payments are refused: the
import writes everything in one transaction, measured under 30 seconds at that size.
"""

import csv
import importlib
import re

from imports.formats import splitwise
from imports.parsed import ImportRefused, ParsedGroup
from splitclone.phrases import Joined, gettext_noop

MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 50_000
# Detection looks at the start of the file only: a header, or the first keys of a JSON file.
SNIFF_BYTES = 64 * 1024

# Name → what the person choosing the format reads; in the order detection tries them.
FORMATS = {
    "splitwise": "Splitwise (CSV)",
    "ihatemoney": gettext_noop("IHateMoney (JSON or CSV)"),
    "spliit": "Spliit (JSON)",
    "cospend": "Cospend (CSV)",
    "splitclone": "Splitclone (JSON)",
}

JSON_KEY = re.compile(r'"([^"\\]{1,40})"\s*:')
EMPTY_LIST = re.compile(r"\[\s*\]\s*")
OUR_FORMAT = re.compile(r'"format"\s*:\s*"splitclone-export"')
SPLIIT_KEYS = {"participants", "paidById", "paidFor", "isReimbursement"}
IHATEMONEY_KEYS = {"what", "payer_name", "owers"}
COSPEND_MEMBERS = ["name", "weight", "active", "color"]
COSPEND_BILLS = ["what", "amount", "date", "timestamp", "payer_name"]
IHATEMONEY_COLUMNS = {"what", "amount", "date", "payer_name", "payer_weight", "owers"}


def parser(name):
    """The `parse` function of the format, or None where its module is not installed."""
    module_name = f"imports.formats.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        return None
    return module.parse


def available_formats():
    """Name → label of every format this installation can read."""
    return {name: label for name, label in FORMATS.items() if parser(name) is not None}


def detect(data: bytes) -> str | None:
    """The format the content looks like (whether or not its parser is installed), or None.

    Only the first `SNIFF_BYTES` are read, so a file cut short is still recognised and its
    parser can say where it ends.
    """
    head = data[:SNIFF_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        if OUR_FORMAT.search(head):
            return "splitclone"
        return "spliit" if SPLIIT_KEYS & set(JSON_KEY.findall(head)) else None
    if head.startswith("["):
        keys = set(JSON_KEY.findall(head))
        return "ihatemoney" if EMPTY_LIST.fullmatch(head) or keys >= IHATEMONEY_KEYS else None
    return detect_csv(head)


def detect_csv(head):
    try:
        cells = next((row for row in csv.reader(head.splitlines()) if any(row)), None)
    except csv.Error:
        return None
    if cells is None:
        return None
    if splitwise.is_header(cells):
        return "splitwise"
    if cells[:4] == COSPEND_MEMBERS or cells[:5] == COSPEND_BILLS:
        return "cospend"
    if cells[0] == "what" and set(cells) >= IHATEMONEY_COLUMNS:
        return "ihatemoney"
    return None


def read(data: bytes, format_name: str | None = None) -> ParsedGroup:
    """The file read into a `ParsedGroup`, in `format_name` or the format it looks like.

    Raises `ImportRefused` with the message for the person importing.
    """
    if len(data) > MAX_BYTES:
        raise ImportRefused(
            gettext_noop(
                "The file is larger than %(megabytes)s MB, more than we import at once. Export "
                "a part of the group's history, or ask support to import it.",
                megabytes=MAX_BYTES // (1024 * 1024),
            )
        )
    if not data.strip():
        raise ImportRefused(gettext_noop("The file is empty."))
    format_name = format_name or detect(data)
    if format_name is None:
        known = Joined(list(available_formats().values()))
        raise ImportRefused(
            gettext_noop(
                "This file is not an export we recognise. We read these: %(known)s. If it is one "
                "of them, choose its format.",
                known=known,
            )
        )
    if format_name not in FORMATS:
        raise ImportRefused(
            gettext_noop("“%(format)s” is not a format we read.", format=format_name)
        )
    parse = parser(format_name)
    if parse is None:
        raise ImportRefused(
            gettext_noop(
                "This file looks like a %(format)s export, which this site cannot import yet.",
                format=FORMATS[format_name],
            )
        )
    group = parse(data)
    entries = len(group.expenses) + len(group.payments)
    if entries > MAX_ENTRIES:
        raise ImportRefused(
            gettext_noop(
                "The file has %(entries)s expenses and payments; we import at most "
                "%(most)s at once.",
                entries=f"{entries:,}",
                most=f"{MAX_ENTRIES:,}",
            )
        )
    return group
