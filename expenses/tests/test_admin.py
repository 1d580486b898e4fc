"""Support sees every expense and deletes or restores it as a member would; nothing posted to
the admin writes an expense, its payers or its shares by hand."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from expenses.models import Expense
from groups.models import Activity, Member
from ledger.tests.checks import assert_books_match_ledger
from splitclone.tests.admin_actions import messages_of, run_action, statuses

pytestmark = pytest.mark.django_db


def balances(world):
    return dict(
        Member.objects.filter(group=world.group).values_list("user__display_name", "balance")
    )


BOOKED = {"Olivia Owner": 1500, "Max Member": -1500, None: 0}
UNBOOKED = {"Olivia Owner": 0, "Max Member": 0, None: 0}


def test_expenses_are_found_and_shown_read_only(staff_client, world):
    listing = staff_client.get(reverse("admin:expenses_expense_changelist"), {"q": "Dinner"})
    page = staff_client.get(reverse("admin:expenses_expense_change", args=[world.expense.pk]))

    assert list(listing.context["cl"].result_list) == [world.expense]
    assert page.status_code == 200
    assert "30.00 EUR" in page.text
    assert "1500" in page.text  # each share, read-only
    assert 'name="payers-0-amount"' not in page.text
    assert 'name="description"' not in page.text


def test_expenses_are_not_added_in_the_admin(staff_client, world):
    assert staff_client.get(reverse("admin:expenses_expense_add")).status_code == 403


def test_an_expense_is_not_edited_in_the_admin(staff_client, world):
    url = reverse("admin:expenses_expense_change", args=[world.expense.pk])

    response = staff_client.post(
        url,
        {
            "description": "Renamed",
            "amount": 9000,
            "currency": "JPY",
            "date": "2026-11-01",
            "category": "food",
            "split_kind": "equal",
            "deleted_at_0": "2026-11-02",
            "deleted_at_1": "10:00",
            "payers-TOTAL_FORMS": 1,
            "payers-INITIAL_FORMS": 1,
            "payers-0-id": world.expense.payers.get().pk,
            "payers-0-amount": 9000,
        },
    )

    assert response.status_code == 403
    world.expense.refresh_from_db()
    assert (world.expense.description, world.expense.amount, world.expense.deleted_at) == (
        "Dinner",
        3000,
        None,
    )
    assert world.expense.payers.get().amount == 3000
    assert_books_match_ledger()


def test_the_delete_page_refuses(staff_client, world):
    response = staff_client.post(
        reverse("admin:expenses_expense_delete", args=[world.expense.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Expense.objects.filter(pk=world.expense.pk, deleted_at__isnull=True).exists()
    assert_books_match_ledger()


def test_the_list_offers_no_hard_delete(staff_client, world):
    response = run_action(staff_client, "delete_selected", world.expense, post="yes")

    assert statuses(response) == [302, 200]
    assert messages_of(response) == ["No action selected."]
    assert Expense.objects.filter(pk=world.expense.pk, deleted_at__isnull=True).exists()
    assert_books_match_ledger()


def test_support_deletes_and_restores_through_the_ledger(staff_client, support, world):
    deleted = run_action(staff_client, "soft_delete", world.expense)

    assert statuses(deleted) == [302, 200]
    assert messages_of(deleted) == ["Deleted 1 expense(s); they can be restored."]
    world.expense.refresh_from_db()
    assert (world.expense.deleted_by, world.expense.version) == (support, 2)
    assert balances(world) == UNBOOKED
    assert_books_match_ledger()

    restored = run_action(staff_client, "restore", world.expense)

    assert statuses(restored) == [302, 200]
    assert messages_of(restored) == ["Restored 1 expense(s)."]
    world.expense.refresh_from_db()
    assert (world.expense.deleted_at, world.expense.version) == (None, 3)
    assert balances(world) == BOOKED
    assert_books_match_ledger()
    history = world.group.activities.filter(actor=support).order_by("id")
    assert [entry.verb for entry in history] == [
        Activity.Verb.EXPENSE_DELETED,
        Activity.Verb.EXPENSE_RESTORED,
    ]


def test_deleting_twice_moves_the_balances_once(staff_client, world):
    run_action(staff_client, "soft_delete", world.expense)
    again = run_action(staff_client, "soft_delete", world.expense)

    assert statuses(again) == [302, 200]
    assert messages_of(again) == []
    assert balances(world) == UNBOOKED
    assert_books_match_ledger()


def test_staff_who_may_only_look_cannot_delete(client, world):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_expense"))
    client.force_login(viewer)

    response = run_action(client, "soft_delete", world.expense)

    # They have no action at all, so the post just shows the list again.
    assert statuses(response) == [200]
    assert not Expense.objects.get(pk=world.expense.pk).is_deleted
    assert balances(world) == BOOKED
