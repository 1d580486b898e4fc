"""A member leaving a group on their own: the balance and last-owner rules removal has."""

import threading
import time

import pytest
from django.conf import settings
from django.db import IntegrityError, connection
from django.urls import reverse

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Activity, Group, Member, MembershipError, Role
from groups.tests.factories import MemberFactory
from groups.tests.test_membership_rules import run_at_once
from settlements.tests.factories import record_payment

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"
)


def leave_url(world):
    return reverse("groups:leave", args=[world.group.pk])


@pytest.fixture
def newcomer(world):
    """A plain member with no history in the group."""
    return MemberFactory(group=world.group, user=UserFactory(display_name="Nina Newcomer"))


def test_the_leave_page_asks_first(client, world, newcomer):
    client.force_login(newcomer.user)

    response = client.get(leave_url(world))

    assert response.status_code == 200
    assert "Leave Lisbon trip?" in response.text
    assert '<button type="submit" class="button-danger">Leave Lisbon trip</button>' in response.text
    assert Member.objects.filter(pk=newcomer.pk, is_active=True).exists()


def test_a_member_without_history_leaves_and_is_gone(client, world, newcomer):
    client.force_login(newcomer.user)

    response = client.post(leave_url(world), follow=True)

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "You left Lisbon trip." in response.text
    assert not Member.objects.filter(pk=newcomer.pk).exists()
    entry = world.group.activities.latest("id")
    assert (entry.verb, entry.actor, entry.summary) == (
        Activity.Verb.MEMBER_LEFT,
        newcomer.user,
        "left the group",
    )
    assert client.get(reverse("pages:group", args=[world.group.pk])).status_code == 404


def test_a_member_with_history_is_deactivated(client, world):
    record_payment(world.member_membership, world.owner_membership, 1500)
    client.force_login(world.member)

    response = client.post(leave_url(world), follow=True)

    assert "You left Lisbon trip. Your expenses and payments there keep your name." in (
        response.text
    )
    world.member_membership.refresh_from_db()
    assert not world.member_membership.is_active
    assert world.group.activities.latest("id").verb == Activity.Verb.MEMBER_LEFT


def test_someone_who_owes_cannot_leave(client, world):
    client.force_login(world.member)

    page = client.get(leave_url(world))
    response = client.post(leave_url(world))

    owes = "You still owe 15.00 EUR in this group. Settle up before you leave."
    assert owes in page.text
    assert "Leave Lisbon trip</button>" not in page.text
    assert response.status_code == 422
    assert owes in response.text
    world.member_membership.refresh_from_db()
    assert world.member_membership.is_active


def test_someone_who_is_owed_cannot_leave(world):
    MemberFactory(group=world.group, role=Role.OWNER)

    with pytest.raises(MembershipError, match=r"The group still owes you 15\.00 EUR"):
        world.group.leave(world.owner)


def test_the_only_owner_cannot_leave(client, world):
    record_payment(world.member_membership, world.owner_membership, 1500)
    client.force_login(world.owner)

    response = client.post(leave_url(world))

    assert response.status_code == 422
    assert "You are the only owner. Make someone else an owner" in response.text
    world.owner_membership.refresh_from_db()
    assert world.owner_membership.is_active


def test_an_owner_leaves_when_another_owner_stays(world):
    record_payment(world.member_membership, world.owner_membership, 1500)
    MemberFactory(group=world.group, role=Role.OWNER)

    world.group.leave(world.owner)

    world.owner_membership.refresh_from_db()
    assert not world.owner_membership.is_active


def test_the_balance_is_read_again_when_leaving(world, newcomer):
    """The page saw no balance; an expense recorded since then keeps the newcomer in."""
    assert world.group.leaving_problem(newcomer) is None
    add_expense(world.group, world.owner, paid={world.owner_membership: 1000}, among=[newcomer])

    with pytest.raises(MembershipError, match=r"You still owe 10\.00 EUR"):
        world.group.leave(newcomer.user)


def test_only_members_can_leave(world):
    with pytest.raises(MembershipError, match="You are not a member of this group"):
        world.group.leave(world.outsider)


def test_a_deactivated_member_cannot_come_back_through_an_invite(client, world, newcomer):
    record_payment(world.member_membership, world.owner_membership, 1500)
    world.group.leave(world.member)

    with pytest.raises(MembershipError, match="ask an admin to reactivate you"):
        world.invite.redeem(world.member)


def test_the_people_page_offers_leaving(client, world):
    client.force_login(world.member)

    response = client.get(reverse("groups:members", args=[world.group.pk]))

    assert f'<a href="{leave_url(world)}">Leave this group</a>' in response.text


@postgresql_only
def test_leaving_and_a_new_debt_at_once_never_leave_a_debt_behind(transactional_db, monkeypatch):
    owner = UserFactory()
    group = Group.objects.create_group(creator=owner, name="Porto")
    owner_membership = group.members.get(user=owner)
    leaver = MemberFactory(group=group)
    leaver_inside = threading.Event()
    lock_and_read = Group._lock_for_own_membership

    def then_let_the_expense_try(group, user):
        # Holds the leaver inside its change, having read a zero balance, while the expense
        # runs: only the group lock keeps the expense from landing in between.
        membership = lock_and_read(group, user)
        leaver_inside.set()
        time.sleep(0.5)
        return membership

    monkeypatch.setattr(Group, "_lock_for_own_membership", then_let_the_expense_try)

    def add_debt():
        leaver_inside.wait(timeout=10)
        add_expense(group, owner, paid={owner_membership: 1000}, among=[leaver])

    outcomes = run_at_once(lambda: group.leave(leaver.user), add_debt)

    assert outcomes[0] is None, outcomes
    # Queued behind the leaver, the expense finds them gone: the database refuses their share.
    assert isinstance(outcomes[1], IntegrityError), "landed between the check and the leaving"
    assert not Member.objects.filter(pk=leaver.pk).exists()
    owner_membership.refresh_from_db()
    assert owner_membership.balance == 0


def test_what_someone_still_owes_is_written_as_their_page_writes_amounts(client, world):
    client.force_login(world.member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    page = client.get(leave_url(world))

    assert "Du schuldest in dieser Gruppe noch 15,00\xa0€." in page.text
