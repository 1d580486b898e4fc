"""gunicorn.conf.py, then the real thing on loopback: gunicorn with two workers on PostgreSQL,
scraped by Prometheus.

The integration tests show that the metrics add up over worker processes, that a worker killed
by SIGKILL is replaced without the counters going backwards, and that a scrape without the token
is refused. They need Debian's `prometheus` package and a PostgreSQL server; outside CI they skip
without them.
"""

import gc
import glob
import http.client
import json
import os
import runpy
import secrets
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from gunicorn.config import Config
from prometheus_client.multiprocess import MultiProcessCollector

from splitclone.observability import GunicornJsonLogger, JsonSafeAtoms
from splitclone.tests.gunicorn_server import (
    ROOT,
    children,
    free_port,
    gunicorn,
    is_postgres,
    manage,
    need,
    production_env,
    stop,
    wait_for,
    with_database,
)

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
REQUESTS = 'django_http_requests_total_by_method_total{job="splitclone"}'
HTTP_TIMEOUT = 5

# --- gunicorn.conf.py ---


@pytest.fixture
def load_config(monkeypatch, tmp_path):
    """Runs gunicorn.conf.py under the given environment; os.environ is restored afterwards."""

    def load(**environ):
        environ = {
            "DJANGO_SETTINGS_MODULE": "splitclone.settings.production",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "multiproc"),
            **environ,
        }
        for name in ("PORT", "LOG_FORMAT", "FORWARDED_ALLOW_IPS", *NUMBERS):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            # setenv, not delenv, for "unset": monkeypatch then also undoes what the file sets.
            monkeypatch.setenv(name, value)
        namespace = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
        config = Config()
        for name, value in namespace.items():
            if name in config.settings:
                config.set(name, value)  # gunicorn's own validation of each setting
        return config

    return load


NUMBERS = (
    "GUNICORN_WORKERS",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL_TIMEOUT",
    "GUNICORN_KEEPALIVE",
    "GUNICORN_MAX_REQUESTS",
)


def test_gunicorn_defaults_for_the_image(load_config):
    config = load_config()

    assert config.bind == ["0.0.0.0:8000"]
    assert config.workers == min(2 * (os.cpu_count() or 1) + 1, 8)
    assert (config.threads, config.worker_class_str) == (2, "gthread")
    assert (config.timeout, config.graceful_timeout, config.keepalive) == (30, 25, 75)
    assert config.max_requests == 0
    assert config.forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert config.control_socket_disable is True
    # Production logs JSON: gunicorn's access lines included.
    assert config.logger_class is GunicornJsonLogger
    assert json.loads(config.access_log_format % JsonSafeAtoms({"s": "200", "M": 5}))["status"]


def test_gunicorn_knobs_come_from_the_environment(load_config):
    config = load_config(
        PORT="9000",
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="4",
        GUNICORN_MAX_REQUESTS="1000",
        FORWARDED_ALLOW_IPS="10.0.0.0/24",
        LOG_FORMAT="console",
    )

    assert config.bind == ["0.0.0.0:9000"]
    assert (config.workers, config.threads) == (3, 4)
    assert (config.max_requests, config.max_requests_jitter) == (1000, 100)
    assert config.forwarded_allow_ips == ["10.0.0.0/24"]
    assert config.logger_class is not GunicornJsonLogger
    assert "request_id=%({x-request-id}o)s" in config.access_log_format


def test_empty_variables_count_as_unset(load_config):
    # .env.example lists every variable, some of them empty.
    config = load_config(GUNICORN_WORKERS="", PORT="", PROMETHEUS_MULTIPROC_DIR="")

    assert config.bind == ["0.0.0.0:8000"]
    assert config.workers >= 3
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == "/tmp/prometheus"


def test_development_settings_mean_readable_gunicorn_logs(load_config):
    config = load_config(DJANGO_SETTINGS_MODULE="splitclone.settings.development")

    assert config.logger_class is not GunicornJsonLogger


def test_starting_gunicorn_empties_the_metrics_folder(load_config, tmp_path):
    config = load_config()
    folder = tmp_path / "multiproc"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"stale")
    (folder / "notes.txt").write_text("not ours")

    config.on_starting(None)

    assert sorted(path.name for path in folder.iterdir()) == ["notes.txt"]


def test_starting_gunicorn_creates_the_metrics_folder(load_config, tmp_path):
    load_config().on_starting(None)

    assert (tmp_path / "multiproc").is_dir()


def test_a_worker_sets_aside_what_loading_the_app_allocated(load_config):
    loaded = [[] for _ in range(3)]  # stands for what the app's modules hold
    try:
        load_config().post_worker_init(None)

        collected = {id(each) for each in gc.get_objects()}
        assert not collected & {id(each) for each in loaded}
        assert gc.get_freeze_count() >= len(loaded)
    finally:
        gc.unfreeze()


def test_a_dead_workers_live_gauges_go_but_its_counters_stay(load_config, tmp_path):
    config = load_config()
    folder = tmp_path / "multiproc"
    folder.mkdir()
    for name in ("counter_41.db", "gauge_livesum_41.db", "gauge_mostrecent_41.db"):
        (folder / name).write_bytes(b"")
    (folder / "gauge_livesum_42.db").write_bytes(b"")

    config.child_exit(None, SimpleNamespace(pid=41))

    assert sorted(path.name for path in folder.iterdir()) == [
        "counter_41.db",
        "gauge_livesum_42.db",
        "gauge_mostrecent_41.db",
    ]


# --- the real thing ---


def postgres_server_url():
    url = os.environ.get("DATABASE_URL", "")
    if is_postgres(url):
        return url
    if os.environ.get("CI"):
        # CI runs the suite on PostgreSQL and again on SQLite; this test belongs to the first.
        pytest.skip("runs in CI's PostgreSQL pass")
    return "postgres://postgres@127.0.0.1:5432/postgres"


def fetch(url, data=None, headers=None):
    """(status, headers, body); connection errors (a killed worker) give status None."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except (urllib.error.URLError, http.client.HTTPException, OSError):
        return None, None, b""


def requests_by_worker(multiproc_dir):
    """Each worker's own count of requests, from its file in the multiprocess folder."""
    counts = {}
    for path in glob.glob(os.path.join(multiproc_dir, "counter_*.db")):
        pid = int(Path(path).stem.split("_")[1])
        counts[pid] = sum(
            sample.value
            for family in MultiProcessCollector.merge([path])
            if family.name == "django_http_requests_total_by_method"
            for sample in family.samples
            if sample.name.endswith("_total")
        )
    return counts


class Stack:
    def __init__(self, server, prometheus_port, token):
        self.server = server
        self.app = server.url
        self.prometheus = f"http://127.0.0.1:{prometheus_port}"
        self.token = token
        self.master = server.master
        self.multiproc_dir = str(server.tmp / "multiproc")

    def api(self, endpoint, **params):
        status, _, body = fetch(
            f"{self.prometheus}/api/v1/{endpoint}?{urllib.parse.urlencode(params)}"
        )
        assert status == 200, body
        return json.loads(body)["data"]

    def value(self, query):
        """The query's single value now, or None while Prometheus has no sample."""
        result = self.api("query", query=query)["result"]
        return float(result[0]["value"][1]) if result else None

    def logs(self):
        return self.server.logs()


# Under pytest -n, `--dist loadfile` (pyproject.toml) keeps this file's tests on one worker, so
# the stack starts once.
@pytest.fixture(scope="module")
def stack(request, tmp_path_factory):
    need(Path(PROMETHEUS).exists(), f"no Prometheus at {PROMETHEUS} (apt-get install prometheus)")
    server_url = postgres_server_url()
    try:
        admin = psycopg.connect(server_url, dbname="postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        need(False, f"no PostgreSQL at {server_url}: {error}")
    tmp = tmp_path_factory.mktemp("stack")
    database = f"splitclone_it_{secrets.token_hex(4)}"
    token = secrets.token_urlsafe(24)
    (tmp / "metrics-token").write_text(token)
    app_port, prometheus_port = free_port(), free_port()
    env = production_env(
        tmp,
        port=app_port,
        database_url=with_database(server_url, database),
        # Asked for only now: collecting takes seconds, wasted on a skip.
        static_root=request.getfixturevalue("collected_static"),
        METRICS_TOKEN=token,
    )
    admin.execute(f'CREATE DATABASE "{database}"')
    try:
        manage(env, "migrate", "--noinput")
        with gunicorn(tmp, env, app_port) as server:
            config = {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [str(ROOT / "deploy/prometheus/rules/*.yml")],
                "scrape_configs": [
                    {
                        "job_name": "splitclone",
                        "scrape_timeout": "1s",
                        "authorization": {"credentials_file": str(tmp / "metrics-token")},
                        "static_configs": [{"targets": [f"127.0.0.1:{app_port}"]}],
                    }
                ],
            }
            # YAML is a superset of JSON.
            (tmp / "prometheus.yml").write_text(json.dumps(config))
            with (tmp / "prometheus.log").open("w") as log:
                prometheus = subprocess.Popen(
                    [
                        PROMETHEUS,
                        f"--config.file={tmp / 'prometheus.yml'}",
                        f"--storage.tsdb.path={tmp / 'tsdb'}",
                        f"--web.listen-address=127.0.0.1:{prometheus_port}",
                        "--log.level=warn",
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                running = Stack(server, prometheus_port, token)
                try:
                    wait_for(
                        lambda: fetch(f"{running.prometheus}/-/ready")[0] == 200,
                        30,
                        "Prometheus ready",
                    )
                    wait_for(
                        lambda: running.value('up{job="splitclone"}') == 1, 30, "a good scrape"
                    )
                except AssertionError as error:
                    raise AssertionError(f"{error}\n{running.logs()}") from None
                yield running
            finally:
                stop(prometheus)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


@pytest.mark.integration
def test_a_scrape_without_the_token_is_refused(stack):
    assert fetch(f"{stack.app}/metrics")[0] == 404
    assert fetch(f"{stack.app}/metrics", headers={"Authorization": "Bearer wrong"})[0] == 404
    status, _, body = fetch(
        f"{stack.app}/metrics", headers={"Authorization": f"Bearer {stack.token}"}
    )
    assert status == 200
    assert b"splitclone_logins_failed_total" in body


def failed_login(stack):
    status, headers, _ = fetch(f"{stack.app}/accounts/login/")
    assert status == 200, stack.logs()
    cookie = SimpleCookie()
    for header in headers.get_all("Set-Cookie"):
        cookie.load(header)
    csrf = cookie["__Host-csrftoken"].value
    form = {"login": "nobody@example.com", "password": "wrong", "csrfmiddlewaretoken": csrf}
    status, _, body = fetch(
        f"{stack.app}/accounts/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Cookie": f"__Host-csrftoken={csrf}"},
    )
    assert status == 200, body[:500]  # the form again, with its error


def scraped_total(stack):
    """Prometheus' total once it has scraped every request so far, with each worker's count."""

    def settled():
        per_worker = requests_by_worker(stack.multiproc_dir)
        total = stack.value(f"sum({REQUESTS})")
        return (total, per_worker) if total == sum(per_worker.values()) else None

    return wait_for(settled, 20, "Prometheus to scrape the latest requests")


def get_landing_pages(stack, count, concurrency):
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(lambda _: fetch(f"{stack.app}/")[0], range(count)))


def keep_requesting(stack, stop_at, limit=100):
    """Landing pages one after another until `stop_at`; None for each one a dead worker dropped."""
    statuses = []
    while time.monotonic() < stop_at and len(statuses) < limit:
        statuses.append(fetch(f"{stack.app}/")[0])
    return statuses


@pytest.mark.integration
def test_metrics_add_up_over_workers_and_survive_a_killed_worker(stack):
    started = time.time()
    failed_login(stack)
    assert get_landing_pages(stack, 15, concurrency=4) == [200] * 15, stack.logs()
    total_before, served = scraped_total(stack)
    assert total_before >= 2 + 15  # the login page and its POST included

    # Kill a worker that has answered requests, while more are on their way.
    workers = children(stack.master)
    victim = max(workers, key=lambda pid: served.get(pid, 0))
    assert served[victim] > 0
    with ThreadPoolExecutor(max_workers=3) as pool:
        stop_at = time.monotonic() + 1.0
        clients = [pool.submit(keep_requesting, stack, stop_at) for _ in range(3)]
        time.sleep(0.3)
        os.kill(victim, signal.SIGKILL)
        during = [status for client in clients for status in client.result()]
    killed_at = time.time()

    def replaced():
        # A new worker, booted far enough to have loaded the app (and made its metric files).
        now = children(stack.master)
        new = {
            pid for pid in now - workers if Path(stack.multiproc_dir, f"counter_{pid}.db").exists()
        }
        return new if new and victim not in now else None

    wait_for(replaced, 15, "gunicorn to replace the killed worker")
    assert get_landing_pages(stack, 5, concurrency=1) == [200] * 5

    # Prometheus' total is the sum of every worker's file, the dead one's included.
    total, per_worker = scraped_total(stack)
    assert total >= total_before + during.count(200) + 5
    assert victim in per_worker
    assert sum(1 for count in per_worker.values() if count > 0) >= 2

    # Never a drop in the total, scrape after scrape, across the kill.
    wait_for(lambda: time.time() > killed_at + 2, 5, "a scrape after the kill")
    series = stack.api(
        "query_range", query=f"sum({REQUESTS})", start=started, end=time.time(), step=1
    )["result"][0]["values"]
    assert series[-1][0] > killed_at
    values = [float(value) for _, value in series]
    assert values == sorted(values)

    assert stack.value('sum(splitclone_logins_failed_total{job="splitclone"})') >= 1
    # The alert rules load and evaluate in a real server.
    groups = stack.api("rules")["groups"]
    assert groups
    assert {rule["health"] for group in groups for rule in group["rules"]} == {"ok"}
