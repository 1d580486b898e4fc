"""Per-address rate limits count each client, behind the load balancer as well as without it."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOAD_BALANCER = "10.0.1.17"
# The load balancer's subnet, as FORWARDED_ALLOW_IPS names it in production.
behind_the_load_balancer = override_settings(
    TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_NETWORKS=["10.0.0.0/16"]
)

# ACCOUNT_RATE_LIMITS: "login_failed" allows 10 a minute per address (refused with a form
# error), allauth's default "login" 30 posts a minute per address (refused with a 429).
FAILED_LOGINS_PER_MINUTE = 10
LOGINS_PER_MINUTE = 30
TOO_MANY_FAILURES = "Too many failed login attempts"


def log_in(email, password=DEFAULT_PASSWORD, **meta):
    """A login post from a fresh browser; `meta` says where it comes from."""
    return Client().post(reverse("account_login"), {"login": email, "password": password}, **meta)


def through_the_load_balancer(forwarded_for):
    return {"REMOTE_ADDR": LOAD_BALANCER, "HTTP_X_FORWARDED_FOR": forwarded_for}


def fail_logins(count, meta_for_attempt):
    """Failed logins for made-up addresses (so only the per-address limit counts them)."""
    for attempt in range(count):
        response = log_in(f"nobody{attempt}@example.com", "wrong", **meta_for_attempt(attempt))
        assert response.status_code == 200
        assert "not correct" in response.text


@behind_the_load_balancer
def test_failed_logins_of_one_client_do_not_lock_out_the_others_behind_the_balancer():
    UserFactory(email="grace@example.com")
    attacker = through_the_load_balancer("198.51.100.7")
    fail_logins(FAILED_LOGINS_PER_MINUTE, lambda attempt: attacker)

    refused = log_in("nobody-more@example.com", "wrong", **attacker)
    other_client = log_in("grace@example.com", **through_the_load_balancer("203.0.113.20"))

    assert TOO_MANY_FAILURES in refused.text
    assert other_client.status_code == 302


@behind_the_load_balancer
def test_logins_of_many_clients_behind_the_balancer_are_not_refused():
    UserFactory(email="grace@example.com")

    answers = [
        log_in("grace@example.com", **through_the_load_balancer(f"203.0.113.{n}")).status_code
        for n in range(1, LOGINS_PER_MINUTE + 6)
    ]
    one_client = through_the_load_balancer("198.51.100.7")
    for _ in range(LOGINS_PER_MINUTE):
        assert log_in("grace@example.com", **one_client).status_code == 302

    assert answers == [302] * (LOGINS_PER_MINUTE + 5)
    assert log_in("grace@example.com", **one_client).status_code == 429


def test_without_a_proxy_a_forged_forwarded_for_buys_no_fresh_limit():
    # No proxy hop is configured in development and tests: X-Forwarded-For is the client's own,
    # even from an address that FORWARDED_ALLOW_IPS trusts by default.
    direct = {"REMOTE_ADDR": "127.0.0.1"}
    fail_logins(
        FAILED_LOGINS_PER_MINUTE,
        lambda attempt: {**direct, "HTTP_X_FORWARDED_FOR": f"192.0.2.{attempt}"},
    )

    refused = log_in(
        "nobody-more@example.com", "wrong", HTTP_X_FORWARDED_FOR="192.0.2.99", **direct
    )

    assert TOO_MANY_FAILURES in refused.text


@behind_the_load_balancer
def test_behind_the_balancer_only_the_address_it_appended_counts():
    UserFactory(email="grace@example.com")
    # The client writes the left part; the balancer appends the address it saw.
    fail_logins(
        FAILED_LOGINS_PER_MINUTE,
        lambda attempt: through_the_load_balancer(f"192.0.2.{attempt}, 198.51.100.7"),
    )

    refused = log_in(
        "nobody-more@example.com", "wrong", **through_the_load_balancer("192.0.2.99, 198.51.100.7")
    )
    # Naming someone else's address on the left does not spend their allowance either.
    other_client = log_in(
        "grace@example.com", **through_the_load_balancer("198.51.100.7, 203.0.113.20")
    )

    assert TOO_MANY_FAILURES in refused.text
    assert other_client.status_code == 302


@behind_the_load_balancer
def test_a_client_reaching_the_app_around_the_balancer_cannot_forge_its_address():
    direct = {"REMOTE_ADDR": "198.51.100.7"}
    fail_logins(
        FAILED_LOGINS_PER_MINUTE,
        lambda attempt: {**direct, "HTTP_X_FORWARDED_FOR": f"192.0.2.{attempt}"},
    )

    refused = log_in(
        "nobody-more@example.com", "wrong", HTTP_X_FORWARDED_FOR="192.0.2.99", **direct
    )

    assert TOO_MANY_FAILURES in refused.text
