"""An invite by email is written in the invitee's language when they have an account."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def languages_sent(monkeypatch):
    """The language active as each invite email is written."""
    seen = []
    monkeypatch.setattr(
        "groups.services.send_mail", lambda **kwargs: seen.append(translation.get_language())
    )
    return seen


@pytest.fixture
def german_inviter(client, world):
    client.force_login(world.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    return world


def test_an_invitee_with_an_account_gets_it_in_their_language(
    client, german_inviter, languages_sent
):
    UserFactory(email="amelie@example.com", language="fr")

    client.post(
        reverse("groups:invite_email", args=[german_inviter.group.pk]),
        {"email": "Amelie@Example.com"},
    )

    assert languages_sent == ["fr"]


def test_a_stranger_gets_it_in_the_inviters_language(client, german_inviter, languages_sent):
    client.post(
        reverse("groups:invite_email", args=[german_inviter.group.pk]),
        {"email": "someone@example.com"},
    )

    assert languages_sent == ["de"]
