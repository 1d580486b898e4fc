"""Each list answers in a fixed number of queries, however many rows it returns."""

import datetime

import pytest

from api.tests.conftest import token
from expenses.models import Expense
from expenses.tests.factories import add_expense, add_recurring
from settlements.tests.factories import record_payment


def grow(world, rows):
    for row in range(rows):
        expense = add_expense(
            world.group,
            world.owner,
            paid={world.owner_membership: 900},
            among=[world.owner_membership, world.member_membership, world.guest],
            category=["food", "transport", "rent"][row % 3],
        )
        if row % 2 == 0:
            Expense.objects.delete_expense(expense, actor=world.owner)
        record_payment(world.member_membership, world.owner_membership, 100)
        world.group.create_invite(actor=world.owner, expires_in_days=7, max_uses=None)
        add_recurring(
            world.group,
            world.owner,
            start=datetime.date(2026, 12, 1 + row),
            paid={world.owner_membership: 900},
            among=[world.owner_membership, world.member_membership],
        )


# Every call: the token (1), its last-use note is written once a minute at most (not counted:
# the token is fresh per test, so it is written on the first call; warm up first).
LISTS = {
    # membership + group
    "/groups": 1,
    # membership; members with users
    "/groups/{group}/members": 2,
    # membership; expenses; their payers; their shares
    "/groups/{group}/expenses": 4,
    "/groups/{group}/expenses?deleted=true": 4,
    # membership; kept totals per month or day and category; kept paid and shares per member;
    # members
    "/groups/{group}/statistics": 4,
    # membership; invites
    "/groups/{group}/invites": 2,
    # membership; recurring expenses; their payers, those members, their users; their shares
    "/groups/{group}/recurring": 6,
    # membership; payments
    "/groups/{group}/payments": 2,
    # membership; members with a balance
    "/groups/{group}/balances": 2,
    # membership; members; the stored plan
    "/groups/{group}/settle-up": 3,
    # membership; activity with actors
    "/groups/{group}/activity": 2,
}


@pytest.mark.parametrize(("path", "queries"), LISTS.items())
@pytest.mark.parametrize("rows", [1, 20])
def test_list_queries_are_constant(world, api, django_assert_num_queries, path, queries, rows):
    grow(world, rows)
    secret = token(world.owner)
    api.get("/groups", token=secret)
    with django_assert_num_queries(queries + 1):
        response = api.get(path.format(group=world.group.pk), token=secret)
    assert response.status_code == 200
