"""The preferences page and the unsubscribe link, which works without logging in."""

import datetime

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse

from expenses.tests.factories import add_expense
from groups.tests.factories import GroupFactory
from notifications.emails import UNSUBSCRIBE_SALT, unsubscribe_token
from notifications.models import Frequency, Preferences
from notifications.tests.sending import send_new

pytestmark = pytest.mark.django_db

PREFERENCES = reverse("notifications:preferences")


def unsubscribe(token):
    return reverse("notifications:unsubscribe", args=[token])


def test_the_preferences_page_saves_a_persons_choices(client, trip):
    client.force_login(trip.max)
    page = client.get(PREFERENCES)
    assert page.status_code == 200
    assert "Lisbon trip" in page.text  # one of his groups, to mute

    response = client.post(
        PREFERENCES,
        {
            "frequency": Frequency.DAILY,
            "reminders": "on",
            "reminder_threshold": "25",
            "muted_groups": [trip.group.pk],
        },
    )

    assert response.status_code == 302
    preferences = Preferences.objects.get(user=trip.max)
    assert (preferences.frequency, preferences.reminders, preferences.reminder_threshold) == (
        Frequency.DAILY,
        True,
        25,
    )
    assert list(preferences.muted_groups.all()) == [trip.group]


def test_a_group_of_someone_else_cannot_be_muted(client, trip):
    elsewhere = GroupFactory(name="Not his")
    client.force_login(trip.max)

    response = client.post(
        PREFERENCES,
        {"frequency": Frequency.OFF, "reminder_threshold": "10", "muted_groups": [elsewhere.pk]},
    )

    assert response.status_code == 422
    assert "Select a valid choice" in response.text
    assert not Preferences.objects.exists()


def test_the_preferences_page_wants_a_login(client):
    response = client.get(PREFERENCES)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.delete(PREFERENCES).status_code == 405


def test_the_link_asks_first_then_turns_every_email_off(client, trip):
    Preferences.objects.create(user=trip.max, reminders=True)
    url = unsubscribe(unsubscribe_token(trip.max))

    page = client.get(url)
    assert page.status_code == 200
    assert "Stop every notification email and reminder to max@example.com?" in page.text
    assert Preferences.objects.get(user=trip.max).frequency == Frequency.IMMEDIATELY

    done = client.post(url)
    assert done.status_code == 200
    assert "max@example.com gets no more notification emails" in done.text
    preferences = Preferences.objects.get(user=trip.max)
    assert (preferences.frequency, preferences.reminders) == (Frequency.OFF, False)


def test_a_mail_programs_one_click_post_needs_no_cookie_or_csrf_token(trip):
    # RFC 8058: the mail program POSTs this body to the List-Unsubscribe address, nothing else.
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(
        unsubscribe(unsubscribe_token(trip.nia)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert Preferences.objects.get(user=trip.nia).frequency == Frequency.OFF


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_link_changes_nothing(client, trip, method):
    signed_elsewhere = signing.dumps(trip.max.pk, salt="some other purpose")
    tampered = unsubscribe_token(trip.max)[:-2] + "xx"

    for token in (signed_elsewhere, tampered, "nonsense"):
        response = getattr(client, method)(unsubscribe(token))
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.text
    assert not Preferences.objects.exists()


def test_a_link_for_someone_gone_changes_nothing(client, trip):
    token = signing.dumps(10**9, salt=UNSUBSCRIBE_SALT, compress=True)
    assert client.post(unsubscribe(token)).status_code == 400


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_link_says_so_and_changes_nothing(client, trip, method):
    sent = datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)
    with time_machine.travel(sent, tick=False) as clock:
        url = unsubscribe(unsubscribe_token(trip.max))
        clock.shift(datetime.timedelta(days=60))
        assert client.get(url).status_code == 200  # still valid on day 60
        clock.shift(datetime.timedelta(days=1))
        response = getattr(client, method)(url)

    assert response.status_code == 410
    assert "This unsubscribe link has expired" in response.text
    assert not Preferences.objects.exists()


def test_support_sees_sent_emails_and_cannot_change_them(client, trip, django_user_model):
    add_expense(
        trip.group, trip.olivia, paid={trip.olivia_m: 900}, among=[trip.olivia_m, trip.max_m]
    )
    [email_id] = send_new()
    staff = django_user_model.objects.create_superuser(
        "support@example.com", "pw", display_name="S"
    )
    client.force_login(staff)

    listing = client.get(reverse("admin:notifications_email_changelist"))
    assert listing.status_code == 200
    assert "Olivia Owner added “Dinner”" in listing.text
    detail = client.get(reverse("admin:notifications_email_change", args=[email_id]))
    assert detail.status_code == 200
    assert 'name="status"' not in detail.text
    assert (
        client.post(reverse("admin:notifications_email_delete", args=[email_id])).status_code == 403
    )
    assert client.get(reverse("admin:notifications_notification_changelist")).status_code == 200
