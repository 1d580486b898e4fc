import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from expenses.models import RecurringExpense
from expenses.tests.factories import add_recurring
from groups.models import Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from splitclone.tests.browser import log_in, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def test_set_up_a_recurring_expense_from_the_expense_form_and_pause_it(page, live_server):
    page.set_default_timeout(10_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    owner = UserFactory(email="olivia@example.com", display_name="Olivia")
    group = GroupFactory(name="Flat 3B", created_by=owner)
    MemberFactory(group=group, user=owner, role=Role.OWNER)
    GuestFactory(group=group, name="Alice")
    log_in(page, live_server, owner.email)

    page.goto(f"{live_server.url}/groups/{group.pk}/")
    page.get_by_role("link", name="Add expense").click()
    page.get_by_label("Description:", exact=True).fill("Rent")
    page.get_by_label("Amount:", exact=True).fill("900")
    page.get_by_label("Repeat:", exact=True).select_option(label="Monthly")
    page.get_by_label("Ends:", exact=True).select_option(label="After a number of times")
    page.get_by_label("Number of times:", exact=True).fill("0")
    page.get_by_role("button", name="Save expense").click()

    expect(page.get_by_text("Repeat 1 to 1,000 times, not 0.")).to_be_visible()
    screenshots(page, SCREENSHOTS, "recurring-form-error")
    assert not RecurringExpense.objects.exists()

    page.get_by_label("Number of times:", exact=True).fill("12")
    page.get_by_role("button", name="Save expense").click()

    expect(page.get_by_role("heading", name="Recurring expenses")).to_be_visible()
    expect(page.locator(".recurring-row")).to_contain_text("Next on")
    screenshots(page, SCREENSHOTS, "recurring-list")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator(".recurring-row .badge")).to_have_text("Paused")

    page.get_by_role("button", name="Resume").click()
    page.get_by_role("link", name="← Flat 3B").click()
    expect(page.get_by_role("heading", name="Repeats")).to_be_visible()
    screenshots(page, SCREENSHOTS, "recurring-group-page")


def test_an_edit_loaded_before_someone_else_s_shows_theirs_and_keeps_mine(page, live_server):
    page.set_default_timeout(10_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    owner = UserFactory(email="olivia@example.com", display_name="Olivia")
    flatmate = UserFactory(display_name="Max")
    group = GroupFactory(name="Flat 3B", created_by=owner)
    owner_membership = MemberFactory(group=group, user=owner, role=Role.OWNER)
    MemberFactory(group=group, user=flatmate)
    rent = add_recurring(
        group,
        owner,
        start=datetime.date.today(),
        paid={owner_membership: 90000},
        among=list(group.members.all()),
        description="Rent",
    )
    log_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/recurring/")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Description:", exact=True).fill("Rent and bills")

    RecurringExpense.objects.pause(rent, actor=flatmate)
    page.get_by_role("button", name="Save from now on").click()

    expect(page.get_by_role("heading", name="The newer version")).to_be_visible()
    expect(
        page.get_by_text("Max paused this recurring expense while you were editing")
    ).to_be_visible()
    expect(page.get_by_label("Description:", exact=True)).to_have_value("Rent and bills")
    screenshots(page, SCREENSHOTS, "recurring-stale-edit")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("button", name="Save from now on").click()
    expect(page.get_by_role("heading", name="Recurring expenses")).to_be_visible()
    rent.refresh_from_db()
    assert rent.description == "Rent and bills"
