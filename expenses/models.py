import datetime
import logging
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy

from expenses.recurrence import MAX_COUNT, MAX_INTERVAL, Frequency, Schedule, ScheduleError
from expenses.splitting import SplitError, SplitKind, read_value, split, split_in_proportion
from groups.models import Activity, Group, Member
from ledger import books, bulk
from ledger.books import RowChanged
from ledger.effects import SpendingTotals, expense_effect, expense_spending, parts_in_group_currency
from ledger.models import LedgerRow, PairLine, RateSource
from ledger.spending import spending_totals
from splitclone import fx, metrics
from splitclone.compiled import CompiledQuery
from splitclone.formats import localized_amount
from splitclone.inserts import insert
from splitclone.money import MAX_AMOUNT, Amount, format_amount
from splitclone.phrases import AND, Joined, When, gettext_noop
from splitclone.text import search_key, shorten
from splitclone.translation import translated

logger = logging.getLogger(__name__)

# Descriptions quoted in an edit's summary are shortened to this, so that the old and the new
# one both fit in an activity line beside what else changed.
QUOTED_LENGTH = 80

# Rows fetched per round trip while streaming a group's expenses for a rebuild.
LEDGER_CHUNK_SIZE = 10_000
PAID, OWED = 0, 1

SPLIT_KIND_LABELS = {
    SplitKind.EQUAL: gettext_lazy("Equally"),
    SplitKind.EXACT: gettext_lazy("Exact amounts"),
    SplitKind.PERCENT: gettext_lazy("Percentages"),
    SplitKind.SHARES: gettext_lazy("Shares"),
    SplitKind.ADJUSTMENT: gettext_lazy("Adjustments"),
}


class Category(models.TextChoices):
    GENERAL = "general", gettext_lazy("General")
    FOOD = "food", gettext_lazy("Food and drink")
    GROCERIES = "groceries", gettext_lazy("Groceries")
    RESTAURANTS = "restaurants", gettext_lazy("Restaurants and bars")
    RENT = "rent", gettext_lazy("Rent")
    UTILITIES = "utilities", gettext_lazy("Utilities")
    HOUSEHOLD = "household", gettext_lazy("Household supplies")
    TRANSPORT = "transport", gettext_lazy("Transport")
    FUEL = "fuel", gettext_lazy("Fuel")
    TRAVEL = "travel", gettext_lazy("Flights and travel")
    ACCOMMODATION = "accommodation", gettext_lazy("Accommodation")
    ENTERTAINMENT = "entertainment", gettext_lazy("Entertainment")
    SPORTS = "sports", gettext_lazy("Sports")
    SHOPPING = "shopping", gettext_lazy("Shopping")
    HEALTH = "health", gettext_lazy("Health")
    GIFTS = "gifts", gettext_lazy("Gifts")
    OTHER = "other", gettext_lazy("Other")


# A category's label by its value, translated when shown. Django's `get_category_display` builds
# this mapping again on each call, translating every label to hash it. Used by
# `Expense.get_category_display` and the expense lines (`expenses.views.ExpenseRow`).
CATEGORY_LABELS = dict(Category.choices)


@dataclass(frozen=True)
class ExpenseEntry:
    """A validated expense as the form hands it to `save_expense`; amounts in minor units."""

    description: str
    amount: int
    # The currency the amounts were typed in: the group's when the form was shown.
    currency: str
    date: datetime.date
    category: str
    notes: str
    split_kind: str
    submission_id: uuid.UUID
    paid: dict[int, int]
    owed: dict[int, int]
    entered: dict[int, str] = field(default_factory=dict)
    receipt: object = None
    # How the amount was converted from the currency it was spent in; None: it was spent in the
    # group's currency. `amount`, `paid` and `owed` are always in the group's currency.
    conversion: fx.Conversion | None = None
    # What each paid and owes in the currency it was spent in, as typed (the form's split
    # before conversion). A group that converts at settlement keeps these; left empty, they are
    # the group-currency amounts shared back in proportion.
    original_paid: dict[int, int] = field(default_factory=dict)
    original_owed: dict[int, int] = field(default_factory=dict)

    @property
    def converted_from(self):
        return self.conversion or fx.Conversion.same(self.amount, self.currency)

    def expense_fields(self):
        """{attname: value} of what an expense saved from this entry keeps of it, with its
        description and notes folded for searching."""
        return {
            "description": self.description,
            "amount": self.amount,
            "currency": self.currency,
            "date": self.date,
            "category": self.category,
            "notes": self.notes,
            "search_text": search_key(self.description, self.notes),
            "split_kind": self.split_kind,
            **Expense.conversion_fields(self.converted_from),
        }


class StaleEdit(RowChanged):
    """Someone saved, deleted or restored the expense after the editor loaded it."""

    def __init__(self, current):
        if current.is_deleted:
            who = current.deleted_by.display_name if current.deleted_by else gettext("Someone")
            message = gettext(
                "%(who)s deleted this expense while you were editing it, so nothing was saved. "
                "Restore it first if it should stay."
            ) % {"who": who}
        else:
            who = current.updated_by.display_name if current.updated_by else gettext("Someone")
            message = gettext(
                "%(who)s saved this expense while you were editing it. Your changes are still "
                "in the form below; compare them with the newer version and save again to keep "
                "yours."
            ) % {"who": who}
        super().__init__(current, message)


class ExpenseQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)

    def matching(self, query):
        """The expenses whose description or notes contain `query`, ignoring case and accents."""
        key = search_key(query)
        return self.filter(search_text__contains=key) if key else self

    def with_people(self):
        # In the order they were written, as `ExpenseRow.lines` reads them: without an order,
        # PostgreSQL may hand the rows back in any order, and "who paid" would change with it.
        return self.prefetch_related(
            models.Prefetch(
                "payers", ExpensePayer.objects.select_related("member__user").order_by("pk")
            ),
            models.Prefetch(
                "shares", ExpenseShare.objects.select_related("member__user").order_by("pk")
            ),
        )


def _new_row(model, fields):
    """`model(**fields)` for `fields` by attname, every other field at its default.

    By position, as a row read from the database is built: given keywords, `Model.__init__`
    looks each field up among them and catches a KeyError for each one missing, which made
    building a new expense cost twice as much.
    """
    return model(
        *[
            fields[field.attname] if field.attname in fields else field.get_default()
            for field in model._meta.concrete_fields
        ]
    )


class ExpenseManager(models.Manager.from_queryset(ExpenseQuerySet)):
    def save_expense(
        self, *, group_id, author, entry, expense=None, expected_version=None, occurrence_of=None
    ):
        """Creates or edits an expense and moves the kept balances with it, all or nothing.

        `entry` is a cleaned `ExpenseEntry`. A second submission with the same submission id
        (a double click, a retried request) returns the expense the first one created.
        `occurrence_of` links a new expense to the recurring expense it repeats, on the entry's
        date: one expense per recurring expense and date, which the database enforces.
        Raises `StaleEdit` when the expense was edited, deleted or restored since
        `expected_version`, and `LedgerError` when the group's currency changed since the
        amounts were typed. A receipt is written to storage before the group is locked (slow
        I/O stays outside the lock) and removed again when nothing is saved.
        """
        receipt_name = self._store_receipt(group_id, entry.receipt)
        saved = None
        try:
            try:
                with books.change(group_id) as group:
                    saved = self._save(
                        group, author, entry, expense, expected_version, receipt_name, occurrence_of
                    )
            except IntegrityError:
                existing = self.filter(group_id=group_id, submission_id=entry.submission_id)
                saved = existing.first() if expense is None else None
                if saved is None:
                    raise
                return saved
        finally:
            if receipt_name and (saved is None or saved.receipt.name != receipt_name):
                default_storage.delete(receipt_name)
        return saved

    @staticmethod
    def _store_receipt(group_id, upload):
        if not upload:
            return None
        return default_storage.save(receipt_path(group_id, upload.name), upload)

    def _save(self, group, author, entry, expense, expected_version, receipt_name, occurrence_of):
        books.require_currency(group, entry.currency)
        books.require_entry_date(entry.date)
        books.require_conversion(group, entry.date, entry.amount, entry.converted_from)
        books.remember_currency(author, entry.converted_from)
        kept = self._kept_amounts(group, entry)
        fields = {
            **entry.expense_fields(),
            "settles_in_original": books.settles_in_original(group, entry.converted_from),
            "updated_by_id": author.pk,
        }
        if expense is None:
            # A repeated submission id fails the unique constraint; save_expense then returns
            # the expense the first submission created.
            expense = _new_row(
                Expense,
                fields
                | {
                    "group_id": group.pk,
                    "created_by_id": author.pk,
                    "submission_id": entry.submission_id,
                    "recurring_id": occurrence_of.pk if occurrence_of else None,
                    "occurrence_date": entry.date if occurrence_of else None,
                },
            )
            before = []
            spending = SpendingTotals()
            verb, summary = Activity.Verb.EXPENSE_ADDED, None
            involved = set()
            counter = metrics.EXPENSES_CREATED
        else:
            expense = self.get(pk=expense.pk, group=group)
            if expense.version != expected_version or expense.is_deleted:
                current = self.with_people().select_related("updated_by", "deleted_by")
                raise StaleEdit(current.get(pk=expense.pk))
            paid, owed = expense.paid_and_owed()
            before = [(expense.ledger_currency, expense_effect(paid, owed, sign=-1))]
            spending = SpendingTotals().add(
                expense.date,
                expense.category,
                expense.amount,
                *expense.parts_in_group_currency(paid, owed),
                sign=-1,
            )
            verb = Activity.Verb.EXPENSE_EDITED
            summary = expense.describe_changes(entry, kept, (paid, owed))
            # Those the edit took out of the expense are involved in it too.
            involved = paid.keys() | owed.keys()
            counter = metrics.EXPENSES_EDITED
            expense.version += 1
            for name, value in fields.items():
                setattr(expense, name, value)
        _, paid, owed = kept
        if receipt_name:
            replaced = expense.receipt.name
            expense.receipt.name = receipt_name
            if replaced:
                # Nothing refers to the old file once the edit is committed.
                transaction.on_commit(partial(default_storage.delete, replaced))
        if expense.pk:
            expense.payers.all().delete()
            expense.shares.all().delete()
            expense.save()
        else:
            insert(expense)
        expense_id = expense.pk  # read once, not per row: `pk` is a property
        bulk.insert(
            ExpensePayer,
            ["expense_id", "member_id", "amount"],
            [(expense_id, member_id, amount) for member_id, amount in paid.items()],
        )
        bulk.insert(
            ExpenseShare,
            ["expense_id", "member_id", "amount", "entered"],
            [
                (expense_id, member_id, amount, entry.entered.get(member_id, ""))
                for member_id, amount in owed.items()
            ],
        )
        after = (expense.ledger_currency, expense_effect(paid, owed))
        books.apply_all(group, [*before, after])
        spending.add(
            expense.date,
            expense.category,
            expense.amount,
            *expense.parts_in_group_currency(paid, owed),
        )
        books.apply_spending(group, spending.effect())
        Activity.record(
            group,
            author,
            verb,
            summary
            or gettext_noop(
                "added “%(description)s” (%(amount)s)",
                description=expense.description,
                amount=expense.spent,
            ),
            expense_id=expense.pk,
            member_ids=sorted(involved | entry.paid.keys() | entry.owed.keys()),
        )
        transaction.on_commit(counter.inc)
        return expense

    @staticmethod
    def _kept_amounts(group, entry):
        """(ledger currency, paid, owed) as the payer and share rows keep them: in the group's
        currency (None), or in the currency spent for an expense that settles in it. Either way
        each side adds up to the expense's amount in that currency, or nothing is saved."""
        conversion = entry.converted_from
        if not books.settles_in_original(group, conversion):
            return None, entry.paid, entry.owed
        seed = str(entry.submission_id)
        total = conversion.original_amount
        sides = []
        for typed, converted in (
            (entry.original_paid, entry.paid),
            (entry.original_owed, entry.owed),
        ):
            side = typed or dict(split_in_proportion(total, converted, seed=seed).shares)
            if side is not typed and converted is entry.paid:
                # A payer whose part rounds to nothing in the currency spent paid nothing in it.
                side = {pk: amount for pk, amount in side.items() if amount}
            if sum(side.values()) != total or any(amount < 0 for amount in side.values()):
                raise books.LedgerError(
                    gettext("What each paid and owes must add up to %(total)s.")
                    % {"total": localized_amount(total, conversion.original_currency)}
                )
            sides.append(side)
        return conversion.original_currency, sides[0], sides[1]

    def attach_receipt(self, expense, upload, *, actor):
        """Puts `upload` (checked by `ReceiptForm`) on a live expense, replacing the receipt it
        had. The file is written before the group's lock is taken and removed again when nothing
        is saved. The version stays: an edit begun before keeps the new receipt, as an edit
        without a file keeps the old one."""
        name = self._store_receipt(expense.group_id, upload)
        try:
            return self._set_receipt(
                expense,
                name,
                actor,
                lambda description: gettext_noop(
                    "added a receipt to “%(description)s”", description=description
                ),
            )
        except Exception:
            default_storage.delete(name)
            raise

    def remove_receipt(self, expense, *, actor):
        return self._set_receipt(
            expense,
            "",
            actor,
            lambda description: gettext_noop(
                "removed the receipt of “%(description)s”", description=description
            ),
        )

    def _set_receipt(self, expense, name, actor, summary):
        """Puts the receipt `name` ("": none) on the expense; `summary(description)` words the
        line of the group's history."""
        with books.change(expense.group_id) as group:
            expense = self.get(pk=expense.pk, group=group)
            if expense.is_deleted:
                raise books.LedgerError(Expense.RESTORE_BEFORE_EDITING)
            replaced = expense.receipt.name
            if not name and not replaced:
                return expense
            expense.receipt.name = name
            expense.save(update_fields=["receipt"])
            if replaced:
                # Nothing refers to the old file once the change is committed.
                transaction.on_commit(partial(default_storage.delete, replaced))
            Activity.record(
                group,
                actor,
                Activity.Verb.EXPENSE_EDITED,
                summary(expense.description),
                expense_id=expense.pk,
            )
        return expense

    def delete_expense(self, expense, *, actor):
        """Soft delete: the expense leaves the ledger but stays restorable."""
        expense, changed = books.set_deleted(
            self.prefetch_related("payers", "shares"),
            expense,
            delete=True,
            actor=actor,
            verb=Activity.Verb.EXPENSE_DELETED,
            summary=lambda row: gettext_noop(
                "deleted “%(description)s” (%(amount)s)",
                description=row.description,
                amount=row.spent,
            ),
            expense_id=expense.pk,
        )
        if changed:
            transaction.on_commit(metrics.EXPENSES_DELETED.inc)
        return expense

    def restore_expense(self, expense, *, actor):
        expense, _ = books.set_deleted(
            self.prefetch_related("payers", "shares"),
            expense,
            delete=False,
            actor=actor,
            verb=Activity.Verb.EXPENSE_RESTORED,
            summary=lambda row: gettext_noop(
                "restored “%(description)s” (%(amount)s)",
                description=row.description,
                amount=row.spent,
            ),
            expense_id=expense.pk,
        )
        return expense


def receipt_path(group_id, filename):
    # A random name: the uploader's file name may carry personal data or path tricks.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"receipts/{group_id}/{uuid.uuid4().hex}.{extension}"


class Expense(LedgerRow):
    # Said by the edit page and the API to someone editing an expense that is deleted.
    RESTORE_BEFORE_EDITING = gettext_lazy("Restore this expense before editing it.")

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="expenses")
    description = models.CharField(max_length=200)
    amount = models.BigIntegerField(help_text="In minor units of the currency.")
    currency = models.CharField(max_length=3)
    date = models.DateField()
    category = models.CharField(max_length=20, choices=Category, default=Category.GENERAL)
    notes = models.TextField(max_length=2000, blank=True)
    # The description and notes folded by `search_key`, which the list's search compares with.
    search_text = models.TextField(blank=True, db_default="", editable=False)
    # Written by `save_expense` before the transaction, under a name from `receipt_path`.
    receipt = models.FileField(blank=True)
    split_kind = models.CharField(max_length=12, choices=list(SPLIT_KIND_LABELS.items()))
    # Generated when the form is first shown: makes re-submissions idempotent and seeds the
    # tie-break for leftover cents, so the preview and the saved expense agree.
    submission_id = models.UUIDField(default=uuid.uuid4)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the expense is an occurrence of a recurring expense: which one, and the date it
    # fell due (the expense's own date may be edited later; this stays). Both are written by
    # `save_expense` alone. No CHECK ties them together: on SQLite adding one rebuilds the
    # table, which the ledger's triggers on it would not survive.
    recurring = models.ForeignKey(
        "RecurringExpense",
        on_delete=models.PROTECT,
        related_name="occurrences",
        null=True,
        blank=True,
        editable=False,
    )
    occurrence_date = models.DateField(null=True, blank=True, editable=False)

    objects = ExpenseManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT),
                name="expenses_expense_amount_in_range",
            ),
            models.UniqueConstraint(
                fields=["group", "submission_id"], name="expenses_expense_unique_submission"
            ),
            # Concurrent or repeated runs of the job can never make a date twice. Partial (only
            # occurrences), which on SQLite is an index rather than a rebuild of the table.
            models.UniqueConstraint(
                fields=["recurring", "occurrence_date"],
                condition=Q(recurring__isnull=False),
                name="expenses_expense_one_per_occurrence",
            ),
        ]
        indexes = [
            # The group page's expense list: live expenses, newest first, paged by (date, id).
            models.Index(
                "group",
                models.F("date").desc(),
                models.F("id").desc(),
                condition=Q(deleted_at__isnull=True),
                name="expenses_expense_live_by_date",
            ),
            # The API's list of deleted expenses (to restore), paged the same way: few rows
            # among many live ones, which the index above leaves out.
            models.Index(
                "group",
                models.F("date").desc(),
                models.F("id").desc(),
                condition=Q(deleted_at__isnull=False),
                name="expenses_expense_deleted",
            ),
        ]

    def __str__(self):
        return self.description

    def get_category_display(self):
        """The category's label in the active language (in place of Django's, see
        `CATEGORY_LABELS`); a value no longer among the categories reads as it is stored."""
        return str(CATEGORY_LABELS.get(self.category, self.category))

    @property
    def amount_display(self):
        return format_amount(self.amount, self.currency)

    def paid_and_owed(self):
        paid = {payer.member_id: payer.amount for payer in self.payers.all()}
        owed = {share.member_id: share.amount for share in self.shares.all()}
        return paid, owed

    def effect(self, sign=1):
        paid, owed = self.paid_and_owed()
        return expense_effect(paid, owed, sign=sign)

    @classmethod
    def ledger_effects(cls, group_id):
        """One stream of every payer and share row of the group's live expenses, by expense.

        Each expense is assembled in memory as its rows go by, without a query of its own.
        """
        live = {"expense__group_id": group_id, "expense__deleted_at__isnull": True}
        columns = (
            "expense_id",
            "expense__settles_in_original",
            "expense__original_currency",
            "side",
            "member_id",
            "amount",
        )
        paid = ExpensePayer.objects.filter(**live).annotate(side=Value(PAID))
        owed = ExpenseShare.objects.filter(**live).annotate(side=Value(OWED))
        rows = paid.values_list(*columns).union(owed.values_list(*columns), all=True)
        stream = rows.order_by("expense_id").iterator(chunk_size=LEDGER_CHUNK_SIZE)
        # Closed however the loop ends: on PostgreSQL the stream is a server-side cursor, which
        # must not outlive a failure inside the caller's transaction.
        with closing(stream):
            for (expense_id, in_original, original_currency), expense_rows in groupby(
                stream, key=itemgetter(0, 1, 2)
            ):
                sides = ({}, {})
                for *_, side, member_id, amount in expense_rows:
                    sides[side][member_id] = amount
                try:
                    effect = expense_effect(*sides)
                except ValueError as error:
                    raise ValueError(f"expense #{expense_id}: {error}") from None
                yield (original_currency if in_original else None), effect

    @classmethod
    def pair_lines(cls, group, member_a, member_b):
        """The live expenses both took part in (paying or sharing), each with its effect on the
        pair: two queries, the expenses and one stream of their payer and share rows, since
        how much one owes the other depends on everyone in the expense (`expense_debts`)."""

        def involves(member_id):
            return Exists(
                ExpensePayer.objects.filter(expense=OuterRef("pk"), member_id=member_id)
            ) | Exists(ExpenseShare.objects.filter(expense=OuterRef("pk"), member_id=member_id))

        shared = cls.objects.filter(group=group, deleted_at__isnull=True).filter(
            involves(member_a), involves(member_b)
        )
        expenses = {expense.pk: expense for expense in shared.defer("notes", "search_text")}
        if not expenses:
            return
        columns = ("expense_id", "side", "member_id", "amount")
        within = {"expense__in": shared.values("pk")}
        paid = ExpensePayer.objects.filter(**within).annotate(side=Value(PAID))
        owed = ExpenseShare.objects.filter(**within).annotate(side=Value(OWED))
        sides = {pk: ({}, {}) for pk in expenses}
        for expense_id, side, member_id, amount in paid.values_list(*columns).union(
            owed.values_list(*columns), all=True
        ):
            sides[expense_id][side][member_id] = amount
        for pk, expense in expenses.items():
            _, pairs = expense_effect(*sides[pk])
            yield PairLine(
                expense.date,
                expense.created_at,
                "expense",
                pk,
                expense.ledger_currency,
                pairs.get((member_a, member_b), 0),
                expense.description,
                conversion=(
                    f"{expense.spent_display}, {expense.rate_display}"
                    if expense.is_converted and not expense.settles_in_original
                    else ""
                ),
            )

    @classmethod
    def shared_pairs(cls, group_ids):
        """Every two members named in the same live expense, as payers or shares: one query."""
        live = Q(expense__group_id__in=group_ids, expense__deleted_at__isnull=True)

        def pairs(rows, others):
            return (
                rows.filter(live)
                .annotate(other=models.F(others))
                .exclude(other=models.F("member_id"))
                .annotate(a=Least("member_id", "other"), b=Greatest("member_id", "other"))
                .values_list("expense__group_id", "a", "b")
                .order_by()
            )

        shares, payers = ExpenseShare.objects, ExpensePayer.objects
        return (
            pairs(shares, "expense__shares__member_id")
            .union(pairs(payers, "expense__payers__member_id"))
            .union(pairs(payers, "expense__shares__member_id"))
        )

    def spending(self, sign=1):
        paid, owed = self.paid_and_owed()
        return expense_spending(
            self.date,
            self.category,
            self.amount,
            *self.parts_in_group_currency(paid, owed),
            sign=sign,
        )

    def parts_in_group_currency(self, paid, owed):
        """(paid, owed) of the payer and share rows, as spending counts them: in the group's
        currency. Those of an expense that settles in the currency spent are in that currency,
        and count as their parts of `amount`."""
        if not self.settles_in_original:
            return paid, owed
        return tuple(
            parts_in_group_currency(side, self.amount, self.original_amount)
            for side in (paid, owed)
        )

    @classmethod
    def ledger_spending(cls, group_id):
        groups, members = spending_totals(cls, ExpensePayer, ExpenseShare, [group_id])
        return (
            {key[1:]: totals for key, totals in groups.items()},
            {key[1:]: totals for key, totals in members.items()},
        )

    def describe_changes(self, entry, kept, current):
        """A short account of an edit for the activity log; `kept` is (ledger currency, paid,
        owed) as the edit keeps them (see `ExpenseManager._kept_amounts`), `current` (paid,
        owed) as the payer and share rows say before it."""
        changes = []
        if entry.description != self.description:
            changes.append(
                gettext_noop(
                    "renamed it from “%(description)s”",
                    description=shorten(self.description, QUOTED_LENGTH),
                )
            )
        if self.is_converted or entry.conversion:
            # What was spent, then what it came to in the group's currency.
            spent = entry.converted_from
            before = (self.original_amount, self.original_currency)
            if (spent.original_amount, spent.original_currency) != before:
                changes.append(
                    gettext_noop(
                        "amount %(old)s → %(new)s",
                        old=Amount(*before),
                        new=Amount(spent.original_amount, spent.original_currency),
                    )
                )
            if entry.amount != self.amount:
                changes.append(
                    gettext_noop(
                        "in %(currency)s %(old)s → %(new)s",
                        currency=self.currency,
                        old=Amount(self.amount, self.currency),
                        new=Amount(entry.amount, self.currency),
                    )
                )
        elif entry.amount != self.amount:
            changes.append(
                gettext_noop(
                    "amount %(old)s → %(new)s",
                    old=Amount(self.amount, self.currency),
                    new=Amount(entry.amount, self.currency),
                )
            )
        if entry.date != self.date:
            changes.append(
                gettext_noop(
                    "date %(old)s → %(new)s",
                    old=When(self.date, "d M Y"),
                    new=When(entry.date, "d M Y"),
                )
            )
        if kept != (self.ledger_currency, *current):
            changes.append(gettext_noop("who paid or who owes"))
        return gettext_noop(
            "edited “%(description)s”: %(changes)s",
            description=shorten(entry.description, QUOTED_LENGTH),
            changes=Joined(changes, "; ") if changes else gettext_noop("no change to the amounts"),
        )


class ExpensePayer(models.Model):
    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="payers")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["expense", "member"], name="expenses_payer_unique_member"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="expenses_payer_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.member} paid {self.amount}"


class ExpenseShare(models.Model):
    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    # What was typed for this person (a percentage, a weight, an exact amount, an
    # adjustment), so an edit shows the split as it was entered.
    entered = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["expense", "member"], name="expenses_share_unique_member"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="expenses_share_amount_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.member} owes {self.amount}"


# Nobody can type the rate of a date to come.
RECURRING_RATE = gettext_lazy(
    "An expense that repeats converts at the ECB reference rate of each date it falls on: "
    "choose that rate, or enter each expense on its own."
)
RECURRING_UNPUBLISHED = gettext_lazy(
    "The ECB publishes no reference rate for %(currency)s, so an expense in it can't repeat: "
    "enter each one on its own."
)


# The group history's lines for `RecurringExpenseManager._set_status`.
STATUS_CHANGED = {
    "paused": lambda description: gettext_noop(
        "paused the recurring “%(description)s”", description=description
    ),
    "resumed": lambda description: gettext_noop(
        "resumed the recurring “%(description)s”", description=description
    ),
    "stopped": lambda description: gettext_noop(
        "stopped the recurring “%(description)s”", description=description
    ),
}

# Why pausing, resuming or stopping is refused, by what was tried.
CANNOT_CHANGE_STATUS = {
    "paused": gettext_lazy("“%(description)s” is %(status)s, so it can't be paused."),
    "resumed": gettext_lazy("“%(description)s” is %(status)s, so it can't be resumed."),
    "stopped": gettext_lazy("“%(description)s” is %(status)s, so it can't be stopped."),
}


class RecurringError(ValidationError):
    """A recurring expense the rules refuse; `field` names the form field at fault, if one."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class StaleRecurringEdit(RowChanged):
    """Someone changed, paused or stopped the recurring expense after the editor loaded it."""

    def __init__(self, current):
        if not current.is_repeating:
            message = gettext(
                "“%(description)s” stopped repeating while you were editing it, so nothing was "
                "saved."
            ) % {"description": current.description}
        else:
            who = current.updated_by.display_name if current.updated_by else gettext("Someone")
            if current.status == RecurringStatus.PAUSED:
                message = gettext(
                    "%(who)s paused this recurring expense while you were editing it. Your "
                    "changes are still in the form below; compare them with the newer version "
                    "and save again to keep yours."
                )
            else:
                message = gettext(
                    "%(who)s saved this recurring expense while you were editing it. Your "
                    "changes are still in the form below; compare them with the newer version "
                    "and save again to keep yours."
                )
            message %= {"who": who}
        super().__init__(current, message)


class RecurringStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("recurring expense", "Active")
    PAUSED = "paused", pgettext_lazy("recurring expense", "Paused")
    STOPPED = "stopped", pgettext_lazy("recurring expense", "Stopped")
    FINISHED = "finished", pgettext_lazy("recurring expense", "Finished")


# Occurrences after the first get a submission id made from their recurring expense and date, so
# that a retried occurrence is recognised like a re-submitted form (and seeds its leftover cent).
OCCURRENCE_NAMESPACE = uuid.UUID("5b0c7d4e-8f61-4a8e-9a55-2f0f3d7c1e90")
# How far back a schedule may start: its missed dates are all made at once, so a year-old start
# makes at most a year of them, never decades.
FURTHEST_BACK = datetime.timedelta(days=366)


@dataclass
class OccurrenceRun:
    """What one run of the job did. Used by the task and the benchmark."""

    created: int = 0
    paused: int = 0
    failed: dict[int, str] = field(default_factory=dict)


class OccurrencesFailed(Exception):
    """Some recurring expenses could not make their occurrences; the next run tries them again."""

    def __init__(self, run):
        ids = ", ".join(f"#{pk}: {error}" for pk, error in sorted(run.failed.items()))
        super().__init__(f"{len(run.failed)} recurring expense(s) failed: {ids}")
        self.run = run


class RecurringExpenseQuerySet(models.QuerySet):
    def due(self, today):
        return self.filter(status=RecurringStatus.ACTIVE, next_date__lte=today)

    def upcoming(self):
        return self.filter(status=RecurringStatus.ACTIVE).order_by("next_date", "id")


class RecurringExpenseManager(models.Manager.from_queryset(RecurringExpenseQuerySet)):
    def create_recurring(self, *, group_id, author, entry, schedule, first_expense=True):
        """A recurring expense from a cleaned `ExpenseEntry` and a `Schedule` starting on the
        entry's date; with `first_expense`, the entry is saved as its first occurrence, in the
        same transaction. A re-submitted form returns the recurring expense the first one made.
        """
        with books.change(group_id) as group:
            if first_expense:
                earlier = Expense.objects.filter(group=group, submission_id=entry.submission_id)
                if earlier := earlier.select_related("recurring").first():
                    return earlier.recurring
            recurring = RecurringExpense(
                group=group, created_by=author, status=RecurringStatus.ACTIVE
            )
            recurring._fill(group, author, entry, schedule)
            recurring.next_date = schedule.first_on_or_after(schedule.start)
            recurring.save()
            recurring._save_people(entry)
            if first_expense:
                first = Expense.objects.save_expense(
                    group_id=group.pk, author=author, entry=entry, occurrence_of=recurring
                )
                recurring._advance(first.occurrence_date)
                recurring.save(update_fields=["made", "next_date", "status"])
            Activity.record(
                group,
                author,
                Activity.Verb.RECURRING_ADDED,
                gettext_noop(
                    "set “%(description)s” (%(amount)s) to repeat %(schedule)s",
                    description=recurring.description,
                    amount=recurring.amount_spent,
                    schedule=schedule.describe(),
                ),
                recurring_id=recurring.pk,
            )
        return recurring

    def update_recurring(self, recurring, *, actor, entry, schedule, expected_version=None):
        """Changes what a recurring expense makes from now on: the occurrences already made stay
        as they are. The next one falls on the schedule's first date from its start (the form's
        date), which must come after the last one made.

        Raises `StaleRecurringEdit` when it was edited, paused, resumed or stopped since
        `expected_version` (the version the editor loaded), so that nobody's change is
        overwritten unseen. Occurrences made meanwhile need no new version: the next date is
        checked against the last one made.
        """
        with books.change(recurring.group_id) as group:
            recurring = self.get(pk=recurring.pk, group=group)
            if recurring.version != expected_version:
                current = self.select_related("updated_by").prefetch_related(
                    "payers__member__user", "shares__member__user"
                )
                raise StaleRecurringEdit(current.get(pk=recurring.pk))
            if recurring.status in (RecurringStatus.STOPPED, RecurringStatus.FINISHED):
                raise RecurringError(
                    gettext("“%(description)s” no longer repeats, so it can't be changed.")
                    % {"description": recurring.description}
                )
            recurring._fill(group, actor, entry, schedule)
            next_date = schedule.first_on_or_after(schedule.start)
            last = recurring.occurrences.aggregate(last=models.Max("occurrence_date"))["last"]
            if last is not None and next_date <= last:
                raise RecurringError(
                    gettext("The next date must come after the last one made (%(date)s).")
                    % {"date": translated(When(last, "j M Y"))},
                    "date",
                )
            if schedule.is_past_end(next_date, recurring.made):
                raise RecurringError(
                    ngettext(
                        "It has already repeated %(count)s time: raise the number of times or "
                        "choose another end.",
                        "It has already repeated %(count)s times: raise the number of times or "
                        "choose another end.",
                        recurring.made,
                    )
                    % {"count": recurring.made},
                    "count",
                )
            recurring.next_date = next_date
            recurring.version += 1
            recurring.save()
            recurring.payers.all().delete()
            recurring.shares.all().delete()
            recurring._save_people(entry)
            Activity.record(
                group,
                actor,
                Activity.Verb.RECURRING_CHANGED,
                gettext_noop(
                    "changed the recurring “%(description)s”: from %(date)s on, %(amount)s "
                    "%(schedule)s",
                    description=recurring.description,
                    date=When(next_date, "j M Y"),
                    amount=recurring.amount_spent,
                    schedule=schedule.describe(),
                ),
                recurring_id=recurring.pk,
            )
        return recurring

    def pause(self, recurring, *, actor):
        return self._set_status(recurring, RecurringStatus.PAUSED, actor, "paused")

    def resume(self, recurring, *, actor):
        """Starts a paused recurring expense again from today: the dates it missed while paused
        are not made."""
        return self._set_status(recurring, RecurringStatus.ACTIVE, actor, "resumed")

    def stop(self, recurring, *, actor):
        """Stops it for good; its occurrences stay, as ordinary expenses."""
        return self._set_status(recurring, RecurringStatus.STOPPED, actor, "stopped")

    def _set_status(self, recurring, status, actor, verb):
        allowed_from = {
            RecurringStatus.PAUSED: {RecurringStatus.ACTIVE},
            RecurringStatus.ACTIVE: {RecurringStatus.PAUSED},
            RecurringStatus.STOPPED: {RecurringStatus.ACTIVE, RecurringStatus.PAUSED},
        }[status]
        with books.change(recurring.group_id) as group:
            recurring = self.get(pk=recurring.pk, group=group)
            if recurring.status == status:
                return recurring
            if recurring.status not in allowed_from:
                raise RecurringError(
                    CANNOT_CHANGE_STATUS[verb]
                    % {
                        "description": recurring.description,
                        "status": recurring.get_status_display().lower(),
                    }
                )
            recurring.status = status
            if status == RecurringStatus.STOPPED:
                recurring.next_date = None
            elif status == RecurringStatus.ACTIVE:
                today = timezone.localdate()
                if recurring.next_date < today:
                    recurring.next_date = recurring.schedule.first_on_or_after(today)
                if recurring.schedule.is_past_end(recurring.next_date, recurring.made):
                    recurring.status, recurring.next_date = RecurringStatus.FINISHED, None
            recurring.updated_by = actor
            recurring.version += 1
            recurring.save(
                update_fields=["status", "next_date", "updated_by", "updated_at", "version"]
            )
            Activity.record(
                group,
                actor,
                Activity.Verb.RECURRING_CHANGED,
                STATUS_CHANGED[verb](recurring.description),
                recurring_id=recurring.pk,
            )
        return recurring

    def create_due_occurrences(self, today, recurring_ids=None):
        """Makes every occurrence due by `today`, oldest first, each in its own transaction.

        Safe to run twice at once and after any downtime: each occurrence is made under the
        group's lock from the recurring expense as it is then, so a second run finds nothing
        left to do, and a run after a week away makes the week's dates in order. One recurring
        expense failing does not stop the others; its dates stay due for the next run.
        """
        run = OccurrenceRun()
        due = self.due(today).order_by("next_date", "pk")
        if recurring_ids is not None:
            due = due.filter(pk__in=recurring_ids)
        for recurring_id, group_id in list(due.values_list("pk", "group_id")):
            try:
                while made := self.create_next_occurrence(recurring_id, group_id, today):
                    run.created += 1
                    # The occurrence's recurring expense is the one just advanced: stop here
                    # rather than open a transaction to find that nothing more is due.
                    following = made.recurring.next_date
                    if following is None or following > today:
                        break
                if made is False:
                    run.paused += 1
            # Reported, and the task fails at the end; the other recurring expenses still run.
            except Exception as error:
                logger.exception("Recurring expense #%s failed", recurring_id)
                run.failed[recurring_id] = f"{type(error).__name__}: {error}"
        return run

    def create_next_occurrence(self, recurring_id, group_id, today):
        """Makes the recurring expense's next occurrence if it is due by `today`, all or nothing.

        Returns the new expense; False when it had to be paused instead (see `occurrence_entry`);
        None when nothing is due (made meanwhile by another run, paused, stopped).
        """
        with books.change(group_id) as group:
            due = self.filter(pk=recurring_id, group=group).due(today)
            recurring = due.select_related("created_by").first()
            if recurring is None:
                return None
            recurring.group = group
            people = recurring.people()
            entry, problem = recurring.occurrence_entry(recurring.next_date, people)
            if entry is None:
                recurring.status = RecurringStatus.PAUSED
                recurring.version += 1
                recurring.save(update_fields=["status", "updated_at", "version"])
                Activity.record(
                    group,
                    None,
                    Activity.Verb.RECURRING_CHANGED,
                    gettext_noop(
                        "paused the recurring “%(description)s”: %(problem)s",
                        description=recurring.description,
                        problem=problem,
                    ),
                    recurring_id=recurring.pk,
                    automatic=True,
                )
                return False
            expense = Expense.objects.save_expense(
                group_id=group.pk, author=recurring.created_by, entry=entry, occurrence_of=recurring
            )
            if problem:
                Activity.record(
                    group,
                    None,
                    Activity.Verb.RECURRING_CHANGED,
                    gettext_noop(
                        "split “%(description)s” of %(date)s without %(names)s",
                        description=recurring.description,
                        date=When(entry.date, "j M Y"),
                        names=problem,
                    ),
                    recurring_id=recurring.pk,
                    expense_id=expense.pk,
                    automatic=True,
                )
            recurring._advance(entry.date)
            recurring.save(update_fields=["made", "next_date", "status", "updated_at"])
        return expense


class RecurringExpense(models.Model):
    """An expense that repeats on a schedule: the template its occurrences are made from.

    It holds the split as it was entered (who takes part, and what was typed for each), and each
    occurrence is split afresh, so the leftover cent moves around and members who have left the
    group can be left out. Occurrences are ordinary expenses, made by the `create_due_occurrences`
    task through the ledger.
    """

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="recurring_expenses")
    description = models.CharField(max_length=200)
    amount = models.BigIntegerField(help_text="In minor units of the currency spent.")
    # The group's currency when it was set up.
    currency = models.CharField(max_length=3)
    # The currency spent when it is another: `amount` and the payers' amounts are then in it, and
    # each occurrence converts at the ECB reference rate of its own date.
    original_currency = models.CharField(max_length=3, blank=True, db_default="")
    category = models.CharField(max_length=20, choices=Category, default=Category.GENERAL)
    notes = models.TextField(max_length=2000, blank=True)
    split_kind = models.CharField(max_length=12, choices=list(SPLIT_KIND_LABELS.items()))
    frequency = models.CharField(max_length=10, choices=[(f.value, f.value) for f in Frequency])
    interval = models.PositiveSmallIntegerField(default=1)
    month_day = models.PositiveSmallIntegerField(null=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=RecurringStatus, default=RecurringStatus.ACTIVE
    )
    # The date the next occurrence falls due; none once it is stopped or finished.
    next_date = models.DateField(null=True, blank=True)
    made = models.PositiveIntegerField(default=0, editable=False)
    # Bumped by every edit and status change (not by the occurrences made), so an edit form
    # loaded before one of them is refused rather than overwriting it (`update_recurring`).
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecurringExpenseManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT),
                name="expenses_recurring_amount_in_range",
            ),
            models.CheckConstraint(
                condition=Q(interval__gte=1) & Q(interval__lte=MAX_INTERVAL),
                name="expenses_recurring_interval_in_range",
            ),
            models.CheckConstraint(
                condition=Q(month_day__isnull=True) | Q(month_day__gte=1, month_day__lte=31),
                name="expenses_recurring_month_day_in_range",
            ),
            models.CheckConstraint(
                condition=Q(count__isnull=True) | Q(count__gte=1, count__lte=MAX_COUNT),
                name="expenses_recurring_count_in_range",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="expenses_recurring_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(count__isnull=True),
                name="expenses_recurring_one_end",
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=[f.value for f in Frequency]),
                name="expenses_recurring_known_frequency",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RecurringStatus.values),
                name="expenses_recurring_known_status",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[RecurringStatus.STOPPED, RecurringStatus.FINISHED],
                    next_date__isnull=True,
                )
                | Q(
                    status__in=[RecurringStatus.ACTIVE, RecurringStatus.PAUSED],
                    next_date__isnull=False,
                ),
                name="expenses_recurring_next_date_while_repeating",
            ),
        ]
        indexes = [
            # The job's query: active recurring expenses due by today, oldest first.
            models.Index(
                fields=["next_date", "id"],
                condition=Q(status=RecurringStatus.ACTIVE),
                name="expenses_recurring_due",
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def spent_currency(self):
        """The currency of `amount`, the payers' amounts and the parts typed."""
        return self.original_currency or self.currency

    @property
    def amount_display(self):
        return format_amount(self.amount, self.spent_currency)

    @property
    def amount_spent(self):
        """The amount as a value of a phrase, written in each reader's language where shown."""
        return Amount(self.amount, self.spent_currency)

    @property
    def schedule(self):
        return Schedule(
            frequency=Frequency(self.frequency),
            start=self.start_date,
            interval=self.interval,
            month_day=self.month_day,
            end_date=self.end_date,
            count=self.count,
        )

    @property
    def schedule_text(self):
        """How often it repeats, in the reader's language ("every month on day 3")."""
        return translated(self.schedule.describe())

    @property
    def is_repeating(self):
        return self.status in (RecurringStatus.ACTIVE, RecurringStatus.PAUSED)

    def _fill(self, group, author, entry, schedule):
        """Copies the entry and the schedule in, after checking both against the group's rules.

        Runs under the group's lock, so the members it checks are the group's as they are now.
        """
        try:
            schedule.validate()
        except ScheduleError as refused:
            raise RecurringError(translated(refused.message), refused.field) from None
        if schedule.start < timezone.localdate() - FURTHEST_BACK:
            raise RecurringError(
                gettext("Start within the last year: every date since the start is made at once."),
                "date",
            )
        books.require_currency(group, entry.currency)
        books.require_entry_date(schedule.start)
        people = set(entry.paid) | set(entry.owed)
        active = set(group.members.active().filter(pk__in=people).values_list("pk", flat=True))
        if active != people:
            raise RecurringError(
                gettext("Everyone in a recurring expense must be in the group now.")
            )
        conversion = entry.conversion
        if conversion is not None and conversion.source != RateSource.REFERENCE:
            raise RecurringError(RECURRING_RATE, "rate_mode")
        if conversion is not None and conversion.original_currency not in fx.published_currencies():
            raise RecurringError(
                RECURRING_UNPUBLISHED % {"currency": conversion.original_currency},
                "original_currency",
            )
        spent = conversion.original_amount if conversion else None
        if conversion is not None and sum(entry.original_paid.values()) != spent:
            raise RecurringError(
                gettext("What each paid must add up to the amount spent."), "paid_by"
            )
        self.description, self.currency = entry.description, entry.currency
        self.amount = conversion.original_amount if conversion else entry.amount
        self.original_currency = conversion.original_currency if conversion else ""
        self.category, self.notes, self.split_kind = entry.category, entry.notes, entry.split_kind
        self.frequency, self.interval = schedule.frequency, schedule.interval
        self.month_day = schedule.month_day if schedule.frequency == Frequency.MONTHLY else None
        self.start_date, self.end_date, self.count = (
            schedule.start,
            schedule.end_date,
            schedule.count,
        )
        self.updated_by = author

    def _save_people(self, entry):
        # In the currency spent, as typed.
        paid = entry.original_paid if entry.conversion is not None else entry.paid
        RecurringPayer.objects.bulk_create(
            RecurringPayer(recurring=self, member_id=member_id, amount=amount)
            for member_id, amount in paid.items()
        )
        RecurringShare.objects.bulk_create(
            RecurringShare(
                recurring=self, member_id=member_id, entered=entry.entered.get(member_id, "")
            )
            for member_id in entry.owed
        )

    def _advance(self, made_on):
        """Counts the occurrence made on `made_on` and moves to the next date, or finishes."""
        self.made += 1
        following = self.schedule.next_after(made_on)
        if self.schedule.is_past_end(following, self.made):
            self.status, self.next_date = RecurringStatus.FINISHED, None
        else:
            self.next_date = following

    def people(self):
        """(payers, shares) with their members, in one query each."""
        payers = list(self.payers.select_related("member__user").order_by("member_id"))
        shares = list(self.shares.select_related("member__user").order_by("member_id"))
        return payers, shares

    def occurrence_entry(self, date, people):
        """The `ExpenseEntry` of the occurrence on `date`, split among who is still in the group.

        The rule for members who have left: someone who shared it is left out and the others
        share it the same way (the second value names who was left out, for the group's feed).
        When that cannot work (the payer left, nobody is left to share it, the typed amounts
        or percentages no longer add up without them, or the group's currency changed), the
        entry is None and the second value says why, and the recurring expense is paused.

        One spent in another currency is split in it, then converted at the ECB reference rate
        of `date` and shared in the same proportions, as the expense form does.
        """
        payers, shares = people
        if self.currency != self.group.currency:
            return None, gettext_noop(
                "the group's currency changed to %(currency)s", currency=self.group.currency
            )
        gone_payers = [p.member.display_name for p in payers if not p.member.is_active]
        if gone_payers:
            return None, gettext_noop(
                "%(names)s, who paid it, left the group", names=Joined(gone_payers, AND)
            )
        staying = [s for s in shares if s.member.is_active]
        left_names = [s.member.display_name for s in shares if not s.member.is_active]
        left = Joined(left_names, AND) if left_names else None
        if not staying:
            return None, gettext_noop("everyone who shared it left the group")
        submission_id = uuid.uuid5(OCCURRENCE_NAMESPACE, f"{self.pk}/{date.isoformat()}")
        try:
            values = {
                s.member_id: None
                if self.split_kind == SplitKind.EQUAL
                else read_value(self.split_kind, s.entered, self.spent_currency)
                for s in staying
            }
            result = split(
                self.split_kind,
                self.amount,
                values,
                seed=str(submission_id),
                currency=self.spent_currency,
            )
        except SplitError as error:
            return None, gettext_noop(
                "without %(names)s the split no longer works (%(reason)s)",
                names=left,
                reason=error.message,
            )
        paid, owed = {p.member_id: p.amount for p in payers}, dict(result.shares)
        amount, conversion, original_paid, original_owed = self.amount, None, {}, {}
        if self.original_currency:
            try:
                rate = fx.rate(self.original_currency, self.currency, date)
                amount = fx.convert(self.amount, self.original_currency, self.currency, rate.value)
            except fx.MoneyError as error:
                return None, gettext_noop(
                    "it can't be converted on %(date)s (%(reason)s)",
                    date=When(date, "j M Y"),
                    reason=error.message,
                )
            if amount <= 0:
                return None, gettext_noop(
                    "converted on %(date)s, it is less than %(amount)s",
                    date=When(date, "j M Y"),
                    amount=Amount(1, self.currency),
                )
            conversion = fx.Conversion(
                self.amount,
                self.original_currency,
                rate.value,
                RateSource.REFERENCE,
                rate.published_on,
            )
            original_paid, original_owed = paid, owed
            seed = str(submission_id)
            paid = split_in_proportion(amount, original_paid, seed=seed).shares
            # A payer whose part rounds to nothing in the group's currency paid nothing in it.
            paid = {pk: part for pk, part in paid.items() if part}
            owed = dict(split_in_proportion(amount, original_owed, seed=seed).shares)
        entry = ExpenseEntry(
            description=self.description,
            amount=amount,
            currency=self.currency,
            conversion=conversion,
            date=date,
            category=self.category,
            notes=self.notes,
            split_kind=self.split_kind,
            submission_id=submission_id,
            paid=paid,
            owed=owed,
            original_paid=original_paid,
            original_owed=original_owed,
            entered={s.member_id: s.entered for s in staying},
        )
        return entry, left


class RecurringPayer(models.Model):
    recurring = models.ForeignKey(RecurringExpense, on_delete=models.CASCADE, related_name="payers")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recurring", "member"], name="expenses_recurring_payer_unique_member"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="expenses_recurring_payer_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.member} pays {self.amount}"


class RecurringShare(models.Model):
    """Someone who shares a recurring expense, with what was typed for them (see `read_value`)."""

    recurring = models.ForeignKey(RecurringExpense, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    entered = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recurring", "member"], name="expenses_recurring_share_unique_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} shares {self.recurring}"


# The amounts of the expense lines a page shows (`expenses.views.ExpenseRow.lines`), compiled
# once rather than on each request (`splitclone.compiled`).
EXPENSE_PAYERS = CompiledQuery(
    lambda slot: (
        ExpensePayer.objects.filter(expense_id__in=slot.expense_ids)
        .order_by("pk")
        .values_list("expense_id", "member_id", "amount")
    ),
    expense_ids=list[int],
)
EXPENSE_SHARES = CompiledQuery(
    lambda slot: ExpenseShare.objects.filter(expense_id__in=slot.expense_ids).values_list(
        "expense_id", "member_id", "amount"
    ),
    expense_ids=list[int],
)
