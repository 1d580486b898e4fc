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
3. otherwise zero-sum groups of 3, 4, 5 and 6 members are peeled off by hashing, the remainder
   is solved exactly once it is small enough, and the result is compared with the plain greedy
   plan (largest debtor pays largest creditor), so the answer is never worse than greedy.

Determinism: members are put into a canonical order, by balance and then by ``sort_key(key)``
(``repr`` unless the caller supplies one), and every later step only looks at positions in that
order. Keys of mixed or unorderable types are fine. Two different keys with the same balance and
the same ``sort_key`` value are indistinguishable to the ordering; for them, the plan follows the
mapping's iteration order, so give such keys distinct reprs or pass a ``sort_key``.
"""

import heapq
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from functools import cache
from itertools import combinations_with_replacement
from math import comb
from typing import Any, NamedTuple

# The exact search is exponential in this: 20 members means bitsets of 2**19 subsets, a few ms.
EXACT_LIMIT = 20
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
    settled by exactly k - 1 of the ``transfers``, all within the part. ``exact`` is True when the
    number of transfers is proven minimal.
    """

    parts: list[list[K]]
    transfers: list[Transfer[K]]
    exact: bool


type SortKey[K] = Callable[[K], Any]
# Internal plans work on positions in the canonical order: (debtor, creditor, amount).
type _Move = tuple[int, int, int]


def minimize_transfers[K: Hashable](
    balances: Mapping[K, int], *, sort_key: SortKey[K] = repr
) -> list[Transfer[K]]:
    """Return a plan settling ``balances`` (minor units, positive = is owed) in few transfers.

    The number of transfers is minimal whenever at most `EXACT_LIMIT` members have a non-zero
    balance once exact opposite pairs are set aside, and never more than the greedy plan's
    otherwise. Raises TypeError for non-integer balances and ValueError if they do not sum to 0.
    """
    return plan_settlement(balances, sort_key=sort_key).transfers


def zero_sum_parts[K: Hashable](
    balances: Mapping[K, int], *, sort_key: SortKey[K] = repr
) -> list[list[K]]:
    """Return the disjoint zero-sum groups that `minimize_transfers` settles independently."""
    return plan_settlement(balances, sort_key=sort_key).parts


def greedy_transfers[K: Hashable](
    balances: Mapping[K, int], *, sort_key: SortKey[K] = repr
) -> list[Transfer[K]]:
    """Return the textbook plan: the largest debtor repeatedly pays the largest creditor.

    Kept public as the baseline the optimiser must never lose to, and for comparisons.
    """
    keys, amounts = _canonical(balances, sort_key)
    return [Transfer(keys[d], keys[c], a) for d, c, a in _greedy(amounts, range(len(amounts)))]


def plan_settlement[K: Hashable](
    balances: Mapping[K, int], *, sort_key: SortKey[K] = repr
) -> Settlement[K]:
    """Return the plan of `minimize_transfers` together with its zero-sum parts."""
    keys, amounts = _canonical(balances, sort_key)
    parts, exact = _partition(amounts)
    moves = [move for part in parts for move in _greedy(amounts, part)]
    if not exact:
        baseline = _greedy(amounts, range(len(amounts)))
        if len(baseline) < len(moves):
            moves = baseline
    # Parts are read off the transfers, so they always match them, even where the heuristic's
    # leftover part turned out to split further.
    return Settlement(
        parts=[[keys[i] for i in part] for part in _components(moves)],
        transfers=[Transfer(keys[d], keys[c], a) for d, c, a in moves],
        exact=exact,
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


def _partition(amounts: Sequence[int]) -> tuple[list[list[int]], bool]:
    """Split positions into zero-sum parts; the flag says whether the split is provably best."""
    parts, rest = _cancel_pairs(amounts)
    exact = len(rest) <= EXACT_LIMIT
    if not exact:
        small, rest = _peel_small_parts(amounts, rest)
        parts += small
    if len(rest) <= EXACT_LIMIT:
        parts += _best_partition(amounts, rest)
    else:
        parts.append(rest)
    parts.sort()
    return parts, exact


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
