import pytest
from django.db import IntegrityError

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_create_user_normalises_the_email():
    user = User.objects.create_user("  Ada@Example.COM", "pw-123456789", display_name="Ada")

    assert user.email == "ada@example.com"
    assert User.objects.get_by_natural_key("ADA@example.com") == user
    assert str(user) == "Ada"


def test_create_user_requires_an_email():
    with pytest.raises(ValueError, match="email address is required"):
        User.objects.create_user("", "pw")


def test_create_superuser_is_staff():
    admin = User.objects.create_superuser("root@example.com", "pw", display_name="Root")

    assert admin.is_staff
    assert admin.is_superuser


def test_the_database_rejects_mixed_case_emails():
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="Mixed@Example.com", display_name="M")])


def test_clean_tidies_email_and_name():
    user = User(email="Bob@Example.com", display_name="  Bob  ")

    user.clean()

    assert (user.email, user.display_name) == ("bob@example.com", "Bob")
