import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(display_name="Ada Lovelace")


def test_landing_page_is_public(client, db):
    response = client.get(reverse("landing"))

    assert response.status_code == 200
    assert b"Create a free account" in response.content


def test_landing_page_sends_members_home(client, user):
    client.force_login(user)

    response = client.get(reverse("landing"))

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_home_asks_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_home_greets_the_user(client, user, django_assert_num_queries):
    client.force_login(user)

    # session, user, memberships
    with django_assert_num_queries(3):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Hello, Ada Lovelace" in response.text


def test_pages_reject_writes(client, db):
    assert client.post(reverse("landing")).status_code == 405


def test_scripts_carry_the_nonce_from_the_csp_header(client, db):
    response = client.get(reverse("landing"))

    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    # JSON data blocks (the scripts' words, {% script_strings %}) are never run: no nonce.
    scripts = [
        tag
        for tag in re.findall(r"<script[^>]*>", response.text)
        if 'type="application/json"' not in tag
    ]
    assert scripts, "the layout loads htmx and the site script"
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "unsafe-inline" not in policy


def test_the_csrf_header_htmx_sends_is_accepted(db):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("landing"))
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page.text).group(1)

    without_header = client.post(reverse("account_logout"))
    with_header = client.post(reverse("account_logout"), headers={"X-CSRFToken": token})

    assert without_header.status_code == 403
    assert with_header.status_code == 302
