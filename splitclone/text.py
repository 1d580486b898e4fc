"""Text the app writes itself (activity summaries, booking notes), kept within its columns, and
the folded form of what people typed that searches compare."""

import unicodedata

ELLIPSIS = "…"


def shorten(text, max_length):
    """`text` if it fits in `max_length` characters; otherwise cut, with an ellipsis to say so.

    Used where a summary or note quotes what people typed, so that a long name or description
    shortens the line instead of overflowing the column it is stored in.
    """
    if len(text) <= max_length:
        return text
    return text[: max_length - len(ELLIPSIS)].rstrip() + ELLIPSIS


def search_key(*texts):
    """The texts folded for searching: case and accents dropped, spacing collapsed.

    "Família", "FAMILIA" and "familia" all give "familia", so a search matches whichever way
    either side was typed, on any database (SQLite has no accent-insensitive comparison, and
    PostgreSQL's needs an extension). Several texts are joined by a line break, which no folded
    query contains, so a match never spans two of them.
    """
    return "\n".join(" ".join(_fold(text).split()) for text in texts)


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
