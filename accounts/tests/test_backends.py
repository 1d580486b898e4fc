"""The backends' lookup of the signed-in person, compiled once (accounts.backends)."""

from unittest.mock import patch

import pytest
from django.contrib.auth import get_backends
from django.db.models.sql.compiler import SQLCompiler
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory


@pytest.fixture(params=get_backends(), ids=lambda backend: type(backend).__name__)
def backend(request):
    return request.param


def fields(user):
    return {name: value for name, value in vars(user).items() if name != "_state"}


def test_the_person_is_the_one_the_orm_loads(backend, db, django_assert_num_queries):
    user = UserFactory(language="de", confirms_payments=True)

    with django_assert_num_queries(1):
        loaded = backend.get_user(user.pk)

    assert fields(loaded) == fields(User.objects.get(pk=user.pk))
    assert loaded._state.adding is False
    assert loaded._state.db == "default"


def test_an_unknown_id_is_nobody(backend, db):
    assert backend.get_user(UserFactory().pk + 1) is None


def test_a_deactivated_person_is_nobody(backend, db):
    assert backend.get_user(UserFactory(is_active=False).pk) is None


def test_the_query_is_compiled_once(backend, db):
    first, second = UserFactory(), UserFactory()
    backend.get_user(first.pk)

    with patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled again")):
        assert backend.get_user(second.pk) == second


def test_a_signed_in_page_knows_its_person(client, db):
    user = UserFactory(display_name="Dana")
    client.force_login(user)

    response = client.get(reverse("accounts:language"))

    assert response.wsgi_request.user == user
    assert "Dana" in response.text


def test_an_id_written_as_text_finds_the_same_person(backend, db):
    user = UserFactory()

    assert backend.get_user(str(user.pk)) == user
