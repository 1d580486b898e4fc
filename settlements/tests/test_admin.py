import pytest
from django.urls import reverse

from groups.models import Activity
from ledger.tests.checks import assert_books_match_ledger
from settlements.models import Payment
from settlements.tests.factories import record_payment
from splitclone.tests.admin_actions import messages_of, run_action, statuses


def balances(four):
    return [m.balance for m in four.group.members.order_by("id")]


@pytest.mark.parametrize(("query", "payers"), [("Cem", ["Cem"]), ("dan", ["Dan"]), ("Ben", [])])
def test_payments_are_found_by_member_name(staff_client, four, query, payers):
    record_payment(four.cem, four.ana, 4000)
    record_payment(four.dan, four.ana, 4000)

    response = staff_client.get(reverse("admin:settlements_payment_changelist"), {"q": query})

    assert response.status_code == 200
    assert [p.from_member.display_name for p in response.context["cl"].result_list] == payers


def test_a_payment_is_shown_and_not_edited(staff_client, four):
    payment = record_payment(four.cem, four.ana, 4000, note="Cash")
    url = reverse("admin:settlements_payment_change", args=[payment.pk])

    page = staff_client.get(url)
    change = staff_client.post(
        url, {"note": "Bank transfer", "amount": 1, "to_member": four.ben.pk, "deleted_at": ""}
    )

    assert page.status_code == 200
    assert "40.00 EUR" in page.text
    assert change.status_code == 403
    payment.refresh_from_db()
    assert (payment.note, payment.amount, payment.to_member) == ("Cash", 4000, four.ana)
    assert_books_match_ledger()


def test_payments_are_neither_added_nor_deleted_in_the_admin(staff_client, four):
    payment = record_payment(four.cem, four.ana, 4000)

    add = staff_client.get(reverse("admin:settlements_payment_add"))
    delete = staff_client.post(
        reverse("admin:settlements_payment_delete", args=[payment.pk]), {"post": "yes"}
    )
    delete_selected = run_action(staff_client, "delete_selected", payment, post="yes")

    assert (add.status_code, delete.status_code) == (403, 403)
    assert statuses(delete_selected) == [302, 200]
    assert messages_of(delete_selected) == ["No action selected."]
    assert Payment.objects.live().filter(pk=payment.pk).exists()
    assert_books_match_ledger()


def test_support_deletes_and_restores_through_the_ledger(staff_client, support, four):
    payment = record_payment(four.cem, four.ana, 4000)
    assert balances(four) == [4000, 0, 0, -4000]

    deleted = run_action(staff_client, "soft_delete", payment)

    assert statuses(deleted) == [302, 200]
    assert messages_of(deleted) == ["Deleted 1 payment(s); they can be restored."]
    assert balances(four) == [8000, 0, -4000, -4000]
    assert_books_match_ledger()

    restored = run_action(staff_client, "restore", payment)

    assert statuses(restored) == [302, 200]
    assert messages_of(restored) == ["Restored 1 payment(s)."]
    assert balances(four) == [4000, 0, 0, -4000]
    assert_books_match_ledger()
    payment.refresh_from_db()
    assert (payment.deleted_at, payment.version) == (None, 3)
    history = four.group.activities.filter(actor=support).order_by("id")
    assert [entry.verb for entry in history] == [
        Activity.Verb.PAYMENT_DELETED,
        Activity.Verb.PAYMENT_RESTORED,
    ]
