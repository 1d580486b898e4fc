from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Role
from groups.tests.factories import GroupFactory, GuestFactory, InviteFactory, MemberFactory

# The smallest PNG file: the receipt check reads the signature, not the name.
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@pytest.fixture
def world(db):
    """A group with an owner, a plain member, a guest, an invite and an expense the owner
    paid for the owner and the member, plus an outsider."""
    owner = UserFactory(display_name="Olivia Owner")
    group = GroupFactory(name="Lisbon trip", created_by=owner)
    world = SimpleNamespace(
        group=group,
        owner=owner,
        owner_membership=MemberFactory(group=group, user=owner, role=Role.OWNER),
        member=(member := UserFactory(display_name="Max Member")),
        member_membership=MemberFactory(group=group, user=member),
        guest=GuestFactory(group=group, name="Alice"),
        invite=InviteFactory(group=group),
        outsider=UserFactory(display_name="Otto Outsider"),
    )
    world.expense = add_expense(
        group,
        owner,
        paid={world.owner_membership: 3000},
        among=[world.owner_membership, world.member_membership],
    )
    world.expense.receipt.save("receipt.png", ContentFile(PNG_BYTES))
    return world


@pytest.fixture
def support(db):
    """A member of the support staff: no member of any group."""
    return UserFactory(display_name="Sam Support", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, support):
    client.force_login(support)
    return client
