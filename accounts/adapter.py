from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.utils import translation

from splitclone.clientip import client_address


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The address allauth's per-IP rate limits count: the client's, never the load balancer's.

        allauth's own TRUSTED_PROXY_COUNT would read X-Forwarded-For from any peer; this reads it
        only from our proxies (splitclone.clientip), so a client that reaches the app directly
        cannot pick a fresh address for each attempt.
        """
        address = client_address(request.META)
        if address is None:
            raise PermissionDenied("Unable to determine client IP address")
        return str(address)

    def send_mail(self, template_prefix, email, context):
        """In the language the recipient chose, where they have an account and chose one; else
        in the page's, which is what the person asking reads."""
        language = getattr(context.get("user"), "language", "") or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
