"""Since your last visit: the home page counts what others did in each group since the person
last opened it, and the group page marks those entries, expenses and payments "new"."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Activity, Member
from groups.tests.factories import GroupFactory, MemberFactory
from pages.tests.reading import items, section, text_of
from settlements.tests.factories import record_payment

pytestmark = pytest.mark.django_db


def open_group(client, group):
    response = client.get(reverse("pages:group", args=[group.pk]))
    assert response.status_code == 200
    return response.text


def new_badges(fragment):
    return fragment.count('class="badge badge-new"')


def new_rows(page):
    """The expense and payment rows of the group page marked new."""
    rows = items(page.split('<ul class="expense-list">')[1], "expense-row")
    return [row for row in rows if "new" in row.split()]


def last_seen(membership):
    membership.refresh_from_db()
    return membership.last_seen_activity_id


def test_the_first_visit_marks_nothing_and_is_remembered(client, world):
    client.force_login(world.member)

    page = open_group(client, world.group)

    assert new_badges(page) == 0
    assert last_seen(world.member_membership) == world.group.activities.latest("id").pk


def test_the_copy_kept_for_offline_reading_does_not_count_as_a_visit(client, world):
    client.force_login(world.member)
    open_group(client, world.group)
    seen = last_seen(world.member_membership)
    add_expense(
        world.group,
        world.owner,
        paid={world.owner_membership: 1200},
        among=[world.member_membership],
        description="Taxi",
    )

    kept = client.get(reverse("pages:group", args=[world.group.pk]), headers={"X-Kept-Copy": "1"})

    assert kept.status_code == 200
    assert last_seen(world.member_membership) == seen
    assert len(new_rows(open_group(client, world.group))) == 1
    assert last_seen(world.member_membership) > seen


def test_what_others_did_since_the_last_visit_is_marked_new(client, world):
    client.force_login(world.member)
    open_group(client, world.group)
    add_expense(
        world.group,
        world.owner,
        paid={world.owner_membership: 1200},
        among=[world.member_membership],
        description="Taxi",
    )
    record_payment(world.member_membership, world.owner_membership, 500, actor=world.member)

    page = open_group(client, world.group)

    feed = items(section(page, "feed"), "feed-entry")
    assert [entry.startswith("new ") for entry in feed[:3]] == [False, True, False]
    assert "Olivia Owner added" in feed[1]
    assert "1 new since your last visit" in text_of(section(page, "activity-heading"))
    assert new_rows(page) == [
        "1 Nov 2026 new Taxi Olivia Owner paid · Food and drink 12.00 EUR you owe 12.00 EUR"
    ]
    # Seen now: the next visit has nothing new.
    assert new_badges(open_group(client, world.group)) == 0


def test_a_payment_someone_else_recorded_is_marked_new(client, world):
    client.force_login(world.owner)
    open_group(client, world.group)
    record_payment(world.member_membership, world.owner_membership, 500, actor=world.member)

    page = open_group(client, world.group)

    assert new_rows(page) == [
        "2 Nov 2026 new Payment Max Member paid Olivia Owner 5.00 EUR you received"
    ]


def home_badges(client):
    response = client.get(reverse("home"))
    return {line.name: line.unseen_activity for line in response.context["active"]}, response.text


def test_home_counts_what_others_did_in_each_group_since_the_last_visit(client, world):
    client.force_login(world.member)
    assert home_badges(client)[0] == {"Lisbon trip": 0}  # never opened: nothing is news
    open_group(client, world.group)
    add_expense(world.group, world.owner, paid={world.owner_membership: 100}, among=[world.guest])
    add_expense(world.group, world.owner, paid={world.owner_membership: 200}, among=[world.guest])
    # The member's own doings are no news to them.
    record_payment(world.member_membership, world.owner_membership, 500, actor=world.member)

    counts, page = home_badges(client)

    assert counts == {"Lisbon trip": 2}
    assert "Lisbon trip 2 new" in text_of(page)
    open_group(client, world.group)
    assert home_badges(client)[0] == {"Lisbon trip": 0}


def test_news_is_counted_in_the_groups_opened_beside_those_never_opened(client, world):
    never_opened = GroupFactory(name="Alps")
    owner = MemberFactory(group=never_opened, user=world.owner)
    MemberFactory(group=never_opened, user=world.member)
    add_expense(never_opened, world.owner, paid={owner: 100}, among=[owner])
    client.force_login(world.member)
    open_group(client, world.group)
    add_expense(world.group, world.owner, paid={world.owner_membership: 100}, among=[world.guest])

    assert home_badges(client)[0] == {"Alps": 0, "Lisbon trip": 1}


def test_the_count_is_per_member(client, world):
    """Another member's visit leaves this member's news unread."""
    client.force_login(world.member)
    open_group(client, world.group)
    add_expense(world.group, world.owner, paid={world.owner_membership: 100}, among=[world.guest])
    client.force_login(world.owner)
    open_group(client, world.group)

    client.force_login(world.member)
    assert home_badges(client)[0] == {"Lisbon trip": 1}


def test_older_feed_pages_record_no_visit(client, world):
    client.force_login(world.member)

    response = client.get(reverse("groups:activity", args=[world.group.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert last_seen(world.member_membership) is None


def test_a_visit_only_moves_forward(world):
    newest = world.group.activities.latest("id").pk
    membership = Member.objects.get(pk=world.member_membership.pk)
    membership.record_visit(newest)
    stale = Member.objects.get(pk=world.member_membership.pk)
    stale.last_seen_activity_id = None  # loaded before that visit was recorded

    stale.record_visit(newest - 1)

    assert last_seen(membership) == newest


def test_someone_else_s_activity_is_new_also_when_nobody_acted(world):
    """Lines Splitclone writes itself (repeating expenses) have no actor: news to everyone."""
    membership = world.member_membership
    membership.last_seen_activity_id = 0
    line = world.group.activities.latest("id")
    line.actor = None

    assert membership.is_new_to(line)
    line.actor = world.member
    assert not membership.is_new_to(line)
    line.actor = UserFactory()
    assert membership.is_new_to(line)


def test_the_news_of_any_number_of_groups_is_counted_by_one_statement_of_the_same_text(world):
    """On PostgreSQL the shown groups go as one array: the statement is prepared once whatever
    their number. Elsewhere its placeholders are written out for each."""
    other = GroupFactory(name="Alps")
    owner = MemberFactory(group=other, user=world.owner)
    elsewhere = MemberFactory(group=other, user=world.member, last_seen_activity_id=0)
    add_expense(other, world.owner, paid={owner: 100}, among=[owner])
    membership = world.member_membership
    membership.last_seen_activity_id = 0
    membership.save(update_fields=["last_seen_activity_id"])
    add_expense(world.group, world.owner, paid={world.owner_membership: 100}, among=[world.guest])
    news = Activity.objects.filter(group=world.group).exclude(actor=world.member).count()
    both = [membership.pk, elsewhere.pk]

    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        alone = Member.objects.unseen_activity([membership.pk])
        together = Member.objects.unseen_activity(both)

    assert alone == {membership.pk: news}
    assert together == {membership.pk: news, elsewhere.pk: 1}
    first, second = statements
    assert (first == second) is (connection.vendor == "postgresql")
