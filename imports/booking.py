"""Writing a parsed file into a group: every entry through the ledger, all or nothing."""

import uuid
from contextlib import contextmanager

from django.core.exceptions import ValidationError

from expenses.models import Category, Expense, ExpenseEntry
from expenses.splitting import SplitKind
from groups.models import ConvertAt
from imports.parsed import ImportRefused, in_group_currency
from ledger import books
from settlements.models import Payment
from splitclone.money import format_amount
from splitclone.phrases import gettext_noop


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
                gettext_noop(
                    "The file's amounts are in %(currency)s and this group's in %(currency2)s. "
                    "Import it into a group in %(currency)s.",
                    currency=parsed.currency,
                    currency2=locked.currency,
                )
            )
        write_exact(locked, parsed, mapping, actor)


def keeps_original_currencies(parsed):
    """Whether the file has entries kept in the currency they were spent in, or conversions of
    such balances: what only a group that converts at settlement books as the file says."""
    return bool(parsed.conversions) or any(
        entry.shares_in_original for entry in [*parsed.expenses, *parsed.payments]
    )


def require_convert_at(parsed, group):
    """Refuses a file of a group that converts at settlement for a group that converts each
    entry when it is added: its entries would be converted at their dates and its conversions
    would have no balances in other currencies to convert, so no balance would be the file's."""
    if keeps_original_currencies(parsed) and not group.converts_at_settlement:
        raise ImportRefused(
            gettext_noop(
                "This file comes from a group that converts other currencies when settling up, "
                "and %(name)s converts each expense when it is added. Import it into a new group.",
                name=group.name,
            )
        )


def write_exact(group, parsed, mapping, actor):
    """Books every entry, then every conversion, of `parsed` into the locked `group` through
    the managers and the ledger; see `book_parsed_group`.

    From a file of a group that converts at settlement, payments are booked without the
    conversion at today's rates that recording one starts with (`Payment.objects.record`): the
    file's own conversions are booked instead, at their rates (`ledger.books.book_conversion`).
    """
    require_convert_at(parsed, group)
    for parsed_expense in parsed.expenses:
        entry = _expense_entry(parsed_expense, parsed.currency, mapping)
        with _refusals_named(parsed_expense.source):
            expense = Expense.objects.save_expense(group_id=group.pk, author=actor, entry=entry)
        if parsed_expense.deleted:
            Expense.objects.delete_expense(expense, actor=actor)
    for parsed_payment in parsed.payments:
        booked = in_group_currency(parsed_payment, parsed.currency, parsed.currency)
        with _refusals_named(parsed_payment.source):
            payment = _book_payment(group, parsed, parsed_payment, booked, mapping, actor)
        if parsed_payment.deleted:
            Payment.objects.delete_payment(payment, actor=actor)
    for parsed_conversion in parsed.conversions:
        with _refusals_named(parsed_conversion.source):
            books.book_conversion(
                group,
                on_date=parsed_conversion.date,
                actor=actor,
                rates=_conversion_rates(group, parsed_conversion),
                lines=[
                    (
                        line.currency,
                        mapping[line.debtor].pk,
                        mapping[line.creditor].pk,
                        line.amount,
                        line.converted,
                    )
                    for line in parsed_conversion.lines
                ],
            )


def _book_payment(group, parsed, parsed_payment, booked, mapping, actor):
    submission_id = _submission_id(parsed_payment)
    fields = {
        "date": parsed_payment.date,
        "note": parsed_payment.note,
        "actor": actor,
        "submission_id": submission_id,
        "conversion": booked.conversion,
    }
    sender, receiver = mapping[parsed_payment.sender], mapping[parsed_payment.receiver]
    if parsed.convert_at != ConvertAt.SETTLEMENT:
        return Payment.objects.record(
            group_id=group.pk,
            from_member_id=sender.pk,
            to_member_id=receiver.pk,
            amount=booked.amount,
            currency=group.currency,
            **fields,
        )
    books.require_entry_date(parsed_payment.date)
    existing = Payment.objects.submitted(group, submission_id)
    return existing or Payment.objects.book(group, sender, receiver, booked.amount, **fields)


def _conversion_rates(group, parsed_conversion):
    """{currency: DayRate} of the conversion's lines; a currency at two rates is refused."""
    rates = {}
    for line in parsed_conversion.lines:
        rate = books.DayRate(
            line.currency, group.currency, line.rate, line.rate_source, line.rate_date
        )
        if rates.setdefault(line.currency, rate) != rate:
            raise ImportRefused(
                gettext_noop(
                    "%(source)s: %(currency)s is converted at two rates.",
                    source=parsed_conversion.source,
                    currency=line.currency,
                )
            )
    return rates


@contextmanager
def _refusals_named(source):
    """Turns a rule's refusal of one entry into an `ImportRefused` that names the entry."""
    try:
        yield
    except ValidationError as error:
        raise ImportRefused(
            gettext_noop(
                "%(source)s: %(messages)s", source=source, messages=" ".join(error.messages)
            )
        ) from error


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
    original = (
        {
            "original_paid": {mapping[name].pk: amount for name, amount in parsed.paid.items()},
            "original_owed": {mapping[name].pk: amount for name, amount in parsed.owed.items()},
        }
        if parsed.shares_in_original
        else {}
    )
    return ExpenseEntry(
        **original,
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
