import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from settlements.models import Payment
from settlements.tests.factories import record_payment


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(("query", "payers"), [("Cem", ["Cem"]), ("dan", ["Dan"]), ("Ben", [])])
def test_payments_are_found_by_member_name(staff_client, four, query, payers):
    record_payment(four.cem, four.ana, 4000)
    record_payment(four.dan, four.ana, 4000)

    response = staff_client.get(reverse("admin:settlements_payment_changelist"), {"q": query})

    assert response.status_code == 200
    assert [p.from_member.display_name for p in response.context["cl"].result_list] == payers


def test_amounts_are_read_only_and_the_note_can_be_corrected(staff_client, four):
    payment = record_payment(four.cem, four.ana, 4000)
    url = reverse("admin:settlements_payment_change", args=[payment.pk])

    page = staff_client.get(url)
    staff_client.post(url, {"note": "Bank transfer", "amount": 1})

    assert "40.00 EUR" in page.text
    payment.refresh_from_db()
    assert (payment.note, payment.amount) == ("Bank transfer", 4000)


def test_payments_are_neither_added_nor_deleted_in_the_admin(staff_client, four):
    payment = record_payment(four.cem, four.ana, 4000)

    assert staff_client.get(reverse("admin:settlements_payment_add")).status_code == 403
    response = staff_client.post(reverse("admin:settlements_payment_delete", args=[payment.pk]))
    assert response.status_code == 403
    assert Payment.objects.filter(pk=payment.pk).exists()
