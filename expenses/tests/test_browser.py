from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from expenses.models import Expense
from groups.models import Member, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from splitclone.tests.browser import log_in, screenshots, settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shown_balance(page, name):
    """A balance as the group page words it ("owes 5.00 EUR"), signed again ("−5.00 EUR").

    The viewer's own line is "You".
    """
    row = page.locator("#balances li.balance-line", has_text=name)
    words = row.locator(".amount").inner_text()
    if words.endswith("settled up"):
        return "0.00 EUR"
    amount = words.removeprefix("owes ").removeprefix("owe ")
    return f"−{amount}" if amount != words else words.split(" back ")[1]


def fill_basics(page, description, amount):
    page.get_by_label("Description:", exact=True).fill(description)
    page.get_by_label("Amount:", exact=True).fill(amount)


def test_add_edit_delete_and_undo_expenses(page, live_server, tmp_path):
    page.set_default_timeout(10_000)
    owner = UserFactory(email="olivia@example.com", display_name="Olivia")
    group = GroupFactory(name="Flat 3B", created_by=owner)
    olivia = MemberFactory(group=group, user=owner, role=Role.OWNER)
    alice = GuestFactory(group=group, name="Alice")
    bruno = GuestFactory(group=group, name="Bruno")
    log_in(page, live_server, owner.email)
    group_url = f"{live_server.url}/groups/{group.pk}/"

    # Equal: 90.00 paid by Olivia between the three; the preview follows the typing.
    page.goto(group_url)
    page.get_by_role("link", name="Add expense").click()
    fill_basics(page, "Groceries", "9")
    expect(page.locator("#split-preview")).to_contain_text("3.00 EUR")
    page.get_by_label("Amount:", exact=True).fill("90")
    preview = page.locator("#split-preview")
    expect(preview.locator(".amount", has_text="30.00 EUR")).to_have_count(3)
    page.get_by_label("Amount:", exact=True).fill("100")
    expect(preview.locator(".leftover")).to_have_count(1)
    page.get_by_label("Amount:", exact=True).fill("90")
    expect(preview.locator(".leftover")).to_have_count(0)
    screenshots(page, tmp_path, "expense-form")
    page.get_by_role("button", name="Save expense").click()
    expect(page.get_by_text("Saved “Groceries” (90.00 EUR).")).to_be_visible()

    # Exact amounts, paid by Alice and Bruno together.
    page.get_by_role("link", name="Add expense").click()
    fill_basics(page, "Concert", "100")
    page.get_by_label("Paid by:", exact=True).select_option(label="Several people")
    page.locator(f"#id_paid_{alice.pk}").fill("60")
    page.locator(f"#id_paid_{bruno.pk}").fill("40")
    page.get_by_label("Exact amounts").check()
    page.locator(f"#id_value_{olivia.pk}").fill("50")
    page.locator(f"#id_value_{alice.pk}").fill("25")
    page.locator(f"#id_value_{bruno.pk}").fill("25")
    settled(page)
    expect(preview.locator(".amount", has_text="25.00 EUR")).to_have_count(2)
    page.get_by_role("button", name="Save expense").click()
    expect(page.get_by_text("Saved “Concert” (100.00 EUR).")).to_be_visible()

    # Shares 2 : 1 : 0, paid by Bruno.
    page.get_by_role("link", name="Add expense").click()
    fill_basics(page, "Taxi", "30")
    page.get_by_label("Find a person in the list below").fill("bru")
    page.get_by_label("Find a person in the list below").press("Enter")
    expect(page.locator("#people-rows tr:visible")).to_have_count(1)
    page.get_by_label("Find a person in the list below").fill("")
    expect(page.locator("#people-rows tr:visible")).to_have_count(3)
    page.get_by_label("Paid by:", exact=True).select_option(label="Bruno")
    page.get_by_label("Shares", exact=True).check()
    page.locator(f"#id_value_{olivia.pk}").fill("2")
    page.locator(f"#id_value_{alice.pk}").fill("1")
    page.locator(f"#id_value_{bruno.pk}").fill("0")
    settled(page)
    expect(preview.locator(".amount", has_text="20.00 EUR")).to_have_count(1)
    page.get_by_role("button", name="Save expense").click()

    # By hand: Olivia 90 − 30 − 50 − 20, Alice 60 − 30 − 25 − 10, Bruno 40 + 30 − 30 − 25.
    assert shown_balance(page, "You") == "−10.00 EUR"
    assert shown_balance(page, "Alice") == "−5.00 EUR"
    assert shown_balance(page, "Bruno") == "15.00 EUR"
    screenshots(page, tmp_path, "group-with-expenses")

    # Edit Groceries to 120.00: 40.00 each.
    page.get_by_role("link", name="Groceries").click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Amount:", exact=True).fill("120")
    expect(preview.locator(".amount", has_text="40.00 EUR")).to_have_count(3)
    page.get_by_role("button", name="Save expense").click()
    expect(page.get_by_text("Saved your changes to “Groceries”.")).to_be_visible()
    page.get_by_role("link", name="← Flat 3B").click()
    assert shown_balance(page, "You") == "10.00 EUR"
    assert shown_balance(page, "Alice") == "−15.00 EUR"
    assert shown_balance(page, "Bruno") == "5.00 EUR"

    # Delete the taxi, then undo.
    page.get_by_role("link", name="Taxi").click()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("button", name="Undo: restore this expense")).to_be_visible()
    screenshots(page, tmp_path, "deleted")
    page.goto(group_url)
    assert shown_balance(page, "Bruno") == "−25.00 EUR"
    expect(page.get_by_role("link", name="Taxi")).to_have_count(0)
    page.locator(".feed-entry", has_text="deleted “Taxi”").get_by_role(
        "button", name="Restore"
    ).click()
    expect(page.get_by_text("Restored “Taxi”.")).to_be_visible()
    page.goto(group_url)
    assert shown_balance(page, "Bruno") == "5.00 EUR"
    assert sum(Member.objects.filter(group=group).values_list("balance", flat=True)) == 0


SMALL_PHONE = {"width": 360, "height": 740}
ARTIFACTS = Path("test-artifacts/screenshots")


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_paid_by_opens_and_closes_the_several_payers_section(page, live_server):
    owner = UserFactory(email="olivia@example.com", display_name="Olivia")
    group = GroupFactory(name="Flat 3B", created_by=owner)
    MemberFactory(group=group, user=owner, role=Role.OWNER)
    alice = GuestFactory(group=group, name="Alice")
    bruno = GuestFactory(group=group, name="Bruno")
    page.set_viewport_size(SMALL_PHONE)
    log_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/expenses/new/")
    paid_by = page.get_by_label("Paid by:", exact=True)
    section = page.locator("details.several-payers")
    alice_paid = page.locator(f"#id_paid_{alice.pk}")
    fill_basics(page, "Concert", "100")

    expect(section).not_to_have_attribute("open", "")
    paid_by.select_option(label="Several people")
    expect(section).to_have_attribute("open", "")
    expect(alice_paid).to_be_visible()
    alice_paid.fill("30")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "several-payers-360.png", full_page=True)
    assert no_sideways_scroll(page)

    # One payer again: the section closes and its amounts no longer count.
    paid_by.select_option(label="Bruno")
    expect(section).not_to_have_attribute("open", "")
    expect(alice_paid).to_be_disabled()

    # Opening the section by hand chooses "Several people".
    page.get_by_text("Several people paid").click()
    expect(paid_by).to_have_value("")
    expect(alice_paid).to_be_enabled()
    expect(alice_paid).to_have_value("30")
    page.locator(f"#id_paid_{bruno.pk}").fill("70")
    settled(page)
    page.get_by_role("button", name="Save expense").click()
    expect(page.get_by_text("Saved “Concert” (100.00 EUR).")).to_be_visible()
    payers = Expense.objects.get(description="Concert").payers.all()
    assert {payer.member_id: payer.amount for payer in payers} == {alice.pk: 3000, bruno.pk: 7000}


def test_without_javascript_the_several_payers_section_still_works(browser, live_server):
    owner = UserFactory(email="olivia@example.com", display_name="Olivia")
    group = GroupFactory(name="Flat 3B", created_by=owner)
    MemberFactory(group=group, user=owner, role=Role.OWNER)
    alice = GuestFactory(group=group, name="Alice")
    bruno = GuestFactory(group=group, name="Bruno")
    context = browser.new_context(java_script_enabled=False, viewport=SMALL_PHONE)
    page = context.new_page()
    log_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/expenses/new/")
    fill_basics(page, "Concert", "100")

    page.get_by_label("Paid by:", exact=True).select_option(label="Several people")
    page.get_by_text("Several people paid").click()
    page.locator(f"#id_paid_{alice.pk}").fill("40")
    page.locator(f"#id_paid_{bruno.pk}").fill("60")
    page.get_by_role("button", name="Save expense").click()

    expect(page.get_by_text("Saved “Concert” (100.00 EUR).")).to_be_visible()
    payers = Expense.objects.get(description="Concert").payers.all()
    assert {payer.member_id: payer.amount for payer in payers} == {alice.pk: 4000, bruno.pk: 6000}
    context.close()


def test_an_adjustment_with_a_plus_and_what_it_means(page, live_server):
    owner = UserFactory(email="olivia@example.com", display_name="Olivia")
    group = GroupFactory(name="Flat 3B", created_by=owner)
    olivia = MemberFactory(group=group, user=owner, role=Role.OWNER)
    alice = GuestFactory(group=group, name="Alice")
    GuestFactory(group=group, name="Bruno")
    page.set_viewport_size(SMALL_PHONE)
    log_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/expenses/new/")
    fill_basics(page, "Dinner", "90")
    help_text = page.locator("#adjustment-help")

    expect(help_text).to_be_hidden()
    page.get_by_label("Adjustments", exact=True).check()
    expect(help_text).to_be_visible()
    page.locator(f"#id_value_{olivia.pk}").fill("+6")
    page.locator(f"#id_value_{alice.pk}").fill("\N{MINUS SIGN}3")
    settled(page)
    preview = page.locator("#split-preview")
    # 90 − 3 of adjustments leaves 87: 29 each, then +6 for Olivia and −3 for Alice.
    expect(preview.locator("li", has_text="Olivia")).to_contain_text("35.00 EUR")
    expect(preview.locator("li", has_text="Alice")).to_contain_text("26.00 EUR")
    expect(preview.locator("li", has_text="Bruno")).to_contain_text("29.00 EUR")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "adjustments-360.png", full_page=True)
    assert no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=ARTIFACTS / "adjustments-1280.png", full_page=True)


def test_an_expense_in_another_currency_on_a_phone(page, live_server):
    page.set_default_timeout(10_000)
    page.set_viewport_size({"width": 360, "height": 800})
    owner = UserFactory(email="olivia@example.com", display_name="Olivia")
    group = GroupFactory(name="Trip", created_by=owner)
    MemberFactory(group=group, user=owner, role=Role.OWNER)
    GuestFactory(group=group, name="Alice")
    GuestFactory(group=group, name="Bruno")
    log_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/expenses/new/")

    fill_basics(page, "Dinner in New York", "123.45")
    page.get_by_label("Date:", exact=True).fill("2025-12-27")
    page.get_by_label("Currency", exact=True).select_option("USD")
    preview = page.locator("#split-preview")
    expect(preview).to_contain_text("123.45 USD = 104.73 EUR at 1 USD = 0.8483922966 EUR")
    expect(preview).to_contain_text("ECB reference rate of 24 Dec 2025")
    expect(preview.locator(".amount", has_text="34.91 EUR")).to_have_count(3)
    expect(preview.locator(".amount", has_text="(41.15 USD)")).to_have_count(3)
    expect(preview).to_contain_text("Together exactly 104.73 EUR.")
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    folder = Path("test-artifacts/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / "expense-form-usd-360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=folder / "expense-form-usd-1280.png", full_page=True)

    page.get_by_label("Enter what the card charged in EUR").check()
    page.get_by_label("Amount charged in EUR").fill("105.20")
    expect(preview).to_contain_text("123.45 USD = 105.20 EUR")
    page.get_by_role("button", name="Save expense").click()
    expect(page.get_by_text("Saved “Dinner in New York” (105.20 EUR).")).to_be_visible()
    expense = Expense.objects.get()
    assert (expense.original_amount, expense.amount, expense.rate_source) == (
        12345,
        10520,
        "charged",
    )


def test_the_currency_section_folds_on_a_phone_and_the_date_moves_only_a_reference_rate(
    page, live_server
):
    page.set_default_timeout(10_000)
    page.set_viewport_size(SMALL_PHONE)
    owner = UserFactory(email="olivia@example.com", display_name="Olivia")
    group = GroupFactory(name="Trip", created_by=owner)
    MemberFactory(group=group, user=owner, role=Role.OWNER)
    GuestFactory(group=group, name="Alice")
    log_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/expenses/new/")
    fill_basics(page, "Museum", "40")
    page.get_by_label("Date:", exact=True).fill("2025-12-27")
    section = page.locator("details.conversion")
    folded_height = page.evaluate("document.documentElement.scrollHeight")

    expect(section).not_to_have_attribute("open", "")
    expect(page.get_by_label("Enter the rate")).to_be_hidden()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "expense-form-folded-360.png", full_page=True)

    page.get_by_label("Currency", exact=True).select_option("USD")
    expect(section).to_have_attribute("open", "")
    preview = page.locator("#split-preview")
    expect(preview).to_contain_text("40.00 USD = 33.94 EUR at 1 USD = 0.8483922966 EUR")
    unfolded_height = page.evaluate("document.documentElement.scrollHeight")
    assert unfolded_height > folded_height
    assert no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "expense-form-unfolded-360.png", full_page=True)

    # Another date takes that date's reference rate at once...
    page.get_by_label("Date:", exact=True).fill("2025-06-02")
    expect(preview).to_contain_text("ECB reference rate of 02 Jun 2025")
    # ...but never replaces a rate typed by hand.
    page.get_by_label("Enter the rate").check()
    page.get_by_label("Rate:", exact=True).fill("0.9")
    expect(preview).to_contain_text("40.00 USD = 36.00 EUR at 1 USD = 0.9 EUR (Enter the rate)")
    page.get_by_label("Date:", exact=True).fill("2025-12-27")
    settled(page)
    expect(preview).to_contain_text("40.00 USD = 36.00 EUR at 1 USD = 0.9 EUR (Enter the rate)")
    page.get_by_role("button", name="Save expense").click()
    expect(page.get_by_text("Saved “Museum” (36.00 EUR).")).to_be_visible()


def test_without_javascript_another_currency_is_saved_at_the_reference_rate(browser, live_server):
    owner = UserFactory(email="olivia@example.com", display_name="Olivia")
    group = GroupFactory(name="Trip", created_by=owner)
    MemberFactory(group=group, user=owner, role=Role.OWNER)
    context = browser.new_context(java_script_enabled=False, viewport=SMALL_PHONE)
    page = context.new_page()
    log_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/expenses/new/")
    fill_basics(page, "Museum", "40")
    page.get_by_label("Date:", exact=True).fill("2025-12-27")
    page.get_by_label("Currency", exact=True).select_option("USD")

    # Folded, and nothing to type in it: the reference rate is the default.
    expect(page.locator("details.conversion")).not_to_have_attribute("open", "")
    page.get_by_role("button", name="Preview shares").click()
    expect(page.locator("details.conversion")).to_have_attribute("open", "")
    expect(page.locator("#rate-note")).to_contain_text("40.00 USD = 33.94 EUR")
    page.get_by_role("button", name="Save expense").click()

    expect(page.get_by_text("Saved “Museum” (33.94 EUR).")).to_be_visible()
    context.close()
