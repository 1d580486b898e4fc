"""Notification emails are written in the recipient's language, not the sender's or the
worker's."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from expenses.tests.factories import add_expense
from notifications import delivery, dispatch
from notifications.models import Preferences

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime.datetime(2026, 11, 25, 8, tzinfo=datetime.UTC)
NBSP = "\u00a0"


@pytest.fixture
def owing(trip):
    """Max owes Olivia 1,500.00 EUR and asks for reminders."""
    add_expense(
        trip.group, trip.olivia, paid={trip.olivia_m: 300000}, among=[trip.olivia_m, trip.max_m]
    )
    Preferences.objects.create(user=trip.max, reminders=True, reminder_threshold=20)
    return trip


def remind():
    with time_machine.travel(WEDNESDAY, tick=False):
        for email_id in dispatch.queue_reminders():
            delivery.deliver(email_id, retry=None)
    [message] = mail.outbox
    return message


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("de", f"Du zahlst Olivia Owner 1.500,00{NBSP}€"),
        ("fr", f"Vous payez 1\u202f500,00{NBSP}€ à Olivia Owner"),
        ("", "You pay Olivia Owner 1,500.00 EUR"),
    ],
)
def test_a_reminder_is_in_the_recipients_language(owing, language, line):
    owing.max.language = language
    owing.max.save()

    # Sent from a worker whose language is another one.
    with translation.override("es"):
        message = remind()
        assert translation.get_language() == "es"

    assert message.extra_headers["Content-Language"] == (language or "en")
    for body in (message.body, message.alternatives[0][0]):
        assert line in body.replace("<strong>", "").replace("</strong>", "")
