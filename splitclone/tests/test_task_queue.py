from django.tasks import task_backends
from django.tasks.signals import task_enqueued
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from splitclone.tasks import refresh_rates


def test_a_task_row_is_the_one_django_tasks_db_writes(db):
    queued = refresh_rates.using(priority=7).enqueue()
    ours = DBTaskResult.objects.get(pk=queued.id)
    theirs = DBTaskResult.objects.get(
        pk=DatabaseBackend("default", {"QUEUES": ["default"]})
        .enqueue(refresh_rates.using(priority=7), (), {})
        .id
    )

    assert type(task_backends["default"]).__name__ == "TaskQueue"
    fields = [
        f.attname for f in DBTaskResult._meta.concrete_fields if f.name not in {"id", "enqueued_at"}
    ]
    assert [getattr(ours, name) for name in fields] == [getattr(theirs, name) for name in fields]
    assert ours.enqueued_at <= theirs.enqueued_at


def test_enqueueing_sends_the_result_it_returns_once(db):
    sent = []

    def receiver(sender, task_result, **kwargs):
        sent.append(task_result)

    task_enqueued.connect(receiver)
    try:
        queued = refresh_rates.using(priority=7).enqueue()
    finally:
        task_enqueued.disconnect(receiver)

    assert sent == [queued]
    assert queued == DBTaskResult.objects.get(pk=queued.id).task_result
    assert queued.task == refresh_rates.using(priority=7)
