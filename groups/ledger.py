"""What every ledger row (an expense, a payment) shares: soft delete and restore.

A ledger row has `group`, `deleted_at`, `deleted_by` and `effect(sign)`, which says how it moves
the kept balances. Used by `ExpenseManager` and `PaymentManager`.
"""

from django.db import transaction
from django.utils import timezone

from groups.models import Activity, Group


def set_deleted(rows, row, *, delete, actor, verb, summary, **activity_data):
    """Soft-deletes (`delete=True`) or restores `row`, moving the kept balances with it.

    `rows` is the queryset the row is read again from, under the group's ledger lock, since a
    concurrent request may have deleted or restored it meanwhile. Returns the row and whether
    anything changed; `summary(row)` words the activity entry.
    """
    with transaction.atomic():
        group = Group.objects.lock_for_ledger(row.group_id)
        row = rows.get(pk=row.pk, group=group)
        if (row.deleted_at is not None) == delete:
            return row, False
        group.apply_ledger_change(*row.effect(sign=-1 if delete else 1))
        row.deleted_at = timezone.now() if delete else None
        row.deleted_by = actor if delete else None
        row.save(update_fields=["deleted_at", "deleted_by"])
        Activity.record(group, actor, verb, summary(row), **activity_data)
    return row, True
