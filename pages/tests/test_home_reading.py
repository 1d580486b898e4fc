"""What the home page reads in its own statements agrees with the models it reads."""

import pytest
from django.db.models import F

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import ConvertAt, Group, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from pages.home_reading import memberships_with_debts
from settlements.models import PlanSummary

pytestmark = pytest.mark.django_db

CHANGES = {
    "nothing": None,
    "a new version of the plan": {"plan_version": F("plan_version") + 1},
    "simplifying switched off": {"simplify_debts": False},
    "converting at settlement": {"convert_at": ConvertAt.SETTLEMENT},
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_summary_is_out_of_date_exactly_when_the_plan_summaries_say(change):
    user = UserFactory()
    group = GroupFactory(created_by=user)
    mine = MemberFactory(group=group, user=user, role=Role.OWNER)
    dan = GuestFactory(group=group, name="Dan")
    add_expense(group, user, paid={mine: 900}, among=[dan])
    assert memberships_with_debts(user).any_stale  # no summary yet
    PlanSummary.objects.refresh_stale(user)
    if CHANGES[change]:
        Group.objects.filter(pk=group.pk).update(**CHANGES[change])

    stale = Group.objects.filter(PlanSummary.objects.stale(), pk=group.pk).exists()

    assert stale == (change != "nothing")
    memberships = memberships_with_debts(user)
    assert memberships.any_stale == stale
    assert [membership.pk for membership in memberships.active] == [mine.pk]
    # Dan, a guest (no user, his own name), pays the user 9.00, as before the change.
    assert memberships.debts == [(group.pk, group.name, "EUR", dan.pk, None, "Dan", 900)]
    assert memberships.totals == {"EUR": 900}
