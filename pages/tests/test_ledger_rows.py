"""The rows of the expense lists, each written in Python (`ExpenseRow`, `PaymentRow`) with its
words translated once per language: the markup the rows' templates wrote, in each language,
whichever language a row was last written in."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from expenses.tests.factories import add_expense
from pages.ledger_list import ledger_page
from settlements.tests.factories import record_payment
from splitclone import fx

pytestmark = pytest.mark.django_db

MARCH_4 = datetime.date(2026, 3, 4)
NBSP = "\xa0"


def line(day, what, detail, amount, side, *, original="", classes="expense-row"):
    return f"""
<li class="{classes}">
  <span class="expense-date">{day}</span>
  <span class="expense-main">
    {what}
    {detail}
  </span>
  <span class="expense-amounts">
    <span class="amount">{amount}</span>
    {original}
    {side}
  </span>
</li>
"""


def viewer_side(balance_class, words):
    return f'\n      <span class="you amount {balance_class}">{words}</span>\n    '


@pytest.fixture
def ledger(world):
    """The world's dinner, an expense spent in dollars, one among the guest alone, one the
    owner and the member paid half each of, and two payments, one with a note."""
    owner, member, guest = world.owner_membership, world.member_membership, world.guest
    dollars = fx.Conversion(2500, "USD", Decimal("0.9"), "entered")
    taxi = fx.convert(2500, "USD", "EUR", Decimal("0.9"))
    add_expense(
        world.group,
        world.owner,
        paid={owner: taxi},
        among=[owner, member],
        description="Taxi <b>",
        date=MARCH_4,
        conversion=dollars,
    )
    add_expense(
        world.group,
        world.owner,
        paid={guest: 999},
        among=[guest],
        description="Guest's own",
        date=MARCH_4,
        category="transport",
    )
    add_expense(
        world.group,
        world.owner,
        paid={member: 600, owner: 600},
        among=[owner, member],
        description="Even",
        date=datetime.date(2025, 12, 31),
        category="no longer offered",
    )
    record_payment(member, owner, 300, date=MARCH_4, note="Thanks <3")
    record_payment(guest, owner, 100, date=MARCH_4)
    return world


def rows(world, viewer, language):
    """The rows as `viewer` reads them in `language`, the first two new."""
    members = list(world.group.members.with_people())
    with translation.override(language):
        page = ledger_page(world.group, viewer, members)
        page.rows[0].is_new = page.rows[1].is_new = True
        return [str(row) for row in page.rows]


def expense_url(world, description):
    expense = world.group.expenses.get(description=description)
    return f"/groups/{world.group.pk}/expenses/{expense.pk}/"


def test_the_rows_read_as_their_templates_wrote_them_in_english(ledger):
    dinner, taxi, own, even = (
        expense_url(ledger, name) for name in ["Dinner", "Taxi <b>", "Guest's own", "Even"]
    )

    assert rows(ledger, ledger.member_membership, "en") == [
        line(
            "1 Nov<br>2026",
            f'<a href="{dinner}"><span class="badge badge-new">new</span> Dinner</a>',
            '<span class="muted">Olivia Owner paid · Food and drink</span>',
            "30.00 EUR",
            viewer_side("owes", "you owe 15.00 EUR"),
        ),
        line(
            "4 Mar<br>2026",
            '<span><span class="badge badge-new">new</span> <span class="badge badge-payment">'
            "Payment</span> Alice paid Olivia Owner</span>",
            "",
            "1.00 EUR",
            '<span class="you muted">not involved</span>',
            classes="expense-row payment-row",
        ),
        line(
            "4 Mar<br>2026",
            '<span><span class="badge badge-payment">Payment</span> Max Member paid Olivia '
            "Owner</span>",
            '<span class="muted">Thanks &lt;3</span>',
            "3.00 EUR",
            '<span class="you">you paid</span>',
            classes="expense-row payment-row",
        ),
        line(
            "4 Mar<br>2026",
            f'<a href="{own}">Guest&#x27;s own</a>',
            '<span class="muted">Alice paid · Transport</span>',
            "9.99 EUR",
            '<span class="you muted">not involved</span>',
        ),
        line(
            "4 Mar<br>2026",
            f'<a href="{taxi}">Taxi &lt;b&gt;</a>',
            '<span class="muted">Olivia Owner paid · Food and drink</span>',
            "22.50 EUR",
            viewer_side("owes", "you owe 11.25 EUR"),
            original='<span class="muted amount">25.00 USD</span>',
        ),
        line(
            "31 Dec<br>2025",
            f'<a href="{even}">Even</a>',
            '<span class="muted">Max Member, Olivia Owner paid · no longer offered</span>',
            "12.00 EUR",
            viewer_side("settled", "you are even"),
        ),
    ]


def test_the_rows_read_in_german_between_two_english_pages(ledger):
    english = rows(ledger, ledger.member_membership, "en")
    german = rows(ledger, ledger.member_membership, "de")

    assert rows(ledger, ledger.member_membership, "en") == english
    dinner, payment, _, _, taxi, even = german
    assert '<span class="badge badge-new">neu</span> Dinner' in dinner
    assert "Olivia Owner hat bezahlt · Essen und Trinken" in dinner
    assert viewer_side("owes", f"du schuldest 15,00{NBSP}€") in dinner
    assert '<span class="badge badge-new">neu</span> <span class="badge badge-payment">' in payment
    assert "Zahlung</span> Alice hat Olivia Owner bezahlt" in payment
    assert '<span class="you muted">nicht beteiligt</span>' in payment
    assert '<span class="expense-date">4 Mär<br>2026</span>' in taxi
    assert f'<span class="amount">22,50{NBSP}€</span>' in taxi
    assert f'<span class="muted amount">25,00{NBSP}$</span>' in taxi
    assert '<span class="expense-date">31 Dez<br>2025</span>' in even
    assert viewer_side("settled", "du bist ausgeglichen") in even


def test_the_payer_and_the_payee_read_their_own_side(ledger):
    owner = rows(ledger, ledger.owner_membership, "en")
    german = rows(ledger, ledger.owner_membership, "de")

    assert viewer_side("owed", "you lent 15.00 EUR") in owner[0]
    assert '<span class="you">you received</span>' in owner[2]
    assert viewer_side("owed", f"du hast 15,00{NBSP}€ geliehen") in german[0]
    assert '<span class="you">du hast erhalten</span>' in german[2]


def test_a_renamed_member_is_named_anew(ledger):
    rows(ledger, ledger.member_membership, "en")
    ledger.owner.display_name = "Olivia <New>"
    ledger.owner.save()

    dinner = rows(ledger, ledger.member_membership, "en")[0]

    assert "Olivia &lt;New&gt; paid · Food and drink" in dinner
