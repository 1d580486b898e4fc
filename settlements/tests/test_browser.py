import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import PaymentMethod
from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import ConvertAt, Group, Member, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from settlements.tests.test_convert_at_settlement import KWD_RATE, spend
from splitclone.tests.browser import log_in, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def suggestion_texts(page):
    return page.locator("#suggestions > li .member-name").all_inner_texts()


def test_settle_a_group_one_payment_at_a_time(page, live_server, tmp_path):
    page.set_default_timeout(10_000)
    ben = UserFactory(email="ben@example.com", display_name="Ben")
    group = GroupFactory(name="Ski week", created_by=ben)
    ana = MemberFactory(group=group, user=UserFactory(display_name="Ana"), role=Role.OWNER)
    ben_member = MemberFactory(group=group, user=ben)
    cem = MemberFactory(group=group, user=UserFactory(display_name="Cem"))
    dan = GuestFactory(group=group, name="Dan")
    everyone = [ana, ben_member, cem, dan]
    add_expense(group, ben, paid={ana: 10000}, among=everyone, description="Chalet")
    add_expense(group, ben, paid={ben_member: 6000}, among=[ben_member, cem, dan])
    add_expense(group, ben, paid={cem: 4000}, among=[ana, dan], description="Taxi")

    log_in(page, live_server, ben.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/")
    page.get_by_role("link", name="Settle up").click()
    expect(page.get_by_role("heading", name="Settle up")).to_be_visible()
    expect(page.locator("#suggestions > li")).to_have_count(3)
    page.get_by_text("Why these payments?").click()
    expect(page.get_by_text("4 people have a balance that isn't zero.")).to_be_visible()
    screenshots(page, tmp_path, "settle-up")

    # Dan pays part of his first payment: only that suggestion shrinks.
    first = page.locator("#suggestions > li").first
    planned = suggestion_texts(page)
    first.get_by_role("textbox").fill("5")
    first.get_by_role("button", name="Record as paid").click()
    expect(page.get_by_text(re.compile(r"Recorded: .* 5\.00 EUR\."))).to_be_visible()
    assert suggestion_texts(page) == planned

    # A payment larger than the debt asks to be confirmed first.
    first = page.locator("#suggestions > li").first
    first.get_by_role("textbox").fill("500")
    first.get_by_role("button", name="Record as paid").click()
    expect(page.get_by_label("Yes, record it anyway")).to_be_visible()
    screenshots(page, tmp_path, "confirm")
    page.reload()

    while page.locator("#suggestions > li").count():
        remaining = suggestion_texts(page)[1:]
        page.locator("#suggestions > li").first.get_by_role("button", name="Record as paid").click()
        expect(page.locator("#suggestions > li")).to_have_count(len(remaining))
        assert suggestion_texts(page) == remaining

    expect(page.get_by_text("Everyone is settled up.")).to_be_visible()
    expect(page.locator("#payments > li")).to_have_count(4)
    screenshots(page, tmp_path, "settled")
    assert set(Member.objects.filter(group=group).values_list("balance", flat=True)) == {0}

    confirmed = []
    page.once("dialog", lambda dialog: (confirmed.append(dialog.message), dialog.accept()))
    page.locator("#payments > li").first.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("button", name="Undo: restore")).to_be_visible()
    assert confirmed[0].startswith("Delete the payment ")
    expect(page.locator("#suggestions > li")).to_have_count(1)
    page.get_by_role("button", name="Undo: restore").click()
    expect(page.get_by_text("Everyone is settled up.")).to_be_visible()


def test_settle_two_groups_sharing_three_people_at_once(page, live_server, tmp_path):
    page.set_default_timeout(10_000)
    ana, ben, cem = (
        UserFactory(email=f"{name.lower()}@example.com", display_name=name)
        for name in ("Ana", "Ben", "Cem")
    )
    groups = []
    for name, payer, among in (("Trip", ana, (ana, ben)), ("Flat", cem, (cem, ana, ben))):
        group = GroupFactory(name=name, created_by=payer)
        members = {user: MemberFactory(group=group, user=user) for user in (ana, ben, cem)}
        add_expense(group, payer, paid={members[payer]: 9000}, among=[members[u] for u in among])
        groups.append(group)

    log_in(page, live_server, ben.email)
    page.get_by_role("link", name="Settle everything").click()
    expect(page.get_by_role("heading", name="Balances in EUR")).to_be_visible()
    page.get_by_label("Trip (EUR)").check()
    page.get_by_label("Flat (EUR)").check()
    page.get_by_role("button", name="Show the plan").click()
    expect(page.get_by_role("heading", name=re.compile("Plan for"))).to_be_visible()
    screenshots(page, tmp_path, "across")

    plan = page.locator("#across-plan .member-list > li")
    while plan.count():
        left = plan.count() - 1
        plan.first.get_by_role("button", name="Record as paid").click()
        expect(page.get_by_text(re.compile("Booked as: in "))).to_be_visible()
        expect(plan).to_have_count(left)
    expect(page.get_by_text("Everyone is settled up in these groups.")).to_be_visible()
    screenshots(page, tmp_path, "across-settled")

    for group in groups:
        page.goto(f"{live_server.url}/groups/{group.pk}/")
        balances = page.locator("#balances li.balance-line .amount")
        expect(balances).to_have_count(3)
        for text in balances.all_inner_texts():
            assert text in ("is settled up", "are settled up")


def test_settle_up_a_group_that_converts_at_settlement_at_phone_width(
    page, live_server, tmp_path, settings
):
    page.set_default_timeout(10_000)
    page.set_viewport_size({"width": 360, "height": 800})
    ana = UserFactory(email="ana@example.com", display_name="Ana")
    group = GroupFactory(name="Road trip", created_by=ana)
    Group.objects.filter(pk=group.pk).update(convert_at=ConvertAt.SETTLEMENT)
    group.refresh_from_db()
    ana_member = MemberFactory(group=group, user=ana, role=Role.OWNER)
    ben = GuestFactory(group=group, name="Ben")
    cem = GuestFactory(group=group, name="Cem")
    spend(group, ana, ana_member, [ana_member, ben, cem], 12345, "USD")
    spend(group, ana, ben, [ana_member, ben, cem], 900000, "JPY")
    spend(group, ana, cem, [ana_member, ben], 30000, "KWD")

    log_in(page, live_server, ana.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/settle/")
    expect(page.get_by_role("heading", name="Balances in other currencies")).to_be_visible()
    expect(page.get_by_text("The ECB publishes no reference rate for KWD")).to_be_visible()
    expect(page.locator("#suggestions > li")).to_have_count(0)
    page.get_by_label("1 KWD =").fill(str(KWD_RATE))
    page.get_by_role("button", name="Use these rates").click()
    rates = page.locator("#open-currencies .rates li")
    expect(rates).to_have_count(3)
    expect(rates.filter(has_text="1 KWD = 2.79 EUR (Rate entered)")).to_be_visible()
    expect(page.locator("#suggestions > li")).not_to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "nothing overflows the phone's width"
    folder = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / "settle-up-convert-at-settlement-phone.png", full_page=True)
    settle_up_url = page.url

    page.goto(f"{live_server.url}/groups/{group.pk}/")
    expect(page.locator("#position-currencies")).to_contain_text("today's rate needed")
    several = page.get_by_role("heading", name="Your balance is in several currencies")
    expect(several).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=folder / "group-convert-at-settlement-phone.png", full_page=True)
    page.goto(settle_up_url)

    while page.locator("#suggestions > li").count():
        count = page.locator("#suggestions > li").count()
        page.locator("#suggestions > li").first.get_by_role("button", name="Record as paid").click()
        expect(page.locator("#suggestions > li")).to_have_count(count - 1)

    expect(page.get_by_text("Everyone is settled up.")).to_be_visible()
    expect(page.get_by_role("heading", name="Balances in other currencies")).to_have_count(0)
    assert set(Member.objects.filter(group=group).values_list("balance", flat=True)) == {0}
    page.goto(f"{live_server.url}/groups/{group.pk}/")
    expect(page.locator("#feed")).to_contain_text("converted the open balances in JPY, KWD, USD")


def test_a_big_group_records_any_payment_in_one_click_with_or_without_javascript(
    page, browser, live_server, tmp_path
):
    page.set_default_timeout(10_000)
    ana = UserFactory(email="ana@example.com", display_name="Ana")
    group = GroupFactory(name="Choir tour", created_by=ana)
    # 49 guests: 24 owe 10.00 to 24 others, and one owes Ana 25.00.
    MemberFactory(group=group, user=ana, role=Role.OWNER, balance=2500)
    GuestFactory(group=group, name="Zoe", balance=-2500)
    for n in range(24):
        GuestFactory(group=group, name=f"Debtor {n:02}", balance=-1000)
        GuestFactory(group=group, name=f"Creditor {n:02}", balance=1000)

    log_in(page, live_server, ana.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/settle/")
    plan = page.locator("#suggestions > li")
    expect(plan).to_have_count(25)
    screenshots(page, tmp_path, "settle-up-big")
    # Someone else's payment: a button alone, which records it in full.
    others = plan.filter(has_not_text="Ana")
    recorded = others.first.locator(".member-name").inner_text()
    others.first.get_by_role("button", name="Record as paid").click()
    expect(page.get_by_text(re.compile(r"Recorded: .* 10\.00 EUR\."))).to_be_visible()
    expect(plan).to_have_count(24)
    assert recorded not in suggestion_texts(page)

    plain = browser.new_context(java_script_enabled=False).new_page()
    log_in(plain, live_server, ana.email)
    plain.goto(f"{live_server.url}/groups/{group.pk}/settle/")
    # Ana's own payment has its amount field: Zoe paid part of it.
    own = plain.locator("#suggestions > li").filter(has_text="Zoe")
    own.get_by_role("textbox").fill("5")
    own.get_by_role("button", name="Record as paid").click()
    expect(plain.get_by_text("Recorded: Zoe → Ana 5.00 EUR.")).to_be_visible()
    expect(plain.locator("#suggestions > li").filter(has_text="Zoe")).to_contain_text("20.00 EUR")
    screenshots(plain, tmp_path, "settle-up-big-no-js")


def test_a_payment_in_another_currency_on_a_phone(page, live_server):
    page.set_default_timeout(10_000)
    page.set_viewport_size({"width": 360, "height": 740})
    ben = UserFactory(email="ben@example.com", display_name="Ben")
    group = GroupFactory(name="Ski week", created_by=ben)
    ana = MemberFactory(group=group, user=UserFactory(display_name="Ana"), role=Role.OWNER)
    ben_member = MemberFactory(group=group, user=ben)
    add_expense(group, ben, paid={ana: 10000}, among=[ana, ben_member], description="Chalet")
    log_in(page, live_server, ben.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/settle/")
    form = page.locator("section", has=page.get_by_role("heading", name="Record another payment"))
    section = form.locator("details.conversion")
    # The group's currency alone, and a link to every other one.
    expect(form.get_by_label("Currency", exact=True).locator("option")).to_have_count(1)
    expect(section).to_have_count(0)
    form.get_by_role("link", name="Other currency…").click()
    expect(section).to_have_count(1)

    form.get_by_label("Who paid:").select_option(label="Ben")
    form.get_by_label("Who received it:").select_option(label="Ana")
    form.get_by_label("Amount:", exact=True).fill("40")
    form.get_by_label("Date:").fill("2025-12-27")
    expect(section).not_to_have_attribute("open", "")
    form.get_by_label("Currency", exact=True).select_option("USD")
    expect(section).to_have_attribute("open", "")
    folder = Path("test-artifacts/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / "payment-form-usd-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    form.get_by_role("button", name="Record payment").click()

    expect(page.get_by_text("Recorded: Ben → Ana 40.00 USD → 33.94 EUR.")).to_be_visible()
    expect(page.locator("#payments")).to_contain_text("40.00 USD → 33.94 EUR")
    expect(page.locator("#payments")).to_contain_text("(ECB reference rate of 24 Dec 2025)")
    page.screenshot(path=folder / "payment-recorded-usd-360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=folder / "payment-recorded-usd-1280.png", full_page=True)


def test_the_explanation_of_a_plan_whose_search_stopped_early(
    page, live_server, tmp_path, no_time_to_search
):
    page.set_default_timeout(10_000)
    ana = UserFactory(email="ana@example.com", display_name="Ana")
    group = GroupFactory(name="Festival crew", created_by=ana)
    MemberFactory(group=group, user=ana, role=Role.OWNER)
    amounts = [(n * 7919) % 20011 - 10000 for n in range(1, 28)]
    for n, amount in enumerate([*amounts, -sum(amounts)]):
        GuestFactory(group=group, name=f"Guest {n + 1}", balance=amount)

    log_in(page, live_server, ana.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/settle/")
    page.get_by_text("Why these payments?").click()
    payments = page.locator("#suggestions > li").count()
    expect(
        page.get_by_text(
            f"This plan has {payments} payments; the search stopped after 200 ms, so a plan "
            "with fewer may exist."
        )
    ).to_be_visible()
    screenshots(page, tmp_path, "settle-up-not-proven")


def test_paying_by_qr_code_copy_and_two_steps_on_a_phone(page, live_server):
    page.set_default_timeout(10_000)
    page.set_viewport_size({"width": 360, "height": 780})
    ana_user = UserFactory(email="ana@example.com", display_name="Ana", confirms_payments=True)
    cem_user = UserFactory(email="cem@example.com", display_name="Cem")
    group = GroupFactory(name="Ski week", created_by=ana_user)
    ana = MemberFactory(group=group, user=ana_user, role=Role.OWNER)
    cem = MemberFactory(group=group, user=cem_user)
    add_expense(group, ana_user, paid={ana: 8000}, among=[ana, cem], description="Chalet")
    PaymentMethod.objects.create(
        user=ana_user, kind="iban", value="DE89370400440532013000", holder="Ana Alves"
    )
    PaymentMethod.objects.create(user=ana_user, kind="paypal", value="anaalves", position=1)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    log_in(page, live_server, cem_user.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/settle/")
    page.get_by_text("Pay Ana").click()
    pay = page.locator("details.pay")
    expect(pay.locator("svg")).to_be_visible()
    expect(pay.get_by_role("link", name="Open PayPal.me")).to_have_attribute(
        "href", "https://paypal.me/anaalves/40.00EUR"
    )
    pay.get_by_role("button", name="Copy IBAN").click()
    expect(pay.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == "DE89370400440532013000"
    # Nothing sticks out sideways at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=SCREENSHOTS / "pay-details-phone.png", full_page=True)

    page.get_by_role("button", name="I’ve sent it").click()
    expect(page.get_by_text("Pending: 1 payment (40.00 EUR)")).to_be_visible()
    expect(page.get_by_text("Everyone is settled up.")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, live_server, ana_user.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/settle/")
    page.screenshot(path=SCREENSHOTS / "pay-pending-payee-phone.png", full_page=True)
    page.get_by_role("button", name="Received", exact=True).click()
    expect(page.get_by_text("Confirmed: Cem → Ana 40.00 EUR.")).to_be_visible()
    expect(page.locator("#pending-payments")).to_have_count(0)
