import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from settlements.tests.factories import record_payment
from splitclone.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path("test-artifacts/screenshots")
WIDTHS = {"360": {"width": 360, "height": 740}, "1280": {"width": 1280, "height": 800}}


def test_payments_in_the_list_filtered_and_searched_on_a_phone(page, live_server):
    owner = UserFactory(email="olivia@example.com", display_name="Olivia")
    group = GroupFactory(name="Lisbon trip", created_by=owner)
    olivia = MemberFactory(group=group, user=owner, role=Role.OWNER)
    alice = GuestFactory(group=group, name="Alice")
    add_expense(
        group,
        owner,
        paid={olivia: 9000},
        among=[olivia, alice],
        description="Jantar em Família",
        notes="Tasca do Chico",
        date=datetime.date(2026, 10, 3),
    )
    add_expense(
        group,
        owner,
        paid={alice: 2400},
        among=[olivia, alice],
        description="Tram tickets",
        category="transport",
        date=datetime.date(2026, 10, 4),
    )
    record_payment(alice, olivia, 3300, date=datetime.date(2026, 10, 5), note="Settled up")
    page.set_viewport_size(WIDTHS["360"])
    log_in(page, live_server, owner.email)

    page.goto(f"{live_server.url}/groups/{group.pk}/")
    rows = page.locator(".expense-list > li")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Payment Alice paid Olivia")
    expect(rows.first).to_contain_text("you received")
    page.get_by_role("link", name="Search and filter").click()

    page.get_by_label("Show").select_option(label="Payments")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("33.00 EUR")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.screenshot(path=ARTIFACTS / f"ledger-payments-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.set_viewport_size(WIDTHS["360"])
    page.get_by_label("Show").select_option(label="Everything")
    page.get_by_label("Search").fill("FAMILIA")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jantar em Família")
    page.get_by_label("Search").fill("chico")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jantar em Família")
    page.get_by_role("link", name="Clear").click()
    expect(rows).to_have_count(3)
    page.screenshot(path=ARTIFACTS / "ledger-everything-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
