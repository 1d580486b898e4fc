import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from groups.models import Member
from ledger import books
from ledger.models import CurrencyBalance, CurrencyPairBalance
from ledger.tests.checks import assert_books_match_ledger
from settlements.tests.test_convert_at_settlement import SETTLED_ON, settlement_group, spend

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


@pytest.fixture
def converted_group(db):
    """A group that converts at settlement, with USD balances open, then converted once."""
    group, owner, (ana, bob, cia, _) = settlement_group()
    spend(group, owner, ana, [ana, bob, cia], 12345, "USD")
    spend(group, owner, bob, [ana, bob], 9000, "JPY")
    return group, owner


def test_the_books_show_balances_in_other_currencies_read_only(staff_client, converted_group):
    group, _ = converted_group
    url = reverse("admin:ledger_groupbooks_change", args=[group.pk])

    page = staff_client.get(url)

    assert page.status_code == 200
    shown = {
        inline.formset.model: [
            (form.instance.currency, form.instance.amount) for form in inline.formset.forms
        ]
        for inline in page.context["inline_admin_formsets"]
    }
    assert sorted(shown[CurrencyBalance]) == sorted(
        (row.currency, row.amount) for row in CurrencyBalance.objects.filter(group=group)
    )
    assert sorted(shown[CurrencyPairBalance]) == sorted(
        (row.currency, row.amount) for row in CurrencyPairBalance.objects.filter(group=group)
    )
    assert {currency for currency, _ in shown[CurrencyBalance]} == {"USD", "JPY"}
    for inline in page.context["inline_admin_formsets"]:
        assert not inline.has_add_permission
        assert not inline.has_change_permission
        assert not inline.has_delete_permission


def test_conversions_are_shown_and_never_changed(staff_client, converted_group):
    group, owner = converted_group
    with books.change(group.pk) as locked:
        conversion = books.convert_open_balances(locked, on_date=SETTLED_ON, actor=owner)
    url = reverse("admin:ledger_balanceconversion_change", args=[conversion.pk])

    listed = staff_client.get(reverse("admin:ledger_balanceconversion_changelist"))
    page = staff_client.get(url)
    change = staff_client.post(url, {"date": "2026-01-01"})
    add = staff_client.get(reverse("admin:ledger_balanceconversion_add"))
    delete = staff_client.post(
        reverse("admin:ledger_balanceconversion_delete", args=[conversion.pk]), {"post": "yes"}
    )

    assert list(listed.context["cl"].result_list) == [conversion]
    assert page.status_code == 200
    (lines,) = page.context["inline_admin_formsets"]
    assert len(lines.formset.forms) == conversion.lines.count() == 3
    assert (change.status_code, add.status_code, delete.status_code) == (403, 403, 403)
    conversion.refresh_from_db()
    assert conversion.date == SETTLED_ON
    assert not books.recompute_group(group, check=True)
