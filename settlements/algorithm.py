"""Settle-up planning: turn a group's balances into the fewest transfers.

Pure Python with no Django imports, so the app, the "Explain" view and the benchmarks can all
call it on plain mappings.

Why "fewest transfers" is a partition problem: a plan's transfers form a graph on the members
whose connected components each sum to zero, and a component of k members needs at least k - 1
transfers. So a plan for n non-zero members has at least n - p transfers, where p is the largest
number of disjoint zero-sum groups the members can be split into, and settling each group on its
own with k - 1 transfers reaches that bound. Finding p is NP-hard (it contains subset sum), so:

1. exact opposite pairs (x, -x) are settled first, each as its own group (optimal, see
   `_cancel_pairs`);
2. if at most `EXACT_LIMIT` non-zero members remain, the best partition is found exactly by a
   search over zero-sum subsets (`_best_masks`);
3. otherwise a branch and bound over partitions (`_PartitionSearch`) looks for the best one
   within a time budget, and says whether it finished (``proven_minimal``). Its fallback, and
   above `SEARCH_FIRST_LIMIT` members its starting point, is a polynomial heuristic
   (`_heuristic_moves`): zero-sum groups of 3, 4, 5 and 6 members are peeled off by hashing,
   the remainder is solved exactly once it is small enough, and the result is compared with
   the plain greedy plan (largest debtor pays largest creditor). So the answer is never worse
   than either.

Determinism: members are put into a canonical order, by balance and then by ``sort_key(key)``
(``repr`` unless the caller supplies one), and every later step only looks at positions in that
order. A search cut short by its time budget depends on how far it got; one that finishes does
not. Keys of mixed or unorderable types are fine. Two different keys with the same balance and
the same ``sort_key`` value are indistinguishable to the ordering; for them, the plan follows the
mapping's iteration order, so give such keys distinct reprs or pass a ``sort_key``.
"""

import heapq
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from itertools import combinations_with_replacement
from math import comb, lcm
from typing import Any, NamedTuple

# The bitset search is exponential in this: 20 members means bitsets of 2**19 subsets, a few ms.
# Larger groups go to the branch and bound (`_PartitionSearch`).
EXACT_LIMIT = 20
# Seconds the branch and bound may spend on one plan before it settles for the best plan found.
# Groups of up to 30 members with a balance finish within it on every input measured but rare
# adversarial ones (docs/benchmarks.md); the settle-up page says when a search was cut short.
TIME_BUDGET = 0.2
# Up to this many members (after cancelling pairs) the branch and bound starts without the
# heuristic's plan; above, it starts from it and improves it while time is left.
SEARCH_FIRST_LIMIT = 30
# The clock the time budget is measured on. Tests that check what fits in the budget swap in
# the thread's CPU clock, which other processes on a busy machine cannot slow down.
_clock = time.monotonic
# Zero-sum subsets of a whole group the search may list up front (see `_PartitionSearch._weigh`);
# with more, it finds them set by set.
_LISTED_LIMIT = 1 << 15
# Zero-sum triples or quadruples the search's bound may check at every step.
_SMALL_PARTS_LIMIT = 20_000
# A meet-in-the-middle half listing more subsets than this cannot be searched within the budget.
_HALF_LIMIT = 1 << 17
# Candidate checks the heuristic for big groups may spend (about 1 µs each), so that it stays
# well under a second on any input; beyond it the plan keeps what was found so far.
SEARCH_BUDGET = 200_000
# The exact search compares zero-sum subsets pairwise, |family|**2 / 2 steps, up to this many;
# past it the bitset DP, whose cost does not depend on the family, is faster.
_LISTED_CHAIN_LIMIT = 150


class Transfer[K: Hashable](NamedTuple):
    """One payment of the plan: ``debtor`` pays ``creditor`` ``amount`` minor units (> 0)."""

    debtor: K
    creditor: K
    amount: int


class Settlement[K: Hashable](NamedTuple):
    """A plan together with the zero-sum groups it settles independently.

    ``parts`` lists every member with a non-zero balance exactly once; a part of k members is
    settled by exactly k - 1 of the ``transfers``, all within the part. ``proven_minimal`` is
    True when the number of transfers is proven minimal, False when the search ran out of time
    first (then no plan found was shorter, and none is longer than the greedy plan).
    """

    parts: list[list[K]]
    transfers: list[Transfer[K]]
    proven_minimal: bool


type SortKey[K] = Callable[[K], Any]
# Internal plans work on positions in the canonical order: (debtor, creditor, amount).
type _Move = tuple[int, int, int]


def minimize_transfers[K: Hashable](
    balances: Mapping[K, int], *, sort_key: SortKey[K] = repr, time_budget: float = TIME_BUDGET
) -> list[Transfer[K]]:
    """Return a plan settling ``balances`` (minor units, positive = is owed) in few transfers.

    The number of transfers is minimal unless the search needs more than ``time_budget``
    seconds (see `plan_settlement`), and never more than the greedy plan's. Raises TypeError for
    non-integer balances and ValueError if they do not sum to 0.
    """
    return plan_settlement(balances, sort_key=sort_key, time_budget=time_budget).transfers


def zero_sum_parts[K: Hashable](
    balances: Mapping[K, int], *, sort_key: SortKey[K] = repr, time_budget: float = TIME_BUDGET
) -> list[list[K]]:
    """Return the disjoint zero-sum groups that `minimize_transfers` settles independently."""
    return plan_settlement(balances, sort_key=sort_key, time_budget=time_budget).parts


def greedy_transfers[K: Hashable](
    balances: Mapping[K, int], *, sort_key: SortKey[K] = repr
) -> list[Transfer[K]]:
    """Return the textbook plan: the largest debtor repeatedly pays the largest creditor.

    Kept public as the baseline the optimiser must never lose to, and for comparisons.
    """
    keys, amounts = _canonical(balances, sort_key)
    return [Transfer(keys[d], keys[c], a) for d, c, a in _greedy(amounts, range(len(amounts)))]


def plan_settlement[K: Hashable](
    balances: Mapping[K, int], *, sort_key: SortKey[K] = repr, time_budget: float = TIME_BUDGET
) -> Settlement[K]:
    """Return the plan of `minimize_transfers` together with its zero-sum parts.

    The search runs for at most about ``time_budget`` seconds (monotonic clock) beyond the
    polynomial heuristic that gives its starting point; ``proven_minimal`` says whether it
    finished. A finished search gives the same plan for the same balances every time.
    """
    keys, amounts = _canonical(balances, sort_key)
    moves, proven_minimal = _plan(amounts, _clock() + time_budget)
    # Parts are read off the transfers, so they always match them, even where the heuristic's
    # leftover part turned out to split further.
    return Settlement(
        parts=[[keys[i] for i in part] for part in _components(moves)],
        transfers=[Transfer(keys[d], keys[c], a) for d, c, a in moves],
        proven_minimal=proven_minimal,
    )


def _canonical[K: Hashable](
    balances: Mapping[K, int], sort_key: SortKey[K]
) -> tuple[list[K], list[int]]:
    """Validate, drop zero balances and order the rest by (balance, sort_key(member))."""
    members: list[tuple[int, K]] = []
    total = 0
    for key, amount in balances.items():
        # bool is an int subclass, but True is not an amount of money.
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError(
                f"balance of {key!r} must be an int in minor units, "
                f"got {type(amount).__name__} {amount!r}"
            )
        total += amount
        if amount:
            members.append((int(amount), key))
    if total:
        raise ValueError(f"balances must sum to 0, but they sum to {total}")
    members.sort(key=lambda member: (member[0], sort_key(member[1])))
    return [key for _, key in members], [amount for amount, _ in members]


def _plan(amounts: Sequence[int], deadline: float) -> tuple[list[_Move], bool]:
    """The moves of the best plan found by ``deadline``, and whether it is proven minimal."""
    pairs, rest = _cancel_pairs(amounts)
    if len(rest) <= EXACT_LIMIT:
        return _moves(amounts, pairs + _best_partition(amounts, rest)), True
    # Largest amounts first: they fit in the fewest zero-sum parts, so the search, which places
    # its lowest member first, meets dead ends early. Equal amounts stay next to each other.
    searched = sorted(rest, key=lambda i: (-abs(amounts[i]), amounts[i], i))
    search = _PartitionSearch([amounts[i] for i in searched], deadline)
    best: list[int] = []
    if len(rest) <= SEARCH_FIRST_LIMIT:
        # The search alone is faster than the heuristic here, and needs no head start.
        best, proven_minimal = search.most_parts(2)
        if proven_minimal:
            return _moves(amounts, pairs + (_members(searched, best) or [rest])), True
    incumbent = _heuristic_moves(amounts, pairs, rest)
    # n - p transfers for n members in p parts: the parts of ``rest`` the heuristic reached.
    reached = len(amounts) - len(incumbent) - len(pairs)
    proven_minimal = False
    if reached >= len(best):
        best, proven_minimal = search.most_parts(reached + 1)
        if not best:
            return incumbent, proven_minimal
    return _moves(amounts, pairs + _members(searched, best)), proven_minimal


def _members(positions: list[int], masks: list[int]) -> list[list[int]]:
    """The parts ``masks`` select from ``positions`` (bit b = ``positions[b]``)."""
    return [sorted(p for b, p in enumerate(positions) if mask >> b & 1) for mask in masks]


def _moves(amounts: Sequence[int], parts: list[list[int]]) -> list[_Move]:
    """Greedy within each part, parts in ascending order of their positions."""
    return [move for part in sorted(parts) for move in _greedy(amounts, part)]


def _heuristic_moves(
    amounts: Sequence[int], pairs: list[list[int]], rest: list[int]
) -> list[_Move]:
    """The polynomial plan for groups too large for the bitset search, never worse than greedy.

    Zero-sum groups of 3 to 6 members are peeled off by hashing, the remainder is solved by the
    bitset search once it is small enough, and the result is compared with the greedy plan.
    It is the starting point (and the fallback) of `_PartitionSearch`.
    """
    small, left = _peel_small_parts(amounts, rest)
    parts = pairs + small
    if len(left) <= EXACT_LIMIT:
        parts += _best_partition(amounts, left)
    else:
        parts.append(left)
    moves = _moves(amounts, parts)
    baseline = _greedy(amounts, range(len(amounts)))
    return baseline if len(baseline) < len(moves) else moves


def _cancel_pairs(amounts: Sequence[int]) -> tuple[list[list[int]], list[int]]:
    """Set aside every exact opposite pair (x, -x) as its own part; return (pairs, the rest).

    This never costs optimality. Take a best partition P and a pair a = x, b = -x. If a and b
    share a part, the rest of that part sums to zero, so it is the pair alone (else splitting it
    would beat P). If a sits in part A and b in part B, replace A and B by {a, b} and
    (A | B) - {a, b}: both sum to zero, and the second is non-empty because A - {a} sums to -x
    != 0, so the number of parts is unchanged. Either way some best partition has {a, b} as a
    part, and the remaining members' best partition is the rest of it; induct on the pairs.
    """
    by_amount: dict[int, list[int]] = defaultdict(list)
    for i, amount in enumerate(amounts):
        by_amount[amount].append(i)
    pairs: list[list[int]] = []
    rest: list[int] = []
    for amount, group in by_amount.items():
        opposite = by_amount.get(-amount, [])
        if amount > 0:
            pairs += [sorted(pair) for pair in zip(opposite, group, strict=False)]
        rest += group[len(opposite) :]
    rest.sort()
    return pairs, rest


def _best_partition(amounts: Sequence[int], members: list[int]) -> list[list[int]]:
    """Return a partition of ``members`` (no opposite pairs left) into the most zero-sum parts.

    Without opposite pairs every zero-sum part has at least three members, one of each sign, so
    there are at most min(#creditors, #debtors, m // 3) parts. Many real groups have a bound of
    1, which needs no search at all.
    """
    m = len(members)
    creditors = sum(amounts[i] > 0 for i in members)
    bound = min(creditors, m - creditors, m // 3)
    if bound < 2:
        return [members] if members else []
    values = [amounts[i] for i in members]
    return [[members[b] for b in range(m) if mask >> b & 1] for mask in _best_masks(values, bound)]


def _best_masks(values: Sequence[int], bound: int) -> list[int]:
    """Return bitmasks of a partition of ``values`` (sum 0, 6 <= m <= 20) into most zero-sum parts.

    A partition into parts P1..Pk is a chain of zero-sum subsets {} < Z1 < ... < Zk = everything,
    with Zj = P1 | ... | Pj, so we want the longest such chain. Listing the part that holds the
    last member last, Z1..Z(k-1) all leave that member out: the search only needs the zero-sum
    subsets of the first m - 1 members, half of all subsets, and Z(k-1) may be any of them.

    Those subsets are found meet-in-the-middle: the subset sums of one half are indexed by value
    and looked up for each subset of the other half. In real data there are few of them (median
    6 for 20 members with realistic expenses); then the chain is found by comparing them
    pairwise. Adversarial data (many equal or small amounts) can have tens of thousands, and
    then the dynamic programme runs on bitsets instead (`_longest_chain_bitset`), whose cost is
    bounded by 2**(m - 1) bits per pass whatever the data.
    """
    m = len(values)
    half = m // 2
    lows: dict[int, list[int]] = defaultdict(list)
    for low, s in enumerate(_subset_sums(values[:half])):
        lows[s].append(low)
    high_sums = _subset_sums(values[half:-1])
    count = sum(len(lows.get(-s, ())) for s in high_sums)  # includes the empty set
    if count == 1:
        return [(1 << m) - 1]
    if count <= _LISTED_CHAIN_LIMIT:
        zero_sum = sorted(
            high << half | low
            for high, s in enumerate(high_sums)
            for low in lows.get(-s, ())
            if high or low
        )
        chain = _longest_chain_listed(zero_sum)
    else:
        # Row h of the bitset holds the low halves that complete high half h to a zero sum.
        row_bytes = (1 << half) >> 3
        rows = {
            s: sum(1 << low for low in group).to_bytes(row_bytes, "little")
            for s, group in lows.items()
        }
        blank = bytes(row_bytes)
        bitset = int.from_bytes(b"".join(rows.get(-s, blank) for s in high_sums), "little")
        chain = _longest_chain_bitset(bitset ^ 1, m - 1, bound - 1)
    chain.append((1 << m) - 1)
    return [outer ^ inner for inner, outer in zip([0, *chain], chain, strict=False)]


def _subset_sums(values: Sequence[int]) -> list[int]:
    """Sums of all subsets, indexed by bitmask (bit t set = values[t] included)."""
    sums = [0]
    for value in values:
        sums += [s + value for s in sums]
    return sums


def _longest_chain_listed(family: list[int]) -> list[int]:
    """Longest chain of strictly nested masks from ``family`` (ascending), innermost first."""
    length: list[int] = []
    parent: list[int] = []
    for y, outer in enumerate(family):
        best, best_parent = 1, -1
        # A proper subset is a smaller number, so it is already scored.
        for x in range(y):
            if length[x] >= best and family[x] & outer == family[x]:
                best, best_parent = length[x] + 1, x
        length.append(best)
        parent.append(best_parent)
    chain = []
    at = length.index(max(length))
    while at >= 0:
        chain.append(family[at])
        at = parent[at]
    return chain[::-1]


@cache
def _lacking_bit(bits: int) -> tuple[int, ...]:
    """Bitsets over the 2**bits subsets of ``bits`` items: entry i selects those without item i.

    Built from repeated byte patterns because that is far faster than bit twiddling, and
    cached because they depend only on the size (about 1.2 MB for 19 items).
    """
    size = (1 << bits) >> 3
    lacking = []
    for i in range(bits):
        if i < 3:
            pattern = bytes([(0x55, 0x33, 0x0F)[i]]) * size
        else:
            run = 1 << (i - 3)
            pattern = (b"\xff" * run + b"\x00" * run) * (size // (2 * run))
        lacking.append(int.from_bytes(pattern, "little"))
    return tuple(lacking)


def _longest_chain_bitset(family: int, bits: int, limit: int) -> list[int]:
    """Longest chain (at most ``limit`` long) of strictly nested masks in ``family``.

    ``family`` is a 2**bits-bit integer whose set bits are the masks. Let A_j be the masks that
    top a chain of length j: A_1 is the family and A_j is the family members strictly
    containing a member of A_(j-1). "Every strict superset of a member" is bits shift-and-or
    passes over the whole bitset at C speed, instead of 2**bits * bits Python steps.
    """
    lacking = _lacking_bit(bits)

    def up_closure(masks: int) -> int:
        for i, without in enumerate(lacking):
            masks |= (masks & without) << (1 << i)
        return masks

    def one_more(masks: int) -> int:
        grown = 0
        for i, without in enumerate(lacking):
            grown |= (masks & without) << (1 << i)
        return grown

    levels = [family]
    closures: list[int] = []
    while len(levels) < limit:
        closure = up_closure(levels[-1])
        deeper = family & one_more(closure)
        if not deeper:
            break
        closures.append(closure)
        levels.append(deeper)

    # Walk back down from the lowest-numbered top: dropping members while staying a superset of
    # something in A_(j-1) reaches a member of A_(j-1) after at least one drop.
    top = (levels[-1] & -levels[-1]).bit_length() - 1
    chain = [top]
    size = (1 << bits) >> 3
    for level, closure in zip(reversed(levels[:-1]), reversed(closures), strict=True):
        in_level, in_closure = level.to_bytes(size, "little"), closure.to_bytes(size, "little")
        below = top
        while True:
            below ^= next(
                bit
                for bit in (1 << b for b in range(bits))
                if below & bit and in_closure[(below ^ bit) >> 3] >> ((below ^ bit) & 7) & 1
            )
            if in_level[below >> 3] >> (below & 7) & 1:
                break
        chain.append(below)
        top = below
    return chain[::-1]


class _OutOfTime(Exception):
    """The partition search passed its deadline."""


class _PartitionSearch:
    """Branch and bound for the most zero-sum parts of ``values`` (sum 0, no opposite pairs).

    Members are bit positions of ``values``. `split` decides whether a set of members splits
    into at least k zero-sum parts. The part holding the lowest member is some zero-sum subset
    containing it; trying each such subset and splitting the rest into k - 1 parts covers every
    partition exactly once. Subsets are tried smallest first (small parts leave the most room
    for others), picked from the group's zero-sum subsets when `_weigh` could list them all and
    otherwise found by meet-in-the-middle over the other members, limited to the sizes that
    leave 3 members for each of the k - 1 other parts (without opposite pairs, every zero-sum
    part has at least 3 members). Members with equal values are interchangeable, so a part only
    takes the lowest-numbered members of each value still left. Sets proven unable to split
    into k parts are remembered, and `_upper_bound` and `_small_parts_allow` cut off sets that
    cannot reach k. Members are numbered largest amount first (see `_plan`): a large amount fits
    in few zero-sum parts, so placing it first meets dead ends early.

    `most_parts` asks for ever more parts, starting from 2 or from what the heuristic reached,
    so the one question that fails proves the previous answer optimal; what it found before the
    deadline is kept when time runs out.
    """

    def __init__(self, values: Sequence[int], deadline: float) -> None:
        self.values = values
        self.deadline = deadline
        self.positive = sum(1 << b for b, value in enumerate(values) if value > 0)
        self.equal_to_next = sum(
            1 << b for b in range(len(values) - 1) if values[b] == values[b + 1]
        )
        # Set of members -> the fewest parts it is known not to split into.
        self.infeasible: dict[int, int] = {}
        # Set of members -> (largest part size listed, zero-sum parts holding its lowest member).
        self.candidates: dict[int, tuple[int, list[int]]] = {}
        # Lowest member -> every zero-sum subset of the group it is the lowest of, smallest
        # first, when `_weigh` could list them all.
        self.zero_sum_by_lowest: dict[int, list[int]] = defaultdict(list)
        # Every zero-sum triple and quadruple, for `_small_parts_allow`, unless there are so many
        # (hundreds of equal balances) that checking them would cost more than it saves.
        self.triples: set[int] = set()
        self.quadruples: set[int] = set()
        pairs: dict[int, list[int]] = defaultdict(list)
        for b, value in enumerate(values):
            for a in range(b):
                pairs[values[a] + value].append(1 << a | 1 << b)
        holding: dict[int, int] = defaultdict(int)
        for b, value in enumerate(values):
            holding[value] |= 1 << b
        triples_listed = (
            sum(len(group) * holding.get(-total, 0).bit_count() for total, group in pairs.items())
            <= _SMALL_PARTS_LIMIT
        )
        quadruples_listed = (
            sum(
                len(group) * len(pairs.get(-total, ()))
                for total, group in pairs.items()
                if total < 0
            )
            <= _SMALL_PARTS_LIMIT
        )
        if triples_listed:
            self.triples = {
                pair | third
                for total, group in pairs.items()
                for pair in group
                for third in _bits(holding.get(-total, 0) & ~pair)
            }
        if quadruples_listed:
            self.quadruples = {
                pair | other
                for total, group in pairs.items()
                if total < 0
                for pair in group
                for other in pairs.get(-total, ())
                if not pair & other
            }
        # The bounds that read them hold only when every triple and quadruple is listed.
        self.small_parts_listed = triples_listed and quadruples_listed
        # Members with equal values are interchangeable, so `_small_parts_allow` counts them
        # by value. Equal values are numbered next to each other (see `_plan`), so a count per
        # value is a mask too: the lowest that many members of each value. Every zero-sum
        # triple (worth 2) and quadruple (worth 1) becomes a `_SmallPart` of such masks.
        self.by_value = [holding[value] for value in sorted(holding)]
        # Member -> the members of its value.
        self.same_value = [0] * len(values)
        for same in self.by_value:
            for bit in _bits(same):
                self.same_value[bit.bit_length() - 1] = same
        self.small_parts = sorted(
            {self._small_part(part) for part in (*self.triples, *self.quadruples)}
        )
        # The members of each value in some small part, the value in fewest small parts first:
        # the order in which `_packing_reaches` branches.
        in_kinds = Counter(same for kind in self.small_parts for same, _ in kind.takes)
        self.values_by_kinds = sorted(in_kinds, key=lambda same: (in_kinds[same], same))
        # Counted members (see `_counted`) -> the smallest worth of small parts found out of
        # reach, and the largest found within reach.
        self.packing_short: dict[int, int] = {}
        self.packing_reached: dict[int, int] = {}
        # Counted members -> the most disjoint triples.
        self.disjoint_triples: dict[int, int] = {}
        # Per byte of a mask, the weights of its members, each scale // (fewest members of a
        # zero-sum part holding it): see `_weigh`.
        self.weights: list[list[int]] = []
        self.weighed = False
        self.scale = lcm(*range(1, len(values) + 1))

    def most_parts(self, start: int) -> tuple[list[int], bool]:
        """The masks of a partition into more than ``start - 1`` parts, the most found by the
        deadline ([] if none), and whether no partition has more."""
        everyone = (1 << len(self.values)) - 1
        best: list[int] = []
        try:
            if not self.weighed:
                self._weigh()
            wanted = start
            while (found := self.split(everyone, wanted)) is not None:
                best, wanted = found, len(found) + 1
        except _OutOfTime:
            return best, False
        return best, True

    def split(self, members: int, wanted: int) -> list[int] | None:
        """At least ``wanted`` zero-sum parts of ``members`` (which sum to 0), or None."""
        if wanted <= 1:
            return [members]
        if self.infeasible.get(members, wanted + 1) <= wanted:
            return None
        if _clock() > self.deadline:
            raise _OutOfTime
        if self._upper_bound(members, wanted) >= wanted and self._small_parts_allow(
            members, wanted
        ):
            largest = members.bit_count() - 3 * (wanted - 1)
            # What the rest must weigh to hold wanted - 1 parts (see `_weigh`).
            room = self._weight(members) - (wanted - 1) * self.scale if self.weights else 0
            lowest, size, smallest = members & -members, members.bit_count(), 0
            for part in self._parts_with_lowest(members, largest):
                if part.bit_count() > smallest:
                    # Parts come smallest first: every one left has at least this many members.
                    smallest = part.bit_count()
                    if not self._small_parts_allow(members ^ lowest, wanted - 1, size - smallest):
                        break
                if room < self._weight(part):
                    continue
                found = self.split(members ^ part, wanted - 1)
                if found is not None:
                    return [part, *found]
        self.infeasible[members] = wanted
        return None

    def _weigh(self) -> None:
        """Find the smallest zero-sum part each member can be in, if that is quick.

        A partition's parts each have at least as many members as the smallest part possible
        for any of their members, so summing 1 / that size over the members bounds the number of
        parts. It is found from every zero-sum subset at once, by meet-in-the-middle, which is
        cheap when amounts are varied (tens of thousands for 30 members of real expenses);
        with small colliding amounts there are far more, and `_small_parts_allow` makes do with
        triples and quadruples.
        """
        self.weighed = True
        n = len(self.values)
        # The subsets without the last member: a zero-sum subset holding it is the complement
        # of one of them.
        half = (n - 1) // 2
        if _count_subsets(n - 1 - half, n) > _HALF_LIMIT:
            return
        first_sums, first_masks, _ = self._subsets(list(range(half)), 0, n)
        second_sums, second_masks, _ = self._subsets(list(range(half, n - 1)), 0, n)
        meeting = {-total for total in first_sums}.intersection(second_sums)
        firsts: dict[int, list[int]] = defaultdict(list)
        for k in [k for k, total in enumerate(first_sums) if -total in meeting]:
            firsts[-first_sums[k]].append(first_masks[k])
        seconds = [k for k, total in enumerate(second_sums) if total in meeting]
        if sum(len(firsts[second_sums[k]]) for k in seconds) > _LISTED_LIMIT:
            return
        everyone = (1 << n) - 1
        zero_sum = [first | second_masks[k] for k in seconds for first in firsts[second_sums[k]]]
        covered_by_size: dict[int, int] = defaultdict(int)
        for subset in zero_sum:
            covered_by_size[subset.bit_count()] |= subset
            covered_by_size[n - subset.bit_count()] |= everyone ^ subset
        # Every zero-sum subset of a set of members is one of these: `_parts_with_lowest` picks
        # its candidates from them instead of searching each set afresh.
        proper = [subset for subset in zero_sum if subset] + [
            everyone ^ subset for subset in zero_sum if subset
        ]
        proper.sort(key=lambda part: (part.bit_count(), part))
        for part in proper:
            self.zero_sum_by_lowest[part & -part].append(part)
        smallest = [n] * n
        for size in sorted(covered_by_size, reverse=True):
            for b in range(n):
                if covered_by_size[size] >> b & 1:
                    smallest[b] = size
        # Summing a mask's weights a byte at a time: the search weighs every part it tries.
        self.weights = [
            [
                sum(
                    self.scale // smallest[b]
                    for b in range(at, min(at + 8, n))
                    if byte >> (b - at) & 1
                )
                for byte in range(256)
            ]
            for at in range(0, n, 8)
        ]

    def _weight(self, members: int) -> int:
        return sum(table[members >> (8 * k) & 255] for k, table in enumerate(self.weights))

    def _upper_bound(self, members: int, wanted: int) -> int:
        """At most this many zero-sum parts: each needs a creditor, a debtor and 3 members, and
        `_weigh` gives each member's smallest part size in the whole group. (A member in no
        zero-sum triple or quadruple within ``members`` needing a part of 5 is counted by
        `_small_parts_allow`, whose first test is that bound.)"""
        size = members.bit_count()
        creditors = (members & self.positive).bit_count()
        bound = min(creditors, size - creditors, size // 3)
        if self.weights and bound >= wanted:
            bound = min(bound, self._weight(members) // self.scale)
        return bound

    def _small_part(self, part: int) -> "_SmallPart":
        """The kind of a zero-sum triple or quadruple: how many members of each value."""
        takes = Counter(self.same_value[bit.bit_length() - 1] for bit in _bits(part))
        return _SmallPart(
            worth=5 - part.bit_count(),
            needs=sum((same & -same) << (many - 1) for same, many in takes.items()),
            values=sum(takes),
            takes=tuple(sorted(takes.items())),
        )

    def _counted(self, members: int) -> int:
        """``members`` as counts per value: the lowest that many members of each value."""
        counted = 0
        for same in self.by_value:
            counted |= ((1 << (members & same).bit_count()) - 1) * (same & -same)
        return counted

    def _small_parts_allow(self, members: int, wanted: int, size: int | None = None) -> bool:
        """Whether the zero-sum triples and quadruples within ``members`` leave room for
        ``wanted`` parts of ``size`` members in all (by default, all of ``members``).

        Parts of t triples, q quadruples and the rest of 5 or more members fit in ``size``
        members only if 5 * wanted <= size + 2t + q, and those triples and quadruples are
        disjoint. So the most 2t + q over disjoint triples and quadruples bounds the parts; it
        is what tells groups of small amounts, with thousands of larger zero-sum subsets, from
        one more part. Without the listing (too many to check) it allows anything.

        `split` passes a smaller ``size`` once the part holding the lowest member has at least
        s members: the other parts then lie in ``members`` less that member and hold at most
        size - s members in all.
        """
        if not self.small_parts_listed:
            return True
        counted = self._counted(members)
        kinds = [kind for kind in self.small_parts if counted & kind.needs == kind.needs]
        size = members.bit_count() if size is None else size
        return self._packing_reaches(kinds, counted, 5 * wanted - size, size // 3)

    def _packing_reaches(
        self, kinds: list["_SmallPart"], counted: int, needed: int, triples: int
    ) -> bool:
        """Whether disjoint small parts of ``kinds`` fitting in the ``counted`` members (see
        `_counted`) are together worth at least ``needed``, when at most ``triples`` disjoint
        triples fit."""
        if needed <= 0:
            return True
        in_triples = in_quadruples = 0
        for kind in kinds:
            if kind.worth == 2:
                in_triples |= kind.values
            else:
                in_quadruples |= kind.values
        # Members in no small part left do not matter: forgetting them shares the memo.
        counted &= in_triples | in_quadruples
        # A triple is worth 2 / 3 per member, a quadruple 1 / 4: in twelfths.
        most = 8 * (counted & in_triples).bit_count()
        most += 3 * (counted & in_quadruples & ~in_triples).bit_count()
        if most < 12 * needed or self.packing_short.get(counted, needed + 1) <= needed:
            return False
        if self.packing_reached.get(counted, 0) >= needed:
            return True
        covered = counted.bit_count()
        if 2 * triples + (covered - 3 * triples) // 4 >= needed:
            # The count passed down is only a bound: the exact one may rule this out.
            triples = self._most_disjoint_triples([k for k in kinds if k.worth == 2], counted)
        if 2 * triples + (covered - 3 * triples) // 4 < needed:
            self.packing_short[counted] = needed
            return False
        if _clock() > self.deadline:
            raise _OutOfTime
        # The value in fewest kinds (of the whole group: counting them here would cost more
        # than it saves) is in one of them, or in no more parts.
        fewest = next(same for same in self.values_by_kinds if same & counted)
        for kind in [*(kind for kind in kinds if kind.values & fewest), None]:
            left = counted & ~fewest if kind is None else kind.taken_from(counted)
            rest = [other for other in kinds if left & other.needs == other.needs]
            # Taking a triple leaves room for one fewer.
            worth = 0 if kind is None else kind.worth
            if self._packing_reaches(rest, left, needed - worth, triples - (worth == 2)):
                self.packing_reached[counted] = needed
                return True
        self.packing_short[counted] = needed
        return False

    def _most_disjoint_triples(self, triples: list["_SmallPart"], counted: int) -> int:
        """How many disjoint triples of ``triples`` kinds fit in the ``counted`` members."""
        triples = [kind for kind in triples if counted & kind.needs == kind.needs]
        if not triples:
            return 0
        held = 0
        for kind in triples:
            held |= kind.values
        counted &= held
        found = self.disjoint_triples.get(counted)
        if found is None:
            if _clock() > self.deadline:
                raise _OutOfTime
            lowest = self.same_value[(counted & -counted).bit_length() - 1]
            found = self._most_disjoint_triples(triples, counted & ~lowest)
            most = counted.bit_count() // 3
            for kind in triples:
                if found < most and kind.values & lowest:
                    found = max(
                        found, 1 + self._most_disjoint_triples(triples, kind.taken_from(counted))
                    )
            self.disjoint_triples[counted] = found
        return found

    def _parts_with_lowest(self, members: int, largest: int) -> Iterator[int]:
        """Zero-sum subsets of ``members`` of at most ``largest`` members holding the lowest one,
        smallest first. Listed in tiers of doubling size, so a search that succeeds with small
        parts never pays for listing large ones (with small amounts there can be hundreds of
        thousands of large ones)."""
        if self.zero_sum_by_lowest:
            yield from self._listed_parts_with_lowest(members, largest)
            return
        done, limit = 2, 4
        while done < largest:
            limit = min(limit, largest)
            listed, parts = self.candidates.get(members, (0, []))
            if listed < limit:
                listed, parts = limit, self._zero_sum_parts(members, limit)
                self.candidates[members] = listed, parts
            yield from (part for part in parts if done < part.bit_count() <= limit)
            done, limit = limit, 2 * limit

    def _listed_parts_with_lowest(self, members: int, largest: int) -> Iterator[int]:
        """`_parts_with_lowest` from the subsets `_weigh` listed."""
        outside = ~members
        for part in self.zero_sum_by_lowest.get(members & -members, ()):
            if part.bit_count() > largest:
                return
            # The rule of `_subsets`: equal members are taken lowest first.
            if not part & outside and not part >> 1 & self.equal_to_next & members & ~part:
                yield part

    def _zero_sum_parts(self, members: int, largest: int) -> list[int]:
        """Zero-sum subsets of ``members`` of at most ``largest`` members holding the lowest one,
        each taking the lowest-numbered members of every value it takes, smallest first."""
        lowest = members & -members
        target = -self.values[lowest.bit_length() - 1]
        others = [b for b in range(lowest.bit_length(), len(self.values)) if members >> b & 1]
        half = len(others) // 2
        first_sums, first_masks, first_sizes = self._subsets(others[:half], members, largest - 1)
        second_sums, second_masks, second_sizes = self._subsets(others[half:], members, largest - 1)
        # Hashing both sides at C speed first: with large amounts few sums ever meet.
        meeting = set(first_sums).intersection([target - total for total in second_sums])
        if not meeting:
            return []
        firsts: dict[int, list[int]] = defaultdict(list)
        for k, total in enumerate(first_sums):
            if total in meeting:
                firsts[total].append(k)
        found = []
        for step, total in enumerate(second_sums):
            if not step % 1024 and _clock() > self.deadline:
                raise _OutOfTime
            if target - total not in meeting:
                continue
            mask, room = second_masks[step], largest - 1 - second_sizes[step]
            for k in firsts[target - total]:
                part = lowest | first_masks[k] | mask
                # The halves meet here: the rule of `_subsets` across their boundary.
                if first_sizes[k] <= room and not (
                    part >> 1 & self.equal_to_next & members & ~part
                ):
                    found.append(part)
            if len(found) > _HALF_LIMIT:
                raise _OutOfTime
        found.sort(key=lambda part: (part.bit_count(), part))
        return found

    def _subsets(
        self, positions: list[int], members: int, most: int
    ) -> tuple[list[int], list[int], list[int]]:
        """Sums, masks and sizes of the subsets of ``positions`` with at most ``most`` members
        that take a member only with every lower-numbered member of ``members`` of its value."""
        if _count_subsets(len(positions), most) > _HALF_LIMIT:
            raise _OutOfTime
        # Only a lower equal member among ``positions``: `_zero_sum_parts` checks the others.
        within = self.equal_to_next & members & sum(1 << b for b in positions)
        sums, masks, sizes = [0], [0], [0]
        for b in positions:
            value, bit = self.values[b], 1 << b
            lower = within & bit >> 1
            if lower or most < len(positions):
                grown = [
                    k
                    for k, (mask, size) in enumerate(zip(masks, sizes, strict=True))
                    if size < most and mask & lower == lower
                ]
                sums += [sums[k] + value for k in grown]
                masks += [masks[k] | bit for k in grown]
                sizes += [sizes[k] + 1 for k in grown]
            else:
                sums += [total + value for total in sums]
                masks += [mask | bit for mask in masks]
                sizes += [size + 1 for size in sizes]
            # Reading the clock costs more than extending a short list.
            if len(sums) > 1024 and _clock() > self.deadline:
                raise _OutOfTime
        return sums, masks, sizes


class _SmallPart(NamedTuple):
    """A kind of zero-sum triple or quadruple for `_PartitionSearch._small_parts_allow`, over
    members counted by value (`_PartitionSearch._counted`)."""

    # 2 for a triple, 1 for a quadruple: what it saves over parts of 5.
    worth: int
    # For each value it takes k members of, the k-th lowest member of that value.
    needs: int
    # Every member of the values it takes.
    values: int
    # (members of one value, how many it takes).
    takes: tuple[tuple[int, int], ...]

    def taken_from(self, counted: int) -> int:
        """``counted`` less this part: the highest members counted of each value go."""
        for same, many in self.takes:
            present = counted & same
            counted ^= present & ~(present >> many)
        return counted


def _bits(mask: int) -> Iterator[int]:
    """The set bits of ``mask``, each as a mask of its own, lowest first."""
    while mask:
        yield mask & -mask
        mask &= mask - 1


def _count_subsets(items: int, most: int) -> int:
    """How many subsets of ``items`` things have at most ``most`` of them."""
    return sum(comb(items, size) for size in range(min(most, items) + 1))


def _peel_small_parts(
    amounts: Sequence[int], members: list[int]
) -> tuple[list[list[int]], list[int]]:
    """Greedily take disjoint zero-sum groups of 3, then 4, 5 and 6 members out of ``members``.

    A heuristic for groups too large for the exact search: small zero-sum groups are the ones
    real data hides, and hashing finds them in polynomial time. Members with equal balances are
    interchangeable, so the search runs over distinct balances and takes every available copy
    of a group at once, which keeps groups full of equal debts cheap. The work is capped by
    `SEARCH_BUDGET` so the time stays bounded on any input, and peeling stops as soon as the
    remainder is small enough to be solved exactly, which beats further peeling.
    """
    queues: dict[int, deque[int]] = defaultdict(deque)
    for i in members:
        queues[amounts[i]].append(i)
    parts: list[list[int]] = []
    budget = SEARCH_BUDGET
    for piece_size in range(1, 5):
        live = sorted(amount for amount, queue in queues.items() if queue)
        budget -= comb(len(live) + piece_size - 1, piece_size)
        if budget < 0 or sum(map(len, queues.values())) <= EXACT_LIMIT:
            break
        budget = _peel(queues, live, piece_size, budget, parts)
    return parts, sorted(i for queue in queues.values() for i in queue)


def _peel(
    queues: dict[int, deque[int]],
    live: list[int],
    piece_size: int,
    budget: int,
    parts: list[list[int]],
) -> int:
    """Move zero-sum groups of 2 + ``piece_size`` members from ``queues`` into ``parts``.

    Any such group splits into a pair and a piece with the opposite sum, so pieces (multisets of
    balances) are indexed by sum and looked up from every pair. One pass leaves no such group
    behind, because taking members out never creates one. Returns the budget left.
    """
    size = piece_size + 2
    left = sum(map(len, queues.values()))
    pieces: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    for piece in combinations_with_replacement(live, piece_size):
        pieces[sum(piece)].append(piece)
    for first, second in combinations_with_replacement(live, 2):
        bucket = pieces.get(-first - second, []) if queues[first] and queues[second] else []
        budget -= 1 + len(bucket)
        if budget < 0:
            break
        # A piece needing a balance nobody has left can never match again: drop it for good.
        bucket[:] = [piece for piece in bucket if all(queues[amount] for amount in piece)]
        pair = (first, second)
        for piece in bucket:
            group = pair + piece
            copies = min(len(queues[amount]) // group.count(amount) for amount in group)
            # Only as many as it takes to bring the rest within reach of the exact search.
            copies = min(copies, -(-(left - EXACT_LIMIT) // size))
            for _ in range(copies):
                parts.append(sorted(queues[amount].popleft() for amount in group))
            left -= copies * size
            if left <= EXACT_LIMIT:
                return budget
    return budget


def _greedy(amounts: Sequence[int], members: Iterable[int]) -> list[_Move]:
    """Largest remaining debtor pays largest remaining creditor, ties by canonical position.

    Every transfer clears at least one of the two and the last clears both, so a zero-sum group
    of k members takes at most k - 1 transfers.
    """
    debtors = [(amounts[i], i) for i in members if amounts[i] < 0]
    creditors = [(-amounts[i], i) for i in members if amounts[i] > 0]
    heapq.heapify(debtors)
    heapq.heapify(creditors)
    moves: list[_Move] = []
    while debtors:
        owes, debtor = heapq.heappop(debtors)
        owed, creditor = heapq.heappop(creditors)
        paid = min(-owes, -owed)
        moves.append((debtor, creditor, paid))
        if owes + paid:
            heapq.heappush(debtors, (owes + paid, debtor))
        if owed + paid:
            heapq.heappush(creditors, (owed + paid, creditor))
    return moves


def _components(moves: Iterable[_Move]) -> list[list[int]]:
    """Group positions into the connected components of the transfer graph."""
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for debtor, creditor, _ in moves:
        parent[root(debtor)] = root(creditor)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in sorted(parent):
        groups[root(i)].append(i)
    return sorted(groups.values())
