"""Background tasks of the notifications (Django's task framework; see settings.TASKS). The
worker runs the periodic ones on its schedule (settings.PERIODIC_TASKS); `dispatch_activity` is
also enqueued after every commit that records a followed history line."""

from django.db import transaction
from django.tasks import task

from notifications import delivery, dispatch


def _send_after_commit(email_ids):
    for email_id in email_ids:
        transaction.on_commit(lambda pk=email_id: send_email.enqueue(pk))


@task
def dispatch_activity():
    """Tells the people involved in what happened since the last run, and enqueues again the
    emails whose task was lost or whose send was cut off."""
    created = dispatch.dispatch_new_activity()
    stalled = delivery.stalled_email_ids()
    _send_after_commit(created + stalled)
    return {"emails": len(created), "stalled": len(stalled)}


@task
def send_digests():
    """Today's digests, for people who chose one: once per person and day."""
    created = dispatch.queue_digests()
    _send_after_commit(created)
    return {"emails": len(created)}


@task
def send_reminders():
    """This week's reminders to people who owe more than their threshold: once per ISO week."""
    created = dispatch.queue_reminders()
    _send_after_commit(created)
    return {"emails": len(created)}


def _retry(email_id, due_at):
    send_email.using(run_after=due_at).enqueue(email_id)


@task
def send_email(email_id):
    """Sends one notification email (see `notifications.delivery.deliver`)."""
    return delivery.deliver(email_id, retry=_retry)
