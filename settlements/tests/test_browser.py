import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Member, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from splitclone.tests.browser import log_in, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
