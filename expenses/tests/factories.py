import datetime
import uuid

from expenses.models import Expense, ExpenseEntry
from expenses.splitting import SplitKind, split


def add_expense(
    group, author, *, paid, among, amount=None, kind=SplitKind.EQUAL, values=None, **fields
):
    """Saves an expense through the real ledger path, so kept balances move with it.

    `paid` maps member to amount paid; `among` lists the members sharing it (split `kind`
    with per-member `values` where the kind needs them).
    """
    total = amount if amount is not None else sum(paid.values())
    submission_id = uuid.uuid4()
    entries = values or dict.fromkeys((member.pk for member in among), None)
    shares = split(kind, total, entries, seed=str(submission_id)).shares
    entry = ExpenseEntry(
        description=fields.pop("description", "Dinner"),
        amount=total,
        currency=fields.pop("currency", group.currency),
        date=fields.pop("date", datetime.date(2026, 11, 1)),
        category=fields.pop("category", "food"),
        notes=fields.pop("notes", ""),
        split_kind=kind,
        submission_id=submission_id,
        paid={member.pk: value for member, value in paid.items()},
        owed=dict(shares),
        conversion=fields.pop("conversion", None),
    )
    return Expense.objects.save_expense(group_id=group.pk, author=author, entry=entry)
