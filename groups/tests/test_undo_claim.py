"""Undoing a wrong claim of a guest ("That's not me"), by the person who made it, while
nothing has been built on it."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Activity, Member, MembershipError, Role
from groups.tests.factories import GuestFactory
from settlements.tests.factories import record_payment

pytestmark = pytest.mark.django_db


def undo_url(world):
    return reverse("groups:undo_claim", args=[world.group.pk])


def members_url(world):
    return reverse("groups:members", args=[world.group.pk])


@pytest.fixture
def claimed(world):
    """Alice, with a debt, taken over by someone who is not her."""
    add_expense(
        world.group,
        world.owner,
        paid={world.owner_membership: 2000},
        among=[world.owner_membership, world.guest],
    )
    nadia = UserFactory(display_name="Nadia New")
    world.invite.redeem(nadia, claim_guest_id=world.guest.pk)
    world.guest.refresh_from_db()
    return world.guest


def test_the_people_page_offers_it_to_whoever_claimed(client, world, claimed):
    client.force_login(claimed.user)

    response = client.get(members_url(world))

    assert f'You joined as Alice. <a href="{undo_url(world)}">That' in response.text


def test_the_page_says_what_will_happen(client, world, claimed):
    client.force_login(claimed.user)

    response = client.get(undo_url(world))

    assert response.status_code == 200
    assert "Not Alice?" in response.text
    assert "You stay in Lisbon trip as Nadia New, with none yet." in response.text
    assert '<button type="submit" class="button-danger">I am not Alice</button>' in response.text


def test_that_s_not_me_gives_the_guest_back(client, world, claimed):
    nadia = claimed.user
    client.force_login(nadia)

    response = client.post(undo_url(world), follow=True)

    assert response.redirect_chain == [(members_url(world), 302)]
    assert "Alice is a guest again. You are in Lisbon trip as yourself." in response.text
    claimed.refresh_from_db()
    assert (claimed.user, claimed.name, claimed.balance) == (None, "Alice", -1000)
    own = world.group.members.get(user=nadia)
    assert (own.is_active, own.balance, own.role) == (True, 0, Role.MEMBER)
    entry = world.group.activities.latest("id")
    assert (entry.verb, entry.actor, entry.data["member_id"]) == (
        Activity.Verb.GUEST_UNCLAIMED,
        nadia,
        claimed.pk,
    )
    assert entry.summary == "is not Alice after all: Alice is a guest again"
    assert "That's not me" not in response.text


def test_it_cannot_be_undone_twice(world, claimed):
    nadia = claimed.user
    world.group.undo_claim(nadia)

    with pytest.raises(MembershipError, match="You did not join this group as one of its guests"):
        world.group.undo_claim(nadia)


def test_someone_who_joined_as_themselves_has_nothing_to_undo(client, world):
    client.force_login(world.member)

    page = client.get(undo_url(world))
    response = client.post(undo_url(world))

    assert "I am not" not in page.text
    assert response.status_code == 422
    assert "You did not join this group as one of its guests." in response.text
    assert "That's not me" not in client.get(members_url(world)).text


def test_only_the_person_who_claimed_can_undo_it(world, claimed):
    """Someone else claiming the same guest later owns the undo; the first claimer does not."""
    nadia = claimed.user
    world.group.undo_claim(nadia)
    olga = UserFactory()
    world.invite.redeem(olga, claim_guest_id=claimed.pk)
    nadias_own = world.group.members.get(user=nadia)

    assert world.group.claim_undo_problem(nadias_own) is not None
    with pytest.raises(MembershipError, match="did not join this group as one of its guests"):
        world.group.undo_claim(nadia)
    claimed.refresh_from_db()
    assert claimed.user == olga


@pytest.mark.parametrize(
    "record",
    [
        lambda world, alice: add_expense(
            world.group, world.owner, paid={world.owner_membership: 500}, among=[alice]
        ),
        lambda world, alice: record_payment(world.member_membership, world.owner_membership, 100),
    ],
    ids=["expense", "payment"],
)
def test_it_is_too_late_once_money_was_recorded_since(client, world, claimed, record):
    record(world, claimed)
    client.force_login(claimed.user)

    response = client.post(undo_url(world))

    assert response.status_code == 422
    assert "Expenses or payments have been recorded since you joined as Alice" in response.text
    claimed.refresh_from_db()
    assert claimed.user is not None


def test_money_recorded_before_the_claim_does_not_count(world, claimed):
    """The fixture's expenses came before the claim: that history is Alice's to take back."""
    assert world.group.activities.filter(verb=Activity.Verb.EXPENSE_ADDED).count() == 2

    assert world.group.claim_undo_problem(claimed) is None


def test_it_is_too_late_once_the_claimer_was_given_a_role(world, claimed):
    world.group.change_role(claimed, Role.ADMIN, actor=world.owner)

    with pytest.raises(MembershipError, match="You are now an admin of this group"):
        world.group.undo_claim(claimed.user)


def test_it_is_too_late_once_a_new_guest_has_the_name(world, claimed):
    GuestFactory(group=world.group, name="alice")

    with pytest.raises(MembershipError, match="another guest called Alice"):
        world.group.undo_claim(claimed.user)
    assert Member.objects.filter(pk=claimed.pk, user__isnull=False).exists()
