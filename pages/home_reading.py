"""What the home page reads: the user's memberships with their plans' debts, and the latest
lines of their groups' history.

Each is one statement of fixed text, written here rather than built through the ORM: the ORM
compiled each to SQL again on every view (half a millisecond of CPU a query), and a fixed text
is the one statement PostgreSQL prepares and plans once per connection.
"""

import datetime
import json
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from groups.models import Activity, ConvertAt

# A row for each debt of each active membership, or one with the debt's columns empty. A
# membership whose group's plan summary is out of date (`PlanSummaryManager.stale`, the same
# test) says so: its debts are the old plan's.
MEMBERSHIPS_WITH_DEBTS = """
SELECT m.id, m.group_id, g.name, g.currency, g.is_archived, m.balance, m.last_seen_activity_id,
    s.group_id IS NULL OR s.plan_version <> g.plan_version OR s.simplified <> g.simplify_debts
        OR g.convert_at = %s,
    d.other_id, o.user_id, u.display_name, o.name, d.to_user
FROM groups_member m
JOIN groups_group g ON g.id = m.group_id
LEFT JOIN settlements_plansummary s ON s.group_id = m.group_id
LEFT JOIN settlements_plandebt d ON d.member_id = m.id
LEFT JOIN groups_member o ON o.id = d.other_id
LEFT JOIN accounts_user u ON u.id = o.user_id
WHERE m.user_id = %s AND m.is_active
ORDER BY g.is_archived, g.name, m.group_id
"""

LATEST_ACTIVITY = """
SELECT a.group_id, g.name, a.actor_id, u.display_name, a.summary, a.data, a.created_at
FROM groups_activity a
JOIN groups_group g ON g.id = a.group_id
LEFT JOIN accounts_user u ON u.id = a.actor_id
WHERE a.group_id IN (SELECT group_id FROM groups_member WHERE user_id = %s AND is_active)
ORDER BY a.id DESC
LIMIT %s
"""


class Membership(NamedTuple):
    """One of the user's active memberships as the home page lists and counts it."""

    pk: int
    group_id: int
    name: str
    currency: str
    is_archived: bool
    # The user's, in the group's currency.
    balance: int
    # `Member.last_seen_activity_id`: None until the user first opens the group.
    last_seen_activity_id: int | None


def memberships_with_debts(user):
    """([Membership] of `user`'s active ones, archived groups last, then by name; the debts of
    their plans as `settlements.debts.debts_with_people` reads them; whether any group's plan
    summary is out of date, which makes those debts the old plans')."""
    with connection.cursor() as cursor:
        cursor.execute(MEMBERSHIPS_WITH_DEBTS, [ConvertAt.SETTLEMENT.value, user.pk])
        rows = cursor.fetchall()
    memberships, debts, any_stale = [], [], False
    for pk, group_id, name, currency, archived, balance, seen, stale, *debt in rows:
        if not memberships or memberships[-1].pk != pk:
            memberships.append(Membership(pk, group_id, name, currency, archived, balance, seen))
            any_stale = any_stale or stale
        if debt[0] is not None:
            debts.append((group_id, name, currency, pk, *debt))
    return memberships, debts, any_stale


class FeedEntry(NamedTuple):
    """A line of a group's history (`Activity`) as the home page's feed shows it."""

    group_id: int
    group_name: str
    actor_id: int | None
    actor_name: str | None
    text: str
    created_at: datetime.datetime


def latest_activity(user, count):
    """[FeedEntry] of the newest `count` lines of the history of `user`'s groups, newest first."""
    with connection.cursor() as cursor:
        cursor.execute(LATEST_ACTIVITY, [user.pk, count])
        rows = cursor.fetchall()
    entries = []
    for group_id, group_name, actor_id, actor_name, summary, data, created_at in rows:
        if timezone.is_naive(created_at):
            # SQLite keeps the time without its zone: UTC, the zone Django writes it in.
            created_at = timezone.make_aware(created_at, datetime.UTC)
        text = Activity.text_of(summary, json.loads(data))
        entries.append(FeedEntry(group_id, group_name, actor_id, actor_name, text, created_at))
    return entries
