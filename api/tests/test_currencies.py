"""Expenses in other currencies through the API: the page's form converts them, with its words."""

import datetime
import uuid

import pytest
import time_machine
from django.utils import timezone

from api.endpoints import expense_form
from api.schemas import ExpenseIn
from api.tests.conftest import token
from api.tests.test_access import expense_body
from expenses.forms import ExpenseForm
from expenses.models import Expense
from expenses.views import form_members
from groups.models import ConversionFixed, ConvertAt, Group
from splitclone import fx

CONVERTED_FIELDS = [
    "amount",
    "currency",
    "original_amount",
    "original_currency",
    "rate",
    "rate_source",
    "rate_date",
    "shares_currency",
]
DINNER = {"amount": "123.45", "date": "2025-12-27", "original_currency": "USD"}


@pytest.fixture
def owner_token(world):
    return token(world.owner)


def expenses_path(world):
    return f"/groups/{world.group.pk}/expenses"


def settle_in_original(world):
    Group.objects.filter(pk=world.group.pk).update(convert_at=ConvertAt.SETTLEMENT)
    world.group.refresh_from_db()


def test_reference_rate_of_the_date(world, api, owner_token):
    response = api.post(expenses_path(world), expense_body(world, **DINNER), token=owner_token)
    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in CONVERTED_FIELDS} == {
        "amount": 10473,
        "currency": "EUR",
        "original_amount": 12345,
        "original_currency": "USD",
        "rate": "0.8483922966",
        "rate_source": "reference",
        "rate_date": "2025-12-24",
        "shares_currency": "EUR",
    }
    assert sum(part["amount"] for part in body["owed"]) == 10473


@pytest.mark.parametrize(
    ("change", "amount", "rate", "source"),
    [
        ({"rate_source": "entered", "rate": "0.9"}, 11110, "0.9", "entered"),
        ({"rate_source": "charged", "charged": "105.00"}, 10500, "0.8505467801", "charged"),
    ],
)
def test_typed_rate_or_amount_charged(world, api, owner_token, change, amount, rate, source):
    body = expense_body(world, **DINNER, **change)
    response = api.post(expenses_path(world), body, token=owner_token)
    assert response.status_code == 201
    answer = response.json()
    assert (answer["amount"], answer["rate"], answer["rate_source"]) == (amount, rate, source)
    assert answer["rate_date"] is None


def test_group_currency_when_left_out(world, api, owner_token):
    response = api.post(expenses_path(world), expense_body(world), token=owner_token)
    body = response.json()
    assert (body["original_currency"], body["rate"], body["rate_source"]) == ("EUR", "1", "same")
    assert body["original_amount"] == body["amount"] == 1250


BAD = [
    ({"original_currency": "XYZ"}, "original_currency"),
    ({"rate_source": "guessed"}, "rate_source"),
    ({"rate_source": "entered", "rate": "0"}, "rate"),
    ({"rate_source": "entered", "rate": "-1.2"}, "rate"),
    ({"rate_source": "entered", "rate": "2000000"}, "rate"),
    ({"rate_source": "entered", "rate": "lots"}, "rate"),
    ({"rate_source": "entered"}, "rate"),
    ({"amount": "12.345"}, "amount"),
    ({"original_currency": "JPY", "amount": "1200.5"}, "amount"),
    ({"rate_source": "charged", "charged": "104.731"}, "charged"),
    ({"original_currency": "ILS", "date": "2010-06-01"}, "date"),
    ({"original_currency": "KWD"}, "original_currency"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_bad_conversions_are_422_with_the_forms_words(world, api, owner_token, change, field):
    body = expense_body(world, **{**DINNER, **change})
    response = api.post(expenses_path(world), body, token=owner_token)
    assert response.status_code == 422
    members = form_members(world.group)
    form = ExpenseForm(
        expense_form(ExpenseIn(**body), members, submission=uuid.uuid4()),
        group=world.group,
        members=members,
    )
    assert not form.is_valid()
    page_field = "rate_mode" if field == "rate_source" else field
    assert response.json()["errors"] == {field: form.errors[page_field]}
    assert Expense.objects.count() == 2


def test_an_edit_keeps_the_currency_it_is_sent(world, api, owner_token):
    created = api.post(expenses_path(world), expense_body(world, **DINNER), token=owner_token)
    path = f"{expenses_path(world)}/{created.json()['id']}"
    body = expense_body(world, **{**DINNER, "date": "2026-03-10"}, version=1)
    response = api.put(path, body, token=owner_token)
    assert response.status_code == 200
    answer = response.json()
    assert (answer["rate"], answer["rate_date"], answer["amount"]) == (
        "0.8590327291",
        "2026-03-10",
        10605,
    )


def test_settlement_mode_keeps_shares_in_the_currency_spent(world, api, owner_token):
    settle_in_original(world)
    response = api.post(expenses_path(world), expense_body(world, **DINNER), token=owner_token)
    body = response.json()
    assert (body["shares_currency"], body["amount"], body["original_amount"]) == (
        "USD",
        10473,
        12345,
    )
    assert sum(part["amount"] for part in body["owed"]) == 12345
    assert body["paid"] == [{"member_id": world.owner_membership.pk, "amount": 12345}]


def test_settlement_mode_balances_per_currency(world, api, owner_token):
    settle_in_original(world)
    api.post(expenses_path(world), expense_body(world, **DINNER), token=owner_token)
    response = api.get(f"/groups/{world.group.pk}/balances", token=owner_token)
    assert response.status_code == 200
    rows = {row["member_id"]: row for row in response.json()}
    owner, member = world.owner_membership, world.member_membership
    # The group's own balances: the owner paid 30.00 for two, the member paid 5.00 back.
    # The dinner: 123.45 USD for the owner, the member and the guest, 41.15 USD each.
    usd_rate = fx.rate("USD", "EUR", timezone.localdate()).value
    converted = fx.convert(4115, "USD", "EUR", usd_rate)
    assert rows[member.pk] == {
        "member_id": member.pk,
        "name": "Max Member",
        "balance": -1000 - converted,
        "approximate": True,
        "currencies": {"EUR": -1000, "USD": -4115},
    }
    assert rows[owner.pk]["currencies"] == {"EUR": 1000, "USD": 8230}
    assert rows[owner.pk]["balance"] == 1000 + 2 * converted
    assert rows[world.guest.pk]["currencies"] == {"USD": -4115}
    assert sum(row["balance"] for row in rows.values()) == 0


def test_a_missing_rate_leaves_the_total_out(world, api, owner_token):
    settle_in_original(world)
    body = expense_body(
        world, **{**DINNER, "original_currency": "KWD"}, rate_source="entered", rate="3"
    )
    assert api.post(expenses_path(world), body, token=owner_token).status_code == 201
    rows = api.get(f"/groups/{world.group.pk}/balances", token=owner_token).json()
    guest = next(row for row in rows if row["member_id"] == world.guest.pk)
    assert guest == {
        "member_id": world.guest.pk,
        "name": "Alice",
        "balance": None,
        "approximate": False,
        "currencies": {"KWD": -41150},
    }


def test_entry_mode_balances_are_the_kept_ones(world, api, owner_token):
    api.post(expenses_path(world), expense_body(world, **DINNER), token=owner_token)
    rows = api.get(f"/groups/{world.group.pk}/balances", token=owner_token).json()
    assert [(row["balance"], row["approximate"], row["currencies"]) for row in rows] == [
        (1000 + 6982, False, {}),
        (-3491, False, {}),
        (-1000 - 3491, False, {}),
    ]


@pytest.mark.parametrize("rows", [1, 12])
def test_settlement_mode_balances_in_constant_queries(
    world, api, owner_token, django_assert_num_queries, rows
):
    settle_in_original(world)
    for row in range(rows):
        currency = ["USD", "JPY", "GBP"][row % 3]
        amount = "1200" if currency == "JPY" else "12.00"
        body = expense_body(world, **{**DINNER, "original_currency": currency, "amount": amount})
        assert api.post(expenses_path(world), body, token=owner_token).status_code == 201
    api.get("/groups", token=owner_token)
    # token; membership; members with users; the stored plan; open balances in other currencies;
    # and, the first time these balances are seen, the plan worked out for them is kept
    # and the group's plan summary dropped
    with django_assert_num_queries(7):
        api.get(f"/groups/{world.group.pk}/balances", token=owner_token)
    with django_assert_num_queries(5):
        response = api.get(f"/groups/{world.group.pk}/balances", token=owner_token)
    assert response.status_code == 200


def test_convert_at_in_and_out(world, api, owner_token):
    created = api.post(
        "/groups", {"name": "Tokyo", "convert_at": "settlement"}, token=owner_token
    ).json()
    assert created["convert_at"] == "settlement"
    path = f"/groups/{created['id']}"
    kept = api.put(path, {"name": "Tokyo 2027"}, token=owner_token).json()
    assert kept["convert_at"] == "settlement"
    bad = api.put(path, {"name": "Tokyo", "convert_at": "never"}, token=owner_token)
    assert bad.status_code == 422
    assert bad.json()["errors"] == {
        "convert_at": ["Select a valid choice. never is not one of the available choices."]
    }
    changed = api.put(path, {"name": "Tokyo", "convert_at": "entry"}, token=owner_token)
    assert changed.json()["convert_at"] == "entry"


def test_convert_at_is_fixed_after_a_foreign_entry(world, api, owner_token):
    api.post(expenses_path(world), expense_body(world, **DINNER), token=owner_token)
    path = f"/groups/{world.group.pk}"
    response = api.put(path, {"name": "Lisbon trip", "convert_at": "settlement"}, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == {"convert_at": [ConversionFixed().message]}
    world.group.refresh_from_db()
    assert world.group.convert_at == ConvertAt.ENTRY


def test_payments_say_their_currency(world, api, owner_token):
    payment = api.get(f"/groups/{world.group.pk}/payments", token=owner_token).json()["items"][0]
    assert {key: payment[key] for key in CONVERTED_FIELDS} == {
        "amount": 500,
        "currency": "EUR",
        "original_amount": 500,
        "original_currency": "EUR",
        "rate": "1",
        "rate_source": "same",
        "rate_date": None,
        "shares_currency": "EUR",
    }


def test_a_recurring_expense_in_another_currency(world, api, owner_token):
    body = expense_body(
        world, **{**DINNER, "date": "2026-11-16"}, frequency="monthly", count=2, ends="after_count"
    )
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC), tick=False):
        response = api.post(f"/groups/{world.group.pk}/recurring", body, token=owner_token)
    assert response.status_code == 201
    answer = response.json()
    assert (answer["amount"], answer["currency"], answer["amount_display"]) == (
        12345,
        "USD",
        "123.45 USD",
    )
    first = Expense.objects.get(recurring_id=answer["id"])
    assert (first.original_amount, first.original_currency, first.rate_source) == (
        12345,
        "USD",
        "reference",
    )


def test_a_recurring_expense_takes_no_typed_rate(world, api, owner_token):
    body = expense_body(world, **DINNER, frequency="monthly", rate_source="entered", rate="0.9")
    response = api.post(f"/groups/{world.group.pk}/recurring", body, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "rate_source": ["Extra inputs are not permitted"],
        "rate": ["Extra inputs are not permitted"],
    }
