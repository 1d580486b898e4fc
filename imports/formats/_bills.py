"""What the IHateMoney, Spliit and Cospend parsers share: their files record bills alike.

Each of these apps stores an entry as one payer who paid ``amount`` and owers who each owe
``amount × weight / Σ weights`` (for a reimbursement: who each received that much). None of them
stores the shares: IHateMoney and Cospend compute them in floating point whenever a balance is
shown, Spliit rounds them its own way. We store whole minor units, so `apportion` gives each ower
the floor or the ceiling of the exact share, hands the leftover units to the largest remainders
(ties to the ower listed first; the parser decides that order) and makes the shares add up to
the amount exactly. A balance after import therefore differs from the app's own by less than one
minor unit per entry whose shares are not whole, the group still sums to exactly 0, and the
notices list those entries.

Pure Python, no Django: a file is read, previewed and refused before anything is written.
"""

import csv
import datetime
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from imports.parsed import ImportRefused, ParsedExpense, ParsedGroup, ParsedPayment
from splitclone import fx
from splitclone.money import CURRENCIES, MAX_AMOUNT
from splitclone.phrases import Joined, gettext_noop

# How many entries a notice names before it says "and N more": the preview stays readable for
# a file of 50,000 rows.
LISTED = 20

# What the exporters write: Python's str(float) ("12.5", "1e+16"), PHP's strval(float) ("50",
# "1.0E+15"), integers. No thousands separators, no decimal comma, no spaces.
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
# Far beyond any amount or weight; bounds the exponent before Fraction builds huge integers.
_MAX_EXPONENT = 30
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Bill:
    """One entry as these apps record it; ``amount`` is exact, in minor units, any sign."""

    source: str
    description: str
    date: datetime.date
    payer: str
    amount: Fraction
    # (name, weight) in the order that breaks ties between equal remainders.
    owers: Sequence[tuple[str, Fraction]]
    reimbursement: bool = False
    category: str = ""
    notes: str = ""
    # What was spent in another currency, when ``amount`` is its conversion (Spliit).
    spent: fx.Conversion | None = None


def decode(data: bytes) -> str:
    """Return the file as text: UTF-8, as every one of these apps writes it, BOM or not."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ImportRefused(
            gettext_noop("line %(line)s: the file is not UTF-8 text.", line=line)
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ImportRefused(gettext_noop("The file is empty."))
    return text


def strip_bom(data: bytes) -> bytes:
    """The bytes without a UTF-8 BOM and leading whitespace, for cheap content sniffing."""
    return data.removeprefix(b"\xef\xbb\xbf").lstrip()


def load_json(text: str) -> object:
    """Parse JSON keeping numbers exact: floats become Decimals, as written in the file."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        # An unterminated string runs to the end of the file.
        if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string"):
            raise ImportRefused(
                gettext_noop("The file ends before its JSON is complete: it looks truncated.")
            ) from None
        raise ImportRefused(
            gettext_noop(
                "line %(lineno)s, column %(colno)s: this is not valid JSON (%(msg)s).",
                lineno=error.lineno,
                colno=error.colno,
                msg=error.msg,
            )
        ) from None
    except ValueError:
        # int() refuses more than 4300 digits (sys.get_int_max_str_digits).
        raise ImportRefused(
            gettext_noop("The JSON holds a number too long to be an amount.")
        ) from None
    except RecursionError:
        raise ImportRefused(
            gettext_noop("The JSON is nested too deeply to be an export.")
        ) from None


def _no_constant(name: str) -> object:
    raise ImportRefused(
        gettext_noop("The JSON contains %(name)s, which is not an amount.", name=name)
    )


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (number of the line the row starts on, fields) for each row, blank lines as []."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as error:
        reason = str(error)
        if reason == "unexpected end of data":
            reason = "the file ends inside a quoted field: it looks truncated"
        elif reason.endswith("expected after '\"'"):
            reason = (
                "a quote inside a quoted field is not doubled, so the fields cannot be told "
                "apart; write each quote inside the text twice"
            )
        raise ImportRefused(
            gettext_noop("line %(start)s: %(reason)s.", start=start, reason=reason)
        ) from None


def number(text: str, source: str, what: str) -> Fraction:
    """Read a number as the exporters write it, exactly; refuse anything else."""
    if not _NUMBER.fullmatch(text):
        raise ImportRefused(
            gettext_noop(
                "%(source)s: the %(what)s “%(text)s” is not a number.",
                source=source,
                what=what,
                text=text,
            )
        )
    value = Decimal(text)
    if value and abs(value.adjusted()) > _MAX_EXPONENT:
        raise ImportRefused(
            gettext_noop(
                "%(source)s: the %(what)s “%(text)s” is out of range.",
                source=source,
                what=what,
                text=text,
            )
        )
    return Fraction(value)


def iso_date(text: str, source: str) -> datetime.date:
    """Read a YYYY-MM-DD date; refuse anything else."""
    try:
        if _ISO_DATE.fullmatch(text):
            return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    raise ImportRefused(
        gettext_noop(
            "%(source)s: the date “%(text)s” is not a date like 2024-07-31.",
            source=source,
            text=text,
        )
    )


def minor_units(currency: str) -> int:
    """How many minor units make a major one; 100 when the file names no currency we know.

    The apps that store amounts in major units (IHateMoney, Cospend) keep at most what their
    forms accept, and a currency-less project there is entered with cents.
    """
    return 10 ** CURRENCIES[currency].exponent if currency in CURRENCIES else 100


class NameSplitter:
    """Splits a field of names joined by ``separator``, keeping known names that contain it.

    The exporters join owers' names without escaping, so "Smith, Ann" in an owers field is two
    names unless someone is called exactly that; the longest known name wins. A part that is no
    known name is kept trimmed of the spaces a joiner may have left.
    """

    def __init__(self, separator: str, known: Iterable[str]) -> None:
        self.separator = separator
        self.known = frozenset(known)
        # How many parts a known name can span: usually 1, which keeps a row's split linear.
        mark = separator.strip() or separator
        self.span = max((name.count(mark) for name in self.known), default=0) + 1

    def __call__(self, text: str) -> list[str]:
        if not text:
            return []
        parts = text.split(self.separator)
        names = []
        start = 0
        while start < len(parts):
            for end in range(min(len(parts), start + self.span), start, -1):
                candidate = self.separator.join(parts[start:end])
                if candidate in self.known or (end > start + 1 and candidate.strip() in self.known):
                    names.append(candidate if candidate in self.known else candidate.strip())
                    start = end
                    break
            else:
                names.append(parts[start].strip())
                start += 1
        return names


def apportion(amount: Fraction, weights: Sequence[Fraction]) -> tuple[list[int], bool]:
    """Split ``amount`` in proportion to ``weights`` into whole units adding up to round(amount).

    Each share is the floor or the ceiling of its exact value; the leftover units go to the
    largest remainders, ties to the earliest weight. Also says whether any exact share (or the
    amount itself) was not whole. Weights are >= 0 with a positive sum.
    """
    scale = math.lcm(*(weight.denominator for weight in weights))
    units = [weight.numerator * (scale // weight.denominator) for weight in weights]
    # share_i = amount.numerator × units_i / (amount.denominator × Σ units), in integers.
    divisor = amount.denominator * sum(units)
    shares = []
    remainders = []
    for unit in units:
        share, remainder = divmod(amount.numerator * unit, divisor)
        shares.append(share)
        remainders.append(remainder)
    # Σ floors <= round(amount) <= Σ ceilings, so only owers with a remainder get a unit.
    leftover = round(amount) - sum(shares)
    ranked = sorted(range(len(units)), key=lambda index: -remainders[index])
    for index in ranked[:leftover]:
        shares[index] += 1
    return shares, amount.denominator != 1 or any(remainders)


def listing(sources: Sequence[str]) -> str:
    """Name up to `LISTED` entries, then say how many more there are."""
    named = Joined(sources[:LISTED])
    rest = len(sources) - LISTED
    if rest > 0:
        return gettext_noop("%(named)s and %(rest)s more", named=named, rest=rest)
    return named


class GroupBuilder:
    """Turns bills into a `ParsedGroup`, collecting what it had to repair into notices.

    ``people`` are the names the file declares, in its order; names first met in a bill
    follow.
    """

    def __init__(self, people: Iterable[str] = ()) -> None:
        self.people = dict.fromkeys(people)
        self.expenses: list[ParsedExpense] = []
        self.payments: list[ParsedPayment] = []
        # Notices the format adds while reading, shown before the summaries below.
        self.notices: list[str] = []
        self._rounded: list[str] = []
        self._fractional: list[str] = []
        self._zero: list[str] = []
        self._negative: list[str] = []
        self._to_self: list[str] = []

    def add(self, bill: Bill) -> None:
        if not bill.payer:
            raise ImportRefused(
                gettext_noop("%(source)s: the bill has no payer.", source=bill.source)
            )
        names = [name for name, _ in bill.owers]
        if not names:
            raise ImportRefused(
                gettext_noop("%(source)s: nobody owes a share of it.", source=bill.source)
            )
        if not all(names):
            raise ImportRefused(
                gettext_noop("%(source)s: one of the owers has no name.", source=bill.source)
            )
        twice = next((name for index, name in enumerate(names) if name in names[:index]), None)
        if twice is not None:
            raise ImportRefused(
                gettext_noop(
                    "%(source)s: “%(twice)s” is listed twice among the owers.",
                    source=bill.source,
                    twice=twice,
                )
            )
        weights = [weight for _, weight in bill.owers]
        negative = next((name for name, weight in bill.owers if weight.numerator < 0), None)
        if negative is not None:
            raise ImportRefused(
                gettext_noop(
                    "%(source)s: the share of “%(negative)s” is below 0.",
                    source=bill.source,
                    negative=negative,
                )
            )
        if not any(weights):
            raise ImportRefused(
                gettext_noop("%(source)s: the owers' shares add up to 0.", source=bill.source)
            )
        total = round(bill.amount)
        if abs(total) > MAX_AMOUNT:
            raise ImportRefused(
                gettext_noop("%(source)s: the amount is too large.", source=bill.source)
            )
        for name in [bill.payer, *names]:
            self.people.setdefault(name)
        if total != bill.amount:
            self._rounded.append(bill.source)
        if not total:
            self._zero.append(bill.source)
            return
        shares, fractional = apportion(bill.amount, weights)
        if fractional:
            self._fractional.append(bill.source)
        if total < 0:
            # The owers gave the payer money: the same balances as a bill the other way round,
            # and every app here keeps the amounts of its entries positive that way.
            self._negative.append(bill.source)
            total, shares = -total, [-share for share in shares]
        if bill.reimbursement:
            self._add_payments(bill, names, shares, total)
        else:
            self._add_expense(bill, names, shares, total)

    def _add_expense(self, bill: Bill, names: list[str], shares: list[int], total: int) -> None:
        owed = {name: share for name, share in zip(names, shares, strict=True) if share}
        paid = {bill.payer: total}
        if bill.amount < 0:
            paid, owed = owed, paid
        self.expenses.append(
            ParsedExpense(
                description=bill.description,
                date=bill.date,
                amount=total,
                paid=paid,
                owed=owed,
                category=bill.category,
                notes=bill.notes,
                source=bill.source,
                spent=bill.spent,
            )
        )

    def _add_payments(self, bill: Bill, names: list[str], shares: list[int], total: int) -> None:
        note = f"{bill.description}\n{bill.notes}" if bill.notes else bill.description
        booked = False
        for name, share in zip(names, shares, strict=True):
            if name == bill.payer or not share:
                continue
            sender, receiver = (name, bill.payer) if bill.amount < 0 else (bill.payer, name)
            self.payments.append(
                ParsedPayment(sender, receiver, share, bill.date, note=note, source=bill.source)
            )
            booked = True
        if not booked:
            self._to_self.append(bill.source)

    def group(
        self, *, format: str, currency: str, name: str = "", fraction_note: str
    ) -> ParsedGroup:
        """The parsed group; ``fraction_note`` says, in the source app's terms, what a share of
        a fraction of a cent means for its balances, after the list of such entries."""
        summaries = [
            (
                self._rounded,
                gettext_noop(
                    "Amounts with more decimals than the currency has were rounded to its "
                    "smallest unit: %(entries)s."
                ),
            ),
            (
                self._fractional,
                gettext_noop("Shares of a fraction of a cent in %(entries)s: %(note)s"),
            ),
            (
                self._zero,
                gettext_noop(
                    "Entries of amount 0 change no balance and were left out: %(entries)s."
                ),
            ),
            (
                self._negative,
                gettext_noop(
                    "Entries with a negative amount were imported the other way round (the owers "
                    "paid the payer), which moves the balances exactly as the file does: "
                    "%(entries)s."
                ),
            ),
            (
                self._to_self,
                gettext_noop(
                    "Reimbursements from someone to themselves change no balance and were left "
                    "out: %(entries)s."
                ),
            ),
        ]
        notices = self.notices + [
            gettext_noop(text, entries=listing(sources), note=fraction_note)
            for sources, text in summaries
            if sources
        ]
        return ParsedGroup(
            format=format,
            currency=currency,
            people=list(self.people),
            expenses=self.expenses,
            payments=self.payments,
            name=name,
            notices=notices,
        )
