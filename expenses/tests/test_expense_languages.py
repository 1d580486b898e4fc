"""The expense form reads and fills in amounts the way the page's language writes them."""

import datetime
import html
import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from expenses.models import Expense
from expenses.tests.factories import add_recurring
from expenses.tests.test_currencies import SATURDAY
from expenses.tests.test_expense_views import form_data, post_expense, trio  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def german(client, trio):  # noqa: F811
    client.force_login(trio.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    return trio


def test_german_amounts_with_thousands_dots_and_decimal_commas(client, german):
    response = post_expense(
        client,
        german,
        amount="1.234,56",
        paid_by="",
        **{
            f"paid_{german.owner_membership.pk}": "1.000,00",
            f"paid_{german.bob.pk}": "234,56",
        },
    )

    assert response.status_code == 302
    expense = Expense.objects.latest("id")
    assert expense.amount == 123456
    payers = {payer.member_id: payer.amount for payer in expense.payers.all()}
    assert payers == {german.owner_membership.pk: 100000, german.bob.pk: 23456}


def test_a_thousands_dot_is_never_read_as_a_decimal_point(client, german):
    response = post_expense(client, german, amount="1.234")

    assert response.status_code == 422
    assert "„1.234“ ist für EUR mehrdeutig" in response.text
    assert not Expense.objects.filter(description="Groceries").exists()


def test_the_edit_form_fills_in_amounts_with_a_decimal_comma(client, german):
    post_expense(
        client,
        german,
        amount="1.234,56",
        paid_by="",
        **{
            f"paid_{german.owner_membership.pk}": "1000",
            f"paid_{german.bob.pk}": "234,56",
        },
    )
    expense = Expense.objects.latest("id")

    page = client.get(reverse("expenses:edit", args=[german.group.pk, expense.pk]))

    assert 'value="1234,56"' in page.text
    assert 'value="1000,00"' in page.text
    assert 'value="234,56"' in page.text


def test_the_date_picker_gets_an_iso_date_in_every_language(client, german):
    page = client.get(reverse("expenses:create", args=[german.group.pk]))

    # A date input reads "29.11.2026" as no date at all, and the form would then say it is missing.
    assert re.search(r'<input type="date" name="date" value="\d{4}-\d{2}-\d{2}"', page.text)


def test_the_limit_of_an_amount_is_written_as_the_page_writes_amounts(client, german):
    response = post_expense(client, german, amount="100.000.000.000,01")

    assert response.status_code == 422
    assert "das Limit ist 100.000.000.000,00\xa0€" in html.unescape(response.text)


def test_exact_amounts_that_miss_the_total_are_named_as_the_page_writes_amounts(client, german):
    typed = {german.owner_membership: "50", german.member_membership: "30", german.bob: "10"}
    entries = {f"value_{member.pk}": value for member, value in typed.items()}

    response = post_expense(client, german, amount="1.000,00", split_kind="exact", **entries)

    assert response.status_code == 422
    assert "ergeben zusammen 90,00\xa0€, 910,00\xa0€ weniger" in html.unescape(response.text)


def test_the_saved_message_writes_the_amount_as_the_page_does(client, german):
    response = post_expense(client, german, amount="1.234,56")

    assert response.status_code == 302
    saved = [str(message) for message in get_messages(response.wsgi_request)]
    assert saved == ["„Groceries“ gespeichert (1.234,56\xa0€)."]


def test_in_english_the_same_sentences_keep_the_english_amounts(client, trio):  # noqa: F811
    client.force_login(trio.owner)

    too_large = post_expense(client, trio, amount="100000000000.01")
    saved = post_expense(client, trio, amount="1234.56")

    assert "the limit is 100,000,000,000.00 EUR" in html.unescape(too_large.text)
    assert [str(message) for message in get_messages(saved.wsgi_request)] == [
        "Saved “Groceries” (1,234.56 EUR)."
    ]


def test_recurring_expenses_are_listed_with_the_page_s_amounts(client, german):
    add_recurring(
        german.group,
        german.owner,
        start=datetime.date(2026, 12, 1),
        paid={german.owner_membership: 123456},
        among=[german.owner_membership, german.member_membership],
        description="Rent",
    )

    page = client.get(reverse("expenses:recurring_list", args=[german.group.pk]))

    assert "Rent</strong> · 1.234,56\xa0€" in page.text


def test_a_conversion_is_previewed_and_shown_with_the_page_s_amounts(client, german):
    data = form_data(german, amount="9800", original_currency="JPY", date=SATURDAY)
    preview = client.post(
        reverse("expenses:create", args=[german.group.pk]), {**data, "action": "preview"}
    )
    saved = post_expense(client, german, amount="123,45", original_currency="USD", date=SATURDAY)
    expense = Expense.objects.latest("id")
    detail = client.get(reverse("expenses:detail", args=[german.group.pk, expense.pk]))

    assert "9.800\xa0¥ = 53,31\xa0€" in html.unescape(preview.text)
    assert saved.status_code == 302
    assert "123,45\xa0$ → 104,73\xa0€" in html.unescape(detail.text)


def test_an_amount_that_converts_to_nothing_names_the_smallest_amount_as_the_page_does(
    client, german
):
    response = post_expense(client, german, amount="1", original_currency="IDR", date=SATURDAY)

    assert response.status_code == 422
    assert "weniger als 0,01\xa0€" in html.unescape(response.text)


def test_an_expense_names_its_category_in_the_reader_s_language():
    groceries = Expense(category="groceries")

    with translation.override("de"):
        assert groceries.get_category_display() == "Lebensmittel"
    with translation.override("en"):
        assert groceries.get_category_display() == "Groceries"
    # A value dropped from the categories since it was saved reads as it is stored.
    assert Expense(category="pets").get_category_display() == "pets"
