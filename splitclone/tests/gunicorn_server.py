"""gunicorn on loopback as the image runs it: production settings, two workers, PostgreSQL.

Used by the integration tests that need the real server: the metrics test
(test_gunicorn_prometheus) and the concurrency test (test_concurrency).
"""

import glob
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def need(condition, reason):
    """Skips on a developer's machine; under CI a missing prerequisite is a failure."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the integration test)")
    pytest.skip(reason)


def is_postgres(url):
    return url.startswith(("postgres://", "postgresql://"))


def with_database(server_url, name):
    """The server's URL naming another database on it."""
    return urllib.parse.urlparse(server_url)._replace(path=f"/{name}").geturl()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def children(pid):
    """Live child processes of `pid`, read from /proc."""
    found = set()
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        state, parent = fields[0], int(fields[1])
        if parent == pid and state != "Z":
            found.add(int(Path(stat).parent.name))
    return found


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def production_env(tmp, *, port, database_url, static_root, **extra):
    """The environment of the image, for a server on loopback `port` with its files in `tmp`."""
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("COV")},
        "DJANGO_SETTINGS_MODULE": "splitclone.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp / "multiproc"),
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
        "LOG_FORMAT": "json",
        **extra,
    }


def manage(env, *command):
    subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def collect_static(tmp):
    """The hashed files and manifest production's static storage needs to render any page."""
    static_root = tmp / "static"
    env = production_env(tmp, port=0, database_url="sqlite:///unused", static_root=static_root)
    manage(env, "collectstatic", "--noinput")
    return static_root


class Server:
    def __init__(self, tmp, env, port, process):
        self.tmp = tmp
        self.env = env
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.process = process
        self.master = process.pid

    def ready(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", "/readyz")
            return connection.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    def workers(self):
        return children(self.master)

    def logs(self):
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.tmp.glob("*.log"))
        )

    def shut_down(self):
        """Stops gunicorn; requests in flight get the graceful timeout to finish."""
        stop(self.process)

    def kill_worker(self, victim, timeout=30):
        """SIGKILLs one worker and waits until gunicorn has booted its replacement."""
        before = self.workers()
        os.kill(victim, signal.SIGKILL)
        wait_for(
            lambda: victim not in (now := self.workers()) and len(now - before) == 1,
            timeout,
            f"gunicorn to replace worker {victim}",
        )


@contextmanager
def gunicorn(tmp, env, port):
    """gunicorn serving the app on loopback `port`; yields once both workers are up."""
    # The image binds 0.0.0.0; a test server listens on loopback only.
    loopback = ["--bind", f"127.0.0.1:{port}", "splitclone.wsgi"]
    with (tmp / "gunicorn.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *loopback],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(tmp, env, port, process)
    try:
        workers = int(env["GUNICORN_WORKERS"])
        try:
            wait_for(lambda: len(server.workers()) == workers, 30, f"{workers} gunicorn workers")
            wait_for(server.ready, 30, "gunicorn to answer /readyz")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{server.logs()}") from None
        yield server
    finally:
        stop(process)
