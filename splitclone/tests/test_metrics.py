import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from prometheus_client import REGISTRY

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from splitclone import metrics

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "scrape-token-0123456789abcdef"
TASK_HOST = "10.0.1.23:8000"  # how the in-task scraper reaches the app: never in ALLOWED_HOSTS


@pytest.fixture
def token_only(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []


def scrape(client, **headers):
    return client.get("/metrics", HTTP_HOST=TASK_HOST, **headers)


def sample(name, labels=None):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_the_right_token_gets_the_metrics(client, token_only):
    response = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"splitclone_expenses_created_total" in response.content


def test_the_token_scheme_is_case_insensitive(client, token_only):
    assert scrape(client, HTTP_AUTHORIZATION=f"bearer {TOKEN}").status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", "Bearer ", f"Basic {TOKEN}", TOKEN],
)
def test_a_wrong_token_gets_404(client, token_only, authorization):
    response = scrape(client, HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 404
    assert b"splitclone" not in response.content


def test_no_token_gets_404(client, token_only):
    assert scrape(client).status_code == 404


def test_an_empty_configured_token_lets_nobody_in_by_token(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []

    assert scrape(client, HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_an_allowed_network_needs_no_token(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/16"]

    assert scrape(client, REMOTE_ADDR="10.0.7.9").status_code == 200
    assert scrape(client, REMOTE_ADDR="10.1.7.9").status_code == 404


def test_development_allows_loopback_by_default(client):
    # The test client connects from 127.0.0.1, the development default's network.
    assert scrape(client).status_code == 200


def test_x_forwarded_for_cannot_claim_an_allowed_address(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]

    response = scrape(client, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1")

    assert response.status_code == 404


def test_ipv4_peers_on_a_dual_stack_socket_match_ipv4_networks(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]

    assert scrape(client, REMOTE_ADDR="::ffff:127.0.0.1").status_code == 200


def test_ipv6_networks_are_matched(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["fd00::/8"]

    assert scrape(client, REMOTE_ADDR="fd00::17").status_code == 200


def test_a_peer_without_an_ip_address_is_refused(client, settings):
    # gunicorn on a unix socket leaves REMOTE_ADDR empty.
    settings.METRICS_ALLOWED_NETWORKS = ["0.0.0.0/0"]

    assert scrape(client, REMOTE_ADDR="").status_code == 404


def test_a_mistyped_network_stops_the_app_at_startup(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.1/8"]

    with pytest.raises(ValueError, match="host bits set"):
        scrape(client)


@pytest.mark.django_db
def test_only_reads_are_answered(client, token_only):
    # A POST falls through to the ordinary stack, where the unknown host is refused.
    response = client.post("/metrics", HTTP_HOST=TASK_HOST, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert response.status_code == 400


def test_prometheus_gets_openmetrics_when_it_asks(client, token_only):
    response = scrape(
        client,
        HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
        HTTP_ACCEPT="application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
    )

    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.endswith(b"# EOF\n")


def test_scrapes_keep_working_while_the_database_is_down(client, token_only, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    assert scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_multiprocess_mode_adds_up_every_workers_files(client, token_only, tmp_path, monkeypatch):
    # A "worker" in another process counts twice and exits; its file stays behind.
    worker = (
        "from prometheus_client import Counter\n"
        "Counter('splitclone_probe_worker', 'Written by another process.').inc(2)\n"
    )
    subprocess.run(
        [sys.executable, "-c", worker],
        env={"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)},
        check=True,
        timeout=60,
    )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    response = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert b"splitclone_probe_worker_total 2.0" in response.content
    # Only the files count: this process's own registry (python_info, process_*) is not read.
    assert b"python_info" not in response.content


@pytest.mark.django_db
def test_signups_are_counted(client):
    before = sample("splitclone_signups_total")

    client.post(
        reverse("account_signup"),
        {
            "display_name": "Grace Hopper",
            "email": "grace@example.com",
            "password1": "plum-harbour-velvet-42",
            "password2": "plum-harbour-velvet-42",
        },
    )

    assert sample("splitclone_signups_total") == before + 1


@pytest.mark.django_db
def test_successful_and_failed_logins_are_counted_apart(client):
    user = UserFactory()
    logins, failures = sample("splitclone_logins_total"), sample("splitclone_logins_failed_total")

    client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})

    assert sample("splitclone_logins_failed_total") == failures + 1
    assert sample("splitclone_logins_total") == logins

    client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})

    assert sample("splitclone_logins_total") == logins + 1
    assert sample("splitclone_logins_failed_total") == failures + 1


@pytest.mark.django_db
def test_each_request_is_counted_in_its_series(client):
    client.force_login(UserFactory())
    ok = {"status": "200", "view": "accounts:language", "method": "GET"}
    missing = {"status": "404", "view": "<unnamed view>", "method": "GET"}
    name = "django_http_responses_total_by_status_view_method_total"
    before = {status: sample(name, labels) for status, labels in [(200, ok), (404, missing)]}

    for _ in range(2):
        client.get(reverse("accounts:language"))
    client.get("/nowhere/")

    assert sample(name, ok) == before[200] + 2
    assert sample(name, missing) == before[404] + 1


def test_ledger_drift_keeps_the_latest_count():
    metrics.record_ledger_drift(3)
    assert sample("splitclone_ledger_drift_members") == 3

    metrics.record_ledger_drift(0)
    assert sample("splitclone_ledger_drift_members") == 0


def test_business_metrics_are_exported_under_their_documented_names(client, token_only):
    body = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()

    for name in (
        "splitclone_expenses_created_total",
        "splitclone_expenses_edited_total",
        "splitclone_expenses_deleted_total",
        "splitclone_payments_recorded_total",
        'splitclone_settle_up_seconds_bucket{le="0.0005"}',
        'splitclone_settle_up_seconds_bucket{le="2.0"}',
        'splitclone_settle_up_members_bucket{le="2.0"}',
        "splitclone_ledger_drift_members",
        "splitclone_signups_total",
        "splitclone_logins_total",
        "splitclone_logins_failed_total",
    ):
        assert f"\n{name} " in body, name


def exported_names():
    """Every series name the app can export, labelled families included (they may be empty)."""
    suffixes = {
        "counter": ("_total",),
        "gauge": ("",),
        "histogram": ("_bucket", "_sum", "_count"),
        "summary": ("_sum", "_count"),
        "info": ("_info",),
    }
    return {
        family.name + suffix
        for family in [*REGISTRY.collect(), *metrics.TASK_QUEUE.describe()]
        for suffix in suffixes.get(family.type, ("",))
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        *sorted((ROOT / "deploy/prometheus/rules").glob("*.yml")),
        *sorted((ROOT / "deploy/grafana/dashboards").glob("*.json")),
    ],
    ids=lambda path: path.name,
)
def test_alerts_and_dashboards_only_use_metrics_the_app_exports(client, path):
    # promtool checks the syntax but cannot know a misspelt metric name: it would just never fire.
    client.get(reverse("landing"))  # loads the request and database metrics
    referenced = set(re.findall(r"\b(?:django|splitclone)_[a-z0-9_]+", path.read_text()))

    assert referenced, f"{path} names no metric"
    assert referenced <= exported_names()
