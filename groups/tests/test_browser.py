import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from groups.models import Group, Role
from groups.tests.factories import GroupFactory, MemberFactory
from splitclone.tests.browser import log_in, screenshots, settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "plum-harbour-velvet-42"


def test_build_a_group_and_bring_in_a_new_user_by_link(page, browser, live_server, tmp_path):
    page.set_default_timeout(10_000)
    owner = UserFactory(email="olivia@example.com", display_name="Olivia")
    friend = UserFactory(display_name="Frida Friend")
    earlier_trip = GroupFactory(created_by=owner)
    MemberFactory(group=earlier_trip, user=owner, role=Role.OWNER)
    MemberFactory(group=earlier_trip, user=friend)

    log_in(page, live_server, owner.email)
    page.get_by_role("link", name="New group").click()
    page.get_by_label("Name").fill("Lisbon trip")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("heading", name="Lisbon trip")).to_be_visible()
    page.get_by_role("link", name="Add or manage people").click()

    panel = page.locator("#member-panel")
    for guest in ("Alice", "Bruno"):
        page.get_by_label("Guest's name").fill(guest)
        page.get_by_role("button", name="Add guest").click()
        expect(panel.get_by_text(f"Added {guest}.")).to_be_visible()
        settled(page)
    page.get_by_label("Add people you know").fill("frida")
    page.get_by_role("button", name="Add Frida Friend").click()
    expect(panel.get_by_text("Added Frida Friend.")).to_be_visible()
    expect(panel.locator("li.member")).to_have_count(4)
    screenshots(page, tmp_path, "group")

    page.get_by_role("link", name="← Lisbon trip").click()
    page.get_by_role("link", name="Invite people").click()
    page.get_by_role("button", name="Create link").click()
    link = page.get_by_label("Link", exact=True).input_value()
    screenshots(page, tmp_path, "invites")

    newcomer = browser.new_page()
    newcomer.set_default_timeout(10_000)
    newcomer.goto(link)
    newcomer.get_by_role("link", name="sign up", exact=True).click()
    newcomer.get_by_label("Your name").fill("Alice Newcomer")
    newcomer.get_by_label("Email").fill("alice@example.com")
    newcomer.get_by_label("Password:", exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_label("Password (again)").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Sign Up").click()
    newcomer.get_by_label("I am Alice").check()
    screenshots(newcomer, tmp_path, "join")
    newcomer.get_by_role("button", name="Join Lisbon trip").click()

    expect(newcomer.get_by_text("Welcome to Lisbon trip!")).to_be_visible()
    group = Group.objects.get(name="Lisbon trip")
    alice = group.members.get(name="Alice")
    assert alice.user.email == "alice@example.com"
    assert group.members.filter(user__isnull=False).count() == 3
    assert mail.outbox, "the newcomer was sent a verification email"
