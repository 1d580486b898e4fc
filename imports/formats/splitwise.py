"""Splitwise's "Export as spreadsheet" CSV (pure: no Django imports).

The file has one column per member, and each entry's value in it is what that member paid
minus their share. It never says who paid or how an expense was split, so both are rebuilt
from these values, which are taken as the truth: each member's balance is the sum of their
column, to the cent, and must equal the "Total balance" line(s) the file ends with.

How an entry is rebuilt from its values (positive: the member is owed by the others):
- A payment (category "Payment", in Splitwise's languages) with one positive and one
  negative value: the positive member paid the negative one.
- An expense with one positive value: that member paid the whole cost; each negative member's
  share is their value, and the payer's own share is what is left of the cost.
- An expense with several positive values: each of them paid their value and each negative
  member owes theirs. The file cannot say how the payers' own shares divided the rest of the
  cost, so the expense is booked for what moved between people, with a notice.
- All values zero: someone paid only for themselves; nothing moves and the payer cannot be
  known, so the entry is left out, with a notice.

What is refused, naming the line: a header that is not Splitwise's, a member column without a
name, a line with more or fewer values than the header, a date or amount that cannot be read
exactly, values that do not add up to 0 by more than one minor unit, a "Total balance" line
that disagrees with the columns of its currency, and a file without one (it was cut short).
Values that add up to one minor unit off 0 are repaired, with a notice: the largest value on the
side that is over loses the unit.

A file with entries in several currencies (Splitwise keeps each entry in its own and states one
"Total balance" line per currency) is read in the currency of most of its entries; the others
keep theirs, and the import converts them at the ECB reference rate of their date
(`imports.parsed.in_group_currency`), with a notice.
"""

import csv
import datetime
import io
import re
import unicodedata
from collections import Counter

from imports.parsed import ImportRefused, ParsedExpense, ParsedGroup, ParsedPayment
from splitclone.money import CURRENCIES, Amount, format_amount
from splitclone.phrases import Joined, gettext_noop, ngettext

FORMAT = "splitwise"
FIXED_COLUMNS = 5

# The first five header cells in the languages Splitwise writes them in: English, Spanish,
# French, German, Indonesian, Italian, Japanese, Dutch, Polish, Portuguese, Swedish and Thai.
HEADER_LABELS = (
    {"date", "fecha", "datum", "tanggal", "data", "日付", "วันที่"},
    {
        "description",
        "descripción",
        "beschreibung",
        "keterangan",
        "descrizione",
        "概要",
        "omschrijving",
        "opis",
        "descrição",
        "beskrivning",
        "คำอธิบาย",
    },
    {
        "category",
        "categoría",
        "catégorie",
        "kategorie",
        "kategori",
        "categorie",
        "categoria",
        "カテゴリ",
        "kategoria",
        "หมวดหมู่",
    },
    {
        "cost",
        "coste",
        "coût",
        "kosten",
        "biaya",
        "costo",
        "費用",
        "koszt",
        "custo",
        "kostnad",
        "ราคา",
    },
    {
        "currency",
        "moneda",
        "devise",
        "währung",
        "mata uang",
        "valuta",
        "通貨",
        "waluta",
        "moeda",
        "สกุลเงิน",
    },
)
# The category of a payment between members. Only the English and German labels are seen in
# real exports; the others are Splitwise's translations of the word. A label missed here only
# makes a payment come in as an expense one person paid for another: the balances are the same.
PAYMENT_CATEGORIES = {
    "payment",
    "zahlung",
    "pago",
    "paiement",
    "pagamento",
    "betaling",
    "płatność",
    "betalning",
    "pembayaran",
    "支払い",
    "การชำระเงิน",
}
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
AMOUNT = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
# Lines named in one notice about lines left out, before "and N more".
LISTED_LINES = 10

INTRODUCTION = gettext_noop(
    "Splitwise's file gives, for each entry, how much it changed each person's balance, not "
    "who paid or how it was split. Payers and shares are rebuilt from those changes, which keeps "
    "every balance as the file states it; where one person paid, the expense keeps its full "
    "cost and that person's own share."
)


def label(cell):
    return unicodedata.normalize("NFC", cell).strip().casefold()


def is_header(cells):
    """Whether a CSV line is the header of a Splitwise export, in any of its languages."""
    return len(cells) > FIXED_COLUMNS and all(
        label(cell) in labels for cell, labels in zip(cells, HEADER_LABELS, strict=False)
    )


def decode(data):
    """The file's text, without a byte-order mark; refused if it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRefused(
            gettext_noop(
                "Line %(line)s is not UTF-8 text. Splitwise writes UTF-8: export the file again "
                "rather than saving it from a spreadsheet in another encoding.",
                line=line,
            )
        ) from None


def lines(text):
    """(line number, cells) for every line with something in it; blank separators left out.

    A separator is an empty line or a line of empty fields (",,,,"): exports have both. The
    number is the line a record starts on, which a quoted field with line breaks spans past.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield start, cells
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportRefused(
            gettext_noop(
                "Line %(start)s cannot be read as CSV (%(error)s); the file may be cut short.",
                start=start,
                error=error,
            )
        ) from None


def to_minor(text, exponent):
    """Minor units of an amount written like 12.50 (no separators, no sign but "-"), or None.

    Digits past the currency's decimals are accepted only when they are zeros (JPY "1500.00").
    """
    match = AMOUNT.fullmatch(text)
    if match is None:
        return None
    sign, whole, fraction = match.groups()
    fraction = fraction or ""
    if fraction[exponent:].strip("0"):
        return None
    value = int(whole) * 10**exponent + int(fraction[:exponent].ljust(exponent, "0") or "0")
    return -value if sign else value


class Entry:
    """One entry line, as read before the currency of the file is known."""

    __slots__ = ("category", "cost", "currency", "date", "description", "line", "values")

    def __init__(self, line, cells):
        self.line = line
        self.date, self.description, self.category, self.cost, self.currency = cells[:5]
        self.values = cells[FIXED_COLUMNS:]


def parse(data: bytes) -> ParsedGroup:
    records = lines(decode(data))
    try:
        header_line, header = next(records)
    except StopIteration:
        raise ImportRefused(gettext_noop("The file is empty.")) from None
    if not is_header(header):
        raise ImportRefused(
            gettext_noop(
                "This is not a Splitwise export: its first line should start with "
                "Date,Description,Category,Cost,Currency (in any of Splitwise's languages), "
                "followed by one column per person."
            )
        )
    people = read_people(header_line, header)
    entries, totals = [], []
    for line, cells in records:
        if len(cells) != len(header):
            raise ImportRefused(
                gettext_noop(
                    "Line %(line)s has %(values)s values but the header has "
                    "%(columns)s columns; the file may be cut short or edited.",
                    line=line,
                    values=len(cells),
                    columns=len(header),
                )
            )
        # The "Total balance" lines leave Category and Cost blank; every entry has both.
        if not cells[2].strip() and not cells[3].strip():
            totals.append((line, cells))
        else:
            entries.append(Entry(line, cells))
    if not totals:
        raise ImportRefused(
            gettext_noop(
                "The file ends without Splitwise's “Total balance” line, so it may be cut short. "
                "Export it again from Splitwise."
            )
        )
    currency, others = file_currencies(entries, totals)
    group = ParsedGroup(format=FORMAT, currency=currency, people=people)
    findings = Findings(currency)
    column_sums = {code: dict.fromkeys(people, 0) for code in [currency, *others]}
    for entry in entries:
        entry.currency = entry.currency.strip()
        values = read_values(entry, people)
        for name, value in values.items():
            column_sums[entry.currency][name] += value
        values = balance_row(entry, values, findings)
        nonzero = {name: value for name, value in values.items() if value}
        if nonzero:
            rebuild(entry, nonzero, group, findings, currency)
        else:
            findings.left_out.append(entry)
    stated = check_totals(totals, column_sums, people)
    # The file states each currency's balances apart; converted, they add up to no stated line.
    group.stated_balances = {} if others else stated
    group.notices = [INTRODUCTION, *findings.notices()]
    if others:
        group.notices.append(converted_notice(entries, currency, others))
    return group


def read_people(line, header):
    people = header[FIXED_COLUMNS:]
    for column, name in enumerate(people, start=FIXED_COLUMNS + 1):
        if not name.strip():
            raise ImportRefused(
                gettext_noop(
                    "Line %(line)s, column %(column)s: a person's column has no name.",
                    line=line,
                    column=column,
                )
            )
    repeated = [name for name, count in Counter(people).items() if count > 1]
    if repeated:
        raise ImportRefused(
            gettext_noop(
                "Line %(line)s: two columns are named “%(repeated)s”, so their entries cannot be "
                "told apart.",
                line=line,
                repeated=repeated[0],
            )
        )
    return people


def file_currencies(entries, totals):
    """The currency of most entries (the first seen on a tie), and the others, in file order.

    A file without entries takes its totals' currency."""
    counts = Counter(entry.currency.strip() for entry in entries)
    if not counts:
        counts = Counter(cells[4].strip() for _, cells in totals)
    for code in counts:
        if code not in CURRENCIES:
            line = next(
                (entry.line for entry in entries if entry.currency.strip() == code),
                next((line for line, cells in totals if cells[4].strip() == code), None),
            )
            raise ImportRefused(
                gettext_noop(
                    "Line %(line)s: “%(code)s” is not a currency code we know.",
                    line=line,
                    code=code,
                )
            )
    main = max(counts, key=lambda code: counts[code])
    return main, [code for code in counts if code != main]


def converted_notice(entries, currency, others):
    counts = Counter(entry.currency for entry in entries)
    listed = Joined(
        [gettext_noop("%(count)s in %(code)s", count=counts[code], code=code) for code in others]
    )
    return gettext_noop(
        "The file has entries in several currencies: the group keeps its books in "
        "%(currency)s, and the entries in other currencies (%(listed)s) are converted to "
        "%(currency)s at the ECB reference rate of their date, keeping what was spent. The "
        "balances below are in %(currency)s; the file's Total balance lines, one per currency, "
        "were checked against their entries.",
        currency=currency,
        listed=listed,
    )


def amount_error(line, what, text, currency):
    example = format_amount(123450, currency, with_code=False, grouping=False)
    return ImportRefused(
        gettext_noop(
            "Line %(line)s: %(what)s is “%(text)s”, which is not an amount written like "
            "%(example)s.",
            line=line,
            what=what,
            text=text,
            example=example,
        )
    )


def read_values(entry, people):
    """Each person's value on the line, in its currency; its date and cost are read in place."""
    currency = entry.currency
    exponent = CURRENCIES[currency].exponent
    if not DATE.fullmatch(entry.date):
        raise ImportRefused(
            gettext_noop(
                "Line %(line)s: “%(date)s” is not a date like 2024-03-31.",
                line=entry.line,
                date=entry.date,
            )
        )
    try:
        entry.date = datetime.date.fromisoformat(entry.date)
    except ValueError:
        raise ImportRefused(
            gettext_noop(
                "Line %(line)s: “%(date)s” is not a date.", line=entry.line, date=entry.date
            )
        ) from None
    cost = to_minor(entry.cost.strip(), exponent)
    if cost is None or cost < 0:
        raise amount_error(entry.line, gettext_noop("the cost"), entry.cost, currency)
    entry.cost = cost
    values = {}
    for name, text in zip(people, entry.values, strict=True):
        value = to_minor(text.strip(), exponent)
        if value is None:
            raise amount_error(
                entry.line, gettext_noop("%(name)s's value", name=name), text, currency
            )
        values[name] = value
    return values


def balance_row(entry, values, findings):
    """The values, repaired if they add up to one minor unit off 0; refused if further off."""
    currency = entry.currency
    total = sum(values.values())
    if total == 0:
        return values
    if abs(total) > 1:
        raise ImportRefused(
            gettext_noop(
                "Line %(line)s (“%(description)s”): the people's values add up to %(amount)s "
                "instead of 0, so the line does not say who owes whom.",
                line=entry.line,
                description=entry.description,
                amount=Amount(total, currency),
            )
        )
    # The largest value on the side that is one unit over gives it up: the smallest change
    # relative to what that person paid or owes.
    side = [name for name, value in values.items() if value * total > 0]
    name = max(side, key=lambda each: abs(values[each]))
    repaired = dict(values)
    repaired[name] -= total
    findings.repaired.append((entry, name, values[name], repaired[name]))
    return repaired


def rebuild(entry, values, group, findings, file_currency):
    # Entries in the file's currency leave theirs unsaid (ParsedExpense.currency).
    currency = "" if entry.currency == file_currency else entry.currency
    positive = {name: value for name, value in values.items() if value > 0}
    negative = {name: -value for name, value in values.items() if value < 0}
    moved = sum(positive.values())
    source = gettext_noop("line %(line)s", line=entry.line)
    if label(entry.category) in PAYMENT_CATEGORIES:
        if len(positive) == 1 and len(negative) == 1:
            (sender,), (receiver,) = positive, negative
            group.payments.append(
                ParsedPayment(
                    sender=sender,
                    receiver=receiver,
                    amount=moved,
                    date=entry.date,
                    note=entry.description,
                    source=source,
                    currency=currency,
                )
            )
            return
        findings.odd_payments.append(entry)
    paid, owed, amount = positive, negative, moved
    if len(positive) == 1 and entry.cost > moved:
        (payer,) = positive
        amount = entry.cost
        paid, owed = {payer: amount}, {**negative, payer: amount - moved}
    elif entry.cost > moved:
        findings.several_payers.append((entry, moved))
    elif entry.cost < moved:
        findings.overstated.append((entry, moved))
    group.expenses.append(
        ParsedExpense(
            description=entry.description,
            date=entry.date,
            amount=amount,
            paid=paid,
            owed=owed,
            category=entry.category,
            source=source,
            currency=currency,
        )
    )


def check_totals(totals, column_sums, people):
    """The balances the "Total balance" lines state, each checked against the columns of its
    currency: {currency: {name: balance}} gives the file currency's first."""
    stated = {}
    for line, cells in totals:
        code = cells[4].strip()
        if code not in CURRENCIES:
            raise ImportRefused(
                gettext_noop(
                    "Line %(line)s: “%(code)s” is not a currency code we know.",
                    line=line,
                    code=code,
                )
            )
        values = {}
        for name, text in zip(people, cells[FIXED_COLUMNS:], strict=True):
            value = to_minor(text.strip(), CURRENCIES[code].exponent)
            if value is None:
                raise amount_error(line, gettext_noop("%(name)s's total", name=name), text, code)
            values[name] = value
        if code not in column_sums:
            if any(values.values()):
                raise ImportRefused(
                    gettext_noop(
                        "Line %(line)s gives balances in %(code)s, but the file has no entries "
                        "in %(code)s. It was changed after it was exported, or is incomplete.",
                        line=line,
                        code=code,
                    )
                )
            continue
        for name in people:
            if values[name] != column_sums[code][name]:
                raise ImportRefused(
                    gettext_noop(
                        "Line %(line)s (the Total balance) gives %(name)s %(amount)s, but "
                        "%(name)s's entries add up to %(amount2)s. The file was changed after it "
                        "was exported, or is incomplete.",
                        line=line,
                        name=name,
                        amount=Amount(values[name], code),
                        amount2=Amount(column_sums[code][name], code),
                    )
                )
        stated[code] = values
    first = next(iter(column_sums))
    return stated.get(first, {})


class Findings:
    """What the parser repaired or chose, by kind: one notice per kind, however many lines."""

    def __init__(self, currency):
        self.currency = currency
        # (entry, name, value in the file, value read)
        self.repaired = []
        # (entry, amount that moved between people)
        self.several_payers = []
        self.overstated = []
        self.odd_payments = []
        self.left_out = []

    def money(self, minor, currency=None):
        return Amount(minor, currency or self.currency)

    def notices(self):
        notices = []
        if self.repaired:
            notices.append(self.repaired_notice())
        if self.several_payers:
            notices.append(
                ngettext(
                    "One expense had several payers who also had a share, and the file does not "
                    "say how their shares divided the rest of the cost, so it was imported for "
                    "what moved between people, which keeps every balance exact: %(entries)s.",
                    "%(count)s expenses had several payers who also had a share, and the file "
                    "does not say how their shares divided the rest of the cost, so they were "
                    "imported for what moved between people, which keeps every balance exact: "
                    "%(entries)s.",
                    len(self.several_payers),
                    entries=listing(self.several_payers, self.cost_and_moved),
                )
            )
        if self.overstated:
            notices.append(
                ngettext(
                    "One expense cost less than the values say was paid, so it was imported for "
                    "what the values say, which keeps every balance exact: %(entries)s.",
                    "%(count)s expenses cost less than the values say was paid, so they were "
                    "imported for what the values say, which keeps every balance exact: "
                    "%(entries)s.",
                    len(self.overstated),
                    entries=listing(self.overstated, self.cost_and_moved),
                )
            )
        if self.odd_payments:
            notices.append(
                ngettext(
                    "One line marked as a payment moved money between more than two people, so "
                    "it was imported as an expense: %(entries)s.",
                    "%(count)s lines marked as a payment moved money between more than two "
                    "people, so they were imported as expenses: %(entries)s.",
                    len(self.odd_payments),
                    entries=listing(self.odd_payments, quoted),
                )
            )
        if self.left_out:
            notices.append(
                ngettext(
                    "One entry changed nobody's balance (someone paid only for themselves) and "
                    "the file does not say who paid, so it was left out: %(entries)s.",
                    "%(count)s entries changed nobody's balance (someone paid only for "
                    "themselves) and the file does not say who paid, so they were left out: "
                    "%(entries)s.",
                    len(self.left_out),
                    entries=listing(self.left_out, quoted),
                )
            )
        return notices

    def cost_and_moved(self, item):
        entry, moved = item
        return gettext_noop(
            "%(entry)s, %(cost)s imported as %(moved)s",
            entry=quoted(entry),
            cost=self.money(entry.cost, entry.currency),
            moved=self.money(moved, entry.currency),
        )

    def repaired_notice(self):
        def describe(item):
            entry, name, before, after = item
            return gettext_noop(
                "%(entry)s, %(name)s's %(before)s read as %(after)s",
                entry=quoted(entry),
                name=name,
                before=self.money(before, entry.currency),
                after=self.money(after, entry.currency),
            )

        shifts = Counter()
        for entry, name, before, after in self.repaired:
            shifts[name, entry.currency] += after - before
        effects = [
            gettext_noop(
                "%(name)s's balance ends %(amount)s below the file's Total balance",
                name=name,
                amount=self.money(-shift, currency),
            )
            if shift < 0
            else gettext_noop(
                "%(name)s's balance ends %(amount)s above the file's Total balance",
                name=name,
                amount=self.money(shift, currency),
            )
            for (name, currency), shift in shifts.items()
            if shift
        ]
        return ngettext(
            "The values of one line add up to %(unit)s more or less than 0, so the largest value "
            "on the side that was over gave up %(unit)s: %(entries)s. So %(outcome)s.",
            "The values of %(count)s lines add up to %(unit)s more or less than 0, so on each "
            "the largest value on the side that was over gave up %(unit)s: %(entries)s. So "
            "%(outcome)s.",
            len(self.repaired),
            unit=self.money(1),
            entries=listing(self.repaired, describe),
            outcome=Joined(effects, "; ")
            if effects
            else gettext_noop("every balance still matches the file"),
        )


def quoted(item):
    entry = item[0] if isinstance(item, tuple) else item
    return gettext_noop(
        "line %(line)s (“%(description)s”)", line=entry.line, description=entry.description
    )


def listing(items, describe):
    """The first `LISTED_LINES` items described, then how many more there are."""
    listed = [describe(item) for item in items[:LISTED_LINES]]
    if len(items) > LISTED_LINES:
        listed.append(gettext_noop("and %(count)s more", count=len(items) - LISTED_LINES))
    return Joined(listed, "; ")
