"""Sending one notification email: claimed so it goes out once, retried with backoff when the
mail server fails, given up (and counted, and alerted on) after `MAX_ATTEMPTS`."""

import datetime
import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from notifications.emails import build_message
from notifications.models import Email
from splitclone import metrics

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Attempt n + 1 waits FIRST_RETRY × 4ⁿ⁻¹ after attempt n failed: 1, 4, 16 and 64 minutes.
FIRST_RETRY = datetime.timedelta(minutes=1)
# A send that began longer ago than this was cut off (the worker stopped): it is tried again.
# The mail server may have taken it already, so the person may get it twice; never not at all.
SENDING_TIMEOUT = datetime.timedelta(minutes=15)
# A queued email whose time came this long ago lost its task: it is enqueued again.
QUEUED_GRACE = datetime.timedelta(minutes=5)


class SendFailed(Exception):
    """An email that could not be sent after every attempt; the task fails with it."""


def retry_delay(attempts):
    return FIRST_RETRY * 4 ** (attempts - 1)


def deliver(email_id, *, retry):
    """Sends the email if it is due and nobody else is sending it. `retry(email_id, due_at)`
    schedules another attempt; it runs in the transaction that puts the email back in the queue,
    so the retry and the status are saved together or not at all. Returns the email's status."""
    now = timezone.now()
    claimed = Email.objects.filter(pk=email_id, status=Email.Status.QUEUED, due_at__lte=now).update(
        status=Email.Status.SENDING, attempts=F("attempts") + 1, due_at=now
    )
    if not claimed:
        return None  # sent, being sent, given up or not due: another task has it
    email = Email.objects.select_related("user").get(pk=email_id)
    kind = email.kind
    try:
        address = (
            EmailAddress.objects.filter(user=email.user, verified=True, primary=True)
            .values_list("email", flat=True)
            .first()
        )
        # In the recipient's language, whoever's request or worker sends it.
        language = email.user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            message = build_message(email, address) if address and email.user.is_active else None
        if message is not None:
            message.extra_headers["Content-Language"] = language
            message.send()
    except Exception as error:
        logger.exception("Could not send notification email %s", email_id)
        return _failed(email, error, retry)
    if message is None:
        Email.objects.filter(pk=email_id).update(status=Email.Status.SKIPPED)
        metrics.NOTIFICATION_EMAILS.labels(kind, "skipped").inc()
        return Email.Status.SKIPPED
    Email.objects.filter(pk=email_id).update(
        status=Email.Status.SENT, sent_at=timezone.now(), subject=message.subject[:300]
    )
    metrics.NOTIFICATION_EMAILS.labels(kind, "sent").inc()
    return Email.Status.SENT


def _failed(email, error, retry):
    failure = f"{type(error).__name__}: {error}"[:2000]
    if email.attempts >= MAX_ATTEMPTS:
        Email.objects.filter(pk=email.pk).update(status=Email.Status.FAILED, last_error=failure)
        metrics.NOTIFICATION_EMAILS.labels(email.kind, "failed").inc()
        raise SendFailed(f"Email {email.pk} failed {email.attempts} times: {failure}") from error
    due_at = timezone.now() + retry_delay(email.attempts)
    with transaction.atomic():
        Email.objects.filter(pk=email.pk).update(
            status=Email.Status.QUEUED, due_at=due_at, last_error=failure
        )
        retry(email.pk, due_at)
    metrics.NOTIFICATION_EMAILS.labels(email.kind, "retried").inc()
    return Email.Status.QUEUED


def stalled_email_ids(now=None):
    """Emails to enqueue again: queued ones whose task was lost, and sends that were cut off.
    Their due time moves to now, so the next look does not take them again at once."""
    now = now or timezone.now()
    with transaction.atomic():
        cut_off = Email.objects.filter(
            status=Email.Status.SENDING, due_at__lt=now - SENDING_TIMEOUT
        )
        lost = Email.objects.filter(status=Email.Status.QUEUED, due_at__lt=now - QUEUED_GRACE)
        ids = list(cut_off.union(lost).values_list("pk", flat=True))
        Email.objects.filter(pk__in=ids).update(status=Email.Status.QUEUED, due_at=now)
    return ids
