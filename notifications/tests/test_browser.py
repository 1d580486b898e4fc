from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from groups.tests.factories import GroupFactory, MemberFactory
from notifications.emails import unsubscribe_token
from notifications.models import Frequency, Preferences
from splitclone.tests.browser import log_in, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def test_choose_a_digest_reminders_and_a_muted_group_on_a_phone(page, live_server):
    user = UserFactory(email="ida@example.com", display_name="Ida")
    for name in ("Flat share", "Lisbon trip"):
        MemberFactory(group=GroupFactory(name=name, created_by=user), user=user)
    log_in(page, live_server, user.email)
    page.set_viewport_size({"width": 360, "height": 780})
    page.get_by_role("link", name="Email notifications").click()

    page.get_by_label("A daily digest").check()
    page.get_by_label("Remind me once a week of what I owe").check()
    page.get_by_label("Only when I owe more than").fill("25")
    page.get_by_label("Lisbon trip").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshots(page, SCREENSHOTS, "notification-preferences")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Your email preferences are saved.")).to_be_visible()
    expect(page.get_by_label("A daily digest")).to_be_checked()
    preferences = Preferences.objects.get(user=user)
    assert (preferences.frequency, preferences.reminder_threshold) == (Frequency.DAILY, 25)
    assert [group.name for group in preferences.muted_groups.all()] == ["Lisbon trip"]


def test_unsubscribe_from_an_email_link_logged_out(page, live_server):
    user = UserFactory(email="ida@example.com", display_name="Ida")
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/unsubscribe/{unsubscribe_token(user)}/")
    screenshots(page, SCREENSHOTS, "unsubscribe-confirm")
    page.get_by_role("button", name="Unsubscribe").click()

    expect(page.get_by_text("ida@example.com gets no more notification emails")).to_be_visible()
    assert Preferences.objects.get(user=user).frequency == Frequency.OFF
