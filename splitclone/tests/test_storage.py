"""Static files and receipts on S3 in production, checked offline: django-storages builds and
signs its URLs locally, so nothing here talks to AWS."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils.module_loading import import_string
from storages.backends.s3 import S3ManifestStaticStorage

from groups.tests.conftest import world  # noqa: F401  (the shared owner/member/outsider set-up)
from splitclone.settings import base
from splitclone.tests.test_settings import PRODUCTION_ENV, run_manage

MEDIA_BUCKET = "splitclone-production-media-123456789012"
# What deploy/terraform/modules/stack passes to the tasks.
BUCKETS = {
    "AWS_STATIC_BUCKET_NAME": "splitclone-production-static-123456789012",
    "STATIC_CDN_DOMAIN": "static.splitclone.example",
    "AWS_STORAGE_BUCKET_NAME": MEDIA_BUCKET,
    "AWS_S3_REGION_NAME": "eu-west-1",
}
# Set but empty, so that a developer's .env cannot fill them in.
NO_BUCKETS = dict.fromkeys(BUCKETS, "")
PRINT_SETTINGS = (
    "import json; from django.conf import settings; "
    "print(json.dumps({name: getattr(settings, name) for name in "
    "('STORAGES', 'STATIC_URL', 'SECURE_CSP')}))"
)


def production_storages(env):
    """STORAGES, STATIC_URL and SECURE_CSP as the production settings resolve them under `env`."""
    result = run_manage(
        "shell", "--no-imports", "-c", PRINT_SETTINGS, env={**PRODUCTION_ENV, **env}
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def build(storage_config):
    return import_string(storage_config["BACKEND"])(**storage_config.get("OPTIONS", {}))


@pytest.fixture(scope="module")
def on_aws():
    return production_storages(BUCKETS)


@pytest.fixture
def aws_credentials(monkeypatch):
    # Made-up keys from AWS's documentation: boto3 signs with them locally and sends nothing.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


def test_without_buckets_whitenoise_serves_static_files_and_receipts_stay_on_disk():
    resolved = production_storages(NO_BUCKETS)

    assert resolved["STORAGES"] == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    assert resolved["STATIC_URL"] == "/static/"
    assert resolved["SECURE_CSP"] == base.SECURE_CSP


def test_with_buckets_static_files_and_receipts_go_to_their_own_buckets(on_aws):
    static, media = on_aws["STORAGES"]["staticfiles"], on_aws["STORAGES"]["default"]

    assert static["BACKEND"] == "storages.backends.s3.S3ManifestStaticStorage"
    assert static["OPTIONS"]["bucket_name"] == BUCKETS["AWS_STATIC_BUCKET_NAME"]
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    assert media["OPTIONS"]["bucket_name"] == MEDIA_BUCKET
    assert on_aws["STATIC_URL"] == "https://static.splitclone.example/static/"


def test_pages_may_load_their_assets_from_the_cdn(on_aws):
    cdn_sources = {
        directive: [*base.SECURE_CSP[directive], "https://static.splitclone.example"]
        for directive in ("script-src", "style-src", "img-src")
    }

    assert on_aws["SECURE_CSP"] == base.SECURE_CSP | cdn_sources


def test_a_static_bucket_without_its_cdn_domain_refuses_to_start():
    result = run_manage("check", env={**PRODUCTION_ENV, **BUCKETS, "STATIC_CDN_DOMAIN": ""})

    assert result.returncode != 0
    assert "STATIC_CDN_DOMAIN must name the CDN" in result.stderr


def test_static_urls_are_the_hashed_names_on_the_cdn(on_aws, aws_credentials, monkeypatch):
    # Stands in for the staticfiles.json that collectstatic wrote to the bucket.
    manifest = {"version": "1.1", "hash": "", "paths": {"site.css": "site.0123456789ab.css"}}
    monkeypatch.setattr(S3ManifestStaticStorage, "read_manifest", lambda _: json.dumps(manifest))
    storage = build(on_aws["STORAGES"]["staticfiles"])

    url = storage.url("site.css")

    assert url == "https://static.splitclone.example/static/site.0123456789ab.css"


def test_receipt_urls_are_signed_for_five_minutes_on_the_media_bucket(on_aws, aws_credentials):
    storage = build(on_aws["STORAGES"]["default"])

    url = urlsplit(storage.url("receipts/7/0123abcd.pdf"))

    query = parse_qs(url.query)
    assert url.netloc == f"{MEDIA_BUCKET}.s3.eu-west-1.amazonaws.com"
    assert url.path == "/receipts/7/0123abcd.pdf"
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Signature"]
    assert query["X-Amz-Credential"][0].endswith("/eu-west-1/s3/aws4_request")


@pytest.fixture
def world_on_s3(world, on_aws, settings, aws_credentials):  # noqa: F811
    # `world` saved its receipt in memory first; from here on the default storage is S3
    # (Django's setting_changed handler drops the cached storages).
    settings.STORAGES = {**settings.STORAGES, "default": on_aws["STORAGES"]["default"]}
    return world


def receipt_url(group_world):
    return reverse("expenses:receipt", args=[group_world.group.pk, group_world.expense.pk])


def test_members_are_sent_to_a_signed_receipt_url(client, world_on_s3):
    client.force_login(world_on_s3.member)

    response = client.get(receipt_url(world_on_s3))

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.netloc == f"{MEDIA_BUCKET}.s3.eu-west-1.amazonaws.com"
    assert location.path == f"/{world_on_s3.expense.receipt.name}"
    assert parse_qs(location.query)["X-Amz-Signature"]


def test_outsiders_get_no_signed_receipt_url(client, world_on_s3):
    client.force_login(world_on_s3.outsider)

    response = client.get(receipt_url(world_on_s3))

    assert response.status_code == 404
    assert "Location" not in response
