"""Stand-in for the settle-up planner that respects wishes (pure: no Django imports).

Only the interface: it ignores every wish and returns the fewest-payments plan. To be replaced
by the real planner.
"""

from collections.abc import Hashable, Mapping
from typing import NamedTuple

from settlements.algorithm import TIME_BUDGET, Transfer, plan_settlement


class Wishes[K: Hashable](NamedTuple):
    allowed_pairs: frozenset[frozenset[K]] | None = None
    households: tuple[frozenset[K], ...] = ()
    rather_not_receive: frozenset[K] = frozenset()
    preferred_payee: Mapping[K, K] = {}


class UnmetWish[K: Hashable](NamedTuple):
    kind: str
    members: tuple[K, ...]
    reason: str


class WishPlan[K: Hashable](NamedTuple):
    transfers: list[Transfer[K]]
    unit_transfers: list[tuple[tuple[K, ...], tuple[K, ...], int]]
    proven_minimal: bool
    unconstrained_count: int
    unmet: list[UnmetWish[K]]
    within_households: list[Transfer[K]]


def plan_with_wishes[K: Hashable](
    balances: Mapping[K, int], wishes: Wishes[K], *, sort_key=repr, time_budget=TIME_BUDGET
) -> WishPlan[K]:
    settlement = plan_settlement(balances, sort_key=sort_key, time_budget=time_budget)
    return WishPlan(
        settlement.transfers,
        [((t.debtor,), (t.creditor,), t.amount) for t in settlement.transfers],
        settlement.proven_minimal,
        len(settlement.transfers),
        [],
        [],
    )
