"""Which language a page is in: the signed-in person's own setting (`User.language`), else what
the browser asked for (the switcher's cookie, then Accept-Language: Django's LocaleMiddleware),
else English. docs/translations.md, "Languages and formats"."""

from django.utils import translation
from django.utils.cache import patch_vary_headers


class UserLanguageMiddleware:
    """Activates the signed-in person's language over the one LocaleMiddleware chose.

    It runs after AuthenticationMiddleware, which it needs, and leaves the deactivation to
    LocaleMiddleware's response handling, which also writes Content-Language from it. A page's
    language depends on the session and the language cookie as well as Accept-Language, so the
    response varies by Cookie for shared caches.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = getattr(request.user, "language", "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        return response
