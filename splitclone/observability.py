"""Logs that can be followed across one request, and error pages that never touch the database.

In production every log line is one JSON object (CloudWatch Logs Insights and any log
shipper parse them as they are); in development the same records print as readable text.
Each record made while a request is handled carries that request's id, so the access log,
the application's lines and an error's traceback can be joined on it.
"""

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from gunicorn.glogging import Logger as GunicornLogger
from gunicorn.glogging import SafeAtoms

from splitclone.clientip import client_address

request_logger = logging.getLogger("splitclone.request")

# An id from the load balancer or a client is kept only if it cannot smuggle anything into logs.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

# Seconds a client is asked to wait before retrying while the database is unreachable.
RETRY_AFTER_SECONDS = 30

current_request = ContextVar("splitclone_current_request", default=None)

# Attributes every LogRecord has; anything else on a record was passed as `extra=`. Django's own
# loggers pass the request object too: its useful fields are on the line already.
NOT_EXTRA = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "request",
}


def request_fields(request):
    """The fields of a request worth putting on each log line it causes."""
    # The user counts only if something already loaded it (AuthenticationMiddleware caches it in
    # `_cached_user`): looking it up here would cost a session and a user query on requests that
    # never needed them, and fail while the database is down. AnonymousUser's pk is None.
    user = getattr(request, "_cached_user", None)
    return {
        "request_id": getattr(request, "request_id", None),
        "user_id": getattr(user, "pk", None),
        "method": request.method,
        "path": request.path,
    }


class RequestContextFilter(logging.Filter):
    """Adds the current request's id, user, method and path to every record (None outside one)."""

    def filter(self, record):
        request = current_request.get()
        fields = (
            request_fields(request)
            if request is not None
            else dict.fromkeys(("request_id", "user_id", "method", "path"))
        )
        for name, value in fields.items():
            # A value passed explicitly with `extra=` wins over the ambient request.
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, context and any `extra=` fields."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in NOT_EXTRA and value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


class ConsoleFormatter(logging.Formatter):
    """Readable lines for development, with the request id when there is one."""

    def __init__(self):
        super().__init__("{levelname} {name}: {message}", style="{")

    def format(self, record):
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"{line} [request {request_id}]" if request_id else line


class RequestLogMiddleware:
    """Gives each request an id, echoes it in X-Request-ID and logs one line when it is answered.

    The id comes from the incoming X-Request-ID when it is a sane token, so a client or a proxy
    can follow its own request through our logs; otherwise it is a fresh uuid4.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = current_request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            current_request.reset(token)


def server_error(request):
    """handler500: a friendly 503 while the database is unreachable, the plain 500 page otherwise.

    Django calls this for an exception raised anywhere, in a view or in a middleware such as the
    session one, after logging it once (with the traceback, to the logs only). It is the only
    place that sees them all: Django turns an exception into a response at every middleware
    boundary, so no middleware's `process_exception` or try/except would see those raised by
    another middleware. Both pages are self-contained: rendering them needs no database.
    """
    if isinstance(sys.exception(), (OperationalError, InterfaceError)):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(render_to_string("500.html"))


class JsonSafeAtoms(SafeAtoms):
    """gunicorn's access-log atoms, escaped so that they can sit inside JSON strings.

    gunicorn's own escaping only doubles quotes, so a user agent ending in a backslash would
    still break the line.
    """

    def __init__(self, atoms):
        # Not SafeAtoms.__init__: its quote doubling would escape our escapes a second time.
        dict.__init__(
            self,
            {
                key: json.dumps(value)[1:-1] if isinstance(value, str) else value
                for key, value in atoms.items()
            },
        )


# One JSON object per request. `client_ip` is the address the rate limits count (the one our
# load balancer appended to X-Forwarded-For, see splitclone.clientip); `forwarded_for` is the
# whole header, whose left part the client wrote; `peer` is the balancer itself.
ACCESS_LOG_FORMAT = (
    '{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access",'
    ' "request_id": "%({x-request-id}o)s", "client_ip": "%(client_ip)s",'
    ' "forwarded_for": "%({x-forwarded-for}i)s",'
    ' "peer": "%(h)s", "method": "%(m)s", "path": "%(U)s", "query": "%(q)s",'
    ' "status": %(s)s, "bytes": "%(b)s", "duration_ms": %(M)s,'
    ' "user_agent": "%(a)s", "referer": "%(f)s"}'
)


class GunicornJsonLogger(GunicornLogger):
    """gunicorn's logger with JSON access lines (ACCESS_LOG_FORMAT) and JSON error lines."""

    atoms_wrapper_class = JsonSafeAtoms

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())

    def now(self):
        return datetime.now(tz=UTC).isoformat(timespec="milliseconds")

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        address = client_address(environ)
        atoms["client_ip"] = str(address) if address else "-"
        return atoms
