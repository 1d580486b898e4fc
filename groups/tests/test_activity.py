"""How the group's history reads: each line names its actor once, says "just now" rather than
"0 minutes ago", and offers Restore only while there is something to restore."""

import datetime
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from expenses.models import Expense
from expenses.tests.factories import add_expense
from groups.models import Activity
from groups.templatetags.feed import feed_lines
from groups.tests.factories import InviteFactory
from groups.views import activity_page
from splitclone.templatetags.when import ago

pytestmark = pytest.mark.django_db


def feed_text(client, world):
    """The activity page as a person reads it: the lines' text, without markup or spacing."""
    page = client.get(reverse("groups:activity", args=[world.group.pk]))
    assert page.status_code == 200
    return page.content.decode(), " ".join(re.sub(r"<[^>]+>", " ", page.text).split())


def test_joining_through_a_link_names_the_newcomer_once(client, world):
    world.outsider.display_name = "Carol Chen"
    world.outsider.save()
    world.invite.redeem(world.outsider)
    client.force_login(world.owner)

    _, text = feed_text(client, world)

    assert "Carol Chen joined through an invite link" in text
    assert "Carol Chen Carol Chen" not in text


def test_claiming_a_guest_names_the_newcomer_once(client, world):
    world.outsider.display_name = "Carol Chen"
    world.outsider.save()
    world.invite.redeem(world.outsider, claim_guest_id=world.guest.pk)
    client.force_login(world.owner)

    _, text = feed_text(client, world)

    assert "Carol Chen joined and took over guest Alice" in text
    assert "Carol Chen Carol Chen" not in text


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_takes_the_repeated_name_out_of_earlier_lines():
    old = migrate([("groups", "0005_membership_rules")])
    User = old.get_model("accounts", "User")
    Group = old.get_model("groups", "Group")
    OldActivity = old.get_model("groups", "Activity")
    carol = User.objects.create(email="carol@example.com", display_name="Carol Chen")
    group = Group.objects.create(name="Trip", currency="EUR", created_by=carol)
    lines = {
        "invite_used": "Carol Chen joined through an invite link",
        "guest_claimed": "Carol Chen joined and took over guest Carol C.",
        "member_added": "added guest Carol Chen joined and took over guest Bob",
    }
    for verb, summary in lines.items():
        OldActivity.objects.create(group=group, actor=carol, verb=verb, summary=summary, data={})

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    summaries = dict(new.get_model("groups", "Activity").objects.values_list("verb", "summary"))
    assert summaries == {
        "invite_used": "joined through an invite link",
        "guest_claimed": "joined and took over guest Carol C.",
        "member_added": "added guest Carol Chen joined and took over guest Bob",
    }


def test_moments_under_a_minute_ago_are_just_now():
    moment = timezone.now()

    with time_machine.travel(moment + timedelta(seconds=59)):
        assert ago(moment) == "just now"
    with time_machine.travel(moment + timedelta(minutes=5, seconds=3)):
        assert ago(moment) == "5\xa0minutes ago"
    with time_machine.travel(moment + timedelta(minutes=1)):
        assert ago(moment) == "a minute ago"


def test_the_feed_says_just_now(client, world):
    Activity.record(world.group, world.owner, Activity.Verb.MEMBER_ADDED, "added guest Bob")
    client.force_login(world.owner)

    _, text = feed_text(client, world)

    assert "added guest Bob just now" in text
    assert "0 minutes" not in text


def test_the_feed_writes_each_moment_in_the_active_time_zone(world):
    Activity.record(world.group, world.owner, Activity.Verb.MEMBER_ADDED, "added Bob")
    entry = activity_page(world.group)[0][0]
    entry.created_at = datetime.datetime(2026, 1, 15, 23, 30, tzinfo=datetime.UTC)

    with timezone.override("Europe/Berlin"):
        berlin = feed_lines([entry], world.group, "")
    with timezone.override("America/New_York"):
        new_york = feed_lines([entry], world.group, "")

    assert 'datetime="2026-01-16T00:30:00+01:00"' in berlin
    assert 'datetime="2026-01-15T18:30:00-05:00"' in new_york


def test_the_feed_writes_names_and_lines_as_text_not_markup(client, world):
    world.owner.display_name = "<b>Ann</b> & Co"
    world.owner.save()
    Activity.record(world.group, world.owner, Activity.Verb.MEMBER_ADDED, "added <i>Bob</i>")
    client.force_login(world.owner)

    html, _ = feed_text(client, world)

    assert "&lt;b&gt;Ann&lt;/b&gt; &amp; Co added &lt;i&gt;Bob&lt;/i&gt;" in html
    assert "<b>Ann" not in html
    assert "<i>Bob" not in html


def test_the_restore_form_carries_the_csrf_token(client, world):
    Expense.objects.delete_expense(world.expense, actor=world.owner)
    client.force_login(world.owner)

    html, _ = feed_text(client, world)

    form = re.search(r'<form method="post" action="[^"]+/restore/".*?</form>', html, re.S)
    assert re.search(r'name="csrfmiddlewaretoken" value="\w+"', form.group())


def restore_buttons(client, world):
    html, _ = feed_text(client, world)
    return re.findall(r'action="(/groups/\d+/expenses/\d+/restore/)"', html)


def test_restore_is_offered_only_while_the_expense_is_deleted(client, world):
    client.force_login(world.owner)
    restore = reverse("expenses:restore", args=[world.group.pk, world.expense.pk])

    Expense.objects.delete_expense(world.expense, actor=world.owner)
    while_deleted = restore_buttons(client, world)
    Expense.objects.restore_expense(world.expense, actor=world.owner)
    after_restoring = restore_buttons(client, world)
    Expense.objects.delete_expense(world.expense, actor=world.owner)
    deleted_again = restore_buttons(client, world)

    assert while_deleted == [restore]
    assert after_restoring == []
    # Two lines say it was deleted; only the newest offers to restore it.
    assert deleted_again == [restore]


def test_restore_follows_each_expense_apart(client, world):
    taxi = add_expense(
        world.group,
        world.owner,
        paid={world.owner_membership: 500},
        among=[world.owner_membership],
        description="Taxi",
    )
    Expense.objects.delete_expense(world.expense, actor=world.owner)
    Expense.objects.delete_expense(taxi, actor=world.owner)
    Expense.objects.restore_expense(taxi, actor=world.owner)
    client.force_login(world.owner)

    assert restore_buttons(client, world) == [
        reverse("expenses:restore", args=[world.group.pk, world.expense.pk])
    ]


@pytest.mark.parametrize(
    ("max_uses", "uses", "wording"),
    [
        (3, 1, "Used 1 of 3 times."),
        (1, 0, "Used 0 of 1 time."),
        (None, 1, "Used 1 time."),
        (None, 2, "Used 2 times."),
    ],
)
def test_invite_use_counts_read_as_english(client, world, max_uses, uses, wording):
    InviteFactory(group=world.group, max_uses=max_uses, uses=uses)
    world.invite.revoked_at = timezone.now()
    world.invite.save()
    client.force_login(world.owner)

    page = client.get(reverse("groups:invites", args=[world.group.pk]))

    assert page.status_code == 200
    assert wording in " ".join(page.text.split())
