"""The home page: totals in words, what each person owes across groups, groups, recent activity."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Activity, Member, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from pages.tests.reading import items, people, position, section, text_of
from pages.views import HOME_ACTIVITY, HOME_LINES
from splitclone.phrases import gettext_noop

pytestmark = pytest.mark.django_db


def home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


@pytest.fixture
def groups_of_ursula():
    """Ursula shares Rome and Paris (EUR) with Bob, Lisbon (EUR) with Dan, a guest, and Tokyo
    (JPY) with Kenji; she is settled in an archived group.

    Rome: Bob owes Ursula 20.00. Paris: she owes Bob 5.00. Lisbon: Dan owes her 10.00.
    Tokyo: she owes Kenji 3000 JPY.
    """
    ursula, bob, kenji = (UserFactory(display_name=name) for name in ("Ursula", "Bob", "Kenji"))
    rome = GroupFactory(name="Rome", created_by=ursula)
    u_rome = MemberFactory(group=rome, user=ursula, role=Role.OWNER)
    b_rome = MemberFactory(group=rome, user=bob)
    add_expense(rome, ursula, paid={u_rome: 2000}, among=[u_rome, b_rome])
    add_expense(rome, ursula, paid={u_rome: 1000}, among=[b_rome])
    paris = GroupFactory(name="Paris", created_by=bob)
    u_paris = MemberFactory(group=paris, user=ursula)
    b_paris = MemberFactory(group=paris, user=bob, role=Role.OWNER)
    add_expense(paris, bob, paid={b_paris: 1000}, among=[u_paris, b_paris])
    lisbon = GroupFactory(name="Lisbon", created_by=ursula)
    u_lisbon = MemberFactory(group=lisbon, user=ursula, role=Role.OWNER)
    dan = GuestFactory(group=lisbon, name="Dan")
    add_expense(lisbon, ursula, paid={u_lisbon: 1000}, among=[dan])
    tokyo = GroupFactory(name="Tokyo", currency="JPY", created_by=kenji)
    u_tokyo = MemberFactory(group=tokyo, user=ursula)
    k_tokyo = MemberFactory(group=tokyo, user=kenji, role=Role.OWNER)
    add_expense(tokyo, kenji, paid={k_tokyo: 6000}, among=[u_tokyo, k_tokyo])
    MemberFactory(user=ursula, group=GroupFactory(name="Old", is_archived=True))
    return ursula, rome, paris, lisbon, tokyo


def test_totals_per_currency_in_words(client, groups_of_ursula):
    ursula, *_ = groups_of_ursula
    client.force_login(ursula)

    response = home(client)

    assert response.context["totals"] == [("EUR", 2500), ("JPY", -3000)]
    assert items(section(response.text, "totals"), "position-total") == [
        "You get back 25.00 EUR",
        "You owe 3,000 JPY",
    ]
    assert [line.name for line in response.context["active"]] == [
        "Lisbon",
        "Paris",
        "Rome",
        "Tokyo",
    ]
    assert [line.name for line in response.context["archived"]] == ["Old"]


def test_each_person_once_per_currency_with_what_they_pay_in_each_group(client, groups_of_ursula):
    ursula, *_ = groups_of_ursula
    client.force_login(ursula)

    page = home(client).text

    lines = [text_of(line) for line in page.split('<li class="person">')[1:]]
    assert [line[: line.index(" →")] for line in lines] == [
        "Bob owes you 15.00 EUR Paris: you pay Bob 5.00 EUR Rome: Bob pays you 20.00 EUR "
        "Settle up with Bob across these groups",
        "Dan guest owes you 10.00 EUR Lisbon: Dan pays you 10.00 EUR Settle up with Dan",
        "You owe Kenji 3,000 JPY Tokyo: you pay Kenji 3,000 JPY Settle up with Kenji",
    ]


def test_what_people_owe_adds_up_to_the_total(client, groups_of_ursula):
    ursula, *_ = groups_of_ursula
    client.force_login(ursula)

    response = home(client)

    by_currency = {}
    for person, _ in response.context["people"]:
        by_currency[person.currency] = by_currency.get(person.currency, 0) + person.net
    assert by_currency == dict(response.context["totals"])


def test_settling_with_a_person_goes_across_their_groups_or_into_the_one(client, groups_of_ursula):
    ursula, rome, paris, lisbon, tokyo = groups_of_ursula
    client.force_login(ursula)

    links = [url for _, url in home(client).context["people"]]

    across = urlsplit(links[0])
    assert across.path == reverse("settlements:across")
    assert parse_qs(across.query) == {"groups": [str(pk) for pk in sorted([paris.pk, rome.pk])]}
    assert links[1:] == [
        reverse("settlements:settle_up", args=[lisbon.pk]),
        reverse("settlements:settle_up", args=[tokyo.pk]),
    ]
    # The cross-group page opens on the plan for exactly those groups.
    response = client.get(links[0])
    assert response.status_code == 200
    assert {state.group for state in response.context["plan"].states} == {paris, rome}


def test_a_person_even_across_groups_is_listed_so(client):
    ursula, bob = UserFactory(display_name="Ursula"), UserFactory(display_name="Bob")
    for payer, debtor in ((ursula, bob), (bob, ursula)):
        group = GroupFactory(created_by=payer)
        paying = MemberFactory(group=group, user=payer, role=Role.OWNER)
        owing = MemberFactory(group=group, user=debtor)
        add_expense(group, payer, paid={paying: 1000}, among=[owing])
    client.force_login(ursula)

    response = home(client)

    assert people(response.text) == {"Bob": 0}
    assert items(section(response.text, "totals"), "position-total") == [
        "You are settled up in EUR"
    ]


def test_recent_activity_of_the_users_groups_newest_first(client, groups_of_ursula):
    ursula, rome, paris, *_ = groups_of_ursula
    for number in range(HOME_ACTIVITY + 2):
        Activity.record(
            rome if number % 2 else paris, ursula, Activity.Verb.GROUP_UPDATED, f"did {number}"
        )
    Activity.record(GroupFactory(name="Secret"), None, Activity.Verb.GROUP_UPDATED, "did elsewhere")
    client.force_login(ursula)

    response = home(client)

    entries = [
        text_of(entry) for entry in items(section(response.text, "recent-activity"), "feed-entry")
    ]
    assert len(entries) == HOME_ACTIVITY
    assert [entry.split(" in ")[0] for entry in entries] == [
        f"Ursula did {number}" for number in range(HOME_ACTIVITY + 1, 1, -1)
    ]
    assert entries[0] == "Ursula did 11 in Rome just now"
    assert "Secret" not in response.text


def test_each_line_of_the_feed_says_when_in_its_zone_who_and_in_its_own_language(
    client, groups_of_ursula
):
    ursula, rome, *_ = groups_of_ursula
    when = datetime.datetime(2027, 1, 2, 9, 30, 15, 123456, tzinfo=datetime.UTC)
    with time_machine.travel(when, tick=False):
        Activity.record(
            rome, None, Activity.Verb.GROUP_UPDATED, gettext_noop("changed the group settings")
        )
    ursula.language = "de"
    ursula.save()

    with time_machine.travel(when + datetime.timedelta(days=3)):
        client.force_login(ursula)
        feed = section(home(client).text, "recent-activity")

    [entry] = re.findall(r'<li class="feed-entry">(.*?)</li>', feed, re.DOTALL)[:1]
    assert '<time class="muted" datetime="2027-01-02T09:30:15.123456+00:00">' in entry
    assert text_of(entry) == "Jemand hat die Gruppeneinstellungen geändert in Rome 3 Tage her"


def make_groups(user, count):
    """`count` groups, and one more that does not simplify debts, in each of which the user
    paid 30.00 for three."""
    for number in range(count + 1):
        group = GroupFactory(simplify_debts=number < count)
        payer = MemberFactory(group=group, user=user)
        registered = MemberFactory(group=group)
        guest = GuestFactory(group=group)
        add_expense(group, user, paid={payer: 3000}, among=[payer, registered, guest])


@pytest.mark.parametrize("size", [1, 50])
def test_home_query_count_does_not_grow_with_groups(client, django_assert_num_queries, size):
    user = UserFactory()
    make_groups(user, size)
    client.force_login(user)

    # The first time, the plans are summarised: session, user, memberships with their plans'
    # debts and whether their group's summary is out of date, the groups whose summary is; a
    # savepoint, the balances of their members (numbers only), stored plans, pairwise balances
    # of the group that does not simplify, the write keeping the plans worked out and the
    # summaries it replaces, the accounts of the members the plans name, the old debts deleted,
    # the new ones written, the summaries written, the savepoint released; then the memberships
    # with the new debts, recent activity with actors and groups. No group was opened yet, so
    # nothing in them is new to count.
    with django_assert_num_queries(17):
        client.get(reverse("home"))
    # Then only what is shown: session, user, memberships with debts (all summaries current),
    # recent activity; no balance or plan is read.
    with django_assert_num_queries(4):
        response = client.get(reverse("home"))
    assert response.context["active_count"] == size + 1
    assert len(response.context["active"]) == min(size + 1, HOME_LINES)
    assert response.context["people_count"] == 2 * (size + 1)
    assert len(response.context["people"]) == min(2 * (size + 1), HOME_LINES)
    with django_assert_num_queries(4):
        everything = client.get(reverse("home") + "?all")
    assert len(everything.context["active"]) == size + 1
    assert len(everything.context["people"]) == 2 * (size + 1)
    assert ("Show all" in response.text) == (size > 10)
    [total] = items(section(response.text, "totals"), "position-total")
    assert position(total) == 2000 * (size + 1)
    # Once the user opened their groups, one more: what is new in those shown.
    Member.objects.filter(user=user).update(last_seen_activity_id=0)
    with django_assert_num_queries(5):
        client.get(reverse("home"))
    with django_assert_num_queries(5):
        client.get(reverse("home") + "?all")


def test_without_simplifying_a_settled_member_can_still_pass_debts_on(client):
    """Ben's balance is zero, yet pairwise Ben owes Ursula and Cem owes Ben."""
    ursula, ben = UserFactory(display_name="Ursula"), UserFactory(display_name="Ben")
    group = GroupFactory(created_by=ursula, simplify_debts=False)
    u_member = MemberFactory(group=group, user=ursula, role=Role.OWNER)
    ben_member = MemberFactory(group=group, user=ben)
    cem = GuestFactory(group=group, name="Cem")
    add_expense(group, ursula, paid={u_member: 1000}, among=[ben_member])
    add_expense(group, ursula, paid={ben_member: 1000}, among=[cem])
    client.force_login(ben)

    assert people(home(client).text) == {"Ursula": -1000, "Cem": 1000}
    client.force_login(ursula)
    assert people(home(client).text) == {"Ben": 1000}


def test_names_are_written_as_text_in_every_line(client):
    ursula = UserFactory(display_name="Ursula")
    bob = UserFactory(display_name="<b>Bob</b>")
    group = GroupFactory(name="<i>Rome</i> & co", created_by=ursula)
    paying = MemberFactory(group=group, user=ursula, role=Role.OWNER)
    owing = MemberFactory(group=group, user=bob)
    add_expense(group, ursula, paid={paying: 1000}, among=[owing])
    client.force_login(ursula)

    page = home(client).text

    assert "<b>Bob" not in page
    assert "<i>Rome" not in page
    people_section = section(page, "people")
    assert "<strong>&lt;b&gt;Bob&lt;/b&gt;</strong> owes you" in people_section
    assert "<li>&lt;i&gt;Rome&lt;/i&gt; &amp; co: &lt;b&gt;Bob&lt;/b&gt; pays you" in people_section
    assert "Settle up with &lt;b&gt;Bob&lt;/b&gt; →" in people_section
    group_page = reverse("pages:group", args=[group.pk])
    assert f'<a href="{group_page}">&lt;i&gt;Rome&lt;/i&gt; &amp; co</a>' in page


@pytest.mark.parametrize(
    ("language", "groups", "archived"),
    [
        ("en", "Show all 21 groups", "Show all 22 archived groups"),
        ("de", "Alle 21 Gruppen anzeigen", "Alle 22 archivierten Gruppen anzeigen"),
    ],
)
def test_a_link_says_how_many_groups_there_are_beyond_those_shown(
    client, language, groups, archived
):
    user = UserFactory(language=language)
    active = GroupFactory.create_batch(HOME_LINES + 1)
    old = GroupFactory.create_batch(HOME_LINES + 2, is_archived=True)
    Member.objects.bulk_create(Member(group=group, user=user) for group in active + old)
    client.force_login(user)

    response = home(client)

    assert f'<a href="?all#groups-heading">{groups}</a>' in response.text
    assert f'<a href="?all#groups-heading">{archived}</a>' in response.text
