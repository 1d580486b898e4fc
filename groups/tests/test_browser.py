from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from groups.models import Group, Role
from groups.tests.factories import GroupFactory, GuestFactory, InviteFactory, MemberFactory
from splitclone.tests.browser import DESKTOP, log_in, screenshots, settled

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
    # A new group opens on its people page: adding them is the first thing to do.
    expect(page.get_by_role("heading", name="People in Lisbon trip")).to_be_visible()

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
    newcomer.get_by_role("main").get_by_role("link", name="Sign up").click()
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


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
NARROW_PHONE = {"width": 360, "height": 780}


def save_screenshots(page, name):
    """Full-page screenshots at 360 px and 1280 px, kept for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("360", NARROW_PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=ARTIFACTS / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(NARROW_PHONE)


def assert_fits_the_width(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_invite_opened_logged_out_leads_to_joining_and_a_wrong_claim_is_undone(
    page, live_server
):
    page.set_default_timeout(10_000)
    page.set_viewport_size(NARROW_PHONE)
    pat = UserFactory(display_name="Pat")
    group = GroupFactory(name="Barcelona trip", created_by=pat)
    MemberFactory(group=group, user=pat, role=Role.OWNER)
    GuestFactory(group=group, name="Alice")
    invite = InviteFactory(group=group)

    page.goto(f"{live_server.url}/join/{invite.token}/")

    expect(page.get_by_role("heading", name="Pat invited you to Barcelona trip")).to_be_visible()
    expect(page.get_by_text("2 people share expenses in this group")).to_be_visible()
    main = page.get_by_role("main")
    sign_up = main.get_by_role("link", name="Sign up")
    log_in_link = main.get_by_role("link", name="Log in")
    up, log = sign_up.bounding_box(), log_in_link.bounding_box()
    assert (up["width"], up["height"]) == (log["width"], log["height"])
    assert up["y"] == log["y"], "side by side on a phone"
    assert_fits_the_width(page)
    save_screenshots(page, "invite-landing")

    sign_up.click()
    page.get_by_label("Your name").fill("Nadia New")
    page.get_by_label("Email").fill("nadia@example.com")
    page.get_by_label("Password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("heading", name="Join Barcelona trip")).to_be_visible()
    expect(page.get_by_label("None of these, join as myself")).to_be_checked()
    page.get_by_label("I am Alice").check()
    assert_fits_the_width(page)
    save_screenshots(page, "invite-join")
    page.get_by_role("button", name="Join Barcelona trip").click()
    expect(page.get_by_text("You joined as Alice. Not Alice?")).to_be_visible()

    page.goto(f"{live_server.url}/groups/{group.pk}/members/")
    page.get_by_role("link", name="That's not me").click()
    expect(page.get_by_role("heading", name="Not Alice?")).to_be_visible()
    save_screenshots(page, "invite-not-me")
    page.get_by_role("button", name="I am not Alice").click()

    expect(page.get_by_text("Alice is a guest again.")).to_be_visible()
    alice = group.members.get(name="Alice")
    assert alice.is_guest
    assert group.members.get(user__email="nadia@example.com").name == ""


def test_remove_asks_in_place_with_javascript(page, live_server):
    page.set_default_timeout(10_000)
    owner = UserFactory(display_name="Olivia")
    group = GroupFactory(name="Lisbon trip", created_by=owner)
    MemberFactory(group=group, user=owner, role=Role.OWNER)
    GuestFactory(group=group, name="Bruno")
    log_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/members/")
    panel = page.locator("#member-panel")
    asked = []

    def decline(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    panel.get_by_text("Manage Bruno").click()
    save_screenshots(page, "people-manage")
    panel.get_by_role("link", name="Remove").click()
    assert asked == ["Remove Bruno from Lisbon trip?"]
    assert group.members.filter(name="Bruno").exists()

    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("link", name="Remove").click()

    expect(panel.get_by_text("Removed Bruno.")).to_be_visible()
    assert page.url == f"{live_server.url}/groups/{group.pk}/members/"
    assert not group.members.filter(name="Bruno").exists()


def test_the_picker_offers_to_invite_an_address_by_email(page, live_server):
    page.set_default_timeout(10_000)
    page.set_viewport_size(NARROW_PHONE)
    owner = UserFactory(display_name="Olivia")
    group = GroupFactory(name="Lisbon trip", created_by=owner)
    MemberFactory(group=group, user=owner, role=Role.OWNER)
    log_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/members/")

    page.get_by_label("Add people you know").fill("nadia@example.com")
    page.get_by_role("button", name="Invite nadia@example.com by email").wait_for()
    assert_fits_the_width(page)
    save_screenshots(page, "picker-invite")
    page.get_by_role("button", name="Invite nadia@example.com by email").click()

    expect(page.get_by_text("Sent an invite to nadia@example.com.")).to_be_visible()
    assert mail.outbox[-1].to == ["nadia@example.com"]
