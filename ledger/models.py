"""What the ledger keeps: the rows that move money (abstract), the pairwise balances and the
spending totals.

The ledger is the truth: the live rows of every concrete `LedgerRow` model (expenses and
payments). Member balances (`groups.Member.balance`), `PairBalance`, `GroupSpending` and
`MemberSpending` are a cache of it, which only `ledger.books` writes, under the group's lock,
in the same transaction as the rows.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from groups.models import Group, Member, label_phrase
from ledger.effects import payment_effect
from splitclone import fx
from splitclone.formats import localized_amount
from splitclone.money import Amount, format_amount
from splitclone.phrases import Joined, When, gettext_noop
from splitclone.translation import translated


class RateSource(models.TextChoices):
    SAME = "same", gettext_lazy("Same currency")
    REFERENCE = "reference", gettext_lazy("ECB reference rate")
    ENTERED = "entered", gettext_lazy("Rate entered")
    CHARGED = "charged", gettext_lazy("Amount charged")


def rate_display(from_currency, rate, to_currency, source, rate_date):
    """ "1 USD = 0.8483922966 EUR (ECB reference rate of 24 Dec 2025)", in the active language."""
    return translated(rate_phrase(from_currency, rate, to_currency, source, rate_date))


def rate_phrase(from_currency, rate, to_currency, source, rate_date):
    """The rate as a phrase (`splitclone.phrases`), for a line written in each reader's language
    where it is shown (the group history's conversions)."""
    if source == RateSource.REFERENCE and rate_date:
        label = gettext_noop("ECB reference rate of %(date)s", date=When(rate_date, "d M Y"))
    else:
        label = label_phrase(RateSource(source))
    return gettext_noop(
        "1 %(from_currency)s = %(rate)s %(to_currency)s (%(source)s)",
        from_currency=from_currency,
        rate=f"{rate.normalize():f}",
        to_currency=to_currency,
        source=label,
    )


@dataclass(frozen=True)
class PairLine:
    """One live ledger entry's effect on what one member owes another: see `ledger.covers`."""

    date: datetime.date
    # Orders the entries of one day as they were booked.
    created_at: datetime.datetime
    kind: str  # "expense", "payment" or "conversion"
    pk: int
    # The currency of the pair balance it moves: None for the group's.
    currency: str | None
    # What the pair's first member (the lower id) comes to owe the second; negative: less.
    amount: int
    description: str
    # Who paid whom, for a payment.
    sender_id: int | None = None
    # How it was converted: "123.45 USD → 104.73 EUR" with its rate, or a conversion's rate.
    conversion: str = ""


class LedgerEntry(models.Model):
    """An entry that moves a group's balances while it is live; history is marked, never deleted.

    A concrete subclass has a `group` foreign key and says how it moves balances with
    `currency_effects`, and how a whole group's live entries do with `ledger_effects` (for
    rebuilding the cache). Each effect comes with the currency of the balances it moves: None
    for the group's currency, else a currency the group keeps until it settles up (a group that
    converts at settlement, see docs/currencies.md).
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

    def currency_effects(self, sign=1):
        """[(currency or None, (member deltas, pair deltas))] this entry adds to the balances."""
        raise NotImplementedError

    @classmethod
    def ledger_effects(cls, group_id):
        """(currency or None, effect) of the group's live entries, in as few queries as the model
        can manage."""
        raise NotImplementedError

    @classmethod
    def pair_lines(cls, group, member_a, member_b):
        """[PairLine] of the group's live entries both members are in, with their effect on
        what `member_a` owes `member_b` (ids, a < b), in a constant number of queries. Their
        amounts add up to the pair's balances, currency by currency; some may be zero (both
        owe a third), which `ledger.covers` leaves out."""
        raise NotImplementedError

    @classmethod
    def shared_pairs(cls, group_ids):
        """A query of (group id, a, b), a < b, for every two members a live entry of the groups
        names together; None when the model's entries name nobody together (conversions).
        Used by `ledger.books.shared_pairs`."""
        return None

    def spending(self, sign=1):
        """What this entry adds to the kept spending totals; see ledger.effects.expense_spending.

        Nothing, unless the entry is spending (payments and conversions are not).
        """
        return {}, {}

    @classmethod
    def ledger_spending(cls, group_id):
        """The spending totals of the group's live entries, added up by the database, in the
        shape of a spending effect. Used by `recompute_balances`."""
        return {}, {}


class LedgerRow(LedgerEntry):
    """An expense or a payment: an entry with an amount, which may have been spent in another
    currency than the group's."""

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
    # In a group that converts at settlement, an entry spent in another currency keeps its
    # shares (or its payment) in that currency: they move that currency's balances, and
    # `amount`, converted at the entry's date, serves only statistics.
    settles_in_original = models.BooleanField(db_default=False)

    class Meta:
        abstract = True

    @property
    def ledger_currency(self):
        """The currency of the balances this row moves: None for the group's."""
        return self.original_currency if self.settles_in_original else None

    @property
    def shares_currency(self):
        """The currency its payers' and shares' amounts are in."""
        return self.ledger_currency or self.currency

    @staticmethod
    def conversion_fields(conversion):
        """{attname: value} of the fields that keep an `fx.Conversion`."""
        return {
            "original_amount": conversion.original_amount,
            "original_currency": conversion.original_currency,
            "rate": conversion.rate,
            "rate_source": conversion.source,
            "rate_date": conversion.rate_date,
        }

    def set_conversion(self, conversion):
        """Takes an `fx.Conversion` that `ledger.books.require_conversion` accepted."""
        for name, value in self.conversion_fields(conversion).items():
            setattr(self, name, value)

    @property
    def is_converted(self):
        return self.rate_source != RateSource.SAME

    @property
    def original_display(self):
        return localized_amount(self.original_amount, self.original_currency)

    @property
    def spent(self):
        """What was spent as a value of a phrase (`splitclone.phrases`), written in each
        reader's language where it is shown; in English as a string (the admin's `__str__`)."""
        moved = Amount(self.amount, self.currency)
        if not self.is_converted:
            return moved
        return Joined([Amount(self.original_amount, self.original_currency), moved], " → ")

    @property
    def spent_display(self):
        """ "123.45 USD → 104.73 EUR" for a converted row, else the amount alone, in the active
        language ("123,45 $ → 104,73 €")."""
        return translated(self.spent)

    @property
    def rate_display(self):
        return rate_display(
            self.original_currency, self.rate, self.currency, self.rate_source, self.rate_date
        )

    def effect(self, sign=1):
        """(member deltas, pair deltas) this row adds to the kept balances of its
        `ledger_currency`; see ledger.effects."""
        raise NotImplementedError

    def currency_effects(self, sign=1):
        return [(self.ledger_currency, self.effect(sign))]


def ledger_models():
    """Every concrete model whose entries move balances (expenses, payments, conversions)."""
    return [model for model in apps.get_models() if issubclass(model, LedgerEntry)]


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


class CurrencyBalance(models.Model):
    """A member's balance in a currency other than the group's, which a group that converts at
    settlement keeps until it settles up; kept like `Member.balance` (positive: is owed)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="currency_balances")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "currency"], name="ledger_currencybalance_unique"
            ),
        ]

    def __str__(self):
        return f"{self.member_id}: {format_amount(self.amount, self.currency)}"


class CurrencyPairBalance(models.Model):
    """`PairBalance` in a currency other than the group's (a group that converts at settlement).

    Settle-up converts these pair by pair, and each member's converted balance is the sum of
    their pairs': see `ledger.books.convert_open_balances`.
    """

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="currency_pair_balances"
    )
    member_a = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    member_b = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "member_a", "member_b", "currency"],
                name="ledger_currencypairbalance_unique",
            ),
            models.CheckConstraint(
                condition=Q(member_a__lt=models.F("member_b")),
                name="ledger_currencypairbalance_ordered_pair",
            ),
        ]

    def __str__(self):
        return f"{self.member_a_id}→{self.member_b_id}: {format_amount(self.amount, self.currency)}"


class BalanceConversion(LedgerEntry):
    """A ledger entry that turns a group's open balances in other currencies into its own
    currency, at the rates of one day: booked before a payment that settles up in the group's
    currency (see `ledger.books.convert_open_balances`)."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="balance_conversions")
    date = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"conversion of {self.date:%d %b %Y}"

    def currency_effects(self, sign=1):
        return [effect for line in self.lines.all() for effect in line.currency_effects(sign)]

    @classmethod
    def ledger_effects(cls, group_id):
        """Every line of the group's live conversions, summed per currency and pair: an effect is
        linear in its amounts."""
        totals = (
            ConversionLine.objects.filter(
                conversion__group_id=group_id, conversion__deleted_at__isnull=True
            )
            .values_list("currency", "member_a_id", "member_b_id")
            .annotate(amount=models.Sum("amount"), converted=models.Sum("converted"))
            .order_by()
        )
        for currency, member_a, member_b, amount, converted in totals:
            yield from ConversionLine.effects_of(currency, member_a, member_b, amount, converted)

    @classmethod
    def pair_lines(cls, group, member_a, member_b):
        # Booked conversions keep their pairs in order, but one read from a file
        # (`ledger.books.book_conversion`) may name them the other way round.
        either_way = Q(member_a_id=member_a, member_b_id=member_b) | Q(
            member_a_id=member_b, member_b_id=member_a
        )
        lines = ConversionLine.objects.filter(
            either_way, conversion__group=group, conversion__deleted_at__isnull=True
        ).select_related("conversion")
        for line in lines:
            rate = rate_display(
                line.currency, line.rate, group.currency, line.rate_source, line.rate_date
            )
            for currency, (_, pairs) in line.currency_effects():
                yield PairLine(
                    line.conversion.date,
                    line.conversion.created_at,
                    "conversion",
                    line.conversion.pk,
                    currency,
                    pairs.get((member_a, member_b), 0),
                    str(line.conversion),
                    conversion=rate,
                )

    def rates(self):
        """Each currency's rate line ("1 USD = 0.85 EUR (ECB reference rate of …)")."""
        seen = {}
        for line in self.lines.all():
            seen.setdefault(
                line.currency,
                rate_display(
                    line.currency, line.rate, self.group.currency, line.rate_source, line.rate_date
                ),
            )
        return list(seen.values())


class ConversionLine(models.Model):
    """One pair's open balance in one currency, and what it became in the group's currency."""

    conversion = models.ForeignKey(
        BalanceConversion, on_delete=models.CASCADE, related_name="lines"
    )
    currency = models.CharField(max_length=3)
    rate = models.DecimalField(
        max_digits=fx.RATE_MAX_DIGITS,
        decimal_places=fx.RATE_DECIMAL_PLACES,
        help_text="Group currency units per unit of the currency.",
    )
    rate_source = models.CharField(max_length=10, choices=RateSource)
    rate_date = models.DateField(null=True, blank=True)
    member_a = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    member_b = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    # What member_a owed member_b in `currency` (negative: was owed), and the same converted.
    amount = models.BigIntegerField()
    converted = models.BigIntegerField()

    def __str__(self):
        return f"{self.member_a_id}→{self.member_b_id}: {format_amount(self.amount, self.currency)}"

    @staticmethod
    def effects_of(currency, member_a, member_b, amount, converted, sign=1):
        """Clearing what a owes b in `currency` is a paying b that much; in the group's currency
        a then owes b the converted amount, as if b had paid it back to a."""
        return [
            (currency, payment_effect(member_a, member_b, amount, sign=sign)),
            (None, payment_effect(member_a, member_b, -converted, sign=sign)),
        ]

    def currency_effects(self, sign=1):
        return self.effects_of(
            self.currency, self.member_a_id, self.member_b_id, self.amount, self.converted, sign
        )


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
