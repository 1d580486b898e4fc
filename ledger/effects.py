"""How ledger entries move balances, in whole minor units (pure: no Django imports).

An effect is (member deltas, netted pair deltas): how much each member's balance changes
(positive: the group owes them more), and how much the first member of each pair (lower id
first) comes to owe the second. Every kept balance moves by an effect and nothing else.

An expense says how much each member paid and how much each member's share is. Members who
both paid and took part settle with themselves first; what is left is a set of debtors (owed
more than they paid) and creditors (paid more than they owe) whose amounts add up to the same
sum. Each debtor owes each creditor in proportion to what the creditor is owed, rounded so
that every row and every column still adds up exactly: the pairwise view then agrees with the
members' balances to the last cent.
"""

import datetime
from collections.abc import Hashable, Mapping, Sequence


def expense_debts[K: Hashable](
    paid: Mapping[K, int], owed: Mapping[K, int]
) -> dict[tuple[K, K], int]:
    """Maps (debtor, creditor) to the positive amount the debtor owes the creditor.

    `paid` and `owed` must each add up to the expense's total. Keys must be sortable among
    themselves (the app uses member ids), which makes the rounding deterministic.
    """
    if sum(paid.values()) != sum(owed.values()):
        raise ValueError("what was paid and what is owed must add up to the same total")
    net = {key: paid.get(key, 0) - owed.get(key, 0) for key in sorted(paid.keys() | owed.keys())}
    debtors = {key: -amount for key, amount in net.items() if amount < 0}
    creditors = {key: amount for key, amount in net.items() if amount > 0}
    pool = sum(creditors.values())
    debts: dict[tuple[K, K], int] = {}
    row_left = dict(debtors)
    column_left = dict(creditors)
    for debtor, owes in debtors.items():
        for creditor, is_owed in creditors.items():
            amount = owes * is_owed // pool
            if amount:
                debts[debtor, creditor] = amount
                row_left[debtor] -= amount
                column_left[creditor] -= amount
    # Flooring leaves fewer units per row than there are creditors; hand them out in a single
    # ordered sweep, which keeps both the row and the column totals exact.
    creditor_queue = [[creditor, left] for creditor, left in column_left.items() if left]
    position = 0
    for debtor, left in row_left.items():
        while left:
            creditor, available = creditor_queue[position]
            step = min(left, available)
            debts[debtor, creditor] = debts.get((debtor, creditor), 0) + step
            left -= step
            creditor_queue[position][1] -= step
            if creditor_queue[position][1] == 0:
                position += 1
    return debts


def payment_debts[K: Hashable](sender: K, receiver: K, amount: int) -> dict[tuple[K, K], int]:
    """A payment pays down what the sender owes the receiver (or makes the receiver owe)."""
    return {(receiver, sender): amount}


def net_pairs[K: Hashable](debts: Mapping[tuple[K, K], int]) -> dict[tuple[K, K], int]:
    """Nets debts per unordered pair: key (a, b) with a < b; positive means a owes b."""
    pairs: dict[tuple[K, K], int] = {}
    for (debtor, creditor), amount in debts.items():
        if debtor == creditor:
            continue
        if debtor < creditor:
            key, signed = (debtor, creditor), amount
        else:
            key, signed = (creditor, debtor), -amount
        pairs[key] = pairs.get(key, 0) + signed
    return {key: amount for key, amount in pairs.items() if amount}


def expense_effect[K: Hashable](
    paid: Mapping[K, int], owed: Mapping[K, int], *, sign: int = 1
) -> tuple[dict[K, int], dict[tuple[K, K], int]]:
    """How an expense moves the kept balances: (member deltas, netted pair deltas).

    `sign=-1` gives the effect of taking the expense back out (delete, or the old side of an
    edit).
    """
    members = {
        key: sign * (paid.get(key, 0) - owed.get(key, 0)) for key in paid.keys() | owed.keys()
    }
    pairs = {pair: sign * amount for pair, amount in net_pairs(expense_debts(paid, owed)).items()}
    return members, pairs


def payment_effect[K: Hashable](
    sender: K, receiver: K, amount: int, *, sign: int = 1
) -> tuple[dict[K, int], dict[tuple[K, K], int]]:
    """How a payment moves the kept balances: (member deltas, netted pair deltas).

    The sender's balance goes up (they have given), the receiver's down; pairwise, the payment
    pays down what the sender owes the receiver.
    """
    members = {sender: sign * amount, receiver: -sign * amount}
    pairs = {
        pair: sign * delta
        for pair, delta in net_pairs(payment_debts(sender, receiver, amount)).items()
    }
    return members, pairs


def combine[K: Hashable](*effects: tuple[dict[K, int], dict]) -> tuple[dict[K, int], dict]:
    """Adds several ledger effects together (an edit is the new effect minus the old)."""
    members: dict[K, int] = {}
    pairs: dict = {}
    for member_deltas, pair_deltas in effects:
        for key, delta in member_deltas.items():
            members[key] = members.get(key, 0) + delta
        for pair, delta in pair_deltas.items():
            pairs[pair] = pairs.get(pair, 0) + delta
    return members, pairs


class SpendingTotals:
    """Expenses' spending added up as they come: the kept spending totals' deltas.

    Each expense counts in its month (keyed by the first day, span "month") and in its day (span
    "day"). `effect()` gives (group deltas, member deltas): group deltas map (span, day,
    category) to (amount, number of expenses), member deltas map (span, day, category, member)
    to (paid, share, number of shares). Adding in place keeps an import of 100,000 expenses
    from building a dictionary per expense.
    """

    def __init__(self):
        self.groups: dict[tuple, list[int]] = {}
        self.members: dict[tuple, list[int]] = {}

    def add[K: Hashable](
        self,
        date: datetime.date,
        category: str,
        amount: int,
        paid: Mapping[K, int],
        owed: Mapping[K, int],
        *,
        sign: int = 1,
    ) -> "SpendingTotals":
        """Adds an expense of `amount`, what each paid and each share, all in the group's
        currency (see `parts_in_group_currency`); `sign=-1` takes it back out: a delete, or the
        old side of an edit."""
        for span, day in (("month", date.replace(day=1)), ("day", date)):
            totals = self.groups.setdefault((span, day, category), [0, 0])
            totals[0] += sign * amount
            totals[1] += sign
            for key, value in paid.items():
                self.members.setdefault((span, day, category, key), [0, 0, 0])[0] += sign * value
            for key, value in owed.items():
                totals = self.members.setdefault((span, day, category, key), [0, 0, 0])
                totals[1] += sign * value
                totals[2] += sign
        return self

    def effect(self) -> tuple[dict[tuple, tuple[int, int]], dict[tuple, tuple[int, int, int]]]:
        return (
            {key: tuple(totals) for key, totals in self.groups.items()},
            {key: tuple(totals) for key, totals in self.members.items()},
        )


def expense_spending[K: Hashable](
    date: datetime.date,
    category: str,
    amount: int,
    paid: Mapping[K, int],
    owed: Mapping[K, int],
    *,
    sign: int = 1,
) -> tuple[dict[tuple, tuple[int, int]], dict[tuple, tuple[int, int, int]]]:
    """How one expense moves the kept spending totals; see `SpendingTotals`."""
    return SpendingTotals().add(date, category, amount, paid, owed, sign=sign).effect()


def parts_in_group_currency[K: Hashable](
    parts: Mapping[K, int], amount: int, original_amount: int
) -> dict[K, int]:
    """What each part (paid or share) of an expense of `original_amount`, in the currency it
    was spent in, comes to as a part of `amount`, the expense in the group's currency: how
    spending counts an expense that settles in the currency spent. Rounded down, so the parts
    may fall short of `amount` by a few minor units; `ledger.spending.amount_in_group_currency`
    is the same rule for the database."""
    return {key: part * amount // original_amount for key, part in parts.items()}


def combine_spending(*spendings: tuple[dict, dict]) -> tuple[dict, dict]:
    """Adds several spending effects together, column by column."""
    combined: tuple[dict, dict] = ({}, {})
    for spending in spendings:
        for totals, deltas in zip(combined, spending, strict=True):
            for key, delta in deltas.items():
                before = totals.get(key)
                totals[key] = (
                    delta if before is None else tuple(map(sum, zip(before, delta, strict=True)))
                )
    return combined


def since_last_zero(amounts: Sequence[int]) -> int:
    """Where the story of a balance made of `amounts` (in order) starts: the index just after
    the last point at which the running total was zero, 0 if it never came back to zero.

    The amounts before that index add up to exactly zero, so the ones from it on add up to the
    whole balance: what a payment covers can leave the older history out and stay exact.
    """
    start, running = 0, 0
    for index, amount in enumerate(amounts, start=1):
        running += amount
        if running == 0:
            start = index
    return start
