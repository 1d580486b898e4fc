"""Installing the app, reading visited pages offline and adding expenses without a connection,
in Chromium with Playwright's offline mode."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from expenses.models import Expense
from groups.models import Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from pages.tests.test_browser import SCREENSHOTS, WIDTHS
from splitclone.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def trip(live_server):
    """Olivia's trip with a guest, and its page's address on the live server."""
    olivia = UserFactory(email="olivia@example.com", display_name="Olivia")
    group = GroupFactory(name="Lisbon trip", created_by=olivia)
    MemberFactory(group=group, user=olivia, role=Role.OWNER)
    GuestFactory(group=group, name="Alice")
    return group, f"{live_server.url}/groups/{group.pk}/"


def controlled(page, url):
    """Opens `url` once the service worker has taken over the tab, so it keeps what it serves.

    A page loaded before the worker was active is controlled from its next load on (or when the
    worker claims it, which may come before or after `ready`): load it again until it is.
    """
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _ in range(40):
        page.goto(url)
        if page.evaluate("Boolean(navigator.serviceWorker.controller)"):
            return
        page.wait_for_timeout(250)
    raise AssertionError("the service worker did not take over")


def visit_for_offline(page, live_server, group_url):
    """Signs in and opens the group page and its expense form while online."""
    log_in(page, live_server, "olivia@example.com")
    controlled(page, group_url)
    page.goto(f"{group_url}expenses/new/")
    page.goto(group_url)


def add_offline(page, description, amount):
    page.get_by_role("link", name="Add expense").click()
    page.get_by_label("Description:", exact=True).fill(description)
    page.get_by_label("Amount:", exact=True).fill(amount)
    page.get_by_role("button", name="Save expense").click()
    expect(page.locator(".queued-expense", has_text=description)).to_contain_text("Waiting to sync")


def test_the_app_is_installable(
    browser_type, browser_type_launch_args, live_server, trip, tmp_path
):
    # Chromium offers no installing in incognito windows, which Playwright's own contexts are.
    context = browser_type.launch_persistent_context(tmp_path, **browser_type_launch_args)
    page = context.new_page()
    _, group_url = trip
    log_in(page, live_server, "olivia@example.com")
    controlled(page, group_url)
    cdp = page.context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []
    assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
    purposes = page.evaluate(
        """fetch("/manifest.webmanifest").then((r) => r.json())
           .then((m) => m.icons.map((icon) => icon.purpose || "any"))"""
    )
    assert sorted(purposes) == ["any", "any", "maskable"]
    context.close()


def test_two_expenses_added_offline_are_saved_once_back_online(page, live_server, trip):
    page.set_default_timeout(10_000)
    group, group_url = trip
    visit_for_offline(page, live_server, group_url)

    page.context.set_offline(True)
    page.reload()
    expect(page.locator(".offline-banner")).to_contain_text("Offline, as of")
    page.set_viewport_size(WIDTHS["phone"])
    page.screenshot(path=SCREENSHOTS / "offline-banner-phone.png", full_page=True)
    add_offline(page, "Tram tickets", "12.40")
    add_offline(page, "Pastéis de nata", "7.50")
    page.reload()
    expect(page.locator(".queued-expense")).to_have_count(2)
    page.screenshot(path=SCREENSHOTS / "offline-waiting-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not Expense.objects.filter(group=group).exists()

    page.context.set_offline(False)
    expect(page.locator("[data-offline-queue-for]")).to_be_hidden()
    descriptions = Expense.objects.filter(group=group).values_list("description", flat=True)
    assert sorted(descriptions) == ["Pastéis de nata", "Tram tickets"]
    page.reload()
    expect(page.locator(".offline-banner")).to_have_count(0)
    expect(page.locator(".expense-list")).to_contain_text("Tram tickets")


def test_an_expense_whose_answer_was_lost_is_saved_once(page, live_server, trip):
    page.set_default_timeout(10_000)
    group, group_url = trip
    visit_for_offline(page, live_server, group_url)
    posts = []

    def lose_the_first_answer(route):
        if route.request.method != "POST":
            return route.fallback()
        if posts:
            posts.append("sent again")
            return route.fallback()
        # The server gets the expense and saves it; its answer never reaches the browser.
        posts.append(route.fetch(max_redirects=0).status)
        return route.abort("connectionreset")

    page.context.route("**/expenses/new/", lose_the_first_answer)
    page.get_by_role("link", name="Add expense").click()
    page.get_by_label("Description:", exact=True).fill("Taxi to the airport")
    page.get_by_label("Amount:", exact=True).fill("31")
    page.get_by_role("button", name="Save expense").click()
    page.wait_for_url(group_url)
    expect(page.locator("[data-offline-queue-for]")).to_be_hidden()
    assert posts == [302, "sent again"]
    assert Expense.objects.filter(group=group).count() == 1
    page.reload()
    expect(page.locator(".queued-expense")).to_have_count(0)
    page.context.unroute_all(behavior="ignoreErrors")


def test_a_refused_expense_says_why_and_can_be_discarded(page, live_server, trip):
    page.set_default_timeout(10_000)
    group, group_url = trip
    visit_for_offline(page, live_server, group_url)

    page.context.set_offline(True)
    page.reload()
    add_offline(page, "Museum", "")
    page.context.set_offline(False)
    refused = page.locator(".queued-expense", has_text="Museum")
    expect(refused).to_contain_text("Not saved:")
    expect(refused.locator(".errorlist")).to_contain_text("This field is required.")
    page.set_viewport_size(WIDTHS["phone"])
    page.screenshot(path=SCREENSHOTS / "offline-refused-phone.png", full_page=True)

    refused.get_by_role("link", name="Fix").click()
    expect(page.get_by_label("Description:", exact=True)).to_have_value("Museum")
    page.go_back()
    page.get_by_role("button", name="Discard").click()
    expect(page.locator("[data-offline-queue-for]")).to_be_hidden()
    page.reload()
    expect(page.locator(".queued-expense")).to_have_count(0)
    assert not Expense.objects.filter(group=group).exists()


def test_logging_out_forgets_the_pages_and_the_queue(page, live_server, trip):
    page.set_default_timeout(10_000)
    _, group_url = trip
    visit_for_offline(page, live_server, group_url)
    page.context.set_offline(True)
    add_offline(page, "Tram tickets", "12.40")
    # The service worker's requests go through the context's routes, not the page's.
    page.context.route("**/expenses/new/", lambda route: route.abort())  # Keeps it waiting.
    page.context.set_offline(False)
    page.reload()
    expect(page.locator(".queued-expense")).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.evaluate("caches.has('pages-v1')") is False
    page.context.unroute_all(behavior="ignoreErrors")
    page.context.set_offline(True)
    page.goto(group_url)
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(page.get_by_text("Lisbon trip")).to_have_count(0)
