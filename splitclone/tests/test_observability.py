import json
import logging
import sys
from logging.handlers import BufferingHandler
from types import SimpleNamespace

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ImproperlyConfigured
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.test import Client, override_settings
from django.urls import reverse
from gunicorn.config import Config

from accounts.tests.factories import UserFactory
from splitclone.observability import (
    ACCESS_LOG_FORMAT,
    ConsoleFormatter,
    GunicornJsonLogger,
    JsonFormatter,
    RequestContextFilter,
    current_request,
)
from splitclone.settings.base import logging_config


def make_record(message="hello %s", args=("world",), level=logging.INFO, **extra):
    record = logging.LogRecord("splitclone.test", level, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def request_lines(caplog):
    return [record for record in caplog.records if record.name == "splitclone.request"]


# --- request ids and the request log line ---


@pytest.mark.django_db
def test_each_request_gets_an_id_echoed_in_the_response(client):
    first = client.get(reverse("landing"))
    second = client.get(reverse("landing"))

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept(client):
    response = client.get(reverse("landing"), HTTP_X_REQUEST_ID="lb-2f1c.77:a_9")

    assert response["X-Request-ID"] == "lb-2f1c.77:a_9"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming", ["", "has space", 'quote"d', "-leading-dash", "x" * 129, "new\nline"]
)
def test_an_unsafe_incoming_request_id_is_replaced(client, incoming):
    response = client.get(reverse("landing"), HTTP_X_REQUEST_ID=incoming)

    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_one_line_per_request_with_status_and_duration(client, caplog):
    caplog.set_level(logging.INFO, logger="splitclone.request")

    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-404")

    [line] = request_lines(caplog)
    assert line.getMessage() == "GET /no-such-page/ 404"
    assert line.status == 404
    assert line.duration_ms >= 0
    assert line.request_id == response["X-Request-ID"] == "req-404"


@pytest.mark.django_db
def test_the_request_line_names_a_user_who_was_looked_up(client, caplog):
    user = UserFactory()
    client.force_login(user)
    caplog.set_level(logging.INFO, logger="splitclone.request")

    client.get(reverse("home"))

    [line] = request_lines(caplog)
    assert line.user_id == user.pk


@pytest.mark.django_db
def test_the_request_line_does_not_query_for_the_user(client, caplog, django_assert_num_queries):
    client.force_login(UserFactory())
    caplog.set_level(logging.INFO, logger="splitclone.request")

    # A static file never loads the session; neither may the log line, for a user id.
    with django_assert_num_queries(0):
        response = client.get("/static/css/site.css")

    assert response.status_code == 200
    [line] = request_lines(caplog)
    assert line.user_id is None


def test_probes_and_scrapes_are_not_logged_per_request(client, caplog):
    caplog.set_level(logging.INFO, logger="splitclone.request")

    client.get("/healthz")
    client.get("/metrics")

    assert request_lines(caplog) == []


# --- formatting ---


def test_json_lines_carry_the_request_context(rf):
    request = rf.post("/x/")
    request.request_id = "abc123"
    request._cached_user = SimpleNamespace(pk=42)
    token = current_request.set(request)
    try:
        record = make_record(status=201)
        RequestContextFilter().filter(record)
    finally:
        current_request.reset(token)

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "hello world"
    assert line["level"] == "INFO"
    assert line["logger"] == "splitclone.test"
    assert (line["request_id"], line["user_id"], line["method"], line["path"]) == (
        "abc123",
        42,
        "POST",
        "/x/",
    )
    assert line["status"] == 201
    assert line["time"].endswith("+00:00")


def test_json_lines_outside_a_request_leave_the_request_fields_out():
    record = make_record()
    RequestContextFilter().filter(record)

    line = json.loads(JsonFormatter().format(record))

    assert not {"request_id", "user_id", "method", "path"} & line.keys()


def test_an_explicit_extra_field_wins_over_the_ambient_request(rf):
    request = rf.get("/")
    request.request_id = "ambient"
    token = current_request.set(request)
    try:
        record = make_record(request_id="explicit")
        RequestContextFilter().filter(record)
    finally:
        current_request.reset(token)

    assert record.request_id == "explicit"


def test_json_lines_include_the_traceback_and_stay_on_one_line():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = make_record("failed", (), logging.ERROR, exc_info=sys.exc_info())
    record.stack_info = "Stack (most recent call last):\n  here"

    text = JsonFormatter().format(record)

    assert "\n" not in text
    line = json.loads(text)
    assert "RuntimeError: boom" in line["exc_info"]
    assert "Traceback" in line["exc_info"]
    assert line["stack_info"].startswith("Stack")


def test_json_lines_survive_values_json_cannot_encode():
    line = json.loads(JsonFormatter().format(make_record(peer=object())))

    assert line["peer"].startswith("<object object")


def test_json_lines_leave_out_the_request_object_django_attaches(rf):
    record = make_record(request=rf.get("/"), status_code=404)

    line = json.loads(JsonFormatter().format(record))

    assert "request" not in line
    assert line["status_code"] == 404


def test_console_lines_are_readable_and_mention_the_request():
    formatter = ConsoleFormatter()

    assert formatter.format(make_record(request_id=None)) == "INFO splitclone.test: hello world"
    assert formatter.format(make_record(request_id="r1")).endswith("hello world [request r1]")


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_logging_config_uses_the_chosen_formatter(log_format):
    config = logging_config(log_format, "WARNING")

    assert config["handlers"]["stdout"]["formatter"] == log_format
    assert config["root"]["level"] == "WARNING"


def test_logging_config_refuses_an_unknown_format():
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        logging_config("xml", "INFO")


# --- the database is down ---


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    monkeypatch.setattr(connection, "cursor", refuse)


@pytest.fixture
def production_client():
    # Like gunicorn, not the test client's default: exceptions become responses, not re-raises.
    return Client(raise_request_exception=False)


def test_readyz_is_503_while_the_database_is_down(production_client, database_down):
    assert production_client.get("/readyz").status_code == 503


def test_pages_answer_a_friendly_503_while_the_database_is_down(
    production_client, database_down, caplog
):
    # The landing page looks the visitor up through the session, in the database.
    production_client.cookies["sessionid"] = "a-session-key"

    response = production_client.get(reverse("landing"), HTTP_X_REQUEST_ID="req-db-down")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Back in a moment" in response.text
    assert "Traceback" not in response.text
    assert "connection refused" not in response.text
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].request_id == "req-db-down"
    assert errors[0].exc_info[0] is OperationalError


def test_a_database_error_inside_a_middleware_is_a_503_too(
    production_client, database_down, monkeypatch
):
    # Saving a changed session happens in the session middleware, after the view has answered.
    def save_session(self, request, response):
        raise OperationalError("connection refused")

    # An anonymous visitor without a session cookie: the landing page itself needs no database.
    assert production_client.get(reverse("landing")).status_code == 200
    monkeypatch.setattr(SessionMiddleware, "process_response", save_session)

    response = production_client.get(reverse("landing"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"


@pytest.mark.django_db
def test_a_lost_connection_is_also_a_503(production_client, monkeypatch):
    def lost(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr("pages.views.render", lost)

    response = production_client.get(reverse("landing"))

    assert response.status_code == 503


@pytest.mark.django_db
def test_other_errors_get_the_plain_500_page(production_client, monkeypatch):
    def broken(*args, **kwargs):
        raise ProgrammingError('relation "groups_group" does not exist')

    monkeypatch.setattr("pages.views.render", broken)

    response = production_client.get(reverse("landing"))

    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "groups_group" not in response.text
    assert "Retry-After" not in response


@pytest.mark.django_db
def test_unknown_pages_get_the_site_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.text


# --- gunicorn's logger ---


def gunicorn_logger(**settings):
    config = Config()
    for name, value in {"accesslog": "-", **settings}.items():
        config.set(name, value)
    return GunicornJsonLogger(config)


class FakeResponse:
    status = "200 OK"
    sent = 1234
    headers = [("X-Request-ID", "req-7")]


@override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_NETWORKS=["10.0.0.0/16"])
def test_gunicorn_access_lines_are_json_even_with_hostile_headers():
    logger = gunicorn_logger(access_log_format=ACCESS_LOG_FORMAT)
    # gunicorn's loggers do not propagate to the root logger, where caplog listens.
    captured = BufferingHandler(capacity=10)
    logger.access_log.addHandler(captured)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/groups/?q=1",
        "PATH_INFO": "/groups/",
        "QUERY_STRING": "q=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.5",
        "HTTP_USER_AGENT": 'evil "agent" \\',
        "HTTP_X_FORWARDED_FOR": "127.0.0.1, 198.51.100.7",
    }
    request_headers = [
        ("X-FORWARDED-FOR", "127.0.0.1, 198.51.100.7"),
        ("USER-AGENT", 'evil "agent" \\'),
    ]
    request_time = type("Delta", (), {"seconds": 0, "microseconds": 52_000})()

    try:
        logger.access(FakeResponse(), request_headers, environ, request_time)
    finally:
        logger.access_log.removeHandler(captured)

    [record] = captured.buffer
    line = json.loads(record.getMessage())
    # The address the load balancer appended, the one the rate limits count; the client wrote
    # the rest of the header.
    assert line["client_ip"] == "198.51.100.7"
    assert line["forwarded_for"] == "127.0.0.1, 198.51.100.7"
    assert line["peer"] == "10.0.0.5"
    assert line["request_id"] == "req-7"
    assert (line["method"], line["path"], line["query"]) == ("GET", "/groups/", "q=1")
    assert line["status"] == 200
    assert line["duration_ms"] == 52
    assert line["bytes"] == "1234"
    assert line["user_agent"] == 'evil "agent" \\'
    assert line["time"].endswith("+00:00")


def test_gunicorn_error_lines_are_json():
    logger = gunicorn_logger()

    # pytest adds capture handlers of its own beside gunicorn's.
    [handler] = [h for h in logger.error_log.handlers if getattr(h, "_gunicorn", False)]
    line = json.loads(handler.format(make_record("Booting worker with pid: %s", (42,))))

    assert line["message"] == "Booting worker with pid: 42"
