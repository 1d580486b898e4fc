"""The statistics pages on a phone and a desktop, light and dark, with screenshots to look at."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from splitclone.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WIDTHS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1280, "height": 800}}
CATEGORIES = ["food", "rent", "transport", "accommodation", "entertainment", "groceries"]


@pytest.fixture
def busy_group():
    """A year and a half of expenses among four people, one with a very long name."""
    olivia = UserFactory(display_name="Olivia")
    group = GroupFactory(name="Flat share on Carrer de la Diputació", created_by=olivia)
    people = [
        MemberFactory(group=group, user=olivia, role=Role.OWNER),
        MemberFactory(group=group, user=UserFactory(display_name="Bob")),
        GuestFactory(group=group, name="Maximilianaalexandrinakonstantinopoulou"),
        GuestFactory(group=group, name="Pat"),
    ]
    for n in range(18):
        add_expense(
            group,
            olivia,
            paid={people[n % 4]: 2500 + 1700 * (n % 7) + 90000 * (n % 6 == 1)},
            among=people[: 2 + n % 3],
            date=datetime.date(2025 + (n + 5) // 12, (n + 5) % 12 + 1, 3),
            category=CATEGORIES[n % len(CATEGORIES)],
        )
    return olivia, group


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", WIDTHS)
def test_statistics_read_on_a_phone_and_a_desktop(page, live_server, busy_group, size, scheme):
    page.set_default_timeout(10_000)
    olivia, group = busy_group
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(WIDTHS[size])
    page.emulate_media(color_scheme=scheme)
    log_in(page, live_server, olivia.email)

    page.goto(f"{live_server.url}/groups/{group.pk}/")
    page.get_by_role("link", name="Statistics").click()
    expect(page.get_by_role("heading", name="Statistics")).to_be_visible()
    expect(page.get_by_role("img", name="Spending per month")).to_be_visible()
    expect(page.locator("#per-month tbody tr")).to_have_count(18)
    expect(page.locator("#per-category .bar-chart li")).to_have_count(6)
    expect(page.locator("#per-person .bar-chart li")).to_have_count(4)
    # The bars take the page's colours: the brand colour of this scheme, not a fixed one.
    bar_fill = page.locator("#per-month rect").first.evaluate("e => getComputedStyle(e).fill")
    brand = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()"
    )
    expected = {"#0f766e": "rgb(15, 118, 110)", "#2bb3a3": "rgb(43, 179, 163)"}[brand]
    assert bar_fill == expected
    assert (brand == "#2bb3a3") == (scheme == "dark")
    page.screenshot(path=SCREENSHOTS / f"stats-{size}-{scheme}.png", full_page=True)
    page.locator("#per-month").screenshot(path=SCREENSHOTS / f"stats-months-{size}-{scheme}.png")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("textbox", name="From").fill("2026-01-01")
    page.get_by_role("textbox", name="To").fill("2025-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("The start date is after the end date.")
    page.get_by_role("textbox", name="To").fill("2026-03-31")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#per-month tbody tr")).to_have_count(3)

    page.goto(f"{live_server.url}/home/")
    page.get_by_role("link", name="My spending").click()
    expect(page.get_by_role("heading", name="My spending")).to_be_visible()
    expect(page.get_by_role("img", name="Your spending per month in EUR")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / f"my-spending-{size}-{scheme}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
