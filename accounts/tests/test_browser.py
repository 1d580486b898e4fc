import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from splitclone.tests.browser import screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "plum-harbour-velvet-42"


def test_sign_up_verify_log_out_and_log_in(page, live_server, settings, tmp_path):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    page.set_default_timeout(10_000)

    page.goto(live_server.url)
    screenshots(page, tmp_path, "landing")
    page.get_by_role("link", name="Create a free account").click()
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    screenshots(page, tmp_path, "signup")
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Hello, Grace Hopper")).to_be_visible()
    screenshots(page, tmp_path, "home")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Create a free account")).to_be_visible()

    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", name="Hello, Grace Hopper")).to_be_visible()
    assert page.url == f"{live_server.url}/home/"
