"""Tests for the settle-up planner under wishes.

The fewest payments are checked against a brute force over set partitions and spanning trees,
written straight from the rules in the module docstring and sharing no code with the planner.
"""

import random
from collections import defaultdict
from collections.abc import Hashable, Mapping
from functools import cache
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from settlements import algorithm
from settlements.algorithm import Transfer, plan_settlement
from settlements.wishes import UnmetWish, Wishes, WishPlan, plan_with_wishes

# ---------------------------------------------------------------------------------------------
# The reference


def kept_wishes[K: Hashable](wishes: Wishes[K], unmet: list[UnmetWish[K]]) -> Wishes[K]:
    """``wishes`` without those the plan set aside."""
    dropped = {(wish.kind, wish.members) for wish in unmet}
    return Wishes(
        allowed_pairs=None
        if any(wish.kind == "allowed_pairs" for wish in unmet)
        else wishes.allowed_pairs,
        households=tuple(
            h
            for h in wishes.households
            if not any(w.kind == "households" and set(w.members) == set(h) for w in unmet)
        ),
        rather_not_receive=frozenset(
            person
            for person in wishes.rather_not_receive
            if not any(w.kind == "rather_not_receive" and person in w.members for w in unmet)
        ),
        preferred_payee={
            debtor: payee
            for debtor, payee in wishes.preferred_payee.items()
            if ("preferred_payee", (debtor, payee)) not in dropped
        },
    )


class Units:
    """The units of a group under some wishes, as the rules define them."""

    def __init__(self, balances: Mapping, wishes: Wishes) -> None:
        people = set(balances) | set(wishes.rather_not_receive) | set(wishes.preferred_payee)
        people |= set(wishes.preferred_payee.values())
        people |= {m for h in wishes.households for m in h}
        households = [tuple(sorted(h, key=repr)) for h in wishes.households]
        housed = {m for h in households for m in h}
        self.units = households + [(m,) for m in sorted(people - housed, key=repr)]
        self.unit_of = {m: u for u, unit in enumerate(self.units) for m in unit}
        self.balance = [sum(balances.get(m, 0) for m in unit) for unit in self.units]
        n = len(self.units)
        if wishes.allowed_pairs is None:
            self.allowed = {frozenset((u, v)) for u, v in combinations(range(n), 2)}
        else:
            self.allowed = {
                frozenset(self.unit_of[m] for m in pair)
                for pair in wishes.allowed_pairs
                if len({self.unit_of.get(m) for m in pair} - {None}) == 2
            }
        self.rather_not = {
            u for u, unit in enumerate(self.units) if set(unit) <= wishes.rather_not_receive
        }
        self.payee = {}
        for debtor, payee in wishes.preferred_payee.items():
            d = self.unit_of[debtor]
            if self.balance[d] < 0:
                self.payee[d] = self.unit_of[payee]

    def allows(self, transfers: list[tuple[int, int, int]]) -> bool:
        """Whether these unit transfers keep every wish."""
        paid, received = defaultdict(list), defaultdict(list)
        for d, c, amount in transfers:
            if amount <= 0 or frozenset((d, c)) not in self.allowed:
                return False
            paid[d].append(c)
            received[c].append(d)
        for u in self.rather_not:
            if (self.balance[u] <= 0 and received[u]) or (self.balance[u] >= 0 and paid[u]):
                return False
        for d, p in self.payee.items():
            if paid[d] != [p] or any(self.payee.get(x) != d for x in received[d]):
                return False
        return True

    def fewest(self) -> int | None:
        """The fewest unit transfers keeping every wish, None if no plan does."""
        return _fewest(self, tuple(range(len(self.units))))


def _fewest(units: Units, members: tuple[int, ...]) -> int | None:
    @cache
    def best_tree(part: frozenset[int]) -> int | None:
        if sum(units.balance[u] for u in part) or any(
            units.payee[d] not in part for d in part if d in units.payee
        ):
            return None
        if len(part) == 1:
            return 0
        edges = [tuple(sorted(e)) for e in units.allowed if e <= part]
        best = None
        for tree in combinations(sorted(edges), len(part) - 1):
            transfers = _tree_transfers(units, part, tree)
            if transfers is not None and units.allows(transfers):
                if best is None or len(transfers) < best:
                    best = len(transfers)
        return best

    @cache
    def best_partition(rest: frozenset[int]) -> int | None:
        if not rest:
            return 0
        first = min(rest)
        others = sorted(rest - {first})
        best = None
        for size in range(len(others) + 1):
            for chosen in combinations(others, size):
                part = frozenset((first, *chosen))
                tree = best_tree(part)
                if tree is None:
                    continue
                remaining = best_partition(rest - part)
                if remaining is not None and (best is None or tree + remaining < best):
                    best = tree + remaining
        return best

    return best_partition(frozenset(members))


def _tree_transfers(units: Units, part: frozenset[int], tree) -> list | None:
    """The transfers that settle ``part`` along the edges of ``tree``, None if not a tree."""
    neighbours = defaultdict(list)
    for u, v in tree:
        neighbours[u].append(v)
        neighbours[v].append(u)
    root = min(part)
    order, parent = [root], {root: None}
    for u in order:
        for v in neighbours[u]:
            if v not in parent:
                parent[v] = u
                order.append(v)
    if len(order) != len(part):
        return None
    below = {u: units.balance[u] for u in part}
    transfers = []
    for u in reversed(order[1:]):
        # The subtree under u is owed ``below[u]``: its parent pays that (or receives it).
        owed = below[u]
        below[parent[u]] += owed
        if owed > 0:
            transfers.append((parent[u], u, owed))
        elif owed < 0:
            transfers.append((u, parent[u], -owed))
    return transfers


# ---------------------------------------------------------------------------------------------
# What every plan must satisfy


def check_plan(balances: Mapping, wishes: Wishes, plan: WishPlan) -> Units:
    """Everything settles exactly, households are booked exactly, and every transfer keeps the
    kept wishes. Returns the units under the kept wishes."""
    kept = kept_wishes(wishes, plan.unmet)
    units = Units(balances, kept)
    left = defaultdict(int, balances)
    for debtor, creditor, amount in plan.transfers + plan.within_households:
        assert isinstance(amount, int) and amount > 0 and debtor != creditor
        left[debtor] += amount
        left[creditor] -= amount
    assert not any(left.values())
    unit_moves = []
    by_units = defaultdict(int)
    for paying, receiving, amount in plan.unit_transfers:
        d, c = units.unit_of[paying[0]], units.unit_of[receiving[0]]
        assert (units.units[d], units.units[c]) == (
            tuple(sorted(paying, key=repr)),
            tuple(sorted(receiving, key=repr)),
        )
        unit_moves.append((d, c, amount))
        by_units[d, c] += amount
    assert units.allows(unit_moves)
    unit_left = list(units.balance)
    for d, c, amount in unit_moves:
        unit_left[d] += amount
        unit_left[c] -= amount
    assert not any(unit_left)
    booked = defaultdict(int)
    for debtor, creditor, amount in plan.transfers:
        booked[units.unit_of[debtor], units.unit_of[creditor]] += amount
    assert booked == by_units
    for h in kept.households:
        if len(h) < 2:
            continue
        u = units.unit_of[next(iter(h))]
        relays = any(d == u for d, _, _ in unit_moves) and any(c == u for _, c, _ in unit_moves)
        preferred = any(units.payee.get(d) == u for d, _, _ in unit_moves)
        if relays or preferred:
            continue
        # Each member pays at most what they owe and receives at most what they are owed.
        for m in h:
            paid = sum(a for d, _, a in plan.transfers if d == m)
            got = sum(a for _, c, a in plan.transfers if c == m)
            assert paid <= max(0, -balances.get(m, 0)) and got <= max(0, balances.get(m, 0))
    for wish in plan.unmet:
        assert wish.reason in REASONS[wish.kind]
    return units


REASONS = {
    "households": {"invalid"},
    "allowed_pairs": {"unbalanced"},
    "rather_not_receive": {"must_receive"},
    "preferred_payee": {"invalid", "same_household", "not_sharing", "would_relay", "contradiction"},
}


# ---------------------------------------------------------------------------------------------
# Random groups with random wishes, against the reference


@st.composite
def groups(draw, most: int = 6):
    n = draw(st.integers(2, most))
    people = [chr(ord("a") + i) for i in range(n)]
    values = draw(st.lists(st.integers(-6, 6), min_size=n - 1, max_size=n - 1))
    balances = dict(zip(people, [*values, -sum(values)], strict=True))
    shuffled = draw(st.permutations(people))
    households = []
    if draw(st.booleans()):
        households.append(frozenset(shuffled[:2]))
    pairs = [frozenset(p) for p in combinations(people, 2)]
    allowed = None
    if draw(st.booleans()):
        allowed = frozenset(draw(st.lists(st.sampled_from(pairs), unique=True, min_size=n - 1)))
    rather_not = frozenset(draw(st.lists(st.sampled_from(people), unique=True, max_size=2)))
    preferred = draw(st.dictionaries(st.sampled_from(people), st.sampled_from(people), max_size=3))
    wishes = Wishes(
        allowed_pairs=allowed,
        households=tuple(households),
        rather_not_receive=rather_not,
        preferred_payee=preferred,
    )
    return balances, wishes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups())
def test_plan_is_the_fewest_payments_keeping_the_kept_wishes(group):
    balances, wishes = group
    plan = plan_with_wishes(balances, wishes)
    units = check_plan(balances, wishes, plan)
    assert plan.proven_minimal
    assert len(plan.unit_transfers) == units.fewest()
    assert plan.unconstrained_count == len(plan_settlement(balances).transfers)
    assert len(plan.unit_transfers) >= len(
        plan_settlement(dict(enumerate(units.balance))).transfers
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups(most=5))
def test_wishes_set_aside_could_not_be_met(group):
    """Each wish set aside has no plan together with the wishes kept (of higher priority)."""
    balances, wishes = group
    plan = plan_with_wishes(balances, wishes)
    kept = kept_wishes(wishes, plan.unmet)
    for wish in plan.unmet:
        if wish.kind == "allowed_pairs":
            only_pairs = Wishes(allowed_pairs=wishes.allowed_pairs, households=kept.households)
            assert Units(balances, only_pairs).fewest() is None
        elif wish.kind == "rather_not_receive":
            with_it = kept._replace(
                rather_not_receive=kept.rather_not_receive | set(wish.members), preferred_payee={}
            )
            assert Units(balances, with_it).fewest() is None
        elif wish.kind == "preferred_payee" and wish.reason in {"would_relay", "contradiction"}:
            debtor, payee = wish.members
            units = Units(balances, kept)
            if units.unit_of[debtor] in units.payee:
                continue  # another member of the household already chose for it
            with_it = kept._replace(preferred_payee={**kept.preferred_payee, debtor: payee})
            assert Units(balances, with_it).fewest() is None
        elif wish.kind == "preferred_payee" and wish.reason == "not_sharing":
            units = Units(balances, kept)
            assert (
                frozenset((units.unit_of[wish.members[0]], units.unit_of[wish.members[1]]))
                not in units.allowed
            )


@settings(max_examples=100, deadline=None)
@given(groups())
def test_the_same_balances_give_the_same_plan_whatever_the_order(group):
    balances, wishes = group
    reversed_balances = dict(reversed(list(balances.items())))
    assert plan_with_wishes(balances, wishes) == plan_with_wishes(reversed_balances, wishes)
