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

from dataclasses import dataclass
from typing import NamedTuple

# Tuples rather than frozen dataclasses: the home page makes one of each for every debt of
# every group of the user, and a frozen dataclass is several times slower to make.


class Person(NamedTuple):
    """A registered person (`pk` is their user's) or a guest (`pk` is the member's)."""

    pk: int
    display_name: str


class GroupDebt(NamedTuple):
    """One transfer of a group's plan between the user and the person."""

    group_id: int
    group_name: str
    # Positive: the person pays the user; negative: the user pays the person.
    to_user: int


@dataclass(slots=True)
class PersonDebts:
    """Everything the user and one person pay each other in the groups of one currency."""

    person: Person
    is_guest: bool
    currency: str
    debts: list[GroupDebt]

    @property
    def net(self):
        """Positive: the person owes the user this much in all; negative: the user owes them."""
        return sum(debt.to_user for debt in self.debts)

    @property
    def group_ids(self):
        return [debt.group_id for debt in self.debts]


def debts_with_people(rows, count=None):
    """([PersonDebts] of the first `count` people (all without) the user pays or is paid by
    in their groups' plans, how many people that is in all).

    `rows` are the debts (`PlanDebt`) of the user's active memberships as (group id, group
    name, currency, other member's id, their user's id, their name (the user's for a
    registered person, the guest's otherwise), what they pay the user), read from current summaries
    (`PlanSummaryManager.refresh_stale`), in the order each person's groups are listed in.
    Ordered by currency, then registered people before guests, then by name.

    Only the people asked for are made objects: a person in hundreds of groups is shown
    twenty of hundreds of people, and making each cost more than reading them.
    """
    # Gathered by who the person is (a guest belongs to one group, so to one currency), and
    # each person's place in the list worked out once, however many groups they are met in.
    debts = {}
    for row in rows:
        other_user = row[4]
        key = (row[2], other_user) if other_user else row[3]
        found = debts.get(key)
        if found is None:
            debts[key] = [row]
        else:
            found.append(row)
    places = []
    for person_rows in debts.values():
        _, _, currency, other_id, other_user, name, _ = person_rows[0]
        if other_user:
            places.append((currency, False, name.casefold(), other_user, name, person_rows))
        else:
            places.append((currency, True, name.casefold(), other_id, name, person_rows))
    # No two places tie before their rows (each holds the person's id): rows are never compared.
    places.sort()
    people = [
        PersonDebts(
            Person(pk, name),
            is_guest,
            currency,
            [GroupDebt(row[0], row[1], row[6]) for row in person_rows],
        )
        for currency, is_guest, _, pk, name, person_rows in places[:count]
    ]
    return people, len(debts)
