"""Payments typed in another currency than the group's: the expense form's rates and refusals."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from expenses.tests.factories import add_expense
from groups.models import Member
from groups.tests.factories import GroupFactory, MemberFactory
from settlements.models import Payment
from settlements.tests.test_views import HTMX, another, balance, page, record_url

pytestmark = pytest.mark.django_db
SATURDAY = "2025-12-27"  # the ECB's rate of Wednesday 24 December applies


def offered_currencies(response):
    select = response.text.split('name="original_currency"')[1].split("</select>")[0]
    return re.findall(r"<option(?: selected)?>([A-Z]{3})</option>", select)


def test_a_payment_in_dollars_is_recorded_at_the_reference_rate_of_its_date(client, four):
    client.force_login(four.cem.user)
    before = balance(four.cem), balance(four.ana)

    response = client.post(
        record_url(four),
        another(four.cem, four.ana, "40.00", original_currency="USD", date=SATURDAY),
    )

    assert response.status_code == 302
    payment = Payment.objects.get()
    # 4,000 US cents × (1 / 1.1787) = 3,393.57… euro cents: 33.94 EUR.
    assert (payment.original_amount, payment.original_currency) == (4000, "USD")
    assert (payment.amount, payment.currency, payment.rate_source) == (3394, "EUR", "reference")
    assert payment.rate == Decimal("0.8483922966")
    assert payment.rate_date == datetime.date(2025, 12, 24)
    assert (balance(four.cem), balance(four.ana)) == (before[0] + 3394, before[1] - 3394)
    assert four.group.activities.latest("pk").summary == (
        "recorded that Cem paid Ana 40.00 USD → 33.94 EUR"
    )
    text = client.get(page(four)).text
    assert "40.00 USD → 33.94 EUR" in text
    assert "1 USD = 0.8483922966 EUR (ECB reference rate of 24 Dec 2025)" in text


def test_an_entered_rate_and_an_amount_charged(client, four):
    client.force_login(four.cem.user)
    entered = another(four.cem, four.ana, "1000", original_currency="JPY")
    entered |= {"rate_mode": "entered", "rate": "0.0061"}
    charged = another(four.dan, four.ana, "20.000", original_currency="BHD")
    charged |= {"rate_mode": "charged", "charged": "38.10"}

    assert client.post(record_url(four), entered).status_code == 302
    assert client.post(record_url(four), charged).status_code == 302

    by_jpy, by_bhd = Payment.objects.order_by("pk")
    assert (by_jpy.amount, by_jpy.rate, by_jpy.rate_source) == (610, Decimal("0.0061"), "entered")
    assert (by_bhd.original_amount, by_bhd.amount, by_bhd.rate_source) == (20000, 3810, "charged")
    assert by_bhd.rate == Decimal("1.905")


def test_the_larger_than_owed_warning_weighs_the_converted_amount(client, four):
    # Cem owes 40.00 EUR: 40.00 USD is less than that, 40.00 GBP more.
    client.force_login(four.cem.user)
    in_dollars = another(four.cem, four.ana, "40", original_currency="USD", date=SATURDAY)
    in_pounds = another(four.cem, four.ana, "40", original_currency="GBP", date=SATURDAY)

    refused = client.post(record_url(four), in_pounds, headers=HTMX)
    assert refused.status_code == 422
    assert "45.82 EUR is more than Cem owes (40.00 EUR)" in refused.text
    assert client.post(record_url(four), in_dollars, headers=HTMX).status_code == 200


BAD_INPUT = {
    "an unknown currency": ({"original_currency": "XXY"}, "original_currency"),
    "a currency the ECB does not publish": ({"original_currency": "XAF"}, "original_currency"),
    "a rate of zero": ({"rate_mode": "entered", "rate": "0"}, "rate"),
    "a negative rate": ({"rate_mode": "entered", "rate": "-1.1"}, "rate"),
    "an absurdly large rate": ({"rate_mode": "entered", "rate": "1000001"}, "rate"),
    "an absurdly small rate": ({"rate_mode": "entered", "rate": "0.0000009"}, "rate"),
    "a rate that is no number": ({"rate_mode": "entered", "rate": "abc"}, "rate"),
    "yen with decimals": ({"original_currency": "JPY", "amount": "100.5"}, "amount"),
    "dinars with four decimals": ({"original_currency": "BHD", "amount": "1.2345"}, "amount"),
    "a charged amount with three decimals in EUR": (
        {"rate_mode": "charged", "charged": "12.345"},
        "charged",
    ),
    "a date before the first rate": ({"original_currency": "ILS", "date": "2010-12-31"}, "date"),
    "an overflow": (
        {"original_currency": "JPY", "amount": "100000000000", "rate_mode": "entered"}
        | {"rate": "1000"},
        "amount",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_refused_next_to_its_field_and_saves_nothing(client, four, case):
    overrides, field = BAD_INPUT[case]
    client.force_login(four.cem.user)
    before = balance(four.cem)
    data = another(four.cem, four.ana, "10", **{"original_currency": "USD", "date": SATURDAY})

    response = client.post(record_url(four), data | overrides, headers=HTMX)

    assert response.status_code == 422
    errors = response.context["another_form"].errors
    assert list(errors) == [field], errors
    assert f'id="id_sent_{field}_error"' in response.text
    assert not Payment.objects.exists()
    assert balance(four.cem) == before


def test_the_currency_section_is_folded_for_the_group_currency_and_open_for_another(client, four):
    client.force_login(four.cem.user)
    fresh = client.get(page(four), {"currencies": ""})
    assert '<details class="conversion" id="id_original_currency_conversion">' in fresh.text
    sent_back = client.post(
        record_url(four),
        another(four.cem, four.ana, "", original_currency="USD", date=SATURDAY),
        headers=HTMX,
    )
    assert '<details class="conversion" id="id_sent_original_currency_conversion" open>' in (
        sent_back.text
    )


def test_the_last_used_currency_is_offered_second_in_every_group(client, four):
    user = four.cem.user
    client.force_login(user)
    every_currency = {"currencies": ""}
    assert offered_currencies(client.get(page(four), every_currency))[:2] == ["EUR", "AED"]

    client.post(record_url(four), another(four.cem, four.ana, "10", original_currency="CHF"))

    user.refresh_from_db()
    assert user.last_currency == "CHF"
    assert offered_currencies(client.get(page(four), every_currency))[:3] == ["EUR", "CHF", "AED"]
    # Another group, in pounds: its own currency first, then the francs.
    other = GroupFactory(currency="GBP", created_by=user)
    MemberFactory(group=other, user=user)
    expense_form = client.get(reverse("expenses:create", args=[other.pk]))
    assert offered_currencies(expense_form)[:3] == ["GBP", "CHF", "AED"]
    assert offered_currencies(expense_form).count("CHF") == 1


def test_the_last_used_currency_follows_expenses_and_ignores_the_group_currency(four):
    user = four.ana.user
    add_expense(four.group, user, paid={four.ana: 1000}, among=[four.ana, four.ben])
    user.refresh_from_db()
    assert user.last_currency == ""  # an expense in the group's own currency says nothing
    assert Member.objects.get(pk=four.ana.pk).balance == 8500


def test_the_group_s_list_and_activity_show_what_was_spent(client, four):
    client.force_login(four.cem.user)
    client.post(
        record_url(four),
        another(four.cem, four.ana, "40.00", original_currency="USD", date=SATURDAY),
    )
    chalet = four.group.expenses.get(description="Chalet")

    listed = client.get(reverse("pages:ledger", args=[four.group.pk])).text

    assert '<span class="amount">33.94 EUR</span>' in listed
    assert '<span class="muted amount">40.00 USD</span>' in listed
    assert chalet.spent_display == "120.00 EUR"  # an entry in the group's currency: one amount


def test_the_form_offers_the_group_s_currencies_and_a_way_to_every_other(client, four):
    """The group's currency, those its latest expenses and payments were spent in and the
    viewer's last one; "Other currency…" reloads the page with all of them, without JavaScript."""
    client.force_login(four.cem.user)

    fresh = client.get(page(four))

    assert offered_currencies(fresh) == ["EUR"]
    # Nothing to convert while only the group's currency is offered.
    assert 'class="conversion"' not in fresh.text
    other = re.search(
        r'<a class="helptext" href="([^"]+)#another-heading">Other currency…</a>', fresh.text
    )
    every = client.get(other.group(1).replace("&amp;", "&"))
    assert len(offered_currencies(every)) > 150
    assert 'class="conversion"' in every.text
    assert "Other currency…" not in every.text

    # Ana records two payments in other currencies: the dollar is her last one.
    client.force_login(four.ana.user)
    for code in ("JPY", "USD"):
        data = another(four.cem, four.ana, "10", original_currency=code, date=SATURDAY)
        assert client.post(record_url(four), data).status_code == 302

    assert offered_currencies(client.get(page(four))) == ["EUR", "USD", "JPY"]
    client.force_login(four.cem.user)
    assert offered_currencies(client.get(page(four))) == ["EUR", "JPY", "USD"]


def test_a_currency_the_page_did_not_offer_is_recorded(client, four):
    client.force_login(four.cem.user)
    assert "CHF" not in offered_currencies(client.get(page(four)))

    response = client.post(
        record_url(four),
        another(four.cem, four.ana, "10", original_currency="CHF", date=SATURDAY),
    )

    assert response.status_code == 302
    assert Payment.objects.get().original_currency == "CHF"


@pytest.mark.parametrize("code", ["XYZ", "eur", "EURO"])
def test_an_unknown_currency_is_refused_and_saves_nothing(client, four, code):
    client.force_login(four.cem.user)
    before = balance(four.cem)

    response = client.post(
        record_url(four),
        another(four.cem, four.ana, "10", original_currency=code, date=SATURDAY),
        headers=HTMX,
    )

    assert response.status_code == 422
    errors = response.context["another_form"].errors
    assert errors["original_currency"] == [f"Unknown currency “{code}”."]
    assert 'id="id_sent_original_currency_error"' in response.text
    # An unknown code is not offered back as a choice.
    assert code not in offered_currencies(response)
    assert not Payment.objects.exists()
    assert balance(four.cem) == before


def test_a_currency_sent_from_the_long_list_stays_chosen_when_the_form_comes_back(client, four):
    client.force_login(four.cem.user)

    response = client.post(
        record_url(four),
        another(four.cem, four.ana, "", original_currency="CHF", date=SATURDAY),
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "<option selected>CHF</option>" in response.text
    assert offered_currencies(response) == ["EUR", "CHF"]


@pytest.mark.parametrize("entries", [1, 12])
def test_the_group_s_other_currencies_cost_two_queries_whatever_its_history(
    client, four, django_assert_num_queries, entries
):
    client.force_login(four.ana.user)
    for _ in range(entries):
        data = another(four.cem, four.ana, "1", original_currency="USD", date=SATURDAY)
        assert client.post(record_url(four), data).status_code == 302
    client.force_login(four.ben.user)
    client.get(page(four))  # the plan of the new balances, worked out and kept

    # session, user, membership, members with users, stored plans, latest payments, pending
    # payments' total, and the currencies of the latest expenses, then payments
    with django_assert_num_queries(9):
        response = client.get(page(four))

    assert offered_currencies(response) == ["EUR", "USD"]
