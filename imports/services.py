"""Importing a file: reading it, checking it against our rules, and booking it into a group.

The booking is one transaction under the group's ledger lock (`ledger.books.change`): the new
group or the guests it needs, every expense and payment, the balances they move (one
`books.apply` for them all), the file's fingerprint and one line in the group's history. Any
refusal rolls all of it back. Entries are written in bulk rather than one `save_expense` or
`Payment.objects.record` each (eight queries per entry): 50,000 entries must import well within
30 seconds. So every rule those managers hold an entry to is checked here first (`check_fits`),
by the same functions where they are functions (`books.require_entry_date`), before anything
is written.

A file that names no currency (`ParsedGroup.currency == ""`) gives its amounts in hundredths;
it goes into a group whose currency has two decimals, which the person importing chooses.
Entries in another currency than the group's are converted as `imports.parsed.in_group_currency`
says (the ECB reference rate of their date), keeping what was spent, and held to
`books.require_conversion` like any other entry.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from expenses.models import Expense, ExpensePayer, ExpenseShare
from expenses.splitting import SplitKind
from groups.models import NAME_MAX_LENGTH, Activity, ConvertAt, Group, Member, MembershipError
from imports import detect
from imports.booking import write_exact
from imports.categories import category_for, unmatched
from imports.models import ImportedFile
from imports.parsed import ImportRefused, in_group_currency
from ledger import books
from ledger.books import LedgerError
from ledger.effects import SpendingTotals, combine, expense_effect, payment_effect
from settlements.models import Payment
from splitclone import metrics
from splitclone.bulk import insert_rows
from splitclone.money import CURRENCIES, MAX_AMOUNT, format_amount
from splitclone.phrases import When, gettext_noop, ngettext
from splitclone.text import search_key

# How a person of the file is mapped: the one importing, a new guest, or a member's id.
ME = "me"
NEW_GUEST = "guest"
# The decimals of amounts in a file that names no currency.
HUNDREDTHS = 2

DESCRIPTION_MAX = Expense._meta.get_field("description").max_length
NOTES_MAX = Expense._meta.get_field("notes").max_length
NOTE_MAX = Payment._meta.get_field("note").max_length


class NeedsConfirmation(ImportRefused):
    """The group has expenses or payments already: the entries are added only if confirmed."""

    def __init__(self):
        super().__init__(
            gettext_noop(
                "This group already has expenses or payments. Confirm that the file's entries "
                "are added to them."
            )
        )


@dataclass(frozen=True)
class Imported:
    group: Group
    # Each person of the file, by their name in it → the member their entries went to.
    members: dict[str, Member]
    expenses: int
    payments: int


def read_file(data, format_name=None):
    """The file read and checked against our rules; `ImportRefused` says what is wrong."""
    parsed = detect.read(data, format_name)
    check_fits(parsed)
    return parsed


def notices(parsed):
    """Everything the person importing should know: the parser's notices, then ours."""
    missing = unmatched(parsed)
    if not missing:
        return list(parsed.notices)
    listed = ", ".join(f"{name} ({count})" for name, count in sorted(missing.items()))
    return [
        *parsed.notices,
        gettext_noop(
            "These categories have no match here, so their expenses are filed under Other: "
            "%(listed)s.",
            listed=listed,
        ),
    ]


def check_fits(parsed):
    """Refuses an entry that our expenses or payments could not hold, naming it.

    The rules of `Expense.objects.save_expense` and `Payment.objects.record`: amounts above zero
    and within `MAX_AMOUNT`, payers and shares adding up to the amount, dates from 1900 to a
    year ahead, texts within their columns, payments between two different people.
    """
    if parsed.currency and parsed.currency not in CURRENCIES:
        raise ImportRefused(
            gettext_noop("“%(currency)s” is not a currency we know.", currency=parsed.currency)
        )
    for entry in [*parsed.expenses, *parsed.payments]:
        if entry.currency and entry.currency not in CURRENCIES:
            where = entry.source or gettext_noop(
                "the entry of %(date)s", date=entry.date.isoformat()
            )
            raise ImportRefused(
                gettext_noop(
                    "%(where)s: “%(currency)s” is not a currency we know.",
                    where=where,
                    currency=entry.currency,
                )
            )
        if entry.currency and parsed.currency:
            # Refused now, naming the entry, rather than when booking: no reference rate.
            in_group_currency(entry, parsed.currency, parsed.currency)
    if not parsed.people:
        raise ImportRefused(gettext_noop("The file names no people."))
    people = set(parsed.people)
    # Entries share dates: each is checked once.
    dates = set()
    for expense in parsed.expenses:
        where = expense.source or f"“{expense.description}”"
        check_amount(where, expense.amount)
        check_date(where, expense.date, dates)
        check_length(where, gettext_noop("description"), expense.description, DESCRIPTION_MAX)
        check_length(where, gettext_noop("note"), expense.notes, NOTES_MAX)
        check_people(where, people, [*expense.paid, *expense.owed])
        if any(amount <= 0 for amount in expense.paid.values()) or any(
            amount < 0 for amount in expense.owed.values()
        ):
            raise ImportRefused(
                gettext_noop("%(where)s: a payer's amount or a share is below zero.", where=where)
            )
        # Kept in the currency spent, they add up to what was spent.
        total = expense.spent.original_amount if expense.shares_in_original else expense.amount
        if sum(expense.paid.values()) != total or sum(expense.owed.values()) != total:
            raise ImportRefused(
                gettext_noop(
                    "%(where)s: what was paid and what is owed do not both add up to the amount.",
                    where=where,
                )
            )
    for payment in parsed.payments:
        where = payment.source or gettext_noop(
            "the payment from %(sender)s to %(receiver)s",
            sender=payment.sender,
            receiver=payment.receiver,
        )
        check_amount(where, payment.amount)
        check_date(where, payment.date, dates)
        check_length(where, gettext_noop("note"), payment.note, NOTE_MAX)
        check_people(where, people, [payment.sender, payment.receiver])
        if payment.sender == payment.receiver:
            raise ImportRefused(
                gettext_noop(
                    "%(where)s: %(sender)s cannot pay themselves.",
                    where=where,
                    sender=payment.sender,
                )
            )


def check_amount(where, amount):
    if not 0 < amount <= MAX_AMOUNT:
        raise ImportRefused(
            gettext_noop(
                "%(where)s: the amount must be above zero and at most %(most)s.",
                where=where,
                most=f"{MAX_AMOUNT:,}",
            )
        )


def check_date(where, date, checked):
    if date in checked:
        return
    try:
        books.require_entry_date(date)
    except LedgerError as refused:
        raise ImportRefused(
            gettext_noop(
                "%(where)s: %(date)s: %(messages)s",
                where=where,
                date=f"{date:%Y-%m-%d}",
                messages=" ".join(refused.messages),
            )
        ) from None
    checked.add(date)


def check_length(where, what, text, limit):
    if len(text) > limit:
        raise ImportRefused(
            gettext_noop(
                "%(where)s: the %(what)s has %(length)s characters; we keep at most %(limit)s.",
                where=where,
                what=what,
                length=len(text),
                limit=limit,
            )
        )


def check_people(where, people, names):
    for name in names:
        if name not in people:
            raise ImportRefused(
                gettext_noop(
                    "%(where)s: “%(name)s” is not one of the file's people.", where=where, name=name
                )
            )


def fingerprint(parsed):
    """A hash of the entries read from a file: what `ImportedFile` remembers per group."""
    digest = hashlib.sha256()

    def add(row):
        digest.update(json.dumps(row, ensure_ascii=False).encode())
        digest.update(b"\n")

    add([parsed.format, parsed.currency, parsed.people])
    for e in parsed.expenses:
        paid, owed = sorted(e.paid.items()), sorted(e.owed.items())
        add([e.description, e.date.isoformat(), e.amount, paid, owed, e.category, e.notes])
    for p in parsed.payments:
        add([p.sender, p.receiver, p.amount, p.date.isoformat(), p.note])
    return digest.hexdigest()


def default_mapping(parsed, user, members=()):
    """Who each person of the file is, as the preview first proposes: the active member of the
    group with the same name, else the one importing if the name is theirs, else a new guest."""
    by_name = {member.display_name.casefold(): member for member in members if member.is_active}
    mapping = {}
    for name in parsed.people:
        key = " ".join(name.split()).casefold()
        member = by_name.get(key)
        if member is not None:
            mapping[name] = ME if member.user_id == user.pk else member.pk
        else:
            mapping[name] = ME if key == user.display_name.casefold() else NEW_GUEST
    return mapping


def group_currency(parsed, chosen):
    """The currency of a new group: the file's, or the one chosen when the file names none."""
    if chosen and chosen not in CURRENCIES:
        raise ImportRefused(gettext_noop("“%(chosen)s” is not a currency we know.", chosen=chosen))
    if parsed.currency:
        if chosen and chosen != parsed.currency:
            raise ImportRefused(
                gettext_noop(
                    "The file's amounts are in %(currency)s, so the group's currency is "
                    "%(currency)s, not %(chosen)s.",
                    currency=parsed.currency,
                    chosen=chosen,
                )
            )
        return parsed.currency
    if not chosen:
        raise ImportRefused(
            gettext_noop("The file names no currency: choose the group's currency.")
        )
    check_hundredths(chosen)
    return chosen


def check_hundredths(currency):
    if CURRENCIES[currency].exponent != HUNDREDTHS:
        raise ImportRefused(
            gettext_noop(
                "The file names no currency and gives amounts with two decimals, which "
                "%(currency)s does not have: choose a currency with two decimals.",
                currency=currency,
            )
        )


def import_new_group(parsed, *, user, mapping, name, currency=None):
    """Creates a group owned by `user` and books the file into it, all or nothing."""
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX_LENGTH:
        raise ImportRefused(
            gettext_noop(
                "The group needs a name of at most %(most)s characters.", most=NAME_MAX_LENGTH
            )
        )
    currency = group_currency(parsed, currency)
    with transaction.atomic():
        # Before any entry: "convert at" is fixed once the group has one in another currency.
        group = Group.objects.create_group(
            creator=user,
            name=name,
            currency=currency,
            convert_at=parsed.convert_at or ConvertAt.ENTRY,
        )
        return book(parsed, group.pk, user=user, mapping=mapping, confirmed=False)


def book(parsed, group_id, *, user, mapping, confirmed):
    """Books the file into the group: its people mapped, then every entry, all or nothing.

    `mapping` gives each person of the file `ME`, `NEW_GUEST` or an active member's id. Only the
    group's owners and admins import. A group with expenses or payments takes the file only when
    `confirmed` (else `NeedsConfirmation`), and never the same file twice.
    """
    check_fits(parsed)
    digest = fingerprint(parsed)
    with books.change(group_id) as group:
        own = group.members.filter(user=user, is_active=True).first()
        if own is None or not own.can_manage:
            raise ImportRefused(
                gettext_noop("Only the group's owners and admins can import into it.")
            )
        if parsed.currency and parsed.currency != group.currency:
            raise ImportRefused(
                gettext_noop(
                    "The file's amounts are in %(currency)s and the group's in %(currency2)s: "
                    "they cannot be mixed.",
                    currency=parsed.currency,
                    currency2=group.currency,
                )
            )
        if not parsed.currency:
            check_hundredths(group.currency)
        earlier = group.imported_files.filter(content_hash=digest).first()
        if earlier is not None:
            raise ImportRefused(
                gettext_noop(
                    "This file was already imported into %(name)s on %(date)s; importing it "
                    "again would count every entry twice.",
                    name=group.name,
                    date=When(earlier.imported_at, "d M Y"),
                )
            )
        if group.has_ledger_history and not confirmed:
            raise NeedsConfirmation()
        converted = convert_entries(parsed, group.currency)
        members = map_people(group, parsed, mapping, user, own)
        if parsed.convert_at == ConvertAt.SETTLEMENT:
            # Balances kept per currency and conversions: the managers and the ledger book
            # them, which the bulk writer does not know.
            write_exact(group, parsed, members, user)
        else:
            write_entries(group, parsed, converted, members, user)
        ImportedFile.objects.create(
            group=group,
            content_hash=digest,
            format=parsed.format,
            imported_by=user,
            expense_count=len(parsed.expenses),
            payment_count=len(parsed.payments),
        )
        label = detect.FORMATS.get(parsed.format, parsed.format).split(" (")[0]
        Activity.record(
            group,
            user,
            Activity.Verb.ENTRIES_IMPORTED,
            gettext_noop(
                "imported %(expenses)s and %(payments)s from a %(format)s file",
                expenses=ngettext("%(count)s expense", "%(count)s expenses", len(parsed.expenses)),
                payments=ngettext("%(count)s payment", "%(count)s payments", len(parsed.payments)),
                format=label,
            ),
        )
    return Imported(group, members, len(parsed.expenses), len(parsed.payments))


def count(number, noun):
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def map_people(group, parsed, mapping, user, own):
    """File name → member, adding the new guests (as `Group.add_guest` does for anyone)."""
    active = {member.pk: member for member in group.members.filter(is_active=True)}
    members, taken = {}, {}
    for name in parsed.people:
        choice = mapping.get(name)
        if choice is None:
            raise ImportRefused(gettext_noop("Choose who “%(name)s” is.", name=name))
        if choice == NEW_GUEST:
            continue
        member = own if choice == ME else active.get(choice)
        if member is None:
            raise ImportRefused(
                gettext_noop(
                    "The member chosen for “%(name)s” is not active in this group.", name=name
                )
            )
        if member.pk in taken:
            raise ImportRefused(
                gettext_noop(
                    "“%(taken)s” and “%(name)s” are both %(member)s: each person in the file "
                    "needs a member of their own.",
                    taken=taken[member.pk],
                    name=name,
                    member=member.display_name,
                )
            )
        members[name], taken[member.pk] = member, name
    for name in parsed.people:
        if mapping[name] == NEW_GUEST:
            if len(" ".join(name.split())) > NAME_MAX_LENGTH:
                raise ImportRefused(
                    gettext_noop(
                        "“%(name)s” is longer than the %(most)s characters a name may have.",
                        name=name,
                        most=NAME_MAX_LENGTH,
                    )
                )
            try:
                members[name] = group.add_guest(name, actor=user)
            except MembershipError as refused:
                raise ImportRefused(
                    gettext_noop(
                        "“%(name)s”: %(message)s Choose that member for “%(name)s” instead.",
                        name=name,
                        message=refused.message,
                    )
                ) from None
    return members


def convert_entries(parsed, currency):
    """Each expense, then each payment, `in_group_currency` of the group, its conversion checked
    by the rule of the books (`require_conversion`), which the bulk writer does not go through."""
    file_currency = parsed.currency or currency
    converted = []
    for entry in [*parsed.expenses, *parsed.payments]:
        result = in_group_currency(entry, file_currency, currency)
        if result.conversion is not None:
            try:
                books.require_conversion(
                    Group(currency=currency), entry.date, result.amount, result.conversion
                )
            except LedgerError as refused:
                where = entry.source or gettext_noop(
                    "the entry of %(date)s", date=entry.date.isoformat()
                )
                raise ImportRefused(
                    gettext_noop(
                        "%(where)s: %(messages)s", where=where, messages=" ".join(refused.messages)
                    )
                ) from None
        converted.append(result)
    return converted


CONVERSION_COLUMNS = ["original_amount", "original_currency", "rate", "rate_source", "rate_date"]

EXPENSE_COLUMNS = [
    "group_id",
    "description",
    "amount",
    "currency",
    "date",
    "category",
    "notes",
    "receipt",
    "split_kind",
    "submission_id",
    "version",
    "created_by_id",
    "updated_by_id",
    "created_at",
    "updated_at",
    "search_text",
    *CONVERSION_COLUMNS,
]
PAYMENT_COLUMNS = [
    "group_id",
    "from_member_id",
    "to_member_id",
    "amount",
    "currency",
    "date",
    "note",
    "recorded_by_id",
    "created_at",
    "submission_id",
    "version",
    "search_text",
    *CONVERSION_COLUMNS,
]


class Database:
    """Values as the database takes them in a plain INSERT (SQLite wants text for dates)."""

    def __init__(self):
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.date = connection.ops.adapt_datefield_value
        self.uuid = partial(
            Expense._meta.get_field("submission_id").get_db_prep_value, connection=connection
        )
        self.rate = partial(Expense._meta.get_field("rate").get_db_prep_save, connection=connection)
        self.rate_one = self.rate(Decimal(1))

    def conversion(self, converted, currency):
        """The values of CONVERSION_COLUMNS for a converted entry (`imports.parsed.Converted`)."""
        conversion = converted.conversion
        if conversion is None:
            return (converted.amount, currency, self.rate_one, "same", None)
        return (
            conversion.original_amount,
            conversion.original_currency,
            self.rate(conversion.rate),
            conversion.source,
            self.date(conversion.rate_date) if conversion.rate_date else None,
        )


def write_entries(group, parsed, converted, members, user):
    """Writes the rows and moves the kept balances by their sum. Inside `books.change`.

    `converted` is `convert_entries`: each expense, then each payment, in the group's currency.
    Plain tuples, not model instances: building 250,000 instances and their INSERT through the
    ORM took most of a 50,000-entry import. The expenses' ids are read back by the submission
    id each was given: under the group's lock nobody else adds expenses to the group, so its
    rows above the highest id before are these.
    """
    ids = {name: member.pk for name, member in members.items()}
    currency = group.currency
    database = Database()
    expenses = list(zip(parsed.expenses, converted, strict=False))
    payments = list(zip(parsed.payments, converted[len(parsed.expenses) :], strict=True))
    before = Expense.objects.filter(group=group).aggregate(highest=Max("id"))["highest"] or 0
    submissions = [uuid.uuid4() for _ in parsed.expenses]
    insert_rows(
        Expense,
        EXPENSE_COLUMNS,
        [
            (
                group.pk,
                expense.description,
                booked.amount,
                currency,
                database.date(expense.date),
                category_for(expense.category),
                expense.notes,
                "",
                # Exact amounts per person: what the edit form then shows, as if typed.
                SplitKind.EXACT.value,
                database.uuid(submission),
                1,
                user.pk,
                user.pk,
                database.now,
                database.now,
                search_key(expense.description, expense.notes),
                *database.conversion(booked, currency),
            )
            for (expense, booked), submission in zip(expenses, submissions, strict=True)
        ],
    )
    written = Expense.objects.filter(group=group, id__gt=before)
    row_ids = dict(written.values_list("submission_id", "id"))
    expense_ids = [row_ids[submission] for submission in submissions]
    insert_rows(
        ExpensePayer,
        ["expense_id", "member_id", "amount"],
        [
            (expense_id, ids[name], amount)
            for expense_id, (_, booked) in zip(expense_ids, expenses, strict=True)
            for name, amount in booked.paid.items()
        ],
    )
    insert_rows(
        ExpenseShare,
        ["expense_id", "member_id", "amount", "entered"],
        [
            (expense_id, ids[name], amount, typed_share(expense, booked, name, currency))
            for expense_id, (expense, booked) in zip(expense_ids, expenses, strict=True)
            for name, amount in booked.owed.items()
        ],
    )
    insert_rows(
        Payment,
        PAYMENT_COLUMNS,
        [
            (
                group.pk,
                ids[payment.sender],
                ids[payment.receiver],
                booked.amount,
                currency,
                database.date(payment.date),
                payment.note,
                user.pk,
                database.now,
                database.uuid(uuid.uuid4()),
                1,
                search_key(payment.note),
                *database.conversion(booked, currency),
            )
            for payment, booked in payments
        ],
    )
    sides = [
        (
            {ids[name]: amount for name, amount in booked.paid.items()},
            {ids[name]: amount for name, amount in booked.owed.items()},
        )
        for _, booked in expenses
    ]
    effects = [expense_effect(paid, owed) for paid, owed in sides]
    effects += [
        payment_effect(ids[payment.sender], ids[payment.receiver], booked.amount)
        for payment, booked in payments
    ]
    if effects:
        # A file with people and no entries gives the group no history: its currency may
        # still change.
        books.apply(group, combine(*effects))
        spending = SpendingTotals()
        for (expense, booked), (paid, owed) in zip(expenses, sides, strict=True):
            spending.add(expense.date, category_for(expense.category), booked.amount, paid, owed)
        books.apply_spending(group, spending.effect())
    transaction.on_commit(lambda: metrics.EXPENSES_CREATED.inc(len(parsed.expenses)))
    transaction.on_commit(lambda: metrics.PAYMENTS_RECORDED.inc(len(parsed.payments)))


def typed_share(expense, booked, name, currency):
    """A share as the edit form shows it, typed in the currency the expense was spent in: the
    file's amount for an expense it converted at a reference rate, else the amount booked."""
    conversion = booked.conversion
    if conversion is not None and conversion.source == "reference" and expense.currency:
        return format_amount(
            expense.owed[name], conversion.original_currency, with_code=False, grouping=False
        )
    return format_amount(booked.owed[name], currency, with_code=False, grouping=False)
