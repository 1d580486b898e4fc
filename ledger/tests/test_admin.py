import pytest
from django.urls import reverse

from groups.models import Member
from groups.tests.test_admin import staff_client  # noqa: F401

pytestmark = pytest.mark.django_db


def test_recompute_balances_action_fixes_drift(staff_client, world):  # noqa: F811
    Member.objects.filter(pk=world.member_membership.pk).update(balance=999)

    response = staff_client.post(
        reverse("admin:ledger_groupbooks_changelist"),
        {"action": "recompute_balances", "_selected_action": [world.group.pk]},
        follow=True,
    )

    world.member_membership.refresh_from_db()
    assert world.member_membership.balance == -1500
    assert "Lisbon trip: 1 drifting balance(s) corrected." in response.text


def test_check_balances_action_reports_drift_and_changes_nothing(staff_client, world):  # noqa: F811
    Member.objects.filter(pk=world.member_membership.pk).update(balance=999)

    response = staff_client.post(
        reverse("admin:ledger_groupbooks_changelist"),
        {"action": "check_balances", "_selected_action": [world.group.pk]},
        follow=True,
    )

    world.member_membership.refresh_from_db()
    assert world.member_membership.balance == 999
    assert "Lisbon trip: 1 balance(s) differ from the ledger." in response.text


def test_the_books_cannot_be_edited_in_the_admin(staff_client, world):  # noqa: F811
    url = reverse("admin:ledger_groupbooks_change", args=[world.group.pk])

    page = staff_client.get(url)
    change = staff_client.post(url, {"name": "Renamed", "currency": "JPY"})

    assert page.status_code == 200
    assert change.status_code == 403
    world.group.refresh_from_db()
    assert (world.group.name, world.group.currency) == ("Lisbon trip", "EUR")
