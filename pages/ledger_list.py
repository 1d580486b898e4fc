"""A group's expenses and payments as one list, newest first: its own page, and the latest rows
on the group page."""

import datetime
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import NamedTuple

from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from expenses.models import Expense
from expenses.views import NEW_BADGE, ExpenseRow, ledger_line
from groups.access import parse_id
from groups.models import Member
from ledger.models import LedgerRow
from settlements.models import Payment
from splitclone.compiled import CompiledQuery
from splitclone.sentences import filled, per_language

PAGE_SIZE = 25

EXPENSE, PAYMENT = "expense", "payment"
# The order of the kinds within a day, newest first: a payment comes above that day's expenses,
# as it usually settles what they ran up.
RANKS = {EXPENSE: 0, PAYMENT: 1}
# What the lines read of each kind (`ExpenseRow`, `PaymentRow`, `expenses.views.ledger_line`):
# the id and the date first, which place a row in the list.
LINE_COLUMNS = (
    *("id", "date", "amount", "currency", "original_amount", "original_currency"),
    *("rate_source", "settles_in_original"),
)
COLUMNS = {
    EXPENSE: (*LINE_COLUMNS, "group_id", "description", "category"),
    PAYMENT: (*LINE_COLUMNS, "from_member_id", "to_member_id", "note"),
}


@dataclass(frozen=True)
class Position:
    """Where a row stands in the list. The list is ordered by (date, kind, id), newest first,
    so a page ends at a position and the next one starts below it: no COUNT, no OFFSET scan."""

    date: datetime.date
    kind: str
    id: int

    @classmethod
    def parse(cls, text):
        """The position written by `str`; one this list never wrote answers 404, like a wrong id."""
        parts = text.split("_")
        if len(parts) != 3 or parts[1] not in RANKS:
            raise Http404("No such page.")
        date_text, kind, id_text = parts
        try:
            date = datetime.date.fromisoformat(date_text)
        except ValueError:
            raise Http404("No such page.") from None
        return cls(date, kind, parse_id(id_text))

    def __str__(self):
        return f"{self.date.isoformat()}_{self.kind}_{self.id}"

    def below(self, rows, kind):
        """The `rows` (a queryset of expenses or payments, as `kind` says) listed after this."""
        rows = rows.filter(date__lte=self.date)
        if RANKS[kind] > RANKS[self.kind]:
            return rows.exclude(date=self.date)
        if RANKS[kind] == RANKS[self.kind]:
            return rows.exclude(date=self.date, id__gte=self.id)
        return rows


PAYMENT_WHAT = '<span>%(new)s<span class="badge badge-payment">%(payment)s</span> %(words)s</span>'
PAYMENT_NOTE = '<span class="muted">%(note)s</span>'


@per_language
def payment_words():
    """What every payment line says, in the active language."""
    return {
        "paid": format_html('<span class="you">{}</span>', gettext("you paid")),
        "received": format_html('<span class="you">{}</span>', gettext("you received")),
        "not involved": format_html('<span class="you muted">{}</span>', gettext("not involved")),
        "new": format_html(NEW_BADGE, gettext("new")),
        "payment": gettext("Payment"),
        "payer paid payee": gettext("%(payer)s paid %(payee)s"),
    }


class PaymentRow:
    """A payment as one line of the list, from the viewer's side, its people named from
    `names` ({member id: display name}), in the active `language` (read once for the list).

    It writes its own markup (`__html__`, which `{{ row }}` renders) with the filters and
    messages its template used, translated once per language: through that template, a line
    took nearly twice as long."""

    def __init__(self, payment, membership, names, language):
        self.payment = payment
        self.language = language
        self.payer_name = names[payment.from_member_id]
        self.payee_name = names[payment.to_member_id]
        self.viewer_paid = payment.from_member_id == membership.pk
        self.viewer_received = payment.to_member_id == membership.pk
        self.is_new = False

    def __html__(self):
        payment, words = self.payment, payment_words.in_language(self.language)
        if self.viewer_paid:
            side = words["paid"]
        elif self.viewer_received:
            side = words["received"]
        else:
            side = words["not involved"]
        return ledger_line(
            payment,
            self.language,
            classes="expense-row payment-row",
            what=filled(
                PAYMENT_WHAT,
                new=words["new"] if self.is_new else "",
                payment=words["payment"],
                words=filled(
                    words["payer paid payee"], payer=self.payer_name, payee=self.payee_name
                ),
            ),
            detail=filled(PAYMENT_NOTE, note=payment.note) if payment.note else "",
            side=side,
        )

    # `{{ row }}` writes str(row), as for a form's field.
    __str__ = __html__


class Shown:
    """An expense or a payment as its line reads it: the values of its kind's `COLUMNS`, with
    `LedgerRow`'s properties over them. A model instance of every column of each row read
    cost more than writing the row's line."""

    def __init__(self, kind, values):
        self.__dict__.update(zip(COLUMNS[kind], values, strict=True))
        self.pk = self.id

    ledger_currency = LedgerRow.ledger_currency
    shares_currency = LedgerRow.shares_currency
    is_converted = LedgerRow.is_converted
    original_display = LedgerRow.original_display


class Person(NamedTuple):
    """A member as the list's filters and rows name them."""

    pk: int
    display_name: str


# Every member of a group with the name they go by (`Member.display_name`: their account's,
# else their own), in the order `with_people()` lists them: what the list page reads of its
# members, without a model instance for each member and one for their account.
PEOPLE = CompiledQuery(
    lambda slot: (
        Member.objects.filter(group_id=slot.group_id)
        .with_people()
        .values_list("id", Coalesce("user__display_name", "name"))
    ),
    group_id=int,
)


def people(group):
    """The group's members as `Person`s, for `LedgerFilterForm` and `ledger_page`."""
    return [Person(*row) for row in PEOPLE(group_id=group.pk)]


class LedgerPage(NamedTuple):
    rows: list
    # Where the next page starts, or None on the last page.
    next_position: Position | None


def ledger_page(group, membership, members, filters=None, after=None, size=PAGE_SIZE):
    """A page of the group's live expenses and payments that `filters` (a `LedgerFilterForm`)
    keep, starting below the position `after`. `members` are all the group's members (or their
    `Person`s), which the page has loaded anyway: the rows take their people's names from them
    instead of joining them again.

    Each kind is read by its own keyset query of at most `size + 1` rows, and the two are
    merged here; only the expenses the page shows have their payers and shares read. Four
    queries whatever the page holds: the expenses, the payments, the shown expenses' payers and
    their shares (fewer when a kind is filtered out or none of its rows is shown).
    """
    names = {member.pk: member.display_name for member in members}
    if after is None and (filters is None or not filters.is_filtering):
        found = {kind: latest_rows(kind, size)(group_id=group.pk) for kind in RANKS}
    else:
        kinds = {EXPENSE: group.expenses.live(), PAYMENT: group.payments.live()}
        if filters is not None:
            kinds = {
                EXPENSE: filters.expenses(kinds[EXPENSE]),
                PAYMENT: filters.payments(kinds[PAYMENT]),
            }
        found = {
            kind: (rows if after is None else after.below(rows, kind))
            .order_by("-date", "-id")
            .values_list(*COLUMNS[kind])[: size + 1]
            for kind, rows in kinds.items()
            if rows is not None
        }
    # Each row by its place in the list (see `Position`), from its id and date.
    entries = sorted(
        (
            ((values[1], RANKS[kind], values[0]), kind, values)
            for kind, rows in found.items()
            for values in rows
        ),
        key=itemgetter(0),
        reverse=True,
    )
    next_position = None
    if len(entries) > size:
        (date, _, id_), kind, _ = entries[size - 1]
        next_position = Position(date, kind, id_)
    shown = [(kind, Shown(kind, values)) for _, kind, values in entries[:size]]
    expenses = [row for kind, row in shown if kind == EXPENSE]
    language = get_language()
    lines = {
        line.expense.pk: line for line in ExpenseRow.lines(expenses, membership, names, language)
    }
    return LedgerPage(
        [
            lines[row.pk] if kind == EXPENSE else PaymentRow(row, membership, names, language)
            for kind, row in shown
        ],
        next_position,
    )


@cache
def latest_rows(kind, size):
    """The first page's query of a kind, unfiltered: what the group page and the list show
    first, compiled once (`splitclone.compiled`)."""
    model = Expense if kind == EXPENSE else Payment
    return CompiledQuery(
        lambda slot: (
            model.objects.live()
            .filter(group_id=slot.group_id)
            .order_by("-date", "-id")
            .values_list(*COLUMNS[kind])[: size + 1]
        ),
        group_id=int,
    )


def ledger_rows(group, membership, members, limit):
    """The first `limit` rows of the list, and whether there are more: for the group page."""
    page = ledger_page(group, membership, members, size=limit)
    return page.rows, page.next_position is not None
