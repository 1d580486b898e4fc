import pytest
from django.db import OperationalError, connection

PROBE_HOST = "10.0.1.23:8000"  # a task's private address, never in ALLOWED_HOSTS


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_ok_for_any_host(client, path):
    response = client.get(path, HTTP_HOST=PROBE_HOST)

    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_readyz_is_503_while_the_database_is_down(client, database_down):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert b"database unavailable" in response.content


def test_healthz_keeps_serving_while_the_database_is_down(client, database_down):
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_probes_only_answer_reads(client):
    # Anything but GET/HEAD falls through to the normal stack, which has no such URL.
    assert client.post("/healthz").status_code == 404


@pytest.mark.django_db
def test_unknown_host_gets_400_not_500(client):
    response = client.get("/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
