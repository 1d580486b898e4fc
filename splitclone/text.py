"""Text the app writes itself (activity summaries, booking notes), kept within its columns."""

ELLIPSIS = "…"


def shorten(text, max_length):
    """`text` if it fits in `max_length` characters; otherwise cut, with an ellipsis to say so.

    Used where a summary or note quotes what people typed, so that a long name or description
    shortens the line instead of overflowing the column it is stored in.
    """
    if len(text) <= max_length:
        return text
    return text[: max_length - len(ELLIPSIS)].rstrip() + ELLIPSIS
