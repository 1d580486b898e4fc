"""Every page tells the same story of who owes whom, down to zero once the suggestions are paid."""

import re
from collections import defaultdict

import pytest
from django.test import Client
from django.urls import reverse

from groups.models import Member
from pages.tests.factories import barcelona
from pages.tests.reading import (
    balances,
    items,
    minor,
    payment_lines,
    people,
    position,
    section,
    suggestions,
    text_of,
)
from settlements.models import PlanSummary

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def get(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.text


def story_told_to(client, viewer, group):
    """What each page tells `viewer` (a name), read from the HTML.

    Returns the plan on the settle-up page; asserts that the group page, its who-owes-whom
    page and the home page tell the same.
    """
    plan = suggestions(get(client, "settlements:settle_up", group.pk))
    group_page = get(client, "pages:group", group.pk)
    pairs_page = get(client, "pages:pairs", group.pk)
    home_page = get(client, "home")

    assert payment_lines(group_page, viewer) == plan
    assert payment_lines(pairs_page, viewer) == plan

    balance = defaultdict(int)
    for (debtor, creditor), amount in plan.items():
        balance[debtor] -= amount
        balance[creditor] += amount
    assert {name: amount for name, amount in balances(group_page, viewer).items() if amount} == {
        name: amount for name, amount in balance.items() if amount
    }
    assert position(text_of(section(group_page, "position-heading"))) == balance[viewer]

    with_viewer = defaultdict(int)
    for (debtor, creditor), amount in plan.items():
        if debtor == viewer:
            with_viewer[creditor] -= amount
        elif creditor == viewer:
            with_viewer[debtor] += amount
    assert people(home_page) == with_viewer
    # Read again, home tells it from the kept summary of the plan, not from the plan.
    summary = PlanSummary.objects.select_related("group").get(group=group)
    assert summary.plan_version == summary.group.plan_version
    assert people(get(client, "home")) == with_viewer
    [total] = items(section(home_page, "totals"), "position-total")
    assert position(total) == balance[viewer]
    return plan, group_page, pairs_page, home_page


def record_first_suggestion(client, group):
    """Presses the first "Record as paid" button of the settle-up page, sending the plan's form
    exactly as it is filled in."""
    page = get(client, "settlements:settle_up", group.pk)
    form = re.search(r'<form[^>]*>((?:(?!</form>).)*id="suggestions".*?)</form>', page, re.S)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(1)):
        name, value = (re.search(rf'{attribute}="([^"]*)"', tag) for attribute in ("name", "value"))
        fields[name.group(1)] = value.group(1)
    button = re.search(r'<button[^>]* name="(pay)" value="([^"]*)"', form.group(1))
    fields[button.group(1)] = button.group(2)
    response = client.post(reverse("settlements:record", args=[group.pk]), fields)
    assert response.status_code == 302, response.text


@pytest.mark.parametrize("simplify_debts", [True, False])
def test_recording_every_suggestion_walks_every_page_to_zero(simplify_debts):
    group, members = barcelona(simplify_debts)
    registered = [member for member in members if not member.is_guest]
    clients = {member.display_name: client_for(member.user) for member in registered}
    alice = clients["Alice"]
    first_plan, *_ = story_told_to(alice, "Alice", group)
    # Something to walk: several payments, Alice in some of them and not in others.
    assert len(first_plan) >= 4
    assert any("Alice" in pair for pair in first_plan)
    assert any("Alice" not in pair for pair in first_plan)

    for step in range(len(first_plan)):
        for name, client in clients.items():
            plan, *_ = story_told_to(client, name, group)
        assert len(plan) == len(first_plan) - step
        record_first_suggestion(alice, group)

    assert set(Member.objects.filter(group=group).values_list("balance", flat=True)) == {0}
    for name, client in clients.items():
        plan, group_page, pairs_page, home_page = story_told_to(client, name, group)
        assert plan == {}
        assert "Everyone is settled up." in get(client, "settlements:settle_up", group.pk)
        assert text_of(section(group_page, "position-heading")) == "You are settled up"
        assert 'id="who-owes-whom"' not in group_page
        assert set(balances(group_page, name).values()) == {0}
        assert "Everyone is settled up." in text_of(pairs_page)
        assert 'id="people"' not in home_page
        assert items(section(home_page, "totals"), "position-total") == [
            "You are settled up in EUR"
        ]


def test_the_first_plan_is_exactly_what_settle_up_suggests():
    """The figures of the story above, written out once so a misreading cannot hide.

    Balances: Alice −68.08, Bob −65.69, Carol +7.31, Pat +162.21, Dan −35.75. Pairwise, Alice
    owes Pat only 26.08 (49.08 for the apartment less 23.00 for the tapas), which is what the
    group page used to say while settle-up asked her to pay Pat 68.08.
    """
    group, _ = barcelona(simplify_debts=True)
    alice = client_for(group.created_by)

    plan, group_page, _, home_page = story_told_to(alice, "Alice", group)

    assert plan == {
        ("Alice", "Pat"): 6808,
        ("Bob", "Pat"): 6569,
        ("Dan", "Pat"): 2844,
        ("Dan", "Carol"): 731,
    }
    assert text_of(section(group_page, "position-heading")) == "You owe 68.08 EUR"
    assert payment_lines(section(group_page, "position"), "Alice") == {("Alice", "Pat"): 6808}
    assert balances(group_page, "Alice") == {
        "Alice": -6808,
        "Bob": -6569,
        "Carol": 731,
        "Dan": -3575,
        "Pat": 16221,
    }
    assert people(home_page) == {"Pat": -6808}


def household_lines(settle_up_page):
    """{(payers, payees): amount} of the settle-up page's household payments, names as shown."""
    lines = {}
    for row in re.findall(
        r'<li class="member suggestion household-payment">(.*?)<span class="amount">([^<]*)</span>',
        section(settle_up_page, "suggestions"),
        re.DOTALL,
    ):
        payers, payees = text_of(row[0]).split(" pay ")
        lines[payers, payees] = minor(row[1])
    return lines


def test_with_a_household_every_page_tells_the_same_story_in_members_payments():
    """Settle-up shows Bob & Dan's payment as one line; the group page, who-owes-whom and the
    home page show the members' payments it is booked as, which add up to it."""
    group, (alice, bob, _, pat, dan) = barcelona(simplify_debts=True)
    group.create_household([bob, dan], actor=alice.user)
    group.set_wishes(alice, actor=alice.user, rather_not_receive=False, preferred_payee=pat)
    client = client_for(alice.user)

    settle_up = get(client, "settlements:settle_up", group.pk)
    units = household_lines(settle_up)
    singles = suggestions(settle_up)
    pairs_page = get(client, "pages:pairs", group.pk)
    group_page = get(client, "pages:group", group.pk)
    members = payment_lines(pairs_page, "Alice")

    assert units, "the household pays as one"
    assert payment_lines(group_page, "Alice") == members
    unit_of = {"Bob": "Bob & Dan", "Dan": "Bob & Dan"}
    by_unit = defaultdict(int)
    for (debtor, creditor), amount in members.items():
        by_unit[unit_of.get(debtor, debtor), unit_of.get(creditor, creditor)] += amount
    assert dict(by_unit) == units | singles
    with_alice = defaultdict(int)
    for (debtor, creditor), amount in members.items():
        if debtor == "Alice":
            with_alice[creditor] -= amount
        elif creditor == "Alice":
            with_alice[debtor] += amount
    assert people(get(client, "home")) == with_alice
