"""The expense form in another currency than the group's: rates, conversions, refusals."""

import datetime

import pytest
from django.urls import reverse

from expenses.models import Expense
from expenses.tests.test_expense_views import HTMX, balances, form_data, post_expense, trio
from splitclone import fx

__all__ = ["trio"]  # the fixture, shared with the other view tests

pytestmark = pytest.mark.django_db
SATURDAY = "2025-12-27"  # the ECB's rate of Wednesday 24 December applies


@pytest.fixture
def new_expenses(trio):
    """The expenses the test adds, beside those the shared world starts with."""
    known = list(Expense.objects.values_list("pk", flat=True))
    return lambda: Expense.objects.exclude(pk__in=known).order_by("pk")


def test_the_form_offers_the_group_currency_first(client, trio):
    client.force_login(trio.member)
    response = client.get(reverse("expenses:create", args=[trio.group.pk]))
    assert response.status_code == 200
    assert b"<option selected>EUR</option>" in response.content
    assert b"<option>JPY</option>" in response.content
    assert b"Enter what the card charged in EUR" in response.content


def test_an_expense_in_dollars_is_saved_at_the_reference_rate_of_its_date(
    client, trio, new_expenses
):
    client.force_login(trio.owner)
    response = post_expense(client, trio, amount="123.45", original_currency="USD", date=SATURDAY)
    assert response.status_code == 302
    expense = new_expenses().get()
    assert (expense.original_amount, expense.original_currency) == (12345, "USD")
    assert (expense.amount, expense.currency, expense.rate_source) == (10473, "EUR", "reference")
    assert expense.rate_date == datetime.date(2025, 12, 24)
    assert sorted(share.amount for share in expense.shares.all()) == [3491, 3491, 3491]
    page = client.get(reverse("expenses:detail", args=[trio.group.pk, expense.pk]))
    assert "123.45 USD → 104.73 EUR" in page.content.decode()
    assert "ECB reference rate of 24 Dec 2025" in page.content.decode()
    assert trio.group.activities.latest("pk").summary == (
        "added “Groceries” (123.45 USD → 104.73 EUR)"
    )
    group_page = client.get(reverse("pages:group", args=[trio.group.pk]))
    assert "123.45 USD" in group_page.content.decode()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["no JS", "htmx"])
def test_the_preview_shows_the_rate_and_each_share_in_both_currencies(
    client, trio, headers, new_expenses
):
    client.force_login(trio.owner)
    data = form_data(trio, amount="9800", original_currency="JPY", date=SATURDAY)
    data["action"] = "preview"
    url = "expenses:preview" if headers else "expenses:create"
    response = client.post(reverse(url, args=[trio.group.pk]), data, headers=headers)
    assert response.status_code == 200
    text = response.content.decode()
    # 1 JPY = 1 / 183.83 EUR = 0.005439808519; 9,800 JPY → 53.31 EUR, 17.77 each (3,267 JPY)
    assert "9,800 JPY = 53.31 EUR at 1 JPY = 0.005439808519 EUR" in text
    assert "ECB reference rate of 24 Dec 2025" in text
    assert "17.77 EUR" in text
    assert "(3,267 JPY)" in text
    assert "Together exactly 53.31 EUR." in text
    assert not new_expenses().exists()


def test_an_entered_rate_and_an_amount_charged(client, trio, new_expenses):
    client.force_login(trio.owner)
    entered = post_expense(
        client, trio, amount="12.345", original_currency="BHD", rate_mode="entered", rate="2.2712"
    )
    assert entered.status_code == 302
    charged = post_expense(
        client, trio, amount="45.67", original_currency="GBP", rate_mode="charged", charged="53.21"
    )
    assert charged.status_code == 302
    rows = new_expenses().values_list(
        "original_amount", "original_currency", "amount", "rate_source"
    )
    # 12.345 BHD × 2.2712 = 28.037964 → 28.04 EUR; the card's 53.21 EUR is kept as charged.
    assert list(rows) == [(12345, "BHD", 2804, "entered"), (4567, "GBP", 5321, "charged")]


def test_several_payers_and_exact_parts_typed_in_the_original_currency(client, trio, new_expenses):
    client.force_login(trio.owner)
    owner, member, bob = trio.owner_membership, trio.member_membership, trio.bob
    response = post_expense(
        client,
        trio,
        amount="1000",
        original_currency="JPY",
        rate_mode="entered",
        rate="0.01",
        split_kind="exact",
        paid_by="",
        **{
            f"paid_{owner.pk}": "700",
            f"paid_{member.pk}": "300",
            f"value_{owner.pk}": "500",
            f"value_{member.pk}": "250",
            f"value_{bob.pk}": "250",
        },
    )
    assert response.status_code == 302
    expense = new_expenses().get()
    assert expense.amount == 1000  # 10.00 EUR
    paid, owed = expense.paid_and_owed()
    assert paid == {owner.pk: 700, member.pk: 300}
    assert owed == {owner.pk: 500, member.pk: 250, bob.pk: 250}


BAD_INPUT = {
    "an unknown currency": ({"original_currency": "EUX"}, "original_currency"),
    "a rate of zero": ({"rate_mode": "entered", "rate": "0"}, "rate"),
    "a negative rate": ({"rate_mode": "entered", "rate": "-1.1"}, "rate"),
    "a rate above 10^6": ({"rate_mode": "entered", "rate": "1000001"}, "rate"),
    "a rate below 10^-6": ({"rate_mode": "entered", "rate": "0.0000009"}, "rate"),
    "a rate that is not a number": ({"rate_mode": "entered", "rate": "abc"}, "rate"),
    "no rate": ({"rate_mode": "entered", "rate": ""}, "rate"),
    "decimals JPY does not have": ({"original_currency": "JPY", "amount": "100.5"}, "amount"),
    "a fourth decimal in BHD": ({"original_currency": "BHD", "amount": "1.2345"}, "amount"),
    "a date before the first rate": ({"original_currency": "ILS", "date": "2010-12-31"}, "date"),
    "a currency the ECB does not publish": (
        {"original_currency": "XAF", "amount": "100"},
        "original_currency",
    ),
    "an overflow": (
        {
            "original_currency": "JPY",
            "amount": "100000000000",
            "rate_mode": "entered",
            "rate": "1000",
        },
        "amount",
    ),
    "a charged amount with JPY decimals in EUR": (
        {"rate_mode": "charged", "charged": "12.345"},
        "charged",
    ),
    "a conversion to less than a cent": (
        {"original_currency": "JPY", "amount": "1", "rate_mode": "entered", "rate": "0.001"},
        "amount",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_refused_next_to_its_field_and_saves_nothing(client, trio, case, new_expenses):
    overrides, field = BAD_INPUT[case]
    client.force_login(trio.owner)
    before = balances(trio)
    data = {"original_currency": "USD", "date": SATURDAY, **overrides}
    response = post_expense(client, trio, **data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not new_expenses().exists()
    assert balances(trio) == before


def test_editing_the_date_moves_a_reference_rate_but_keeps_a_typed_one(client, trio, new_expenses):
    client.force_login(trio.owner)
    post_expense(client, trio, amount="100", original_currency="USD", date=SATURDAY)
    post_expense(
        client, trio, amount="100", original_currency="USD", rate_mode="entered", rate="0.9"
    )
    reference, typed = new_expenses()
    new_date = datetime.date(2025, 6, 2)
    for expense in (reference, typed):
        form = client.get(reverse("expenses:edit", args=[trio.group.pk, expense.pk])).context[
            "form"
        ]
        data = form_data(
            trio,
            amount=form.initial["amount"],
            original_currency=form.initial["original_currency"],
            rate_mode=form.initial["rate_mode"],
            rate=form.initial["rate"],
            date=new_date.isoformat(),
            version=expense.version,
            submission_id=str(expense.submission_id),
        )
        response = client.post(reverse("expenses:edit", args=[trio.group.pk, expense.pk]), data)
        assert response.status_code == 302
    reference.refresh_from_db()
    typed.refresh_from_db()
    assert reference.rate == fx.rate("USD", "EUR", new_date).value
    assert reference.rate_date == new_date
    assert (typed.rate, typed.rate_source) == (fx.Decimal("0.9"), "entered")


def test_the_activity_says_what_was_spent_when_edited_deleted_and_restored(
    client, trio, new_expenses
):
    client.force_login(trio.owner)
    post_expense(client, trio, amount="123.45", original_currency="USD", date=SATURDAY)
    expense = new_expenses().get()
    form = client.get(reverse("expenses:edit", args=[trio.group.pk, expense.pk])).context["form"]
    data = form_data(
        trio,
        amount="100",
        original_currency="USD",
        date=SATURDAY,
        version=expense.version,
        submission_id=str(expense.submission_id),
    )
    assert form.initial["amount"] == "123.45"

    client.post(reverse("expenses:edit", args=[trio.group.pk, expense.pk]), data)
    edited = trio.group.activities.latest("pk").summary
    client.post(reverse("expenses:delete", args=[trio.group.pk, expense.pk]))
    deleted = trio.group.activities.latest("pk").summary

    # 10,000 US cents × 0.8483922966 = 8,483.92… euro cents.
    assert edited == (
        "edited “Groceries”: amount 123.45 USD → 100.00 USD; in EUR 104.73 EUR → 84.84 EUR; "
        "who paid or who owes"
    )
    assert deleted == "deleted “Groceries” (100.00 USD → 84.84 EUR)"
