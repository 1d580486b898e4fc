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
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, NamedTuple

from settlements.algorithm import Transfer
from settlements.wishes import UnmetWish, WishPlan

# Plans kept per scope: enough to undo a few payments in a row and get the old plans back.
KEPT_PLANS = 10

type Unit[K] = tuple[K, ...]


class WishOutcome[K: Hashable](NamedTuple):
    """What a plan made with wishes (`settlements.wishes`) says beyond its transfers: the
    payments as people see them (a household pays or is paid as one), how many payments the
    balances would need without wishes, the wishes it could not meet and what household members
    still owe each other."""

    unit_transfers: tuple[tuple[Unit[K], Unit[K], int], ...]
    unconstrained_count: int
    unmet: tuple[UnmetWish[K], ...]
    within_households: tuple[Transfer[K], ...]

    @classmethod
    def of(cls, plan: WishPlan[K]) -> "WishOutcome[K]":
        return cls(
            tuple(
                (tuple(payers), tuple(payees), amount)
                for payers, payees, amount in plan.unit_transfers
            ),
            plan.unconstrained_count,
            tuple(UnmetWish(kind, tuple(members), reason) for kind, members, reason in plan.unmet),
            tuple(Transfer(*transfer) for transfer in plan.within_households),
        )


def unit_of[K: Hashable](
    units: Sequence[tuple[Unit[K], Unit[K], int]], debtor: K, creditor: K
) -> int | None:
    """The place among ``units`` of the unit transfer that a member-level transfer debtor →
    creditor is part of, or None."""
    return next(
        (
            i
            for i, (payers, payees, _) in enumerate(units)
            if debtor in payers and creditor in payees
        ),
        None,
    )


class Plan[K: Hashable](NamedTuple):
    """The transfers suggested for some balances; ``proven_minimal`` when no plan is shorter;
    ``wishes`` when the plan was made with the group's wishes."""

    transfers: tuple[Transfer[K], ...]
    proven_minimal: bool
    wishes: WishOutcome[K] | None = None

    @property
    def payment_count(self) -> int:
        """How many payments people make: a household's payment counts once."""
        return len(self.wishes.unit_transfers if self.wishes else self.transfers)


def fingerprint(kind: str, items: Iterable[Any]) -> str:
    """A short digest of what a plan was computed from, independent of the items' order.

    ``items`` are plain values (ints, tuples of ints) whose repr is stable; ``kind`` keeps
    digests of different inputs (member balances, pair balances, several groups) apart.
    """
    text = "\n".join([kind, *sorted(map(repr, items))])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def stored_plan(entries: list, digest: str) -> Plan | None:
    """The plan stored for ``digest`` in a scope's ``entries`` (JSON, newest last), if any.

    An entry is [digest, transfers, proven minimal], and a fourth item, the `WishOutcome`, for
    a plan made with wishes. JSON turns tuples into lists; keys are ints or strings.
    """
    for stored_digest, transfers, proven_minimal, *wishes in reversed(entries):
        if stored_digest == digest:
            outcome = None
            if wishes:
                units, unconstrained, unmet, within = wishes[0]
                outcome = WishOutcome(
                    tuple(
                        (tuple(payers), tuple(payees), amount) for payers, payees, amount in units
                    ),
                    unconstrained,
                    tuple(
                        UnmetWish(kind, tuple(members), reason) for kind, members, reason in unmet
                    ),
                    tuple(Transfer(*transfer) for transfer in within),
                )
            transfers = tuple(Transfer(*transfer) for transfer in transfers)
            return Plan(transfers, proven_minimal, outcome)
    return None


def remember(entries: list, digest: str, plan: Plan) -> list:
    """``entries`` with ``plan`` stored for ``digest``, replacing an older one, oldest dropped."""
    kept = [entry for entry in entries if entry[0] != digest]
    entry = [digest, [list(transfer) for transfer in plan.transfers], plan.proven_minimal]
    if plan.wishes is not None:
        entry.append(plan.wishes)
    kept.append(entry)
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
    return plan_after_payments(plan, [Transfer(debtor, creditor, amount)], fresh)


def plan_after_payments[K: Hashable](
    plan: Plan[K], payments: Sequence[Transfer[K]], fresh: Callable[[], Plan[K]]
) -> Plan[K] | None:
    """`plan_after_payment` for several payments recorded together: a household's payment is
    booked as the member-level transfers of its unit transfer.

    In a plan made with wishes, each payment also reduces the unit transfer it is part of, and
    the comparison with ``fresh()`` counts payments as people make them (`Plan.payment_count`).
    The wishes the rest does not meet are the plan's own, unchanged; how many payments the new
    balances need without wishes comes from the fresh plan.
    """
    rest = list(plan.transfers)
    units = list(plan.wishes.unit_transfers) if plan.wishes else []
    all_full = True
    for debtor, creditor, amount in payments:
        index = next(
            (
                i
                for i, transfer in enumerate(rest)
                if (transfer.debtor, transfer.creditor) == (debtor, creditor)
                and amount <= transfer.amount
            ),
            None,
        )
        if index is None:
            return None
        transfer = rest[index]
        if amount == transfer.amount:
            del rest[index]
        else:
            all_full = False
            rest[index] = transfer._replace(amount=transfer.amount - amount)
        if plan.wishes is not None:
            unit = unit_of(units, debtor, creditor)
            if unit is None:
                return None
            payers, payees, left = units[unit]
            if left - amount:
                units[unit] = (payers, payees, left - amount)
            else:
                del units[unit]
    alternative = fresh()
    outcome = None
    if plan.wishes is not None:
        if alternative.wishes is None:
            return None
        outcome = plan.wishes._replace(
            unit_transfers=tuple(units),
            unconstrained_count=alternative.wishes.unconstrained_count,
        )
    kept = Plan(tuple(rest), plan.proven_minimal, outcome)
    if alternative.payment_count < kept.payment_count:
        return None
    proven_minimal = alternative.proven_minimal or (plan.proven_minimal and all_full)
    return kept._replace(proven_minimal=proven_minimal)


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
