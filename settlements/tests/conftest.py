import itertools
import random
import time
from types import SimpleNamespace
from unittest.mock import patch

import pytest

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Role
from groups.tests.conftest import (  # noqa: F401  (the shared set-ups)
    staff_client,
    support,
    world,
)
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory


@pytest.fixture
def four(db):
    """A group of four with debts: Ana paid 120.00 and Ben 40.00 for all four (40.00 each).

    Balances: Ana +80.00, Ben 0, Cem −40.00, Dan (a guest) −40.00.
    """
    ana = UserFactory(display_name="Ana")
    group = GroupFactory(name="Ski week", created_by=ana)
    people = SimpleNamespace(
        group=group,
        ana=MemberFactory(group=group, user=ana, role=Role.OWNER),
        ben=MemberFactory(group=group, user=UserFactory(display_name="Ben")),
        cem=MemberFactory(group=group, user=UserFactory(display_name="Cem")),
        dan=GuestFactory(group=group, name="Dan"),
        outsider=UserFactory(display_name="Otto Outsider"),
    )
    everyone = [people.ana, people.ben, people.cem, people.dan]
    add_expense(group, ana, paid={people.ana: 12000}, among=everyone, description="Chalet")
    add_expense(group, ana, paid={people.ben: 4000}, among=everyone, description="Fondue")
    for member in everyone:
        member.refresh_from_db()
    return people


@pytest.fixture
def crowd(four):
    """Four's group joined by 25 guests with large, distinct balances: past the bitset search,
    so the plan is only proven minimal if the branch and bound finishes in time."""
    rng = random.Random(4)
    amounts = [rng.randint(-(10**6), 10**6) for _ in range(24)]
    for amount in [*amounts, -sum(amounts)]:
        GuestFactory(group=four.group, balance=amount)
    return four


@pytest.fixture
def no_time_to_search():
    """A clock that jumps a second on every reading: every search runs out of time at once."""
    with patch("settlements.algorithm._clock", itertools.count().__next__):
        yield


@pytest.fixture
def cpu_clock():
    """The time budget in this thread's CPU time, which other jobs on a busy test machine
    cannot stretch as they stretch the wall clock."""
    with patch("settlements.algorithm._clock", time.thread_time):
        yield
