"""What a user and each person they share groups with pay each other, read off the groups' plans.

Each group's plan (`PaymentManager.plans_for`) says who pays whom in that group; nothing here
computes debts another way, so the home page tells the same story as the group pages and
settle-up. Between the user and another person, in one currency, the amount is the sum over the
user's groups of the transfers of each plan between the two: what the person pays the user minus
what the user pays the person. A registered person is the same person in every group; a guest
belongs to one group. Each plan settles its group's balances exactly, so these amounts add up to
the user's balance summed over the groups of that currency.
"""

from dataclasses import dataclass, field

from groups.models import Group, Member


@dataclass(frozen=True)
class GroupDebt:
    """One transfer of a group's plan between the user and the person."""

    group: Group
    # Positive: the person pays the user; negative: the user pays the person.
    to_user: int


@dataclass
class PersonDebts:
    """Everything the user and one person pay each other in the groups of one currency."""

    # The registered person (a user), or the guest (a member of one group).
    person: object
    is_guest: bool
    currency: str
    debts: list[GroupDebt] = field(default_factory=list)

    @property
    def net(self):
        """Positive: the person owes the user this much in all; negative: the user owes them."""
        return sum(debt.to_user for debt in self.debts)

    @property
    def groups(self):
        return [debt.group for debt in self.debts]


def plan_balance(plan, member_id):
    """What the plan pays `member_id` in all (negative: what they pay): their balance, since a
    plan settles every balance exactly."""
    return sum(
        amount if creditor == member_id else -amount
        for debtor, creditor, amount in plan.transfers
        if member_id in (debtor, creditor)
    )


def debts_with_people(memberships, plans):
    """[PersonDebts] of everyone the user pays or is paid by in the groups' plans.

    `memberships` are the user's active memberships, with their groups; `plans` maps each
    group's id to its plan (`PaymentManager.bare_plans_for`). One query: the people the user's
    transfers name, with their accounts. Ordered by currency, then registered people before
    guests, then by name.
    """
    involved = []
    for membership in memberships:
        plan, _ = plans[membership.group_id]
        for debtor, creditor, amount in plan.transfers:
            if debtor == membership.pk:
                involved.append((membership.group, creditor, -amount))
            elif creditor == membership.pk:
                involved.append((membership.group, debtor, amount))
    others = Member.objects.select_related("user").in_bulk({other for _, other, _ in involved})
    people = {}
    for group, other_id, to_user in involved:
        other = others[other_id]
        key = (group.currency, other.user_id or f"guest {other.pk}")
        if key not in people:
            person = other if other.is_guest else other.user
            people[key] = PersonDebts(person, other.is_guest, group.currency)
        people[key].debts.append(GroupDebt(group, to_user))
    return sorted(
        people.values(),
        key=lambda debts: (
            debts.currency,
            debts.is_guest,
            debts.person.display_name.casefold(),
            debts.person.pk,
        ),
    )
