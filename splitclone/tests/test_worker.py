"""The background worker (`run_worker`), its schedule, and the task metrics."""

import datetime
import urllib.request

import pytest
import time_machine
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client import REGISTRY

from expenses.models import RecurringExpense
from expenses.recurrence import Frequency
from expenses.tasks import create_due_occurrences
from expenses.tests.factories import add_recurring
from splitclone import metrics
from splitclone.management.commands.run_worker import Schedule
from splitclone.tests.gunicorn_server import free_port

TASK = "expenses.tasks.create_due_occurrences"


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def frozen():
    with time_machine.travel(
        datetime.datetime(2027, 3, 8, 6, tzinfo=datetime.UTC), tick=False
    ) as traveller:
        yield traveller


def daily(world, start=datetime.date(2027, 3, 1)):
    return add_recurring(
        world.group,
        world.owner,
        start=start,
        frequency=Frequency.DAILY,
        paid={world.owner_membership: 1000},
        among=[world.owner_membership, world.member_membership],
    )


# The worker closes connections between tasks, as it would at the end of a request: only a test
# that commits survives that.
@pytest.mark.django_db(transaction=True)
def test_a_batch_run_enqueues_the_periodic_jobs_and_runs_them(world, frozen):
    milk = daily(world)
    enqueued = sample("splitclone_tasks_enqueued_total", task=TASK)
    succeeded = sample("splitclone_tasks_succeeded_total", task=TASK)

    call_command("run_worker", "--batch", verbosity=0)

    assert milk.occurrences.count() == 8
    result = DBTaskResult.objects.get(task_path=TASK)
    assert (result.task_path, result.status) == (TASK, TaskResultStatus.SUCCESSFUL)
    assert result.return_value == {"created": 8, "paused": 0}
    assert sample("splitclone_tasks_enqueued_total", task=TASK) == enqueued + 1
    assert sample("splitclone_tasks_succeeded_total", task=TASK) == succeeded + 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_task_is_counted_and_its_dates_stay_due(world, frozen, monkeypatch):
    milk = daily(world)
    failed = sample("splitclone_tasks_failed_total", task=TASK)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(RecurringExpense.objects, "create_next_occurrence", broken)
    call_command("run_worker", "--batch", verbosity=0)

    assert DBTaskResult.objects.get(task_path=TASK).status == TaskResultStatus.FAILED
    assert sample("splitclone_tasks_failed_total", task=TASK) == failed + 1
    milk.refresh_from_db()
    assert (milk.made, milk.next_date) == (0, datetime.date(2027, 3, 1))


@pytest.mark.django_db
def test_the_schedule_enqueues_each_job_once_per_period():
    schedule = Schedule([(TASK, 900)])
    calls = []
    schedule.jobs = [
        (type("Job", (), {"module_path": TASK, "enqueue": lambda: calls.append(1)}), 900)
    ]

    for now in (1000.0, 1001.0, 1899.0, 1900.0, 2000.0, 2800.0):
        schedule.enqueue_due(now)

    assert len(calls) == 3  # at 1000 (the start), 1900 and 2800


@pytest.mark.django_db
def test_a_job_that_could_not_be_enqueued_is_tried_at_the_next_check():
    schedule = Schedule([(TASK, 900)])
    attempts = []

    def enqueue():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("database unreachable")

    schedule.jobs = [(type("Job", (), {"module_path": TASK, "enqueue": enqueue}), 900)]

    schedule.enqueue_due(1000.0)
    schedule.enqueue_due(1030.0)
    schedule.enqueue_due(1060.0)

    assert len(attempts) == 2


@pytest.mark.django_db
def test_no_second_run_is_enqueued_while_one_still_waits():
    schedule = Schedule([(TASK, 900)])

    schedule.enqueue_due(1000.0)
    schedule.enqueue_due(1900.0)

    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)
    schedule.enqueue_due(2800.0)
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 2


@pytest.mark.django_db
def test_the_queue_gauges_read_how_many_wait_and_for_how_long(frozen):
    assert metrics.TaskQueueCollector._queue() == (0, None)
    create_due_occurrences.enqueue()
    frozen.shift(datetime.timedelta(seconds=90))
    create_due_occurrences.enqueue()
    later = create_due_occurrences.using(
        run_after=datetime.datetime(2027, 3, 9, tzinfo=datetime.UTC)
    ).enqueue()

    families = {family.name: family for family in metrics.TASK_QUEUE.collect()}

    assert families["splitclone_tasks_queued"].samples[0].value == 2
    assert families["splitclone_tasks_queue_age_seconds"].samples[0].value == 90.0
    # A deferred task waits from its run_after, not from when it was enqueued.
    DBTaskResult.objects.exclude(pk=later.id).delete()
    frozen.shift(datetime.timedelta(days=1, seconds=30))
    families = {family.name: family for family in metrics.TASK_QUEUE.collect()}
    assert families["splitclone_tasks_queued"].samples[0].value == 1
    assert families["splitclone_tasks_queue_age_seconds"].samples[0].value == 6 * 3600 + 120


def test_the_queue_gauges_leave_the_scrape_working_without_a_database():
    # No database access is allowed in this test: the collector reports nothing rather than fail.
    assert metrics.TASK_QUEUE.collect() == []


def test_the_apps_metrics_never_read_the_queue(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]

    body = client.get("/metrics").content.decode()

    assert "splitclone_tasks_enqueued_total" in body
    assert "splitclone_tasks_queued" not in body


@pytest.mark.django_db(transaction=True)
def test_the_worker_serves_its_metrics_for_the_sidecar(monkeypatch):
    port = free_port()
    served = []
    monkeypatch.setattr(
        "splitclone.management.commands.run_worker.call_command", lambda *a, **k: served.append(1)
    )

    call_command("run_worker", "--batch", f"--metrics-port={port}", verbosity=0)

    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    # Counted from zero, so that the first failure is an increase to the alert.
    assert f'splitclone_tasks_failed_total{{task="{TASK}"}}' in body
    assert "splitclone_tasks_queued" in body
    assert served == [1]


def test_task_counters_start_at_zero_so_a_first_failure_is_an_increase():
    labels = {"task": "probe.tasks.never_run"}
    assert REGISTRY.get_sample_value("splitclone_tasks_failed_total", labels) is None

    metrics.count_tasks_from_zero([labels["task"]])

    assert REGISTRY.get_sample_value("splitclone_tasks_failed_total", labels) == 0.0
    assert REGISTRY.get_sample_value("splitclone_tasks_succeeded_total", labels) == 0.0
