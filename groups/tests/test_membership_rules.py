"""Who may change a group's members, checked by the model for every caller and held by the
database where it can express the rule."""

import contextlib
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from accounts.tests.factories import UserFactory
from groups.models import Activity, Group, Member, MembershipError, Role
from groups.tests.factories import GroupFactory, MemberFactory

HTMX = {"HX-Request": "true"}
ONLY_MANAGERS = "Only the group's owners and admins can change its members."
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks and deferred triggers"
)


def add_guest(world, actor):
    world.group.add_guest("Bob", actor=actor)


def add_user(world, actor):
    world.group.add_user(UserFactory(), actor=actor)


def change_role(world, actor):
    world.group.change_role(MemberFactory(group=world.group), Role.ADMIN, actor=actor)


def remove(world, actor):
    world.group.remove_member(world.guest, actor=actor)


def deactivate(world, actor):
    world.group.deactivate_member(world.guest, actor=actor)


def reactivate(world, actor):
    world.group.reactivate_member(MemberFactory(group=world.group, is_active=False), actor=actor)


EVERY_CHANGE = [add_guest, add_user, change_role, remove, deactivate, reactivate]


def plain_member(world):
    return world.member


def outsider(world):
    return world.outsider


def deactivated_admin(world):
    return MemberFactory(group=world.group, role=Role.ADMIN, is_active=False).user


def active_admin(world):
    return MemberFactory(group=world.group, role=Role.ADMIN).user


def second_owner(world):
    return MemberFactory(group=world.group, role=Role.OWNER)


@pytest.mark.django_db
@pytest.mark.parametrize("change", EVERY_CHANGE)
@pytest.mark.parametrize("actor", [plain_member, outsider, deactivated_admin])
def test_only_active_managers_change_members(world, change, actor):
    acting_user = actor(world)
    history = world.group.activities.count()

    with pytest.raises(MembershipError) as refusal:
        change(world, acting_user)

    assert refusal.value.messages == [ONLY_MANAGERS]
    assert world.group.activities.count() == history


@pytest.mark.django_db
@pytest.mark.parametrize("change", EVERY_CHANGE)
def test_admins_change_plain_members(world, change):
    history = world.group.activities.count()

    change(world, active_admin(world))

    assert world.group.activities.count() == history + 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda group, owner, actor: group.deactivate_member(owner, actor=actor),
            "Only an owner can deactivate an owner.",
        ),
        (
            lambda group, owner, actor: group.remove_member(owner, actor=actor),
            "Only an owner can remove an owner.",
        ),
        (
            lambda group, owner, actor: group.change_role(owner, Role.ADMIN, actor=actor),
            "Only an owner can make or unmake owners.",
        ),
    ],
    ids=["deactivate", "remove", "demote"],
)
def test_admins_cannot_take_an_owner_out(world, change, message):
    owner = second_owner(world)

    with pytest.raises(MembershipError) as refusal:
        change(world.group, owner, active_admin(world))

    assert refusal.value.messages == [message]
    owner.refresh_from_db()
    assert (owner.role, owner.is_active) == (Role.OWNER, True)


@pytest.mark.django_db
def test_an_owner_takes_another_owner_out(world):
    owner = second_owner(world)

    world.group.deactivate_member(owner, actor=world.owner)

    owner.refresh_from_db()
    assert not owner.is_active


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bring_back",
    [
        lambda group, owner, actor: group.reactivate_member(owner, actor=actor),
        lambda group, owner, actor: group.add_user(owner.user, actor=actor),
    ],
    ids=["reactivate", "add again"],
)
def test_only_an_owner_brings_back_an_owner(world, bring_back):
    owner = MemberFactory(group=world.group, role=Role.OWNER, is_active=False)

    with pytest.raises(MembershipError) as refusal:
        bring_back(world.group, owner, active_admin(world))
    bring_back(world.group, owner, world.owner)

    assert refusal.value.messages == ["Only an owner can reactivate an owner."]
    owner.refresh_from_db()
    assert owner.is_active


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "subject", "after"),
    [
        (
            lambda group, member, actor: group.deactivate_member(
                member, actor=actor, as_support=True
            ),
            second_owner,
            (Role.OWNER, False),
        ),
        (
            lambda group, member, actor: group.reactivate_member(
                member, actor=actor, as_support=True
            ),
            lambda world: MemberFactory(group=world.group, role=Role.OWNER, is_active=False),
            (Role.OWNER, True),
        ),
        (
            lambda group, member, actor: group.change_role(
                member, Role.OWNER, actor=actor, as_support=True
            ),
            lambda world: world.member_membership,
            (Role.OWNER, True),
        ),
    ],
    ids=["deactivate an owner", "reactivate an owner", "make an owner"],
)
def test_only_staff_act_as_support_with_an_owner_s_authority(
    world, support, change, subject, after
):
    member = subject(world)

    with pytest.raises(MembershipError) as refusal:
        change(world.group, member, world.owner)
    change(world.group, member, support)

    assert refusal.value.messages == ["Only support staff can change members as support."]
    member.refresh_from_db()
    assert (member.role, member.is_active) == after
    entry = world.group.activities.latest("id")
    assert (entry.actor, entry.summary.endswith(" (support)")) == (support, True)


@pytest.mark.django_db
def test_a_manager_adding_a_former_member_reactivates_them(world):
    world.member_membership.is_active = False
    world.member_membership.save()

    member = world.group.add_user(world.member, actor=world.owner)

    assert member.pk == world.member_membership.pk
    assert member.is_active
    assert world.group.activities.latest("id").verb == Activity.Verb.MEMBER_REACTIVATED


@pytest.mark.django_db
def test_roles_outside_the_choices_are_refused_by_the_model(world):
    with pytest.raises(MembershipError) as refusal:
        world.group.change_role(world.member_membership, "emperor", actor=world.owner)

    assert refusal.value.messages == ["Choose owner, admin or member."]


@pytest.mark.django_db
def test_a_deactivated_member_keeps_their_role_until_reactivated(world):
    world.member_membership.is_active = False
    world.member_membership.save()

    with pytest.raises(MembershipError) as refusal:
        world.group.change_role(world.member_membership, Role.ADMIN, actor=world.owner)

    assert refusal.value.messages == [
        "Max Member is deactivated. Reactivate them before changing their role."
    ]


@pytest.mark.django_db
def test_reactivating_an_active_member_is_refused(world):
    with pytest.raises(MembershipError) as refusal:
        world.group.reactivate_member(world.guest, actor=world.owner)

    assert refusal.value.messages == ["Alice is already an active member."]


# Each change re-reads its target under the group lock: the page that sent the request may
# show a member as they were before someone else changed them.


@pytest.mark.django_db
def test_deactivating_someone_deactivated_meanwhile_is_refused(world):
    as_the_page_saw_it = Member.objects.get(pk=world.guest.pk)
    Member.objects.filter(pk=world.guest.pk).update(is_active=False)

    with pytest.raises(MembershipError) as refusal:
        world.group.deactivate_member(as_the_page_saw_it, actor=world.owner)

    assert refusal.value.messages == ["Alice is already deactivated."]
    assert world.group.activities.filter(verb=Activity.Verb.MEMBER_DEACTIVATED).count() == 0


@pytest.mark.django_db
def test_a_balance_booked_meanwhile_stops_the_removal(world):
    as_the_page_saw_it = Member.objects.get(pk=world.guest.pk)
    Member.objects.filter(pk=world.guest.pk).update(balance=500)

    with pytest.raises(MembershipError, match="Alice still has a balance"):
        world.group.remove_member(as_the_page_saw_it, actor=world.owner)

    assert Member.objects.filter(pk=world.guest.pk, is_active=True).exists()


@pytest.mark.django_db
def test_an_admin_cannot_deactivate_someone_made_owner_meanwhile(world):
    as_the_page_saw_it = Member.objects.get(pk=world.member_membership.pk)
    Member.objects.filter(pk=world.member_membership.pk).update(role=Role.OWNER)

    with pytest.raises(MembershipError) as refusal:
        world.group.deactivate_member(as_the_page_saw_it, actor=active_admin(world))

    assert refusal.value.messages == ["Only an owner can deactivate an owner."]


@pytest.mark.django_db
def test_someone_removed_meanwhile_is_no_longer_there(world):
    as_the_page_saw_it = Member.objects.get(pk=world.guest.pk)
    Member.objects.filter(pk=world.guest.pk).delete()

    with pytest.raises(MembershipError) as refusal:
        world.group.deactivate_member(as_the_page_saw_it, actor=world.owner)

    assert refusal.value.messages == ["Alice is no longer in this group."]


@pytest.mark.django_db
def test_members_of_another_group_are_out_of_reach(world):
    elsewhere = MemberFactory(group=GroupFactory(), user=UserFactory(display_name="Eve"))

    with pytest.raises(MembershipError) as refusal:
        world.group.deactivate_member(elsewhere, actor=world.owner)

    assert refusal.value.messages == ["Eve is not in this group."]
    elsewhere.refresh_from_db()
    assert elsewhere.is_active


# Invite links let newcomers in, never someone a manager took out.

REJOIN_REFUSED = "You were a member of this group before; ask an admin to reactivate you."


@pytest.mark.django_db
@pytest.mark.parametrize("claim_guest", [False, True], ids=["plain", "claiming a guest"])
def test_a_deactivated_member_cannot_rejoin_through_a_link(world, claim_guest):
    world.member_membership.is_active = False
    world.member_membership.save()

    with pytest.raises(MembershipError) as refusal:
        world.invite.redeem(world.member, claim_guest_id=world.guest.pk if claim_guest else None)

    assert refusal.value.messages == [REJOIN_REFUSED]
    world.member_membership.refresh_from_db()
    world.invite.refresh_from_db()
    assert not world.member_membership.is_active
    assert world.invite.uses == 0


@pytest.mark.django_db
def test_the_join_page_refuses_a_deactivated_member(client, world):
    world.member_membership.is_active = False
    world.member_membership.save()
    client.force_login(world.member)

    response = client.post(reverse("groups:join", args=[world.invite.token]), {"claim": ""})

    assert response.status_code == 422
    assert REJOIN_REFUSED in response.text
    world.member_membership.refresh_from_db()
    assert not world.member_membership.is_active


@pytest.mark.django_db
def test_the_member_panel_brings_back_a_former_member(client, world):
    world.member_membership.is_active = False
    world.member_membership.save()
    elsewhere = GroupFactory()
    MemberFactory(group=elsewhere, user=world.owner)
    MemberFactory(group=elsewhere, user=world.member)
    client.force_login(world.owner)

    response = client.post(
        reverse("groups:member_add", args=[world.group.pk]),
        {"user_id": world.member.pk},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "Added Max Member." in response.text
    world.member_membership.refresh_from_db()
    assert world.member_membership.is_active


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "data", "message"),
    [
        ("groups:member_deactivate", {}, "Only an owner can deactivate an owner."),
        ("groups:member_remove", {}, "Only an owner can remove an owner."),
        ("groups:member_role", {"role": Role.MEMBER}, "Only an owner can make or unmake owners."),
    ],
)
def test_the_member_panel_refuses_an_admin_acting_on_an_owner(
    client, world, url_name, data, message
):
    owner = second_owner(world)
    client.force_login(active_admin(world))

    response = client.post(reverse(url_name, args=[world.group.pk, owner.pk]), data, headers=HTMX)

    assert response.status_code == 422
    assert message in response.text
    owner.refresh_from_db()
    assert (owner.role, owner.is_active) == (Role.OWNER, True)


@pytest.mark.django_db
def test_the_member_panel_refuses_an_admin_reactivating_an_owner(client, world):
    owner = MemberFactory(group=world.group, role=Role.OWNER, is_active=False)
    client.force_login(active_admin(world))

    response = client.post(
        reverse("groups:member_reactivate", args=[world.group.pk, owner.pk]), headers=HTMX
    )

    assert response.status_code == 422
    assert "Only an owner can reactivate an owner." in response.text
    owner.refresh_from_db()
    assert not owner.is_active


# The database holds what the code assumes, whoever writes.


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        lambda world: Member.objects.filter(pk=world.member_membership.pk).update(role="emperor"),
        lambda world: world.group.invites.create(created_by=world.owner, max_uses=1, uses=2),
        lambda world: Activity.objects.create(group=world.group, verb="teleported", summary="…"),
    ],
    ids=["member role", "invite uses", "activity verb"],
)
def test_values_outside_the_rules_are_refused_by_the_database(world, write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write(world)


@pytest.fixture
def owned_group(transactional_db):
    """A committed group with one owner, made as the app makes it."""
    owner = UserFactory()
    return Group.objects.create_group(creator=owner, name="Porto"), owner


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda owner_row: owner_row.update(role=Role.ADMIN), id="demote"),
        pytest.param(lambda owner_row: owner_row.update(is_active=False), id="deactivate"),
        pytest.param(lambda owner_row: owner_row.update(group=GroupFactory()), id="move"),
        pytest.param(lambda owner_row: owner_row.delete(), id="delete", marks=postgresql_only),
    ],
)
def test_the_database_keeps_an_active_owner(owned_group, change):
    group, owner = owned_group
    owner_row = Member.objects.filter(user=owner)

    with pytest.raises(IntegrityError), transaction.atomic():
        change(owner_row)

    assert owner_row.get().group == group
    assert owner_row.get().role == Role.OWNER


def test_the_database_lets_a_group_go_with_its_owners(owned_group):
    group, _ = owned_group
    MemberFactory(group=group, role=Role.OWNER)

    with transaction.atomic():
        group.delete()

    assert not Member.objects.filter(group_id=group.pk).exists()


def test_the_database_lets_owners_hand_over(owned_group):
    group, owner = owned_group
    successor = MemberFactory(group=group)

    with transaction.atomic():
        group.change_role(successor, Role.OWNER, actor=owner)
        group.change_role(group.members.get(user=owner), Role.MEMBER, actor=owner)

    assert list(group.members.filter(role=Role.OWNER)) == [successor]


# Concurrent writers, each on its own connection.


def run_at_once(*writes):
    """Runs each write in its own thread and connection; returns what each raised, or None."""
    outcomes = [None] * len(writes)

    def run(index, write):
        try:
            write()
        except Exception as error:  # reported to the test below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(writes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@postgresql_only
def test_two_owners_demoting_each_other_at_once_leave_one_owner(owned_group, monkeypatch):
    group, ana = owned_group
    ana_membership = group.members.get(user=ana)
    ben_membership = MemberFactory(group=group, role=Role.OWNER)
    both_inside = threading.Barrier(2, timeout=1)
    lock_and_read_actor = Group._lock_for_membership_change

    def then_wait_for_the_other(group, actor, **options):
        # Holds the first writer inside its change until the second has read the same state,
        # unless the lock keeps the second out: then the wait times out and the first goes on.
        actor_role = lock_and_read_actor(group, actor, **options)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_inside.wait()
        return actor_role

    monkeypatch.setattr(Group, "_lock_for_membership_change", then_wait_for_the_other)

    outcomes = run_at_once(
        lambda: group.change_role(ben_membership, Role.MEMBER, actor=ana),
        lambda: group.change_role(ana_membership, Role.MEMBER, actor=ben_membership.user),
    )

    refusals = [outcome for outcome in outcomes if outcome is not None]
    assert len(refusals) == 1, outcomes
    assert isinstance(refusals[0], MembershipError), outcomes
    assert refusals[0].messages == [ONLY_MANAGERS]
    assert group.members.filter(role=Role.OWNER, is_active=True).count() == 1


@postgresql_only
def test_the_database_refuses_two_writers_removing_both_owners(owned_group):
    group, ana = owned_group
    ben_membership = MemberFactory(group=group, role=Role.OWNER)
    both_written = threading.Barrier(2, timeout=10)

    def demote(member_filter):
        with transaction.atomic():
            group.members.filter(**member_filter).update(role=Role.MEMBER)
            # Neither commits before both have written: each sees the other's owner still there.
            both_written.wait()

    outcomes = run_at_once(lambda: demote({"user": ana}), lambda: demote({"pk": ben_membership.pk}))

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["IntegrityError", "NoneType"]
    assert group.members.filter(role=Role.OWNER, is_active=True).count() == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda world: world.group.deactivate_member(world.member_membership, actor=world.owner),
        lambda world: world.group.reactivate_member(world.guest, actor=world.owner),
        lambda world: world.group.change_role(
            world.member_membership, Role.ADMIN, actor=world.owner
        ),
        lambda world: world.group.add_guest("Bruno", actor=world.owner),
    ],
)
def test_a_membership_change_that_fails_halfway_leaves_nothing(world, change, monkeypatch):
    # Each change is one transaction (which is also what lets it hold the group's lock): when
    # its activity line cannot be written, the change itself is undone.
    Member.objects.filter(pk=world.guest.pk).update(is_active=False)
    world.guest.refresh_from_db()
    before = sorted(Member.objects.filter(group=world.group).values_list("pk", "role", "is_active"))

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Activity, "record", fail)
    with pytest.raises(RuntimeError):
        change(world)

    after = sorted(Member.objects.filter(group=world.group).values_list("pk", "role", "is_active"))
    assert after == before
