"""The rules of settle-up wishes and households: every bad input is refused with a message
and nothing saved, whoever asks (the model methods are what views, the API and the admin call)."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from groups.models import Activity, Household, Member, Role, WishError
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory


@pytest.fixture
def trio(db):
    """Ana (owner), Ben and Cem (registered), Dan (a guest)."""
    owner = UserFactory(display_name="Ana")
    group = GroupFactory(name="Flat", created_by=owner)
    return type(
        "Trio",
        (),
        {
            "group": group,
            "ana": MemberFactory(group=group, user=owner, role=Role.OWNER),
            "ben": MemberFactory(group=group, user=UserFactory(display_name="Ben")),
            "cem": MemberFactory(group=group, user=UserFactory(display_name="Cem")),
            "dan": GuestFactory(group=group, name="Dan"),
        },
    )


def wishes_of(member):
    member.refresh_from_db()
    return member.rather_not_receive, member.preferred_payee_id, member.household_id


def refused(call, message):
    feed = Activity.objects.count()
    with pytest.raises(WishError) as error:
        call()
    assert message in " ".join(error.value.messages)
    assert Activity.objects.count() == feed


def test_a_member_sets_their_own_wishes(trio):
    trio.group.set_wishes(
        trio.ben, actor=trio.ben.user, rather_not_receive=False, preferred_payee=trio.cem
    )

    assert wishes_of(trio.ben) == (False, trio.cem.pk, None)
    assert trio.group.activities.filter(verb=Activity.Verb.WISHES_CHANGED).count() == 1


def test_a_preferred_payee_must_be_someone_else_of_the_group_who_is_active(trio):
    elsewhere = MemberFactory(group=GroupFactory(), user=UserFactory())
    trio.group.deactivate_member(trio.cem, actor=trio.ana.user)

    for payee, message in [
        (trio.ben, "You can't prefer to pay yourself."),
        (elsewhere, "Choose someone from this group."),
        (trio.cem, "Cem has left the group"),
    ]:
        refused(
            lambda payee=payee: trio.group.set_wishes(
                trio.ben, actor=trio.ben.user, rather_not_receive=False, preferred_payee=payee
            ),
            message,
        )
        assert wishes_of(trio.ben) == (False, None, None)


def test_nobody_may_prefer_to_pay_someone_who_would_rather_not_receive(trio):
    trio.group.set_wishes(
        trio.cem, actor=trio.cem.user, rather_not_receive=True, preferred_payee=None
    )

    refused(
        lambda: trio.group.set_wishes(
            trio.ben, actor=trio.ben.user, rather_not_receive=False, preferred_payee=trio.cem
        ),
        "Cem would rather not receive payments",
    )
    assert wishes_of(trio.ben) == (False, None, None)


def test_nobody_may_rather_not_receive_while_someone_prefers_to_pay_them(trio):
    trio.group.set_wishes(
        trio.ben, actor=trio.ben.user, rather_not_receive=False, preferred_payee=trio.cem
    )

    refused(
        lambda: trio.group.set_wishes(
            trio.cem, actor=trio.cem.user, rather_not_receive=True, preferred_payee=None
        ),
        "Ben prefers to pay you",
    )
    assert wishes_of(trio.cem) == (False, None, None)


def test_the_last_member_who_could_receive_cannot_say_rather_not(trio):
    for member in (trio.ana, trio.ben, trio.cem):
        trio.group.set_wishes(
            member, actor=member.user, rather_not_receive=True, preferred_payee=None
        )

    refused(
        lambda: trio.group.set_wishes(
            trio.dan, actor=trio.ana.user, rather_not_receive=True, preferred_payee=None
        ),
        "Everyone else in the group would already rather not receive payments",
    )
    assert wishes_of(trio.dan) == (False, None, None)


def test_only_the_member_or_a_manager_for_a_guest_changes_wishes(trio):
    refused(
        lambda: trio.group.set_wishes(
            trio.cem, actor=trio.ben.user, rather_not_receive=True, preferred_payee=None
        ),
        "Only Cem can change their own wishes",
    )
    refused(
        lambda: trio.group.set_wishes(
            trio.dan, actor=trio.ben.user, rather_not_receive=True, preferred_payee=None
        ),
        "Only Dan can change their own wishes",
    )
    trio.group.set_wishes(
        trio.dan, actor=trio.ana.user, rather_not_receive=True, preferred_payee=None
    )
    assert wishes_of(trio.dan) == (True, None, None)


def test_a_household_needs_two_active_people_of_the_group_in_no_other_household(trio):
    elsewhere = MemberFactory(group=GroupFactory(), user=UserFactory())
    actor = trio.ana.user
    trio.group.create_household([trio.ana, trio.ben], actor=actor)

    for members, message in [
        ([trio.cem], "A household needs at least two people."),
        ([trio.cem, elsewhere], "Choose people from this group."),
        ([trio.ben, trio.cem], "Ben is already in a household."),
    ]:
        refused(lambda members=members: trio.group.create_household(members, actor=actor), message)
    assert Household.objects.count() == 1
    assert wishes_of(trio.cem)[2] is None


def test_a_guest_who_left_cannot_join_a_household(trio):
    trio.group.deactivate_member(trio.dan, actor=trio.ana.user)

    refused(
        lambda: trio.group.create_household([trio.cem, trio.dan], actor=trio.ana.user),
        "Dan has left the group, so they can't be part of a household.",
    )
    assert Household.objects.count() == 0


def test_a_household_cannot_hold_someone_and_the_person_they_prefer_to_pay(trio):
    trio.group.set_wishes(
        trio.ben, actor=trio.ben.user, rather_not_receive=False, preferred_payee=trio.cem
    )

    refused(
        lambda: trio.group.create_household([trio.ben, trio.cem], actor=trio.ana.user),
        "Ben prefers to pay Cem, who would be in the same household.",
    )
    trio.group.create_household([trio.ana, trio.ben], actor=trio.ana.user)
    refused(
        lambda: trio.group.set_wishes(
            trio.ana, actor=trio.ana.user, rather_not_receive=False, preferred_payee=trio.ben
        ),
        "Ben is in your household",
    )
    assert Household.objects.count() == 1


def test_only_managers_make_households(trio):
    feed = Activity.objects.count()
    with pytest.raises(Exception, match="owners and admins"):
        trio.group.create_household([trio.ben, trio.cem], actor=trio.ben.user)
    assert Household.objects.count() == 0
    assert Activity.objects.count() == feed


def test_ending_a_household_frees_its_members(trio):
    household = trio.group.create_household([trio.ben, trio.cem], actor=trio.ana.user)

    trio.group.remove_household(household, actor=trio.ana.user)

    assert Household.objects.count() == 0
    assert Member.objects.filter(household__isnull=False).count() == 0


def test_leaving_drops_ones_wishes_and_ends_a_household_left_with_one(trio):
    household = trio.group.create_household([trio.ben, trio.dan], actor=trio.ana.user)
    trio.group.set_wishes(
        trio.cem, actor=trio.cem.user, rather_not_receive=False, preferred_payee=trio.ben
    )
    trio.group.set_wishes(
        trio.ben, actor=trio.ben.user, rather_not_receive=False, preferred_payee=trio.ana
    )

    trio.group.leave(trio.ben.user)

    assert not Member.objects.filter(pk=trio.ben.pk).exists()  # no history: deleted
    assert wishes_of(trio.cem) == (False, None, None)
    assert wishes_of(trio.dan) == (False, None, None)
    assert not Household.objects.filter(pk=household.pk).exists()


def test_deactivating_keeps_a_household_of_three_for_the_other_two(trio):
    household = trio.group.create_household([trio.ben, trio.cem, trio.dan], actor=trio.ana.user)

    trio.group.deactivate_member(trio.dan, actor=trio.ana.user)

    assert wishes_of(trio.dan) == (False, None, None)
    assert set(household.members.values_list("pk", flat=True)) == {trio.ben.pk, trio.cem.pk}


def test_the_switch_goes_through_the_settings(trio):
    group = trio.group
    settings = {
        "name": group.name,
        "description": "",
        "currency": group.currency,
        "simplify_debts": True,
    }
    group.update_settings(actor=trio.ana.user, **settings, pay_only_sharing=True)
    assert group.pay_only_sharing is True
    group.update_settings(actor=trio.ana.user, **settings)  # left out: stays as it is
    assert group.pay_only_sharing is True


def test_an_owner_sets_a_guests_wishes_from_the_people_page(client, trio):
    client.force_login(trio.ana.user)
    url = reverse("groups:wishes", args=[trio.group.pk, trio.dan.pk])

    people = client.get(reverse("groups:members", args=[trio.group.pk]))
    response = client.post(url, {"preferred_payee": trio.ben.pk})

    assert url in people.text
    assert response.status_code == 302
    assert wishes_of(trio.dan) == (False, trio.ben.pk, None)


def test_a_refused_wish_over_http_says_why_and_saves_nothing(client, trio):
    trio.group.set_wishes(
        trio.cem, actor=trio.cem.user, rather_not_receive=True, preferred_payee=None
    )
    client.force_login(trio.ben.user)

    response = client.post(
        reverse("groups:wishes", args=[trio.group.pk, trio.ben.pk]),
        {"preferred_payee": trio.cem.pk},
    )

    assert response.status_code == 422
    assert "Cem would rather not receive payments." in response.text
    assert wishes_of(trio.ben) == (False, None, None)


def test_a_refused_household_over_http_says_why_and_saves_nothing(client, trio):
    trio.group.create_household([trio.ben, trio.cem], actor=trio.ana.user)
    client.force_login(trio.ana.user)

    response = client.post(
        reverse("groups:household_add", args=[trio.group.pk]), {"members": [trio.ana.pk]}
    )

    assert response.status_code == 422
    assert "A household needs at least two people." in response.text
    assert Household.objects.count() == 1
