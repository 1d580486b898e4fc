import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from groups.models import Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from imports.tests.entries import save_expense
from splitclone.tests.browser import DESKTOP, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
NARROW_PHONE = {"width": 360, "height": 780}


def save_screenshots(page, name):
    """Full-page screenshots at 360 px and 1280 px, kept for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("360", NARROW_PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=ARTIFACTS / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(NARROW_PHONE)


def test_a_member_downloads_the_group_and_all_their_data(page, live_server, tmp_path):
    page.set_default_timeout(10_000)
    page.set_viewport_size(NARROW_PHONE)
    user = UserFactory(email="max@example.com", display_name="Max")
    membership = MemberFactory(group=GroupFactory(name="Porto weekend"), user=user, role=Role.OWNER)
    guest = GuestFactory(group=membership.group, name="Zoë")
    save_expense(membership.group, user, amount=4200, paid={membership.pk: 4200},
                 values={membership.pk: None, guest.pk: None}, description="=Sardines")  # fmt: skip
    log_in(page, live_server, user.email)
    page.goto(f"{live_server.url}/groups/{membership.group.pk}/")

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV for spreadsheets").click()
    with page.expect_download() as json_download:
        page.get_by_role("link", name="JSON").click()
    save_screenshots(page, "export-group")

    assert csv_download.value.suggested_filename.startswith("porto-weekend-")
    csv_text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    assert "'=Sardines" in csv_text
    assert "Zoë paid" in csv_text
    document = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert [expense["description"] for expense in document["expenses"]] == ["=Sardines"]

    page.goto(f"{live_server.url}/home/")
    expect(page.get_by_role("link", name="Download all your data")).to_be_visible()
    save_screenshots(page, "export-home")
    with page.expect_download() as archive_download:
        page.get_by_role("link", name="Download all your data").click()

    archive = zipfile.ZipFile(archive_download.value.path())
    stem = f"groups/{membership.group.pk}-porto-weekend"
    assert sorted(archive.namelist()) == ["account.json", f"{stem}.csv", f"{stem}.json"]
