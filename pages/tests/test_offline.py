"""The manifest and the service worker as the server answers them, and the hooks the offline
script finds in the pages (the browser side: test_offline_browser.py)."""

import json
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from expenses.models import Expense

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_and_never_from_a_stale_copy(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    config = json.loads(response.text.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["csrfCookie"] == "csrftoken"
    assert config["logout"] == reverse("account_logout")
    assert config["static"] == "http://testserver/static/"
    assert "http://testserver/static/js/offline.js" in config["precache"]


def test_the_service_worker_may_fetch_only_from_this_site(client):
    policy = client.get("/sw.js")["Content-Security-Policy"]
    assert policy == "default-src 'none'; connect-src 'self'"


def test_the_files_the_service_worker_keeps_exist():
    from pages.offline import PRECACHED_STATIC

    assert [path for path in PRECACHED_STATIC if not finders.find(path)] == []


@pytest.mark.parametrize("path", ["/sw.js", "/manifest.webmanifest"])
def test_the_offline_files_are_read_only(client, path):
    assert client.post(path).status_code == 405


def test_the_manifest_describes_an_installable_app(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "/home/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    icons = {(icon["sizes"], icon.get("purpose", "any")): icon["src"] for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for src in icons.values():
        assert finders.find(src.removeprefix("/static/")), src


def test_pages_allow_the_worker_and_the_manifest_from_this_site_only(client):
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    assert "worker-src 'self'" in policy
    assert "manifest-src 'self'" in policy


def test_only_signed_in_pages_start_the_offline_script(client, world):
    assert "js/offline.js" not in client.get(reverse("account_login")).text
    client.force_login(world.member)
    page = client.get(reverse("pages:group", args=[world.group.pk])).text
    assert 'data-service-worker="/sw.js"' in page
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert f'data-offline-queue-for="{world.group.pk}"' in page


def test_only_the_new_expense_form_can_be_queued_offline(client, world):
    client.force_login(world.owner)
    new = client.get(reverse("expenses:create", args=[world.group.pk])).text
    edit = client.get(reverse("expenses:edit", args=[world.group.pk, world.expense.pk])).text
    assert "data-offline-form" in new
    assert "data-offline-form" not in edit


def test_a_replayed_submission_answers_as_the_first_and_saves_once(client, world):
    """The offline queue sends again what may have arrived: both answers lead to the group."""
    client.force_login(world.owner)
    url = reverse("expenses:create", args=[world.group.pk])
    form = client.get(url).context["form"]
    data = {
        **{name: form[name].value() or "" for name in form.fields if form[name].value()},
        "submission_id": str(uuid.uuid4()),
        "description": "Tram tickets",
        "amount": "12.40",
    }
    before = Expense.objects.count()
    first = client.post(url, data)
    again = client.post(url, data)
    group_page = reverse("pages:group", args=[world.group.pk])
    assert (first.status_code, first["Location"]) == (302, group_page)
    assert (again.status_code, again["Location"]) == (302, group_page)
    assert Expense.objects.count() == before + 1


def test_the_service_worker_may_fetch_static_files_from_the_cdn(settings):
    from pages.offline import static_origins

    settings.STATIC_URL = "https://static.splitclone.example/static/"
    assert static_origins() == ["https://static.splitclone.example"]
