"""The one way a group's money moves: under the group's lock, through the kept balances.

Every write that touches money (adding or editing an expense, recording a payment, deleting or
restoring either, settling across groups, the admin, the commands) opens a `change` of the
group's books, which takes the lock on the group row and re-reads what it needs under it, and
moves the kept balances with `apply` (and an expense's spending totals with `apply_spending`).
Concurrent writers to one group queue on that lock, so the balances are read and written by one
transaction at a time. `recompute_group` rebuilds the kept balances and totals from the ledger
rows, or only reports where they drifted.
"""

import datetime
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from groups.models import Activity, Group, Member
from ledger import bulk
from ledger.effects import combine, combine_spending
from ledger.models import (
    BalanceConversion,
    ConversionLine,
    CurrencyBalance,
    CurrencyPairBalance,
    GroupSpending,
    MemberSpending,
    PairBalance,
    RateSource,
    ledger_models,
    rate_display,
    rate_phrase,
)
from splitclone import cursors, fx
from splitclone.dates import validate_entry_date
from splitclone.formats import localized_amount
from splitclone.money import MAX_AMOUNT, MoneyError
from splitclone.phrases import Joined, gettext_noop
from splitclone.translation import translated


class LedgerError(ValidationError):
    """A change to the books that the rules refuse; the message is for the user."""


class RowChanged(LedgerError):
    """The row changed (edited, deleted or restored) since the person acting on it loaded it.

    Carries the row as it is now, so the page can show the newer state.
    """

    def __init__(self, current, message=None):
        super().__init__(message or gettext("This entry changed since you loaded it."))
        self.current = current


class UnreadableLedger(Exception):
    """The group's ledger rows contradict themselves (e.g. an expense whose payers and shares
    add up to different totals), so no balance can be rebuilt from them."""

    def __init__(self, group, reason):
        super().__init__(f"{group.name} (#{group.pk}): the ledger cannot be read: {reason}")
        self.group = group


@contextmanager
def change(group_id):
    """A transaction holding the group's lock; yields the group row as it is under the lock."""
    with transaction.atomic(), cursors.sharing():
        yield Group.objects.lock_for_ledger(group_id)


@contextmanager
def change_groups(group_ids):
    """`change` for several groups at once (settling across groups): {id: locked group}.

    Locks in id order, so two such changes never wait on each other in a cycle.
    """
    with transaction.atomic(), cursors.sharing():
        yield {pk: Group.objects.lock_for_ledger(pk) for pk in sorted(set(group_ids))}


def require_currency(group, currency):
    """Refuses amounts typed in another currency than the group's (it changed meanwhile).

    Amounts are minor units of the currency they were parsed in: 12.00 EUR is 1200, which in
    JPY would be ¥1,200.
    """
    if currency != group.currency:
        raise LedgerError(
            gettext(
                "The group's currency changed to %(currency)s while you were typing. Nothing "
                "was saved; check the amounts and save again."
            )
            % {"currency": group.currency}
        )


def require_conversion(group, entry_date, amount, conversion):
    """Refuses a conversion that does not give ``amount`` (minor units of the group currency).

    The rule of `splitclone.fx.convert` for a reference or an entered rate; a reference rate
    must be the ECB's for ``entry_date``; an amount charged is taken as it is and its rate is
    the one derived from the two amounts; an entry in the group's currency has rate 1.
    """
    original, currency = conversion.original_amount, conversion.original_currency
    try:
        if not 0 < original <= MAX_AMOUNT:
            raise LedgerError(gettext("The amount must be more than zero and within the limit."))
        if (conversion.source == "same") != (currency == group.currency):
            raise LedgerError(
                gettext("An amount in %(currency)s needs a rate to %(group_currency)s.")
                % {"currency": currency, "group_currency": group.currency}
            )
        if conversion.source == "same":
            expected_rate, expected_amount = Decimal(1), original
        elif conversion.source == "reference":
            reference = fx.rate(currency, group.currency, entry_date)
            if conversion.rate_date != reference.published_on:
                raise LedgerError(
                    gettext("The reference rate is not the one of the expense's date.")
                )
            expected_rate = reference.value
            expected_amount = fx.convert(original, currency, group.currency, expected_rate)
        elif conversion.source == "entered":
            expected_rate = fx.check_rate(conversion.rate)
            expected_amount = fx.convert(original, currency, group.currency, expected_rate)
        elif conversion.source == "charged":
            expected_rate = fx.derived_rate(original, currency, amount, group.currency)
            expected_amount = amount
        else:
            raise LedgerError(
                gettext("Unknown rate source “%(source)s”.") % {"source": conversion.source}
            )
    except MoneyError as error:
        raise LedgerError(translated(error.message)) from None
    if conversion.rate != expected_rate or amount != expected_amount:
        raise LedgerError(
            gettext(
                "%(original)s at %(rate)s is not %(amount)s: the rate changed, check and save "
                "again."
            )
            % {
                "original": localized_amount(original, currency),
                "rate": conversion.rate,
                "amount": localized_amount(amount, group.currency),
            }
        )
    if currency != group.currency and not group.has_foreign_entries:
        # From now on "convert at" is fixed (`Group.update_settings`): this entry is about to be
        # kept the way it says.
        Group.objects.filter(pk=group.pk).update(has_foreign_entries=True)
        group.has_foreign_entries = True


def settles_in_original(group, conversion):
    """Whether an entry with this conversion keeps its shares in the currency it was spent in:
    in a group that converts at settlement, an entry in another currency does."""
    return group.converts_at_settlement and conversion.original_currency != group.currency


def remember_currency(user, conversion):
    """Keeps the currency of a converted entry as the one ``user`` last spent in (the forms
    offer it second). One UPDATE, and only when it changes; nothing for the group's currency."""
    code = conversion.original_currency
    if conversion.source == RateSource.SAME or user is None or user.last_currency == code:
        return
    get_user_model().objects.filter(pk=user.pk).update(last_currency=code)
    user.last_currency = code


def require_entry_date(date):
    """The forms' date rule (1900 to a year ahead), again for every caller of the books."""
    try:
        validate_entry_date(date)
    except ValidationError as refused:
        raise LedgerError(refused.messages) from None


def apply(group, effect, currency=None):
    """Adds an effect (member deltas, pair deltas) to the kept balances. Inside `change`.

    `currency` is the one the effect's amounts are in: None (or the group's) moves
    `Member.balance` and `PairBalance`, another moves `CurrencyBalance` and
    `CurrencyPairBalance`. Also marks the group as having history, which fixes its currency. One
    statement per table, of the same text whatever the number of members (`ledger.bulk`):
    saving an expense shared by 50 people runs on this path, and the ORM's bulk_update spent
    most of that time building its CASE expressions.
    """
    member_deltas, pair_deltas = effect
    member_deltas = {pk: delta for pk, delta in member_deltas.items() if delta}
    pair_deltas = {pair: delta for pair, delta in pair_deltas.items() if delta}
    if currency is not None and currency != group.currency:
        _apply_in_currency(group, member_deltas, pair_deltas, currency)
    else:
        _apply_in_group_currency(group, member_deltas, pair_deltas)
    if not group.has_ledger_history:
        Group.objects.filter(pk=group.pk).update(has_ledger_history=True)
        group.has_ledger_history = True


def apply_all(group, currency_effects):
    """`apply` for [(currency, effect)], one `apply` per currency (an edit may change it)."""
    by_currency = defaultdict(list)
    for currency, effect in currency_effects:
        by_currency[None if currency == group.currency else currency].append(effect)
    for currency, effects in by_currency.items():
        apply(group, combine(*effects), currency)


def _apply_in_currency(group, member_deltas, pair_deltas, currency):
    if member_deltas:
        table = CurrencyBalance._meta.db_table
        source, params = bulk.rows_table(
            "delta", CurrencyBalance, ["member_id", "amount"], member_deltas.items()
        )
        with cursors.cursor() as cursor:
            # Selected from the group's members: a member of another group inserts nothing, and
            # the row count says so.
            cursor.execute(
                f"INSERT INTO {table} (group_id, member_id, currency, amount) "
                f"SELECT member.group_id, member.id, %s, delta.amount "
                f"FROM {Member._meta.db_table} AS member JOIN {source} "
                "ON delta.member_id = member.id WHERE member.group_id = %s "
                f"ON CONFLICT (member_id, currency) DO UPDATE SET amount = {table}.amount + "
                "excluded.amount",
                [currency, *params, group.pk],
            )
            if cursor.rowcount != len(member_deltas):
                raise ValueError("the change names members of another group")
    group_id = group.pk
    bulk.upsert(
        CurrencyPairBalance,
        ["group_id", "member_a_id", "member_b_id", "currency"],
        ["amount"],
        [(group_id, a, b, currency, delta) for (a, b), delta in pair_deltas.items()],
    )


def _apply_in_group_currency(group, member_deltas, pair_deltas):
    if member_deltas:
        table = Member._meta.db_table
        source, params = bulk.rows_table("delta", Member, ["id", "balance"], member_deltas.items())
        with cursors.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET balance = {table}.balance + delta.balance "
                f"FROM {source} WHERE {table}.group_id = %s AND {table}.id = delta.id",
                [*params, group.pk],
            )
            if cursor.rowcount != len(member_deltas):
                raise ValueError("the change names members of another group")
    group_id = group.pk
    bulk.upsert(
        PairBalance,
        ["group_id", "member_a_id", "member_b_id"],
        ["amount"],
        [(group_id, a, b, delta) for (a, b), delta in pair_deltas.items()],
    )


def apply_spending(group, spending):
    """Adds a spending effect (`ledger.effects.expense_spending`) to the kept spending totals.

    Inside `change`, beside `apply`, so the statistics pages never see rows and totals that
    disagree. One statement per table for an expense, whatever the number of members; an
    import's thousands of totals go in batches (`ledger.bulk`).
    """
    group_deltas, member_deltas = spending
    # Read once, not per row (`pk` is a property), and each total unpacked rather than spread:
    # an expense shared by 50 people adds to 100 members' totals.
    group_id = group.pk
    date = connection.ops.adapt_datefield_value
    bulk.upsert(
        GroupSpending,
        ["group_id", "span", "day", "category"],
        ["amount", "expense_count"],
        [
            (group_id, span, date(day), str(category), amount, count)
            for (span, day, category), (amount, count) in group_deltas.items()
            if amount or count
        ],
    )
    bulk.upsert(
        MemberSpending,
        ["group_id", "span", "day", "category", "member_id"],
        ["paid", "share", "share_count"],
        [
            (group_id, span, date(day), str(category), member, paid, share, count)
            for (span, day, category, member), (paid, share, count) in member_deltas.items()
            if paid or share or count
        ],
    )


def set_deleted(rows, row, *, delete, actor, verb, summary, **activity_data):
    """Soft-deletes (`delete=True`) or restores `row`, moving the kept balances with it.

    `rows` is the queryset the row is read again from, under the group's lock, since a
    concurrent request may have edited, deleted or restored it meanwhile. Returns the row and
    whether anything changed; `summary(row)` words the activity entry. Bumps the row's version,
    so an edit form loaded before the delete (or the restore) is refused as stale.
    """
    with change(row.group_id) as group:
        row = rows.get(pk=row.pk, group=group)
        if row.is_deleted == delete:
            return row, False
        apply_all(group, row.currency_effects(sign=-1 if delete else 1))
        apply_spending(group, row.spending(sign=-1 if delete else 1))
        row.deleted_at = timezone.now() if delete else None
        row.deleted_by = actor if delete else None
        row.version += 1
        row.save(update_fields=["deleted_at", "deleted_by", "version"])
        Activity.record(group, actor, verb, summary(row), **activity_data)
    return row, True


def shared_pairs(group_ids):
    """{group id: {(a, b)}}, a < b: the members who share at least one live expense or payment
    (as payer, share, sender or receiver), for "only pay people you share expenses with".

    Read from the entries themselves, so it is exact whatever was edited, deleted or restored:
    one query per kind of ledger entry (two), whatever the number of groups and entries.
    """
    found = defaultdict(set)
    for model in ledger_models():
        rows = model.shared_pairs(group_ids)
        if rows is not None:
            for group_id, a, b in rows:
                found[group_id].add((a, b))
    return found


def ledger_balances_by_currency(group_id):
    """{currency: ({member id: balance}, {(a, b): amount a owes b})} as the ledger says, with
    None for the group's currency.

    A constant number of queries: each ledger model streams its group's effects (see
    `LedgerEntry.ledger_effects`), summed as they come so that 100,000 expenses' effects never
    sit in memory together.
    """
    members = defaultdict(lambda: defaultdict(int))
    pairs = defaultdict(lambda: defaultdict(int))
    for model in ledger_models():
        for currency, (member_deltas, pair_deltas) in model.ledger_effects(group_id):
            for key, delta in member_deltas.items():
                members[currency][key] += delta
            for pair, delta in pair_deltas.items():
                pairs[currency][pair] += delta
    return {
        currency: (
            {key: amount for key, amount in members[currency].items() if amount},
            {pair: amount for pair, amount in pairs[currency].items() if amount},
        )
        for currency in members.keys() | pairs.keys()
    }


def ledger_balances(group_id):
    """({member id: balance}, {(a, b): amount a owes b}) in the group's currency, as the ledger
    says (`ledger_balances_by_currency`)."""
    return ledger_balances_by_currency(group_id).get(None, ({}, {}))


@dataclass(frozen=True)
class MemberDrift:
    member: Member
    kept: int
    ledger: int
    # None: the group's currency.
    currency: str | None = None


@dataclass(frozen=True)
class PairDrift:
    """What `member_a` owes `member_b`, as kept and as the ledger says."""

    member_a: Member
    member_b: Member
    kept: int
    ledger: int
    currency: str | None = None


@dataclass(frozen=True)
class SpendingDrift:
    """A spending total of a month or a day (`span`) as kept and as the ledger says: (amount,
    expenses) for the group's when `member` is None, else (paid, share, shares) for the
    member's."""

    span: str
    day: object
    category: str
    member: Member | None
    kept: tuple
    ledger: tuple


@dataclass
class Drift:
    group: Group
    members: list[MemberDrift] = field(default_factory=list)
    pairs: list[PairDrift] = field(default_factory=list)
    spending: list[SpendingDrift] = field(default_factory=list)

    def __bool__(self):
        return bool(self.members or self.pairs or self.spending)


def recompute_group(group, check=False):
    """Compares the group's kept balances with its ledger; rewrites them unless `check`.

    Every currency the group keeps balances in is compared: the group's (`Member.balance`,
    `PairBalance`) and the others of a group that converts at settlement (`CurrencyBalance`,
    `CurrencyPairBalance`), and the spending totals (`recompute_spending`). Runs under the
    group's lock, so no change to the ledger lands
    between reading it and writing the balances. Returns what differed (the `kept` values are
    those found before any fix), or raises `UnreadableLedger`. A constant number of queries,
    whatever the number of rows. Used by `manage.py recompute_balances` and by the admin.
    """
    with change(group.pk):
        try:
            truth = ledger_balances_by_currency(group.pk)
        except ValueError as error:
            raise UnreadableLedger(group, error) from error
        members = {member.pk: member for member in group.members.with_people()}
        kept_members = {(None, pk): member.balance for pk, member in members.items()}
        currency_rows = {
            (row.currency, row.member_id): row for row in group.currency_balances.all()
        }
        kept_members |= {key: row.amount for key, row in currency_rows.items()}
        pair_rows = {
            (None, row.member_a_id, row.member_b_id): row for row in group.pair_balances.all()
        }
        pair_rows |= {
            (row.currency, row.member_a_id, row.member_b_id): row
            for row in group.currency_pair_balances.all()
        }
        true_members = {
            (currency, pk): amount
            for currency, (balances, _) in truth.items()
            for pk, amount in balances.items()
        }
        true_pairs = {
            (currency, a, b): amount
            for currency, (_, pairs) in truth.items()
            for (a, b), amount in pairs.items()
        }
        drift = Drift(group)
        for key in sorted(kept_members.keys() | true_members.keys(), key=_currency_first):
            kept, ledger = kept_members.get(key, 0), true_members.get(key, 0)
            if kept != ledger:
                drift.members.append(MemberDrift(members[key[1]], kept, ledger, key[0]))
        for key in sorted(pair_rows.keys() | true_pairs.keys(), key=_currency_first):
            kept = pair_rows[key].amount if key in pair_rows else 0
            ledger = true_pairs.get(key, 0)
            if kept != ledger:
                currency, a, b = key
                drift.pairs.append(PairDrift(members[a], members[b], kept, ledger, currency))
        if drift and not check:
            _rewrite(group, drift, currency_rows, pair_rows)
        drift.spending = recompute_spending(group, members, check)
        return drift


def ledger_spending(group_id):
    """The spending totals as the ledger rows say, in the shape of a spending effect."""
    return combine_spending(*(model.ledger_spending(group_id) for model in ledger_models()))


def recompute_spending(group, members, check):
    """Compares the group's kept spending totals with its ledger; rewrites them unless `check`.

    Part of `recompute_group`, under its lock; `members` maps the group's member ids to them.
    A total kept as zeros is the same as none.
    """
    group_truth, member_truth = ledger_spending(group.pk)
    keys = ("span", "day", "category")
    kept_groups = {
        tuple(row[:3]): tuple(row[3:])
        for row in GroupSpending.objects.filter(group=group).values_list(
            *keys, "amount", "expense_count"
        )
    }
    kept_members = {
        tuple(row[:4]): tuple(row[4:])
        for row in MemberSpending.objects.filter(group=group).values_list(
            *keys, "member_id", "paid", "share", "share_count"
        )
    }
    drift = []
    for kept, truth, zeros in (
        (kept_groups, group_truth, (0, 0)),
        (kept_members, member_truth, (0, 0, 0)),
    ):
        differ = (
            key
            for key in kept.keys() | truth.keys()
            if kept.get(key, zeros) != truth.get(key, zeros)
        )
        for key in sorted(differ):
            span, day, category, *member = key
            drift.append(
                SpendingDrift(
                    span,
                    day,
                    category,
                    members[member[0]] if member else None,
                    kept.get(key, zeros),
                    truth.get(key, zeros),
                )
            )
    if drift and not check:
        GroupSpending.objects.filter(group=group).delete()
        MemberSpending.objects.filter(group=group).delete()
        apply_spending(group, (group_truth, member_truth))
    return drift


def _currency_first(key):
    return (key[0] or "", *key[1:])


def _rewrite(group, drift, currency_rows, pair_rows):
    """Writes the ledger's answer over the drifted kept balances (`recompute_group`)."""
    in_group_currency, changed_rows, new_rows = [], [], []
    for each in drift.members:
        if each.currency is None:
            each.member.balance = each.ledger
            in_group_currency.append(each.member)
        elif row := currency_rows.get((each.currency, each.member.pk)):
            row.amount = each.ledger
            changed_rows.append(row)
        else:
            new_rows.append(
                CurrencyBalance(
                    group=group, member=each.member, currency=each.currency, amount=each.ledger
                )
            )
    Member.objects.bulk_update(in_group_currency, ["balance"])
    CurrencyBalance.objects.bulk_update(changed_rows, ["amount"])
    CurrencyBalance.objects.bulk_create(new_rows)
    changed = {PairBalance: [], CurrencyPairBalance: []}
    created = {PairBalance: [], CurrencyPairBalance: []}
    for each in drift.pairs:
        key = (each.currency, each.member_a.pk, each.member_b.pk)
        model = PairBalance if each.currency is None else CurrencyPairBalance
        if key in pair_rows:
            pair_rows[key].amount = each.ledger
            changed[model].append(pair_rows[key])
        else:
            currency = {} if each.currency is None else {"currency": each.currency}
            created[model].append(
                model(
                    group=group,
                    member_a=each.member_a,
                    member_b=each.member_b,
                    amount=each.ledger,
                    **currency,
                )
            )
    for model in (PairBalance, CurrencyPairBalance):
        model.objects.bulk_update(changed[model], ["amount"])
        model.objects.bulk_create(created[model])


@dataclass(frozen=True)
class DayRate:
    """The rate at which one currency's open balances become the group's currency."""

    currency: str
    target: str
    value: Decimal
    source: str  # RateSource.REFERENCE or RateSource.ENTERED
    published_on: datetime.date | None

    @property
    def display(self):
        """ "1 USD = 0.85 EUR (ECB reference rate of 24 Dec 2025)"."""
        return rate_display(self.currency, self.value, self.target, self.source, self.published_on)

    @property
    def phrase(self):
        """`display` as a phrase, for the group history."""
        return rate_phrase(self.currency, self.value, self.target, self.source, self.published_on)


def open_currency_pairs(group_ids):
    """{group id: {currency: {(a, b): what a owes b}}}: the kept open balances in currencies
    other than each group's, in one query."""
    found = defaultdict(lambda: defaultdict(dict))
    rows = (
        CurrencyPairBalance.objects.filter(group__in=group_ids)
        .exclude(amount=0)
        .values_list("group_id", "currency", "member_a_id", "member_b_id", "amount")
    )
    for group_id, currency, a, b, amount in rows:
        found[group_id][currency][a, b] = amount
    return found


def day_rates(group, currencies, on_date, typed_rates=None):
    """{currency: DayRate} to the group's currency for `on_date`: the typed rate of a currency
    when there is one, else the ECB's reference rate. `LedgerError` names a currency the ECB
    does not publish (or no longer does) that has no typed rate."""
    typed_rates = typed_rates or {}
    rates = {}
    for currency in sorted(currencies):
        try:
            if currency in typed_rates:
                value = fx.check_rate(typed_rates[currency])
                rates[currency] = DayRate(currency, group.currency, value, RateSource.ENTERED, None)
            else:
                reference = fx.rate(currency, group.currency, on_date)
                rates[currency] = DayRate(
                    currency,
                    group.currency,
                    reference.value,
                    RateSource.REFERENCE,
                    reference.published_on,
                )
        except MoneyError as error:
            raise LedgerError(f"{currency}: {translated(error.message)}") from None
    return rates


def conversion_lines(pairs_by_currency, group_currency, rates):
    """[(currency, a, b, amount, converted)]: each open pair balance converted on its own by
    `fx.convert` (no query); `LedgerError` if one is beyond the limit of amounts.

    Converting pair by pair, rather than each member's balance, keeps the pairwise balances in
    step with the members' (a member's balance is the sum of their pairs') and makes each
    currency's converted parts sum to exactly zero by construction: every converted pair adds
    to one member what it takes from the other. Sorted, so the result is deterministic.
    """
    lines = []
    for currency in sorted(pairs_by_currency):
        rate = rates[currency].value
        for (a, b), amount in sorted(pairs_by_currency[currency].items()):
            try:
                converted = fx.convert(amount, currency, group_currency, rate)
            except MoneyError as error:
                raise LedgerError(f"{currency}: {translated(error.message)}") from None
            lines.append((currency, a, b, amount, converted))
    return lines


def converted_balances(balances, lines):
    """Group-currency member balances once `lines` (see `conversion_lines`) are booked."""
    result = dict(balances)
    # As `ConversionLine.effects_of` in the group's currency: a then owes b the converted amount.
    for _, a, b, _, converted in lines:
        result[a] = result.get(a, 0) - converted
        result[b] = result.get(b, 0) + converted
    return {pk: amount for pk, amount in result.items() if amount}


def convert_open_balances(group, *, on_date, actor, typed_rates=None):
    """Books a `BalanceConversion` of every open balance the group keeps in another currency,
    at the rates of `on_date`; None when there is none. Inside `change(group.pk)`: the open
    balances are read under the lock, so two conversions one after the other never convert the
    same balance twice (the second finds nothing open).
    """
    open_pairs = open_currency_pairs([group.pk]).get(group.pk)
    if not open_pairs:
        return None
    rates = day_rates(group, open_pairs, on_date, typed_rates)
    lines = conversion_lines(open_pairs, group.currency, rates)
    return _book_conversion(group, on_date, actor, rates, lines)


def book_conversion(group, *, on_date, actor, rates, lines):
    """Books a `BalanceConversion` with the given lines and rates, as a file recorded it: each
    line [(currency, a, b, amount, converted)] must be its amount by `fx.convert` at its
    currency's rate (`rates`: {currency: DayRate}), between two members of the group.
    Inside `change(group.pk)`. `LedgerError` says which line breaks a rule.
    """
    members = set(group.members.values_list("pk", flat=True))
    if not lines:
        raise LedgerError(gettext("A conversion needs at least one line."))
    for currency, a, b, amount, converted in lines:
        if currency == group.currency or currency not in rates:
            raise LedgerError(
                gettext("%(currency)s: no rate to %(group_currency)s to convert it at.")
                % {"currency": currency, "group_currency": group.currency}
            )
        if a == b or a not in members or b not in members:
            raise LedgerError(
                gettext("%(currency)s: a line must be between two members of the group.")
                % {"currency": currency}
            )
        try:
            rate = fx.check_rate(rates[currency].value)
            expected = fx.convert(amount, currency, group.currency, rate)
        except MoneyError as error:
            raise LedgerError(f"{currency}: {translated(error.message)}") from None
        if converted != expected:
            raise LedgerError(
                gettext("%(amount)s at %(rate)s is %(expected)s, not %(converted)s.")
                % {
                    "amount": localized_amount(amount, currency),
                    "rate": rates[currency].value,
                    "expected": localized_amount(expected, group.currency),
                    "converted": localized_amount(converted, group.currency),
                }
            )
    return _book_conversion(group, on_date, actor, rates, lines)


def _book_conversion(group, on_date, actor, rates, lines):
    conversion = BalanceConversion.objects.create(group=group, date=on_date, created_by=actor)
    ConversionLine.objects.bulk_create(
        ConversionLine(
            conversion=conversion,
            currency=currency,
            rate=rates[currency].value,
            rate_source=rates[currency].source,
            rate_date=rates[currency].published_on,
            member_a_id=a,
            member_b_id=b,
            amount=amount,
            converted=converted,
        )
        for currency, a, b, amount, converted in lines
    )
    apply_all(
        group,
        [
            effect
            for currency, a, b, amount, converted in lines
            for effect in ConversionLine.effects_of(currency, a, b, amount, converted)
        ],
    )
    Activity.record(
        group,
        actor,
        Activity.Verb.BALANCES_CONVERTED,
        gettext_noop(
            "converted the open balances in %(currencies)s to %(currency)s: %(rates)s",
            currencies=", ".join(rates),
            currency=group.currency,
            rates=Joined([rate.phrase for rate in rates.values()], "; "),
        ),
        conversion_id=conversion.pk,
    )
    return conversion
