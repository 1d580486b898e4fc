"""Settling across several groups at once (pure: no Django imports).

People who share several groups can settle their total over those groups in fewer real
payments than group by group. The totals are settled with `minimize_transfers`; each real
payment (a transfer of that plan) is then written into the individual groups as bookings, each
an ordinary payment between two members of one group. The bookings must satisfy:

(a) recording one transfer d→c of amount a changes every person's total over the groups by
    exactly that transfer: d's total goes up by a, c's goes down by a, nobody else's moves;
(b) once every transfer of the plan is recorded, every group balances to exactly zero.

The construction is a flow on the graph whose nodes are the people and the groups, with an edge
(p, g) when p is a member of g. A booking "p pays q in g" is one unit of flow p → g → q: it
raises p's balance in g and lowers q's. Settling group g exactly means sending f(p, g) = -b_g(p)
from each member p into g, so the whole settlement is the flow f. At a person p the flow f has
net outflow -B(p), where B(p) is p's total, and at a group it is balanced.

Every transfer t = (d, c, a) is given a flow φ_t from d to c of value a: first along paths that
follow what is still to be sent in f (a person who still owes in g pays into g, g pays a member
still owed in g), which gives the bookings people expect; if no such path is left, along any
shortest chain of shared groups. What is left of f afterwards, r = f - Σ φ_t, balances at every
node, because the plan settles the totals: Σ_t (outflow of φ_t at p) = Σ_t a·([p = d] - [p = c])
= -B(p) = outflow of f at p. That leftover is the *netting*: entries that move balances between
groups without any money changing hands (someone owed in one group and owing the same in
another). It is booked together with whichever transfer is recorded next, or alone when no
transfer is left.

Within each group, a flow is booked with `minimize_transfers` on what it does to that group's
members, so every booking is positive and between two members of that group.

Proof of (a): the bookings of φ_t change p's total by the outflow of φ_t at p, which is a at d,
-a at c and 0 elsewhere; the netting changes nobody's total (zero outflow at every person).
Proof of (b): when the last transfer t is recorded, its bookings plus the netting are φ_t + r = f
for the balances at that moment, which settles every group exactly. Earlier recordings only
change the balances the next computation starts from; with the plan kept stable (see
`settlements.plans`), the plan then still holds the transfers not yet recorded.

Limits: only people who are members of a group can be booked in it, so two people who share no
chain of groups cannot settle with each other; `settle_totals` therefore plans each connected
set of groups and people on its own, which can cost a payment compared with planning on all
totals at once. People and groups must be sortable among themselves (the app uses ids), which
makes every result deterministic.
"""

from collections import defaultdict, deque
from collections.abc import Hashable, Mapping, Sequence
from typing import NamedTuple

from settlements.algorithm import Transfer, minimize_transfers, plan_settlement
from settlements.plans import Plan

# {group: {person: balance}}: every member who can be booked, zero balances included (they can
# still pass a payment on); positive = the group owes them.
type Balances[G, P] = Mapping[G, Mapping[P, int]]


class Booking[G: Hashable, P: Hashable](NamedTuple):
    """One ledger entry: in ``group``, ``payer`` paid ``payee`` ``amount`` minor units (> 0)."""

    group: G
    payer: P
    payee: P
    amount: int


class Bookings[G: Hashable, P: Hashable](NamedTuple):
    """How each transfer of a plan is booked (same order), and the netting booked with them."""

    transfers: list[list[Booking[G, P]]]
    netting: list[Booking[G, P]]


def totals[G, P](balances: Balances[G, P]) -> dict[P, int]:
    """Each person's balance summed over the groups."""
    summed: dict[P, int] = defaultdict(int)
    for members in balances.values():
        for person, balance in members.items():
            summed[person] += balance
    return dict(summed)


def settle_totals[G, P](balances: Balances[G, P]) -> Plan[P]:
    """The fewest transfers settling everyone's totals, planned per connected set of groups."""
    _check_groups(balances)
    summed = totals(balances)
    transfers: list[Transfer[P]] = []
    proven_minimal = True
    for people in _connected_people(balances):
        settlement = plan_settlement({person: summed[person] for person in people})
        transfers += settlement.transfers
        proven_minimal = proven_minimal and settlement.proven_minimal
    return Plan(tuple(transfers), proven_minimal)


def book[G, P](balances: Balances[G, P], transfers: Sequence[Transfer[P]]) -> Bookings[G, P]:
    """Books each transfer into the groups, satisfying (a) and (b) of the module docstring.

    ``transfers`` must settle the totals of ``balances`` (as `settle_totals` does); ValueError
    if they do not, if a group does not sum to zero, or if a transfer's two people share no chain
    of groups.
    """
    _check_groups(balances)
    _check_transfers(balances, transfers)
    groups_of: dict[P, list[G]] = defaultdict(list)
    for group in sorted(balances):
        for person in balances[group]:
            groups_of[person].append(group)
    members = {group: sorted(people) for group, people in balances.items()}
    # What each person still has to send into each group (negative: still to receive).
    still_to_send = {
        (person, group): -balance
        for group, people in balances.items()
        for person, balance in people.items()
    }

    def follows_settlement(group, payer, payee):
        return still_to_send[payer, group] > 0 and still_to_send[payee, group] < 0

    flows = []
    for transfer in transfers:
        flow: dict[tuple[P, G], int] = defaultdict(int)
        left = transfer.amount
        while left:
            hops = _path(groups_of, members, transfer.debtor, transfer.creditor, follows_settlement)
            if hops is None:
                hops = _path(groups_of, members, transfer.debtor, transfer.creditor)
                if hops is None:
                    raise ValueError(
                        f"{transfer.debtor!r} and {transfer.creditor!r} share no chain of groups"
                    )
                step = left
            else:
                step = min(
                    left,
                    *(
                        min(still_to_send[payer, group], -still_to_send[payee, group])
                        for group, payer, payee in hops
                    ),
                )
            for group, payer, payee in hops:
                flow[payer, group] += step
                flow[payee, group] -= step
                still_to_send[payer, group] -= step
                still_to_send[payee, group] += step
            left -= step
        flows.append(flow)
    return Bookings([_bookings(flow) for flow in flows], _bookings(still_to_send))


def _check_groups[G, P](balances: Balances[G, P]) -> None:
    for group, members in balances.items():
        total = sum(members.values())
        if total:
            raise ValueError(f"the balances of group {group!r} sum to {total}, not 0")


def _check_transfers[G, P](balances: Balances[G, P], transfers: Sequence[Transfer[P]]) -> None:
    left = totals(balances)
    for debtor, creditor, amount in transfers:
        if amount <= 0 or debtor == creditor:
            raise ValueError(f"not a transfer: {debtor!r} pays {creditor!r} {amount}")
        if debtor not in left or creditor not in left:
            raise ValueError(f"{debtor!r} or {creditor!r} is in none of the groups")
        left[debtor] += amount
        left[creditor] -= amount
    if any(left.values()):
        raise ValueError("the transfers do not settle everyone's totals")


def _connected_people[G, P](balances: Balances[G, P]) -> list[list[P]]:
    """People linked by a chain of shared groups, as sorted lists in a stable order."""
    groups_of: dict[P, list[G]] = defaultdict(list)
    for group, people in balances.items():
        for person in people:
            groups_of[person].append(group)
    seen: set[P] = set()
    components = []
    for start in sorted(groups_of):
        if start in seen:
            continue
        seen.add(start)
        component, queue = [], deque([start])
        while queue:
            person = queue.popleft()
            component.append(person)
            for group in groups_of[person]:
                for other in balances[group]:
                    if other not in seen:
                        seen.add(other)
                        queue.append(other)
        components.append(sorted(component))
    return components


def _path(groups_of, members, start, goal, allowed=None):
    """Shortest chain of bookings (group, payer, payee) from ``start`` to ``goal``.

    Breadth first over people, groups and members in sorted order, so the result is stable. A
    shortest chain never visits a person or a group twice, so each (person, group) edge of the
    flow is used at most once along it, and the bottleneck is simply the smallest hop.
    """
    came_from = {start: None}
    queue = deque([start])
    while queue:
        payer = queue.popleft()
        if payer == goal:
            hops = []
            while came_from[payer] is not None:
                group, previous = came_from[payer]
                hops.append((group, previous, payer))
                payer = previous
            return hops[::-1]
        for group in groups_of[payer]:
            for payee in members[group]:
                if payee in came_from or (allowed and not allowed(group, payer, payee)):
                    continue
                came_from[payee] = (group, payer)
                queue.append(payee)
    return None


def _bookings[G, P](flow: Mapping[tuple[P, G], int]) -> list[Booking[G, P]]:
    """Books a flow (what each person sends into each group) as the fewest entries per group."""
    per_group: dict[G, dict[P, int]] = defaultdict(dict)
    for (person, group), sent in flow.items():
        if sent:
            # A person who sends into the group is one who pays: negative, as a debtor would be.
            per_group[group][person] = -sent
    return [
        Booking(group, transfer.debtor, transfer.creditor, transfer.amount)
        for group in sorted(per_group)
        for transfer in minimize_transfers(per_group[group])
    ]
