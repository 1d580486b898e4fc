"""Rebuilding the kept balances from the ledger, and finding where they drifted.

The ledger is the truth: live expenses (who paid, whose share) and live payments. The kept
balances (`Member.balance`, `PairBalance`) are a cache of it, changed with every ledger change.
`recompute_group` compares the two and, unless asked only to check, rewrites the cache. Used by
`manage.py recompute_balances` and by the groups admin's "recompute balances" action.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from django.db import transaction
from django.db.models import Sum, Value

from expenses.debts import ledger_effect
from expenses.models import ExpensePayer, ExpenseShare
from groups.models import Group, Member, PairBalance
from settlements.models import Payment, payment_effect

PAID, OWED = 0, 1
# Rows fetched per round trip while streaming a group's expenses.
CHUNK_SIZE = 10_000


def ledger_balances(group_id):
    """({member id: balance}, {(a, b): amount a owes b}) as the ledger says. Two queries.

    One stream of every payer and share row of the live expenses, ordered by expense, so each
    expense is assembled in memory without a query of its own; then the live payments, summed
    per (sender, receiver) by the database, because a payment's effect is linear in its amount.
    """
    live = {"expense__group_id": group_id, "expense__deleted_at__isnull": True}
    columns = ("expense_id", "side", "member_id", "amount")
    paid = ExpensePayer.objects.filter(**live).annotate(side=Value(PAID)).values_list(*columns)
    owed = ExpenseShare.objects.filter(**live).annotate(side=Value(OWED)).values_list(*columns)
    rows = paid.union(owed, all=True).order_by("expense_id")
    members, pairs = defaultdict(int), defaultdict(int)

    # Summed as they come rather than through `expenses.debts.combine`, which needs every
    # effect at once: 100,000 expenses' effects would sit in memory together.
    def add(effect):
        for key, delta in effect[0].items():
            members[key] += delta
        for pair, delta in effect[1].items():
            pairs[pair] += delta

    for _, expense_rows in groupby(rows.iterator(chunk_size=CHUNK_SIZE), key=itemgetter(0)):
        sides = ({}, {})
        for _, side, member_id, amount in expense_rows:
            sides[side][member_id] = amount
        add(ledger_effect(*sides))
    payments = (
        Payment.objects.live()
        .filter(group_id=group_id)
        .values_list("from_member_id", "to_member_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for sender, receiver, total in payments:
        add(payment_effect(sender, receiver, total))
    return (
        {key: amount for key, amount in members.items() if amount},
        {pair: amount for pair, amount in pairs.items() if amount},
    )


@dataclass(frozen=True)
class MemberDrift:
    member: Member
    kept: int
    ledger: int


@dataclass(frozen=True)
class PairDrift:
    """What `member_a` owes `member_b`, as kept and as the ledger says."""

    member_a: Member
    member_b: Member
    kept: int
    ledger: int


@dataclass
class Drift:
    group: Group
    members: list[MemberDrift] = field(default_factory=list)
    pairs: list[PairDrift] = field(default_factory=list)

    def __bool__(self):
        return bool(self.members or self.pairs)


def recompute_group(group, check=False):
    """Compares the group's kept balances with its ledger; rewrites them unless `check`.

    Runs under the group's ledger lock, so no change to the ledger lands between reading it and
    writing the balances. Returns what differed (the `kept` values are those found before any
    fix). A constant number of queries, whatever the number of expenses.
    """
    with transaction.atomic():
        Group.objects.lock_for_ledger(group.pk)
        truth, pair_truth = ledger_balances(group.pk)
        members = {member.pk: member for member in group.members.with_people()}
        drift = Drift(group)
        for member in members.values():
            if member.balance != truth.get(member.pk, 0):
                drift.members.append(MemberDrift(member, member.balance, truth.get(member.pk, 0)))
        rows = {(row.member_a_id, row.member_b_id): row for row in group.pair_balances.all()}
        for a, b in sorted(rows.keys() | pair_truth.keys()):
            kept = rows[a, b].amount if (a, b) in rows else 0
            if kept != pair_truth.get((a, b), 0):
                drift.pairs.append(
                    PairDrift(members[a], members[b], kept, pair_truth.get((a, b), 0))
                )
        if drift and not check:
            for change in drift.members:
                change.member.balance = change.ledger
            Member.objects.bulk_update([change.member for change in drift.members], ["balance"])
            changed, created = [], []
            for change in drift.pairs:
                key = (change.member_a.pk, change.member_b.pk)
                if key in rows:
                    rows[key].amount = change.ledger
                    changed.append(rows[key])
                else:
                    created.append(
                        PairBalance(
                            group=group,
                            member_a=change.member_a,
                            member_b=change.member_b,
                            amount=change.ledger,
                        )
                    )
            PairBalance.objects.bulk_update(changed, ["amount"])
            PairBalance.objects.bulk_create(created)
        return drift
