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
from psycopg.pq import Format

from groups.models import Activity, ConvertAt

# A row for each debt of each active membership, or one with the debt's columns empty. A
# membership whose group's plan summary is out of date (`PlanSummaryManager.stale`, the same
# test) says so: its debts are the old plan's. The other member's name is the user's for a
# registered person, the guest's own otherwise: one column rather than two in every row.
MEMBERSHIPS_WITH_DEBTS = """
SELECT m.id, m.group_id, g.name, g.currency, g.is_archived, m.balance, m.last_seen_activity_id,
    s.group_id IS NULL OR s.plan_version <> g.plan_version OR s.simplified <> g.simplify_debts
        OR g.convert_at = %s,
    d.to_user, d.other_id, o.user_id,
    CASE WHEN o.user_id IS NULL THEN o.name ELSE u.display_name END
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


class HomeMemberships(NamedTuple):
    """What the home page shows and counts of the user's active memberships (`Membership`)."""

    # The first of the groups not archived, by name (all of them without a count).
    active: list[Membership]
    active_count: int
    # The first of the archived groups, by name.
    archived: list[Membership]
    archived_count: int
    # {currency of the user's groups: what their plans pay the user in all there (negative:
    # what the user pays)}: in a group that converts at settlement, with the balances in other
    # currencies converted at today's rates, as its settle-up counts them.
    totals: dict[str, int]
    # The debts of the plans, as `settlements.debts.debts_with_people` reads them.
    debts: list[tuple]
    # Whether any group's plan summary is out of date, which makes its debts the old plan's.
    any_stale: bool


def memberships_with_debts(user, count=None):
    """`HomeMemberships` of `user`, with the first `count` groups of each kind (all without).

    Only the memberships shown are made objects: a person in hundreds of groups is shown
    twenty of them, and the others are only counted and added to the totals.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Its numbers in binary: read as text, each of hundreds of them was parsed.
            cursor.cursor.format = Format.BINARY
        cursor.execute(MEMBERSHIPS_WITH_DEBTS, [ConvertAt.SETTLEMENT.value, user.pk])
        rows = cursor.fetchall()
    active, archived, debts, totals = [], [], [], {}
    active_count = archived_count = 0
    any_stale = False
    last = None
    for (
        pk,
        group_id,
        name,
        currency,
        is_archived,
        balance,
        seen,
        stale,
        to_user,
        other_id,
        other_user,
        other_name,
    ) in rows:
        if pk != last:
            last = pk
            any_stale = any_stale or stale
            totals.setdefault(currency, 0)
            if is_archived:
                archived_count += 1
                shown = count is None or archived_count <= count
                listed = archived
            else:
                active_count += 1
                shown = count is None or active_count <= count
                listed = active
            if shown:
                listed.append(Membership(pk, group_id, name, currency, is_archived, balance, seen))
        if to_user is not None:
            totals[currency] += to_user
            debts.append((group_id, name, currency, other_id, other_user, other_name, to_user))
    return HomeMemberships(active, active_count, archived, archived_count, totals, debts, any_stale)


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
