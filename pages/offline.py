"""What makes the site installable and readable offline: the web app manifest and the service
worker (docs/offline.md)."""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.html import escape
from django.utils.translation import get_language, gettext
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

# The files every offline page needs, cached when the worker installs.
PRECACHED_STATIC = [
    "css/site.css",
    "js/site.js",
    "js/offline.js",
    "favicon.svg",
    "django_htmx/htmx-2.min.js",
    "django_htmx/django-htmx.js",
]

# Sent with the copies the worker fetches in the background to keep for offline reading, which
# nobody looks at: the group page records no visit for them (pages.views.group).
KEPT_COPY_HEADER = "X-Kept-Copy"


def static_origins():
    """Where static files come from besides this site (a CDN in production), for the worker's
    fetches."""
    origin = urlsplit(settings.STATIC_URL)
    return [f"{origin.scheme}://{origin.netloc}"] if origin.netloc else []


@require_safe
def manifest(request):
    data = {
        "name": "Splitclone",
        "short_name": "Splitclone",
        "description": gettext("Share expenses and settle up with the fewest payments."),
        "id": reverse("home"),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#0f766e",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


# The worker fetches pages and static files for the pages it serves: from here and the CDN.
@csp_override(
    {
        "default-src": [CSP.NONE],
        "connect-src": [CSP.SELF, *static_origins()],
    }
)
@require_safe
def service_worker(request):
    config = {
        "static": request.build_absolute_uri(settings.STATIC_URL),
        "precache": [request.build_absolute_uri(static(path)) for path in PRECACHED_STATIC],
        "csrfCookie": settings.CSRF_COOKIE_NAME,
        "login": reverse("account_login"),
        "logout": reverse("account_logout"),
        "home": reverse("home"),
        "keptCopyHeader": KEPT_COPY_HEADER,
        # The page the worker answers with when it has no copy, in the language of the person
        # who installed it; escaped here because the worker writes it into HTML.
        "offline": {
            "lang": get_language(),
            "title": escape(gettext("Offline · Splitclone")),
            "heading": escape(gettext("You are offline")),
            "text": escape(
                gettext(
                    "This page was not opened on this device while online, so there is no copy "
                    "to show."
                )
            ),
            "home": escape(gettext("Your groups")),
        },
    }
    script = render_to_string("pages/sw.js", {"config": json.dumps(config)})
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on every visit; no copy may stand in for this one.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
