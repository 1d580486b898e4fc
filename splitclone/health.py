"""Liveness and readiness probes for the load balancer and the container runtime."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse

logger = logging.getLogger(__name__)


def healthz():
    """The process is up and serving requests; says nothing about its dependencies."""
    return HttpResponse("ok\n", content_type="text/plain")


def readyz():
    """Ready for traffic: the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("readiness probe: database unreachable", exc_info=True)
        return HttpResponse("database unavailable\n", content_type="text/plain", status=503)
    return HttpResponse("ok\n", content_type="text/plain")


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answers the probes before host validation, sessions or auth run.

    Load balancers probe tasks by their private IP address, which is not in ALLOWED_HOSTS, so the
    probes must be answered before anything calls `request.get_host()`.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.probes = {path: PROBES[path] for path in settings.HEALTH_CHECK_PATHS}

    def __call__(self, request):
        probe = self.probes.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe()
        return self.get_response(request)
