"""Request bodies larger than any form of the app are refused before they are read.

Django reads a body only when something asks for `request.POST` or `request.FILES`, and then
reads all of it: uploaded files are spooled to disk whatever their size, since
DATA_UPLOAD_MAX_MEMORY_SIZE counts only the other fields. So the size is checked first, from
the Content-Length header. A body without one is not read at all, and one longer than it says
is read no further (Django's LimitedStream); gunicorn refuses a request whose Content-Length
it cannot read, and this middleware does the same for any other server.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults


def too_large(request):
    if request.path.startswith("/api/"):
        detail = "The request body is larger than the API accepts."
        return JsonResponse({"detail": detail, "errors": {}}, status=413)
    return HttpResponse(render_to_string("413.html"), status=413)


class RequestBodyLimitMiddleware:
    """Answers 413 to a request whose Content-Length is over `REQUEST_BODY_MAX_BYTES`, and 400
    to one whose Content-Length is not a number. Comes before anything that reads the header
    or the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not (length.isascii() and length.isdigit()):
            return HttpResponseBadRequest("Bad Content-Length header.")
        if int(length) > settings.REQUEST_BODY_MAX_BYTES:
            return too_large(request)
        return self.get_response(request)


def bad_request(request, exception):
    """The 400 handler. Form fields over DATA_UPLOAD_MAX_MEMORY_SIZE in a body small enough to
    pass the middleware are too large as well: 413, like a body over the limit."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return defaults.bad_request(request, exception)
