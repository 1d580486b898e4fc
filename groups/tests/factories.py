import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from groups.models import Group, Invite, Member, Role


class GroupFactory(DjangoModelFactory[Group]):
    class Meta:
        model = Group
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Trip {n}")
    currency = "EUR"
    created_by = factory.SubFactory(UserFactory)


class MemberFactory(DjangoModelFactory[Member]):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class GuestFactory(MemberFactory):
    user = None
    name = factory.Sequence(lambda n: f"Guest {n}")


class InviteFactory(DjangoModelFactory[Invite]):
    class Meta:
        model = Invite
        skip_postgeneration_save = True

    group = factory.SubFactory(GroupFactory)
    created_by = factory.LazyAttribute(lambda invite: invite.group.created_by)
