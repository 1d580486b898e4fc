"""The CSRF token every page's forms carry, masked with one draw of randomness (TEMPLATES).

Django masks the secret afresh for each page (BREACH), drawing each of the mask's 32 characters
with its own `secrets.choice`, a system call each, and looks every character up with
`str.index`: some 0.1 ms per page. This draws the whole mask from one random number, as
uniformly as Django's draws, and gives the token Django's format, which its middleware checks
as before. A request without a secret yet gets Django's own token, with the new secret and its
cookie.
"""

import secrets

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils.functional import SimpleLazyObject

INDEX = {char: n for n, char in enumerate(CSRF_ALLOWED_CHARS)}
MASKS = len(CSRF_ALLOWED_CHARS) ** CSRF_SECRET_LENGTH


def csrf(request):
    """Replaces Django's built-in `csrf` context processor: listed after it, its value wins.
    Lazy like Django's, since evaluating the token has the cookie renewed."""
    return {"csrf_token": SimpleLazyObject(lambda: token(request))}


def token(request):
    """What django.middleware.csrf.get_token returns: a mask and the secret shifted by it."""
    if "CSRF_COOKIE" not in request.META:
        return get_token(request)
    # As get_token: the cookie is sent again, so that its expiry is renewed.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return masked(request.META["CSRF_COOKIE"])


def masked(secret):
    chars, base = CSRF_ALLOWED_CHARS, len(CSRF_ALLOWED_CHARS)
    number = secrets.randbelow(MASKS)  # each mask equally likely, as with a draw per character
    mask = []
    for _ in range(CSRF_SECRET_LENGTH):
        number, digit = divmod(number, base)
        mask.append(digit)
    cipher = "".join(
        [chars[(INDEX[char] + digit) % base] for char, digit in zip(secret, mask, strict=True)]
    )
    return "".join([chars[digit] for digit in mask]) + cipher
