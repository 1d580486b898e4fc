"""What a suggested payment covers, in a browser: the disclosure of a simplified plan opens
without any script, and a pairwise payment's page reads at phone and desktop widths."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import ConvertAt, Group, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from settlements.tests.factories import record_payment
from settlements.tests.test_convert_at_settlement import spend
from splitclone.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "covers"
WIDTHS = {"360": {"width": 360, "height": 780}, "1280": {"width": 1280, "height": 800}}


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], (name, label, width)


@pytest.fixture
def trip():
    ana_user = UserFactory(email="ana@example.com", display_name="Ana")
    group = GroupFactory(name="Porto weekend", created_by=ana_user)
    ana = MemberFactory(group=group, user=ana_user, role=Role.OWNER)
    bob = GuestFactory(group=group, name="Bob")
    cia = GuestFactory(group=group, name="Cia")
    dan = GuestFactory(group=group, name="Dan")
    eve = GuestFactory(group=group, name="Eve")
    add_expense(group, ana_user, paid={ana: 9000}, among=[ana, bob, cia], description="Hotel")
    add_expense(group, ana_user, paid={bob: 2400}, among=[ana, bob], description="Taxi")
    add_expense(group, ana_user, paid={dan: 3000}, among=[eve], description="Concert tickets")
    record_payment(bob, ana, 1000, actor=ana_user, note="cash at the station")
    return group, ana_user


def test_a_simplified_plan_says_which_people_each_payment_settles(page, live_server, trip):
    group, ana_user = trip
    log_in(page, live_server, ana_user.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/settle/")

    # Ana +38.00, Bob −8.00, Cia and Eve −30.00 each, Dan +30.00: two parts.
    shared = page.locator("#suggestions details", has_text="with 1 other").first
    shared.get_by_text("What this covers").click()
    expect(
        shared.get_by_text(re.compile(r"^This payment, with 1 other, settles Ana, Bob and "))
    ).to_be_visible()
    shoot(page, "settle-up-simplified")


def test_a_pairwise_payment_links_to_its_history(page, live_server, trip):
    group, ana_user = trip
    Group.objects.filter(pk=group.pk).update(simplify_debts=False)
    log_in(page, live_server, ana_user.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/settle/")
    shoot(page, "settle-up-pairwise")

    page.locator("#suggestions > li", has_text="Bob pays").get_by_text("What this covers").click()

    expect(page.get_by_role("heading", name="What this payment covers")).to_be_visible()
    expect(page.get_by_text("Bob paid Ana · cash at the station")).to_be_visible()
    expect(page.get_by_text("Bob owes Ana", exact=True)).to_be_visible()
    shoot(page, "covers-page")


def test_a_pair_in_a_group_that_converts_at_settlement_shows_each_currency(page, live_server):
    ana_user = UserFactory(email="ana@example.com", display_name="Ana")
    group = GroupFactory(
        name="New York", created_by=ana_user, convert_at=ConvertAt.SETTLEMENT, simplify_debts=False
    )
    ana = MemberFactory(group=group, user=ana_user, role=Role.OWNER)
    bob = GuestFactory(group=group, name="Bob")
    cia = GuestFactory(group=group, name="Cia")
    spend(group, ana_user, ana, [ana, bob, cia], 12345, "USD")
    add_expense(group, ana_user, paid={bob: 1000}, among=[ana, bob], description="Bagels")
    log_in(page, live_server, ana_user.email)

    page.goto(f"{live_server.url}/groups/{group.pk}/covers/{bob.pk}/{ana.pk}/")

    expect(page.get_by_role("heading", name="In USD")).to_be_visible()
    expect(page.get_by_text("41.15 USD", exact=True)).to_have_count(2)
    expect(page.get_by_text(re.compile(r"^In all, Bob pays Ana "))).to_be_visible()
    shoot(page, "covers-page-currencies")
