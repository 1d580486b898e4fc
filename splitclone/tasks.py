"""Background tasks of the project (Django's task framework; see settings.TASKS)."""

import logging

from django.core.management import call_command
from django.tasks import task

from splitclone.management.commands.refresh_rates import Unreachable

logger = logging.getLogger(__name__)


@task
def refresh_rates():
    """Downloads the ECB's newest reference rates (`manage.py refresh_rates`). The worker
    enqueues it daily (settings.PERIODIC_TASKS); a run that finds nothing newer writes nothing.

    A machine without a way out (development, a network outage) keeps the rates in use and says
    so in one warning: the task succeeds, so the task-failure alert stays for what needs a person,
    such as a download that is not the ECB's history.
    """
    try:
        call_command("refresh_rates")
    except Unreachable as error:
        logger.warning("%s", error)
