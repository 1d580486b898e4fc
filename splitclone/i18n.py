"""Which language a page is in: the signed-in person's own setting (`User.language`), else what
the browser asked for (the switcher's cookie, then Accept-Language: Django's LocaleMiddleware),
else English. docs/translations.md, "Languages and formats"."""

from django.utils import translation


class UserLanguageMiddleware:
    """Activates the signed-in person's language over the one LocaleMiddleware chose.

    It runs after AuthenticationMiddleware, which it needs, and leaves the deactivation to
    LocaleMiddleware's response handling, which also writes Content-Language from it. Looking at
    the person reads the session, so SessionMiddleware marks every answer `Vary: Cookie`, which
    the language cookie needs as well; LocaleMiddleware adds Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = getattr(request.user, "language", "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
