from accounts.tests.factories import UserFactory
from expenses.splitting import SplitKind
from expenses.tests.factories import add_expense
from groups.models import Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory


def barcelona(simplify_debts):
    """Four registered people and a guest, five expenses with mixed payers and splits.

    Pairwise Alice owes Pat 26.08 EUR, while the plan has her pay Pat 68.08 EUR: the pairs and
    the plan differ, which is what let pages disagree.
    """
    alice = UserFactory(display_name="Alice")
    group = GroupFactory(name="Barcelona trip", created_by=alice, simplify_debts=simplify_debts)
    a = MemberFactory(group=group, user=alice, role=Role.OWNER)
    b = MemberFactory(group=group, user=UserFactory(display_name="Bob"))
    c = MemberFactory(group=group, user=UserFactory(display_name="Carol"))
    p = MemberFactory(group=group, user=UserFactory(display_name="Pat"))
    d = GuestFactory(group=group, name="Dan")
    everyone = [a, b, c, p, d]
    add_expense(group, alice, paid={p: 24540}, among=everyone, description="Apartment")
    add_expense(group, alice, paid={a: 6900}, among=[a, b, p], description="Tapas")
    add_expense(group, alice, paid={b: 4000, c: 2000}, among=[a, c, d], description="Museum")
    add_expense(
        group,
        alice,
        paid={c: 9000},
        among=[a, b, c],
        kind=SplitKind.SHARES,
        values={a.pk: 2, b.pk: 1, c.pk: 1},
        description="Sailing",
    )
    add_expense(group, alice, paid={d: 3333}, among=[b, c, p], description="Taxi")
    return group, [a, b, c, p, d]
