"""Cursor pagination: the next page starts after the last row of this one, whatever was added."""

import base64
import datetime

from django.utils.translation import gettext
from ninja.errors import HttpError

PAGE_SIZE = 50


def encode(*parts):
    return base64.urlsafe_b64encode("|".join(map(str, parts)).encode()).decode()


def decode(cursor, *types):
    """The parts of a cursor this API wrote, or 400."""
    try:
        parts = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        if len(parts) != len(types):
            raise ValueError(cursor)
        return [kind(part) for kind, part in zip(types, parts, strict=True)]
    except (ValueError, UnicodeError):
        raise HttpError(400, gettext("This cursor is not one the API gave out.")) from None


def by_date(rows, cursor, limit):
    """Rows newest first by (date, id), after `cursor`; and the cursor of the next page."""
    rows = rows.order_by("-date", "-id")
    if cursor:
        date, pk = decode(cursor, datetime.date.fromisoformat, int)
        rows = rows.filter(date__lte=date).exclude(date=date, id__gte=pk)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, encode(page[-1].date.isoformat(), page[-1].pk) if more else None


def by_id(rows, cursor, limit):
    rows = rows.order_by("-id")
    if cursor:
        (pk,) = decode(cursor, int)
        rows = rows.filter(id__lt=pk)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, encode(page[-1].pk) if more else None
