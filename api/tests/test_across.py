"""Settling several groups together: the settle-across page's plan, rules and bookings."""

import pytest

from api.models import Scope
from api.tests.conftest import token
from expenses.tests.factories import add_expense
from groups.models import Role
from groups.tests.factories import GroupFactory, MemberFactory
from settlements.models import Payment


@pytest.fixture
def porto(world):
    """A second group of the owner and the member, where the owner owes the member 4.00; in
    Lisbon the member owes the owner 10.00."""
    group = GroupFactory(name="Porto", created_by=world.owner)
    owner = MemberFactory(group=group, user=world.owner, role=Role.OWNER)
    member = MemberFactory(group=group, user=world.member)
    add_expense(group, world.member, paid={member: 800}, among=[owner, member])
    return group


def plan_path(*groups):
    return "/settle-across?" + "&".join(f"groups={group.pk}" for group in groups)


def test_the_plan_nets_the_groups(world, api, porto):
    response = api.get(plan_path(world.group, porto), token=token(world.member))
    assert response.status_code == 200
    plan = response.json()
    assert plan["currency"] == "EUR"
    assert sorted(plan["groups"]) == sorted([world.group.pk, porto.pk])
    (transfer,) = plan["transfers"]
    assert (transfer["from_user_id"], transfer["to_user_id"], transfer["amount"]) == (
        world.member.pk,
        world.owner.pk,
        600,
    )
    booked = sum(
        row["amount"] if row["group_id"] == world.group.pk else -row["amount"]
        for row in transfer["bookings"] + plan["netting"]
    )
    # Whatever moves between the groups, the member pays the owner 6.00 in all.
    assert booked == 600


def record_body(plan, **changes):
    (transfer,) = plan["transfers"]
    return {
        "groups": plan["groups"],
        "from_user_id": transfer["from_user_id"],
        "to_user_id": transfer["to_user_id"],
        "amount": transfer["amount"],
        "fingerprint": plan["fingerprint"],
        **changes,
    }


def test_recording_settles_every_group(world, api, porto):
    secret = token(world.member)
    plan = api.get(plan_path(world.group, porto), token=secret).json()
    headers = {"Idempotency-Key": "settle-november"}
    response = api.post("/settle-across", record_body(plan), token=secret, headers=headers)
    assert response.status_code == 201
    assert response.json()["recorded"] is True
    assert response.json()["detail"].startswith("Recorded: Max Member paid Olivia Owner 6.00")
    for group in (world.group, porto):
        assert not group.members.exclude(balance=0).exists()
    payments = Payment.objects.filter(group__in=[world.group, porto]).count()
    again = api.post("/settle-across", record_body(plan), token=secret, headers=headers)
    assert again.status_code == 201
    assert again.json() == {"detail": "That payment was already recorded.", "recorded": False}
    assert Payment.objects.filter(group__in=[world.group, porto]).count() == payments


def test_a_stale_plan_is_409(world, api, porto):
    secret = token(world.owner)
    plan = api.get(plan_path(world.group, porto), token=secret).json()
    add_expense(
        porto,
        world.owner,
        paid={porto.members.get(user=world.owner): 100},
        among=list(porto.members.all()),
    )
    response = api.post("/settle-across", record_body(plan), token=secret)
    assert response.status_code == 409
    assert response.json()["detail"].startswith("The balances in these groups changed")
    assert Payment.objects.filter(group=porto).count() == 0


def test_only_the_plans_transfers_are_recorded(world, api, porto):
    secret = token(world.owner)
    plan = api.get(plan_path(world.group, porto), token=secret).json()
    response = api.post("/settle-across", record_body(plan, amount=599), token=secret)
    assert response.status_code == 409
    assert response.json()["detail"] == "That payment is not part of the plan."
    assert Payment.objects.filter(group=porto).count() == 0


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"amount": 600.0}, {"amount": ["Input should be a valid integer"]}),
        ({"amount": "600"}, {"amount": ["Input should be a valid integer"]}),
        ({"tip": 1}, {"tip": ["Extra inputs are not permitted"]}),
    ],
)
def test_recording_refuses_bad_input(world, api, porto, changes, errors):
    secret = token(world.owner)
    plan = api.get(plan_path(world.group, porto), token=secret).json()
    response = api.post("/settle-across", record_body(plan, **changes), token=secret)
    assert response.status_code == 422
    assert response.json()["errors"] == errors


def test_groups_must_be_two_of_one_currency(world, api):
    secret = token(world.owner)
    one = api.get(plan_path(world.group), token=secret)
    assert one.status_code == 422
    assert one.json()["errors"] == {"groups": ["Choose at least two groups to settle together."]}
    boston = GroupFactory(name="Boston", currency="USD", created_by=world.owner)
    MemberFactory(group=boston, user=world.owner, role=Role.OWNER)
    mixed = api.get(plan_path(world.group, boston), token=secret)
    assert mixed.json()["errors"] == {
        "groups": [
            "Choose groups with the same currency: amounts in different currencies can't be netted."
        ]
    }


def test_recording_needs_a_token_that_writes(world, api, porto):
    secret = token(world.owner, Scope.READ)
    plan = api.get(plan_path(world.group, porto), token=secret).json()
    response = api.post("/settle-across", record_body(plan), token=secret)
    assert response.status_code == 403
    assert Payment.objects.filter(group=porto).count() == 0
