"""What live expenses add up to per month and category, as the database sums them.

The truth the kept spending totals (`ledger.models.GroupSpending`, `MemberSpending`) are checked
against and filled from: `Expense.ledger_spending` for `recompute_balances`, and the migration
that created the totals, which hands in its historical models. The ledger names no expense
model: its caller hands them in.
"""

from django.db.models import BigIntegerField, Case, Count, F, Sum, When


def spending_totals(expense_model, payer_model, share_model, group_ids):
    """The totals of the live expenses of the groups `group_ids`, per month and per day, in
    three aggregate queries, shaped like a spending effect with the group first in each key:
    ({(group, span, day, category): (amount, expenses)},
    {(group, span, day, category, member): (paid, share, shares)})."""
    groups, members = {}, {}
    for group_id, day, category, amount, count in aggregated(
        expense_model.objects.filter(group_id__in=group_ids, deleted_at__isnull=True),
        ["group_id", "date", "category"],
    ):
        add_to_both_spans(groups, group_id, day, (category,), (amount, count))
    live = {"expense__group_id__in": group_ids, "expense__deleted_at__isnull": True}
    columns = ["expense__group_id", "expense__date", "expense__category", "member_id"]
    for group_id, day, category, member_id, amount, _ in aggregated(
        payer_model.objects.filter(**live), columns, amount_in_group_currency()
    ):
        add_to_both_spans(members, group_id, day, (category, member_id), (amount, 0, 0))
    for group_id, day, category, member_id, amount, count in aggregated(
        share_model.objects.filter(**live), columns, amount_in_group_currency()
    ):
        add_to_both_spans(members, group_id, day, (category, member_id), (0, amount, count))
    return (
        {key: tuple(figures) for key, figures in groups.items()},
        {key: tuple(figures) for key, figures in members.items()},
    )


def amount_in_group_currency():
    """What a payer or share row comes to in the group's currency: its amount, or, for an
    expense that settles in the currency it was spent in, its part of the expense's amount
    converted at the expense's date (rounded down, so parts may fall short of the total by a few
    minor units): `ledger.effects.parts_in_group_currency` in SQL."""
    return Case(
        When(
            expense__settles_in_original=True,
            then=F("amount") * F("expense__amount") / F("expense__original_amount"),
        ),
        default=F("amount"),
        output_field=BigIntegerField(),
    )


def aggregated(rows, columns, amount="amount"):
    """(*columns, sum of `amount`, number of rows) per distinct `columns` of `rows`."""
    return (
        rows.values(*columns)
        .annotate(total=Sum(amount), count=Count("id"))
        .values_list(*columns, "total", "count")
        .order_by()
    )


def add_to_both_spans(totals, group_id, day, rest, figures):
    """Adds a day's `figures` to its month's and its own totals (lists, added in place)."""
    for key in ((group_id, "month", day.replace(day=1), *rest), (group_id, "day", day, *rest)):
        kept = totals.get(key)
        if kept is None:
            totals[key] = list(figures)
        else:
            for column, figure in enumerate(figures):
                kept[column] += figure
