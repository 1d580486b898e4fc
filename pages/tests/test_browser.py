"""The group page and the home page on a phone and on a desktop, with screenshots to look at."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Role
from groups.tests.factories import GroupFactory, MemberFactory
from pages.tests.factories import barcelona
from pages.views import HOME_LINES
from splitclone.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WIDTHS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1280, "height": 800}}


def top(page, selector):
    return page.locator(selector).first.bounding_box()["y"]


@pytest.fixture
def alices_groups():
    """Barcelona, plus a flat Alice shares with Bob, a long-named flatmate and big amounts."""
    group, (alice, bob, *_) = barcelona(simplify_debts=True)
    flat = GroupFactory(name="Flat share on Carrer de la Diputació", created_by=alice.user)
    alice_flat = MemberFactory(group=flat, user=alice.user, role=Role.OWNER)
    bob_flat = MemberFactory(group=flat, user=bob.user)
    long_name = MemberFactory(
        group=flat, user=UserFactory(display_name="Maximilianaalexandrinakonstantinopoulou")
    )
    add_expense(
        flat,
        alice.user,
        paid={alice_flat: 123456789},
        among=[alice_flat, bob_flat, long_name],
        description="Rent",
    )
    return alice.user, group, flat


@pytest.mark.parametrize("size", WIDTHS)
def test_group_and_home_pages_read_top_down_without_overflow(
    page, live_server, alices_groups, size
):
    page.set_default_timeout(10_000)
    alice, group, flat = alices_groups
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(WIDTHS[size])
    log_in(page, live_server, alice.email)

    page.goto(f"{live_server.url}/groups/{group.pk}/")
    expect(page.get_by_role("heading", name="You owe 68.08 EUR")).to_be_visible()
    expect(page.locator("#position .payment-line")).to_have_text(["You pay Pat 68.08 EUR"])
    expect(page.locator("#who-owes-whom .payment-line")).to_have_count(3)
    expect(page.locator("#balances .balance-line").first).to_have_text("You owe 68.08 EUR")
    expect(page.get_by_label("Guest's name")).to_have_count(0)
    order = ["#position", "#who-owes-whom", "#balances", "#expenses-heading", "#activity-heading"]
    if size == "desktop":
        # The balances sit beside the position and the payments.
        order.remove("#balances")
        assert top(page, "#balances") == top(page, "#position")
    assert [top(page, selector) for selector in order] == sorted(
        top(page, selector) for selector in order
    )
    page.screenshot(path=SCREENSHOTS / f"group-{size}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if size == "phone":
        # The expenses begin within two screens of the top, the manager forms gone.
        assert top(page, "#expenses-heading") < 2 * WIDTHS[size]["height"]

    page.goto(f"{live_server.url}/groups/{flat.pk}/")
    expect(page.get_by_role("heading", name="You get back 823,045.26 EUR")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / f"group-long-names-{size}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("link", name="Your groups").click()
    expect(page.locator("#totals li")).to_have_text(["You get back 822,977.18 EUR"])
    people = page.locator("#people .person-total")
    expect(people).to_have_text(
        [
            "Bob owes you 411,522.63 EUR",
            "Maximilianaalexandrinakonstantinopoulou owes you 411,522.63 EUR",
            "You owe Pat 68.08 EUR",
        ]
    )
    expect(page.locator("#recent-activity .feed-entry")).to_have_count(6)
    page.screenshot(path=SCREENSHOTS / f"home-{size}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("link", name="Settle up with Bob").click()
    expect(page.get_by_role("heading", name="Settle up")).to_be_visible()


@pytest.mark.parametrize("size", WIDTHS)
def test_home_of_a_person_in_many_groups_shows_the_first_lines_then_all(page, live_server, size):
    page.set_default_timeout(10_000)
    user = UserFactory(display_name="Ursula")
    for number in range(HOME_LINES + 2):
        group = GroupFactory(name=f"Trip {number:02}", created_by=user)
        mine = MemberFactory(group=group, user=user, role=Role.OWNER)
        other = MemberFactory(group=group, user=UserFactory(display_name=f"Friend {number:02}"))
        add_expense(group, user, paid={mine: 1000 + number}, among=[other])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(WIDTHS[size])
    log_in(page, live_server, user.email)

    page.goto(f"{live_server.url}/home/")
    expect(page.locator(".person")).to_have_count(HOME_LINES)
    expect(page.locator(".group-row")).to_have_count(HOME_LINES)
    page.screenshot(path=SCREENSHOTS / f"home-many-groups-{size}.png", full_page=True)
    page.get_by_role("link", name=f"Show all {HOME_LINES + 2} people").click()

    expect(page.locator(".person")).to_have_count(HOME_LINES + 2)
    expect(page.locator(".group-row")).to_have_count(HOME_LINES + 2)
    expect(page.get_by_role("link", name=f"Show all {HOME_LINES + 2} groups")).to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTHS[size]["width"]
