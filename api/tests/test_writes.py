"""Writes go through the pages' forms and model methods: the same results, rules and words."""

import pytest

from api.tests.conftest import token
from api.tests.test_access import expense_body
from expenses.models import Expense
from groups.models import Group, Role
from settlements.models import Payment


@pytest.fixture
def owner_token(world):
    return token(world.owner)


def test_create_group_makes_you_its_owner(world, api, owner_token):
    response = api.post(
        "/groups", {"name": "  Rome   weekend ", "currency": "JPY"}, token=owner_token
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["currency"], body["my_role"]) == ("Rome weekend", "JPY", "owner")
    group = Group.objects.get(pk=body["id"])
    assert group.members.get().user == world.owner


def test_group_form_messages_by_field(world, api, owner_token):
    response = api.post("/groups", {"name": "Rome", "currency": "XXX"}, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "currency": ["Select a valid choice. XXX is not one of the available choices."]
    }


def test_currency_is_fixed_once_there_is_history(world, api, owner_token):
    path = f"/groups/{world.group.pk}"
    response = api.put(path, {"name": "Lisbon", "currency": "USD"}, token=owner_token)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["currency"]
    world.group.refresh_from_db()
    assert (world.group.name, world.group.currency) == ("Lisbon trip", "EUR")


def test_guest_names_are_unique(world, api, owner_token):
    path = f"/groups/{world.group.pk}/guests"
    response = api.post(path, {"name": "alice"}, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name": ["There is already a guest called “alice” in this group."]
    }
    added = api.post(path, {"name": "Bob"}, token=owner_token)
    assert added.status_code == 201
    assert added.json()["is_guest"] is True


def test_expense_with_several_payers_and_shares(world, api, owner_token):
    owner, member = world.owner_membership.pk, world.member_membership.pk
    body = expense_body(world, paid_by=None, split_kind="shares")
    body["paid"] = {str(owner): "10.00", str(member): "2.50"}
    body["participants"] = [owner, member]
    body["values"] = {str(owner): "1", str(member): "4"}
    response = api.post(f"/groups/{world.group.pk}/expenses", body, token=owner_token)
    assert response.status_code == 201
    expense = response.json()
    assert sorted((p["member_id"], p["amount"]) for p in expense["paid"]) == [
        (owner, 1000),
        (member, 250),
    ]
    assert sorted((s["member_id"], s["amount"]) for s in expense["owed"]) == [
        (owner, 250),
        (member, 1000),
    ]
    world.member_membership.refresh_from_db()
    # 15.00 owed to the owner before, then paid 5.00, now owes 7.50 more.
    assert world.member_membership.balance == -1000 - 750


def test_idempotency_key_returns_the_first_expense(world, api, owner_token):
    path = f"/groups/{world.group.pk}/expenses"
    headers = {"Idempotency-Key": "taxi-2026-11-03"}
    first = api.post(path, expense_body(world), token=owner_token, headers=headers)
    again = api.post(path, expense_body(world), token=owner_token, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert Expense.objects.filter(group=world.group).count() == 2
    # Someone else's key is theirs alone.
    other = api.post(path, expense_body(world), token=token(world.member), headers=headers)
    assert other.json()["id"] != first.json()["id"]


def test_delete_and_restore_move_the_balances(world, api, owner_token):
    path = f"/groups/{world.group.pk}/expenses/{world.expense.pk}"
    assert api.delete(path, token=owner_token).json()["deleted"] is True
    world.member_membership.refresh_from_db()
    assert world.member_membership.balance == 500
    assert api.post(f"{path}/restore", token=owner_token).json()["deleted"] is False
    world.member_membership.refresh_from_db()
    assert world.member_membership.balance == -1000


def test_payment_idempotency_and_rules(world, api, owner_token):
    path = f"/groups/{world.group.pk}/payments"
    body = {
        "from_member_id": world.member_membership.pk,
        "to_member_id": world.owner_membership.pk,
        "amount": "10.00",
        "date": "2026-11-03",
    }
    headers = {"Idempotency-Key": "settle"}
    first = api.post(path, body, token=owner_token, headers=headers)
    again = api.post(path, body, token=owner_token, headers=headers)
    assert first.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Payment.objects.filter(group=world.group).count() == 2
    same = body | {"to_member_id": world.member_membership.pk}
    refused = api.post(path, same, token=owner_token)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "non_field_errors": ["Someone can't pay themselves. Choose two different people."]
    }


def test_stale_plan_fingerprint_is_409(world, api, owner_token):
    body = {
        "from_member_id": world.member_membership.pk,
        "to_member_id": world.owner_membership.pk,
        "amount": "10.00",
        "date": "2026-11-03",
        "fingerprint": "0" * 64,
    }
    response = api.post(f"/groups/{world.group.pk}/payments", body, token=owner_token)
    assert response.status_code == 409
    assert response.json()["detail"].startswith("The balances changed since")
    assert Payment.objects.filter(group=world.group).count() == 1


def test_settle_up_explains_the_plan(world, api, owner_token):
    response = api.get(f"/groups/{world.group.pk}/settle-up", token=owner_token)
    plan = response.json()
    owner, member = world.owner_membership.pk, world.member_membership.pk
    assert plan["transfers"] == [
        {"from_member_id": member, "to_member_id": owner, "amount": 1000, "can_record": True}
    ]
    assert [(row["member_id"], row["before"], row["after"]) for row in plan["explanation"]] == [
        (owner, 1000, 0),
        (member, -1000, 0),
    ]
    assert plan["parts"] == [[member, owner]] or plan["parts"] == [[owner, member]]
    assert plan["wishes"] is None


def test_settle_up_shows_a_household_paying_as_one(world, api, owner_token):
    group = world.group
    group.create_household([world.member_membership, world.guest], actor=world.owner)
    owner, member, guest = world.owner_membership.pk, world.member_membership.pk, world.guest.pk

    plan = api.get(f"/groups/{group.pk}/settle-up", token=owner_token).json()

    assert plan["wishes"] == {
        "unit_transfers": [
            {"from_member_ids": sorted([member, guest]), "to_member_ids": [owner], "amount": 1000}
        ],
        "unconstrained_count": 1,
        "unmet": [],
        "within_households": [],
    }
    assert plan["transfers"] == [
        {"from_member_id": member, "to_member_id": owner, "amount": 1000, "can_record": True}
    ]


def test_the_switch_is_left_as_it_is_when_left_out(world, api, owner_token):
    path = f"/groups/{world.group.pk}"
    body = {"name": "Lisbon trip", "currency": "EUR"}

    on = api.put(path, body | {"pay_only_sharing": True}, token=owner_token).json()
    left_out = api.put(path, body, token=owner_token).json()

    assert (on["pay_only_sharing"], left_out["pay_only_sharing"]) == (True, True)


def test_member_role_shows(world, api):
    response = api.get(f"/groups/{world.group.pk}", token=token(world.member))
    assert response.json()["my_role"] == Role.MEMBER


def test_delete_and_restore_a_payment(world, api, owner_token):
    path = f"/groups/{world.group.pk}/payments/{world.payment.pk}"
    assert api.delete(path, token=owner_token).json()["deleted"] is True
    world.member_membership.refresh_from_db()
    assert world.member_membership.balance == -1500
    assert api.post(f"{path}/restore", token=owner_token).json()["deleted"] is False
    world.member_membership.refresh_from_db()
    assert world.member_membership.balance == -1000


def test_a_payment_to_someone_who_confirms_payments_is_pending(world, api):
    world.owner.confirms_payments = True
    world.owner.save()
    body = {
        "from_member_id": world.member_membership.pk,
        "to_member_id": world.owner_membership.pk,
        "amount": "10.00",
        "date": "2026-11-03",
    }
    response = api.post(f"/groups/{world.group.pk}/payments", body, token=token(world.member))
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
