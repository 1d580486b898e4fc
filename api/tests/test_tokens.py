import hashlib

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from api.models import AccessToken, Scope
from api.tests.conftest import token

pytestmark = pytest.mark.django_db


def test_only_the_hash_is_stored():
    user = UserFactory()
    access, secret = AccessToken.objects.issue(user=user, name="Sheet", scope=Scope.READ)
    assert secret.startswith("sc_")
    assert access.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {access.digest, access.name}
    assert access.shown == secret[:10]
    assert AccessToken.objects.authenticate(secret) == access
    access.revoke()
    assert AccessToken.objects.authenticate(secret) is None


def test_last_use_is_noted(api):
    user = UserFactory()
    secret = token(user)
    assert api.get("/groups", token=secret).status_code == 200
    assert AccessToken.objects.get().last_used_at is not None


def test_create_shows_the_secret_once(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("api:tokens")
    response = client.post(url, {"name": " Budget   sheet ", "scope": "write"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret.encode() in response.content
    access = AccessToken.objects.get()
    assert (access.name, access.scope, access.user) == ("Budget sheet", "write", user)
    listed = client.get(url)
    assert secret.encode() not in listed.content
    assert access.shown.encode() in listed.content


def test_create_needs_a_name(client):
    client.force_login(UserFactory())
    response = client.post(reverse("api:tokens"), {"name": "", "scope": "read"})
    assert response.status_code == 422
    assert not AccessToken.objects.exists()


def test_revoke_own_token_only(client):
    owner, other = UserFactory(), UserFactory()
    access, _ = AccessToken.objects.issue(user=owner, name="Sheet", scope=Scope.READ)
    client.force_login(other)
    url = reverse("api:revoke", args=[access.pk])
    assert client.post(url).status_code == 404
    access.refresh_from_db()
    assert access.revoked_at is None
    client.force_login(owner)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    access.refresh_from_db()
    assert access.revoked_at is not None


def test_page_needs_login(client):
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_every_page_links_to_the_tokens(client):
    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert f'href="{reverse("api:tokens")}"'.encode() in response.content
