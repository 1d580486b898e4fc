"""What a user and each person they share groups with pay each other, read off the groups' plans.

Each group's plan (`PaymentManager.plans_for`) says who pays whom in that group; nothing here
computes debts another way, so the home page tells the same story as the group pages and
settle-up. The plans are read from their summaries (`PlanSummary`, `PlanDebt`), kept per group
for one version of what its plan is worked out from (`Group.plan_version`). Between the user and
another person, in one currency, the amount is the sum over the user's groups of the transfers
of each plan between the two: what the person pays the user minus what the user pays the
person. A registered person is the same person in every group; a guest belongs to one group.
Each plan settles its group's balances exactly, so these amounts add up to the user's balance
summed over the groups of that currency.
"""

from dataclasses import dataclass, field
from functools import cache

from settlements.models import PlanDebt


@dataclass(frozen=True)
class Person:
    """A registered person (`pk` is their user's) or a guest (`pk` is the member's)."""

    pk: int
    display_name: str


@dataclass(frozen=True)
class GroupDebt:
    """One transfer of a group's plan between the user and the person."""

    group_id: int
    group_name: str
    # Positive: the person pays the user; negative: the user pays the person.
    to_user: int


@dataclass
class PersonDebts:
    """Everything the user and one person pay each other in the groups of one currency."""

    person: Person
    is_guest: bool
    currency: str
    debts: list[GroupDebt] = field(default_factory=list)

    @property
    def net(self):
        """Positive: the person owes the user this much in all; negative: the user owes them."""
        return sum(debt.to_user for debt in self.debts)

    @property
    def group_ids(self):
        return [debt.group_id for debt in self.debts]


@cache
def _debts_with_names():
    # Built once per process and filtered per view, as a class-based view's `queryset` is: the
    # joins took more CPU than the query (the home page, on every view).
    return PlanDebt.objects.values_list(
        "group_id",
        "member_id",
        "other_id",
        "other__user_id",
        "other__user__display_name",
        "other__name",
        "to_user",
    )


def debts_with_people(user, memberships):
    """([PersonDebts] of everyone `user` pays or is paid by in their groups' plans, {membership
    id: what the plans pay the user there in all (negative: what they pay)}).

    `memberships` are the user's active ones as (membership id, group id, group name,
    currency); their groups' summaries must be current (`PlanSummaryManager.refresh_stale`).
    One query: the user's debts with the people they name. Ordered by currency, then registered
    people before guests, then by name.
    """
    groups = {
        group_id: (member_id, name, currency) for member_id, group_id, name, currency in memberships
    }
    rows = _debts_with_names().filter(user=user)
    people = {}
    plan_balances = {}
    for group_id, member_id, other_id, other_user, user_name, guest_name, to_user in rows:
        # A debt of a membership the user left or was deactivated from is not theirs now.
        mine, group_name, currency = groups.get(group_id, (None, None, None))
        if member_id != mine:
            continue
        plan_balances[member_id] = plan_balances.get(member_id, 0) + to_user
        key = (currency, other_user or f"guest {other_id}")
        if key not in people:
            person = Person(other_user or other_id, user_name if other_user else guest_name)
            people[key] = PersonDebts(person, other_user is None, currency)
        people[key].debts.append(GroupDebt(group_id, group_name, to_user))
    # Each person's groups in the order of `memberships`.
    position = {group_id: n for n, group_id in enumerate(groups)}
    for person in people.values():
        if len(person.debts) > 1:
            person.debts.sort(key=lambda debt: position[debt.group_id])
    ordered = sorted(
        people.values(),
        key=lambda debts: (
            debts.currency,
            debts.is_guest,
            debts.person.display_name.casefold(),
            debts.person.pk,
        ),
    )
    return ordered, plan_balances
