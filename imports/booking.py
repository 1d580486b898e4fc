"""Writing a parsed file into a group: every entry through the ledger, all or nothing."""

import uuid
from contextlib import contextmanager

from django.core.exceptions import ValidationError

from expenses.models import Category, Expense, ExpenseEntry
from expenses.splitting import SplitKind
from imports.parsed import ImportRefused, in_group_currency
from ledger import books
from settlements.models import Payment
from splitclone.money import format_amount


def book_parsed_group(parsed, group, mapping, actor):
    """Books every expense and payment of `parsed` into `group` in one transaction.

    `mapping` names the member of `group` each person of the file becomes. Each entry goes
    through the managers (`save_expense`, `Payment.objects.record`), so it moves the kept
    balances and obeys the rules as if typed in. Entries the file marks deleted are booked and
    then deleted: restorable, and moving no balance. Submission ids from the file are kept, so
    importing the same file into the group again finds each entry there and adds nothing.
    Entries in another currency are booked `in_group_currency`, keeping what was spent.
    Raises `ImportRefused` naming the entry a rule refused; nothing is saved then.
    """
    with books.change(group.pk) as locked:
        if locked.currency != parsed.currency:
            raise ImportRefused(
                f"The file's amounts are in {parsed.currency} and this group's in "
                f"{locked.currency}. Import it into a group in {parsed.currency}."
            )
        for parsed_expense in parsed.expenses:
            entry = _expense_entry(parsed_expense, parsed.currency, mapping)
            with _refusals_named(parsed_expense.source):
                expense = Expense.objects.save_expense(group_id=group.pk, author=actor, entry=entry)
            if parsed_expense.deleted:
                Expense.objects.delete_expense(expense, actor=actor)
        for parsed_payment in parsed.payments:
            booked = in_group_currency(parsed_payment, parsed.currency, parsed.currency)
            with _refusals_named(parsed_payment.source):
                payment = Payment.objects.record(
                    group_id=group.pk,
                    from_member_id=mapping[parsed_payment.sender].pk,
                    to_member_id=mapping[parsed_payment.receiver].pk,
                    amount=booked.amount,
                    conversion=booked.conversion,
                    currency=parsed.currency,
                    date=parsed_payment.date,
                    note=parsed_payment.note,
                    actor=actor,
                    submission_id=_submission_id(parsed_payment),
                )
            if parsed_payment.deleted:
                Payment.objects.delete_payment(payment, actor=actor)


@contextmanager
def _refusals_named(source):
    """Turns a rule's refusal of one entry into an `ImportRefused` that names the entry."""
    try:
        yield
    except ValidationError as error:
        raise ImportRefused(f"{source}: {' '.join(error.messages)}") from error


def _expense_entry(parsed, currency, mapping):
    """The `ExpenseEntry` for a parsed expense: as the file split it, else as exact amounts."""
    booked = in_group_currency(parsed, currency, currency)
    if parsed.split_kind:
        split_kind, entered = parsed.split_kind, parsed.entered
    else:
        # What the edit form then shows in each person's field: their amount, as if typed in
        # the currency it was spent in.
        split_kind = SplitKind.EXACT
        entered = {
            name: format_amount(
                amount, parsed.currency or currency, with_code=False, grouping=False
            )
            for name, amount in parsed.owed.items()
        }
    if parsed.category in Category.values:
        category = parsed.category
    else:
        category = Category.OTHER if parsed.category else Category.GENERAL
    return ExpenseEntry(
        description=parsed.description,
        amount=booked.amount,
        currency=currency,
        conversion=booked.conversion,
        date=parsed.date,
        category=category,
        notes=parsed.notes,
        split_kind=split_kind,
        submission_id=_submission_id(parsed),
        # A payer of nothing is no payer (a file's all-zero column); a share of nothing is a
        # participant who owes nothing, and stays.
        paid={mapping[name].pk: amount for name, amount in booked.paid.items() if amount},
        owed={mapping[name].pk: amount for name, amount in booked.owed.items()},
        entered={mapping[name].pk: text for name, text in entered.items()},
    )


def _submission_id(parsed):
    return uuid.UUID(parsed.submission_id) if parsed.submission_id else uuid.uuid4()
