"""Amounts and dates in the active language, for pages and emails (`splitclone.money` is pure
and takes the language as an argument; this reads it from Django)."""

import datetime
import functools

from django.utils.formats import date_format
from django.utils.translation import get_language

from splitclone.money import format_amount


def localized_amount(minor, currency, language=None, **options):
    """`format_amount` in the language active now: the page's, or the recipient's in an email
    (notifications.delivery activates it). Exports, imports and payment codes keep calling
    `format_amount` without a language, so files read the same whoever made them.

    A list passes the active `language` it read once for all its lines: Django looks it up
    through a context-local each time it is asked."""
    return format_amount(minor, currency, language=language or get_language(), **options)


def localized_date(day, format, language=None):
    """`{{ day|date:format }}` for a `datetime.date`, worked out once per process for each day,
    format and language: a list of expenses writes the same few days on every view, and a date
    costs some 15 µs through Django's formatter. `language`, when given, is the active one, read
    once by a list for all its lines."""
    if isinstance(day, datetime.datetime):
        # The time zone a moment is written in is not in the key.
        raise TypeError("localized_date() writes days, not moments")
    return _date_in(day, format, language or get_language())


@functools.lru_cache(maxsize=2048)
def _date_in(day, format, language):
    # `date_format` reads the active language itself; it is in the key because the month's name
    # depends on it.
    return date_format(day, format)
