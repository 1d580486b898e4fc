import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from groups.models import Group
from groups.tests.test_browser import NARROW_PHONE, assert_fits_the_width, save_screenshots
from imports.tests.conftest import DATA
from splitclone.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_splitwise_file_is_previewed_then_imported_at_phone_width(page, live_server):
    page.set_default_timeout(10_000)
    page.set_viewport_size(NARROW_PHONE)
    zoe = UserFactory(email="zoe@example.com", display_name="Zoë")
    log_in(page, live_server, zoe.email)

    page.get_by_role("link", name="Import a group").click()
    page.get_by_label("Export file").set_input_files(DATA / "splitwise_not_zero_sum.csv")
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_text("Line 3 (“Groceries”): the people's values add up to")).to_be_visible()
    assert_fits_the_width(page)
    save_screenshots(page, "import-refused")

    page.get_by_label("Export file").set_input_files(DATA / "splitwise_one_cent_off.csv")
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="Check the import")).to_be_visible()
    expect(page.locator(".import-difference")).to_have_count(2)
    assert_fits_the_width(page)
    save_screenshots(page, "import-preview-difference")

    page.go_back()
    page.get_by_label("Export file").set_input_files(DATA / "splitwise_basic.csv")
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator("#import-counts")).to_have_text("8 expenses and 1 payment, in EUR.")
    expect(page.get_by_label("Zoë:", exact=True)).to_have_value("me")
    expect(page.get_by_text("Every balance is the file's own total, to the cent.")).to_be_visible()
    page.get_by_label("Name of the new group").fill("Lisbon 2024")
    assert_fits_the_width(page)
    save_screenshots(page, "import-preview")
    page.get_by_role("button", name="Import 8 expenses and 1 payment").click()

    expect(page.get_by_text("Imported 8 expenses and 1 payment into Lisbon 2024.")).to_be_visible()
    expect(page.get_by_role("heading", name="Lisbon 2024")).to_be_visible()
    save_screenshots(page, "import-done")
    group = Group.objects.get(name="Lisbon 2024")
    assert dict(group.members.values_list("name", "balance").filter(user=None)) == {
        "Jürgen": -26550,
        "Sam O'Brien": -12600,
        "Li, Ana": -30000,
    }
    assert group.members.get(user=zoe).balance == 69150
