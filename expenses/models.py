import datetime
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.db.models import Q, Value

from expenses.splitting import SplitKind
from groups.models import Activity, Group, Member
from ledger import books
from ledger.books import RowChanged
from ledger.effects import combine, expense_effect
from ledger.models import LedgerRow
from splitclone import fx, metrics
from splitclone.money import MAX_AMOUNT, format_amount
from splitclone.text import search_key, shorten

# Descriptions quoted in an edit's summary are shortened to this, so that the old and the new
# one both fit in an activity line beside what else changed.
QUOTED_LENGTH = 80

# Rows fetched per round trip while streaming a group's expenses for a rebuild.
LEDGER_CHUNK_SIZE = 10_000
PAID, OWED = 0, 1

SPLIT_KIND_LABELS = {
    SplitKind.EQUAL: "Equally",
    SplitKind.EXACT: "Exact amounts",
    SplitKind.PERCENT: "Percentages",
    SplitKind.SHARES: "Shares",
    SplitKind.ADJUSTMENT: "Adjustments",
}


class Category(models.TextChoices):
    GENERAL = "general", "General"
    FOOD = "food", "Food and drink"
    GROCERIES = "groceries", "Groceries"
    RESTAURANTS = "restaurants", "Restaurants and bars"
    RENT = "rent", "Rent"
    UTILITIES = "utilities", "Utilities"
    HOUSEHOLD = "household", "Household supplies"
    TRANSPORT = "transport", "Transport"
    FUEL = "fuel", "Fuel"
    TRAVEL = "travel", "Flights and travel"
    ACCOMMODATION = "accommodation", "Accommodation"
    ENTERTAINMENT = "entertainment", "Entertainment"
    SPORTS = "sports", "Sports"
    SHOPPING = "shopping", "Shopping"
    HEALTH = "health", "Health"
    GIFTS = "gifts", "Gifts"
    OTHER = "other", "Other"


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

    @property
    def converted_from(self):
        return self.conversion or fx.Conversion.same(self.amount, self.currency)

    def apply_to(self, expense):
        expense.description = self.description
        expense.amount = self.amount
        expense.currency = self.currency
        expense.date = self.date
        expense.category = self.category
        expense.notes = self.notes
        expense.split_kind = self.split_kind
        expense.set_conversion(self.converted_from)


class StaleEdit(RowChanged):
    """Someone saved, deleted or restored the expense after the editor loaded it."""

    def __init__(self, current):
        if current.is_deleted:
            who = current.deleted_by.display_name if current.deleted_by else "Someone"
            message = (
                f"{who} deleted this expense while you were editing it, so nothing was saved. "
                "Restore it first if it should stay."
            )
        else:
            who = current.updated_by.display_name if current.updated_by else "Someone"
            message = (
                f"{who} saved this expense while you were editing it. Your changes are still in "
                "the form below; compare them with the newer version and save again to keep "
                "yours."
            )
        super().__init__(current, message)


class ExpenseQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)

    def matching(self, query):
        """The expenses whose description or notes contain `query`, ignoring case and accents."""
        key = search_key(query)
        return self.filter(search_text__contains=key) if key else self

    def with_people(self):
        return self.prefetch_related(
            models.Prefetch("payers", ExpensePayer.objects.select_related("member__user")),
            models.Prefetch("shares", ExpenseShare.objects.select_related("member__user")),
        )


class ExpenseManager(models.Manager.from_queryset(ExpenseQuerySet)):
    def save_expense(self, *, group_id, author, entry, expense=None, expected_version=None):
        """Creates or edits an expense and moves the kept balances with it, all or nothing.

        `entry` is a cleaned `ExpenseEntry`. A second submission with the same submission id
        (a double click, a retried request) returns the expense the first one created.
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
                        group, author, entry, expense, expected_version, receipt_name
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

    def _save(self, group, author, entry, expense, expected_version, receipt_name):
        books.require_currency(group, entry.currency)
        books.require_entry_date(entry.date)
        books.require_conversion(group, entry.date, entry.amount, entry.converted_from)
        if expense is None:
            # A repeated submission id fails the unique constraint; save_expense then returns
            # the expense the first submission created.
            expense = Expense(group=group, created_by=author, submission_id=entry.submission_id)
            before = ({}, {})
            verb, summary = Activity.Verb.EXPENSE_ADDED, None
            counter = metrics.EXPENSES_CREATED
        else:
            expense = self.get(pk=expense.pk, group=group)
            if expense.version != expected_version or expense.is_deleted:
                current = self.with_people().select_related("updated_by", "deleted_by")
                raise StaleEdit(current.get(pk=expense.pk))
            before = expense.effect(sign=-1)
            verb, summary = Activity.Verb.EXPENSE_EDITED, expense.describe_changes(entry)
            counter = metrics.EXPENSES_EDITED
            expense.version += 1
        entry.apply_to(expense)
        expense.refresh_search_text()
        expense.updated_by = author
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
        ExpensePayer.objects.bulk_create(
            ExpensePayer(expense=expense, member_id=member_id, amount=amount)
            for member_id, amount in entry.paid.items()
        )
        ExpenseShare.objects.bulk_create(
            ExpenseShare(
                expense=expense,
                member_id=member_id,
                amount=amount,
                entered=entry.entered.get(member_id, ""),
            )
            for member_id, amount in entry.owed.items()
        )
        after = expense_effect(entry.paid, entry.owed)
        books.apply(group, combine(before, after))
        Activity.record(
            group,
            author,
            verb,
            summary or f"added “{expense.description}” ({expense.spent_display})",
            expense_id=expense.pk,
        )
        transaction.on_commit(counter.inc)
        return expense

    def delete_expense(self, expense, *, actor):
        """Soft delete: the expense leaves the ledger but stays restorable."""
        expense, changed = books.set_deleted(
            self.all(),
            expense,
            delete=True,
            actor=actor,
            verb=Activity.Verb.EXPENSE_DELETED,
            summary=lambda row: f"deleted “{row.description}” ({row.amount_display})",
            expense_id=expense.pk,
        )
        if changed:
            transaction.on_commit(metrics.EXPENSES_DELETED.inc)
        return expense

    def restore_expense(self, expense, *, actor):
        expense, _ = books.set_deleted(
            self.all(),
            expense,
            delete=False,
            actor=actor,
            verb=Activity.Verb.EXPENSE_RESTORED,
            summary=lambda row: f"restored “{row.description}” ({row.amount_display})",
            expense_id=expense.pk,
        )
        return expense


def receipt_path(group_id, filename):
    # A random name: the uploader's file name may carry personal data or path tricks.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"receipts/{group_id}/{uuid.uuid4().hex}.{extension}"


class Expense(LedgerRow):
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
        ]

    def __str__(self):
        return self.description

    @property
    def amount_display(self):
        return format_amount(self.amount, self.currency)

    def refresh_search_text(self):
        """Folds the description and notes again; whatever changes either calls it before saving."""
        self.search_text = search_key(self.description, self.notes)

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
        columns = ("expense_id", "side", "member_id", "amount")
        paid = ExpensePayer.objects.filter(**live).annotate(side=Value(PAID))
        owed = ExpenseShare.objects.filter(**live).annotate(side=Value(OWED))
        rows = paid.values_list(*columns).union(owed.values_list(*columns), all=True)
        stream = rows.order_by("expense_id").iterator(chunk_size=LEDGER_CHUNK_SIZE)
        # Closed however the loop ends: on PostgreSQL the stream is a server-side cursor, which
        # must not outlive a failure inside the caller's transaction.
        with closing(stream):
            for expense_id, expense_rows in groupby(stream, key=itemgetter(0)):
                sides = ({}, {})
                for _, side, member_id, amount in expense_rows:
                    sides[side][member_id] = amount
                try:
                    effect = expense_effect(*sides)
                except ValueError as error:
                    raise ValueError(f"expense #{expense_id}: {error}") from None
                yield effect

    def describe_changes(self, entry):
        """A short account of an edit for the activity log."""
        changes = []
        if entry.description != self.description:
            changes.append(f"renamed it from “{shorten(self.description, QUOTED_LENGTH)}”")
        if entry.amount != self.amount:
            changes.append(
                f"amount {self.amount_display} → {format_amount(entry.amount, self.currency)}"
            )
        if entry.date != self.date:
            changes.append(f"date {self.date:%d %b %Y} → {entry.date:%d %b %Y}")
        if (entry.paid, entry.owed) != self.paid_and_owed():
            changes.append("who paid or who owes")
        detail = "; ".join(changes) or "no change to the amounts"
        return f"edited “{shorten(entry.description, QUOTED_LENGTH)}”: {detail}"


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
