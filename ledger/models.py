"""What the ledger keeps: the rows that move money (abstract), the pairwise balances and the
spending totals.

The ledger is the truth: the live rows of every concrete `LedgerRow` model (expenses and
payments). Member balances (`groups.Member.balance`), `PairBalance`, `GroupSpending` and
`MemberSpending` are a cache of it, which only `ledger.books` writes, under the group's lock,
in the same transaction as the rows.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from groups.models import Group, Member
from splitclone import fx
from splitclone.money import format_amount


class RateSource(models.TextChoices):
    SAME = "same", "Same currency"
    REFERENCE = "reference", "ECB reference rate"
    ENTERED = "entered", "Rate entered"
    CHARGED = "charged", "Amount charged"


class LedgerRow(models.Model):
    """A row that moves a group's balances while it is live; history is marked, never deleted.

    A concrete subclass has a `group` foreign key and says how it moves balances with `effect`,
    and how a whole group's live rows do with `ledger_effects` (for rebuilding the cache).
    """

    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Bumped by every change under the group's lock (edit, delete, restore): a change based on
    # an older version is refused rather than applied twice.
    version = models.PositiveIntegerField(default=1)
    # `amount` and `currency` are what the ledger moves: minor units of the group's currency.
    # These say what was spent, in the currency it was spent in, and how it was converted
    # (`ledger.books.require_conversion` holds every row to it). The database defaults are
    # those of a row in the group's currency, which every row was before conversions existed.
    original_amount = models.BigIntegerField(
        db_default=0, help_text="In minor units of the original currency."
    )
    original_currency = models.CharField(max_length=3, db_default="")
    rate = models.DecimalField(
        max_digits=fx.RATE_MAX_DIGITS,
        decimal_places=fx.RATE_DECIMAL_PLACES,
        db_default=Decimal(1),
        help_text="Group currency units per unit of the original currency.",
    )
    rate_source = models.CharField(max_length=10, choices=RateSource, db_default=RateSource.SAME)
    # The day of the ECB publication a reference rate comes from (the entry's date or before).
    rate_date = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    def set_conversion(self, conversion):
        """Takes an `fx.Conversion` that `ledger.books.require_conversion` accepted."""
        self.original_amount = conversion.original_amount
        self.original_currency = conversion.original_currency
        self.rate = conversion.rate
        self.rate_source = conversion.source
        self.rate_date = conversion.rate_date

    @property
    def is_converted(self):
        return self.rate_source != RateSource.SAME

    @property
    def original_display(self):
        return format_amount(self.original_amount, self.original_currency)

    @property
    def spent_display(self):
        """ "123.45 USD → 104.73 EUR" for a converted row, else the amount alone."""
        moved = format_amount(self.amount, self.currency)
        return f"{self.original_display} → {moved}" if self.is_converted else moved

    @property
    def rate_display(self):
        """ "1 USD = 0.8483922966 EUR (ECB reference rate of 24 Dec 2025)"."""
        text = f"1 {self.original_currency} = {self.rate.normalize():f} {self.currency}"
        source = self.get_rate_source_display()
        if self.rate_source == RateSource.REFERENCE and self.rate_date:
            source += f" of {self.rate_date:%d %b %Y}"
        return f"{text} ({source})"

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    def effect(self, sign=1):
        """(member deltas, pair deltas) this row adds to the kept balances; see ledger.effects."""
        raise NotImplementedError

    @classmethod
    def ledger_effects(cls, group_id):
        """The effects of the group's live rows, in as few queries as the model can manage."""
        raise NotImplementedError

    def spending(self, sign=1):
        """What this row adds to the kept spending totals; see ledger.effects.expense_spending.

        Nothing, unless the row is spending (payments are not).
        """
        return {}, {}

    @classmethod
    def ledger_spending(cls, group_id):
        """The spending totals of the group's live rows, added up by the database, in the
        shape of a spending effect. Used by `recompute_balances`."""
        return {}, {}


class PairBalance(models.Model):
    """What one member owes another from the entries they share, netted; kept like balances.

    Stored once per unordered pair with `member_a` the lower id: a positive amount means
    member_a owes member_b. With "simplify debts" off, these are the payments settle-up suggests.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="pair_balances")
    member_a = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    member_b = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(default=0)

    class Meta:
        # The table predates the ledger app; keeping its name kept every row on upgrade.
        db_table = "groups_pairbalance"
        constraints = [
            models.UniqueConstraint(
                fields=["group", "member_a", "member_b"], name="groups_pairbalance_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(member_a__lt=models.F("member_b")),
                name="groups_pairbalance_ordered_pair",
            ),
        ]

    def __str__(self):
        return f"{self.member_a_id}→{self.member_b_id}: {self.amount}"


class GroupBooks(Group):
    """A group seen by support staff as its books: kept balances checked against the ledger."""

    class Meta:
        proxy = True
        verbose_name = "group's books"
        verbose_name_plural = "groups' books"


class Span(models.TextChoices):
    MONTH = "month", "Month"
    DAY = "day", "Day"


class GroupSpending(models.Model):
    """What a group's live expenses add up to per category, per month and per day; kept like
    balances.

    The statistics pages read the months a period covers whole and the days of the (at most two)
    months it cuts through: a few hundred rows whatever the number of expenses. `ledger.books`
    moves them in the same transaction as the rows (`apply_spending`); a total whose expenses
    all went keeps a row of zeros.
    """

    # Indexed by the unique constraint, which leads with the group.
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+", db_index=False)
    span = models.CharField(max_length=5, choices=Span)
    day = models.DateField(help_text="The day, or the first day of the month.")
    category = models.CharField(max_length=20)
    amount = models.BigIntegerField(default=0)
    expense_count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index of the statistics page's read of a group's months and days.
            models.UniqueConstraint(
                fields=["group", "span", "day", "category"], name="ledger_groupspending_unique"
            ),
        ]

    def __str__(self):
        return f"{self.span} {self.day} {self.category}: {self.amount} in {self.expense_count}"


class MemberSpending(models.Model):
    """What one member paid and what their shares came to per category, per month and per day;
    kept like `GroupSpending`. `share_count` counts the expenses they have a share of, which
    tells a share of zero from none."""

    # Indexed by the unique constraint, which leads with the group.
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+", db_index=False)
    span = models.CharField(max_length=5, choices=Span)
    day = models.DateField(help_text="The day, or the first day of the month.")
    category = models.CharField(max_length=20)
    # A member is deleted only while no ledger row names them (payers and shares protect
    # them), when all their rows here are zeros.
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    paid = models.BigIntegerField(default=0)
    share = models.BigIntegerField(default=0)
    share_count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index of the statistics page's read of a group's months and days; "my
            # spending" reads by member through the foreign key's index.
            models.UniqueConstraint(
                fields=["group", "span", "day", "category", "member"],
                name="ledger_memberspending_unique",
            ),
        ]

    def __str__(self):
        return f"{self.member_id} {self.span} {self.day} {self.category}: {self.paid}/{self.share}"
