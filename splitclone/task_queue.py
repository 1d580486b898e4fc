"""The task queue: django-tasks-db's table, in the database of the changes that enqueue."""

from django_tasks_db import DatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult

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
        # signal, once for the caller), each time importing the task again by its path.
        self.validate_task(task)
        result = self._task_to_db_task(task, args, kwargs).task_result
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
