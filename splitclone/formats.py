"""Amounts in the active language, for pages and emails (`splitclone.money` is pure and takes
the language as an argument; this reads it from Django)."""

from django.utils.translation import get_language

from splitclone.money import format_amount


def localized_amount(minor, currency, **options):
    """`format_amount` in the language active now: the page's, or the recipient's in an email
    (notifications.delivery activates it). Exports, imports and payment codes keep calling
    `format_amount` without a language, so files read the same whoever made them."""
    return format_amount(minor, currency, language=get_language(), **options)
