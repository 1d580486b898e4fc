"""Who is calling the API: a personal access token, or the site's own session."""

from django.conf import settings
from django.utils.translation import gettext
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.throttling import SimpleRateThrottle

from api.models import AccessToken


class BearerToken(HttpBearer):
    """`Authorization: Bearer sc_…`. A revoked or unknown token is no one (401)."""

    def authenticate(self, request, token):
        access = AccessToken.objects.authenticate(token)
        if access is not None:
            request.user = access.user
        return access


class Session(APIKeyCookie):
    """The session cookie of someone signed in on the site, with Django's CSRF check on writes.

    A request that names a token is judged by the token alone: a bad token next to a session
    cookie is still refused.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # Checked only for someone signed in, so an anonymous write is 401, not a CSRF 403.
        if "HTTP_AUTHORIZATION" in request.META or not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        return request.user if key else None


def require_write(request):
    """Writes need a token with the write scope (the site's session may always write)."""
    if isinstance(request.auth, AccessToken) and not request.auth.can_write:
        raise HttpError(403, gettext("This token can only read. Create a token that can write."))


class PerCaller(SimpleRateThrottle):
    """Requests a minute per token (each token has its own budget), or per signed-in person."""

    scope = "caller"
    THROTTLE_RATES = {"caller": settings.API_RATE_LIMIT}

    def get_cache_key(self, request):
        if isinstance(request.auth, AccessToken):
            ident = f"token-{request.auth.pk}"
        else:
            ident = f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
