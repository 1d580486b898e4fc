"""Settling up across groups: everyone you share groups with, and one payment for several groups.

The bookkeeping is in `settlements.crossgroup` (pure); this module loads the groups, keeps the
plan stable (`settlements.plans`) and writes the bookings as ordinary payments, all under the
ledger locks of every group involved.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from groups.models import Group, Member
from ledger import books
from settlements import crossgroup, plans
from settlements.models import Payment, PaymentError, SettlementPlan, StalePlan
from splitclone import metrics
from splitclone.formats import localized_amount
from splitclone.money import format_amount
from splitclone.text import shorten


@dataclass
class GroupState:
    """One of the user's groups with all its members (guests and deactivated ones included)."""

    group: Group
    members: list[Member]
    # Currencies the group (which converts at settlement) keeps open balances in.
    open_currencies: tuple = ()

    @cached_property
    def problem(self):
        """Why this group cannot be settled across groups, in words for the user; or None.

        Only registered people are the same person in several groups. A guest belongs to one
        group, and a deactivated member cannot be booked, so either holding a balance means
        the group cannot reach zero through payments between its active registered members.
        Balances open in other currencies are converted by the group's own settle-up first.
        """
        if self.open_currencies:
            return gettext(
                "%(group)s can't be settled across groups yet: it has balances in "
                "%(currencies)s. Settle up in the group first, which converts them to "
                "%(currency)s."
            ) % {
                "group": self.group.name,
                "currencies": ", ".join(self.open_currencies),
                "currency": self.group.currency,
            }
        stuck = [m for m in self.members if m.balance and (m.is_guest or not m.is_active)]
        if not stuck:
            return None
        names = ", ".join(
            f"{member.display_name} ({localized_amount(member.balance, self.group.currency)})"
            for member in stuck
        )
        return gettext(
            "%(group)s can't be settled across groups: %(names)s can only settle inside it "
            "(guests belong to one group, deactivated members can't be booked). Settle with "
            "them in the group first."
        ) % {"group": self.group.name, "names": names}

    def balances(self):
        """{user id: balance} of the members who can be booked in this group."""
        return {m.user_id: m.balance for m in self.members if m.user_id and m.is_active}


def load_groups(user, group_ids=None):
    """The user's active groups (or those of `group_ids` the user is active in), with members.

    Two queries whatever the number of groups and members, and one more when some convert at
    settlement.
    """
    memberships = Member.objects.filter(user=user, is_active=True).select_related("group")
    if group_ids is not None:
        memberships = memberships.filter(group_id__in=group_ids)
    groups = {m.group_id: m.group for m in memberships.order_by("group__name", "group_id")}
    members = defaultdict(list)
    for member in Member.objects.filter(group_id__in=groups).with_people():
        members[member.group_id].append(member)
    converting = [pk for pk, group in groups.items() if group.converts_at_settlement]
    open_pairs = books.open_currency_pairs(converting) if converting else {}
    return [
        GroupState(group, members[group.pk], tuple(sorted(open_pairs.get(group.pk, {}))))
        for group in groups.values()
    ]


@dataclass
class SharedPerson:
    """A registered person and their balance in each group of one currency shared with the user."""

    user: object
    currency: str
    breakdown: list[tuple[Group, Member]]

    @property
    def total(self):
        return sum(member.balance for _, member in self.breakdown)


def shared_people(user, states):
    """{currency: [SharedPerson]}: the user first, then everyone else by name."""
    people = {}
    for state in states:
        currency = state.group.currency
        for member in state.members:
            if member.user_id is None:
                continue
            key = (currency, member.user_id)
            if key not in people:
                people[key] = SharedPerson(member.user, currency, [])
            people[key].breakdown.append((state.group, member))
    by_currency = defaultdict(list)
    for person in sorted(
        people.values(), key=lambda person: (person.user != user, person.user.display_name)
    ):
        by_currency[person.currency].append(person)
    return dict(sorted(by_currency.items()))


@dataclass(frozen=True)
class BookingRow:
    """A booking with its group and members loaded, for the page and the messages."""

    group: Group
    payer: Member
    payee: Member
    amount: int


@dataclass(frozen=True)
class AcrossTransfer:
    debtor: object
    creditor: object
    amount: int
    bookings: list[BookingRow]


def across_scope(group_ids):
    """The key a set of groups' stored plans are kept under (see `SettlementPlan`)."""
    return "across:" + plans.fingerprint("groups", sorted(group_ids))


def fingerprint_of(states):
    """What a cross-group plan and its bookings depend on: every member's balance and status."""
    return plans.fingerprint(
        "across",
        (
            (state.group.pk, m.pk, m.user_id, m.is_active, m.balance)
            for state in states
            for m in state.members
        ),
    )


class AcrossPlan:
    """The plan for settling a set of groups together, and how each transfer is booked."""

    def __init__(self, states):
        self.states = states
        self.currency = states[0].group.currency
        self.scope = across_scope(state.group.pk for state in states)
        self.fingerprint = fingerprint_of(states)
        balances = {state.group.pk: state.balances() for state in states}
        self.plan = SettlementPlan.objects.stored(self.scope, self.fingerprint)
        self.plan = self.plan or crossgroup.settle_totals(balances)
        self.bookings = crossgroup.book(balances, self.plan.transfers)
        self.groups = {state.group.pk: state.group for state in states}
        self.members = {
            (state.group.pk, m.user_id): m for state in states for m in state.members if m.user_id
        }
        self.users = {m.user_id: m.user for m in self.members.values()}

    def rows(self, bookings):
        return [
            BookingRow(
                self.groups[booking.group],
                self.members[booking.group, booking.payer],
                self.members[booking.group, booking.payee],
                booking.amount,
            )
            for booking in bookings
        ]

    @cached_property
    def transfers(self):
        return [
            AcrossTransfer(self.users[debtor], self.users[creditor], amount, self.rows(bookings))
            for (debtor, creditor, amount), bookings in zip(
                self.plan.transfers, self.bookings.transfers, strict=True
            )
        ]

    @cached_property
    def netting(self):
        return self.rows(self.bookings.netting)


@dataclass(frozen=True)
class Recorded:
    """What recording wrote: the transfer with its bookings (None: netting only), the netting."""

    transfer: AcrossTransfer | None
    netting: list[BookingRow]


def settled_note(transfer, currency):
    """The note on each booking of a transfer: who paid whom how much.

    The two names share what room the note's column leaves beside the amount, so a long name
    is shortened rather than the amount cut off.
    """
    amount = format_amount(transfer.amount, currency)
    wording = "Settled across groups: {} paid {} {}"
    room = (Payment._meta.get_field("note").max_length - len(wording.format("", "", amount))) // 2
    return wording.format(
        shorten(transfer.debtor.display_name, room),
        shorten(transfer.creditor.display_name, room),
        amount,
    )


def record_transfer(*, user, group_ids, transfer, expected_fingerprint, submission_id):
    """Records a real payment of the plan for these groups (a `Transfer` of user ids) as bookings.

    Locks every group (in id order, so two such recordings never wait on each other in a
    cycle), recomputes the plan under the locks and refuses with `StalePlan` if the balances
    or members changed since the plan was shown. Books the transfer's entries and the netting
    (see `settlements.crossgroup`), then keeps the rest of the plan. `transfer=None` books the
    netting alone, for groups whose totals are already settled. Returns None when this
    submission was already recorded (a double click).
    """
    group_ids = sorted(set(group_ids))
    with books.change_groups(group_ids):
        # One page shows several transfers under one submission id: each gets its own ids.
        batch = uuid.uuid5(submission_id, repr(tuple(transfer)) if transfer else "netting")
        if Payment.objects.filter(
            group_id__in=group_ids, submission_id=uuid.uuid5(batch, "0")
        ).exists():
            return None
        states = load_groups(user, group_ids)
        if len(states) != len(group_ids):
            raise PaymentError(gettext("You are no longer a member of all these groups."))
        problems = [state.problem for state in states if state.problem]
        if problems:
            raise PaymentError(" ".join(problems))
        across = AcrossPlan(states)
        if across.fingerprint != expected_fingerprint:
            raise StalePlan(
                gettext(
                    "The balances in these groups changed since the plan was shown. Nothing "
                    "was recorded; here is the plan for the balances as they are now."
                )
            )
        if transfer is None:
            if across.plan.transfers:
                raise PaymentError(gettext("The netting is booked with the plan's payments."))
            shown, bookings = None, []
            note = "Netted across groups: no money changed hands"
        elif transfer in across.plan.transfers:
            shown = across.transfers[across.plan.transfers.index(transfer)]
            bookings = shown.bookings
            note = settled_note(shown, across.currency)
        else:
            raise PaymentError(gettext("That payment is not part of the plan."))
        for number, booking in enumerate(bookings + across.netting):
            Payment.objects.book(
                booking.group,
                booking.payer,
                booking.payee,
                booking.amount,
                date=timezone.localdate(),
                note=note,
                actor=user,
                submission_id=uuid.uuid5(batch, str(number)),
            )
            # The loaded members follow the kept balances, for the plan kept below.
            booking.payer.balance += booking.amount
            booking.payee.balance -= booking.amount
        if transfer is not None:
            # One real payment, however many groups it was booked in.
            transaction.on_commit(metrics.PAYMENTS_RECORDED.inc)
            balances = {state.group.pk: state.balances() for state in states}
            kept = plans.plan_after_payment(
                across.plan, *transfer, fresh=lambda: crossgroup.settle_totals(balances)
            )
            if kept is not None:
                SettlementPlan.objects.remember(across.scope, fingerprint_of(states), kept)
        return Recorded(shown, across.netting)
