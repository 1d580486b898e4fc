import datetime
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q

from expenses.debts import combine, ledger_effect
from expenses.splitting import SplitKind
from groups.ledger import set_deleted
from groups.models import Activity, Group, Member
from splitclone import metrics
from splitclone.money import MAX_AMOUNT, format_amount
from splitclone.text import shorten

# Descriptions quoted in an edit's summary are shortened to this, so that the old and the new
# one both fit in an activity line beside what else changed.
QUOTED_LENGTH = 80

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
    date: datetime.date
    category: str
    notes: str
    split_kind: str
    submission_id: uuid.UUID
    paid: dict[int, int]
    owed: dict[int, int]
    entered: dict[int, str] = field(default_factory=dict)
    receipt: object = None

    def apply_to(self, expense):
        expense.description = self.description
        expense.amount = self.amount
        expense.currency = expense.group.currency
        expense.date = self.date
        expense.category = self.category
        expense.notes = self.notes
        expense.split_kind = self.split_kind
        if self.receipt:
            expense.receipt = self.receipt


class StaleEdit(Exception):
    """Someone saved the expense after the editor loaded it; carries the newer version."""

    def __init__(self, current):
        super().__init__("the expense changed since it was loaded")
        self.current = current


class ExpenseQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)

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
        Raises `StaleEdit` when `expected_version` is no longer the expense's version.
        """
        try:
            with transaction.atomic():
                return self._save(group_id, author, entry, expense, expected_version)
        except IntegrityError:
            existing = self.filter(group_id=group_id, submission_id=entry.submission_id).first()
            if expense is None and existing is not None:
                return existing
            raise

    def _save(self, group_id, author, entry, expense, expected_version):
        group = Group.objects.lock_for_ledger(group_id)
        if expense is None:
            # A repeated submission id fails the unique constraint; save_expense then returns
            # the expense the first submission created.
            expense = Expense(group=group, created_by=author, submission_id=entry.submission_id)
            before = ({}, {})
            verb, summary = Activity.Verb.EXPENSE_ADDED, None
            counter = metrics.EXPENSES_CREATED
        else:
            expense = self.select_for_update().get(pk=expense.pk, group=group)
            if expense.version != expected_version:
                raise StaleEdit(self.with_people().get(pk=expense.pk))
            before = expense.effect(sign=-1)
            verb, summary = Activity.Verb.EXPENSE_EDITED, expense.describe_changes(entry)
            counter = metrics.EXPENSES_EDITED
            expense.version += 1
        entry.apply_to(expense)
        expense.updated_by = author
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
        after = ledger_effect(entry.paid, entry.owed)
        group.apply_ledger_change(*combine(before, after))
        Activity.record(
            group,
            author,
            verb,
            summary or f"added “{expense.description}” ({expense.amount_display})",
            expense_id=expense.pk,
        )
        transaction.on_commit(counter.inc)
        return expense

    def delete_expense(self, expense, *, actor):
        """Soft delete: the expense leaves the ledger but stays restorable."""
        expense, changed = set_deleted(
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
        expense, _ = set_deleted(
            self.all(),
            expense,
            delete=False,
            actor=actor,
            verb=Activity.Verb.EXPENSE_RESTORED,
            summary=lambda row: f"restored “{row.description}” ({row.amount_display})",
            expense_id=expense.pk,
        )
        return expense


def receipt_path(expense, filename):
    # A random name: the uploader's file name may carry personal data or path tricks.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"receipts/{expense.group_id}/{uuid.uuid4().hex}.{extension}"


class Expense(models.Model):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="expenses")
    description = models.CharField(max_length=200)
    amount = models.BigIntegerField(help_text="In minor units of the currency.")
    currency = models.CharField(max_length=3)
    date = models.DateField()
    category = models.CharField(max_length=20, choices=Category, default=Category.GENERAL)
    notes = models.TextField(max_length=2000, blank=True)
    receipt = models.FileField(upload_to=receipt_path, blank=True)
    split_kind = models.CharField(max_length=12, choices=list(SPLIT_KIND_LABELS.items()))
    # Generated when the form is first shown: makes re-submissions idempotent and seeds the
    # tie-break for leftover cents, so the preview and the saved expense agree.
    submission_id = models.UUIDField(default=uuid.uuid4)
    # Bumped on every edit; an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

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

    def paid_and_owed(self):
        paid = {payer.member_id: payer.amount for payer in self.payers.all()}
        owed = {share.member_id: share.amount for share in self.shares.all()}
        return paid, owed

    def effect(self, sign=1):
        paid, owed = self.paid_and_owed()
        return ledger_effect(paid, owed, sign=sign)

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
