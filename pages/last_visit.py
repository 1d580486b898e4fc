"""What changed in a group since the viewer last opened its page, marked "new" on that page."""

from pages.ledger_list import PaymentRow

# The key a feed entry's data names its expense or payment by (see `Expense.objects` and
# `Payment.objects`, which record them).
ROW_KEYS = {"expense_id": "expense", "payment_id": "payment"}


def row_identity(row):
    if isinstance(row, PaymentRow):
        return "payment", row.payment.pk
    return "expense", row.expense.pk


def mark_news(membership, feed, rows):
    """Sets `is_new` on the feed's entries and on the expense and payment rows that someone
    else added, changed, deleted or restored since the viewer's last visit; returns how many
    entries are new.

    A row is new when a new entry of the feed names it, so the rows need no query of their own.
    After more news than the feed's first page holds, rows changed only by the older news are
    not marked; their entries are on the feed's next page.
    """
    changed = set()
    for entry in feed:
        entry.is_new = membership.is_new_to(entry)
        if entry.is_new:
            changed.update(
                (kind, entry.data[key]) for key, kind in ROW_KEYS.items() if key in entry.data
            )
    for row in rows:
        row.is_new = row_identity(row) in changed
    return sum(entry.is_new for entry in feed)
