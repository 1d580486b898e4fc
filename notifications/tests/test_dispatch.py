"""The group history as an outbox: everything committed is told once, late or concurrent."""

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Activity
from groups.tests.factories import MemberFactory
from notifications import dispatch
from notifications.models import (
    DispatchCursor,
    DispatchedActivity,
    Email,
    Frequency,
    Notification,
    Preferences,
)
from notifications.tests.sending import send_new

NOW = datetime.datetime(2026, 11, 5, 9, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_the_cursor_passes_only_lines_old_enough_to_be_committed(trip):
    with time_machine.travel(NOW, tick=False) as clock:
        add_expense(
            trip.group, trip.olivia, paid={trip.olivia_m: 3000}, among=[trip.olivia_m, trip.max_m]
        )
        line = Activity.objects.latest("pk")
        assert len(dispatch.dispatch_new_activity()) == 1
        # Recent: an earlier id may still commit, so the line is marked instead of passed.
        assert DispatchCursor.objects.get().position < line.pk
        assert DispatchedActivity.objects.filter(activity=line).exists()
        assert dispatch.dispatch_new_activity() == []

        clock.shift(dispatch.SETTLE + datetime.timedelta(seconds=1))
        assert dispatch.dispatch_new_activity() == []
        assert DispatchCursor.objects.get().position == line.pk
        assert not DispatchedActivity.objects.exists()
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_a_missed_run_catches_up_in_batches(trip, monkeypatch):
    monkeypatch.setattr(dispatch, "BATCH_SIZE", 2)
    with time_machine.travel(NOW, tick=False) as clock:
        # The worker is away for a day while five expenses are added.
        for hour in range(5):
            add_expense(
                trip.group,
                trip.olivia,
                paid={trip.olivia_m: 1000 + hour},
                among=[trip.olivia_m, trip.nia_m],
                description=f"Coffee {hour}",
            )
            clock.shift(datetime.timedelta(hours=1))
        clock.shift(datetime.timedelta(days=1))

        assert len(send_new()) == 5
        assert send_new() == []

    assert sorted(m.subject for m in mail.outbox) == [
        f"[Splitclone] Olivia Owner added “Coffee {hour}” (10.0{hour} EUR) in Lisbon trip"
        for hour in range(5)
    ]
    assert DispatchCursor.objects.get().position == Activity.objects.latest("pk").pk


@pytest.mark.django_db
@pytest.mark.parametrize("people", [1, 12])
def test_dispatch_takes_the_same_queries_for_one_person_or_many(
    trip, people, django_assert_num_queries
):
    members = [MemberFactory(group=trip.group, user=UserFactory()) for _ in range(people - 1)] + [
        trip.max_m
    ]
    add_expense(
        trip.group, trip.olivia, paid={trip.olivia_m: 12000}, among=[trip.olivia_m, *members]
    )

    # In a transaction (2): the cursor, locked; the new lines; the members they name (the
    # expense line lists them); their verified addresses; their preferences (none saved, so no
    # muted groups to prefetch); the emails; the notifications; the marks; the settled position.
    with django_assert_num_queries(11):
        email_ids = dispatch.dispatch_new_activity()
    assert len(email_ids) == people


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_tell_each_person_once(trip):
    for n in range(6):
        add_expense(
            trip.group,
            trip.olivia,
            paid={trip.olivia_m: 600 + n},
            among=[trip.olivia_m, trip.max_m, trip.nia_m],
        )
    start = threading.Barrier(2)
    made, errors = [], []

    def dispatcher():
        try:
            start.wait()
            made.append(dispatch.dispatch_new_activity())
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Six expenses, two people each: twelve emails, made by one dispatcher or the other.
    assert errors == []
    assert sum(map(len, made)) == 12
    assert Email.objects.count() == Notification.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_the_worker_emails_what_was_committed(trip):
    """The whole path: the commit enqueues the dispatch, which enqueues the sends."""
    DBTaskResult.objects.all().delete()
    add_expense(
        trip.group, trip.olivia, paid={trip.olivia_m: 3000}, among=[trip.olivia_m, trip.max_m]
    )
    assert DBTaskResult.objects.filter(task_path="notifications.tasks.dispatch_activity").exists()

    call_command("run_worker", "--batch", verbosity=0)

    [message] = mail.outbox
    assert message.to == ["max@example.com"]
    assert Email.objects.get().status == Email.Status.SENT
    sent = DBTaskResult.objects.get(task_path="notifications.tasks.send_email")
    assert sent.status == "SUCCESSFUL"


@pytest.mark.django_db
def test_a_dispatch_that_fails_halfway_saves_nothing_and_the_next_one_tells(trip, monkeypatch):
    add_expense(
        trip.group, trip.olivia, paid={trip.olivia_m: 3000}, among=[trip.olivia_m, trip.max_m]
    )
    real_bulk_create = Notification.objects.bulk_create

    def broken(*args, **kwargs):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(Notification.objects, "bulk_create", broken)
    with pytest.raises(ConnectionError):
        dispatch.dispatch_new_activity()
    # The emails made before the failure went with it.
    assert not Email.objects.exists()
    assert not DispatchedActivity.objects.exists()

    monkeypatch.setattr(Notification.objects, "bulk_create", real_bulk_create)
    assert len(send_new()) == 1
    assert [m.to for m in mail.outbox] == [["max@example.com"]]


@pytest.mark.django_db
def test_only_lines_that_concern_others_enqueue_the_dispatch(trip):
    trip.group.update_settings(
        actor=trip.olivia, name="Porto trip", description="", currency="EUR", simplify_debts=True
    )
    assert not DBTaskResult.objects.exists()

    add_expense(
        trip.group, trip.olivia, paid={trip.olivia_m: 3000}, among=[trip.olivia_m, trip.max_m]
    )
    assert DBTaskResult.objects.get().task_path == "notifications.tasks.dispatch_activity"


@pytest.mark.django_db
def test_a_change_that_rolls_back_leaves_no_dispatch_behind(trip):
    def expense_then_failure():
        with transaction.atomic():
            add_expense(
                trip.group,
                trip.olivia,
                paid={trip.olivia_m: 3000},
                among=[trip.olivia_m, trip.max_m],
            )
            enqueued_within.append(DBTaskResult.objects.exists())
            raise RuntimeError("the request failed after the expense")

    enqueued_within = []
    with pytest.raises(RuntimeError):
        expense_then_failure()
    assert enqueued_within == [True]  # enqueued with the line, in its transaction
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_digest_and_reminder_runs_at_once_make_one_email_each(trip):
    Preferences.objects.create(user=trip.max, frequency=Frequency.DAILY, reminders=True)
    with time_machine.travel(NOW, tick=False) as clock:
        add_expense(
            trip.group, trip.olivia, paid={trip.olivia_m: 3000}, among=[trip.olivia_m, trip.max_m]
        )
        dispatch.dispatch_new_activity()
        clock.shift(datetime.timedelta(days=1))
        start = threading.Barrier(4)
        made, errors = [], []

        def run(job):
            try:
                start.wait()
                made.append(job())
            except Exception as error:
                errors.append(error)
            finally:
                connection.close()

        jobs = [dispatch.queue_digests, dispatch.queue_digests] + [dispatch.queue_reminders] * 2
        threads = [threading.Thread(target=run, args=[job]) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert sorted(Email.objects.values_list("kind", flat=True)) == ["digest", "reminder"]
    assert sum(map(len, made)) == 2
