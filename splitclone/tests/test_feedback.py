"""What a person sees after acting, in the browser: the newest message alone, an error when a
choice is missing, and a history that offers only what can still be done."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from expenses.models import Expense
from expenses.tests.factories import add_expense
from groups.models import Role
from groups.tests.factories import GroupFactory, MemberFactory
from splitclone.tests.browser import PHONE, log_in, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "feedback"


@pytest.fixture
def owner(page, live_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)
    user = UserFactory(display_name="Olivia")
    log_in(page, live_server, user.email)
    return user


def test_adding_guests_replaces_the_message_about_creating_the_group(page, live_server, owner):
    page.goto(live_server.url + reverse("groups:create"))
    page.get_by_label("Name").fill("Lisbon trip")
    page.get_by_role("button", name="Create group").click()
    created = page.get_by_text("Created Lisbon trip.")
    expect(created).to_be_visible()

    for guest in ("Alice", "Bruno"):
        page.get_by_label("Guest's name").fill(guest)
        page.get_by_role("button", name="Add guest").click()
        expect(page.locator("#member-panel").get_by_text(f"Added {guest}.")).to_be_visible()

    screenshots(page, SCREENSHOTS, "guests-added")
    expect(created).to_have_count(0)
    expect(page.locator(".message")).to_have_text(["Added Bruno."])


def test_showing_the_plan_with_no_group_ticked_says_what_is_missing(page, live_server, owner):
    for name in ("Trip", "Flat"):
        MemberFactory(group=GroupFactory(name=name, created_by=owner), user=owner, role=Role.OWNER)

    page.goto(live_server.url + reverse("settlements:across"))
    page.get_by_role("button", name="Show the plan").click()

    expect(page.get_by_text("Choose at least two groups to settle together.")).to_be_visible()
    screenshots(page, SCREENSHOTS, "across-nothing-ticked")


def test_the_feed_offers_restore_until_the_expense_is_restored(page, live_server, owner):
    group = GroupFactory(name="Lisbon trip", created_by=owner)
    me = MemberFactory(group=group, user=owner, role=Role.OWNER)
    taxi = add_expense(group, owner, paid={me: 1500}, among=[me], description="Taxi")
    Expense.objects.delete_expense(taxi, actor=owner)
    group_page = live_server.url + reverse("pages:group", args=[group.pk])
    feed = page.locator("#feed")
    deletion = feed.locator(".feed-entry", has_text="deleted “Taxi”")

    page.goto(group_page)
    expect(deletion).to_contain_text("just now")
    deletion.get_by_role("button", name="Restore").click()
    expect(page.get_by_text("Restored “Taxi”.")).to_be_visible()
    page.goto(group_page)

    expect(feed.locator(".feed-entry", has_text="restored “Taxi”")).to_be_visible()
    expect(deletion.get_by_role("button", name="Restore")).to_have_count(0)
    expect(feed.get_by_role("button", name="Restore")).to_have_count(0)
    screenshots(page, SCREENSHOTS, "feed-after-restoring")
