"""The CSRF token pages carry (splitclone.csrf): Django's format, accepted by Django's check."""

import re

import pytest
from django.conf import settings
from django.middleware.csrf import (
    _check_token_format,
    _get_new_csrf_string,
    _unmask_cipher_token,
)
from django.test import Client

from accounts.tests.factories import UserFactory
from splitclone.csrf import masked

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_a_masked_token_is_the_secret_under_a_fresh_mask():
    secret = _get_new_csrf_string()
    tokens = {masked(secret) for _ in range(50)}

    assert len(tokens) == 50
    for token in tokens:
        _check_token_format(token)  # 64 of Django's characters
        assert _unmask_cipher_token(token) == secret


@pytest.fixture
def person_client(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    return client


def test_a_pages_token_passes_the_csrf_check(person_client):
    person_client.get("/account/language/")  # the secret and its cookie
    page = person_client.get("/account/language/")
    token = TOKEN.search(page.content.decode()).group(1)

    response = person_client.post(
        "/account/language/", {"language": "", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    # The cookie is sent again with each page that carries the token, renewing its expiry.
    assert (
        page.cookies[settings.CSRF_COOKIE_NAME].value
        == person_client.cookies[settings.CSRF_COOKIE_NAME].value
    )


def test_a_wrong_token_fails_the_csrf_check(person_client):
    person_client.get("/account/language/")
    token = masked(_get_new_csrf_string())  # well formed, for another secret

    response = person_client.post(
        "/account/language/", {"language": "", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 403


def test_a_first_page_gets_a_new_secret_and_its_cookie(db):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = TOKEN.search(page.content.decode()).group(1)

    assert _unmask_cipher_token(token) == page.cookies[settings.CSRF_COOKIE_NAME].value
