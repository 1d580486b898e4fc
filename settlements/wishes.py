"""Settle-up plans that respect what people asked for (pure: no Django imports).

`plan_with_wishes` returns the fewest transfers that settle a group under four kinds of wishes
(`Wishes`), each applied to *units*: a household is one unit with the sum of its members'
balances, everyone else is a unit of one.

- ``households``: a household pays or receives as one, one payment per household in the plan
  people see (``unit_transfers``). Each such payment is booked to the household's members
  (`_Booking`): out of its debtors, each at most what they owe, into its creditors, each at most
  what they are owed, in a fixed order, exact to the minor unit. What the members then still
  owe each other is ``within_households``: they settle that among themselves.
- ``allowed_pairs`` ("only pay people I share expenses with"): every transfer joins two units of
  which some members form an allowed pair. Someone with a zero balance may be asked to relay
  money between two people who share nothing (one transfer more); the search tries parts
  without relays first, so they win most ties. If no plan exists at all (the balances of
  people linked by allowed pairs do not add up to zero, which recorded payments across groups
  of sharers can cause), the wish is set aside.
- ``rather_not_receive``: such a unit never relays money. A debtor only pays, a creditor only
  receives, and only what it is owed; someone at zero takes no part. Being paid what you are
  owed is what the wish allows, so it is not reported as unmet. In a household the wish holds
  when every member has it; otherwise the household may relay through its other members.
- ``preferred_payee``: a debtor unit pays its whole debt in one transfer to the payee's unit,
  who passes on what exceeds what it is owed, and receives money only from units that prefer
  it (so a chain "A prefers B, B prefers C" is kept: B's one transfer carries A's money too).
  A preference of a member who is not in debt, counting their household, has nothing to do.

Priority when wishes conflict: households and allowed pairs first (they describe the group),
then rather-not-receive (it protects a person from handling others' money), then preferred
payees (a convenience). A wish that cannot be met together with those kept before it is set
aside and reported as an `UnmetWish`; within a kind, wishes are tried in the members' canonical
order (balance, then ``sort_key``), so the result does not depend on mapping order, and a
preference set aside as a contradiction is tried again once others are kept (one can make
another possible), until a round keeps none. Reason
codes (the app words them):

- ``households``/``invalid``: fewer than two members, or a member already in an earlier one.
- ``allowed_pairs``/``unbalanced``: the balances within some set of people linked by allowed
  pairs do not add up to zero; ``members`` are those people.
- ``rather_not_receive``/``must_receive``: with the wishes kept so far, every plan makes this
  person pass money on (or receive when not owed).
- ``preferred_payee``/``invalid``: someone prefers to pay themselves.
- ``preferred_payee``/``same_household``: the payee is in the debtor's household.
- ``preferred_payee``/``not_sharing``: the two do not share expenses (allowed pairs).
- ``preferred_payee``/``would_relay``: the payee would rather not receive and is owed less than
  the debts sent to them.
- ``preferred_payee``/``contradiction``: no plan keeps it together with the wishes kept so far
  (two people preferring each other, another preference of the same household, ...).

Fewest transfers: as in `settlements.algorithm`, a minimal plan's transfers form a forest
(pushing money round a cycle until one of its transfers vanishes keeps every wish: no amount
changes direction, and a preferred transfer carries at least the debtor's debt), so a plan for
U units has U - p transfers, where p is the number of its parts. A set of units can be a part
iff it sums to zero, is connected by allowed pairs and money can flow within it under the wishes
(a small max-flow, `_Problem.route`). Units joined by a preference always share a part, so the
search runs on *clusters* of them. Per connected component of the allowed graph:

1. the baseline (`greedy_with_wishes`): the greedy plan if it keeps the wishes, else a flow that
   does, found by augmenting paths and reduced to a forest (`_forest`); always available;
2. the unconstrained best partition of the clusters (`plan_settlement`), keeping its parts that
   are feasible and searching the rest (with the zero-balance units if relays are needed) for
   the most feasible parts, in half the time left;
3. a branch and bound over partitions into feasible parts (`_Search`), within the time budget,
   asking for ever more parts until it proves there are no more. Its bound is the
   unconstrained maximum plus the zero-balance clusters, so step 2 reaching it is already a
   proof. Candidate parts are listed in tiers of doubling size; a tier too large to list
   (`_HALF_LIMIT`) is skipped, and the search then no longer claims a proof.

A proven plan is then replaced by the first plan of the same length in the search's order, so
that it does not depend on how far the time-limited step 2 got: a finished search gives the
same plan for the same balances every time.

A part's transfers are the greedy plan of `settlements.algorithm` when that keeps the wishes
(the usual case), and the forest of a flow otherwise. ``proven_minimal`` counts transfers in
``unit_transfers`` among plans keeping the kept wishes. The unconstrained plan runs first with
its own ``time_budget``, so a plan may take up to about twice the budget.
"""

from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from settlements import algorithm
from settlements.algorithm import TIME_BUDGET, Settlement, SortKey, Transfer, plan_settlement

# The most subsets one half of a meet-in-the-middle, or its zero-sum results, may list; past
# it the search skips those candidates and can no longer prove its plan minimal.
_HALF_LIMIT = 1 << 16


class Wishes[K: Hashable](NamedTuple):
    """What a group asked the settle-up plan to respect (see the module docstring)."""

    # Undirected pairs of members who may pay each other; None when the group has not turned
    # "only pay people I share expenses with" on.
    allowed_pairs: frozenset[frozenset[K]] | None = None
    # Disjoint sets of at least two members that settle as one unit.
    households: tuple[frozenset[K], ...] = ()
    # People others should not pay unless they are owed money.
    rather_not_receive: frozenset[K] = frozenset()
    # Debtor -> the person they prefer to pay.
    preferred_payee: Mapping[K, K] = MappingProxyType({})


class UnmetWish[K: Hashable](NamedTuple):
    """A wish set aside, whose members it belongs to, and a reason code (module docstring)."""

    kind: str
    members: tuple[K, ...]
    reason: str


class WishPlan[K: Hashable](NamedTuple):
    """The plan under wishes.

    ``transfers`` are member-level, ``unit_transfers`` the plan as people see it (paying unit's
    members, receiving unit's members, amount). Applying ``transfers`` and then
    ``within_households`` settles every member to exactly zero.
    """

    transfers: list[Transfer[K]]
    unit_transfers: list[tuple[tuple[K, ...], tuple[K, ...], int]]
    proven_minimal: bool
    unconstrained_count: int
    unmet: list[UnmetWish[K]]
    within_households: list[Transfer[K]]


# Internal moves are between unit positions: (payer, payee, amount).
type _Move = tuple[int, int, int]


def plan_with_wishes[K: Hashable](
    balances: Mapping[K, int],
    wishes: Wishes[K],
    *,
    sort_key: SortKey[K] = repr,
    time_budget: float = TIME_BUDGET,
) -> WishPlan[K]:
    """Return the fewest transfers settling ``balances`` (minor units, positive = is owed) that
    keep ``wishes``, setting aside those that conflict (module docstring).

    Members named in ``wishes`` but missing from ``balances`` count as having a zero balance.
    Raises TypeError and ValueError as `plan_settlement` does.
    """
    unconstrained = plan_settlement(balances, sort_key=sort_key, time_budget=time_budget)
    if wishes == Wishes():
        return WishPlan(
            transfers=unconstrained.transfers,
            unit_transfers=[((d,), (c,), a) for d, c, a in unconstrained.transfers],
            proven_minimal=unconstrained.proven_minimal,
            unconstrained_count=len(unconstrained.transfers),
            unmet=[],
            within_households=[],
        )
    return _planned(balances, wishes, sort_key, algorithm._clock() + time_budget, unconstrained)


def greedy_with_wishes[K: Hashable](
    balances: Mapping[K, int], wishes: Wishes[K], *, sort_key: SortKey[K] = repr
) -> WishPlan[K]:
    """The baseline `plan_with_wishes` never loses to: the same wishes kept and set aside, and
    per component of the allowed graph the greedy plan if it keeps them, else any flow that
    does, reduced to a forest. Its ``proven_minimal`` is False: it searches nothing."""
    unconstrained = plan_settlement(balances, sort_key=sort_key)
    return _planned(balances, wishes, sort_key, None, unconstrained)


def _planned[K: Hashable](
    balances: Mapping[K, int],
    wishes: Wishes[K],
    sort_key: SortKey[K],
    deadline: float | None,
    unconstrained: Settlement[K],
) -> WishPlan[K]:
    """The plan of the best search by ``deadline``, or the baseline when it is None."""
    unmet: list[UnmetWish[K]] = []
    problem = _Problem(balances, wishes, sort_key, unmet)
    moves, proven_minimal = problem.plan(deadline)
    booking = _Booking(problem, moves)
    return WishPlan(
        transfers=booking.transfers,
        unit_transfers=[(problem.units[d], problem.units[c], a) for d, c, a in moves],
        proven_minimal=proven_minimal,
        unconstrained_count=len(unconstrained.transfers),
        unmet=unmet,
        within_households=booking.within_households(sort_key),
    )


def _greedy_moves(amounts: Sequence[int], members: Iterable[int]) -> list[_Move]:
    """`settlements.algorithm`'s greedy plan (largest debtor pays largest creditor)."""
    return algorithm._greedy(amounts, members)


def _positions(mask: int) -> Iterator[int]:
    """The positions of the set bits of ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _Problem[K: Hashable]:
    """Units in canonical order, the wishes kept about them, and which transfers they allow."""

    def __init__(
        self,
        balances: Mapping[K, int],
        wishes: Wishes[K],
        sort_key: SortKey[K],
        unmet: list[UnmetWish[K]],
    ) -> None:
        self.balances = balances
        self.unmet = unmet
        named = set(wishes.rather_not_receive) | set(wishes.preferred_payee)
        named |= set(wishes.preferred_payee.values())
        named |= {member for household in wishes.households for member in household}
        people = [*balances, *(key for key in named if key not in balances)]
        self.member_order = {
            member: rank
            for rank, member in enumerate(
                sorted(people, key=lambda m: (balances.get(m, 0), sort_key(m)))
            )
        }
        units = self._households(wishes.households) + [
            (member,) for member in self.member_order if member not in self._in_household
        ]
        units.sort(key=lambda unit: (self._sum(unit), [self.member_order[m] for m in unit]))
        self.units: list[tuple[K, ...]] = units
        self.unit_of = {member: u for u, unit in enumerate(units) for member in unit}
        self.balance = [self._sum(unit) for unit in units]
        self.count = len(units)
        everyone = (1 << self.count) - 1
        self.adjacent = [everyone ^ 1 << u for u in range(self.count)]
        self.rather_not: set[int] = set()
        self.not_receiving = wishes.rather_not_receive
        self.payee: dict[int, int] = {}
        # Debtor unit -> the member it pays, for booking a payment into a household.
        self.preferred_member: dict[int, K] = {}
        self.constrained = False
        if wishes.allowed_pairs is not None:
            self._allow(wishes.allowed_pairs)
        self._keep_rather_not(wishes.rather_not_receive)
        self._keep_preferences(wishes.preferred_payee)

    def _sum(self, unit: Sequence[K]) -> int:
        return sum(self.balances.get(member, 0) for member in unit)

    def _households(self, households: Sequence[frozenset[K]]) -> list[tuple[K, ...]]:
        self._in_household: set[K] = set()
        kept = []
        for household in households:
            members = tuple(sorted(household, key=self.member_order.__getitem__))
            if len(members) < 2 or self._in_household & household:
                self.unmet.append(UnmetWish("households", members, "invalid"))
                continue
            self._in_household |= household
            kept.append(members)
        return kept

    def _allow(self, pairs: frozenset[frozenset[K]]) -> None:
        adjacent = [0] * self.count
        for pair in pairs:
            ends = {self.unit_of.get(member) for member in pair}
            if len(pair) == 2 and None not in ends and len(ends) == 2:
                u, v = ends
                adjacent[u] |= 1 << v
                adjacent[v] |= 1 << u
        unbalanced = [
            u
            for component in _components(range(self.count), adjacent)
            if sum(self.balance[u] for u in component)
            for u in component
        ]
        if unbalanced:
            members = sorted(
                (m for u in unbalanced for m in self.units[u]), key=self.member_order.__getitem__
            )
            self.unmet.append(UnmetWish("allowed_pairs", tuple(members), "unbalanced"))
            return
        self.adjacent = adjacent
        self.constrained = True

    def _keep_rather_not(self, people: frozenset[K]) -> None:
        for u, unit in enumerate(self.units):
            if not all(member in people for member in unit):
                continue
            self.rather_not.add(u)
            if self.feasible_around(u):
                self.constrained = True
            else:
                self.rather_not.discard(u)
                self.unmet.append(UnmetWish("rather_not_receive", unit, "must_receive"))

    def _keep_preferences(self, preferred: Mapping[K, K]) -> None:
        inflow: dict[int, int] = defaultdict(int)
        waiting = sorted(preferred, key=self.member_order.__getitem__)
        refused: dict[K, str] = {}
        # A preference kept can make one refused earlier possible (someone who prefers to pay
        # a debtor lets that debtor's own preference be met: money may reach them), so those
        # refused as a contradiction are tried again until a round keeps none. Each one left is
        # then refused against every wish kept, whatever the order they were tried in.
        while waiting:
            retry = []
            for debtor in waiting:
                reason = self._keep_preference(debtor, preferred[debtor], inflow)
                if reason == "contradiction":
                    retry.append(debtor)
                elif reason is not None:
                    refused[debtor] = reason
            if len(retry) == len(waiting):
                refused.update(dict.fromkeys(retry, "contradiction"))
                break
            waiting = retry
        for debtor in sorted(refused, key=self.member_order.__getitem__):
            self.unmet.append(
                UnmetWish("preferred_payee", (debtor, preferred[debtor]), refused[debtor])
            )

    def _keep_preference(self, debtor: K, payee: K, inflow: dict[int, int]) -> str | None:
        """Keeps `debtor`'s preference for `payee` if it can be, else says why not."""
        d, p = self.unit_of[debtor], self.unit_of[payee]
        if debtor == payee:
            return "invalid"
        if d == p:
            return "same_household"
        if self.balance[d] >= 0:
            return None
        if d in self.payee:
            return None if self.payee[d] == p else "contradiction"
        if not self.adjacent[d] >> p & 1:
            return "not_sharing"
        if p in self.rather_not and inflow[p] - self.balance[d] > self.balance[p]:
            return "would_relay"
        self.payee[d] = p
        if not self.feasible_around(d):
            del self.payee[d]
            return "contradiction"
        inflow[p] -= self.balance[d]
        self.preferred_member[d] = payee
        self.constrained = True
        return None

    def arcs_out(self, u: int) -> int:
        """The units ``u`` may pay under the kept wishes."""
        if u in self.payee:
            candidates = 1 << self.payee[u]
        elif u in self.rather_not and self.balance[u] >= 0:
            return 0
        else:
            candidates = self.adjacent[u]
        arcs = 0
        for v in _positions(candidates):
            if v in self.rather_not and self.balance[v] <= 0:
                continue
            if v in self.payee and self.payee.get(u) != v:
                continue
            arcs |= 1 << v
        return arcs

    def feasible_around(self, u: int) -> bool:
        """Whether the component of the allowed graph holding ``u`` can still be settled."""
        component = next(c for c in _components(range(self.count), self.adjacent) if u in c)
        return self.route(sum(1 << v for v in component)) is not None

    def route(self, members: int) -> dict[tuple[int, int], int] | None:
        """A flow settling the units of ``members`` among themselves under the wishes, as
        (payer, payee) -> amount, or None if there is none.

        Augmenting paths, found breadth first from every unit with debt left to route, with
        unlimited capacity on every allowed arc: a path may also cancel money already sent the
        other way, which is what lets an early, unlucky choice be repaired.
        """
        arcs = {u: self.arcs_out(u) & members for u in _positions(members)}
        left = {u: -self.balance[u] for u in arcs}
        net: dict[tuple[int, int], int] = defaultdict(int)
        while sources := [u for u in arcs if left[u] > 0]:
            came_from: dict[int, int] = dict.fromkeys(sources, -1)
            queue = deque(sources)
            target = -1
            while queue and target < 0:
                u = queue.popleft()
                reachable = arcs[u] | sum(1 << v for v in arcs if net[v, u] > 0)
                for v in _positions(reachable):
                    if v not in came_from:
                        came_from[v] = u
                        if left[v] < 0:
                            target = v
                            break
                        queue.append(v)
            if target < 0:
                return None
            path = []
            v = target
            while came_from[v] >= 0:
                path.append((came_from[v], v))
                v = came_from[v]
            amount = min(left[v], -left[target])
            for a, b in path:
                if not arcs[a] >> b & 1:
                    amount = min(amount, net[b, a])
            left[v] -= amount
            left[target] += amount
            for a, b in path:
                net[a, b] += amount
                net[b, a] -= amount
        return {arc: amount for arc, amount in net.items() if amount > 0}

    def part_moves(self, members: int) -> list[_Move]:
        """The transfers settling the units of ``members``: greedy when it keeps the wishes,
        else a flow reduced to a forest. None of them is longer than len(members) - 1."""
        positions = list(_positions(members))
        moves = _greedy_moves(self.balance, positions)
        if all(self.arcs_out(d) >> c & 1 for d, c, _ in moves):
            return moves
        flow = self.route(members)
        if flow is None:
            raise AssertionError("a part that cannot be settled reached the plan")
        return _forest(flow)

    def plan(self, deadline: float | None) -> tuple[list[_Move], bool]:
        """The moves of the best plan found by ``deadline`` and whether it is proven minimal;
        the baseline's moves when ``deadline`` is None."""
        if not self.constrained and deadline is None:
            return _greedy_moves(self.balance, range(self.count)), False
        if not self.constrained:
            settled = plan_settlement(
                dict(enumerate(self.balance)),
                sort_key=int,
                time_budget=deadline - algorithm._clock(),
            )
            return [tuple(move) for move in settled.transfers], settled.proven_minimal
        clusters = self._clusters()
        adjacent = [self.arcs_out(u) for u in range(self.count)]
        for u in range(self.count):
            for v in _positions(adjacent[u]):
                adjacent[v] |= 1 << u
        moves: list[_Move] = []
        proven = True
        cluster_of = {u: c for c, cluster in enumerate(clusters) for u in _positions(cluster)}
        cluster_adjacent = [0] * len(clusters)
        for u in range(self.count):
            for v in _positions(adjacent[u]):
                if cluster_of[u] != cluster_of[v]:
                    cluster_adjacent[cluster_of[u]] |= 1 << cluster_of[v]
        for component in _components(range(len(clusters)), cluster_adjacent):
            search = _Search(self, [clusters[c] for c in component], cluster_adjacent, component)
            if deadline is None:
                moves += search.baseline()
                proven = False
                continue
            found, finished = search.best(deadline)
            moves += found
            proven &= finished
        return moves, proven

    def _clusters(self) -> list[int]:
        """Unit masks joined by kept preferences (they always share a part), in unit order."""
        root = list(range(self.count))

        def find(u: int) -> int:
            while root[u] != u:
                root[u] = root[root[u]]
                u = root[u]
            return u

        for d, p in self.payee.items():
            root[find(d)] = find(p)
        masks: dict[int, int] = defaultdict(int)
        for u in range(self.count):
            masks[find(u)] |= 1 << u
        return sorted(masks.values(), key=lambda mask: mask & -mask)


def _components(nodes: Iterator[int] | range, adjacent: Sequence[int]) -> list[list[int]]:
    """Connected components of the graph given by neighbour masks, each sorted, in order of
    their lowest node."""
    seen = 0
    components = []
    for start in nodes:
        if seen >> start & 1:
            continue
        reached, frontier = 1 << start, 1 << start
        while frontier:
            grown = 0
            for u in _positions(frontier):
                grown |= adjacent[u]
            frontier = grown & ~reached
            reached |= frontier
        seen |= reached
        components.append(list(_positions(reached)))
    return components


def _forest(flow: Mapping[tuple[int, int], int]) -> list[_Move]:
    """The same settlement with its transfers reduced to a forest.

    Each transfer that closes a cycle pushes money round that cycle, against itself, until a
    transfer on it reaches zero; amounts shrink to zero but never change direction, so every
    wish the flow kept still holds.
    """
    # (low, high) -> amount low pays high, negative when high pays low.
    signed: dict[tuple[int, int], int] = {}
    neighbours: dict[int, set[int]] = defaultdict(set)
    for (payer, payee), amount in sorted(flow.items()):
        low, high = min(payer, payee), max(payer, payee)
        signed[low, high] = amount if payer == low else -amount
        path = _tree_path(neighbours, payer, payee)
        if path is None:
            neighbours[low].add(high)
            neighbours[high].add(low)
            continue
        # The cycle: payee -> payer along this transfer (against its money), then the tree path
        # from payer back to payee.
        cycle = [(payee, payer), *path]
        along = [signed[min(a, b), max(a, b)] * (1 if a < b else -1) for a, b in cycle]
        push = min(-value for value in along if value < 0)
        for a, b in cycle:
            signed[min(a, b), max(a, b)] += push if a < b else -push
        for a, b in cycle[1:]:
            if not signed[min(a, b), max(a, b)]:
                del signed[min(a, b), max(a, b)]
                neighbours[a].discard(b)
                neighbours[b].discard(a)
        if signed[low, high]:
            neighbours[low].add(high)
            neighbours[high].add(low)
        else:
            del signed[low, high]
    return [
        (low, high, amount) if amount > 0 else (high, low, -amount)
        for (low, high), amount in sorted(signed.items())
    ]


def _tree_path(
    neighbours: Mapping[int, set[int]], start: int, goal: int
) -> list[tuple[int, int]] | None:
    """The edges of the path from ``start`` to ``goal`` in a forest, or None if unconnected."""
    came_from = {start: start}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        if u == goal:
            path = []
            while u != start:
                path.append((came_from[u], u))
                u = came_from[u]
            return path[::-1]
        for v in sorted(neighbours.get(u, ())):
            if v not in came_from:
                came_from[v] = u
                queue.append(v)
    return None


class _OutOfTime(Exception):
    """The search passed its deadline."""


class _TooMany(Exception):
    """Listing the zero-sum subsets of a set would take more memory and time than it is worth."""


class _Search:
    """The best plan for one connected component of clusters (module docstring, steps 1-3).

    Clusters are numbered by their position in ``clusters`` (bit b = ``clusters[b]``, a mask of
    units). A part is a set of clusters that sums to zero, is connected and can be settled under
    the wishes (`good`); the plan with the most parts has the fewest transfers.
    """

    def __init__(
        self,
        problem: _Problem,
        clusters: list[int],
        cluster_adjacent: Sequence[int],
        numbers: list[int],
    ) -> None:
        self.problem = problem
        self.clusters = clusters
        local = {number: b for b, number in enumerate(numbers)}
        self.adjacent = [
            sum(1 << local[n] for n in _positions(cluster_adjacent[number]) if n in local)
            for number in numbers
        ]
        self.values = [sum(problem.balance[u] for u in _positions(c)) for c in clusters]
        self.units = sum(cluster.bit_count() for cluster in clusters)
        self.everyone = (1 << len(clusters)) - 1
        self.zero = sum(1 << b for b, value in enumerate(self.values) if not value)
        self.positive = sum(1 << b for b, value in enumerate(self.values) if value > 0)
        # Clusters whose parts need a flow to be checked: those under rather-not or preference
        # wishes. Others are settled by any spanning tree of allowed pairs.
        watched = problem.rather_not | set(problem.payee)
        self.directed = sum(
            1 << b for b, c in enumerate(clusters) if any(u in watched for u in _positions(c))
        )
        self.checked: dict[int, bool] = {}
        self.infeasible: dict[int, int] = {}
        # Component -> (largest size listed, its zero-sum subsets holding its lowest cluster).
        self.candidates: dict[int, tuple[int, list[int]]] = {}
        self.deadline = 0.0
        # False once some candidates went unlisted (`_TooMany`): the search is then a heuristic.
        self.exhaustive = True

    def best(self, deadline: float) -> tuple[list[_Move], bool]:
        self.deadline = deadline
        baseline = self.baseline()
        incumbent, bound = self._repaired_unconstrained(deadline)
        if len(incumbent) > len(baseline):
            incumbent = baseline
        if bound is not None and len(incumbent) <= self.units - bound:
            return self._canonical(incumbent), True
        wanted = self.units - len(incumbent) + 1
        try:
            while (parts := self.split(self.everyone, wanted)) is not None:
                incumbent = [move for part in parts for move in self._region_moves(part)]
                wanted = self.units - len(incumbent) + 1
        except _OutOfTime:
            return incumbent, False
        return self._canonical(incumbent), self.exhaustive

    def _canonical(self, incumbent: list[_Move]) -> list[_Move]:
        """The first plan as short as ``incumbent`` in the search's order.

        Which plan of the minimal length steps 1 and 2 reach can depend on how far a search
        cut short by the clock got; the first partition the branch and bound meets does not.
        So a proven plan is the same for the same balances every time, unless the clock runs
        out here too.
        """
        try:
            parts = self.split(self.everyone, self.units - len(incumbent))
        except _OutOfTime:
            return incumbent
        if parts is None:
            return incumbent
        moves = [move for part in parts for move in self._region_moves(part)]
        return moves if len(moves) <= len(incumbent) else incumbent

    def baseline(self) -> list[_Move]:
        """Step 1: the whole component as one region."""
        return self._region_moves(self.everyone)

    def _units(self, members: int) -> int:
        return sum(self.clusters[b] for b in _positions(members))

    def _region_moves(self, members: int) -> list[_Move]:
        return self.problem.part_moves(self._units(members))

    def _repaired_unconstrained(self, deadline: float) -> tuple[list[_Move], int | None]:
        """Step 2: the unconstrained partition's feasible parts, the rest as one region; and the
        most parts any plan can have, when the unconstrained search proved its maximum."""
        nonzero = {b: value for b, value in enumerate(self.values) if value}
        budget = max(0.0, (deadline - algorithm._clock()) / 2)
        settled = plan_settlement(nonzero, sort_key=int, time_budget=budget)
        kept, rest = [], 0
        for part in settled.parts:
            mask = sum(1 << b for b in part)
            if self.good(mask):
                kept.append(mask)
            else:
                rest |= mask
        zeros = [1 << b for b in _positions(self.zero)]
        if not rest:
            regions = [*kept, *zeros]
        elif self.feasible(rest):
            regions = [*kept, *self._improved(rest, deadline), *zeros]
        elif self.feasible(rest | self.zero):
            regions = [*kept, *self._improved(rest | self.zero, deadline)]
        else:
            regions = self._improved(self.everyone, deadline)
        bound = self.zero.bit_count() + len(settled.parts) if settled.proven_minimal else None
        return [move for region in regions for move in self._region_moves(region)], bound

    def _improved(self, region: int, deadline: float) -> list[int]:
        """The most parts of ``region`` the search finds in half the time left (the whole region
        if none); the members left over by the unconstrained partition are worth a focused
        search before the search over the whole component."""
        self.deadline = algorithm._clock() + (deadline - algorithm._clock()) / 2
        best = [region]
        try:
            while (parts := self.split(region, len(best) + 1)) is not None:
                best = parts
        except _OutOfTime:
            pass
        self.deadline = deadline
        return best

    def good(self, members: int) -> bool:
        """Whether ``members`` can be one part: zero sum, connected, settleable under wishes."""
        known = self.checked.get(members)
        if known is None:
            known = (
                sum(self.values[b] for b in _positions(members)) == 0
                and len(self._split_components(members)) == 1
                and (
                    not members & self.directed
                    or self.problem.route(self._units(members)) is not None
                )
            )
            self.checked[members] = known
        return known

    def feasible(self, members: int) -> bool:
        """Whether ``members`` can be settled among themselves (in one part or several)."""
        return all(self.good(c) for c in self._split_components(members))

    def _split_components(self, members: int) -> list[int]:
        nodes = list(_positions(members))
        adjacent = [
            self.adjacent[b] & members if members >> b & 1 else 0 for b in range(len(self.adjacent))
        ]
        return [sum(1 << b for b in c) for c in _components(iter(nodes), adjacent)]

    def split(self, members: int, wanted: int) -> list[int] | None:
        """At least ``wanted`` parts covering ``members``, or None if there are none."""
        if self.infeasible.get(members, wanted + 1) <= wanted:
            return None
        if algorithm._clock() > self.deadline:
            raise _OutOfTime
        components = self._split_components(members)
        if wanted <= len(components) and all(self.good(c) for c in components):
            return components
        bound = 0
        for component in components:
            if sum(self.values[b] for b in _positions(component)):
                bound = -1
                break
            nonzero = component & ~self.zero
            creditors = (nonzero & self.positive).bit_count()
            bound += (component & self.zero).bit_count() + min(
                creditors, nonzero.bit_count() - creditors
            )
        if bound >= wanted:
            for part in self._parts_with_lowest(components[0]):
                found = self.split(members ^ part, max(wanted - 1, 1)) if members ^ part else []
                if found is not None and len(found) + 1 >= wanted:
                    return [part, *found]
        self.infeasible[members] = wanted
        return None

    def _parts_with_lowest(self, component: int) -> Iterator[int]:
        """The parts within ``component`` holding its lowest cluster.

        Listed in tiers of doubling size (up to 4 clusters, 8, 16, ...), and within a tier
        fewest relays first, then smallest first: small parts leave the most room for others,
        and with small amounts there are hundreds of thousands of large zero-sum subsets that a
        search succeeding with small ones never needs to list.
        """
        done, limit = 0, 4
        size = component.bit_count()
        while done < size:
            listed, found = self.candidates.get(component, (0, []))
            if listed < limit:
                try:
                    found = self._zero_sum_with_lowest(component, limit)
                except _TooMany:
                    # Larger parts go untried here, so a failure proves nothing.
                    self.exhaustive = False
                    return
                self.candidates[component] = limit, found
            for count, part in enumerate(found):
                if not count % 256 and algorithm._clock() > self.deadline:
                    raise _OutOfTime
                if done < part.bit_count() and self.good(part):
                    yield part
            done, limit = limit, 2 * limit

    def _zero_sum_with_lowest(self, component: int, largest: int) -> list[int]:
        """Zero-sum subsets of ``component`` of at most ``largest`` clusters holding its
        lowest, in the order `_parts_with_lowest` tries them; by meet-in-the-middle."""
        lowest = component & -component
        others = list(_positions(component ^ lowest))
        half = len(others) // 2
        target = -self.values[lowest.bit_length() - 1]
        firsts: dict[int, list[int]] = defaultdict(list)
        for total, mask in self._subsets(others[:half], largest - 1):
            firsts[total].append(mask)
        found = []
        for total, second in self._subsets(others[half:], largest - 1):
            found += [
                lowest | first | second
                for first in firsts.get(target - total, ())
                if (first | second).bit_count() < largest
            ]
            if len(found) > _HALF_LIMIT:
                raise _TooMany
        found.sort(key=lambda part: ((part & self.zero).bit_count(), part.bit_count(), part))
        return found

    def _subsets(self, positions: list[int], most: int) -> list[tuple[int, int]]:
        """(sum, mask) of every subset of ``positions`` with at most ``most`` clusters."""
        subsets = [(0, 0)]
        for b in positions:
            subsets += [
                (total + self.values[b], mask | 1 << b)
                for total, mask in subsets
                if mask.bit_count() < most
            ]
            if len(subsets) > _HALF_LIMIT:
                raise _TooMany
            if algorithm._clock() > self.deadline:
                raise _OutOfTime
        return subsets


class _Booking[K: Hashable]:
    """Unit transfers booked to members; what households' members then owe each other."""

    def __init__(self, problem: _Problem[K], moves: list[_Move]) -> None:
        self.problem = problem
        balances = problem.balances
        # What each member may still pay (debtors) or receive (creditors) within the plan.
        self.room = {m: abs(balances.get(m, 0)) for unit in problem.units for m in unit}
        self.transfers: list[Transfer[K]] = []
        self.moved: dict[K, int] = defaultdict(int)
        for d, c, amount in moves:
            paying = self._pieces(d, amount, paying=True)
            receiving = self._pieces(c, amount, paying=False, payer=d)
            self._pair(paying, receiving)

    def _pieces(self, u: int, amount: int, *, paying: bool, payer: int = -1) -> list[list]:
        """Who in unit ``u`` pays (or receives) how much of ``amount``.

        The member someone prefers to pay receives all of it. Otherwise members on the right
        side of zero take it up to what they owe (or are owed), in canonical order, and what is
        left, money the household relays, goes through its first member who has no wish not to
        receive.
        """
        unit = self.problem.units[u]
        if len(unit) == 1:
            return [[unit[0], amount]]
        chosen = self.problem.preferred_member.get(payer)
        if not paying and chosen in unit:
            self.room[chosen] -= min(self.room[chosen], amount)
            return [[chosen, amount]]
        balances = self.problem.balances
        pieces = []
        for member in unit:
            if (balances.get(member, 0) < 0) == paying and self.room[member] and amount:
                share = min(self.room[member], amount)
                self.room[member] -= share
                pieces.append([member, share])
                amount -= share
        if amount:
            wished = self.problem.not_receiving
            pieces.append([next((m for m in unit if m not in wished), unit[0]), amount])
        return pieces

    def _pair(self, paying: list[list], receiving: list[list]) -> None:
        at = 0
        for debtor, owed in paying:
            while owed:
                creditor, due = receiving[at]
                amount = min(owed, due)
                self.transfers.append(Transfer(debtor, creditor, amount))
                self.moved[debtor] += amount
                self.moved[creditor] -= amount
                owed -= amount
                receiving[at][1] -= amount
                if not receiving[at][1]:
                    at += 1

    def within_households(self, sort_key: SortKey[K]) -> list[Transfer[K]]:
        balances = self.problem.balances
        owed = []
        for unit in self.problem.units:
            if len(unit) > 1:
                left = {m: balances.get(m, 0) + self.moved[m] for m in unit}
                owed += plan_settlement(left, sort_key=sort_key).transfers
        return owed
