"""Payments as ledger rows: kept balances, refusals, idempotency, soft delete, the plan."""

import datetime
import uuid
from collections import Counter

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import REGISTRY

from groups.models import Activity, Member
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from settlements import models as settlement_models
from settlements import plans
from settlements.algorithm import Transfer
from settlements.models import (
    Payment,
    PaymentError,
    SettlementPlan,
    StalePlan,
    computed_scope,
    group_scope,
)
from settlements.tests.factories import record_payment
from splitclone import metrics
from splitclone.money import MAX_AMOUNT


def balances(group):
    return {m.pk: m.balance for m in Member.objects.filter(group=group)}


def pairs(group):
    return {(p.member_a_id, p.member_b_id): p.amount for p in group.pair_balances.all()}


def test_a_payment_moves_member_and_pair_balances(four, django_capture_on_commit_callbacks):
    before_pairs = pairs(four.group)
    counted = metrics.PAYMENTS_RECORDED._value.get()

    with django_capture_on_commit_callbacks(execute=True):
        payment = record_payment(four.cem, four.ana, 4000, note="Bank transfer")

    assert balances(four.group) == {
        four.ana.pk: 4000,
        four.ben.pk: 0,
        four.cem.pk: 0,
        four.dan.pk: -4000,
    }
    # Cem owed Ana; the pair (lower id first) moves by the payment, in Ana's direction.
    key = (four.ana.pk, four.cem.pk)
    assert pairs(four.group)[key] == before_pairs[key] + 4000
    assert payment.currency == "EUR"
    assert payment.note == "Bank transfer"
    activity = four.group.activities.get(verb=Activity.Verb.PAYMENT_RECORDED)
    assert activity.data == {"payment_id": payment.pk}
    assert activity.summary == "recorded that Cem paid Ana 40.00 EUR"
    assert metrics.PAYMENTS_RECORDED._value.get() == counted + 1


def test_the_same_submission_records_once(four):
    submission_id = uuid.uuid4()

    first = record_payment(four.cem, four.ana, 4000, submission_id=submission_id)
    again = record_payment(four.cem, four.ana, 4000, submission_id=submission_id)

    assert again == first
    assert four.group.payments.count() == 1
    assert balances(four.group)[four.cem.pk] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": 0}, "more than zero"),
        ({"amount": -100}, "more than zero"),
        ({"amount": MAX_AMOUNT + 1}, "at most"),
        ({"to_member_id": "sender"}, "can't pay themselves"),
        ({"to_member_id": "elsewhere"}, "active members of this group"),
        ({"to_member_id": "inactive"}, "active members of this group"),
        ({"expected_fingerprint": "not-the-plan"}, "balances changed"),
    ],
)
def test_refused_payments_save_nothing(four, change, message):
    inactive = MemberFactory(group=four.group, is_active=False)
    members = {
        "sender": four.cem.pk,
        "elsewhere": MemberFactory(group=GroupFactory()).pk,
        "inactive": inactive.pk,
    }
    arguments = {
        "group_id": four.group.pk,
        "from_member_id": four.cem.pk,
        "to_member_id": four.ana.pk,
        "amount": 4000,
        "currency": "EUR",
        "date": datetime.date(2026, 11, 2),
        "note": "",
        "actor": four.ana.user,
        "submission_id": uuid.uuid4(),
    }
    arguments |= {key: members.get(value, value) for key, value in change.items()}
    before = balances(four.group)

    with pytest.raises(PaymentError, match=message):
        Payment.objects.record(**arguments)

    assert not Payment.objects.exists()
    assert balances(four.group) == before
    assert not four.group.activities.filter(verb=Activity.Verb.PAYMENT_RECORDED).exists()


def test_a_stale_plan_is_its_own_error(four):
    with pytest.raises(StalePlan):
        record_payment(four.cem, four.ana, 4000, expected_fingerprint="old")


def test_the_current_fingerprint_is_accepted(four):
    fingerprint = Payment.objects.suggest(four.group).fingerprint

    record_payment(four.cem, four.ana, 4000, expected_fingerprint=fingerprint)

    assert four.group.payments.count() == 1


def test_delete_and_restore_move_the_balances_back_and_forth(four):
    payment = record_payment(four.cem, four.ana, 4000)
    recorded = balances(four.group), pairs(four.group)

    Payment.objects.delete_payment(payment, actor=four.ana.user)
    deleted = balances(four.group)
    Payment.objects.delete_payment(payment, actor=four.ana.user)  # twice changes nothing more

    assert deleted[four.cem.pk] == -4000
    assert deleted[four.ana.pk] == 8000
    assert balances(four.group) == deleted
    payment.refresh_from_db()
    assert payment.deleted_at is not None
    assert payment.deleted_by == four.ana.user

    Payment.objects.restore_payment(payment, actor=four.ana.user)
    Payment.objects.restore_payment(payment, actor=four.ana.user)

    assert (balances(four.group), pairs(four.group)) == recorded
    verbs = list(
        four.group.activities.filter(data__payment_id=payment.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["payment_recorded", "payment_deleted", "payment_restored"]


def test_suggestions_settle_everyone_with_the_fewest_payments(four):
    settle_up = Payment.objects.suggest(four.group)

    assert Counter(
        (s.debtor.display_name, s.creditor.display_name, s.amount) for s in settle_up.suggestions
    ) == Counter([("Cem", "Ana", 4000), ("Dan", "Ana", 4000)])
    assert settle_up.plan.proven_minimal
    assert [row.after for row in settle_up.rows()] == [0, 0, 0]
    assert {m.display_name for part in settle_up.parts for m in part} == {"Ana", "Cem", "Dan"}


def test_without_simplifying_each_pair_settles_its_own_debt(four):
    four.group.simplify_debts = False
    four.group.save()

    settle_up = Payment.objects.suggest(four.group)

    # Ben paid the fondue, so Cem and Dan owe Ben part of it and Ana owes him too.
    owed = {(s.debtor.display_name, s.creditor.display_name) for s in settle_up.suggestions}
    assert ("Ana", "Ben") in owed or ("Ben", "Ana") in owed
    assert len(settle_up.suggestions) > 2
    net = Counter()
    for suggestion in settle_up.suggestions:
        net[suggestion.debtor.pk] += suggestion.amount
        net[suggestion.creditor.pk] -= suggestion.amount
    assert {pk: -amount for pk, amount in net.items() if amount} == settle_up.balances

    record_payment(four.cem, four.ben, 1000)

    # Pairwise plans cannot reshuffle: only the pair that paid changes.
    after = Payment.objects.suggest(four.group)
    assert after.fingerprint != settle_up.fingerprint
    assert not SettlementPlan.objects.exists()


def test_suggest_reads_a_constant_number_of_queries(four, django_assert_num_queries):
    for _ in range(10):
        GuestFactory(group=four.group)

    # members with their users, the stored plans of the group, and the first time these
    # balances are seen, the plan worked out for them is kept and the group's plan summary
    # dropped
    with django_assert_num_queries(4):
        Payment.objects.suggest(four.group)
    with django_assert_num_queries(2):
        Payment.objects.suggest(four.group)


def test_deactivated_members_are_suggested_but_cannot_record(four):
    four.group.deactivate_member(four.cem, actor=four.ana.user)

    suggestions = Payment.objects.suggest(four.group).suggestions

    by_debtor = {s.debtor.display_name: s for s in suggestions}
    assert not by_debtor["Cem"].can_record
    assert by_debtor["Dan"].can_record


def test_recording_a_suggestion_keeps_the_rest_of_the_plan_and_undo_brings_it_back(four):
    plan = Payment.objects.suggest(four.group).plan
    first = plan.transfers[0]

    payment = record_payment(
        four.group.members.get(pk=first.debtor),
        four.group.members.get(pk=first.creditor),
        first.amount,
    )

    assert Payment.objects.suggest(four.group).plan.transfers == plan.transfers[1:]
    assert SettlementPlan.objects.get(scope=group_scope(four.group.pk))
    Payment.objects.delete_payment(payment, actor=four.ana.user)
    assert Payment.objects.suggest(four.group).plan == plan


def refuse_to_plan(monkeypatch):
    def refused(balances):
        raise AssertionError("the plan was worked out again")

    monkeypatch.setattr(settlement_models, "plan_settlement", refused)


def test_a_plan_is_worked_out_once_for_the_same_balances(four, monkeypatch):
    plan = Payment.objects.suggest(four.group).plan
    refuse_to_plan(monkeypatch)

    assert Payment.objects.suggest(four.group).plan == plan
    assert Payment.objects.bare_plans_for([four.group])[four.group.pk][0] == plan


def test_new_balances_get_a_new_plan_and_the_old_one_comes_back_with_them(four):
    before = Payment.objects.suggest(four.group)

    # Not a transfer of the plan (Ben is settled), so nothing is kept and the page works it out.
    payment = record_payment(four.ben, four.cem, 1000)

    after = Payment.objects.suggest(four.group)
    assert after.fingerprint != before.fingerprint
    assert sum(transfer.amount for transfer in after.plan.transfers) == 9000
    Payment.objects.delete_payment(payment, actor=four.ana.user)
    assert Payment.objects.suggest(four.group).plan == before.plan


def test_a_kept_plan_wins_over_the_one_worked_out_for_the_same_balances(four):
    settle_up = Payment.objects.suggest(four.group)
    [computed] = SettlementPlan.objects.filter(scope=computed_scope(four.group.pk))
    assert plans.stored_plan(computed.entries, settle_up.fingerprint) == settle_up.plan
    # Another plan that settles the same balances, kept the way `record` keeps one.
    reversed_plan = plans.Plan(settle_up.plan.transfers[::-1], proven_minimal=False)
    SettlementPlan.objects.remember(
        group_scope(four.group.pk), settle_up.fingerprint, reversed_plan
    )

    assert Payment.objects.suggest(four.group).plan == reversed_plan


@pytest.mark.django_db
@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.integers(-6, 6).filter(bool).map(lambda n: n * 500) | st.integers(-9_999, 9_999),
        min_size=1,
        max_size=9,
    ),
    st.data(),
)
def test_recorded_suggestions_never_reshuffle_the_others(amounts, data):
    with transaction.atomic():
        group = GroupFactory()
        members = [
            GuestFactory(group=group, balance=amount) for amount in [*amounts, -sum(amounts)]
        ]
        remaining = Counter(
            (s.debtor.pk, s.creditor.pk, s.amount)
            for s in Payment.objects.suggest(group).suggestions
        )
        by_pk = {member.pk: member for member in members}
        while remaining:
            debtor, creditor, amount = data.draw(st.sampled_from(sorted(remaining)))
            record_payment(by_pk[debtor], by_pk[creditor], amount)
            remaining[debtor, creditor, amount] -= 1
            remaining = +remaining

            now = Payment.objects.suggest(group).suggestions
            assert Counter((s.debtor.pk, s.creditor.pk, s.amount) for s in now) == remaining
        assert not any(balances(group).values())
        transaction.set_rollback(True)


def test_a_payment_between_other_people_brings_a_fresh_plan(four):
    plan = Payment.objects.suggest(four.group).plan
    record_payment(four.cem, four.ben, 1000)

    after = Payment.objects.suggest(four.group).plan

    assert after != plan
    assert Transfer(four.ben.pk, four.ana.pk, 1000) in after.transfers


def test_suggest_feeds_the_settle_up_metrics(four):
    def sample(name):
        return REGISTRY.get_sample_value(name) or 0

    members, runs = (
        sample("splitclone_settle_up_members_sum"),
        sample("splitclone_settle_up_seconds_count"),
    )

    Payment.objects.suggest(four.group)

    assert sample("splitclone_settle_up_members_sum") == members + 3
    assert sample("splitclone_settle_up_seconds_count") == runs + 1


def test_a_stored_plan_is_named_by_its_scope(four):
    record_payment(four.cem, four.ana, 4000)

    kept = SettlementPlan.objects.exclude(scope=computed_scope(four.group.pk)).get()
    assert str(kept) == f"group:{four.group.pk}"
