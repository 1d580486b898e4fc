"""The pages of a group that converts at settlement tell one story: each currency's balance, and
≈ all of them in the group's currency at today's rates, which is what settle-up asks for."""

import datetime

import pytest
import time_machine
from django.db.models import Sum
from django.urls import reverse

from accounts.tests.factories import UserFactory
from expenses.models import ExpensePayer, ExpenseShare
from expenses.statistics import group_statistics, personal_spending
from groups.models import ConvertAt, Role
from groups.tests.factories import GroupFactory, MemberFactory
from ledger.spending import amount_in_group_currency
from pages.tests.reading import section, suggestions, text_of
from settlements.models import Payment
from settlements.tests.test_convert_at_settlement import spend
from splitclone import fx
from splitclone.money import format_amount

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY):
        yield


def trip(size):
    """Ana paid 100 USD for herself and each of `size` others, and Ben 9,000 JPY for him and
    Ana."""
    ana = UserFactory(display_name="Ana")
    group = GroupFactory(created_by=ana, convert_at=ConvertAt.SETTLEMENT)
    ana_member = MemberFactory(group=group, user=ana, role=Role.OWNER)
    others = [MemberFactory(group=group) for _ in range(size)]
    for other in others:
        spend(group, ana, ana_member, [ana_member, other], 20000, "USD")
    spend(group, ana, others[0], [ana_member, others[0]], 9000, "JPY")
    return group, ana, ana_member, others


def test_the_group_page_shows_each_currency_and_the_balance_at_todays_rates(client):
    group, ana, _, (ben,) = trip(1)
    client.force_login(ana)
    usd = fx.convert(10000, "USD", "EUR", fx.rate("USD", "EUR", TODAY.date()).value)
    jpy = fx.convert(4500, "JPY", "EUR", fx.rate("JPY", "EUR", TODAY.date()).value)

    page = client.get(reverse("pages:group", args=[group.pk])).text

    position = text_of(section(page, "position"))
    assert f"You get back ≈ {format_amount(usd - jpy, 'EUR')}" in position
    assert "−4,500 JPY · 100.00 USD, at today's rates" in position
    settle_up = client.get(reverse("settlements:settle_up", args=[group.pk])).text
    assert suggestions(settle_up) == {(ben.display_name, "Ana"): usd - jpy}
    home = text_of(section(client.get(reverse("home")).text, "totals"))
    assert format_amount(usd - jpy, "EUR") in home


@pytest.mark.parametrize("size", [1, 30])
def test_the_group_page_and_settle_up_cost_the_same_queries_for_any_size(
    client, django_assert_num_queries, size
):
    group, ana, *_ = trip(size)
    client.force_login(ana)
    Payment.objects.plan_for(group)  # parses the ECB file once, outside the count

    # session, user, membership with group, members with users, stored plans, balances open in
    # other currencies, activity page with actors, expense page, its payers, its shares,
    # payment page with people, what repeats next, pending payments' total, and the visit
    # recorded (the first one)
    with django_assert_num_queries(14):
        response = client.get(reverse("pages:group", args=[group.pk]))
    assert response.status_code == 200

    # session, user, membership, members with users, stored plans, balances open in other
    # currencies, how the people Ana pays like to be paid, latest payments, pending payments'
    # total, and the currencies of the latest expenses and of the latest payments (the record
    # form offers those first)
    with django_assert_num_queries(10):
        response = client.get(reverse("settlements:settle_up", args=[group.pk]))
    assert response.status_code == 200
    assert "Balances in other currencies" in response.text


def test_statistics_count_entries_in_the_group_currency_at_their_dates_rate():
    group, _, ana_member, (ben, _) = trip(2)
    expenses = {e.original_currency: e for e in group.expenses.all()}

    stats = group_statistics(group)

    paid = {person.member.pk: person.paid for person in stats.people}
    usd_total = sum(e.amount for e in group.expenses.filter(original_currency="USD"))
    # One payer each: what they paid is the expense's converted amount, exactly.
    assert paid[ana_member.pk] == usd_total
    assert paid[ben.pk] == expenses["JPY"].amount
    assert stats.total == usd_total + expenses["JPY"].amount


def test_statistics_count_each_share_as_its_part_of_the_converted_amount():
    group, ana, ana_member, _ = trip(2)

    def per_member(rows):
        return dict(
            rows.filter(expense__group=group)
            .values("member_id")
            .annotate(total=Sum(amount_in_group_currency()))
            .values_list("member_id", "total")
            .order_by()
        )

    paid, shares = per_member(ExpensePayer.objects), per_member(ExpenseShare.objects)

    stats = group_statistics(group)

    people = {person.member.pk: (person.paid, person.share) for person in stats.people}
    assert people == {pk: (paid.get(pk, 0), shares.get(pk, 0)) for pk in people}
    # Rounded down, the shares fall short of the converted amounts by less than a unit each.
    share_rows = ExpenseShare.objects.filter(expense__group=group).count()
    assert 0 <= stats.total - sum(shares.values()) < share_rows
    [mine] = personal_spending(ana)
    assert (mine.currency, mine.total, mine.paid) == (
        "EUR",
        shares[ana_member.pk],
        paid[ana_member.pk],
    )
