import datetime
import uuid

from expenses.models import Expense, ExpenseEntry, RecurringExpense
from expenses.recurrence import Frequency, Schedule
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


def recurring_entry(
    group, *, paid, among, amount=None, kind=SplitKind.EQUAL, values=None, **fields
):
    """The `ExpenseEntry` a recurring expense is set up from (see `add_recurring`)."""
    total = amount if amount is not None else sum(paid.values())
    submission_id = uuid.uuid4()
    entries = values or dict.fromkeys((member.pk for member in among), None)
    shares = split(kind, total, entries, seed=str(submission_id)).shares
    return ExpenseEntry(
        description=fields.pop("description", "Rent"),
        amount=total,
        currency=fields.pop("currency", group.currency),
        date=fields.pop("date"),
        category=fields.pop("category", "rent"),
        notes=fields.pop("notes", ""),
        split_kind=kind,
        submission_id=submission_id,
        paid={member.pk: value for member, value in paid.items()},
        owed=dict(shares),
        entered={pk: "" if value is None else str(value) for pk, value in entries.items()},
    )


def add_recurring(
    group,
    author,
    *,
    start,
    frequency=Frequency.MONTHLY,
    first_expense=False,
    interval=1,
    month_day=None,
    end_date=None,
    count=None,
    **entry_fields,
):
    """Sets up a recurring expense through the manager; by default nothing is made yet, the job
    makes every date from `start` on."""
    schedule = Schedule(
        frequency=frequency,
        start=start,
        interval=interval,
        month_day=month_day,
        end_date=end_date,
        count=count,
    )
    entry = recurring_entry(group, date=start, **entry_fields)
    return RecurringExpense.objects.create_recurring(
        group_id=group.pk,
        author=author,
        entry=entry,
        schedule=schedule,
        first_expense=first_expense,
    )
