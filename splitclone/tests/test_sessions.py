"""The session store every request reads (SESSION_ENGINE, splitclone.sessions)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends import db as django_db_sessions
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from splitclone.sessions import SessionStore


@pytest.fixture
def stored(db):
    """A session saved by Django's own database store, as sessions made before ours are."""
    session = django_db_sessions.SessionStore()
    session["colour"] = "teal"
    session.save()
    return session


def test_a_session_reads_what_djangos_store_wrote(stored, django_assert_num_queries):
    session = SessionStore(stored.session_key)

    with django_assert_num_queries(1):  # the session row
        assert session["colour"] == "teal"
    assert session.session_key == stored.session_key


def test_what_it_writes_djangos_store_reads(db):
    session = SessionStore()
    session["colour"] = "teal"
    session.save()

    assert django_db_sessions.SessionStore(session.session_key)["colour"] == "teal"


def test_an_expired_session_is_empty_and_gets_a_new_key(stored):
    Session.objects.filter(session_key=stored.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    session = SessionStore(stored.session_key)

    assert session.load() == {}
    assert session.session_key is None


def test_an_unknown_key_is_an_empty_session(db):
    session = SessionStore("x" * 32)

    assert session.load() == {}
    assert session.session_key is None


def test_a_signed_in_person_stays_signed_in_until_the_session_expires(client, db):
    client.force_login(UserFactory())
    home = reverse("home")

    assert client.get(home).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(home).status_code == 302


@pytest.mark.parametrize(
    "former_backend",
    [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ],
)
def test_a_session_signed_in_through_a_former_backend_stays_signed_in(client, db, former_backend):
    user = UserFactory()
    session = django_db_sessions.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = former_backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.wsgi_request.user == user
