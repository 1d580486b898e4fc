"""What the import preview shows for each person of the file."""

from dataclasses import dataclass

from django.forms import BoundField


@dataclass(frozen=True)
class PersonRow:
    # The choice of who they are: a new guest, the one importing, or a member.
    field: BoundField
    balance: int
    # What the file itself says their balance is, where it says (Splitwise's Total balance).
    stated: int | None

    @property
    def difference(self):
        return None if self.stated is None else self.balance - self.stated


def person_rows(form):
    balances = form.parsed.balances()
    stated = form.parsed.stated_balances
    return [
        PersonRow(field, balances[name], stated.get(name))
        for field, name in zip(form.person_fields(), form.parsed.people, strict=True)
    ]
