"""From the group history to emails: who is told about each followed line, the daily digests
and the weekly reminders. Each creates `Email` rows, unique where they must be sent once, and
returns their ids for the `send_email` task, enqueued once these rows are committed.

The group history is the outbox: every change that concerns someone writes its history line in
the same transaction (`groups.models.FOLLOWED_VERBS`), so nothing is told that was not
committed, and nothing committed is missed, however the dispatcher is reached (after the commit,
or by the worker's schedule after a pause).
"""

import datetime
from collections import defaultdict

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from expenses.models import ExpensePayer, ExpenseShare
from groups.models import FOLLOWED_VERBS, Activity, Member
from notifications.models import (
    DispatchCursor,
    DispatchedActivity,
    Email,
    Frequency,
    Notification,
    Preferences,
    iso_week_start,
)
from settlements.models import Payment
from splitclone.money import get_currency

# Lines are read in batches of this many, each batch in one transaction.
BATCH_SIZE = 500
# Longer than any transaction that records a history line: an id is taken when the line is
# written, and a transaction that started earlier may commit after a later one. The cursor only
# passes lines older than this, so a late commit is still read; newer lines are marked one by one.
SETTLE = datetime.timedelta(minutes=10)

# How far back a digest looks for notifications not emailed yet: a week of missed runs.
DIGEST_LOOKBACK = datetime.timedelta(days=7)

EXPENSE_VERBS = {
    Activity.Verb.EXPENSE_ADDED,
    Activity.Verb.EXPENSE_EDITED,
    Activity.Verb.EXPENSE_DELETED,
}


def dispatch_new_activity(now=None):
    """Reads the followed history lines not dispatched yet, makes the notifications of the
    people involved and the emails of those who want them at once. Returns the new emails' ids.

    Dispatchers take turns on the cursor's lock, and a person is told about a line at most once
    (a unique notification per line and person), however many run.
    """
    now = now or timezone.now()
    email_ids = []
    while True:
        with transaction.atomic():
            cursor, _ = DispatchCursor.objects.select_for_update().get_or_create(pk=1)
            batch = list(
                Activity.objects.filter(pk__gt=cursor.position, verb__in=FOLLOWED_VERBS)
                .exclude(Exists(DispatchedActivity.objects.filter(activity=OuterRef("pk"))))
                .order_by("pk")[:BATCH_SIZE]
            )
            email_ids += _notify(batch, now)
            DispatchedActivity.objects.bulk_create(
                DispatchedActivity(activity=activity) for activity in batch
            )
            _advance(cursor, now, full=len(batch) == BATCH_SIZE, last=batch[-1].pk if batch else 0)
        if len(batch) < BATCH_SIZE:
            return email_ids


def _advance(cursor, now, *, full, last):
    settled = (
        Activity.objects.filter(pk__gt=cursor.position, created_at__lt=now - SETTLE).aggregate(
            last=Max("pk")
        )["last"]
        or cursor.position
    )
    # A full batch may have left later lines unread.
    position = min(settled, last) if full else settled
    if position > cursor.position:
        cursor.position = position
        cursor.save(update_fields=["position"])
        DispatchedActivity.objects.filter(activity_id__lte=position).delete()


def involved_members(activities):
    """{activity id: ids of the members the line concerns}: the payers and sharers of an expense
    (before and after an edit), the two people of a payment, the member added. Three queries
    at most, whatever the number of lines."""
    involved = defaultdict(set)
    expenses = defaultdict(list)
    payments = defaultdict(list)
    for activity in activities:
        if activity.verb in EXPENSE_VERBS and "member_ids" in activity.data:
            involved[activity.pk].update(activity.data["member_ids"])
        elif activity.verb in EXPENSE_VERBS:
            # A deletion: the expense's rows are kept, with the people in it.
            expenses[activity.data.get("expense_id")].append(activity.pk)
        elif activity.verb == Activity.Verb.PAYMENT_RECORDED:
            payments[activity.data.get("payment_id")].append(activity.pk)
        elif activity.verb == Activity.Verb.MEMBER_ADDED and "member_id" in activity.data:
            involved[activity.pk].add(activity.data["member_id"])
    if expenses:
        for model in (ExpensePayer, ExpenseShare):
            rows = model.objects.filter(expense_id__in=list(expenses))
            for expense_id, member_id in rows.values_list("expense_id", "member_id"):
                for activity_id in expenses[expense_id]:
                    involved[activity_id].add(member_id)
    if payments:
        rows = Payment.objects.filter(pk__in=list(payments))
        for payment_id, *people in rows.values_list("pk", "from_member_id", "to_member_id"):
            for activity_id in payments[payment_id]:
                involved[activity_id].update(people)
    return involved


def reachable_people(user_ids):
    """{user id: (verified primary address, preferences)} of the active people among `user_ids`
    who have a verified primary address: an unverified one may not be theirs."""
    addresses = dict(
        EmailAddress.objects.filter(
            user_id__in=user_ids, user__is_active=True, verified=True, primary=True
        ).values_list("user_id", "email")
    )
    preferences = {
        preference.user_id: preference
        for preference in Preferences.objects.filter(user_id__in=addresses).prefetch_related(
            "muted_groups"
        )
    }
    return {
        user_id: (address, preferences.get(user_id) or Preferences(user_id=user_id))
        for user_id, address in addresses.items()
    }


def muted_group_ids(preferences):
    # A default (unsaved) preferences object has no muted groups, and no row to ask.
    return {group.pk for group in preferences.muted_groups.all()} if preferences.pk else set()


def _notify(activities, now):
    """Notifications for `activities`, and the emails of people who want them at once; returns
    the ids of those emails. A constant number of queries, whatever the number of people."""
    if not activities:
        return []
    involved = involved_members(activities)
    members = {
        member.pk: member
        for member in Member.objects.filter(
            pk__in={pk for ids in involved.values() for pk in ids},
            is_active=True,
            user__isnull=False,
        )
    }
    people = reachable_people({member.user_id for member in members.values()})
    told = []
    for activity in activities:
        for member_id in sorted(involved[activity.pk]):
            member = members.get(member_id)
            if member is None or member.group_id != activity.group_id:
                continue  # a guest, someone deactivated, or not of this group
            if member.user_id == activity.actor_id or member.user_id not in people:
                continue
            _, preferences = people[member.user_id]
            if preferences.frequency == Frequency.OFF:
                continue
            if activity.group_id in muted_group_ids(preferences):
                continue
            told.append((activity, member.user_id, preferences.frequency))
    emails = Email.objects.bulk_create(
        Email(user_id=user_id, kind=Email.Kind.ACTIVITY, due_at=now)
        for _, user_id, frequency in told
        if frequency == Frequency.IMMEDIATELY
    )
    new_emails = iter(emails)
    Notification.objects.bulk_create(
        Notification(
            activity=activity,
            user_id=user_id,
            email=next(new_emails) if frequency == Frequency.IMMEDIATELY else None,
        )
        for activity, user_id, frequency in told
    )
    return [email.pk for email in emails]


def start_of_day(day):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def queue_digests(now=None):
    """Today's digest email of each person with notifications from before today not emailed
    yet; returns the new emails' ids. One digest per person and day, however often it runs.
    Someone who has since turned emails off gets none."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Older ones belong to someone who turned emails off or lost their verified address since.
    waiting = Notification.objects.filter(
        email__isnull=True,
        created_at__lt=start_of_day(today),
        created_at__gte=start_of_day(today) - DIGEST_LOOKBACK,
    )
    user_ids = set(waiting.values_list("user_id", flat=True).distinct())
    people = reachable_people(user_ids)
    email_ids = []
    for user_id, (_, preferences) in sorted(people.items()):
        if preferences.frequency == Frequency.OFF:
            continue
        with transaction.atomic():
            email, created = Email.objects.get_or_create(
                user_id=user_id, kind=Email.Kind.DIGEST, period=today, defaults={"due_at": now}
            )
            if created:
                waiting.filter(user_id=user_id).update(email=email)
                email_ids.append(email.pk)
    return email_ids


def reminder_threshold(preferences, currency):
    """The threshold of `preferences` in minor units of `currency`."""
    return preferences.reminder_threshold * 10 ** get_currency(currency).exponent


def owing_memberships(user_id, preferences):
    """The person's active memberships of unmuted, unarchived groups where they owe more than
    their reminder threshold, with the groups loaded."""
    memberships = Member.objects.filter(
        user_id=user_id, is_active=True, balance__lt=0, group__is_archived=False
    ).select_related("group")
    muted = muted_group_ids(preferences)
    return [
        member
        for member in memberships.order_by("group__name", "group_id")
        if member.group_id not in muted
        and -member.balance > reminder_threshold(preferences, member.group.currency)
    ]


def queue_reminders(now=None):
    """This week's reminder of each person who asked for reminders and owes more than their
    threshold in a group; returns the new emails' ids. At most one per person and ISO week."""
    now = now or timezone.now()
    week = iso_week_start(timezone.localdate(now))
    asking = (
        Preferences.objects.filter(reminders=True, user__is_active=True)
        .exclude(
            Exists(
                Email.objects.filter(
                    user_id=OuterRef("user_id"), kind=Email.Kind.REMINDER, period=week
                )
            )
        )
        .filter(Exists(Member.objects.filter(user_id=OuterRef("user_id"), balance__lt=0)))
        .prefetch_related("muted_groups")
    )
    email_ids = []
    for preferences in asking:
        if not owing_memberships(preferences.user_id, preferences):
            continue
        email, created = Email.objects.get_or_create(
            user_id=preferences.user_id,
            kind=Email.Kind.REMINDER,
            period=week,
            defaults={"due_at": now},
        )
        if created:
            email_ids.append(email.pk)
    return email_ids
