"""What a pairwise balance is made of: the expenses, payments and conversions behind what one
member owes another, exactly.

Each live ledger entry both members are in moves their pair balance by a whole number of minor
units (`LedgerEntry.pair_lines`), and the kept `PairBalance` (or `CurrencyPairBalance`) is the
sum of those moves. Listed in the order they happened, the lines add up to the balance to the
last cent. A long history is cut where the pair last stood at zero, since everything before
adds up to nothing, and past `MOST_RECENT` lines the older ones are summed into one. Used by
the "What this covers" page of settle-up and who-owes-whom.
"""

import dataclasses
from dataclasses import dataclass

from ledger.books import DayRate, LedgerError, conversion_lines, day_rates
from ledger.effects import since_last_zero
from ledger.models import PairLine, ledger_models

# A pair that shares thousands of expenses and never comes back to zero still gets a page that
# reads: the most recent lines, and the rest as one sum.
MOST_RECENT = 100


@dataclass(frozen=True)
class CurrencyCover:
    """The lines behind a pair's balance in one currency, from the viewpoint of the member
    who owes (a positive amount: they owe more)."""

    currency: str
    lines: list[PairLine]
    # What the older history that is not listed adds up to: zero when it ends where the pair
    # was at zero (`settled_on` says when), else the sum of the lines past `MOST_RECENT`.
    earlier_count: int
    earlier_amount: int
    settled_on: object  # datetime.date | None
    balance: int
    # For a currency other than the group's: its balance at the day's rate (None when the
    # rate is not known) and that rate.
    converted: int | None = None
    rate: DayRate | None = None

    @property
    def outstanding(self):
        """The balance without its sign: in one currency the pair's debt can run the other way
        than in all of them together, and a page says so with the names swapped."""
        return abs(self.balance)


@dataclass(frozen=True)
class PairCovers:
    """Everything behind what `owes` owes `owed` (member ids), currency by currency (the
    group's first), and the total in the group's currency that settle-up suggests paying."""

    owes: int
    owed: int
    currencies: list[CurrencyCover]
    # None while a currency's rate is missing; `problem` then says which.
    total: int | None
    problem: str = ""

    @property
    def settled(self):
        return not any(cover.balance for cover in self.currencies)


def pair_covers(group, owes, owed, *, on_date):
    """`PairCovers` for what member `owes` owes member `owed` (ids of two members of `group`),
    with the balances in other currencies converted at the rates of `on_date` as settle-up does
    (pair by pair, `ledger.books.conversion_lines`). A constant number of queries."""
    first, second = sorted((owes, owed))
    sign = 1 if owes == first else -1
    by_currency = {}
    for model in ledger_models():
        for line in model.pair_lines(group, first, second):
            if line.amount:
                flipped = dataclasses.replace(line, amount=sign * line.amount)
                by_currency.setdefault(line.currency or group.currency, []).append(flipped)
    covers = []
    for currency in sorted(by_currency, key=lambda code: (code != group.currency, code)):
        lines = sorted(by_currency[currency], key=lambda line: (line.date, line.created_at))
        cover = _cover(currency, lines)
        if cover.balance or cover.currency == group.currency:
            covers.append(cover)
    if not covers or covers[0].currency != group.currency:
        covers.insert(0, CurrencyCover(group.currency, [], 0, 0, None, 0))
    foreign = {cover.currency: cover.balance for cover in covers[1:]}
    if not foreign:
        return PairCovers(owes, owed, covers, covers[0].balance)
    try:
        rates = day_rates(group, foreign, on_date)
    except LedgerError as error:
        return PairCovers(owes, owed, covers, None, error.message)
    # As settle-up converts it: the pair in its stored order, then seen from `owes`.
    converted = {
        currency: sign * amount
        for currency, _, _, _, amount in conversion_lines(
            {currency: {(first, second): sign * balance} for currency, balance in foreign.items()},
            group.currency,
            rates,
        )
    }
    covers[1:] = [
        dataclasses.replace(cover, converted=converted[cover.currency], rate=rates[cover.currency])
        for cover in covers[1:]
    ]
    return PairCovers(owes, owed, covers, covers[0].balance + sum(converted.values()))


def _cover(currency, lines):
    amounts = [line.amount for line in lines]
    start = since_last_zero(amounts)
    settled_on = lines[start - 1].date if start else None
    shown_from = max(start, len(lines) - MOST_RECENT)
    return CurrencyCover(
        currency,
        lines[shown_from:],
        shown_from - start,
        sum(amounts[start:shown_from]),
        settled_on,
        sum(amounts),
    )
