"""What a group spent, and what a person spent across their groups, added up by the database.

Every figure is one aggregate query over live expenses (never a loop over the expenses), so a
page costs the same few queries for one expense as for a hundred thousand. Amounts stay in minor
units; the statistics pages draw them and the API hands them out as they are.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from expenses.models import (
    Category,
    Expense,
    ExpensePayer,
    ExpenseShare,
    amount_in_group_currency,
)


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


def in_range(rows, prefix, date_from, date_to):
    """`rows` narrowed to live expenses dated in [date_from, date_to] (either end may be open);
    `prefix` leads from the rows to their expense ("" for expenses themselves)."""
    rows = rows.filter(**{f"{prefix}deleted_at__isnull": True})
    if date_from:
        rows = rows.filter(**{f"{prefix}date__gte": date_from})
    if date_to:
        rows = rows.filter(**{f"{prefix}date__lte": date_to})
    return rows


def category_label(value):
    # A category no longer offered still reads as what it was stored as.
    return Category(value).label if value in Category.values else value


def group_statistics(group, date_from=None, date_to=None):
    """The group's spending per month, per category and per person, and its total (4 queries:
    totals per month and category, amounts paid and shares per member, members)."""
    expenses = in_range(Expense.objects.filter(group=group), "", date_from, date_to)
    # One pass over the expenses: a few hundred (month, category) totals, folded both ways here.
    months, categories = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for row in (
        expenses.annotate(month=TruncMonth("date"))
        .values("month", "category")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by()
    ):
        for totals in (months[row["month"]], categories[row["category"]]):
            totals[0] += row["total"]
            totals[1] += row["count"]
    paid = per_member(ExpensePayer.objects.filter(expense__group=group), date_from, date_to)
    shares = per_member(ExpenseShare.objects.filter(expense__group=group), date_from, date_to)
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


def per_member(rows, date_from, date_to):
    """{member id: sum of amounts} over the payer or share rows of live expenses in range."""
    rows = in_range(rows, "expense__", date_from, date_to)
    return dict(
        rows.values("member_id")
        .annotate(total=Sum(amount_in_group_currency()))
        .values_list("member_id", "total")
        .order_by()
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
    per currency, each with its months and categories (3 queries)."""
    shares = in_range(
        ExpenseShare.objects.filter(member__user=user), "expense__", date_from, date_to
    )
    months = {}
    for row in (
        shares.annotate(month=TruncMonth("expense__date"))
        .values("expense__currency", "month")
        .annotate(total=Sum(amount_in_group_currency()))
        .order_by("expense__currency", "month")
    ):
        months.setdefault(row["expense__currency"], []).append((row["month"], row["total"]))
    categories = {}
    for row in (
        shares.values("expense__currency", "expense__category")
        .annotate(total=Sum(amount_in_group_currency()))
        .order_by("expense__currency", "-total", "expense__category")
    ):
        categories.setdefault(row["expense__currency"], []).append(
            (category_label(row["expense__category"]), row["total"])
        )
    paid = dict(
        in_range(ExpensePayer.objects.filter(member__user=user), "expense__", date_from, date_to)
        .values("expense__currency")
        .annotate(total=Sum(amount_in_group_currency()))
        .values_list("expense__currency", "total")
        .order_by()
    )
    return [
        CurrencySpending(
            currency=currency,
            total=sum(total for _, total in months.get(currency, [])),
            paid=paid.get(currency, 0),
            months=months.get(currency, []),
            categories=categories.get(currency, []),
        )
        for currency in sorted(months.keys() | paid.keys())
    ]
