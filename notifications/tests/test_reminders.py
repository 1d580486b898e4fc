"""Weekly reminders: opt-in, over a threshold, at most one a week, with the suggested payments."""

import datetime

import pytest
import time_machine
from django.core import mail

from expenses.tests.factories import add_expense
from notifications import delivery, dispatch
from notifications.models import Email, Preferences
from settlements.tests.factories import record_payment

pytestmark = pytest.mark.django_db

# A Wednesday.
WEDNESDAY = datetime.datetime(2026, 11, 25, 8, tzinfo=datetime.UTC)


@pytest.fixture
def owing(trip):
    """Max owes Olivia 15.00 EUR and Nia 6.00 EUR, and asks for reminders over 20."""
    add_expense(
        trip.group, trip.olivia, paid={trip.olivia_m: 3000}, among=[trip.olivia_m, trip.max_m]
    )
    add_expense(trip.group, trip.nia, paid={trip.nia_m: 1200}, among=[trip.nia_m, trip.max_m])
    Preferences.objects.create(user=trip.max, reminders=True, reminder_threshold=20)
    return trip


def send_reminders():
    email_ids = dispatch.queue_reminders()
    for email_id in email_ids:
        delivery.deliver(email_id, retry=None)
    return email_ids


def test_someone_who_owes_more_than_their_threshold_is_reminded_once_a_week(owing):
    with time_machine.travel(WEDNESDAY, tick=False) as clock:
        [email_id] = send_reminders()
        clock.shift(datetime.timedelta(days=4, hours=15))  # Sunday, 23:00
        assert send_reminders() == []
        clock.shift(datetime.timedelta(hours=1))  # Monday: a new ISO week
        assert len(send_reminders()) == 1

    first, second = mail.outbox
    assert first.to == second.to == ["max@example.com"]
    assert first.subject == "[Splitclone] A reminder of what you owe"
    for body in (first.body, first.alternatives[0][0]):
        assert "Lisbon trip: You owe 21.00 EUR in all." in body.replace("</strong>", "")
        assert "You pay Olivia Owner 15.00 EUR" in body
        assert "You pay Nia 6.00 EUR" in body
    assert "List-Unsubscribe" in first.extra_headers
    assert Email.objects.get(pk=email_id).period == datetime.date(2026, 11, 23)


def test_no_reminder_under_the_threshold_without_opting_in_or_for_a_muted_group(owing):
    preferences = Preferences.objects.get(user=owing.max)
    with time_machine.travel(WEDNESDAY, tick=False):
        preferences.reminder_threshold = 21  # owes exactly 21.00: not more
        preferences.save()
        assert send_reminders() == []
        preferences.reminder_threshold = 20
        preferences.save()
        preferences.muted_groups.add(owing.group)
        assert send_reminders() == []
        preferences.muted_groups.clear()
        preferences.reminders = False
        preferences.save()
        assert send_reminders() == []
    assert mail.outbox == []


def test_a_reminder_whose_debt_was_paid_before_it_went_is_not_sent(owing):
    with time_machine.travel(WEDNESDAY, tick=False):
        [email_id] = dispatch.queue_reminders()
        record_payment(owing.max_m, owing.olivia_m, 1500, actor=owing.max)
        assert delivery.deliver(email_id, retry=None) == Email.Status.SKIPPED
    assert not [m for m in mail.outbox if m.subject.endswith("what you owe")]


@pytest.mark.parametrize(
    ("currency", "owed", "reminded"),
    [("JPY", 21, True), ("JPY", 20, False), ("BHD", 20001, True), ("BHD", 20000, False)],
)
def test_the_threshold_is_in_whole_units_of_each_groups_currency(trip, currency, owed, reminded):
    trip.group.currency = currency
    trip.group.save()
    add_expense(trip.group, trip.olivia, paid={trip.olivia_m: owed}, among=[trip.max_m])
    Preferences.objects.create(user=trip.max, reminders=True, reminder_threshold=20)

    with time_machine.travel(WEDNESDAY, tick=False):
        assert len(dispatch.queue_reminders()) == int(reminded)
