"""What an importer reads from a file, before anything is written (pure: no Django imports).

Every format's parser (`imports.formats.<name>.parse(data: bytes) -> ParsedGroup`) produces this
shape, or raises `ImportRefused` with a message that names the line or entry and the reason. The
preview and the import (through the ledger) work on this shape only, whatever the format.

Money is integer minor units of `ParsedGroup.currency`; a file that names no currency leaves it
empty and gives hundredths (the person importing picks a currency with two decimals). People are
named exactly as in the file; the preview maps each name to a member (existing, a new guest, or
the importing user).
"""

import datetime
from dataclasses import dataclass, field


class ImportRefused(Exception):
    """The file cannot be imported; the message is for the person who chose it."""


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

    def balances(self):
        """Name → balance (paid − owed + sent − received), as the import will book them."""
        totals = dict.fromkeys(self.people, 0)
        for expense in self.expenses:
            if expense.deleted:
                continue
            for name, amount in expense.paid.items():
                totals[name] += amount
            for name, amount in expense.owed.items():
                totals[name] -= amount
        for payment in self.payments:
            if payment.deleted:
                continue
            totals[payment.sender] += payment.amount
            totals[payment.receiver] -= payment.amount
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
