"""The plan summaries the home page reads tell what the groups' plans say, whatever happened."""

import contextlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from expenses.models import Expense
from expenses.tests.factories import add_expense
from groups.models import Member, Role, WishError
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from settlements.models import Payment, PlanDebt, PlanSummary, SettlementPlan, computed_scope
from settlements.tests.factories import record_payment

pytestmark = pytest.mark.django_db


def summarised(groups):
    """{(group id, member id, other id): to_user} as the kept summaries say, after refreshing
    those out of date, as the home page does."""
    PlanSummary.objects.refresh_stale(groups[0].created_by)
    return {
        (debt.group_id, debt.member_id, debt.other_id): debt.to_user
        for debt in PlanDebt.objects.all()
    }


def planned(groups):
    """The same, from the plans every group page shows."""
    expected = {}
    for group_id, settle_up in Payment.objects.plans_for(groups).items():
        for debtor, creditor, amount in settle_up.plan.transfers:
            for member, other, to_user in ((debtor, creditor, -amount), (creditor, debtor, amount)):
                if settle_up.by_id[member].user_id is not None:
                    expected[group_id, member, other] = to_user
    return expected


steps = st.lists(
    st.tuples(
        st.sampled_from(
            ["expense", "payment", "delete", "restore", "settings", "wish", "household", "home"]
        ),
        st.integers(0, 2),  # which group
        st.integers(0, 3),  # who pays
        st.integers(0, 3),  # who else
        st.integers(1, 5_000),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=30, deadline=None)
@given(steps)
def test_kept_summaries_equal_the_plans_after_any_history(history):
    with transaction.atomic():
        user = UserFactory()
        groups, members = [], []
        for n in range(3):
            group = GroupFactory(created_by=user, simplify_debts=n != 2)
            groups.append(group)
            members.append(
                [
                    MemberFactory(group=group, user=user, role=Role.OWNER),
                    MemberFactory(group=group),
                    GuestFactory(group=group),
                    MemberFactory(group=group),
                ]
            )
        for action, which, payer, other, amount in history:
            group, people = groups[which], members[which]
            if action == "expense":
                add_expense(group, user, paid={people[payer]: amount}, among=people[: other + 1])
            elif action == "payment" and payer != other:
                record_payment(people[payer], people[other], amount)
            elif action in ("delete", "restore"):
                expense = Expense.objects.filter(
                    group=group, deleted_at__isnull=action == "delete"
                ).first()
                if expense is not None:
                    change = getattr(Expense.objects, f"{action}_expense")
                    change(expense, actor=user)
            elif action == "settings":
                group.simplify_debts = not group.simplify_debts
                group.save(update_fields=["simplify_debts"])
            elif action == "wish" and not people[payer].is_guest:
                # Wishes change the plan without a ledger write.
                member = Member.objects.get(pk=people[payer].pk)
                with contextlib.suppress(WishError):
                    group.set_wishes(
                        member,
                        actor=member.user,
                        rather_not_receive=not member.rather_not_receive,
                        preferred_payee=None if payer == other else people[other],
                    )
            elif action == "household" and payer != other:
                with contextlib.suppress(WishError):
                    group.create_household([people[payer], people[other]], actor=user)
            elif action == "home":
                assert summarised(groups) == planned(groups)
        assert summarised(groups) == planned(groups)
        transaction.set_rollback(True)


def test_a_summary_is_read_back_until_the_ledger_moves(django_assert_num_queries):
    user = UserFactory()
    group = GroupFactory(created_by=user)
    mine, other = MemberFactory(group=group, user=user), MemberFactory(group=group)
    add_expense(group, user, paid={mine: 1000}, among=[other])
    PlanSummary.objects.refresh_stale(user)

    # Only the groups whose summary is out of date: none.
    with django_assert_num_queries(1):
        PlanSummary.objects.refresh_stale(user)

    add_expense(group, user, paid={other: 300}, among=[mine])
    assert summarised([group]) == {
        (group.pk, mine.pk, other.pk): 700,
        (group.pk, other.pk, mine.pk): -700,
    }


def test_another_plan_kept_for_the_same_balances_drops_the_summary():
    """A plan searched under a time budget may come out differently in two requests; whichever
    is kept last, the summary follows it."""
    user = UserFactory()
    group = GroupFactory(created_by=user)
    mine = MemberFactory(group=group, user=user)
    others = [MemberFactory(group=group) for _ in range(2)]
    add_expense(group, user, paid={mine: 3000}, among=[mine, *others])
    summarised([group])
    [row] = SettlementPlan.objects.filter(scope=computed_scope(group.pk))

    SettlementPlan.objects.keep_computed([row], [group.pk])

    assert not PlanSummary.objects.filter(group=group).exists()


def test_recompute_balances_checks_and_drops_a_summary_that_tells_another_story():
    user = UserFactory()
    group = GroupFactory(created_by=user, name="Rome")
    mine, other = MemberFactory(group=group, user=user), MemberFactory(group=group)
    add_expense(group, user, paid={mine: 1000}, among=[other])
    summarised([group])
    PlanDebt.objects.filter(member=mine).update(to_user=999)

    with pytest.raises(CommandError, match="1 plan summary"):
        call_command("recompute_balances", "--check", stdout=io.StringIO())
    # The check took the group's lock, so home works the summary out again; spoil that one.
    summarised([group])
    PlanDebt.objects.filter(member=mine).update(to_user=999)
    out = io.StringIO()
    call_command("recompute_balances", stdout=out)

    assert f"Rome (#{group.pk}): the plan summary the home page reads differs" in out.getvalue()
    assert summarised([group]) == planned([group])
    call_command("recompute_balances", "--check", stdout=io.StringIO())
