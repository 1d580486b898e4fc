from types import SimpleNamespace

import pytest

from accounts.tests.factories import UserFactory
from groups.models import Role
from groups.tests.factories import GroupFactory, GuestFactory, InviteFactory, MemberFactory


@pytest.fixture
def world(db):
    """A group with an owner, a plain member, a guest and an invite, plus an outsider."""
    owner = UserFactory(display_name="Olivia Owner")
    group = GroupFactory(name="Lisbon trip", created_by=owner)
    return SimpleNamespace(
        group=group,
        owner=owner,
        owner_membership=MemberFactory(group=group, user=owner, role=Role.OWNER),
        member=(member := UserFactory(display_name="Max Member")),
        member_membership=MemberFactory(group=group, user=member),
        guest=GuestFactory(group=group, name="Alice"),
        invite=InviteFactory(group=group),
        outsider=UserFactory(display_name="Otto Outsider"),
    )
