"""The settle-up page in German: its amount fields are filled in and read with a decimal comma."""

import pytest
from django.conf import settings

from settlements.models import Payment
from settlements.tests.test_views import page, record_url, suggestion

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
