"""gunicorn settings for the Docker image: `gunicorn -c gunicorn.conf.py splitclone.wsgi`.

Every knob comes from the environment (docs/operations.md lists them); unset or empty means the
default. The Prometheus hooks at the bottom keep the metrics right across worker processes.
"""

import gc
import os
from pathlib import Path

# prometheus_client picks its storage when first imported: the workers, which import it with
# the app, must already see this. The image sets it too; this covers running gunicorn by hand.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = "/tmp/prometheus"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "splitclone.settings.production")

from prometheus_client import multiprocess


def number(name, default):
    return int(os.environ.get(name) or default)


wsgi_app = "splitclone.wsgi"
bind = f"0.0.0.0:{number('PORT', 8000)}"

# 2 × cores + 1 suits a mostly database-bound app; the cap keeps a large host from opening more
# database connections than RDS allows. On Fargate the host's core count is not the task's
# share: set GUNICORN_WORKERS there.
workers = number("GUNICORN_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 8))
threads = number("GUNICORN_THREADS", 2)
# Threads answer other requests while one waits on the database, and idle keep-alive
# connections from the load balancer do not hold a worker.
worker_class = "gthread"

timeout = number("GUNICORN_TIMEOUT", 30)
# Below ECS's stopTimeout (30 s): in-flight requests finish before the task is killed.
graceful_timeout = number("GUNICORN_GRACEFUL_TIMEOUT", 25)
# Longer than the load balancer's idle timeout (60 s), so that gunicorn never closes a connection
# the balancer is about to reuse (which it would answer with a 502).
keepalive = number("GUNICORN_KEEPALIVE", 75)
# Off by default: every replaced worker leaves its metric files behind, and each scrape reads
# them all. Turn on only for a memory leak, with a jitter so workers do not restart together.
max_requests = number("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10

# The heartbeat file is touched constantly; /dev/shm keeps that off a (possibly slow) disk.
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"

# The load balancer's addresses (or "*" where only it can reach the task) may set X-Forwarded-*.
# The app reads the same variable to decide whose X-Forwarded-For it believes (splitclone.clientip).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"

# The `gunicornc` control socket is not used; without it nothing is written to $HOME.
control_socket_disable = True
proc_name = "splitclone"

accesslog = "-"
errorlog = "-"
loglevel = (os.environ.get("LOG_LEVEL") or "info").lower()
production = os.environ["DJANGO_SETTINGS_MODULE"].endswith(".production")
if (os.environ.get("LOG_FORMAT") or ("json" if production else "console")) == "json":
    logger_class = "splitclone.observability.GunicornJsonLogger"
    from splitclone.observability import ACCESS_LOG_FORMAT as access_log_format
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'


def on_starting(server):
    """Starts the metrics from zero: files left by a previous run would be added to this one's."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    # Only prometheus_client's own files, should the variable ever name a folder with others.
    for path in directory.glob("*.db"):
        path.unlink()


def child_exit(server, worker):
    """Drops a dead worker's live gauges; its counters stay, so totals never go backwards."""
    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """Sets aside what loading the app allocated, so collections stop walking it.

    Modules, settings, URL patterns and compiled templates live as long as the worker; left in
    the collected generations, every full collection walks them all again while a request
    waits.
    """
    gc.collect()
    gc.freeze()
