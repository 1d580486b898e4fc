"""Background tasks of the expenses app (Django's task framework; see settings.TASKS)."""

from django.tasks import task
from django.utils import timezone

from expenses.models import OccurrencesFailed, RecurringExpense, RecurringStatus


@task
def create_due_occurrences(recurring_ids=None):
    """Makes the occurrences of recurring expenses that are due by today: all of them, or only
    those in `recurring_ids`.

    The worker enqueues it every 15 minutes (settings.PERIODIC_TASKS), and the pages do for one
    recurring expense that is due at once (set up, changed or resumed with a date in the past).
    Running it twice changes nothing; a run that fails, or never ran, is caught up by the next.
    The task fails when any recurring expense failed, so that it shows in the metrics.
    """
    run = RecurringExpense.objects.create_due_occurrences(timezone.localdate(), recurring_ids)
    if run.failed:
        raise OccurrencesFailed(run)
    return {"created": run.created, "paused": run.paused}


def enqueue_if_due(recurring):
    """Dates already due (a start or a resume in the past) are made by the worker straight away
    rather than at its next periodic run. Used by the pages after a change is committed."""
    if recurring.status == RecurringStatus.ACTIVE and recurring.next_date <= timezone.localdate():
        create_due_occurrences.enqueue(recurring_ids=[recurring.pk])
