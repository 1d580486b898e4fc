"""Recurring expenses and the job that makes their occurrences, driven through time."""

import datetime
import os
import threading
import uuid
from collections import Counter

import pytest
import time_machine
from django.db import IntegrityError, connection

from expenses.models import (
    Expense,
    ExpenseEntry,
    OccurrencesFailed,
    RecurringError,
    RecurringExpense,
    RecurringStatus,
    StaleRecurringEdit,
)
from expenses.recurrence import Frequency, Schedule
from expenses.splitting import SplitKind
from expenses.tasks import create_due_occurrences
from expenses.tests.factories import add_recurring, recurring_entry
from groups.models import Activity, Member
from ledger.books import recompute_group
from splitclone.tests.gunicorn_server import is_postgres

D = datetime.date


def at(day, hour=9):
    """Travels to `day`, frozen: the job's "today"."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour), datetime.UTC), tick=False
    )


def run_job(day):
    with at(day):
        return RecurringExpense.objects.create_due_occurrences(day)


def occurrence_dates(recurring):
    return list(recurring.occurrences.order_by("id").values_list("occurrence_date", flat=True))


@pytest.fixture
def flat(world):
    """The world's group as a flat share: the owner pays the rent, owner, member and guest
    share it."""
    world.people = [world.owner_membership, world.member_membership, world.guest]
    return world


def monthly_rent(flat, start, **kwargs):
    with at(start):
        return add_recurring(
            flat.group,
            flat.owner,
            start=start,
            paid={flat.owner_membership: 90000},
            among=flat.people,
            **kwargs,
        )


def test_months_with_missed_runs_make_each_date_once(flat):
    rent = monthly_rent(flat, D(2027, 1, 31))
    runs = [D(2027, 1, 31), D(2027, 1, 31), D(2027, 2, 27), D(2027, 4, 2), D(2027, 6, 15)]

    made = [run_job(day).created for day in runs]

    assert made == [1, 0, 0, 2, 2]
    assert occurrence_dates(rent) == [
        D(2027, 1, 31),
        D(2027, 2, 28),
        D(2027, 3, 31),
        D(2027, 4, 30),
        D(2027, 5, 31),
    ]
    rent.refresh_from_db()
    assert (rent.made, rent.next_date, rent.status) == (5, D(2027, 6, 30), RecurringStatus.ACTIVE)
    # Ordinary expenses, moved through the ledger: the kept balances match it.
    assert not recompute_group(flat.group, check=True)
    assert flat.group.expenses.live().filter(recurring=rent).count() == 5


def test_a_week_of_missed_runs_makes_the_week_in_order(flat):
    weekly_shop = monthly_rent(flat, D(2027, 3, 1), frequency=Frequency.DAILY, description="Milk")
    run_job(D(2027, 3, 1))

    run = run_job(D(2027, 3, 8))

    assert run.created == 7
    rows = list(weekly_shop.occurrences.order_by("id").values_list("occurrence_date", "date"))
    assert rows == [(D(2027, 3, day), D(2027, 3, day)) for day in range(1, 9)]


def test_a_second_run_changes_nothing(flat):
    monthly_rent(flat, D(2027, 1, 1), frequency=Frequency.WEEKLY)
    run_job(D(2027, 2, 1))
    before = (
        Expense.objects.count(),
        Activity.objects.count(),
        list(Member.objects.order_by("pk").values_list("balance", flat=True)),
    )

    run = run_job(D(2027, 2, 1))

    assert (run.created, run.paused, run.failed) == (0, 0, {})
    after = (
        Expense.objects.count(),
        Activity.objects.count(),
        list(Member.objects.order_by("pk").values_list("balance", flat=True)),
    )
    assert after == before


def test_the_database_refuses_a_second_expense_for_one_date(flat):
    rent = monthly_rent(flat, D(2027, 1, 1))
    run_job(D(2027, 1, 1))
    entry = recurring_entry(
        flat.group, date=D(2027, 1, 1), paid={flat.owner_membership: 100}, among=flat.people
    )

    # Another submission id, so only the one-per-date constraint stands in the way.
    with pytest.raises(IntegrityError), at(D(2027, 1, 1)):
        Expense.objects.save_expense(
            group_id=flat.group.pk, author=flat.owner, entry=entry, occurrence_of=rent
        )

    assert occurrence_dates(rent) == [D(2027, 1, 1)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not is_postgres(os.environ.get("DATABASE_URL", "")),
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite serialises every write",
)
def test_concurrent_runs_make_exactly_one_expense_per_date(world):
    groups = [world.group]
    rents = [
        add_recurring(
            world.group,
            world.owner,
            start=D(2027, 3, 1),
            frequency=Frequency.DAILY,
            paid={world.owner_membership: 1000 + n},
            among=[world.owner_membership, world.member_membership],
            description=f"Daily {n}",
        )
        for n in range(3)
    ]
    runners = 4
    barrier = threading.Barrier(runners)
    results, errors = [], []

    def runner():
        try:
            barrier.wait(timeout=30)
            results.append(RecurringExpense.objects.create_due_occurrences(D(2027, 3, 10)))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    with at(D(2027, 3, 10)):
        threads = [threading.Thread(target=runner) for _ in range(runners)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert errors == []
    assert sum(run.created for run in results) == 30
    assert all(run.failed == {} for run in results)
    per_date = Counter(
        Expense.objects.filter(recurring__in=rents).values_list("recurring_id", "occurrence_date")
    )
    assert len(per_date) == 30
    assert set(per_date.values()) == {1}
    assert set(RecurringExpense.objects.values_list("made", flat=True)) == {10}
    for group in groups:
        assert not recompute_group(group, check=True)


def test_someone_who_left_is_left_out_and_the_group_is_told(flat):
    rent = monthly_rent(flat, D(2027, 1, 5))
    run_job(D(2027, 1, 5))
    flat.group.deactivate_member(flat.guest, actor=flat.owner)

    run_job(D(2027, 2, 5))

    february = rent.occurrences.get(occurrence_date=D(2027, 2, 5))
    assert sorted(february.shares.values_list("member_id", "amount")) == sorted(
        [(flat.owner_membership.pk, 45000), (flat.member_membership.pk, 45000)]
    )
    told = flat.group.activities.get(data__expense_id=february.pk, data__automatic=True)
    assert told.actor is None
    assert told.summary == "split “Rent” of 5 Feb 2027 without Alice"
    rent.refresh_from_db()
    assert rent.status == RecurringStatus.ACTIVE


def test_when_the_payer_left_it_pauses_and_the_group_is_told(flat):
    rent = monthly_rent(flat, D(2027, 1, 5))
    rent.payers.update(member=flat.guest)
    flat.group.deactivate_member(flat.guest, actor=flat.owner)

    run = run_job(D(2027, 1, 5))

    assert (run.created, run.paused) == (0, 1)
    assert occurrence_dates(rent) == []
    rent.refresh_from_db()
    assert (rent.status, rent.next_date) == (RecurringStatus.PAUSED, D(2027, 1, 5))
    told = flat.group.activities.get(data__recurring_id=rent.pk, data__automatic=True)
    assert told.summary == "paused the recurring “Rent”: Alice, who paid it, left the group"


def test_exact_amounts_that_no_longer_add_up_pause_it(flat):
    people = {flat.owner_membership: 50000, flat.member_membership: 30000, flat.guest: 10000}
    with at(D(2027, 1, 5)):
        rent = add_recurring(
            flat.group,
            flat.owner,
            start=D(2027, 1, 5),
            paid={flat.owner_membership: 90000},
            among=list(people),
            kind=SplitKind.EXACT,
            values={member.pk: amount for member, amount in people.items()},
        )
    flat.group.deactivate_member(flat.guest, actor=flat.owner)

    run_job(D(2027, 1, 5))

    rent.refresh_from_db()
    assert rent.status == RecurringStatus.PAUSED
    told = flat.group.activities.get(data__recurring_id=rent.pk, data__automatic=True)
    assert told.summary.startswith(
        "paused the recurring “Rent”: without Alice the split no longer works ("
    )


def test_a_failure_halfway_leaves_no_expense_and_the_next_run_makes_it(flat, monkeypatch):
    rent = monthly_rent(flat, D(2027, 1, 5))
    milk = monthly_rent(flat, D(2027, 1, 5), description="Milk", frequency=Frequency.DAILY)
    balances = list(Member.objects.order_by("pk").values_list("balance", flat=True))
    feed = Activity.objects.count()
    real_advance = RecurringExpense._advance

    def fail_for_rent(self, made_on):
        if self.pk == rent.pk:
            raise RuntimeError("the worker died")
        real_advance(self, made_on)

    # After the expense, its shares, the balances and the feed line are written.
    monkeypatch.setattr(RecurringExpense, "_advance", fail_for_rent)
    with at(D(2027, 1, 5)), pytest.raises(OccurrencesFailed) as failed:
        create_due_occurrences.call()

    assert list(failed.value.run.failed) == [rent.pk]
    assert occurrence_dates(rent) == []
    assert list(Member.objects.order_by("pk").values_list("balance", flat=True)) != balances
    assert Activity.objects.count() == feed + 1  # milk's, not rent's
    rent.refresh_from_db()
    assert (rent.made, rent.next_date) == (0, D(2027, 1, 5))
    assert occurrence_dates(milk) == [D(2027, 1, 5)]

    monkeypatch.setattr(RecurringExpense, "_advance", real_advance)
    with at(D(2027, 1, 5)):
        assert create_due_occurrences.call() == {"created": 1, "paused": 0}

    assert occurrence_dates(rent) == [D(2027, 1, 5)]
    assert not recompute_group(flat.group, check=True)


def test_it_ends_after_its_count_or_on_its_end_date(flat):
    three = monthly_rent(flat, D(2027, 1, 1), frequency=Frequency.DAILY, count=3)
    until = monthly_rent(
        flat, D(2027, 1, 1), frequency=Frequency.WEEKLY, end_date=D(2027, 1, 15), description="W"
    )

    run_job(D(2027, 2, 1))

    assert occurrence_dates(three) == [D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)]
    assert occurrence_dates(until) == [D(2027, 1, 1), D(2027, 1, 8), D(2027, 1, 15)]
    three.refresh_from_db()
    until.refresh_from_db()
    assert (three.status, three.next_date) == (RecurringStatus.FINISHED, None)
    assert (until.status, until.next_date) == (RecurringStatus.FINISHED, None)


def test_setting_up_from_an_expense_saves_it_as_the_first_occurrence_once(flat):
    entry = recurring_entry(
        flat.group, date=D(2027, 1, 31), paid={flat.owner_membership: 90000}, among=flat.people
    )
    schedule = Schedule(Frequency.MONTHLY, D(2027, 1, 31))

    with at(D(2027, 1, 31)):
        rent = RecurringExpense.objects.create_recurring(
            group_id=flat.group.pk, author=flat.owner, entry=entry, schedule=schedule
        )
        again = RecurringExpense.objects.create_recurring(
            group_id=flat.group.pk, author=flat.owner, entry=entry, schedule=schedule
        )

    assert again == rent
    assert RecurringExpense.objects.count() == 1
    first = rent.occurrences.get()
    assert (first.occurrence_date, first.submission_id) == (D(2027, 1, 31), entry.submission_id)
    assert (rent.made, rent.next_date) == (1, D(2027, 2, 28))
    assert run_job(D(2027, 1, 31)).created == 0


def test_editing_changes_what_comes_next_and_leaves_what_was_made(flat):
    rent = monthly_rent(flat, D(2027, 1, 1))
    run_job(D(2027, 2, 10))
    raised = recurring_entry(
        flat.group, date=D(2027, 3, 1), paid={flat.owner_membership: 99000}, among=flat.people
    )

    with at(D(2027, 2, 10)):
        RecurringExpense.objects.update_recurring(
            rent,
            actor=flat.member,
            entry=raised,
            schedule=Schedule(Frequency.MONTHLY, D(2027, 3, 1)),
            expected_version=rent.version,
        )
    run_job(D(2027, 3, 1))

    amounts = list(rent.occurrences.order_by("occurrence_date").values_list("amount", flat=True))
    assert amounts == [90000, 90000, 99000]


def test_the_next_date_cannot_go_back_over_what_was_made(flat):
    rent = monthly_rent(flat, D(2027, 1, 1))
    run_job(D(2027, 2, 10))
    entry = recurring_entry(
        flat.group, date=D(2027, 2, 1), paid={flat.owner_membership: 100}, among=flat.people
    )

    with at(D(2027, 2, 10)), pytest.raises(RecurringError) as refused:
        RecurringExpense.objects.update_recurring(
            rent,
            actor=flat.owner,
            entry=entry,
            schedule=Schedule(Frequency.DAILY, D(2027, 2, 1)),
            expected_version=rent.version,
        )

    assert refused.value.messages == [
        "The next date must come after the last one made (1 Feb 2027)."
    ]
    rent.refresh_from_db()
    assert (rent.amount, rent.frequency) == (90000, Frequency.MONTHLY)


def edit_rent(flat, rent, amount, *, expected_version, actor=None):
    entry = recurring_entry(
        flat.group, date=D(2027, 3, 1), paid={flat.owner_membership: amount}, among=flat.people
    )
    with at(D(2027, 2, 10)):
        return RecurringExpense.objects.update_recurring(
            rent,
            actor=actor or flat.owner,
            entry=entry,
            schedule=Schedule(Frequency.MONTHLY, D(2027, 3, 1)),
            expected_version=expected_version,
        )


def test_an_edit_loaded_before_another_edit_is_refused_with_the_newer_state(flat):
    rent = monthly_rent(flat, D(2027, 3, 1))
    loaded = rent.version
    edit_rent(flat, rent, 95000, expected_version=loaded, actor=flat.member)

    with pytest.raises(StaleRecurringEdit) as stale:
        edit_rent(flat, rent, 99000, expected_version=loaded)

    assert stale.value.current.amount == 95000
    assert stale.value.messages == [
        "Max Member saved this recurring expense while you were editing it. Your changes are "
        "still in the form below; compare them with the newer version and save again to keep "
        "yours."
    ]
    rent.refresh_from_db()
    assert (rent.amount, rent.version) == (95000, loaded + 1)
    edit_rent(flat, rent, 99000, expected_version=rent.version)
    rent.refresh_from_db()
    assert rent.amount == 99000


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("pause", "Max Member paused this recurring expense while you were editing it."),
        ("stop", "“Rent” stopped repeating while you were editing it, so nothing was saved."),
    ],
)
def test_an_edit_loaded_before_a_pause_or_a_stop_is_refused(flat, change, message):
    rent = monthly_rent(flat, D(2027, 3, 1))
    loaded = rent.version
    getattr(RecurringExpense.objects, change)(rent, actor=flat.member)

    with pytest.raises(StaleRecurringEdit) as stale:
        edit_rent(flat, rent, 99000, expected_version=loaded)

    assert stale.value.messages[0].startswith(message)
    rent.refresh_from_db()
    assert rent.amount == 90000


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not is_postgres(os.environ.get("DATABASE_URL", "")),
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite serialises every write",
)
def test_of_editors_who_loaded_the_same_version_at_once_exactly_one_saves(flat):
    rent = monthly_rent(flat, D(2027, 3, 1))
    editors = 4
    barrier = threading.Barrier(editors)
    saved, stale, errors = [], [], []

    def editor(amount):
        try:
            barrier.wait(timeout=30)
            edit_rent(flat, rent, amount, expected_version=rent.version)
            saved.append(amount)
        except StaleRecurringEdit as refused:
            stale.append(refused.current.amount)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=editor, args=(91000 + n,)) for n in range(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    [winner] = saved
    assert stale == [winner] * (editors - 1)
    rent.refresh_from_db()
    assert (rent.amount, rent.version) == (winner, 2)
    changes = flat.group.activities.filter(verb=Activity.Verb.RECURRING_CHANGED)
    assert changes.count() == 1


def test_an_edit_loaded_before_a_resume_is_refused(flat):
    rent = monthly_rent(flat, D(2027, 3, 1))
    RecurringExpense.objects.pause(rent, actor=flat.member)
    loaded = RecurringExpense.objects.get(pk=rent.pk).version
    RecurringExpense.objects.resume(rent, actor=flat.member)

    with pytest.raises(StaleRecurringEdit):
        edit_rent(flat, rent, 99000, expected_version=loaded)


def test_pausing_itself_when_the_payer_left_refuses_an_edit_loaded_before(flat):
    rent = monthly_rent(flat, D(2027, 1, 5))
    loaded = rent.version
    rent.payers.update(member=flat.guest)
    flat.group.deactivate_member(flat.guest, actor=flat.owner)
    run_job(D(2027, 1, 5))

    with pytest.raises(StaleRecurringEdit):
        edit_rent(flat, rent, 99000, expected_version=loaded)


def test_the_occurrences_made_leave_the_version_as_it_was(flat):
    rent = monthly_rent(flat, D(2027, 1, 1))
    loaded = rent.version

    run_job(D(2027, 2, 10))

    rent.refresh_from_db()
    assert (rent.made, rent.version) == (2, loaded)


def test_a_pause_skips_its_dates_and_a_resume_starts_again_from_today(flat):
    milk = monthly_rent(flat, D(2027, 1, 1), frequency=Frequency.DAILY, description="Milk")
    run_job(D(2027, 1, 1))
    RecurringExpense.objects.pause(milk, actor=flat.member)

    assert run_job(D(2027, 1, 5)).created == 0

    with at(D(2027, 1, 5)):
        RecurringExpense.objects.resume(milk, actor=flat.member)
    run_job(D(2027, 1, 6))

    assert occurrence_dates(milk) == [D(2027, 1, 1), D(2027, 1, 5), D(2027, 1, 6)]


def test_a_stopped_one_makes_nothing_more_and_keeps_what_it_made(flat):
    rent = monthly_rent(flat, D(2027, 1, 1))
    run_job(D(2027, 1, 1))

    RecurringExpense.objects.stop(rent, actor=flat.owner)
    run_job(D(2027, 6, 1))

    rent.refresh_from_db()
    assert (rent.status, rent.next_date) == (RecurringStatus.STOPPED, None)
    assert occurrence_dates(rent) == [D(2027, 1, 1)]
    with pytest.raises(RecurringError):
        RecurringExpense.objects.resume(rent, actor=flat.owner)


def test_a_start_more_than_a_year_back_is_refused(flat):
    with pytest.raises(RecurringError) as refused, at(D(2027, 1, 1)):
        add_recurring(
            flat.group,
            flat.owner,
            start=D(2025, 12, 30),
            paid={flat.owner_membership: 100},
            among=flat.people,
        )

    assert refused.value.field == "date"
    assert not RecurringExpense.objects.exists()


def test_everyone_in_it_must_be_in_the_group_when_it_is_set_up(flat):
    flat.group.deactivate_member(flat.guest, actor=flat.owner)

    with pytest.raises(RecurringError), at(D(2027, 1, 1)):
        add_recurring(
            flat.group,
            flat.owner,
            start=D(2027, 1, 1),
            paid={flat.owner_membership: 100},
            among=flat.people,
        )

    assert not RecurringExpense.objects.exists()


def test_the_occurrence_submission_id_is_the_same_for_every_run(flat):
    rent = monthly_rent(flat, D(2027, 1, 1))
    entry, _ = rent.occurrence_entry(D(2027, 1, 1), rent.people())
    again, _ = rent.occurrence_entry(D(2027, 1, 1), rent.people())

    assert isinstance(entry, ExpenseEntry)
    assert entry.submission_id == again.submission_id
    assert (
        entry.submission_id != rent.occurrence_entry(D(2027, 2, 1), rent.people())[0].submission_id
    )
    assert isinstance(entry.submission_id, uuid.UUID)
