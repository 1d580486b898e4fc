"""What a group spent, and what a person spent across their groups, added up by the database.

The figures come from the spending totals the ledger keeps per category and member, per month
and per day (`ledger.models.GroupSpending`, `MemberSpending`): the months a period covers whole
and the days of the (at most two) months it cuts through, a few hundred rows for a group of any
size. So a page costs the same few queries, and about the same time, for one expense as for a
hundred thousand. Amounts stay in minor units; the statistics pages draw them and the API hands
them out as they are.
"""

import datetime
import operator
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q, Sum

from expenses.models import Category
from ledger.models import GroupSpending, MemberSpending, Span


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


def kept_in_period(date_from, date_to, **scope):
    """The kept totals (`GroupSpending`, `MemberSpending`) of `scope` (e.g. one group) that add
    up to the period: those of the months it covers whole, and those of the days of the (at
    most two) months it cuts through. A period of any length then reads about as many rows as
    all time does. Each alternative repeats the scope, so that each is a range of the totals'
    index (SQLite otherwise reads every total of the group)."""
    return reduce(operator.or_, (Q(**scope) & span for span in spans_in_period(date_from, date_to)))


def spans_in_period(date_from, date_to):
    whole = date_from and (date_from if date_from.day == 1 else next_month(date_from))
    # The first day of the month after the last whole month.
    end = date_to and (
        next_month(date_to) if next_month(date_to) - ONE_DAY == date_to else date_to.replace(day=1)
    )
    if whole and end and whole >= end:
        return [Q(span=Span.DAY, day__range=(date_from, date_to))]
    months, days = Q(span=Span.MONTH), []
    if whole:
        months &= Q(day__gte=whole)
        if date_from < whole:
            days.append(Q(span=Span.DAY, day__range=(date_from, whole - ONE_DAY)))
    if end:
        months &= Q(day__lt=end)
        if end <= date_to:
            days.append(Q(span=Span.DAY, day__range=(end, date_to)))
    return [months, *days]


ONE_DAY = datetime.timedelta(days=1)


def next_month(day):
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def category_label(value):
    # A category no longer offered still reads as what it was stored as.
    return Category(value).label if value in Category.values else value


def group_statistics(group, date_from=None, date_to=None):
    """The group's spending per month, per category and per person, and its total (3 queries:
    totals per month and category, amounts paid and shares per member, members)."""
    period = kept_in_period(date_from, date_to, group=group)
    # A few hundred totals of months and days, folded both ways here.
    months, categories = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for day, category, amount, count in GroupSpending.objects.filter(
        period, expense_count__gt=0
    ).values_list("day", "category", "amount", "expense_count"):
        for totals in (months[day.replace(day=1)], categories[category]):
            totals[0] += amount
            totals[1] += count
    paid, shares = {}, {}
    for member_id, member_paid, share, share_count in (
        MemberSpending.objects.filter(period)
        .exclude(paid=0, share_count=0)
        .values("member_id")
        .annotate(paid_total=Sum("paid"), share_total=Sum("share"), shares=Sum("share_count"))
        .values_list("member_id", "paid_total", "share_total", "shares")
        .order_by()
    ):
        # Who paid something or has a share (even of nothing), as the rows say.
        if member_paid:
            paid[member_id] = member_paid
        if share_count:
            shares[member_id] = share
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
    month or day and category)."""
    months, categories, paid = defaultdict(dict), defaultdict(dict), defaultdict(int)
    for currency, day, category, member_paid, share, share_count in (
        MemberSpending.objects.filter(kept_in_period(date_from, date_to, member__user=user))
        .exclude(paid=0, share_count=0)
        # An expense is in its group's currency, which the ledger fixes once it has rows.
        .values("group__currency", "day", "category")
        .annotate(paid_total=Sum("paid"), share_total=Sum("share"), shares=Sum("share_count"))
        .values_list("group__currency", "day", "category", "paid_total", "share_total", "shares")
        .order_by()
    ):
        if member_paid:
            paid[currency] += member_paid
        if share_count:
            for totals, key in (
                (months[currency], day.replace(day=1)),
                (categories[currency], category),
            ):
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
