"""Production: every setting that could fail open is required or locked down."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOG_LEVEL, SECURE_CSP, env, logging_config

SECRET_KEY = env("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")

DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS")
if not ALLOWED_HOSTS or not CSRF_TRUSTED_ORIGINS:
    raise ImproperlyConfigured("ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS must name the site.")

# TLS ends at the load balancer, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Links in emails: the site's first host name unless set, never the development localhost.
SITE_URL = env("SITE_URL", default=f"https://{ALLOWED_HOSTS[0]}").rstrip("/")
if not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("SITE_URL must be the site's https:// address.")
# One load balancer appends the client's address to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

CACHES = {"default": env.cache("CACHE_URL", default="dbcache://splitclone_cache")}

# Only the bearer token unless a network is named: the in-task scraper sends the token.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])

LOGGING = logging_config(env("LOG_FORMAT", default="json"), LOG_LEVEL)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# On AWS (deploy/terraform) both buckets are set; without them the image serves its own static
# files through whitenoise and keeps receipts on disk. Credentials come from boto3's default chain
# (the ECS task role), never from settings. Both buckets encrypt with KMS, which needs SigV4.
# Virtual-hosted URLs on the regional endpoint: the global one can answer a new bucket with a
# redirect for up to a day, which a signed URL does not survive.
s3_connection = {
    # Empty (as in .env.example) means boto3's own default, like unset.
    "region_name": env("AWS_S3_REGION_NAME", default="") or None,
    "signature_version": "s3v4",
    "addressing_style": "virtual",
}
# The buckets enforce bucket-owner object ownership, which refuses requests that carry an ACL:
# `default_acl: None` sends none. No `ServerSideEncryption` object parameter either: each bucket
# encrypts with its own KMS key by default, and a bare "aws:kms" would pick the AWS-managed key.

if env("AWS_STATIC_BUCKET_NAME", default=""):
    static_cdn_domain = env("STATIC_CDN_DOMAIN", default="")
    if not static_cdn_domain:
        raise ImproperlyConfigured("STATIC_CDN_DOMAIN must name the CDN of AWS_STATIC_BUCKET_NAME.")
    # `collectstatic` (a one-off task at deploy) uploads hashed files under static/, the path
    # CloudFront serves from the bucket; each process reads the manifest back on first use.
    STORAGES["staticfiles"] = {
        "BACKEND": "storages.backends.s3.S3ManifestStaticStorage",
        "OPTIONS": {
            **s3_connection,
            "bucket_name": env("AWS_STATIC_BUCKET_NAME"),
            "location": "static",
            "custom_domain": static_cdn_domain,
            "querystring_auth": False,
            "default_acl": None,
        },
    }
    STATIC_URL = f"https://{static_cdn_domain}/static/"
    # Pages load their stylesheet, scripts (htmx too) and images from the CDN's origin.
    SECURE_CSP = {
        **SECURE_CSP,
        **{
            directive: [*SECURE_CSP[directive], f"https://{static_cdn_domain}"]
            for directive in ("script-src", "style-src", "img-src")
        },
    }

if env("AWS_STORAGE_BUCKET_NAME", default=""):
    # Receipts: private objects that expense_receipt hands to members as URLs signed for five
    # minutes, never overwritten. No `location`: receipt_path already files them under
    # receipts/<group>/.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **s3_connection,
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "default_acl": None,
        },
    }
