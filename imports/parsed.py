"""What an importer reads from a file, before anything is written (pure: no Django imports).

Every format's parser (`imports.formats.<name>.parse(data: bytes) -> ParsedGroup`) produces this
shape, or raises `ImportRefused` with a message that names the line or entry and the reason. The
preview and the import (through the ledger) work on this shape only, whatever the format.

Money is integer minor units of `ParsedGroup.currency`; a file that names no currency leaves it
empty and gives hundredths (the person importing picks a currency with two decimals). An entry
spent in another currency says so in one of two ways (`in_group_currency` books both):
- its amounts are in that currency (`currency`, where the file keeps them so): they are converted
  at the ECB reference rate of the entry's date;
- its amounts are in the file's currency already, converted by the app that wrote the file, and
  `spent` says what was spent and how it was converted: kept as it is.
People are named exactly as in the file; the preview maps each name to a member (existing, a new
guest, or the importing user).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from expenses.splitting import split_in_proportion
from splitclone import fx
from splitclone.money import Amount, MoneyError
from splitclone.phrases import gettext_noop


class ImportRefused(Exception):
    """The file cannot be imported; ``message``, usually a `Phrase`, is for the person who chose
    it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ParsedExpense:
    description: str
    date: datetime.date
    amount: int
    # Name → minor units; each side sums to `amount`.
    paid: dict[str, int]
    owed: dict[str, int]
    category: str = ""
    notes: str = ""
    # Which entry of the file this came from ("line 12", "bill 7"), for notices and errors.
    source: str = ""
    # How the expense was split and what was typed per name (a percentage, a weight, an amount),
    # where the format keeps them; empty otherwise, and the import books exact amounts.
    split_kind: str = ""
    entered: dict[str, str] = field(default_factory=dict)
    # The entry's id in the file, where the format has one: kept, so that importing the same
    # file into a group twice adds each entry once.
    submission_id: str = ""
    # Deleted in the source but kept there; imported as deleted, so it moves no balance.
    deleted: bool = False
    # The currency of `amount`, `paid` and `owed` when it is not the file's (empty: the file's).
    currency: str = ""
    # What was spent, in another currency, when the amounts are already converted.
    spent: fx.Conversion | None = None
    # `paid` and `owed` are in `spent.original_currency` and add up to its original amount:
    # the entry of a group that converts at settlement, kept in the currency it was spent in.
    shares_in_original: bool = False


@dataclass(frozen=True)
class ParsedPayment:
    sender: str
    receiver: str
    amount: int
    date: datetime.date
    note: str = ""
    source: str = ""
    submission_id: str = ""
    deleted: bool = False
    currency: str = ""
    spent: fx.Conversion | None = None
    shares_in_original: bool = False


@dataclass(frozen=True)
class ConversionLinePart:
    """One line of a conversion of open balances: what `debtor` owed `creditor` in `currency`
    (negative: was owed) and what that became in the group's currency at `rate`."""

    currency: str
    rate: Decimal
    rate_source: str
    rate_date: datetime.date | None
    debtor: str
    creditor: str
    amount: int
    converted: int


@dataclass(frozen=True)
class ParsedConversion:
    """A conversion of a group's open balances in other currencies, as a file recorded it."""

    date: datetime.date
    lines: list[ConversionLinePart]
    source: str = ""


@dataclass(frozen=True)
class Converted:
    """An entry's amounts in the group's currency, and how they came from another one."""

    amount: int
    paid: dict[str, int]
    owed: dict[str, int]
    # None: the entry was in the group's currency.
    conversion: fx.Conversion | None


NOBODY: dict[str, int] = {}


def in_group_currency(entry, file_currency, group_currency):
    """`entry` (a ParsedExpense or ParsedPayment) in minor units of ``group_currency``.

    Amounts in another currency are converted at the ECB reference rate of the entry's date, and
    the payers and shares become parts of the converted amount in the same proportions (as the
    expense form does), so they add up to it exactly. A `spent` conversion is kept as the file
    gives it; `ledger.books.require_conversion` checks it again. ImportRefused, naming the entry,
    when there is no reference rate (a currency the ECB does not publish, a date before its
    first rate) or the conversion overflows.
    """
    # Read, never changed: an entry in the group's currency is passed on without a copy (the
    # import of 50,000 entries goes through here twice).
    paid, owed = getattr(entry, "paid", NOBODY), getattr(entry, "owed", NOBODY)
    currency = entry.currency or file_currency
    if currency == group_currency:
        if getattr(entry, "shares_in_original", False) and paid:
            # Kept in the currency spent: the group-currency parts are those in proportion, as
            # the expense form makes them.
            seed = entry.submission_id or entry.source
            paid = dict(split_in_proportion(entry.amount, paid, seed=seed).shares)
            owed = dict(split_in_proportion(entry.amount, owed, seed=seed).shares)
        return Converted(entry.amount, paid, owed, entry.spent)
    where = entry.source or gettext_noop("the entry of %(date)s", date=entry.date.isoformat())
    try:
        rate, rate_date = fx.rate(currency, group_currency, entry.date)
        amount = fx.convert(entry.amount, currency, group_currency, rate)
        if amount <= 0:
            raise MoneyError(
                gettext_noop(
                    "%(amount)s is less than %(smallest)s converted.",
                    amount=Amount(entry.amount, currency),
                    smallest=Amount(1, group_currency),
                ),
                "small",
            )
    except MoneyError as error:
        # The form's way out, "enter the rate", is no way out of a file.
        if hasattr(error, "reason"):
            message = gettext_noop("%(where)s: %(reason)s.", where=where, reason=error.reason)
        else:
            message = gettext_noop("%(where)s: %(message)s", where=where, message=error.message)
        raise ImportRefused(message) from None
    seed = entry.submission_id or where
    if paid:
        paid = dict(split_in_proportion(amount, paid, seed=seed).shares)
        owed = dict(split_in_proportion(amount, owed, seed=seed).shares)
    conversion = fx.Conversion(entry.amount, currency, rate, "reference", rate_date)
    return Converted(amount, paid, owed, conversion)


@dataclass
class ParsedGroup:
    format: str
    currency: str
    people: list[str]
    expenses: list[ParsedExpense] = field(default_factory=list)
    payments: list[ParsedPayment] = field(default_factory=list)
    name: str = ""
    # The balances the file itself states (Splitwise's "Total balance" row), name → minor units;
    # empty when the format states none. The preview shows them beside the computed balances.
    stated_balances: dict[str, int] = field(default_factory=dict)
    # What the parser repaired or chose, in words for the person importing ("line 7: …").
    notices: list[str] = field(default_factory=list)
    # The group's "convert at" setting where the format keeps it ("entry" or "settlement"),
    # and the conversions a group converting at settlement booked; empty otherwise.
    convert_at: str = ""
    conversions: list[ParsedConversion] = field(default_factory=list)

    def balances(self):
        """Name → balance (paid − owed + sent − received), as the import will book them: in
        the file's currency, entries in others converted (`in_group_currency`)."""
        totals = dict.fromkeys(self.people, 0)
        for expense in self.expenses:
            # One kept in the currency spent moves only that currency's balances, until a
            # conversion (below) brings them into the group's.
            if expense.deleted or expense.shares_in_original:
                continue
            converted = in_group_currency(expense, self.currency, self.currency)
            for name, amount in converted.paid.items():
                totals[name] += amount
            for name, amount in converted.owed.items():
                totals[name] -= amount
        for payment in self.payments:
            if payment.deleted or payment.shares_in_original:
                continue
            amount = in_group_currency(payment, self.currency, self.currency).amount
            totals[payment.sender] += amount
            totals[payment.receiver] -= amount
        for conversion in self.conversions:
            for line in conversion.lines:
                totals[line.debtor] -= line.converted
                totals[line.creditor] += line.converted
        return totals


def distinct_names(names):
    """The names with each repeat made distinct ("Alex", "Alex (2)"), ignoring case.

    People are keyed by name from the file to the preview, and guests' names are unique in a
    group whatever their case, so two people called "Alex" (or "alex") need two names.
    """
    taken = set()
    distinct = []
    for name in names:
        candidate, number = name, 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{name} ({number})"
        taken.add(candidate.casefold())
        distinct.append(candidate)
    return distinct
