"""Settle-up with wishes on a phone: make a household, choose whom to pay, see the plan follow,
record the household's payment."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Member, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from settlements.models import Payment
from splitclone.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 800}


def shoot(page, name):
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"wishes-{name}-{label}.png", full_page=True)
    page.set_viewport_size(PHONE)


def test_a_household_and_a_preference_shape_the_plan_and_its_payment(page, live_server):
    page.set_viewport_size(PHONE)
    ana = UserFactory(email="ana@example.com", display_name="Ana")
    group = GroupFactory(name="Flat", created_by=ana)
    ana_member = MemberFactory(group=group, user=ana, role=Role.OWNER)
    ben = MemberFactory(group=group, user=UserFactory(display_name="Ben"))
    cem = MemberFactory(group=group, user=UserFactory(display_name="Cem"))
    dan = GuestFactory(group=group, name="Dan")
    add_expense(group, ana, paid={cem: 4000}, among=[ana_member, cem], description="Taxi")
    add_expense(group, ana, paid={dan: 6000}, among=[ana_member, ben, dan], description="Dinner")

    log_in(page, live_server, ana.email)
    page.goto(f"{live_server.url}/groups/{group.pk}/edit/")
    households = page.locator("#households")
    households.get_by_label("Ana").check()
    households.get_by_label("Ben").check()
    households.get_by_role("button", name="Make a household").click()
    expect(page.get_by_text("Saved the household.")).to_be_visible()
    expect(page.locator("#households .member-name")).to_have_text("Ana, Ben")
    page.get_by_label("Only pay people you share expenses with").check()
    shoot(page, "settings")

    page.goto(f"{live_server.url}/groups/{group.pk}/settle/")
    page.get_by_role("link", name="Your wishes for settling up").click()
    page.get_by_label("Person I prefer to pay").select_option(label="Dan")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. The settle-up plan follows the new wishes.")).to_be_visible()

    line = page.locator("#suggestions > li.household-payment")
    expect(line).to_have_count(1)
    expect(line.locator(".member-name")).to_have_text("Ana & Ben pay Dan")
    wishes = page.locator("#wishes")
    expect(wishes).to_contain_text("Ana & Ben settle up as one household.")
    expect(wishes).to_contain_text("Ana pays only Dan, if anyone, as they prefer.")
    shoot(page, "settle-up")

    line.get_by_role("button", name="Record as paid").click()
    expect(page.get_by_text(re.compile(r"Recorded: Ana → Dan"))).to_be_visible()
    expect(page.locator("#suggestions > li.household-payment")).to_have_count(0)
    shoot(page, "after-household-payment")

    payments = Payment.objects.filter(group=group)
    assert {(p.from_member_id, p.to_member_id) for p in payments} <= {
        (ana_member.pk, dan.pk),
        (ben.pk, dan.pk),
    }
    household = Member.objects.filter(pk__in=[ana_member.pk, ben.pk])
    assert sum(member.balance for member in household) == 0
