"""Support finds API tokens and revokes a leaked one through the model, as its owner would; the
stored hash never shows, and nothing is added or edited by hand."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from api.models import AccessToken, Scope
from splitclone.tests.admin_actions import messages_of, run_action, statuses

pytestmark = pytest.mark.django_db


def issue(user, name="Script", scope=Scope.READ):
    return AccessToken.objects.issue(user=user, name=name, scope=scope)


def test_tokens_are_listed_with_their_owner_and_never_their_hash(staff_client):
    owner = UserFactory(email="olivia@example.com")
    token, secret = issue(owner, "Budget sync", Scope.WRITE)

    listing = staff_client.get(reverse("admin:api_accesstoken_changelist"), {"q": "olivia@"})
    page = staff_client.get(reverse("admin:api_accesstoken_change", args=[token.pk]))

    assert list(listing.context["cl"].result_list) == [token]
    for response in (listing, page):
        assert response.status_code == 200
        assert "Budget sync" in response.text
        assert token.shown in response.text
        assert token.digest not in response.text
        assert secret not in response.text
    assert 'name="name"' not in page.text


def test_the_list_filters_revoked_tokens(staff_client):
    user = UserFactory()
    live, _ = issue(user, "Live")
    gone, _ = issue(user, "Gone")
    gone.revoke()

    url = reverse("admin:api_accesstoken_changelist")
    revoked = staff_client.get(url, {"revoked_at__isnull": "False"})
    usable = staff_client.get(url, {"revoked_at__isnull": "True"})

    assert list(revoked.context["cl"].result_list) == [gone]
    assert list(usable.context["cl"].result_list) == [live]


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_reads_a_constant_number_of_queries(
    staff_client, django_assert_num_queries, count
):
    for number in range(count):
        issue(UserFactory(), f"Token {number}")

    # session, user, the count of the filtered rows, the count of all rows, the page of tokens
    # with their users, the first and last dates and the days of the date hierarchy
    with django_assert_num_queries(7):
        response = staff_client.get(reverse("admin:api_accesstoken_changelist"))

    assert len(response.context["cl"].result_list) == count


def test_revoking_stops_the_token_and_keeps_earlier_revocations(staff_client, client):
    user = UserFactory()
    leaked, secret = issue(user, "Leaked")
    old, _ = issue(user, "Old")
    earlier = timezone.now() - datetime.timedelta(days=3)
    AccessToken.objects.filter(pk=old.pk).update(revoked_at=earlier)

    response = run_action(staff_client, "revoke", leaked, old)

    assert statuses(response) == [302, 200]
    assert messages_of(response) == [
        "Revoked 1 token(s); programs using them are refused from now on."
    ]
    assert AccessToken.objects.authenticate(secret) is None
    old.refresh_from_db()
    assert old.revoked_at == earlier


def test_staff_who_may_only_look_cannot_revoke(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_accesstoken"))
    client.force_login(viewer)
    token, secret = issue(UserFactory())

    response = run_action(client, "revoke", token)

    assert statuses(response) == [200]
    assert AccessToken.objects.authenticate(secret) == token


def test_tokens_are_not_made_edited_or_deleted_in_the_admin(staff_client):
    token, _ = issue(UserFactory(), "Script", Scope.READ)
    change = reverse("admin:api_accesstoken_change", args=[token.pk])

    assert staff_client.get(reverse("admin:api_accesstoken_add")).status_code == 403
    staff_client.post(change, {"name": "Renamed", "scope": Scope.WRITE})
    delete = staff_client.post(
        reverse("admin:api_accesstoken_delete", args=[token.pk]), {"post": "yes"}
    )

    assert delete.status_code == 403
    token.refresh_from_db()
    assert (token.name, token.scope, token.revoked_at) == ("Script", Scope.READ, None)
