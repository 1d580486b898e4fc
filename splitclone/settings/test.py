"""Tests: fast password hashing, in-memory email, plain static files."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    # Uploaded receipts stay in memory and vanish with the test process.
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The shipped rates only, whatever a developer has downloaded; the command's tests name their own.
FX_RATES_FILE = ""
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"].endswith(".sqlite3"):
    # A file rather than Django's in-memory default: the live server answers each browser
    # request on its own thread, and threads sharing the one in-memory connection break each
    # other's statements ("bad parameter or other API misuse"). Named per process, so runs side
    # by side never share one; pytest-xdist workers get a further "_gw0" suffix. Left unnamed,
    # pytest-django (which spots SQLite by the stock engine name, not django-prometheus') would
    # give each worker "test_<NAME>_gw0", a path in no folder.
    DATABASES["default"]["TEST"] = {
        **DATABASES["default"].get("TEST", {}),
        "NAME": Path(tempfile.gettempdir()) / f"splitclone-test-{os.getpid()}.sqlite3",
    }

if "pool" in DATABASES["default"].get("OPTIONS", {}):
    # Tests run many threads in one process (a live server's request threads, eight writers
    # queueing on one group's lock) on a machine shared by two test workers: room and patience
    # enough that a busy machine is not mistaken for a failure.
    DATABASES["default"]["OPTIONS"]["pool"] |= {"max_size": 30, "timeout": 30.0}
