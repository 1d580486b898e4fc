"""Helpers the browser tests share: screen sizes, screenshots, logging in, waiting for htmx."""

from playwright.sync_api import expect

from accounts.tests.factories import DEFAULT_PASSWORD

# htmx previews wait for a pause in typing, then make a round trip to a machine that may be busy
# running the rest of CI: five seconds is too tight for that.
expect.set_options(timeout=10_000)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def screenshots(page, folder, name):
    """Full-page screenshots at phone and desktop widths, for a person to look at."""
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        path = folder / f"{name}-{label}.png"
        page.screenshot(path=path, full_page=True)
        assert path.stat().st_size > 0


def settled(page):
    """Waits until htmx has finished swapping and wiring up the new content.

    Typing into a freshly swapped field before htmx has processed it would go unheard.
    """
    busy = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
    page.wait_for_function(f"() => !document.querySelector('{busy}')")


def log_in(page, live_server, email, password=DEFAULT_PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(password)
    page.get_by_role("button", name="Sign In").click()
