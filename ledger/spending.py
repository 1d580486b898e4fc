"""What live expenses add up to per month and category, as the database sums them.

The truth the kept spending totals (`ledger.models.GroupSpending`, `MemberSpending`) are checked
against and filled from: `Expense.ledger_spending` for `recompute_balances`, and the migration
that created the totals, which hands in its historical models. The ledger names no expense
model: its caller hands them in.
"""

from django.db.models import Count, Sum

from ledger.effects import add_figures


def spending_totals(expense_model, payer_model, share_model, group_ids):
    """The totals of the live expenses of the groups `group_ids`, per month and per day, in
    three aggregate queries, shaped like a spending effect with the group first in each key:
    ({(group, span, day, category): (amount, expenses)},
    {(group, span, day, category, member): (paid, share, shares)})."""
    live = {"expense__group_id__in": group_ids, "expense__deleted_at__isnull": True}
    groups = {
        (row["group_id"], row["date"], row["category"]): (row["total"], row["count"])
        for row in expense_model.objects.filter(group_id__in=group_ids, deleted_at__isnull=True)
        .values("group_id", "date", "category")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by()
    }
    members = {}
    for paying, rows in ((True, payer_model), (False, share_model)):
        for row in (
            rows.objects.filter(**live)
            .values("expense__group_id", "expense__date", "expense__category", "member_id")
            .annotate(total=Sum("amount"), count=Count("id"))
            .order_by()
        ):
            key = (
                row["expense__group_id"],
                row["expense__date"],
                row["expense__category"],
                row["member_id"],
            )
            paid, share, shares = members.get(key, (0, 0, 0))
            if paying:
                paid = row["total"]
            else:
                share, shares = row["total"], row["count"]
            members[key] = (paid, share, shares)
    return per_span(groups), per_span(members)


def per_span(totals):
    """Totals keyed by (group, day, ...) as keyed by (group, span, day, ...), for both spans."""
    spans = {}
    for (group, day, *rest), figures in totals.items():
        add_figures(spans, (group, "month", day.replace(day=1), *rest), figures)
        add_figures(spans, (group, "day", day, *rest), figures)
    return spans
