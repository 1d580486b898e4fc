import datetime
import math
import re

import pytest
from django.urls import reverse

from expenses.tests.factories import add_expense
from expenses.views import ExpenseRow
from groups.tests.factories import GuestFactory
from pages.forms import LedgerFilterForm
from pages.ledger_list import PAGE_SIZE, ledger_page, ledger_rows
from pages.views import GROUP_PAGE_ROWS
from settlements.tests.factories import record_payment

HTMX = {"HX-Request": "true"}


def day(number):
    return datetime.date(2026, 10, number)


def ledger_url(world):
    return reverse("pages:ledger", args=[world.group.pk])


def described(rows):
    """Each row as the test reads it: an expense by its description, a payment by its note."""
    return [
        row.payment.note if hasattr(row, "payment") else row.expense.description for row in rows
    ]


def members(world):
    """All the group's members, with their users, as the pages load them."""
    return list(world.group.members.with_people())


def spend(world, description, date, **fields):
    return add_expense(
        world.group,
        world.owner,
        paid={world.owner_membership: 1200},
        among=[world.owner_membership, world.member_membership],
        description=description,
        date=date,
        **fields,
    )


def pay(world, note, date, sender=None, receiver=None):
    return record_payment(
        sender or world.member_membership,
        receiver or world.owner_membership,
        300,
        date=date,
        note=note,
    )


def test_payments_are_listed_among_expenses_newest_first(client, world):
    spend(world, "Taxi", day(3))
    pay(world, "Paid back for the taxi", day(3))
    pay(world, "Older payment", day(2))
    spend(world, "Museum", day(4))
    client.force_login(world.member)

    response = client.get(ledger_url(world))

    assert response.status_code == 200
    # Within a day the payment comes first; the world's own dinner is dated November.
    assert described(response.context["rows"]) == [
        "Dinner",
        "Museum",
        "Paid back for the taxi",
        "Taxi",
        "Older payment",
    ]
    assert response.text.count(">Payment</span> Max Member paid Olivia Owner") == 2
    assert response.text.count("you paid") == 2


@pytest.mark.parametrize(
    ("show", "expected"),
    [
        ("", ["Dinner", "Refund", "Taxi"]),
        ("expenses", ["Dinner", "Taxi"]),
        ("payments", ["Refund"]),
    ],
)
def test_show_everything_expenses_or_payments(client, world, show, expected):
    spend(world, "Taxi", day(3))
    pay(world, "Refund", day(5))
    client.force_login(world.member)

    response = client.get(ledger_url(world), {"show": show})

    assert described(response.context["rows"]) == expected
    assert ('<option value="payments" selected>' in response.text) == (show == "payments")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # A payment is paid by its sender, and both its sender and its receiver take part.
        ({"payer": "guest"}, ["Alice to Max"]),
        ({"payer": "member_membership"}, ["Max to Olivia"]),
        ({"participant": "guest"}, ["Alice to Max"]),
        ({"participant": "member_membership"}, ["Dinner", "Max to Olivia", "Alice to Max"]),
        # Payments have no category.
        ({"category": "food"}, ["Dinner"]),
        ({"date_from": "2026-10-02", "date_to": "2026-10-02"}, ["Max to Olivia"]),
    ],
)
def test_the_filters_apply_to_payments_too(client, world, filters, expected):
    pay(world, "Alice to Max", day(1), world.guest, world.member_membership)
    pay(world, "Max to Olivia", day(2))
    client.force_login(world.owner)
    members = {"guest": world.guest.pk, "member_membership": world.member_membership.pk}
    query = {name: members.get(value, value) for name, value in filters.items()}

    response = client.get(ledger_url(world), query)

    assert described(response.context["rows"]) == expected
    assert response.context["filter_form"].is_filtering


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("familia", ["Jantar em Família", "Família: rent share"]),
        ("FAMÍLIA", ["Jantar em Família", "Família: rent share"]),
        ("ecole", ["School trip"]),
        ("ÉCOLE", ["School trip"]),
        ("naive", ["Naïve art"]),
        ("NAÏVE", ["Naïve art"]),
        ("trip ecole", []),
        ("%", ["100% juice"]),
        ("_", []),
    ],
)
def test_search_finds_descriptions_and_notes_ignoring_case_and_accents(
    client, world, query, expected
):
    spend(world, "Jantar em Família", day(9))
    spend(world, "School trip", day(8), notes="Bus to the École normale")
    spend(world, "Naïve art", day(7))
    spend(world, "100% juice", day(6))
    pay(world, "Família: rent share", day(5))
    pay(world, "Nothing to see", day(4))
    client.force_login(world.member)

    response = client.get(ledger_url(world), {"q": query})

    assert described(response.context["rows"]) == expected


def test_search_follows_an_edit_of_the_notes(client, world):
    from expenses.forms import ExpenseForm
    from expenses.models import Expense
    from expenses.views import form_members

    expense = spend(world, "Groceries", day(1), notes="For the party")
    form = ExpenseForm.for_expense(
        expense, form_members(world.group, expense), data=edit_data(world, expense, "For Zoë")
    )
    assert form.is_valid(), form.errors
    Expense.objects.save_expense(
        group_id=world.group.pk,
        author=world.owner,
        entry=form.entry,
        expense=expense,
        expected_version=expense.version,
    )
    client.force_login(world.member)

    found = client.get(ledger_url(world), {"q": "zoe"})
    gone = client.get(ledger_url(world), {"q": "party"})

    assert described(found.context["rows"]) == ["Groceries"]
    assert described(gone.context["rows"]) == []


def edit_data(world, expense, notes):
    data = {
        "description": expense.description,
        "amount": "12.00",
        "date": expense.date.isoformat(),
        "category": expense.category,
        "paid_by": world.owner_membership.pk,
        "split_kind": "equal",
        "notes": notes,
        "submission_id": str(expense.submission_id),
        "version": expense.version,
    }
    for member in (world.owner_membership, world.member_membership):
        data[f"include_{member.pk}"] = "on"
    return data


def test_pages_follow_each_other_across_both_kinds_and_keep_the_filters(client, world):
    for number in range(1, 31):
        spend(world, f"Taxi {number}", day(number))
        pay(world, f"Payment {number}", day(number))
    client.force_login(world.member)

    first = client.get(ledger_url(world))
    second = client.get(ledger_url(world), {"after": str(first.context["next_position"])})
    payments = client.get(ledger_url(world), {"show": "payments"})
    more_payments = client.get(
        ledger_url(world),
        {"show": "payments", "after": str(payments.context["next_position"])},
        headers=HTMX,
    )

    # Dinner (November), then a payment and a taxi a day from 30 October down.
    assert described(first.context["rows"])[:3] == ["Dinner", "Payment 30", "Taxi 30"]
    assert described(first.context["rows"])[-1] == "Taxi 19"
    assert described(second.context["rows"])[0] == "Payment 18"
    assert described(second.context["rows"])[-1] == "Payment 6"
    # The link and its htmx twin, each with one (the footer's language switcher comes back to
    # this same page, cursor included).
    assert second.text.partition('class="language-switcher"')[0].count("after=") == 2
    assert f"?show=payments&amp;after={payments.context['next_position']}" in payments.text
    assert described(more_payments.context["rows"]) == [f"Payment {n}" for n in range(5, 0, -1)]
    assert more_payments.context["next_position"] is None
    assert "<html" not in more_payments.text


@pytest.mark.parametrize("size", [1, 2, 3, 5, 13])
def test_walking_the_pages_lists_every_row_once_in_order(world, size):
    # Ties on the date within and across the two kinds, at every page boundary for some size.
    for number, date in enumerate([day(5), day(5), day(4), day(4), day(4), day(1)]):
        spend(world, f"Expense {number}", date)
        pay(world, f"Payment {number}", date)
    expected = sorted(
        [(e.date, 0, e.pk, e.description) for e in world.group.expenses.all()]
        + [(p.date, 1, p.pk, p.note) for p in world.group.payments.all()],
        reverse=True,
    )

    pages, after = [], None
    # Bounded, so that a position that does not move on fails instead of looping.
    for _ in range(len(expected) + 1):
        page = ledger_page(
            world.group, world.member_membership, members(world), after=after, size=size
        )
        pages.append(described(page.rows))
        after = page.next_position
        if after is None:
            break

    assert [name for page in pages for name in page] == [name for *_, name in expected]
    # Full pages, then what is left: never an empty last page.
    assert len(pages) == math.ceil(len(expected) / size)


def test_a_line_reads_the_same_from_values_as_from_loaded_rows(world, django_assert_num_queries):
    guest = GuestFactory(group=world.group, name="Gus")
    people = [world.owner_membership, world.member_membership, guest]
    add_expense(
        world.group,
        world.owner,
        paid={world.owner_membership: 700, guest: 500},
        among=people,
        description="Boat",
    )
    spend(world, "Taxi", day(2))
    expenses = list(world.group.expenses.order_by("id"))
    names = {member.pk: member.display_name for member in members(world)}

    def rendered(rows):
        return [str(row) for row in rows]

    for viewer in people:
        # their payers' amounts, their shares' amounts
        with django_assert_num_queries(2):
            lean = rendered(ExpenseRow.lines(expenses, viewer, names, "en"))
        loaded = world.group.expenses.order_by("id").with_people()
        full = rendered(ExpenseRow.of(expense, viewer) for expense in loaded)
        assert lean == full
    boat = next(line for line in lean if "Boat" in line)
    assert f"{world.owner.display_name}, Gus paid" in boat


@pytest.mark.parametrize("count", [1, 30])
def test_a_page_costs_the_same_queries_however_many_rows(
    client, world, django_assert_num_queries, count
):
    for number in range(count):
        spend(world, f"Taxi {number}", day(1))
        pay(world, f"Payment {number}", day(1))
    client.force_login(world.member)

    # session, user, membership, members, expenses, payments, the shown expenses' payers and
    # their shares
    with django_assert_num_queries(8):
        response = client.get(ledger_url(world))

    assert len(response.context["rows"]) == min(2 * count + 1, PAGE_SIZE)


def test_a_page_of_payments_reads_no_payers_or_shares(world, django_assert_num_queries):
    # Newer than the world's dinner, which the page reads to know there is more, but leaves
    # for the next page.
    for number in range(3):
        pay(world, f"Payment {number}", datetime.date(2026, 12, number + 1))
    people = members(world)

    # the expenses, the payments
    with django_assert_num_queries(2):
        page = ledger_page(world.group, world.member_membership, people, size=3)

    assert described(page.rows) == ["Payment 2", "Payment 1", "Payment 0"]
    assert page.next_position is not None


@pytest.mark.parametrize(
    "after",
    [
        "junk",
        "2026-10-31",
        "2026-10-31_5",
        "2026-10-31_refund_5",
        "2026-10-31_expense_5_6",
        "2026-13-01_expense_5",
        "2026-10-31_payment_²",
        "2026-10-31_expense_9" + "9" * 30,
    ],
)
def test_a_position_the_list_never_wrote_is_404(client, world, after):
    client.force_login(world.member)

    response = client.get(ledger_url(world), {"after": after})

    assert response.status_code == 404


def test_the_group_page_shows_the_latest_rows_of_both_kinds(client, world):
    for number in range(1, 8):
        spend(world, f"Taxi {number}", day(number))
        pay(world, f"Payment {number}", day(number))
    client.force_login(world.member)

    response = client.get(reverse("pages:group", args=[world.group.pk]))

    rows, more = ledger_rows(world.group, world.member_membership, members(world), 4)
    assert described(rows) == ["Dinner", "Payment 7", "Taxi 7", "Payment 6"]
    assert more
    assert len(response.context["ledger_rows"]) == GROUP_PAGE_ROWS == 10
    assert response.context["more_ledger_rows"]
    assert response.text.count(">Payment</span>") == 5
    assert "All expenses and payments, search and filters" in response.text


def test_an_unbound_filter_form_filters_nothing(world):
    pay(world, "Refund", day(5))
    filters = LedgerFilterForm(members=[])

    page = ledger_page(world.group, world.owner_membership, members(world), filters)

    assert described(page.rows) == ["Dinner", "Refund"]
    assert not filters.is_filtering


def test_a_line_writes_what_people_typed_as_text(client, world):
    guest = GuestFactory(group=world.group, name="<b>Bo & Co</b>")
    add_expense(
        world.group,
        world.owner,
        paid={guest: 500},
        among=[guest, world.member_membership],
        description="<script>Boat</script>",
    )
    pay(world, "<i>thanks</i>", day(5), sender=guest, receiver=world.member_membership)
    client.force_login(world.member)

    for url in (ledger_url(world), reverse("pages:group", args=[world.group.pk])):
        page = client.get(url).text
        rows = page.split('class="expense-list"')[1]

        assert "&lt;script&gt;Boat&lt;/script&gt;" in rows
        assert "&lt;b&gt;Bo &amp; Co&lt;/b&gt; paid ·" in rows
        assert "&lt;b&gt;Bo &amp; Co&lt;/b&gt; paid Max Member" in rows
        assert "&lt;i&gt;thanks&lt;/i&gt;" in rows
        for tag in ("<b>", "<i>", "<script>"):
            assert tag not in rows


def test_the_category_filter_is_in_the_language_of_each_view(client, world):
    """Its choices are translated once per language, and each view shows its own language's."""
    client.force_login(world.owner)

    english = client.get(ledger_url(world)).text
    german = client.get(ledger_url(world), headers={"Accept-Language": "de"}).text
    again = client.get(ledger_url(world)).text

    assert '<option value="groceries">Groceries</option>' in english
    assert '<option value="groceries">Lebensmittel</option>' in german
    assert '<option value="" selected>Alle</option>' in german
    assert '<option value="groceries">Groceries</option>' in again


def test_the_people_filters_name_each_member_by_the_name_they_go_by(client, world):
    """A member with an account by the account's name, whatever their membership's says, a guest
    by their own, in the order the group lists them."""
    world.member_membership.name = "A name of their own"
    world.member_membership.save()
    client.force_login(world.owner)

    page = client.get(ledger_url(world)).text

    listed = [(str(member.pk), member.display_name) for member in members(world)]
    assert {name for _, name in listed} == {"Max Member", "Olivia Owner", "Alice"}
    for field in ("payer", "participant"):
        options = page.split(f'name="{field}"')[1].split("</select>")[0]
        assert re.findall(r'<option value="(\d+)">([^<]*)</option>', options) == listed
