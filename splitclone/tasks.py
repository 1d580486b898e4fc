"""Background tasks of the project (Django's task framework; see settings.TASKS)."""

from django.core.management import call_command
from django.tasks import task


@task
def refresh_rates():
    """Downloads the ECB's newest reference rates (`manage.py refresh_rates`). The worker
    enqueues it daily (settings.PERIODIC_TASKS); a run that finds nothing newer writes nothing,
    and one that fails (the ECB away) leaves the rates in use and is retried the next day."""
    call_command("refresh_rates")
