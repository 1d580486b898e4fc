import datetime
import uuid

from settlements.models import Payment


def record_payment(sender, receiver, amount, *, actor=None, **fields):
    """Records a payment through the real ledger path, so kept balances move with it."""
    return Payment.objects.record(
        group_id=sender.group_id,
        from_member_id=sender.pk,
        to_member_id=receiver.pk,
        amount=amount,
        currency=fields.pop("currency", sender.group.currency),
        date=fields.pop("date", datetime.date(2026, 11, 2)),
        note=fields.pop("note", ""),
        actor=actor or sender.group.created_by,
        submission_id=fields.pop("submission_id", uuid.uuid4()),
        **fields,
    )
