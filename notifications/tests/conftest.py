from types import SimpleNamespace

import pytest
from django.core import mail

from accounts.tests.factories import UserFactory
from groups.models import Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from notifications import dispatch


@pytest.fixture
def trip(db):
    """Olivia (owner), Max and Nia in a EUR group with a guest, Alice; nothing to tell yet."""
    olivia = UserFactory(display_name="Olivia Owner", email="olivia@example.com")
    group = GroupFactory(name="Lisbon trip", created_by=olivia)
    trip = SimpleNamespace(
        group=group,
        olivia=olivia,
        olivia_m=MemberFactory(group=group, user=olivia, role=Role.OWNER),
        max=(max_user := UserFactory(display_name="Max Member", email="max@example.com")),
        max_m=MemberFactory(group=group, user=max_user),
        nia=(nia := UserFactory(display_name="Nia", email="nia@example.com")),
        nia_m=MemberFactory(group=group, user=nia),
        alice_m=GuestFactory(group=group, name="Alice"),
    )
    dispatch.dispatch_new_activity()
    mail.outbox.clear()
    return trip
