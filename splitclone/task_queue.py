"""The task queue: django-tasks-db's table, in the database of the changes that enqueue."""

from django.tasks import TaskResultStatus
from django_tasks_db import DatabaseBackend
from django_tasks_db.backend import TaskResult
from django_tasks_db.compat import normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import normalize_uuid

from splitclone.inserts import insert


class TaskQueue(DatabaseBackend):
    """django-tasks-db's backend, whose task row is written by `splitclone.inserts.insert`.

    Saving an expense enqueues the activity followers under the group's lock, and the ORM's
    INSERT of the task row took a quarter of the save's Python time. The row is the one
    `DatabaseBackend` creates, field for field (its `pre_save` receiver still fills in
    `run_after`).
    """

    def enqueue(self, task, args, kwargs):
        # As DatabaseBackend.enqueue, which builds the row's TaskResult twice (once for the
        # signal, once for the caller), each time importing the task again by its path and
        # copying it with the row's priority, queue and backend. Here once, as
        # `DBTaskResult.task_result` does, with the task the row was written from: the same.
        self.validate_task(task)
        row = self._task_to_db_task(task, args, kwargs)
        result = TaskResult(
            db_result=row,
            task=task,
            id=normalize_uuid(row.id),
            status=TaskResultStatus[row.status],
            enqueued_at=row.enqueued_at,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=row.args_kwargs["args"],
            kwargs=row.args_kwargs["kwargs"],
            backend=self.alias,
            errors=[],
            worker_ids=row.worker_ids,
        )
        task_enqueued.send(type(self), task_result=result)
        return result

    def _task_to_db_task(self, task, args, kwargs):
        return insert(
            DBTaskResult(
                id=self._get_id(),
                args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after,
                backend_name=self.alias,
            )
        )
