"""Settle-up with the group's wishes in the app: the plans, their fingerprint, household
payments and who shares expenses (the planner's own tests are in test_wishes.py)."""

import datetime
import itertools
import uuid
from collections import defaultdict

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from expenses.models import Expense
from expenses.tests.factories import add_expense
from groups.models import Member, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from ledger import books
from settlements.models import Payment, StalePlan
from settlements.tests.factories import record_payment

HTMX = {"HX-Request": "true"}


def page(group):
    return reverse("settlements:settle_up", args=[group.pk])


def settings_of(group, **changes):
    values = {
        "name": group.name,
        "description": group.description,
        "currency": group.currency,
        "simplify_debts": group.simplify_debts,
    }
    group.update_settings(actor=group.created_by, **values | changes)


def wish(member, *, rather_not_receive=False, preferred_payee=None):
    actor = member.user or member.group.created_by
    member.group.set_wishes(
        member, actor=actor, rather_not_receive=rather_not_receive, preferred_payee=preferred_payee
    )


# Who shares expenses or payments


def brute_force_pairs(group):
    """The pairs named together in a live expense or payment, counted from the rows."""
    pairs = set()
    for expense in Expense.objects.filter(group=group, deleted_at__isnull=True):
        named = {row.member_id for row in expense.payers.all()} | {
            row.member_id for row in expense.shares.all()
        }
        pairs |= {tuple(sorted(pair)) for pair in itertools.combinations(named, 2)}
    for payment in Payment.objects.live().filter(group=group):
        pairs.add(tuple(sorted((payment.from_member_id, payment.to_member_id))))
    return pairs


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(st.data())
def test_shared_pairs_are_exactly_the_pairs_of_live_entries(data):
    with transaction.atomic():
        owner = UserFactory()
        group = GroupFactory(created_by=owner)
        members = [MemberFactory(group=group, user=owner, role=Role.OWNER)]
        members += [GuestFactory(group=group) for _ in range(5)]
        entries = []
        for _ in range(data.draw(st.integers(1, 8))):
            action = data.draw(st.sampled_from(["expense", "payment", "delete", "restore"]))
            if action == "expense":
                payer = data.draw(st.sampled_from(members))
                among = data.draw(st.lists(st.sampled_from(members), min_size=1, unique=True))
                entries.append(add_expense(group, owner, paid={payer: 1200}, among=among))
            elif action == "payment":
                sender, receiver = data.draw(
                    st.lists(st.sampled_from(members), min_size=2, max_size=2, unique=True)
                )
                entries.append(record_payment(sender, receiver, 300, actor=owner))
            elif entries:
                entry = data.draw(st.sampled_from(entries))
                manager = type(entry).objects
                if isinstance(entry, Expense):
                    change = (
                        manager.delete_expense if action == "delete" else manager.restore_expense
                    )
                else:
                    change = (
                        manager.delete_payment if action == "delete" else manager.restore_payment
                    )
                change(entry, actor=owner)

        assert books.shared_pairs([group.pk])[group.pk] == brute_force_pairs(group)
        transaction.set_rollback(True)


def test_an_edit_that_takes_someone_out_ends_their_sharing(four):
    group = four.group
    expense = add_expense(
        group, four.ana.user, paid={four.ben: 1000}, among=[four.cem], description="Taxi"
    )
    assert (four.ben.pk, four.cem.pk) in books.shared_pairs([group.pk])[group.pk]

    Expense.objects.delete_expense(expense, actor=four.ana.user)

    assert books.shared_pairs([group.pk])[group.pk] == brute_force_pairs(group)


# Plans with wishes, through the page


@pytest.fixture
def flat(db):
    """Ana (owner) owes 40.00, Ben 20.00; Cem is owed 20.00 and Dan 40.00. Cem paid a taxi for
    Ana and himself, Dan a dinner for Ana, Ben and himself: Ben and Cem share nothing."""
    ana = UserFactory(display_name="Ana")
    group = GroupFactory(name="Flat", created_by=ana)
    people = type(
        "Flat",
        (),
        {
            "group": group,
            "ana": MemberFactory(group=group, user=ana, role=Role.OWNER),
            "ben": MemberFactory(group=group, user=UserFactory(display_name="Ben")),
            "cem": MemberFactory(group=group, user=UserFactory(display_name="Cem")),
            "dan": GuestFactory(group=group, name="Dan"),
        },
    )
    add_expense(group, ana, paid={people.cem: 4000}, among=[people.ana, people.cem])
    add_expense(group, ana, paid={people.dan: 6000}, among=[people.ana, people.ben, people.dan])
    for member in (people.ana, people.ben, people.cem, people.dan):
        member.refresh_from_db()
    return people


def plan_lines(group):
    """{(debtor id, creditor id): amount} of the plan's member-level transfers."""
    settle_up = Payment.objects.suggest(group)
    return {(t.debtor, t.creditor): t.amount for t in settle_up.plan.transfers}


def test_the_flat_balances(flat):
    assert [m.balance for m in (flat.ana, flat.ben, flat.cem, flat.dan)] == [
        -4000,
        -2000,
        2000,
        4000,
    ]


def test_a_household_is_one_line_and_its_members_settle_the_rest_between_them(client, flat):
    flat.group.create_household([flat.ana, flat.ben], actor=flat.ana.user)
    client.force_login(flat.ana.user)

    response = client.get(page(flat.group))

    text = response.text
    assert response.status_code == 200
    assert "household-payment" in text
    assert "Ana &amp; Ben settle up as one household." in text
    settle_up = Payment.objects.suggest(flat.group)
    units = settle_up.plan.wishes.unit_transfers
    assert sorted(amount for *_, amount in units) == [2000, 4000]
    assert all(payers == tuple(sorted((flat.ana.pk, flat.ben.pk))) for payers, _, _ in units)


def test_rather_not_receive_keeps_money_away_from_them(client, flat):
    wish(flat.cem, rather_not_receive=True)
    client.force_login(flat.cem.user)

    response = client.get(page(flat.group))

    after = plan_lines(flat.group)
    assert response.status_code == 200
    assert "Cem is paid only what they are owed, never money to pass on." in response.text
    # Cem is owed 20.00: being paid what one is owed is allowed, relaying is not.
    assert sum(amount for (_, creditor), amount in after.items() if creditor == flat.cem.pk) == 2000
    assert not any(debtor == flat.cem.pk for debtor, _ in after)


def test_a_preferred_payee_is_paid_by_whoever_prefers_them(client, flat):
    wish(flat.ben, preferred_payee=flat.cem)
    client.force_login(flat.ben.user)

    response = client.get(page(flat.group))

    lines = plan_lines(flat.group)
    assert response.status_code == 200
    ben_pays = {creditor for (debtor, creditor) in lines if debtor == flat.ben.pk}
    assert ben_pays == {flat.cem.pk}
    assert "Ben pays only Cem, if anyone, as they prefer." in response.text


def test_only_people_who_share_expenses_pay_each_other(client, flat):
    settings_of(flat.group, pay_only_sharing=True)
    client.force_login(flat.ana.user)

    response = client.get(page(flat.group))

    assert response.status_code == 200
    shared = books.shared_pairs([flat.group.pk])[flat.group.pk]
    for debtor, creditor in plan_lines(flat.group):
        assert tuple(sorted((debtor, creditor))) in shared
    assert "Payments only go between people who share an expense or payment." in response.text


def test_needing_more_payments_says_so(client, db):
    """Ana owes 10.00 and Ben is owed 10.00, but they share nothing: Cem, who shares a dinner
    with each, passes the money on. Two payments instead of one."""
    ana = UserFactory(display_name="Ana")
    group = GroupFactory(created_by=ana, pay_only_sharing=True)
    a = MemberFactory(group=group, user=ana, role=Role.OWNER)
    b = GuestFactory(group=group, name="Ben")
    c = GuestFactory(group=group, name="Cem")
    add_expense(group, ana, paid={c: 1000}, among=[a])
    add_expense(group, ana, paid={b: 1000}, among=[c])
    client.force_login(ana)

    response = client.get(page(group))

    assert plan_lines(group) == {(a.pk, c.pk): 1000, (c.pk, b.pk): 1000}
    assert "This plan needs 1 more payment than without wishes, because payments only go" in (
        response.text
    )


def test_a_changed_wish_gives_a_new_plan_and_fingerprint(flat):
    before = Payment.objects.suggest(flat.group)

    wish(flat.ben, preferred_payee=flat.cem)
    after = Payment.objects.suggest(flat.group)
    wish(flat.ben, preferred_payee=None)
    back = Payment.objects.suggest(flat.group)

    assert after.fingerprint != before.fingerprint
    assert back.fingerprint == before.fingerprint
    assert {t.debtor for t in after.plan.transfers if t.creditor == flat.cem.pk} == {flat.ben.pk}


@pytest.mark.parametrize("extra_members", [0, 25])
def test_the_page_with_wishes_costs_the_same_queries_for_any_group_size(
    client, flat, django_assert_num_queries, extra_members
):
    for n in range(extra_members):
        guest = GuestFactory(group=flat.group)
        record_payment(guest, flat.cem, 100 + n)
    flat.group.create_household([flat.ana, flat.ben], actor=flat.ana.user)
    wish(flat.cem, preferred_payee=flat.dan)
    settings_of(flat.group, pay_only_sharing=True)
    Payment.objects.suggest(flat.group)  # the plan is worked out once and kept
    # Cem pays no registered member: nothing about how to pay (one query more when one is).
    client.force_login(flat.cem.user)

    # session, user, membership, members with users, pairs who share expenses, pairs who share
    # payments, stored plans, latest payments, pending payments' total
    with django_assert_num_queries(9):
        response = client.get(page(flat.group))

    assert response.status_code == 200


def test_the_home_page_reads_wishes_in_the_same_queries(client, flat, django_assert_num_queries):
    flat.group.create_household([flat.ana, flat.ben], actor=flat.ana.user)
    settings_of(flat.group, pay_only_sharing=True)
    Payment.objects.suggest(flat.group)
    client.force_login(flat.ana.user)
    plain = client.get(reverse("home"))

    settings_of(flat.group, pay_only_sharing=False)
    Payment.objects.suggest(flat.group)
    assert plain.status_code == 200
    # With the switch on, the home page pays the two queries of who shares expenses, no more.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as without:
        client.get(reverse("home"))
    settings_of(flat.group, pay_only_sharing=True)
    Payment.objects.suggest(flat.group)
    with CaptureQueriesContext(connection) as with_switch:
        client.get(reverse("home"))
    assert len(with_switch) == len(without) + 2


# Household payments


def record_unit(group, place, *, submission_id=None, actor=None):
    settle_up = Payment.objects.suggest(group)
    return Payment.objects.record_unit(
        group_id=group.pk,
        unit=place,
        date=datetime.date(2026, 11, 3),
        actor=actor or group.created_by,
        submission_id=submission_id or uuid.uuid4(),
        expected_fingerprint=settle_up.fingerprint,
    )


def test_a_household_payment_over_http_records_its_members_payments_once(client, flat):
    flat.group.create_household([flat.ana, flat.ben], actor=flat.ana.user)
    settle_up = Payment.objects.suggest(flat.group)
    client.force_login(flat.ana.user)
    data = {
        "unit": "1",
        "date": "2026-11-03",
        "submission_id": str(uuid.uuid4()),
        "fingerprint": settle_up.fingerprint,
    }

    first = client.post(reverse("settlements:record", args=[flat.group.pk]), data)
    second = client.post(reverse("settlements:record", args=[flat.group.pk]), data)

    assert (first.status_code, second.status_code) == (302, 302)
    payers, payees, amount = settle_up.plan.wishes.unit_transfers[0]
    payments = Payment.objects.filter(group=flat.group)
    assert sum(p.amount for p in payments) == amount
    assert {p.from_member_id for p in payments} <= set(payers)
    assert {p.to_member_id for p in payments} <= set(payees)


def test_a_household_payment_from_a_stale_plan_records_nothing(client, flat):
    flat.group.create_household([flat.ana, flat.ben], actor=flat.ana.user)
    settle_up = Payment.objects.suggest(flat.group)
    record_payment(flat.cem, flat.dan, 500)
    client.force_login(flat.ana.user)

    response = client.post(
        reverse("settlements:record", args=[flat.group.pk]),
        {
            "unit": "1",
            "date": "2026-11-03",
            "submission_id": str(uuid.uuid4()),
            "fingerprint": settle_up.fingerprint,
        },
    )

    assert response.status_code == 422
    assert StalePlan().message in response.text.replace("&#x27;", "'")
    assert Payment.objects.filter(group=flat.group).count() == 1


@pytest.mark.django_db
@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(-9_999, 9_999), min_size=3, max_size=7),
    st.integers(2, 3),
    st.data(),
)
def test_recording_every_payment_settles_every_unit_and_leaves_the_household_its_own_debts(
    amounts, household_size, data
):
    with transaction.atomic():
        owner = UserFactory()
        group = GroupFactory(created_by=owner)
        manager = MemberFactory(group=group, user=owner, role=Role.OWNER)
        members = [
            GuestFactory(group=group, balance=amount) for amount in [*amounts, -sum(amounts)]
        ]
        household = members[:household_size]
        group.create_household(household, actor=owner)
        first = Payment.objects.suggest(group)
        within = first.plan.wishes.within_households
        units = first.plan.wishes.unit_transfers

        for _ in range(len(units)):
            place = data.draw(
                st.integers(0, len(Payment.objects.suggest(group).plan.wishes.unit_transfers) - 1)
            )
            record_unit(group, place, actor=owner)

        balances = dict(Member.objects.filter(group=group).values_list("pk", "balance"))
        assert not Payment.objects.suggest(group).plan.wishes.unit_transfers
        assert sum(balances[m.pk] for m in household) == 0
        assert all(balances[m.pk] == 0 for m in members[household_size:])
        assert balances[manager.pk] == 0
        owed = defaultdict(int)
        for debtor, creditor, amount in within:
            owed[debtor] -= amount
            owed[creditor] += amount
        # What household members still owe each other is exactly what the plan said.
        assert {m.pk: balances[m.pk] for m in household} == {m.pk: owed[m.pk] for m in household}
        transaction.set_rollback(True)


def test_recording_a_household_payment_keeps_the_rest_of_the_plan(flat):
    flat.group.create_household([flat.ana, flat.ben], actor=flat.ana.user)
    before = Payment.objects.suggest(flat.group).plan.wishes.unit_transfers

    record_unit(flat.group, 0)

    assert Payment.objects.suggest(flat.group).plan.wishes.unit_transfers == before[1:]


def test_paying_one_line_of_a_plan_with_wishes_keeps_the_others(flat):
    wish(flat.ben, preferred_payee=flat.cem)
    settings_of(flat.group, pay_only_sharing=True)
    before = Payment.objects.suggest(flat.group).plan
    debtor, creditor, amount = before.transfers[0]
    members = {m.pk: m for m in Member.objects.filter(group=flat.group)}

    record_payment(members[debtor], members[creditor], amount)

    after = Payment.objects.suggest(flat.group).plan
    assert after.transfers == before.transfers[1:]
    assert after.wishes.unit_transfers == before.wishes.unit_transfers[1:]
