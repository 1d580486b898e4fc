"""What live expenses add up to per month and category, as the database sums them.

The truth the kept spending totals (`ledger.models.GroupSpending`, `MemberSpending`) are checked
against and filled from: `Expense.ledger_spending` for `recompute_balances`, and the migration
that created the totals, which hands in its historical models. The ledger names no expense
model: its caller hands them in.
"""

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth


def spending_totals(expense_model, payer_model, share_model, group_ids):
    """The totals of the live expenses of the groups `group_ids`, in three aggregate queries:
    ({(group, month, category): (amount, expenses)},
    {(group, member, month, category): (paid, share, shares)})."""
    live = {"expense__group_id__in": group_ids, "expense__deleted_at__isnull": True}
    groups = {
        (row["group_id"], row["month"], row["category"]): (row["total"], row["count"])
        for row in expense_model.objects.filter(group_id__in=group_ids, deleted_at__isnull=True)
        .annotate(month=TruncMonth("date"))
        .values("group_id", "month", "category")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by()
    }
    members = {}
    for column, model in enumerate((payer_model, share_model)):
        for row in (
            model.objects.filter(**live)
            .annotate(month=TruncMonth("expense__date"))
            .values("expense__group_id", "member_id", "month", "expense__category")
            .annotate(total=Sum("amount"), count=Count("id"))
            .order_by()
        ):
            key = (
                row["expense__group_id"],
                row["member_id"],
                row["month"],
                row["expense__category"],
            )
            totals = list(members.get(key, (0, 0, 0)))
            totals[column] = row["total"]
            if model is share_model:
                totals[2] = row["count"]
            members[key] = tuple(totals)
    return groups, members
