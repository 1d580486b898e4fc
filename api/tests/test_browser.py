import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from splitclone.tests.browser import log_in, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def test_create_use_and_revoke_a_token(page, live_server):
    user = UserFactory(email="ida@example.com", display_name="Ida")
    log_in(page, live_server, user.email)
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/account/tokens/")
    page.get_by_label("Name").fill("Budget sheet")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.locator(".token-secret").inner_text()
    assert re.fullmatch(r"sc_[\w-]{43}", secret)
    # Nothing on the page is wider than a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshots(page, SCREENSHOTS, "api-tokens")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("revoked")).to_be_visible()


def test_docs_render_from_the_vendored_files(page, live_server):
    """Swagger UI comes from our static files (no CDN), within the site's CSP."""
    page.goto(f"{live_server.url}/api/docs")
    expect(page.get_by_role("heading", name=re.compile("Splitclone API"))).to_be_visible()
    expect(page.get_by_text("/api/groups/{group_id}/settle-up").first).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 800})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "api-docs-desktop.png")
