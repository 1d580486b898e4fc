"""A group's statistics and a person's spending across groups: figures, period, access, queries."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import UserFactory
from expenses.models import Expense
from expenses.tests.factories import add_expense
from groups.models import Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from pages.tests.reading import section, text_of

pytestmark = pytest.mark.django_db

OCTOBER, NOVEMBER = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)


@pytest.fixture
def trip():
    """Olivia, Max and the guest Alice in a EUR group, Olivia and Kenji in a JPY one.

    Trip: 30.00 of food in October paid by Olivia for her and Max, 100.00 of rent in October
    paid by Max for all three, 10.00 of food in November paid by Alice for herself, and a
    deleted 999.00 that counts nowhere.
    """
    olivia, max_, kenji = (UserFactory(display_name=n) for n in ("Olivia", "Max", "Kenji"))
    group = GroupFactory(name="Trip", created_by=olivia)
    o = MemberFactory(group=group, user=olivia, role=Role.OWNER)
    m = MemberFactory(group=group, user=max_)
    a = GuestFactory(group=group, name="Alice")
    day = datetime.date
    add_expense(group, olivia, paid={o: 3000}, among=[o, m], date=day(2026, 10, 5))
    add_expense(
        group, max_, paid={m: 10000}, among=[o, m, a], category="rent", date=day(2026, 10, 20)
    )
    add_expense(group, olivia, paid={a: 1000}, among=[a], date=day(2026, 11, 1))
    deleted = add_expense(group, olivia, paid={o: 99900}, among=[o, m], date=day(2026, 11, 2))
    Expense.objects.delete_expense(deleted, actor=olivia)
    tokyo = GroupFactory(name="Tokyo", currency="JPY", created_by=kenji)
    o_tokyo = MemberFactory(group=tokyo, user=olivia)
    k_tokyo = MemberFactory(group=tokyo, user=kenji, role=Role.OWNER)
    add_expense(tokyo, kenji, paid={k_tokyo: 6000}, among=[o_tokyo, k_tokyo], date=day(2026, 9, 9))
    return olivia, max_, group, tokyo


def stats_page(client, group, status=200, **query):
    response = client.get(reverse("pages:stats", args=[group.pk]), query)
    assert response.status_code == status
    return response


def test_group_figures_per_month_category_and_person(client, trip):
    olivia, _, group, _ = trip
    client.force_login(olivia)

    stats = stats_page(client, group).context["stats"]

    assert stats.months == [(OCTOBER, 13000, 2), (NOVEMBER, 1000, 1)]
    assert stats.categories == [("Rent", 10000, 1), ("Food and drink", 4000, 2)]
    assert stats.total == 14000
    assert stats.count == 3
    paid = {p.member.display_name: p.paid for p in stats.people}
    assert paid == {"Olivia": 3000, "Max": 10000, "Alice": 1000}
    share = {p.member.display_name: p.share for p in stats.people}
    # Both had half the food and a third of the rent; the split's rounding decides a cent.
    assert share["Olivia"] in (4833, 4834)
    assert share["Max"] in (4833, 4834)
    assert sum(share.values()) == 14000


def test_group_page_shows_total_charts_and_tables(client, trip):
    olivia, _, group, _ = trip
    client.force_login(olivia)

    page = stats_page(client, group).text

    assert text_of(section(page, "total-heading")) == "Group total: 140.00 EUR"
    assert "Spending per month" in page
    assert '<svg class="chart column-chart" role="img"' in page
    months = text_of(section(page, "per-month"))
    assert "Oct 2026 2 130.00" in months
    assert "Nov 2026 1 10.00" in months
    assert "Rent 1 100.00" in text_of(section(page, "per-category"))
    assert "Max paid 100.00 EUR" in text_of(section(page, "per-person"))


def test_a_period_narrows_every_figure(client, trip):
    olivia, _, group, _ = trip
    client.force_login(olivia)

    stats = stats_page(client, group, date_from="2026-10-10", date_to="2026-10-31").context["stats"]

    assert stats.months == [(OCTOBER, 10000, 1)]
    assert stats.categories == [("Rent", 10000, 1)]
    assert {p.member.display_name: p.paid for p in stats.people} == {
        "Olivia": 0,
        "Max": 10000,
        "Alice": 0,
    }
    assert sum(p.share for p in stats.people) == 10000


def test_an_open_ended_period(client, trip):
    olivia, _, group, _ = trip
    client.force_login(olivia)

    stats = stats_page(client, group, date_from="2026-11-01", date_to="").context["stats"]

    assert stats.months == [(NOVEMBER, 1000, 1)]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"date_from": "2026-11-01", "date_to": "2026-10-01"},
            "The start date is after the end date.",
        ),
        ({"date_from": "2026-13-01"}, "Enter a valid date."),
    ],
)
def test_a_bad_period_says_what_to_fix_and_shows_no_figures(client, trip, query, message):
    olivia, _, group, _ = trip
    client.force_login(olivia)

    response = stats_page(client, group, status=400, **query)

    assert message in response.text
    assert "stats" not in response.context
    assert "Group total" not in response.text


def test_an_empty_period_says_so(client, trip):
    olivia, _, group, _ = trip
    client.force_login(olivia)

    page = stats_page(client, group, date_from="2020-01-01", date_to="2020-12-31").text

    assert "No expenses in this period." in page
    assert text_of(section(page, "total-heading")) == "Group total: 0.00 EUR"


def test_outsiders_get_404_and_visitors_sign_in(client, trip):
    _, _, group, tokyo = trip
    url = reverse("pages:stats", args=[group.pk])

    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(tokyo.members.get(role=Role.OWNER).user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("pages:stats", args=[999999])).status_code == 404


def test_stats_refuse_posts(client, trip):
    olivia, _, group, _ = trip
    client.force_login(olivia)

    assert client.post(reverse("pages:stats", args=[group.pk])).status_code == 405
    assert client.post(reverse("pages:my_spending")).status_code == 405


def test_the_group_page_links_to_statistics(client, trip):
    olivia, _, group, _ = trip
    client.force_login(olivia)

    page = client.get(reverse("pages:group", args=[group.pk])).text

    assert f'href="{reverse("pages:stats", args=[group.pk])}"' in page


@pytest.mark.parametrize("period", [{}, {"date_from": "2025-02-10", "date_to": "2025-11-20"}])
@pytest.mark.parametrize("expenses", [1, 30])
def test_stats_query_count_does_not_grow(client, django_assert_num_queries, expenses, period):
    owner = UserFactory()
    group = GroupFactory(created_by=owner)
    members = [MemberFactory(group=group, user=owner, role=Role.OWNER)]
    members += [GuestFactory(group=group) for _ in range(expenses)]
    for n, member in enumerate(members[:expenses]):
        add_expense(
            group,
            owner,
            paid={member: 1000 + n},
            among=members,
            date=datetime.date(2025, 1 + n % 12, 1 + n % 28),
            category=["food", "rent", "fuel"][n % 3],
        )
    client.force_login(owner)

    # session, user, membership with group, totals per month or day and category, paid and
    # shares per member, members with users
    with django_assert_num_queries(6):
        stats = stats_page(client, group, **period).context["stats"]

    dates = [datetime.date(2025, 1 + n % 12, 1 + n % 28) for n in range(expenses)]
    first, last = (
        datetime.date.fromisoformat(period.get(end, default))
        for end, default in (("date_from", "2025-01-01"), ("date_to", "2025-12-31"))
    )
    assert stats.count == sum(first <= day <= last for day in dates)


def test_my_spending_is_my_shares_per_currency(client, trip):
    olivia, *_ = trip
    client.force_login(olivia)

    response = client.get(reverse("pages:my_spending"))

    assert response.status_code == 200
    eur, jpy = (spent for spent, *_ in response.context["currencies"])
    assert (eur.currency, jpy.currency) == ("EUR", "JPY")
    # Half of 30.00 and a third of 100.00 (the rounding decides the cent).
    assert eur.total in (4833, 4834)
    assert eur.months == [(OCTOBER, eur.total)]
    assert [label for label, _ in eur.categories] == ["Rent", "Food and drink"]
    assert eur.categories[1] == ("Food and drink", 1500)
    assert eur.paid == 3000
    assert (jpy.total, jpy.paid) == (3000, 0)
    assert jpy.months == [(datetime.date(2026, 9, 1), 3000)]
    assert f"In JPY: you spent {jpy.total:,} JPY" in text_of(response.text)


def test_my_spending_in_a_period(client, trip):
    olivia, *_ = trip
    client.force_login(olivia)

    response = client.get(reverse("pages:my_spending"), {"date_to": "2026-09-30"})

    assert [spent.currency for spent, *_ in response.context["currencies"]] == ["JPY"]


def test_my_spending_bad_period(client, trip):
    olivia, *_ = trip
    client.force_login(olivia)

    response = client.get(
        reverse("pages:my_spending"), {"date_from": "2026-11-01", "date_to": "2026-10-01"}
    )

    assert response.status_code == 400
    assert "The start date is after the end date." in response.text
    assert "currencies" not in response.context


def test_my_spending_is_for_signed_in_people(client):
    assert client.get(reverse("pages:my_spending")).status_code == 302


def test_home_links_to_my_spending(client, trip):
    olivia, *_ = trip
    client.force_login(olivia)

    page = client.get(reverse("home")).text

    assert f'href="{reverse("pages:my_spending")}"' in page


@pytest.mark.parametrize("period", [{}, {"date_from": "2025-02-10", "date_to": "2025-11-20"}])
@pytest.mark.parametrize("groups", [1, 6])
def test_my_spending_query_count_does_not_grow(client, django_assert_num_queries, groups, period):
    user = UserFactory()
    for n in range(groups):
        group = GroupFactory(currency=["EUR", "JPY", "USD"][n % 3])
        me = MemberFactory(group=group, user=user)
        other = GuestFactory(group=group)
        add_expense(
            group,
            user,
            paid={me: 1000},
            among=[me, other],
            category="fuel",
            date=datetime.date(2025, 2 + n, 10 + n),
        )
    client.force_login(user)

    # session, user, paid and shares per currency, month or day and category
    with django_assert_num_queries(3):
        response = client.get(reverse("pages:my_spending"), period)

    assert len(response.context["currencies"]) == min(groups, 3)


def test_the_charts_write_amounts_the_way_the_page_s_language_does(client, trip):
    olivia, _, group, _ = trip
    client.force_login(olivia)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    page = stats_page(client, group).context

    assert [column.text for column in page["months"].columns] == ["130,00\xa0€", "10,00\xa0€"]
    assert [row.figures for row in page["categories"]] == ["100,00\xa0€", "40,00\xa0€"]
    [max_row] = [row for row in page["people"] if row.label == "Max"]
    assert "100,00\xa0€" in max_row.figures
    assert "EUR" not in max_row.figures
