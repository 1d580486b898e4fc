"""Sending: once, retried with backoff when the mail server fails, counted in the metrics."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils.timezone import now
from django_tasks_db.models import DBTaskResult
from prometheus_client import REGISTRY

from expenses.tests.factories import add_expense
from notifications import delivery, dispatch
from notifications.models import Email
from notifications.tasks import send_email

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 5, 9, tzinfo=datetime.UTC)


def counted(outcome):
    labels = {"kind": "activity", "outcome": outcome}
    return REGISTRY.get_sample_value("splitclone_notification_emails_total", labels) or 0


@pytest.fixture
def queued(trip):
    """One email to Max about Olivia's dinner, not sent yet."""
    with time_machine.travel(NOW, tick=False):
        add_expense(
            trip.group, trip.olivia, paid={trip.olivia_m: 3000}, among=[trip.olivia_m, trip.max_m]
        )
        [email_id] = dispatch.dispatch_new_activity()
    return Email.objects.get(pk=email_id)


@pytest.fixture
def failing(monkeypatch):
    """The mail server refuses the next `failing.times` messages."""

    class Failures:
        times = 1

    real_send = EmailBackend.send_messages

    def send_messages(self, messages):
        if Failures.times:
            Failures.times -= 1
            raise ConnectionRefusedError("the mail server is away")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return Failures


def test_a_failed_send_is_retried_later_and_then_sent_once(queued, failing):
    retries = []
    before = {outcome: counted(outcome) for outcome in ("sent", "retried", "failed")}

    with time_machine.travel(NOW, tick=False) as clock:
        status = delivery.deliver(queued.pk, retry=lambda *args: retries.append(args))
        assert status == Email.Status.QUEUED
        queued.refresh_from_db()
        assert (queued.status, queued.attempts) == (Email.Status.QUEUED, 1)
        assert queued.last_error == "ConnectionRefusedError: the mail server is away"
        assert retries == [(queued.pk, NOW + datetime.timedelta(minutes=1))]
        assert counted("retried") == before["retried"] + 1

        # Not before its time, whoever runs it.
        assert delivery.deliver(queued.pk, retry=None) is None
        clock.shift(datetime.timedelta(minutes=1))
        assert delivery.deliver(queued.pk, retry=None) == Email.Status.SENT
        assert delivery.deliver(queued.pk, retry=None) is None

    assert len(mail.outbox) == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (Email.Status.SENT, 2)
    assert counted("sent") == before["sent"] + 1
    assert counted("failed") == before["failed"]


def test_the_task_enqueues_its_retry_with_backoff(queued, failing):
    failing.times = 2
    with time_machine.travel(NOW, tick=False) as clock:
        send_email.call(queued.pk)
        sends = DBTaskResult.objects.filter(task_path="notifications.tasks.send_email")
        first = sends.get()
        assert first.args_kwargs == {"args": [queued.pk], "kwargs": {}}
        assert first.run_after == NOW + datetime.timedelta(minutes=1)

        clock.shift(datetime.timedelta(minutes=1))
        send_email.call(queued.pk)
        second = sends.exclude(pk=first.pk).get()
        # 1, then 4 minutes: each wait four times the last.
        assert second.run_after == NOW + datetime.timedelta(minutes=1 + 4)
    assert mail.outbox == []


def test_a_send_that_keeps_failing_is_given_up_and_the_task_fails(queued, failing):
    failing.times = delivery.MAX_ATTEMPTS
    failed = counted("failed")
    with time_machine.travel(NOW, tick=False) as clock:
        for attempt in range(1, delivery.MAX_ATTEMPTS):
            assert delivery.deliver(queued.pk, retry=lambda *args: None) == Email.Status.QUEUED
            clock.shift(delivery.retry_delay(attempt))
        with pytest.raises(delivery.SendFailed, match="failed 5 times"):
            delivery.deliver(queued.pk, retry=lambda *args: None)

    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (Email.Status.FAILED, delivery.MAX_ATTEMPTS)
    assert counted("failed") == failed + 1
    assert mail.outbox == []


def test_a_lost_task_or_a_cut_off_send_is_taken_up_again(queued):
    with time_machine.travel(NOW, tick=False) as clock:
        assert delivery.stalled_email_ids() == []
        clock.shift(delivery.QUEUED_GRACE + datetime.timedelta(seconds=1))
        assert delivery.stalled_email_ids() == [queued.pk]
        # Its due time moved: the next look leaves it to the task just enqueued.
        assert delivery.stalled_email_ids() == []

        # A send began now, and the worker was stopped in the middle of it.
        Email.objects.filter(pk=queued.pk).update(status=Email.Status.SENDING, due_at=now())
        clock.shift(delivery.SENDING_TIMEOUT)
        assert delivery.stalled_email_ids() == []
        clock.shift(datetime.timedelta(seconds=1))
        assert delivery.stalled_email_ids() == [queued.pk]
        assert delivery.deliver(queued.pk, retry=None) == Email.Status.SENT
    assert len(mail.outbox) == 1
