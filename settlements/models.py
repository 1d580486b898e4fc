"""Payments between members, and the settle-up plan built from the kept balances."""

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from groups.models import Activity, ConvertAt, Group, Member
from ledger import books
from ledger.effects import payment_effect
from ledger.models import LedgerRow, PairBalance, PairLine
from settlements import plans
from settlements.algorithm import TIME_BUDGET, Transfer, plan_settlement
from settlements.wishes import Wishes, plan_with_wishes
from splitclone import fx, metrics
from splitclone.compiled import CompiledQuery
from splitclone.formats import localized_amount
from splitclone.money import MAX_AMOUNT, Amount, format_amount
from splitclone.phrases import gettext_noop
from splitclone.text import search_key


class PaymentError(ValidationError):
    """A payment the rules refuse; the message is for the user. Nothing was saved."""


class StalePlan(PaymentError):
    """The balances changed since the plan the user acted on was shown."""

    def __init__(self, message=None):
        super().__init__(
            message
            or gettext(
                "The balances changed since this page was shown, so that plan is out of date. "
                "Nothing was recorded; here is the plan for the balances as they are now."
            )
        )


def converted_pairs(pairs, lines):
    """[(a, b, what a owes b)] in the group's currency once `lines` are booked, sorted."""
    totals = {(a, b): amount for a, b, amount in pairs}
    for _, a, b, _, converted in lines:
        totals[a, b] = totals.get((a, b), 0) + converted
    return [(a, b, amount) for (a, b), amount in sorted(totals.items()) if amount]


# The member-level transfers one household payment may be booked as. A unit transfer of a
# minimal plan is settled by a tree between the two units, so it has fewer transfers than the
# two units have members; 64 allows households far larger than any real one.
UNIT_PARTS_LIMIT = 64


def unit_part_ids(submission_id, count):
    """The submission ids of the payments a household payment is booked as: derived from the
    form's, so a second submission finds them all (`PaymentManager.record_unit`)."""
    return [uuid.uuid5(submission_id, str(i)) for i in range(count)]


def group_scope(group_id):
    """The key a group's stored settle-up plans are kept under (see `SettlementPlan`)."""
    return f"group:{group_id}"


def computed_scope(group_id):
    """The key the optimiser's latest plans for a group's balances are kept under.

    Apart from `group_scope`: pages write these rows without the group's lock, and a row of its
    own is never written by `record` at the same time, so neither loses the other's update.
    """
    return f"group:{group_id}:computed"


def fresh_plan(balances, wishes=None):
    """The optimiser's plan for member balances (minor units, positive = is owed), made with
    the group's `Wishes` when it has any."""
    if wishes is not None:
        # Everyone who may pass money on is planned, those at zero too: the planner only
        # routes through members it is given.
        named = {pk for pair in wishes.allowed_pairs or () for pk in pair}
        planned = plan_with_wishes(dict.fromkeys(named, 0) | balances, wishes)
        return plans.Plan(
            tuple(planned.transfers), planned.proven_minimal, plans.WishOutcome.of(planned)
        )
    settlement = plan_settlement(balances)
    return plans.Plan(tuple(settlement.transfers), settlement.proven_minimal)


def group_wishes(group, rows, shared_pairs):
    """The group's `Wishes` for its plan, or None when it has none.

    `rows` are (member id, balance, active, rather not receive, preferred payee id, household
    id) of the group's members (those without a wish, a balance or a deactivation may be left
    out); `shared_pairs` the (a, b) pairs who share an expense or payment
    (`ledger.books.shared_pairs`), read only when the group pays only people who share. Wishes
    shape the simplified plan only: without "simplify debts" each pair settles what they owe
    each other, which they share by definition.
    """
    if not group.simplify_debts:
        return None
    households = defaultdict(set)
    rather_not_receive, preferred_payee = set(), {}
    # Someone who left with nothing to settle can't be asked to pass money on.
    gone = set()
    for pk, balance, active, not_receive, payee, household in rows:
        if not active and not balance:
            gone.add(pk)
        if not_receive:
            rather_not_receive.add(pk)
        if payee is not None:
            preferred_payee[pk] = payee
        if household is not None:
            households[household].add(pk)
    allowed = None
    if group.pay_only_sharing:
        allowed = frozenset(frozenset(pair) for pair in shared_pairs if not gone.intersection(pair))
    wishes = Wishes(
        allowed_pairs=allowed,
        households=tuple(frozenset(members) for _, members in sorted(households.items())),
        rather_not_receive=frozenset(rather_not_receive),
        preferred_payee=preferred_payee,
    )
    return wishes if wishes != Wishes() else None


def wishes_fingerprint_items(wishes):
    """The wishes as plain values for `plans.fingerprint`: a changed wish changes the
    fingerprint, so it brings a new plan rather than one stored for the old wishes."""
    items = [("household", *sorted(members)) for members in wishes.households]
    items += [("rather_not_receive", pk) for pk in wishes.rather_not_receive]
    items += [("prefers", debtor, payee) for debtor, payee in wishes.preferred_payee.items()]
    if wishes.allowed_pairs is not None:
        items.append(("only_sharing",))
        items += [("shares", *sorted(pair)) for pair in wishes.allowed_pairs]
    return items


def plan_fingerprint(owed, wishes):
    """The fingerprint of a simplified plan: the balances, and the wishes it was made with."""
    if wishes is None:
        return plans.fingerprint("members", owed.items())
    return plans.fingerprint("members+wishes", [*owed.items(), *wishes_fingerprint_items(wishes)])


@dataclass(frozen=True)
class Suggestion:
    """One payment of a group's plan, with the members' rows loaded."""

    debtor: Member
    creditor: Member
    amount: int
    # In a simplified plan, the members of the zero-sum part it settles with the plan's other
    # payments among them (see `plans.parts`): what it covers.
    part: tuple[Member, ...] = ()

    @property
    def part_others(self):
        """How many other payments of the plan settle its part with it."""
        return len(self.part) - 2

    @property
    def part_names(self):
        """ "Ana, Bob and Cia": the people of its part."""
        names = [member.display_name for member in self.part]
        if len(names) < 2:
            return "".join(names)
        return gettext("%(earlier)s and %(last)s") % {
            "earlier": ", ".join(names[:-1]),
            "last": names[-1],
        }

    @property
    def can_record(self):
        # Payments are only recorded between active members; a deactivated member's balance
        # still has to be settled, so the suggestion is shown with a note instead of a button.
        return self.debtor.is_active and self.creditor.is_active


@dataclass(frozen=True)
class BalanceRow:
    """A member's line in the explanation: their balance before and after the whole plan."""

    member: Member
    before: int
    pays: int
    receives: int

    @property
    def after(self):
        return self.before + self.pays - self.receives


@dataclass(frozen=True)
class OpenConversion:
    """A group that converts at settlement, with balances open in other currencies: what
    settle-up converts them at (today's rates) before its payments, which are in the group's
    currency. `problem` says why they cannot be converted today (a rate nobody typed)."""

    pairs: dict  # {currency: {(a, b): what a owes b}}
    rates: dict  # {currency: ledger.books.DayRate}
    lines: list  # see ledger.books.conversion_lines
    problem: str = ""

    def balances_in(self, currency):
        """{member id: balance} in `currency`: each member's balance is the sum of their
        pairs'."""
        balances = defaultdict(int)
        for (a, b), amount in self.pairs[currency].items():
            balances[a] -= amount
            balances[b] += amount
        return {pk: amount for pk, amount in balances.items() if amount}


@dataclass
class SettleUp:
    """A group's settle-up plan and what the page, the explanation and the commands show."""

    group: Group
    # Every member (active first), for names, balances and the payment form's choices.
    members: list[Member]
    plan: plans.Plan
    fingerprint: str
    simplified: bool
    # Balances kept in other currencies, converted at today's rates into the balances planned.
    conversion: OpenConversion | None = None
    # The wishes the plan was made with (`settlements.wishes`); None: the group has none.
    wishes: Wishes | None = None

    # For the explanation of a plan whose search ran out of time (`plans.Plan.proven_minimal`).
    search_budget_ms = round(TIME_BUDGET * 1000)

    @cached_property
    def by_id(self):
        return {member.pk: member for member in self.members}

    @cached_property
    def balances(self):
        """{member id: balance} the plan settles: the kept ones in the group's currency, plus
        those in other currencies as today's conversion would turn them."""
        kept = {member.pk: member.balance for member in self.members if member.balance}
        if self.conversion is None:
            return kept
        return books.converted_balances(kept, self.conversion.lines)

    def balance_of(self, member):
        """What the plan takes `member`'s balance as: their kept balance, or in a group with
        balances open in other currencies, all of them converted at today's rates."""
        return self.balances.get(member.pk, 0)

    @cached_property
    def open_parts(self):
        """{member id: {currency: balance}} of the members with a balance open in another
        currency, their balance in the group's currency included; empty otherwise."""
        return {member.pk: amounts for member, amounts, _ in self.open_balances}

    @cached_property
    def open_balances(self):
        """[(member, {currency: balance}, converted)]: each member's balances in the group's
        currency and every open other one, and what the plan takes them as in the group's
        currency; empty unless some balance is open in another currency."""
        if self.conversion is None:
            return []
        by_member = defaultdict(dict)
        for member in self.members:
            if member.balance:
                by_member[member.pk][self.group.currency] = member.balance
        for currency in sorted(self.conversion.pairs):
            for pk, amount in self.conversion.balances_in(currency).items():
                by_member[pk][currency] = amount
        return [
            (member, by_member[member.pk], self.balances.get(member.pk, 0))
            for member in self.members
            if member.pk in by_member
        ]

    @cached_property
    def suggestions(self):
        # A pairwise plan's payments each cover their pair's history instead (`ledger.covers`).
        parts = self.parts if self.simplified else []
        part_of = {member.pk: tuple(part) for part in parts for member in part}
        return [
            Suggestion(self.by_id[debtor], self.by_id[creditor], amount, part_of.get(debtor, ()))
            for debtor, creditor, amount in self.plan.transfers
        ]

    def involving(self, member):
        """(the suggestions `member` pays or is paid, all the others), each in plan order."""
        mine, others = [], []
        for suggestion in self.suggestions:
            involved = member.pk in (suggestion.debtor.pk, suggestion.creditor.pk)
            (mine if involved else others).append(suggestion)
        return mine, others

    @cached_property
    def parts(self):
        """The members of each zero-sum part of the plan (see `plans.parts`)."""
        return [[self.by_id[pk] for pk in part] for part in plans.parts(self.plan.transfers)]

    def rows(self):
        pays, receives = {}, {}
        for debtor, creditor, amount in self.plan.transfers:
            pays[debtor] = pays.get(debtor, 0) + amount
            receives[creditor] = receives.get(creditor, 0) + amount
        return [
            BalanceRow(
                member,
                self.balances.get(member.pk, 0),
                pays.get(member.pk, 0),
                receives.get(member.pk, 0),
            )
            for member in self.members
            if self.balances.get(member.pk)
        ]


class PaymentQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)

    def with_people(self):
        return self.select_related("from_member__user", "to_member__user")

    def matching(self, query):
        """The payments whose note contains `query`, ignoring case and accents."""
        key = search_key(query)
        return self.filter(search_text__contains=key) if key else self


# The payment form offers the currencies of this many of a group's latest expenses and payments.
RECENT_ENTRIES = 100
# The settle-up page lists the latest payments; the list of expenses and payments has them all.
PAYMENTS_SHOWN = 5

# What every page of a group reads, compiled once rather than on each request
# (`splitclone.compiled`).
STORED_PLANS = CompiledQuery(
    lambda slot: SettlementPlan.objects.filter(scope__in=slot.scopes).values_list(
        "scope", "entries"
    ),
    scopes=list[str],
)
SHOWN_ON_SETTLE_UP = CompiledQuery(
    lambda slot: Payment.objects.filter(
        Q(
            pk__in=models.Subquery(
                Payment.objects.filter(group_id=slot.group_id)
                .order_by("-id")
                .values("pk")[:PAYMENTS_SHOWN]
            )
        )
        | Q(deleted_at__isnull=True, status=PaymentStatus.PENDING, to_member_id=slot.viewer_id),
        group_id=slot.group_id,
    ).order_by("-id"),
    group_id=int,
    viewer_id=int,
)
# One row, or none when nothing waits: grouped by the one group rather than `aggregate()`d.
PENDING_TOTAL = CompiledQuery(
    lambda slot: (
        Payment.objects.live()
        .filter(group_id=slot.group_id, status=PaymentStatus.PENDING)
        .order_by()
        .values("group_id")
        .annotate(count=Count("pk"), amount=Sum("amount"))
        .values_list("count", "amount")
    ),
    group_id=int,
)


class PaymentManager(models.Manager.from_queryset(PaymentQuerySet)):
    def plan_for(self, group, typed_rates=None):
        """The group's plan (`plans_for`): two queries, whatever the group's size."""
        return self.plans_for([group], typed_rates=typed_rates)[group.pk]

    def plans_for(self, groups, *, typed_rates=None):
        """{group id: SettleUp}: who owes whom in each group, the one answer every page gives.

        The group page, its who-owes-whom page, the home page's per-person totals and settle-up
        all read it from here (the home page through `bare_plans_for`), so they tell the same
        story and, once every suggested payment is recorded, none of them shows a debt. With
        "simplify debts" on, the plan for the group's balances: the one stored for exactly
        these balances if one was kept (see `settlements.plans`), else the optimiser's plan,
        worked out once per balances and kept in `computed_scope` (it takes tens of
        milliseconds for a big group, and every page asks for it). Off, each non-zero pairwise
        balance is one payment, which recording it clears.

        At most three queries whatever the number of groups and members: the members, the
        stored plans of the groups that simplify, the pairwise balances of those that do not;
        and one write when some group's balances have no plan yet. The members carry their
        settle-up wishes; two more queries read who shares expenses or payments when a group
        pays only people who do (`ledger.books.shared_pairs`).

        A group that converts at settlement plans in its own currency with its balances in other
        currencies converted at today's rates (`typed_rates`, {currency: Decimal}, for those
        the ECB does not publish): one more query. Recording a payment books that conversion.
        """
        groups = list(groups)
        members = defaultdict(list)
        by_id = {group.pk: group for group in groups}
        # The group is already loaded: saves a query per member on pages that ask for it. Put
        # in the field's cache as the descriptor would, without its checks (the id is the
        # group's already), which cost more than the rest of the loop.
        member_group = Member._meta.get_field("group")
        for member in Member.objects.of_groups([group.pk for group in groups]):
            member_group.set_cached_value(member, by_id[member.group_id])
            members[member.group_id].append(member)
        balances = {
            group.pk: {member.pk: member.balance for member in members[group.pk] if member.balance}
            for group in groups
        }
        conversions = self._open_conversions(groups, typed_rates)
        shared = self._shared_pairs(groups)
        wishes = {
            group.pk: group_wishes(
                group,
                [
                    (
                        m.pk,
                        m.balance,
                        m.is_active,
                        m.rather_not_receive,
                        m.preferred_payee_id,
                        m.household_id,
                    )
                    for m in members[group.pk]
                ],
                shared[group.pk],
            )
            for group in groups
        }
        planned = self._plans(groups, balances, conversions, wishes)
        return {
            group.pk: SettleUp(
                group,
                members[group.pk],
                *plan,
                simplified=group.simplify_debts,
                conversion=conversions.get(group.pk),
                wishes=wishes[group.pk],
            )
            for group, plan in zip(groups, planned, strict=True)
        }

    def bare_plans_for(self, groups):
        """{group id: (Plan, fingerprint)}: `plans_for` without loading a single member.

        For a page that sums up many groups: the balances are read as numbers, and only the
        people the page names need loading afterwards (a person in 200 groups of 11 people
        with a balance would otherwise load 2,200 members with their users). Same queries as
        `plans_for`.
        """
        groups = list(groups)
        simplified = [group.pk for group in groups if group.simplify_debts]
        balances = defaultdict(dict)
        wish_rows = defaultdict(list)
        # The members with a balance, a wish or who left: the same query as before wishes, a
        # few more rows.
        rows = Member.objects.filter(group__in=simplified).filter(
            ~Q(balance=0)
            | Q(is_active=False)
            | Q(rather_not_receive=True)
            | Q(preferred_payee__isnull=False)
            | Q(household__isnull=False)
        )
        for group_id, *row in rows.values_list(
            "group_id",
            "pk",
            "balance",
            "is_active",
            "rather_not_receive",
            "preferred_payee_id",
            "household_id",
        ):
            pk, balance = row[:2]
            if balance:
                balances[group_id][pk] = balance
            wish_rows[group_id].append(row)
        conversions = self._open_conversions(groups, None)
        shared = self._shared_pairs(groups)
        wishes = {
            group.pk: group_wishes(group, wish_rows[group.pk], shared[group.pk]) for group in groups
        }
        return dict(
            zip(
                (group.pk for group in groups),
                self._plans(groups, balances, conversions, wishes),
                strict=True,
            )
        )

    @staticmethod
    def _shared_pairs(groups):
        """{group id: {(a, b)}} of the groups that pay only people who share expenses or
        payments (`ledger.books.shared_pairs`); no query when none does."""
        sharing = [group.pk for group in groups if group.simplify_debts and group.pay_only_sharing]
        return books.shared_pairs(sharing) if sharing else defaultdict(set)

    def _plans(self, groups, balances, conversions, wishes):
        """[(Plan, fingerprint)] of `groups`, in order, given the member balances (non-zero
        ones, {group id: {member id: balance}}) of the groups that simplify, the open
        conversions of those that convert at settlement (`_open_conversions`) and the wishes
        of each group ({group id: Wishes or None}, `group_wishes`)."""
        simplified = [group.pk for group in groups if group.simplify_debts]
        stored = {}
        if simplified:
            stored = dict(
                STORED_PLANS(
                    scopes=[
                        scope(pk) for pk in simplified for scope in (group_scope, computed_scope)
                    ]
                )
            )
        pairwise = [group.pk for group in groups if not group.simplify_debts]
        pairs = defaultdict(list)
        if pairwise:
            rows = (
                PairBalance.objects.filter(group__in=pairwise)
                .exclude(amount=0)
                .order_by("group_id", "member_a_id", "member_b_id")
                .values_list("group_id", "member_a_id", "member_b_id", "amount")
            )
            for group_id, *pair in rows:
                pairs[group_id].append(tuple(pair))
        result = []
        computed = []
        computed_groups = []
        for group in groups:
            conversion = conversions.get(group.pk)
            if conversion is not None and conversion.problem:
                # Nothing can be planned in the group's currency before the rate is known.
                result.append(
                    (plans.Plan((), proven_minimal=True), plans.fingerprint("unconverted", []))
                )
                continue
            if group.simplify_debts:
                owed = balances.get(group.pk, {})
                if conversion is not None:
                    owed = books.converted_balances(owed, conversion.lines)
                digest = plan_fingerprint(owed, wishes[group.pk])
                kept = stored.get(group_scope(group.pk), [])
                earlier = stored.get(computed_scope(group.pk), [])
                plan = plans.stored_plan(kept, digest) or plans.stored_plan(earlier, digest)
                if plan is None:
                    plan = fresh_plan(owed, wishes[group.pk])
                    if owed:
                        entries = plans.remember(earlier, digest, plan)
                        computed.append(
                            SettlementPlan(scope=computed_scope(group.pk), entries=entries)
                        )
                        computed_groups.append(group)
            else:
                group_pairs = pairs[group.pk]
                if conversion is not None:
                    group_pairs = converted_pairs(group_pairs, conversion.lines)
                digest = plans.fingerprint("pairs", group_pairs)
                transfers = tuple(
                    Transfer(a, b, amount) if amount > 0 else Transfer(b, a, -amount)
                    for a, b, amount in group_pairs
                )
                plan = plans.Plan(transfers, proven_minimal=False)
            result.append((plan, digest))
        if computed:
            SettlementPlan.objects.keep_computed(computed, [group.pk for group in computed_groups])
        return result

    @staticmethod
    def _open_conversions(groups, typed_rates):
        """{group id: OpenConversion} of the groups that convert at settlement and have
        balances open in other currencies, at today's rates: one query for all the groups, none
        when no group converts at settlement."""
        groups = [group for group in groups if group.converts_at_settlement]
        if not groups:
            return {}
        found = books.open_currency_pairs([group.pk for group in groups])
        today = timezone.localdate()
        conversions = {}
        for group in groups:
            open_pairs = found.get(group.pk)
            if not open_pairs:
                continue
            try:
                rates = books.day_rates(group, open_pairs, today, typed_rates)
                lines = books.conversion_lines(open_pairs, group.currency, rates)
            except books.LedgerError as error:
                conversions[group.pk] = OpenConversion(open_pairs, {}, [], error.message)
            else:
                conversions[group.pk] = OpenConversion(open_pairs, rates, lines)
        return conversions

    def currencies_in_use(self, group):
        """The other currencies than the group's that its latest entries were spent in, for
        the payment form to offer: none, and no query, in a group that never had one.

        Two queries of the latest `RECENT_ENTRIES` live expenses and payments, each read
        along its index by group, newest first, so a long history costs nothing more. (Asked
        as one query with the currency filter, PostgreSQL filters the whole history first.)
        """
        if not group.has_foreign_entries:
            return set()
        expenses, payments = group.expenses.live(), group.payments.live()
        spent = set()
        for rows in (expenses.order_by("-date", "-id"), payments.order_by("-id")):
            spent.update(rows.values_list("original_currency", flat=True)[:RECENT_ENTRIES])
        return spent - {"", group.currency}

    def shown_on_settle_up(self, group, viewer, members):
        """The group's latest `PAYMENTS_SHOWN` payments, deleted ones included (to restore), and
        any older one still waiting for the viewer (their `Member`) to confirm it: newest first,
        one query. Their people are taken from `members` ({id: Member}, every member of the
        group, as the plan has them): joined in, they made this query the dearest of the page."""
        payments = SHOWN_ON_SETTLE_UP(group_id=group.pk, viewer_id=viewer.pk)
        for payment in payments:
            payment.from_member = members[payment.from_member_id]
            payment.to_member = members[payment.to_member_id]
        return payments

    def pending_total(self, group):
        """(how many, how much) of the group's live payments wait for their payee to confirm:
        already counted as paid. One query."""
        found = PENDING_TOTAL(group_id=group.pk)
        return found[0] if found else (0, 0)

    def suggest(self, group, typed_rates=None):
        """`plan_for` the group, timed into the settle-up metrics: for pages and commands."""
        started = time.perf_counter()
        settle_up = self.plan_for(group, typed_rates)
        metrics.SETTLE_UP_SECONDS.observe(time.perf_counter() - started)
        metrics.SETTLE_UP_MEMBERS.observe(len(settle_up.balances))
        return settle_up

    def record(
        self,
        *,
        group_id,
        from_member_id,
        to_member_id,
        amount,
        currency,
        date,
        note,
        actor,
        submission_id,
        expected_fingerprint=None,
        conversion=None,
        typed_rates=None,
    ):
        """Records that one member paid another, and moves the kept balances, all or nothing.

        Both must be active members of the group, and `currency` (the one the amount was typed
        in) the group's; `conversion` says how it came from another currency, if it did. A
        second submission with the same submission id (a double click, a retried request)
        returns the payment the first one recorded. With `expected_fingerprint` (the plan the
        user saw) the payment is refused with `StalePlan` if the balances have changed since. A
        payment that is (part of) a transfer of the plan in force keeps the rest of the plan as
        it was. In a group that converts at settlement, the balances open in other currencies
        are first converted at today's rates (`typed_rates` for those the ECB does not publish),
        under the same lock, so the payment settles balances in the group's currency.
        """
        with books.change(group_id) as group:
            duplicate = self.submitted(group, submission_id)
            if duplicate is not None:
                return duplicate
            books.require_currency(group, currency)
            books.require_entry_date(date)
            if not 0 < amount <= MAX_AMOUNT:
                raise PaymentError(
                    gettext("A payment must be more than zero and at most %(maximum)s.")
                    % {"maximum": localized_amount(MAX_AMOUNT, group.currency)}
                )
            if from_member_id == to_member_id:
                raise PaymentError(
                    gettext("Someone can't pay themselves. Choose two different people.")
                )
            settle_up = self.plan_for(group, typed_rates)
            active = {member.pk: member for member in settle_up.members if member.is_active}
            if from_member_id not in active or to_member_id not in active:
                raise PaymentError(
                    gettext("Payments can only be recorded between active members of this group.")
                )
            if expected_fingerprint is not None and expected_fingerprint != settle_up.fingerprint:
                raise StalePlan()
            self._convert_open_balances(group, settle_up, actor, typed_rates)
            payment = self.book(
                group,
                active[from_member_id],
                active[to_member_id],
                amount,
                date=date,
                note=note,
                actor=actor,
                submission_id=submission_id,
                conversion=conversion,
            )
            if conversion is not None:
                books.remember_currency(actor, conversion)
            if settle_up.simplified:
                self._keep_plan(settle_up, [payment])
            # Counted once the payment is really there: a rolled-back transaction records nothing.
            transaction.on_commit(metrics.PAYMENTS_RECORDED.inc)
            return payment

    @staticmethod
    def _convert_open_balances(group, settle_up, actor, typed_rates):
        """In a group that converts at settlement, books today's conversion of the balances
        open in other currencies before a payment, which is in the group's currency: the
        balances it settles must be too. The caller holds the group's lock."""
        if settle_up.conversion is None:
            return
        if settle_up.conversion.problem:
            raise PaymentError(settle_up.conversion.problem)
        books.convert_open_balances(
            group, on_date=timezone.localdate(), actor=actor, typed_rates=typed_rates
        )

    def record_unit(
        self, *, group_id, unit, date, actor, submission_id, expected_fingerprint, typed_rates=None
    ):
        """Records a payment of the plan in force that a household makes or receives as one
        (`unit`, its place in the plan's `unit_transfers`): the member-level transfers the
        plan books it as, in one ledger change under the group's lock, all or nothing.

        Refused with `StalePlan` if the balances or wishes changed since the plan was shown
        (`expected_fingerprint`). Each transfer's payment gets an id derived from
        `submission_id`, so a second submission returns the payments the first one recorded.
        """
        key = uuid.UUID(str(submission_id))
        with books.change(group_id) as group:
            recorded = list(
                self.with_people()
                .filter(group=group, submission_id__in=unit_part_ids(key, UNIT_PARTS_LIMIT))
                .order_by("id")
            )
            if recorded:
                return recorded
            books.require_entry_date(date)
            settle_up = self.plan_for(group, typed_rates)
            outcome = settle_up.plan.wishes
            if expected_fingerprint != settle_up.fingerprint or outcome is None:
                raise StalePlan()
            if not 0 <= unit < len(outcome.unit_transfers):
                raise StalePlan()
            payers, payees, _ = outcome.unit_transfers[unit]
            transfers = [
                transfer
                for transfer in settle_up.plan.transfers
                if transfer.debtor in payers and transfer.creditor in payees
            ]
            if len(transfers) > UNIT_PARTS_LIMIT:
                raise PaymentError(
                    gettext("This payment involves too many people to record at once.")
                )
            active = {member.pk: member for member in settle_up.members if member.is_active}
            if any(pk not in active for transfer in transfers for pk in transfer[:2]):
                raise PaymentError(
                    gettext("Payments can only be recorded between active members of this group.")
                )
            self._convert_open_balances(group, settle_up, actor, typed_rates)
            payments = [
                self.book(
                    group,
                    active[debtor],
                    active[creditor],
                    amount,
                    date=date,
                    note="",
                    actor=actor,
                    submission_id=part_id,
                )
                for part_id, (debtor, creditor, amount) in zip(
                    unit_part_ids(key, len(transfers)), transfers, strict=True
                )
            ]
            self._keep_plan(settle_up, payments)
            transaction.on_commit(lambda: metrics.PAYMENTS_RECORDED.inc(len(payments)))
            return payments

    def submitted(self, group, submission_id):
        """The payment a form with this submission id has already recorded, or None.

        Forms carry an id made when they were shown, so a double click or a retried request
        finds the payment the first one recorded.
        """
        try:
            key = uuid.UUID(str(submission_id))
        except ValueError:
            return None
        return self.with_people().filter(group=group, submission_id=key).first()

    def _keep_plan(self, settle_up, payments):
        """Stores the rest of the plan in force once `payments` (recorded together) are made,
        so the other suggestions stay as they were."""
        balances = dict(settle_up.balances)
        for payment in payments:
            for pk, delta in payment.effect()[0].items():
                balances[pk] = balances.get(pk, 0) + delta
        balances = {pk: balance for pk, balance in balances.items() if balance}
        kept = plans.plan_after_payments(
            settle_up.plan,
            [
                Transfer(payment.from_member_id, payment.to_member_id, payment.amount)
                for payment in payments
            ],
            fresh=lambda: fresh_plan(balances, settle_up.wishes),
        )
        if kept is not None:
            digest = plan_fingerprint(balances, settle_up.wishes)
            SettlementPlan.objects.remember(group_scope(settle_up.group.pk), digest, kept)

    def book(
        self, group, sender, receiver, amount, *, date, note, actor, submission_id, conversion=None
    ):
        """Writes one payment row, its activity line and its effect on the kept balances.

        The caller holds the group's lock (`ledger.books.change`) and has checked that both are
        active members (`record`, and the cross-group settlement, which books into several groups).
        `conversion` says how ``amount`` came from another currency; None: it did not.
        """
        conversion = conversion or fx.Conversion.same(amount, group.currency)
        books.require_conversion(group, date, amount, conversion)
        # Someone who confirms the payments they receive is asked, unless they record it
        # themselves. Pending or not, the payment moves the balances: the plan counts it paid.
        awaits_receiver = (
            receiver.user_id is not None
            and receiver.user_id != actor.pk
            and receiver.user.confirms_payments
        )
        payment = self.model(
            group=group,
            from_member=sender,
            to_member=receiver,
            amount=amount,
            currency=group.currency,
            date=date,
            note=note,
            recorded_by=actor,
            submission_id=submission_id,
            status=Payment.Status.PENDING if awaits_receiver else Payment.Status.CONFIRMED,
        )
        payment.set_conversion(conversion)
        payment.settles_in_original = books.settles_in_original(group, conversion)
        payment.refresh_search_text()
        payment.save(force_insert=True, using=self.db)
        books.apply(group, payment.effect(), payment.ledger_currency)
        Activity.record(
            group,
            actor,
            Activity.Verb.PAYMENT_RECORDED,
            gettext_noop(
                "recorded that %(sender)s paid %(receiver)s %(amount)s, waiting for them to "
                "confirm",
                **payment.phrase_values,
            )
            if awaits_receiver
            else gettext_noop(
                "recorded that %(sender)s paid %(receiver)s %(amount)s", **payment.phrase_values
            ),
            payment_id=payment.pk,
        )
        return payment

    def _payee_decides(self, group, payment, actor):
        """The payment read again under the group's lock, if `actor` is the payee of a live
        pending payment; else PaymentError saying why not (it was deleted or confirmed
        meanwhile)."""
        payment = self.with_people().get(pk=payment.pk, group=group)
        if payment.to_member.user_id != actor.pk:
            raise PaymentError(
                gettext("Only %(payee)s can say whether the money arrived.")
                % {"payee": payment.to_member}
            )
        if payment.is_deleted:
            raise PaymentError(
                gettext(
                    "The payment %(payment)s was deleted meanwhile: there is nothing to "
                    "confirm. It no longer counts towards anyone's balance."
                )
                % {"payment": payment.summary}
            )
        return payment

    def confirm_payment(self, payment, *, actor):
        """The payee says the money arrived. The balances already count the payment; this
        only marks it confirmed (once: a second confirmation changes nothing)."""
        with books.change(payment.group_id) as group:
            payment = self._payee_decides(group, payment, actor)
            if payment.status == Payment.Status.CONFIRMED:
                return payment
            payment.status = Payment.Status.CONFIRMED
            payment.version += 1
            payment.save(update_fields=["status", "version"])
            Activity.record(
                group,
                actor,
                Activity.Verb.PAYMENT_CONFIRMED,
                gettext_noop(
                    "confirmed receiving %(amount)s from %(sender)s",
                    amount=Amount(payment.amount, payment.currency),
                    sender=payment.from_member.display_name,
                ),
                payment_id=payment.pk,
            )
            return payment

    def reject_payment(self, payment, *, actor):
        """The payee says the money did not arrive: the payment stops counting (a soft delete,
        restorable like any other), so the debt is back."""
        with books.change(payment.group_id) as group:
            payment = self._payee_decides(group, payment, actor)
            if payment.status == Payment.Status.CONFIRMED:
                raise PaymentError(
                    gettext("You already confirmed receiving %(payment)s.")
                    % {"payment": payment.summary}
                )
            payment, _ = books.set_deleted(
                self.with_people(),
                payment,
                delete=True,
                actor=actor,
                verb=Activity.Verb.PAYMENT_REJECTED,
                summary=lambda row: gettext_noop(
                    "did not receive the payment %(sender)s → %(receiver)s %(amount)s; it no "
                    "longer counts",
                    **row.phrase_values,
                ),
                payment_id=payment.pk,
            )
            return payment

    def delete_payment(self, payment, *, actor):
        """Soft delete: the payment leaves the ledger but stays restorable."""
        payment, _ = books.set_deleted(
            self.with_people(),
            payment,
            delete=True,
            actor=actor,
            verb=Activity.Verb.PAYMENT_DELETED,
            summary=lambda row: gettext_noop(
                "deleted the payment %(sender)s → %(receiver)s %(amount)s", **row.phrase_values
            ),
            payment_id=payment.pk,
        )
        return payment

    def restore_payment(self, payment, *, actor):
        payment, _ = books.set_deleted(
            self.with_people(),
            payment,
            delete=False,
            actor=actor,
            verb=Activity.Verb.PAYMENT_RESTORED,
            summary=lambda row: gettext_noop(
                "restored the payment %(sender)s → %(receiver)s %(amount)s", **row.phrase_values
            ),
            payment_id=payment.pk,
        )
        return payment


class PaymentStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("waiting for the payee to confirm")
    CONFIRMED = "confirmed", gettext_lazy("confirmed")


class Payment(LedgerRow):
    """A ledger row: one member paid another, outside any expense (usually to settle up).

    A pending payment waits for the payee to confirm it arrived; it counts as paid meanwhile.
    """

    Status = PaymentStatus

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="payments")
    from_member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    to_member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(help_text="In minor units of the currency.")
    currency = models.CharField(max_length=3)
    date = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    # The note folded by `search_key`, which the group's list of expenses and payments searches.
    search_text = models.TextField(blank=True, db_default="", editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Generated when the form is shown, so a double-submitted form records the payment once.
    submission_id = models.UUIDField(default=uuid.uuid4)
    status = models.CharField(
        max_length=10, choices=Status, default=Status.CONFIRMED, db_default=Status.CONFIRMED
    )

    objects = PaymentManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT),
                name="settlements_payment_amount_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(from_member=models.F("to_member")),
                name="settlements_payment_not_to_self",
            ),
            models.UniqueConstraint(
                fields=["group", "submission_id"], name="settlements_payment_unique_submission"
            ),
        ]
        indexes = [
            # The settle-up page's list of payments: newest first.
            models.Index("group", models.F("id").desc(), name="settlements_payment_by_group"),
            # The group's list of expenses and payments: live payments, newest first, paged by
            # (date, id) like the expenses beside them.
            models.Index(
                "group",
                models.F("date").desc(),
                models.F("id").desc(),
                condition=Q(deleted_at__isnull=True),
                name="settlements_payment_live_date",
            ),
        ]

    def __str__(self):
        # The admin's, in English like the rest of the admin; pages and messages use `summary`.
        return self._summary(str(self.spent))

    @property
    def amount_display(self):
        return format_amount(self.amount, self.currency)

    @property
    def summary(self):
        """ "Ann → Bob 12.50 EUR", with the amount in the active language."""
        return self._summary(self.spent_display)

    def _summary(self, spent):
        return f"{self.from_member} → {self.to_member} {spent}"

    @property
    def phrase_values(self):
        """Who paid whom how much, as the values of a phrase of the group history."""
        return {
            "sender": self.from_member.display_name,
            "receiver": self.to_member.display_name,
            "amount": self.spent,
        }

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    def refresh_search_text(self):
        """Folds the note again; whatever changes it calls this before saving."""
        self.search_text = search_key(self.note)

    @property
    def ledger_amount(self):
        """What the payment moves, in minor units of its `ledger_currency`."""
        return self.original_amount if self.settles_in_original else self.amount

    def effect(self, sign=1):
        return payment_effect(self.from_member_id, self.to_member_id, self.ledger_amount, sign=sign)

    @classmethod
    def shared_pairs(cls, group_ids):
        """Every sender and receiver of a live payment, as (group id, a, b), a < b: one query."""
        return (
            cls.objects.live()
            .filter(group_id__in=group_ids)
            .annotate(
                a=Least("from_member_id", "to_member_id"),
                b=Greatest("from_member_id", "to_member_id"),
            )
            .values_list("group_id", "a", "b")
            .distinct()
            .order_by()
        )

    @classmethod
    def ledger_effects(cls, group_id):
        """The group's live payments, summed per (sender, receiver) by the database.

        A payment's effect is linear in its amount, so one row per direction is enough.
        """
        in_group_currency = Q(settles_in_original=False)
        totals = (
            cls.objects.live()
            .filter(group_id=group_id)
            .values_list(
                "from_member_id", "to_member_id", "settles_in_original", "original_currency"
            )
            .annotate(
                total=Sum("amount", filter=in_group_currency),
                original=Sum("original_amount", filter=~in_group_currency),
            )
            .order_by()
        )
        for sender, receiver, in_original, currency, total, original in totals:
            if in_original:
                yield currency, payment_effect(sender, receiver, original)
            else:
                yield None, payment_effect(sender, receiver, total)

    @classmethod
    def pair_lines(cls, group, member_a, member_b):
        """The live payments between the two, either way: one query."""
        between = Q(from_member_id=member_a, to_member_id=member_b) | Q(
            from_member_id=member_b, to_member_id=member_a
        )
        for payment in cls.objects.live().filter(between, group=group).defer("search_text"):
            _, pairs = payment.effect()
            yield PairLine(
                payment.date,
                payment.created_at,
                "payment",
                payment.pk,
                payment.ledger_currency,
                pairs.get((member_a, member_b), 0),
                payment.note,
                sender_id=payment.from_member_id,
                conversion=(
                    f"{payment.spent_display}, {payment.rate_display}"
                    if payment.is_converted and not payment.settles_in_original
                    else ""
                ),
            )


class SettlementPlanManager(models.Manager):
    def keep_computed(self, rows, group_ids):
        """Writes `computed_scope` rows in one statement, so each plan is worked out once.

        Pages call this without any lock: two requests may both compute a group's plan and
        write, and the last write wins. Either row is right: a plan is only ever read back for
        balances with the fingerprint it was stored under, and it settles those balances. A plan
        searched under a time budget may differ between the two, so the groups' plan summaries
        are dropped after the write: the home page then summarises the plan that won
        (`PlanSummaryManager.refresh` holds the row written here until its summary is written).
        """
        self.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["scope"],
            update_fields=["entries", "updated_at"],
        )
        PlanSummary.objects.filter(group_id__in=group_ids).delete()

    def stored(self, scope, digest):
        """The plan kept for balances with this fingerprint, or None."""
        row = self.filter(scope=scope).first()
        return plans.stored_plan(row.entries, digest) if row else None

    def remember(self, scope, digest, plan):
        """Keeps `plan` for balances with this fingerprint.

        The caller holds the ledger lock of every group the scope covers, so no one else writes
        the row at the same time.
        """
        row = self.filter(scope=scope).first() or SettlementPlan(scope=scope)
        row.entries = plans.remember(row.entries, digest, plan)
        row.save()


class SettlementPlan(models.Model):
    """The settle-up plans last shown for a scope, so recording a payment does not reshuffle them.

    A scope is one group ("group:<id>", keys are member ids), the optimiser's plans for a
    group's balances (`computed_scope`) or a set of groups settled together
    (`settlements.across`, keys are user ids). Each entry is [balances fingerprint,
    transfers, exact]; `settlements.plans` explains when an entry is written and when it is used.
    A plan never outlives its balances: it is only used while the balances have the very
    fingerprint it was stored under.
    """

    scope = models.CharField(max_length=100, unique=True)
    entries = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SettlementPlanManager()

    def __str__(self):
        return self.scope


class PlanSummaryManager(models.Manager):
    def stale(self):
        """Q: the group has no summary, or one its plan may have changed since (`refresh`).
        The home page asks the same in its own statement, beside the user's memberships, so
        that a view with every summary current asks nothing more (`pages.home_reading`)."""
        return (
            Q(plan_summary__isnull=True)
            | ~Q(plan_summary__plan_version=models.F("plan_version"))
            | ~Q(plan_summary__simplified=models.F("simplify_debts"))
            # Planned with today's rates, which may change by the hour.
            | Q(convert_at=ConvertAt.SETTLEMENT)
        )

    def refresh_stale(self, user):
        """Works out again the summaries of the groups of `user`'s active memberships whose plan
        may have changed since theirs was (`refresh`): one query when every summary is current.
        """
        stale = Group.objects.filter(members__user=user, members__is_active=True).filter(
            self.stale()
        )
        stale = list(stale)
        if stale:
            self.refresh(stale)

    def drifted(self, groups):
        """The groups among `groups` whose summary the home page would trust but which differs
        from their plan now (`Payment.objects.bare_plans_for`). Used by `recompute_balances`."""
        current = {
            summary.group_id
            for summary in self.filter(group__in=groups).select_related("group")
            if summary.plan_version == summary.group.plan_version
            and summary.simplified == summary.group.simplify_debts
            and not summary.group.converts_at_settlement
        }
        groups = [group for group in groups if group.pk in current]
        if not groups:
            return []
        kept = defaultdict(set)
        for group_id, *debt in PlanDebt.objects.filter(group__in=groups).values_list(
            "group_id", "member_id", "other_id", "to_user"
        ):
            kept[group_id].add(tuple(debt))
        registered = set(
            Member.objects.filter(group__in=groups, user__isnull=False).values_list("pk", flat=True)
        )
        plans_by_group = Payment.objects.bare_plans_for(groups)
        drifted = []
        for group in groups:
            planned = set()
            for debtor, creditor, amount in plans_by_group[group.pk][0].transfers:
                planned |= {(debtor, creditor, -amount), (creditor, debtor, amount)}
            # Guests have no home page: the summary keeps registered members' sides only.
            if {side for side in planned if side[0] in registered} != kept[group.pk]:
                drifted.append(group)
        return drifted

    def refresh(self, groups):
        """Summarises the groups' plans as `Payment.objects.bare_plans_for` gives them.

        In one transaction: a plan `bare_plans_for` works out and keeps is held until its
        summary is written, so a page keeping another plan for the same balances meanwhile
        drops this summary after it (`SettlementPlanManager.keep_computed`), never before.
        The versions are those of the group rows as read before their balances: a summary may
        be older than it says, never newer, so at worst it is worked out again.
        """
        with transaction.atomic():
            plans_by_group = Payment.objects.bare_plans_for(groups)
            named = {
                pk
                for plan, _ in plans_by_group.values()
                for transfer in plan.transfers
                for pk in transfer[:2]
            }
            users = dict(Member.objects.filter(pk__in=named).values_list("pk", "user_id"))
            debts = []
            for group in groups:
                plan, _ = plans_by_group[group.pk]
                for debtor, creditor, amount in plan.transfers:
                    for member, other, to_user in (
                        (debtor, creditor, -amount),
                        (creditor, debtor, amount),
                    ):
                        if users[member] is not None:
                            debts.append(
                                PlanDebt(
                                    group=group,
                                    user_id=users[member],
                                    member_id=member,
                                    other_id=other,
                                    to_user=to_user,
                                )
                            )
            PlanDebt.objects.filter(group__in=groups).delete()
            PlanDebt.objects.bulk_create(debts)
            summaries = [
                PlanSummary(
                    group=group,
                    plan_version=group.plan_version,
                    simplified=group.simplify_debts,
                    fingerprint=plans_by_group[group.pk][1],
                )
                for group in groups
            ]
            self.bulk_create(
                summaries,
                update_conflicts=True,
                unique_fields=["group"],
                update_fields=["plan_version", "simplified", "fingerprint"],
            )


class PlanSummary(models.Model):
    """A group's plan as the home page reads it: its transfers from each registered person's
    side (`PlanDebt`), worked out for one `Group.plan_version`.

    The plan is `PaymentManager.plans_for`'s, so the home page tells the story of the group
    page and settle-up. A plan changes with the balances, the members, the wishes and the
    settings, each changed under the group's lock, which moves the group's plan version
    (`GroupManager.lock_for_ledger`); in a group that converts at settlement with today's rates;
    and a plan kept under a time budget may be replaced by another for the same balances
    (`SettlementPlanManager.keep_computed` then drops the summary). Anything else that changes
    a group's plan must take the lock or drop the summary.
    """

    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, primary_key=True, related_name="plan_summary"
    )
    plan_version = models.BigIntegerField()
    simplified = models.BooleanField()
    # Of the balances the plan settles; `recompute_balances --check` compares it.
    fingerprint = models.CharField(max_length=32)

    objects = PlanSummaryManager()

    def __str__(self):
        return f"{self.group_id} at version {self.plan_version}"


class PlanDebt(models.Model):
    """One transfer of a group's summarised plan (`PlanSummary`), from the side of a registered
    member: what the other member pays them (negative: what they pay)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    to_user = models.BigIntegerField()

    def __str__(self):
        return f"{self.other_id} → {self.member_id}: {self.to_user}"
