"""The settle-up page in German: its amount fields are filled in and read with a decimal comma."""

import html

import pytest
from django.conf import settings
from django.utils import translation

from settlements.forms import RatesForm
from settlements.models import Payment, PaymentError
from settlements.tests.factories import record_payment
from settlements.tests.test_views import page, record_url, suggestion
from splitclone.money import MAX_AMOUNT

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def german(client, four):
    client.force_login(four.cem.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    return four


def test_the_own_payment_field_is_filled_in_with_a_decimal_comma(client, german):
    response = client.get(page(german))

    assert 'value="40,00" inputmode="decimal"' in response.text


def test_a_part_payment_typed_with_a_decimal_comma_is_recorded(client, german):
    response = client.post(
        record_url(german), suggestion(german, german.cem, german.ana, "12,5"), headers=HTMX
    )

    assert response.status_code == 200
    assert Payment.objects.get().amount == 1250


def test_paying_more_than_owed_is_questioned_with_the_page_s_amounts(client, german):
    response = client.post(
        record_url(german), suggestion(german, german.cem, german.ana, "50,00"), headers=HTMX
    )

    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "50,00\xa0€ ist mehr, als Cem schuldet (40,00\xa0€)" in text
    assert "Saldo von Cem 10,00\xa0€ und der von Ana 30,00\xa0€" in text


def test_the_payment_limit_is_written_in_the_reader_s_language(four):
    with translation.override("de"), pytest.raises(PaymentError) as refused:
        record_payment(four.cem, four.ana, MAX_AMOUNT + 1)

    assert "höchstens 100.000.000.000,00\xa0€ sein." in refused.value.messages[0]


def test_a_payment_reads_in_the_reader_s_language_and_in_english_in_the_admin(four):
    payment = record_payment(four.cem, four.ana, 123456)

    with translation.override("de"):
        assert (payment.summary, str(payment)) == (
            "Cem → Ana 1.234,56\xa0€",
            "Cem → Ana 1,234.56 EUR",
        )
    assert payment.summary == "Cem → Ana 1,234.56 EUR"


def test_a_typed_rate_is_refused_in_the_reader_s_language(four):
    with translation.override("de"):
        form = RatesForm({"rate_ISK": "0"}, group=four.group, currencies={"ISK"})
        errors = form.errors["rate_ISK"]

    assert errors == ["Ein Kurs muss eine positive Zahl sein."]
