"""Business metrics, and the /metrics endpoint that Prometheus scrapes.

Under gunicorn every worker is its own process: prometheus_client's multiprocess mode keeps each
worker's values in files under PROMETHEUS_MULTIPROC_DIR, and a scrape, answered by whichever
worker receives it, adds up the files of all of them (`deploy/prometheus/` and
`docs/operations.md` say what each metric means).
"""

import hmac
import ipaddress
import logging
import os

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.utils import timezone
from django_prometheus import middleware
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from splitclone.clientip import peer_address

logger = logging.getLogger(__name__)

METRICS_PATH = "/metrics"

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Metrics below write their files as soon as they are defined; a one-off `manage.py` task on
    # a fresh /tmp volume has no gunicorn master to create the folder first.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

# prometheus_client appends `_total` to counters: these are exported as `..._total`.
EXPENSES_CREATED = Counter("splitclone_expenses_created", "Expenses recorded.")
EXPENSES_EDITED = Counter("splitclone_expenses_edited", "Expenses changed after recording.")
EXPENSES_DELETED = Counter("splitclone_expenses_deleted", "Expenses deleted.")
PAYMENTS_RECORDED = Counter("splitclone_payments_recorded", "Payments between members recorded.")
SETTLE_UP_SECONDS = Histogram(
    "splitclone_settle_up_seconds",
    "Time to compute a group's settle-up suggestions.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0),
)
SETTLE_UP_MEMBERS = Histogram(
    "splitclone_settle_up_members",
    "Members with a non-zero balance in a settle-up computation.",
    buckets=(2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100),
)
# "mostrecent": the value comes from whichever process ran `recompute_balances --check` last, and
# it outlives that process, which exits as soon as it has checked.
LEDGER_DRIFT_MEMBERS = Gauge(
    "splitclone_ledger_drift_members",
    "Members whose cached balance differed from the ledger at the last check.",
    multiprocess_mode="mostrecent",
)
# Background tasks, labelled by the task's path: enqueued where they are enqueued (web or worker),
# finished in the worker, which serves its own /metrics (`run_worker --metrics-port`).
TASKS_ENQUEUED = Counter("splitclone_tasks_enqueued", "Background tasks enqueued.", ["task"])
TASKS_SUCCEEDED = Counter(
    "splitclone_tasks_succeeded", "Background tasks that succeeded.", ["task"]
)
TASKS_FAILED = Counter("splitclone_tasks_failed", "Background tasks that failed.", ["task"])
# Counted by the worker's `send_email` task: sent, retried (a failed attempt that will be tried
# again), failed (given up after every attempt) or skipped (nothing left to say), by kind.
NOTIFICATION_EMAILS = Counter(
    "splitclone_notification_emails",
    "Notification email attempts, by kind and outcome.",
    ["kind", "outcome"],
)
SIGNUPS = Counter("splitclone_signups", "Accounts created.")
LOGINS = Counter("splitclone_logins", "Successful logins.")
LOGINS_FAILED = Counter("splitclone_logins_failed", "Failed login attempts.")


def record_ledger_drift(count):
    """Publishes how many members' cached balances drifted. Used by `recompute_balances --check`."""
    LEDGER_DRIFT_MEMBERS.set(count)


def count_signup(**kwargs):
    SIGNUPS.inc()


def count_login(**kwargs):
    LOGINS.inc()


def count_failed_login(**kwargs):
    LOGINS_FAILED.inc()


def count_enqueued_task(task_result, **kwargs):
    TASKS_ENQUEUED.labels(task_result.task.module_path).inc()


def count_finished_task(task_result, **kwargs):
    from django.tasks import TaskResultStatus

    failed = task_result.status == TaskResultStatus.FAILED
    (TASKS_FAILED if failed else TASKS_SUCCEEDED).labels(task_result.task.module_path).inc()


def count_tasks_from_zero(task_paths):
    """Starts each task's counters at zero, so that the first failure after the worker starts
    is an increase that SplitcloneTaskFailures sees. Called by `run_worker`."""
    for path in task_paths:
        for counter in (TASKS_ENQUEUED, TASKS_SUCCEEDED, TASKS_FAILED):
            counter.labels(path)


class TaskQueueCollector:
    """The task queue as the database holds it, read at each scrape: how many tasks are ready to
    run and how long the oldest has waited. Read from the table rather than counted by the
    worker, so a worker that stopped shows up as a wait that keeps growing.
    """

    def describe(self):
        return self._families()

    def collect(self):
        families = self._families()
        try:
            waiting, oldest = self._queue()
        except Exception:  # The scrape must not fail with the database (see the health probes).
            logger.warning("Could not read the task queue for the metrics", exc_info=True)
            return []
        depth, age = families
        depth.add_metric([], waiting)
        age.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
        return families

    @staticmethod
    def _families():
        return [
            GaugeMetricFamily("splitclone_tasks_queued", "Background tasks ready and waiting."),
            GaugeMetricFamily(
                "splitclone_tasks_queue_age_seconds",
                "How long the oldest waiting task has been ready (0 with none).",
            ),
        ]

    @staticmethod
    def _queue():
        """(tasks ready, when the oldest became ready). One query, on the backend's index of
        ready tasks. A deferred task becomes ready at its `run_after`, any other when enqueued."""
        from django.db.models import Count, Min, Q
        from django_tasks_db.models import DBTaskResult, get_date_max

        undeferred = Q(run_after=get_date_max())
        totals = DBTaskResult.objects.ready().aggregate(
            waiting=Count("id"),
            oldest_enqueued=Min("enqueued_at", filter=undeferred),
            oldest_deferred=Min("run_after", filter=~undeferred),
        )
        times = [totals["oldest_enqueued"], totals["oldest_deferred"]]
        return totals["waiting"], min((t for t in times if t), default=None)


TASK_QUEUE = TaskQueueCollector()


def connect_signals():
    """Counts signups and logins from allauth's and Django's signals, and background tasks from
    the task framework's. Called by the app config."""
    from allauth.account.signals import user_signed_up
    from django.contrib.auth.signals import user_logged_in, user_login_failed
    from django.tasks.signals import task_enqueued, task_finished

    user_signed_up.connect(count_signup, dispatch_uid="splitclone.metrics.signup")
    user_logged_in.connect(count_login, dispatch_uid="splitclone.metrics.login")
    user_login_failed.connect(count_failed_login, dispatch_uid="splitclone.metrics.login_failed")
    task_enqueued.connect(count_enqueued_task, dispatch_uid="splitclone.metrics.task_enqueued")
    task_finished.connect(count_finished_task, dispatch_uid="splitclone.metrics.task_finished")


def current_registry():
    """Every worker's metrics under gunicorn; this process's own otherwise (tests, runserver)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def worker_registry():
    """What the background worker serves (`run_worker --metrics-port`): its own metrics and the
    task queue. Only the worker reads the queue, so the app's /metrics never touches the
    database; with the worker gone the queue's gauges are absent, which an alert watches."""
    registry = CollectorRegistry()
    registry.register(current_registry())
    registry.register(TASK_QUEUE)
    return registry


def metrics_response(request):
    # Prometheus asks for OpenMetrics in its Accept header; curl gets the plain text format.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(current_registry()), content_type=content_type)


class MetricsEndpointMiddleware:
    """Answers /metrics for scrapers only, before host validation; everyone else gets a 404.

    The scraper reaches a task by localhost or its private address, neither of which is in
    ALLOWED_HOSTS, so like the health probes this runs before anything calls `get_host()`.
    A scraper is let in by `Authorization: Bearer <METRICS_TOKEN>` or by its address being in
    METRICS_ALLOWED_NETWORKS.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.token = settings.METRICS_TOKEN.encode()
        # Parsed once, so a mistyped network stops the worker at boot rather than every scrape.
        self.networks = [ipaddress.ip_network(net) for net in settings.METRICS_ALLOWED_NETWORKS]

    def __call__(self, request):
        if request.path_info != METRICS_PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if self.has_token(request) or self.from_allowed_network(request):
            return metrics_response(request)
        # The same answer as for any unknown page: nothing says a scraper endpoint lives here.
        return HttpResponseNotFound("Not Found\n", content_type="text/plain")

    def has_token(self, request):
        if not self.token:
            return False
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(credentials.strip().encode(), self.token)

    def from_allowed_network(self, request):
        # REMOTE_ADDR is the TCP peer, which nobody can forge. X-Forwarded-For is written by the
        # client and only appended to by the load balancer, so anyone on the internet could claim
        # to be 127.0.0.1 in it. Behind the load balancer REMOTE_ADDR is the balancer's own
        # private address: never list the VPC's networks here, use the token for remote scrapers.
        address = peer_address(request.META)
        return address is not None and any(address in network for network in self.networks)


class PrometheusAfterMiddleware(middleware.PrometheusAfterMiddleware):
    """django-prometheus' request metrics, with each labelled series looked up once per process:
    `labels()` checks and converts its labels on every call, and a request makes a dozen."""

    def __init__(self, get_response):
        super().__init__(get_response)
        # {(metric, *label items): the series}, as bounded as the series themselves.
        self.series = {}

    def label_metric(self, metric, request, response=None, **labels):
        if not labels:
            return metric
        key = (metric, *labels.items())
        series = self.series.get(key)
        if series is None:
            series = self.series[key] = metric.labels(**labels)
        return series
