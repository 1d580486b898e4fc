"""What the ledger keeps: the rows that move money (abstract), and the pairwise balances.

The ledger is the truth: the live rows of every concrete `LedgerRow` model (expenses and
payments). Member balances (`groups.Member.balance`) and `PairBalance` are a cache of it, which
only `ledger.books` writes, under the group's lock, in the same transaction as the rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from groups.models import Group, Member


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

    class Meta:
        abstract = True

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
