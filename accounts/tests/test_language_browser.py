"""Switching to another language from the footer on a phone, as a person would."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from expenses.models import Expense
from expenses.tests.factories import add_expense
from groups.models import Role
from groups.tests.factories import GroupFactory, MemberFactory
from pages.tests.test_offline_browser import controlled
from splitclone.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "languages"
NARROW = {"width": 360, "height": 780}
WIDE = {"width": 1280, "height": 800}


@pytest.fixture
def trip(db):
    """Greta paid 2,469.12 EUR for herself and Jon: Jon owes her 1,234.56 EUR."""
    greta = UserFactory(display_name="Greta", email="greta@example.com")
    jon = UserFactory(display_name="Jon")
    group = GroupFactory(name="Alpen", created_by=greta)
    greta_m = MemberFactory(group=group, user=greta, role=Role.OWNER)
    jon_m = MemberFactory(group=group, user=jon)
    add_expense(group, greta, paid={greta_m: 246912}, among=[greta_m, jon_m], description="Hütte")
    return SimpleNamespace(greta=greta, group=group)


def test_switching_to_german_from_the_footer_on_a_phone(page, live_server, trip):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(NARROW)
    log_in(page, live_server, trip.greta.email)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("1,234.56 EUR").first).to_be_visible()

    # No JavaScript needed: a form with a select and a button.
    page.get_by_role("contentinfo").get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change").click()

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_text("1.234,56\u00a0€").first).to_be_visible()
    expect(page.get_by_role("button", name="Wechseln")).to_be_visible()
    expect(page.get_by_role("contentinfo").get_by_label("Sprache")).to_have_value("de")
    for label, size in (("360", NARROW), ("1280", WIDE)):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"home-de-{label}.png", full_page=True)

    # The setting follows the person to the account page, and to a browser that never chose.
    page.get_by_role("link", name="Spracheinstellungen").click()
    setting = page.get_by_role("main").get_by_role("combobox", name="Sprache")
    expect(setting).to_have_value("de")
    setting.select_option("fr")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_text("Votre langue est enregistrée.")).to_be_visible()
    page.goto(live_server.url + "/home/")
    expect(page.get_by_text("1\u202f234,56\u00a0€").first).to_be_visible()
    for label, size in (("360", NARROW), ("1280", WIDE)):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"home-fr-{label}.png", full_page=True)


def test_a_german_page_read_offline_stays_german_and_its_amounts_are_read_in_german(
    page, live_server, trip
):
    trip.greta.language = "de"
    trip.greta.save()
    group_url = f"{live_server.url}/groups/{trip.group.pk}/"
    page.set_default_timeout(10_000)
    log_in(page, live_server, trip.greta.email)
    controlled(page, group_url)
    page.goto(f"{group_url}expenses/new/")
    page.goto(group_url)

    page.context.set_offline(True)
    page.reload()
    expect(page.locator(".offline-banner")).to_contain_text("Offline, Stand")
    page.locator('a[href$="/expenses/new/"]').first.click()
    page.locator('[name="description"]').fill("Seilbahn")
    page.locator('[name="amount"]').fill("1.234,56")
    page.locator('button[name="action"][value="save"]').click()
    queued = page.locator(".queued-expense", has_text="Seilbahn")
    expect(queued).to_contain_text("1.234,56")
    expect(queued).to_contain_text("Wartet auf Synchronisierung")
    page.set_viewport_size(NARROW)
    page.screenshot(path=SCREENSHOTS / "offline-de-360.png", full_page=True)

    page.context.set_offline(False)
    expect(page.locator(".queued-expense")).to_have_count(0)
    assert Expense.objects.get(description="Seilbahn").amount == 123456
