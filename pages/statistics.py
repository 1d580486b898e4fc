"""What a group spent, and what a person spent across their groups, added up by the database.

The figures come from the spending totals the ledger keeps per month, category and member
(`ledger.models.GroupSpending`, `MemberSpending`), a few hundred rows for a group of any size,
plus the expense rows of the (at most two) months a chosen period cuts through. So a page costs
the same few queries, and about the same time, for one expense as for a hundred thousand.
Amounts stay in minor units; the charts (`pages.charts`) format them.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import TruncMonth

from expenses.models import Category, Expense, ExpensePayer, ExpenseShare
from ledger.models import GroupSpending, MemberSpending


@dataclass(frozen=True)
class PersonTotals:
    member: object
    paid: int
    share: int


@dataclass(frozen=True)
class GroupStatistics:
    months: list  # (first day of the month, total, number of expenses), oldest first
    categories: list  # (category label, total, number of expenses), largest first
    people: list  # PersonTotals, the viewer's group order
    total: int
    count: int


@dataclass(frozen=True)
class Period:
    """A period split where the kept monthly totals can answer it: the whole months inside it
    (`months`, a filter on the totals' month) and the days of the months it cuts through
    (`days`, a filter on the expense date, empty if none), which the expense rows answer.

    Reading the rows for at most two partial months keeps a period of any length as fast as all
    time, whatever the number of expenses.
    """

    months: dict
    days: Q

    @classmethod
    def of(cls, date_from, date_to):
        first = date_from and (date_from if date_from.day == 1 else next_month(date_from))
        # The first day of the month after the last whole month.
        end = date_to and (
            next_month(date_to)
            if next_month(date_to) - ONE_DAY == date_to
            else date_to.replace(day=1)
        )
        if first and end and first >= end:
            return cls({"month__in": []}, Q(date__range=(date_from, date_to)))
        months, days = {}, Q()
        if first:
            months["month__gte"] = first
            if date_from < first:
                days |= Q(date__range=(date_from, first - ONE_DAY))
        if end:
            months["month__lt"] = end
            if end <= date_to:
                days |= Q(date__range=(end, date_to))
        return cls(months, days)

    def expenses(self, rows, prefix):
        """`rows` narrowed to live expenses dated in the cut months; `prefix` leads from the
        rows to their expense ("" for expenses themselves)."""
        return rows.filter(
            prefix_lookups(self.days, prefix), **{f"{prefix}deleted_at__isnull": True}
        )


ONE_DAY = datetime.timedelta(days=1)


def next_month(day):
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def prefix_lookups(condition, prefix):
    """A copy of the Q `condition` with each lookup led by `prefix`."""
    copy = Q(*condition.children, _connector=condition.connector, _negated=condition.negated)
    copy.children = [
        prefix_lookups(child, prefix) if isinstance(child, Q) else (f"{prefix}{child[0]}", child[1])
        for child in condition.children
    ]
    return copy


def category_label(value):
    # A category no longer offered still reads as what it was stored as.
    return Category(value).label if value in Category.values else value


def group_statistics(group, date_from=None, date_to=None):
    """The group's spending per month, per category and per person, and its total (3 queries:
    totals per month and category, amounts paid and shares per member, members).

    Read from the kept totals (`ledger.models.GroupSpending`, `MemberSpending`), with the
    expense rows of the months the period cuts through.
    """
    period = Period.of(date_from, date_to)
    buckets = GroupSpending.objects.filter(
        group=group, expense_count__gt=0, **period.months
    ).values_list("month", "category", "amount", "expense_count")
    if period.days:
        buckets = buckets.union(
            period.expenses(Expense.objects.filter(group=group), "")
            .annotate(month=TruncMonth("date"))
            .values("month", "category")
            .annotate(total=Sum("amount"), count=Count("id"))
            .values_list("month", "category", "total", "count")
            .order_by(),
            all=True,
        )
    # A few hundred (month, category) totals, folded both ways here.
    months, categories = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for month, category, total, count in buckets:
        for totals in (months[month], categories[category]):
            totals[0] += total
            totals[1] += count
    paid, shares = defaultdict(int), defaultdict(int)
    for member_id, member_paid, member_share, share_count in member_totals(
        MemberSpending.objects.filter(group=group),
        ExpensePayer.objects.filter(expense__group=group),
        ExpenseShare.objects.filter(expense__group=group),
        period,
        [("member_id", "member_id")],
    ):
        # Who paid something or has a share (even of nothing), as the rows say.
        if member_paid:
            paid[member_id] += member_paid
        if share_count:
            shares[member_id] += member_share
    people = [
        PersonTotals(member, paid.get(member.pk, 0), shares.get(member.pk, 0))
        for member in group.members.with_people()
        if member.is_active or member.pk in paid or member.pk in shares
    ]
    return GroupStatistics(
        months=[(month, total, count) for month, (total, count) in sorted(months.items())],
        categories=sorted(
            (
                (category_label(category), total, count)
                for category, (total, count) in categories.items()
            ),
            key=lambda row: (-row[1], row[0]),
        ),
        people=people,
        total=sum(total for total, _ in months.values()),
        count=sum(count for _, count in months.values()),
    )


def member_totals(kept, payers, shares, period, keys):
    """(*keys, paid, share, number of shares) per `keys` over the period, in one query: the
    kept totals `kept` of the whole months and, for the cut months, the `payers` and `shares`
    rows of live expenses. `keys` pairs each column of the kept totals with the rows' column
    that means the same (where "month" is the month of the row's expense)."""
    kept_keys, row_keys = zip(*keys, strict=True)
    totals = (
        kept.filter(**period.months)
        .exclude(paid=0, share_count=0)
        .values(*kept_keys)
        .annotate(paid_total=Sum("paid"), share_total=Sum("share"), shares=Sum("share_count"))
        .values_list(*kept_keys, "paid_total", "share_total", "shares")
        .order_by()
    )
    if not period.days:
        return totals
    cut = [
        period.expenses(rows, "expense__")
        .annotate(month=TruncMonth("expense__date"))
        .values(*row_keys)
        .annotate(paid_total=paid, share_total=share, shares=count)
        .values_list(*row_keys, "paid_total", "share_total", "shares")
        .order_by()
        for rows, paid, share, count in (
            (payers, Sum("amount"), Value(0), Value(0)),
            (shares, Value(0), Sum("amount"), Count("id")),
        )
    ]
    return totals.union(*cut, all=True)


@dataclass(frozen=True)
class CurrencySpending:
    currency: str
    total: int  # the person's shares: what they spent
    paid: int  # what they paid out for everyone
    months: list  # (first day of the month, total of their shares), oldest first
    categories: list  # (category label, total of their shares), largest first


def personal_spending(user, date_from=None, date_to=None):
    """What `user` spent (their shares of expenses) in all their groups, one `CurrencySpending`
    per currency, each with its months and categories (1 query: paid and shares per currency,
    month and category, from the kept totals and the rows of the months the period cuts)."""
    months, categories, paid = defaultdict(dict), defaultdict(dict), defaultdict(int)
    for currency, month, category, member_paid, share, share_count in member_totals(
        MemberSpending.objects.filter(member__user=user),
        ExpensePayer.objects.filter(member__user=user),
        ExpenseShare.objects.filter(member__user=user),
        Period.of(date_from, date_to),
        [
            # An expense is in its group's currency, which the ledger fixes once it has rows.
            ("group__currency", "expense__currency"),
            ("month", "month"),
            ("category", "expense__category"),
        ],
    ):
        if member_paid:
            paid[currency] += member_paid
        if share_count:
            for totals, key in ((months[currency], month), (categories[currency], category)):
                totals[key] = totals.get(key, 0) + share
    return [
        CurrencySpending(
            currency=currency,
            total=sum(months[currency].values()),
            paid=paid.get(currency, 0),
            months=sorted(months[currency].items()),
            categories=[
                (category_label(category), total)
                for category, total in sorted(
                    categories[currency].items(), key=lambda item: (-item[1], item[0])
                )
            ],
        )
        for currency in sorted(months.keys() | paid.keys())
    ]
