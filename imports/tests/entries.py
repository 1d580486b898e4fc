"""Entries saved the way the expense form saves them: split with the form's seed, and with
what was typed for each person."""

import datetime
import uuid

from expenses.models import Expense, ExpenseEntry
from expenses.splitting import SplitKind, split


def save_expense(
    group, author, *, amount, paid, values, kind=SplitKind.EQUAL, entered=None, **fields
):
    """`paid` and `values` are keyed by member id; `values` as `split` takes them for `kind`."""
    submission_id = fields.pop("submission_id", uuid.uuid4())
    shares = split(kind, amount, values, seed=str(submission_id)).shares
    entry = ExpenseEntry(
        description=fields.pop("description", "Dinner"),
        amount=amount,
        currency=group.currency,
        date=fields.pop("date", datetime.date(2026, 11, 1)),
        category=fields.pop("category", "food"),
        notes=fields.pop("notes", ""),
        split_kind=kind,
        submission_id=submission_id,
        paid=paid,
        owed=dict(shares),
        entered=entered or {},
    )
    return Expense.objects.save_expense(group_id=group.pk, author=author, entry=entry)
