"""What a suggested payment covers: the exact history behind a pair's balance, and the part of a
simplified plan a payment settles."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from expenses.models import Expense
from expenses.tests.factories import add_expense
from groups.models import Group
from groups.tests.factories import GroupFactory, GuestFactory
from ledger import books
from ledger import covers as covers_module
from ledger.covers import pair_covers
from ledger.effects import since_last_zero
from ledger.models import CurrencyPairBalance, PairBalance
from ledger.tests.test_expense_ledger import make_group
from settlements.models import Payment
from settlements.tests.factories import record_payment
from settlements.tests.test_convert_at_settlement import SETTLED_ON, settlement_group, spend
from splitclone import fx, links

TODAY = datetime.date(2026, 11, 20)


def kept_pair(group, owes, owed):
    """What `owes` owes `owed` as the kept `PairBalance` says."""
    first, second = sorted((owes.pk, owed.pk))
    row = PairBalance.objects.filter(group=group, member_a=first, member_b=second).first()
    amount = row.amount if row else 0
    return amount if owes.pk == first else -amount


def covers_of(group, owes, owed):
    return pair_covers(group, owes.pk, owed.pk, on_date=TODAY)


def covers_url(group, owes, owed):
    return reverse("settlements:covers", args=[group.pk, owes.pk, owed.pk])


def pairwise(group):
    Group.objects.filter(pk=group.pk).update(simplify_debts=False)
    group.refresh_from_db()


@given(st.lists(st.integers(-50, 50), max_size=30))
def test_the_story_starts_after_the_last_zero_and_keeps_the_whole_balance(amounts):
    start = since_last_zero(amounts)

    assert sum(amounts[:start]) == 0
    assert sum(amounts[start:]) == sum(amounts)
    running = 0
    for amount in amounts[start:]:
        running += amount
        assert running != 0


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["expense", "payment", "delete", "restore"]),
        st.integers(min_value=1, max_value=10**7),
        st.sets(st.integers(0, 3), min_size=1),  # who shares an expense
        st.integers(0, 3),  # who pays (or sends a payment)
        st.integers(0, 3),  # who receives a payment
        st.integers(0, 40),  # which entry a delete or a restore picks
    ),
    min_size=1,
    max_size=10,
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None)
@given(OPERATIONS)
def test_the_lines_add_up_exactly_to_every_pair_balance(operations):
    group, owner, members = make_group(4)
    entries = []
    for kind, amount, among, payer, receiver, pick in operations:
        if kind == "expense":
            sharing = [members[i] for i in sorted(among)]
            entries.append(add_expense(group, owner, paid={members[payer]: amount}, among=sharing))
        elif kind == "payment" and payer != receiver:
            entries.append(record_payment(members[payer], members[receiver], amount, actor=owner))
        elif kind in {"delete", "restore"} and entries:
            entry = entries[pick % len(entries)]
            entry.refresh_from_db()
            if isinstance(entry, Expense):
                verb = Expense.objects.delete_expense if kind == "delete" else None
                verb = verb or Expense.objects.restore_expense
            else:
                verb = Payment.objects.delete_payment if kind == "delete" else None
                verb = verb or Payment.objects.restore_payment
            verb(entry, actor=owner)

    for owes in members:
        for owed in members:
            if owes == owed:
                continue
            covers = covers_of(group, owes, owed)
            (cover,) = covers.currencies
            kept = kept_pair(group, owes, owed)
            assert cover.balance == covers.total == kept
            assert cover.earlier_amount + sum(line.amount for line in cover.lines) == kept
            assert all(line.amount for line in cover.lines)
            assert covers.settled == (kept == 0)
            if kept == 0:
                assert cover.lines == []


@pytest.fixture
def trio(db):
    group, owner, (ana, bob, cia) = make_group(3)
    pairwise(group)
    return group, owner, ana, bob, cia


def test_an_expense_that_moves_nothing_between_them_is_not_listed(client, trio):
    group, owner, ana, bob, cia = trio
    add_expense(group, owner, paid={bob: 2000}, among=[bob, cia], description="Taxi")
    # Later, Ana paid for Bob and Cia: each owes Ana, and nothing more to each other.
    add_expense(
        group,
        owner,
        paid={ana: 9000},
        among=[ana, bob, cia],
        description="Hotel",
        date=datetime.date(2026, 11, 2),
    )
    client.force_login(owner)

    response = client.get(covers_url(group, cia, bob))

    assert [line.description for line in response.context["covers"].currencies[0].lines] == ["Taxi"]
    assert "Hotel" not in response.text
    assert "10.00 EUR" in response.text


def test_a_payment_that_clears_the_pair_leaves_nothing_to_list(client, trio):
    group, owner, ana, bob, _ = trio
    add_expense(group, owner, paid={ana: 3000}, among=[ana, bob], description="Dinner")
    client.force_login(owner)
    response = client.get(covers_url(group, bob, ana))
    assert "Dinner" in response.text
    assert "15.00 EUR" in response.text

    record_payment(bob, ana, 1500, actor=owner)
    response = client.get(covers_url(group, bob, ana))

    assert response.status_code == 200
    assert response.context["covers"].settled
    assert "Dinner" not in response.text
    assert "are settled up" in response.text


def test_a_long_history_starts_where_the_pair_was_last_even(client, trio):
    group, owner, ana, bob, _ = trio
    add_expense(
        group,
        owner,
        paid={ana: 3000},
        among=[ana, bob],
        description="Old dinner",
        date=datetime.date(2026, 10, 1),
    )
    record_payment(bob, ana, 1500, actor=owner, date=datetime.date(2026, 10, 5))
    add_expense(
        group,
        owner,
        paid={ana: 1000},
        among=[ana, bob],
        description="New lunch",
        date=datetime.date(2026, 11, 3),
    )
    client.force_login(owner)

    response = client.get(covers_url(group, bob, ana))

    (cover,) = response.context["covers"].currencies
    assert [line.description for line in cover.lines] == ["New lunch"]
    assert cover.settled_on == datetime.date(2026, 10, 5)
    assert "On 5 Oct 2026 they were even" in response.text
    assert "Old dinner" not in response.text


def test_past_the_most_recent_lines_the_older_ones_are_one_exact_sum(trio, monkeypatch):
    group, owner, ana, bob, _ = trio
    for day in range(1, 6):
        add_expense(
            group, owner, paid={ana: 100 * day}, among=[bob], date=datetime.date(2026, 11, day)
        )
    monkeypatch.setattr(covers_module, "MOST_RECENT", 2)

    (cover,) = covers_of(group, bob, ana).currencies

    assert [line.amount for line in cover.lines] == [400, 500]
    assert (cover.earlier_count, cover.earlier_amount) == (3, 600)
    assert cover.balance == kept_pair(group, bob, ana) == 1500


@pytest.mark.parametrize("expenses", [1, 30])
def test_the_page_costs_the_same_queries_for_any_history(
    client, trio, django_assert_num_queries, expenses
):
    group, owner, ana, bob, cia = trio
    for n in range(expenses):
        add_expense(group, owner, paid={ana: 1000 + n}, among=[ana, bob, cia])
        record_payment(bob, ana, 100 + n, actor=owner)
    client.force_login(owner)

    # session, user, membership, the two members with their users, the shared expenses, their
    # payer and share rows, the payments between them, the conversion lines between them
    with django_assert_num_queries(8):
        response = client.get(covers_url(group, bob, ana))

    assert response.status_code == 200
    assert len(response.context["covers"].currencies[0].lines) == 2 * expenses


def test_the_other_order_redirects_to_the_one_who_owes(client, trio):
    group, owner, ana, bob, _ = trio
    add_expense(group, owner, paid={ana: 3000}, among=[ana, bob])
    client.force_login(owner)

    response = client.get(covers_url(group, ana, bob))

    assert response.status_code == 302
    assert response.url == covers_url(group, bob, ana)


def test_a_member_of_another_group_or_the_same_member_twice_is_404(client, trio):
    group, owner, ana, bob, _ = trio
    stranger = GuestFactory(group=GroupFactory())
    client.force_login(owner)

    assert client.get(covers_url(group, ana, stranger)).status_code == 404
    assert client.get(covers_url(group, stranger, ana)).status_code == 404
    assert client.get(covers_url(group, ana, ana)).status_code == 404
    assert client.get(covers_url(group, ana, bob)).status_code == 200


def test_each_pairwise_suggestion_links_to_what_it_covers(client, trio):
    group, owner, ana, bob, cia = trio
    add_expense(group, owner, paid={ana: 9000}, among=[ana, bob, cia])
    client.force_login(owner)

    for name in ("settlements:settle_up", "pages:pairs"):
        response = client.get(reverse(name, args=[group.pk]))
        for debtor in (bob, cia):
            assert f'href="{covers_url(group, debtor, ana)}"' in response.text, name


@pytest.mark.parametrize("guests", [0, 8])
def test_a_page_reverses_the_pairwise_link_once_whatever_the_number_of_payments(
    client, trio, monkeypatch, guests
):
    group, owner, ana, bob, cia = trio
    people = [bob, cia, *(GuestFactory(group=group) for _ in range(guests))]
    add_expense(group, owner, paid={ana: 100 * len(people)}, among=people)
    reversed_views = []

    def counted(viewname, **kwargs):
        reversed_views.append(viewname)
        return reverse(viewname, **kwargs)

    monkeypatch.setattr(links, "reverse", counted)
    client.force_login(owner)

    for name in ("settlements:settle_up", "pages:pairs"):
        response = client.get(reverse(name, args=[group.pk]))
        for debtor in people:
            assert f'href="{covers_url(group, debtor, ana)}"' in response.text, name
    assert reversed_views == ["settlements:covers", "settlements:covers"]


@pytest.mark.django_db
def test_in_a_group_that_converts_at_settlement_each_currency_adds_up_and_converts():
    group, owner, (ana, bob, cia, _) = settlement_group()
    pairwise(group)
    spend(group, owner, ana, [ana, bob, cia], 12345, "USD")
    add_expense(group, owner, paid={bob: 1000}, among=[ana, bob], description="Bread")

    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)):
        covers = pair_covers(group, bob.pk, ana.pk, on_date=SETTLED_ON)
        euros, dollars = covers.currencies
        assert (euros.currency, euros.balance) == ("EUR", -500)
        assert (dollars.currency, dollars.balance) == ("USD", 4115)
        rate = fx.rate("USD", "EUR", SETTLED_ON)
        assert dollars.converted == fx.convert(4115, "USD", "EUR", rate.value)
        assert covers.total == dollars.converted - 500
        settle_up = Payment.objects.plan_for(group)
        assert (bob.pk, ana.pk, covers.total) in settle_up.plan.transfers

        record_payment(bob, ana, covers.total, actor=owner, date=SETTLED_ON)
        after = pair_covers(group, bob.pk, ana.pk, on_date=SETTLED_ON)

    # The conversion cleared the dollars, and the payment the euros.
    assert [cover.currency for cover in after.currencies] == ["EUR"]
    assert after.settled
    assert after.currencies[0].lines == []


@pytest.fixture
def two_parts(four):
    """Four's plan (Cem and Dan each pay Ana 40.00) and, apart, Fay owing Eve 10.00."""
    eve = GuestFactory(group=four.group, name="Eve")
    fay = GuestFactory(group=four.group, name="Fay")
    add_expense(four.group, four.ana.user, paid={eve: 1000}, among=[fay])
    four.eve, four.fay = eve, fay
    return four


def test_a_simplified_payment_names_the_people_its_part_settles(client, two_parts):
    client.force_login(two_parts.ana.user)

    for name in ("settlements:settle_up", "pages:pairs"):
        response = client.get(reverse(name, args=[two_parts.group.pk]))

        assert response.text.count("What this covers</summary>") == 3, name
        assert response.text.count("This payment, with 1 other, settles Ana, Cem and Dan.") == 2
        assert "This payment alone settles Eve and Fay." in response.text
        assert 'id="covers-note"' not in response.text


def test_a_plan_that_is_one_part_says_so_once(client, four):
    client.force_login(four.ana.user)

    response = client.get(reverse("settlements:settle_up", args=[four.group.pk]))

    assert "What this covers</summary>" not in response.text
    assert response.text.count("these 2 payments settle everyone with a balance") == 1


@pytest.fixture
def big(four):
    """Four plus seven pairs of guests, each owing the other 10.00: 17 people with a balance,
    more than settle-up shows in full, in eight parts."""
    guests = [GuestFactory(group=four.group, name=f"Guest {n:02}") for n in range(14)]
    for debtor, creditor in zip(guests[:7], guests[7:], strict=True):
        add_expense(four.group, four.ana.user, paid={creditor: 1000}, among=[debtor])
    return four


def test_in_a_big_plan_settle_up_says_it_under_the_viewers_own_payments(client, big):
    client.force_login(big.cem.user)

    response = client.get(reverse("settlements:settle_up", args=[big.group.pk]))

    assert response.text.count("What this covers</summary>") == 1
    assert "This payment, with 1 other, settles Ana, Cem and Dan." in response.text
    assert "one of 8 groups of people who settle among themselves" in response.text
    # Who owes whom has room for every payment's.
    response = client.get(reverse("pages:pairs", args=[big.group.pk]))
    assert response.text.count("What this covers</summary>") == 9


def test_in_a_big_pairwise_plan_settle_up_links_the_viewers_own_payments(client, big):
    pairwise(big.group)
    client.force_login(big.cem.user)

    response = client.get(reverse("settlements:settle_up", args=[big.group.pk]))

    # Cem owes Ana 30.00 for the chalet and Ben 10.00 for the fondue.
    assert response.text.count(">What this covers</a>") == 2
    assert f'href="{covers_url(big.group, big.cem, big.ana)}"' in response.text
    assert f'href="{covers_url(big.group, big.cem, big.ben)}"' in response.text
    assert f'<a href="{reverse("pages:pairs", args=[big.group.pk])}">who owes whom</a>' in (
        response.text
    )


def test_the_api_gives_the_same_lines_from_the_first_members_side(client, trio):
    group, owner, ana, bob, _ = trio
    dinner = add_expense(group, owner, paid={ana: 3000}, among=[ana, bob], description="Dinner")
    payment = record_payment(bob, ana, 1000, actor=owner, note="cash")
    client.force_login(owner)

    response = client.get(f"/api/groups/{group.pk}/covers/{ana.pk}/{bob.pk}")

    assert response.status_code == 200
    body = response.json()
    (euros,) = body["currencies"]
    assert (body["total"], euros["balance"]) == (-500, -500)
    assert [(line["kind"], line["id"], line["amount"]) for line in euros["lines"]] == [
        ("expense", dinner.pk, -1500),
        ("payment", payment.pk, 1000),
    ]
    stranger = GuestFactory(group=GroupFactory())
    response = client.get(f"/api/groups/{group.pk}/covers/{ana.pk}/{stranger.pk}")
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_conversion_read_from_a_file_with_the_pair_the_other_way_round_counts():
    group, owner, (ana, bob, *_) = settlement_group()
    pairwise(group)
    spend(group, owner, ana, [ana, bob], 12345, "USD")
    owed = -CurrencyPairBalance.objects.get(group=group, currency="USD").amount
    rate = books.DayRate("USD", "EUR", Decimal("0.85"), "entered", None)
    converted = fx.convert(owed, "USD", "EUR", rate.value)
    with books.change(group.pk) as locked:
        # Ana has the lower id: a file may still name the line as what Bob owes Ana.
        books.book_conversion(
            locked,
            on_date=TODAY,
            actor=owner,
            rates={"USD": rate},
            lines=[("USD", bob.pk, ana.pk, owed, converted)],
        )

    covers = covers_of(group, bob, ana)

    assert [cover.currency for cover in covers.currencies] == ["EUR"]
    (line,) = covers.currencies[0].lines
    assert (line.kind, line.amount) == ("conversion", converted)
    assert covers.total == kept_pair(group, bob, ana) == converted


CURRENCY_OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["EUR", "USD", "JPY", "payment", "delete"]),
        st.integers(min_value=100, max_value=10**6),
        st.sets(st.integers(0, 2), min_size=1),  # who shares an expense
        st.integers(0, 2),  # who pays (or sends a payment)
        st.integers(0, 2),  # who receives a payment
        st.integers(0, 20),  # which expense a delete picks
    ),
    min_size=1,
    max_size=8,
)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None)
@given(CURRENCY_OPERATIONS)
def test_in_a_group_that_converts_at_settlement_every_currency_adds_up(operations):
    group, owner, members = settlement_group(3)
    expenses = []
    for kind, amount, among, payer, receiver, pick in operations:
        if kind in {"EUR", "USD", "JPY"}:
            sharing = [members[i] for i in sorted(among)]
            expenses.append(spend(group, owner, members[payer], sharing, amount, kind))
        elif kind == "payment" and payer != receiver:
            # Converts every open balance in another currency first.
            record_payment(members[payer], members[receiver], amount, actor=owner)
        elif kind == "delete" and expenses:
            expense = expenses[pick % len(expenses)]
            expense.refresh_from_db()
            Expense.objects.delete_expense(expense, actor=owner)

    kept = {
        (row.member_a_id, row.member_b_id, None): row.amount for row in group.pair_balances.all()
    }
    for row in group.currency_pair_balances.all():
        kept[row.member_a_id, row.member_b_id, row.currency] = row.amount
    for first, second in [(0, 1), (0, 2), (1, 2)]:
        owes, owed = members[first], members[second]
        found = {
            (owes.pk, owed.pk, None if cover.currency == "EUR" else cover.currency): cover
            for cover in covers_of(group, owes, owed).currencies
        }
        for key, amount in kept.items():
            if key[:2] == (owes.pk, owed.pk) and amount:
                cover = found[key]
                assert cover.balance == amount
                assert cover.earlier_amount + sum(line.amount for line in cover.lines) == amount
        for key, cover in found.items():
            assert cover.balance == kept.get(key, 0)


def test_the_covers_page_reads_in_the_readers_language(client, trio):
    group, owner, ana, bob, _ = trio
    add_expense(group, owner, paid={ana: 3000}, among=[ana, bob], description="Dinner")
    client.force_login(owner)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "de"

    response = client.get(covers_url(group, bob, ana))

    assert "Was diese Zahlung abdeckt" in response.text
    assert f"{bob.display_name} schuldet {ana.display_name}" in response.text


@pytest.mark.django_db
def test_a_currency_in_which_the_debt_runs_the_other_way_names_the_other_debtor(client):
    group, owner, (ana, bob, cia, _) = settlement_group()
    pairwise(group)
    spend(group, owner, ana, [ana, bob, cia], 12345, "USD")
    add_expense(group, owner, paid={bob: 1000}, among=[ana, bob], description="Bread")
    client.force_login(owner)

    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)):
        response = client.get(covers_url(group, bob, ana))

    section = response.text.split('id="covers"')[1]
    # Overall Bob owes Ana (the dollars outweigh the euros); in euros alone Ana owes Bob.
    ana_owes_bob = f"<strong>{ana.display_name} owes {bob.display_name}</strong>"
    bob_owes_ana = f"<strong>{bob.display_name} owes {ana.display_name}</strong>"
    assert f'{ana_owes_bob} <strong class="amount">5.00 EUR</strong>' in section
    assert f'{bob_owes_ana} <strong class="amount">41.15 USD</strong>' in section
