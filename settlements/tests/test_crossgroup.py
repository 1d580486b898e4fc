"""Settling across groups: every recorded transfer moves the totals by exactly itself, and once
the whole plan is recorded every group is at zero."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settlements.algorithm import Transfer
from settlements.crossgroup import Booking, book, settle_totals, totals

REPEATABLE = settings(deadline=None, derandomize=True, database=None)


@st.composite
def worlds(draw):
    """2 to 4 groups over up to 7 people; each group has 2+ members and sums to zero."""
    people = list(range(draw(st.integers(2, 7))))
    world = {}
    for group in range(draw(st.integers(2, 4))):
        members = draw(st.lists(st.sampled_from(people), min_size=2, max_size=6, unique=True))
        amounts = draw(
            st.lists(
                st.integers(-5, 5).map(lambda n: n * 1000) | st.integers(-50_000, 50_000),
                min_size=len(members) - 1,
                max_size=len(members) - 1,
            )
        )
        world[f"g{group}"] = dict(zip(members, [*amounts, -sum(amounts)], strict=True))
    return world


def apply(world, bookings):
    """The balances after the bookings, checking each is a payment between members."""
    after = {group: dict(members) for group, members in world.items()}
    for group, payer, payee, amount in bookings:
        assert amount > 0
        assert payer != payee
        assert payer in world[group]
        assert payee in world[group]
        after[group][payer] += amount
        after[group][payee] -= amount
    return after


@settings(REPEATABLE, max_examples=500)
@given(worlds(), st.data())
def test_recording_the_plan_in_any_order_settles_every_group(world, data):
    plan = list(settle_totals(world).transfers)
    if not plan:
        # Totals are settled; at most netting is left, and it brings every group to zero.
        netting = book(world, []).netting
        after = apply(world, netting)
        assert totals(after) == totals(world)
        assert not any(b for members in after.values() for b in members.values())
        return
    while plan:
        bookings = book(world, plan)
        index = data.draw(st.integers(0, len(plan) - 1))
        transfer = plan.pop(index)

        after = apply(world, bookings.transfers[index] + bookings.netting)

        # (a) the totals move by exactly the transfer.
        expected = totals(world)
        expected[transfer.debtor] += transfer.amount
        expected[transfer.creditor] -= transfer.amount
        assert totals(after) == expected
        world = after
    # (b) every group balances to exactly zero.
    assert not any(b for members in world.values() for b in members.values())


@settings(REPEATABLE, max_examples=300)
@given(worlds())
def test_the_plan_settles_the_totals_within_connected_people(world):
    plan = settle_totals(world)
    left = totals(world)
    for debtor, creditor, amount in plan.transfers:
        assert amount > 0
        assert left[debtor] < 0 < left[creditor]
        left[debtor] += amount
        left[creditor] -= amount
    assert not any(left.values())


def test_two_groups_sharing_three_people():
    world = {
        "trip": {"ana": 3000, "ben": -3000, "cem": 0},
        "flat": {"ana": -3000, "ben": 0, "cem": 3000},
    }

    plan = settle_totals(world)
    bookings = book(world, plan.transfers)

    # Ana is owed in one group and owes in the other: she passes Ben's payment on to Cem.
    assert plan.transfers == (Transfer("ben", "cem", 3000),)
    assert bookings.transfers == [
        [Booking("flat", "ana", "cem", 3000), Booking("trip", "ben", "ana", 3000)]
    ]
    assert bookings.netting == []


def test_direct_debts_are_booked_where_they_are():
    world = {
        "trip": {"ana": 2000, "ben": -2000},
        "flat": {"ana": 1000, "ben": -1000},
    }

    bookings = book(world, settle_totals(world).transfers)

    assert bookings.transfers == [
        [Booking("flat", "ben", "ana", 1000), Booking("trip", "ben", "ana", 2000)]
    ]


def test_balances_that_cancel_out_are_netted_without_a_payment():
    world = {
        "trip": {"ana": 500, "ben": -500},
        "flat": {"ana": -500, "ben": 500},
    }

    plan = settle_totals(world)
    bookings = book(world, plan.transfers)

    assert plan.transfers == ()
    assert Counter(bookings.netting) == Counter(
        [Booking("flat", "ana", "ben", 500), Booking("trip", "ben", "ana", 500)]
    )


def test_people_without_a_shared_group_are_planned_apart():
    world = {
        "trip": {"ana": 500, "ben": -500},
        "flat": {"cem": -500, "dan": 500},
    }

    plan = settle_totals(world)

    assert Counter(plan.transfers) == Counter(
        [Transfer("ben", "ana", 500), Transfer("cem", "dan", 500)]
    )
    with pytest.raises(ValueError, match="share no chain"):
        book(world, [Transfer("ben", "dan", 500), Transfer("cem", "ana", 500)])


def test_a_payment_is_routed_against_the_debts_when_it_must():
    # Ben owes in the trip and Dan is owed in the flat, but the plan pairs Ben with Dan: the
    # only way runs through Cem, against what Cem still has to settle.
    world = {
        "trip": {"ana": 500, "ben": -500, "cem": 0},
        "flat": {"cem": 0, "dan": 500, "eve": -500},
    }
    transfers = [Transfer("ben", "dan", 500), Transfer("eve", "ana", 500)]

    bookings = book(world, transfers)
    after = apply(world, bookings.transfers[0] + bookings.netting)

    assert totals(after)["ben"] == 0
    assert totals(after)["dan"] == 0
    # Cem received Ben's payment in the trip and passed it on to Dan in the flat.
    assert (after["trip"]["cem"], after["flat"]["cem"]) == (-500, 500)
    after = apply(after, book(after, transfers[1:]).transfers[0])
    assert not any(b for members in after.values() for b in members.values())


@pytest.mark.parametrize(
    ("world", "transfers", "message"),
    [
        ({"trip": {"ana": 5, "ben": -4}}, [], "sum to 1"),
        ({"trip": {"ana": 5, "ben": -5}}, [Transfer("ben", "ana", 4)], "do not settle"),
        ({"trip": {"ana": 5, "ben": -5}}, [Transfer("ben", "ana", 0)], "not a transfer"),
        ({"trip": {"ana": 5, "ben": -5}}, [Transfer("ben", "ben", 5)], "not a transfer"),
        ({"trip": {"ana": 5, "ben": -5}}, [Transfer("zoe", "ana", 5)], "none of the groups"),
    ],
)
def test_bad_input_is_refused(world, transfers, message):
    with pytest.raises(ValueError, match=message):
        book(world, transfers)
