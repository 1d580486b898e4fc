"""The background worker: django-tasks-db's `db_worker`, which runs the queued tasks, plus the
periodic jobs it enqueues on its own schedule and, in production, its metrics endpoint."""

import logging
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult
from prometheus_client import start_http_server

from splitclone.metrics import count_tasks_from_zero, worker_registry

logger = logging.getLogger(__name__)

# How often the schedule looks at the clock; each job keeps its own period.
SCHEDULE_CHECK_SECONDS = 30


class Schedule:
    """Enqueues each of `jobs` ((task path, seconds)) when first checked, then every period,
    unless a run of it is already waiting.

    Kept in memory: a restart enqueues every job at once, which is what catches up a missed run.
    The jobs are idempotent, so two workers, or a restart just after a run, only repeat work.
    """

    def __init__(self, jobs):
        self.jobs = [(import_string(path), seconds) for path, seconds in jobs]
        self.last_enqueued = {}

    def enqueue_due(self, now):
        """Enqueues the jobs whose period has passed at `now` (a monotonic clock reading)."""
        for job, seconds in self.jobs:
            last = self.last_enqueued.get(job.module_path)
            if last is not None and now - last < seconds:
                continue
            try:
                # A run still waiting (the previous one takes longer than the period) will do
                # the work: another would only queue up behind it.
                if not DBTaskResult.objects.ready().filter(task_path=job.module_path).exists():
                    job.enqueue()
            except Exception:  # The database may be away for a moment: try again next check.
                logger.exception("Could not enqueue %s", job.module_path)
            else:
                self.last_enqueued[job.module_path] = now

    def run_in_background(self):
        def loop():
            while True:
                self.enqueue_due(time.monotonic())
                time.sleep(SCHEDULE_CHECK_SECONDS)

        threading.Thread(target=loop, name="schedule", daemon=True).start()


class Command(BaseCommand):
    help = "Run the background worker: queued tasks, and the periodic jobs of PERIODIC_TASKS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--metrics-port",
            type=int,
            help="Serve this process's metrics on 127.0.0.1:PORT/metrics, for a scraper in the "
            "same task (production sets it; nothing else can reach a loopback port).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Enqueue the periodic jobs once, run every ready task, then exit.",
        )

    def handle(self, *, metrics_port, batch, verbosity, **options):
        count_tasks_from_zero(path for path, _ in settings.PERIODIC_TASKS)
        if metrics_port:
            start_http_server(metrics_port, addr="127.0.0.1", registry=worker_registry())
        schedule = Schedule(settings.PERIODIC_TASKS)
        if batch:
            schedule.enqueue_due(time.monotonic())
        else:
            schedule.run_in_background()
        # No autoreload: its parent process would run a second schedule.
        call_command(
            "db_worker", batch=batch, reload=False, startup_delay=not batch, verbosity=verbosity
        )
