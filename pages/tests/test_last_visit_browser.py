"""The "new" marks on a phone and on a desktop, with screenshots to look at."""

import pytest
from playwright.sync_api import expect

from expenses.tests.factories import add_expense
from groups.models import Member
from pages.tests.test_browser import SCREENSHOTS, WIDTHS, alices_groups  # noqa: F401
from splitclone.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", WIDTHS)
def test_news_since_the_last_visit_fit_the_screen(page, live_server, alices_groups, size):  # noqa: F811
    page.set_default_timeout(10_000)
    alice, _, flat = alices_groups
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(WIDTHS[size])
    log_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/groups/{flat.pk}/")
    expect(page.locator(".badge-new")).to_have_count(0)
    members = list(flat.members.exclude(user=alice).select_related("user"))
    bob = next(member for member in members if member.user.display_name != alice.display_name)
    add_expense(
        flat,
        bob.user,
        paid={bob: 4500},
        among=[Member.objects.get(group=flat, user=alice), bob],
        description="Cleaning products and a very long list of other household things",
    )

    page.goto(f"{live_server.url}/")
    expect(page.locator(".group-row", has_text="Flat share").locator(".badge-new")).to_have_text(
        "1 new"
    )
    page.screenshot(path=SCREENSHOTS / f"home-news-{size}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.locator(".group-row a", has_text="Flat share").click()
    expect(page.locator(".expense-row .badge-new")).to_have_count(1)
    expect(page.locator("#feed .badge-new")).to_have_count(1)
    expect(page.locator("#activity-heading")).to_contain_text("1 new since your last visit")
    page.screenshot(path=SCREENSHOTS / f"group-news-{size}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"{live_server.url}/")
    expect(page.locator(".badge-new")).to_have_count(0)
