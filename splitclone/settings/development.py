"""Development: works with no configuration at all (SQLite, console email, DEBUG on)."""

from .base import *  # noqa: F403

# Serve static files straight from the source folders; no collectstatic while developing.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
