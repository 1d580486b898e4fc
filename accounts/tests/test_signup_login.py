import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "plum-harbour-velvet-42"


def signup(client, **overrides):
    data = {
        "display_name": "Grace Hopper",
        "email": "grace@example.com",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        **overrides,
    }
    return client.post(reverse("account_signup"), data)


def errors_of(response):
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def test_signup_page_uses_the_site_layout(client):
    response = client.get(reverse("account_signup"))

    assert response.status_code == 200
    assert 'class="site-header"' in response.text
    assert '<label for="id_display_name">Your name' in response.text


def test_signup_creates_the_account_with_its_display_name(client):
    response = signup(client, email="Grace@Example.COM", display_name="  Grace   Hopper ")

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.display_name) == ("grace@example.com", "Grace Hopper")
    assert EmailAddress.objects.filter(user=user, verified=False).exists()
    assert "Confirm" in mail.outbox[0].subject


def test_signup_with_a_taken_email_says_so_and_creates_nothing(client):
    UserFactory(email="grace@example.com")

    response = signup(client, email="GRACE@example.com")

    assert response.status_code == 200
    assert "already registered" in " ".join(errors_of(response)["email"])
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password1": "12345678", "password2": "12345678"}, "password1", "too common"),
        ({"password2": "something-else-entirely"}, "password2", "same password"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"display_name": "   "}, "display_name", "required"),
    ],
)
def test_bad_signup_input_is_explained_next_to_the_field(client, overrides, field, message):
    response = signup(client, **overrides)

    assert response.status_code == 200
    assert message in " ".join(errors_of(response)[field]).lower()
    assert 'aria-invalid="true"' in response.text
    assert not User.objects.exists()


def test_signup_without_csrf_token_is_refused(db):
    response = signup(Client(enforce_csrf_checks=True))

    assert response.status_code == 403
    assert not User.objects.exists()


def test_mandatory_verification_keeps_the_account_locked_until_confirmed(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"

    response = signup(client)
    assert response.url == reverse("account_email_verification_sent")
    assert client.get(reverse("home")).status_code == 302

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    confirm = client.post(link)

    assert confirm.status_code == 302
    assert EmailAddress.objects.get().verified
    assert client.get(reverse("home")).status_code == 200


def test_login_and_logout(client):
    user = UserFactory(email="ada@example.com")

    login = client.post(
        reverse("account_login"), {"login": "ADA@example.com", "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 302
    assert client.get(reverse("home")).context["user"] == user

    # Logging out by GET only asks for confirmation; a link cannot log someone out.
    assert client.get(reverse("account_logout")).status_code == 200
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="ada@example.com")

    response = client.post(reverse("account_login"), {"login": "ada@example.com", "password": "x"})

    assert response.status_code == 200
    assert "not correct" in response.text


def test_repeated_failed_logins_are_rate_limited(client):
    UserFactory(email="ada@example.com")
    attempt = {"login": "ada@example.com", "password": "wrong-password"}
    for _ in range(5):
        client.post(reverse("account_login"), attempt)

    response = client.post(
        reverse("account_login"), {"login": "ada@example.com", "password": DEFAULT_PASSWORD}
    )

    assert "Too many failed login attempts" in response.text
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)


def test_password_reset_sends_a_working_link(client):
    user = UserFactory(email="ada@example.com")

    client.post(reverse("account_reset_password"), {"email": "ada@example.com"})
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_staff_reach_the_admin_and_others_do_not(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/accounts/user/").status_code == 200

    client.force_login(UserFactory())
    assert client.get("/admin/accounts/user/").status_code == 302
