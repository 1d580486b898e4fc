"""Settle-up plans that do not reshuffle (pure: no Django imports).

Users hate plans that reshuffle: once one suggested payment is recorded, the other suggestions
must stay as they were. `minimize_transfers` alone does not promise that. After a payment d→c of
x the new balances are the old ones with d and c moved x towards zero, and the old plan with that
transfer reduced by x still settles them; but the optimiser, run afresh on the new balances, may
pick another plan of the same size when several partitions into zero-sum parts are equally good
or greedy ties fall differently (about 4% of single payments in random groups of 2 to 9 people
reshuffle the rest).

So the plan shown is remembered: when a payment is recorded that is (part of) a transfer of the
plan in force, the rest of that plan is stored under the fingerprint of the new balances. A page
shows the stored plan whose fingerprint matches the current balances, and a fresh plan otherwise.
Any other change to the ledger (an expense, a payment outside the plan, an edit) therefore brings
a fresh plan, and a stored plan is never applied to balances it does not settle. An undo returns
the balances to a fingerprint seen before and so brings back the plan shown then, because a few
recent plans are kept per scope.

The rest of a plan is kept only while it is no longer than a fresh plan. After a full payment of
a transfer of a minimal plan it never is longer: a shorter fresh plan, plus the payment just made,
would settle the old balances in fewer transfers than the minimum. After a partial payment a
shorter plan can appear (the new amounts may split into more zero-sum parts), and then it wins.
"""

import hashlib
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, NamedTuple

from settlements.algorithm import Transfer

# Plans kept per scope: enough to undo a few payments in a row and get the old plans back.
KEPT_PLANS = 10


class Plan[K: Hashable](NamedTuple):
    """The transfers suggested for some balances; ``proven_minimal`` when no plan is shorter."""

    transfers: tuple[Transfer[K], ...]
    proven_minimal: bool


def fingerprint(kind: str, items: Iterable[Any]) -> str:
    """A short digest of what a plan was computed from, independent of the items' order.

    ``items`` are plain values (ints, tuples of ints) whose repr is stable; ``kind`` keeps
    digests of different inputs (member balances, pair balances, several groups) apart.
    """
    text = "\n".join([kind, *sorted(map(repr, items))])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def stored_plan(entries: list, digest: str) -> Plan | None:
    """The plan stored for ``digest`` in a scope's ``entries`` (JSON, newest last), if any."""
    for stored_digest, transfers, proven_minimal in reversed(entries):
        if stored_digest == digest:
            return Plan(tuple(Transfer(*transfer) for transfer in transfers), proven_minimal)
    return None


def remember(entries: list, digest: str, plan: Plan) -> list:
    """``entries`` with ``plan`` stored for ``digest``, replacing an older one, oldest dropped."""
    kept = [entry for entry in entries if entry[0] != digest]
    kept.append([digest, [list(transfer) for transfer in plan.transfers], plan.proven_minimal])
    return kept[-KEPT_PLANS:]


def plan_after_payment[K: Hashable](
    plan: Plan[K], debtor: K, creditor: K, amount: int, fresh: Callable[[], Plan[K]]
) -> Plan[K] | None:
    """The plan to keep once ``debtor`` paid ``creditor`` ``amount``; None to compute afresh.

    The payment must be (part of) a transfer of ``plan``: then the rest of the plan settles the
    new balances, and it is kept unless ``fresh()`` (the optimiser on the new balances) needs
    fewer transfers. A payment the plan does not contain, or one larger than its transfer, gives
    None. The rest is proven minimal when the fresh plan is, since it is no longer, or when a
    full transfer of a proven minimal plan was paid (see the module docstring).
    """
    index = next(
        (
            i
            for i, transfer in enumerate(plan.transfers)
            if (transfer.debtor, transfer.creditor) == (debtor, creditor)
            and amount <= transfer.amount
        ),
        None,
    )
    if index is None:
        return None
    transfer = plan.transfers[index]
    rest = list(plan.transfers)
    if amount == transfer.amount:
        del rest[index]
    else:
        rest[index] = transfer._replace(amount=transfer.amount - amount)
    alternative = fresh()
    if len(alternative.transfers) < len(rest):
        return None
    proven_minimal = alternative.proven_minimal or (
        plan.proven_minimal and amount == transfer.amount
    )
    return Plan(tuple(rest), proven_minimal)


def parts[K: Hashable](transfers: Iterable[Transfer[K]]) -> list[list[K]]:
    """The people of each connected part of a plan, which settles among itself.

    A plan of a k-person part has at least k - 1 transfers, so a plan for n people whose
    transfers form p parts has n - p transfers and is minimal when no split into more zero-sum
    parts exists. Used by the "Explain" section. Keys must be sortable among themselves.
    """
    parent: dict[K, K] = {}

    def root(key: K) -> K:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for transfer in transfers:
        parent[root(transfer.debtor)] = root(transfer.creditor)
    groups: dict[K, list[K]] = defaultdict(list)
    for key in sorted(parent):
        groups[root(key)].append(key)
    return sorted(groups.values())
