import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from groups.models import Member
from ledger.tests.checks import assert_books_match_ledger

pytestmark = pytest.mark.django_db


def test_recompute_balances_action_fixes_drift(staff_client, world):
    Member.objects.filter(pk=world.member_membership.pk).update(balance=999)

    response = staff_client.post(
        reverse("admin:ledger_groupbooks_changelist"),
        {"action": "recompute_balances", "_selected_action": [world.group.pk]},
        follow=True,
    )

    world.member_membership.refresh_from_db()
    assert world.member_membership.balance == -1500
    assert "Lisbon trip: 1 drifting balance(s) corrected." in response.text
    assert_books_match_ledger()


def test_check_balances_action_reports_drift_and_changes_nothing(staff_client, world):
    Member.objects.filter(pk=world.member_membership.pk).update(balance=999)

    response = staff_client.post(
        reverse("admin:ledger_groupbooks_changelist"),
        {"action": "check_balances", "_selected_action": [world.group.pk]},
        follow=True,
    )

    world.member_membership.refresh_from_db()
    assert world.member_membership.balance == 999
    assert "Lisbon trip: 1 balance(s) differ from the ledger." in response.text


def test_the_books_cannot_be_edited_in_the_admin(staff_client, world):
    url = reverse("admin:ledger_groupbooks_change", args=[world.group.pk])

    page = staff_client.get(url)
    change = staff_client.post(url, {"name": "Renamed", "currency": "JPY"})

    assert page.status_code == 200
    assert change.status_code == 403
    world.group.refresh_from_db()
    assert (world.group.name, world.group.currency) == ("Lisbon trip", "EUR")


def test_staff_who_may_only_look_cannot_rebuild(client, world):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_groupbooks"))
    client.force_login(viewer)
    Member.objects.filter(pk=world.member_membership.pk).update(balance=999)

    response = client.post(
        reverse("admin:ledger_groupbooks_changelist"),
        {"action": "recompute_balances", "_selected_action": [world.group.pk]},
    )

    # They have no action at all, so the post just shows the list again.
    assert response.status_code == 200
    world.member_membership.refresh_from_db()
    assert world.member_membership.balance == 999
