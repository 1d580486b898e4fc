"""Archiving, roles, removing members and invite links: the people page's rules and words."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from api.tests.conftest import token
from groups.models import Activity, Invite, Member, Role
from groups.tests.factories import GroupFactory, MemberFactory
from settlements.tests.factories import record_payment


@pytest.fixture
def owner_token(world):
    return token(world.owner)


def group_path(world, rest=""):
    return f"/groups/{world.group.pk}{rest}"


def test_archive_and_unarchive(world, api, owner_token):
    archived = api.post(group_path(world, "/archive"), token=owner_token)
    assert archived.status_code == 200
    assert archived.json()["is_archived"] is True
    world.group.refresh_from_db()
    assert world.group.is_archived
    lines = world.group.activities.filter(verb=Activity.Verb.GROUP_ARCHIVED)
    assert lines.count() == 1
    # Asking again changes nothing and says nothing more in the feed.
    assert api.post(group_path(world, "/archive"), token=owner_token).status_code == 200
    assert lines.count() == 1
    unarchived = api.post(group_path(world, "/unarchive"), token=owner_token)
    assert unarchived.json()["is_archived"] is False
    world.group.refresh_from_db()
    assert not world.group.is_archived


def test_an_admin_may_archive(world, api):
    world.member_membership.role = Role.ADMIN
    world.member_membership.save()
    response = api.post(group_path(world, "/archive"), token=token(world.member))
    assert response.status_code == 200


def test_settings_edit_the_simplify_setting(world, api, owner_token):
    body = {"name": "Lisbon", "description": "May", "currency": "EUR", "simplify_debts": False}
    response = api.put(group_path(world), body, token=owner_token)
    assert response.status_code == 200
    world.group.refresh_from_db()
    assert (world.group.name, world.group.simplify_debts) == ("Lisbon", False)


def test_role_change(world, api, owner_token):
    path = group_path(world, f"/members/{world.member_membership.pk}/role")
    response = api.put(path, {"role": "admin"}, token=owner_token)
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    world.member_membership.refresh_from_db()
    assert world.member_membership.role == Role.ADMIN


def test_only_owners_make_owners(world, api):
    world.member_membership.role = Role.ADMIN
    world.member_membership.save()
    path = group_path(world, f"/members/{world.member_membership.pk}/role")
    response = api.put(path, {"role": "owner"}, token=token(world.member))
    assert response.status_code == 422
    assert response.json()["detail"] == "Only an owner can make or unmake owners."
    world.member_membership.refresh_from_db()
    assert world.member_membership.role == Role.ADMIN


def test_the_last_owner_stays(world, api, owner_token):
    path = group_path(world, f"/members/{world.owner_membership.pk}/role")
    response = api.put(path, {"role": "member"}, token=owner_token)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "A group needs at least one owner. Make someone else an owner first."
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"role": "boss"}, {"role": ["Choose owner, admin or member."]}),
        ({"role": "admin", "until": "May"}, {"until": ["Extra inputs are not permitted"]}),
        ({"role": 1}, {"role": ["Input should be a valid string"]}),
        ({}, {"role": ["Field required"]}),
    ],
)
def test_role_change_refuses_bad_input(world, api, owner_token, body, errors):
    path = group_path(world, f"/members/{world.member_membership.pk}/role")
    response = api.put(path, body, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    world.member_membership.refresh_from_db()
    assert world.member_membership.role == Role.MEMBER


def test_guests_have_no_role(world, api, owner_token):
    path = group_path(world, f"/members/{world.guest.pk}/role")
    response = api.put(path, {"role": "admin"}, token=owner_token)
    assert response.status_code == 422
    assert response.json()["detail"] == "Guests have no role; invite them to give them one."


def test_members_of_other_groups_are_not_found(world, api, owner_token):
    stranger = world.other_membership.pk
    for method, rest, body in [
        ("put", f"/members/{stranger}/role", {"role": "member"}),
        ("delete", f"/members/{stranger}", None),
        ("post", f"/members/{stranger}/deactivate", None),
    ]:
        response = api.call(method, group_path(world, rest), body, token=owner_token)
        assert response.status_code == 404
    world.other_membership.refresh_from_db()
    assert (world.other_membership.role, world.other_membership.is_active) == (Role.OWNER, True)


def test_removing_someone_without_history_deletes_them(world, api, owner_token):
    response = api.delete(group_path(world, f"/members/{world.guest.pk}"), token=owner_token)
    assert response.status_code == 200
    assert response.json() == {"detail": "Removed Alice.", "member": None}
    assert not Member.objects.filter(pk=world.guest.pk).exists()


def test_removing_someone_with_history_deactivates_them(world, api, owner_token):
    record_payment(world.member_membership, world.owner_membership, 1000)
    response = api.delete(
        group_path(world, f"/members/{world.member_membership.pk}"), token=owner_token
    )
    assert response.status_code == 200
    assert response.json()["detail"] == (
        "Max Member has history here, so they were deactivated instead."
    )
    assert response.json()["member"]["is_active"] is False
    world.member_membership.refresh_from_db()
    assert not world.member_membership.is_active


def test_someone_with_a_balance_is_not_removed(world, api, owner_token):
    response = api.delete(
        group_path(world, f"/members/{world.member_membership.pk}"), token=owner_token
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Max Member still has a balance in this group.")
    world.member_membership.refresh_from_db()
    assert world.member_membership.is_active


def test_deactivate_and_reactivate(world, api, owner_token):
    path = group_path(world, f"/members/{world.member_membership.pk}")
    response = api.post(f"{path}/deactivate", token=owner_token)
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["balance"] == -1000
    again = api.post(f"{path}/deactivate", token=owner_token)
    assert again.status_code == 422
    assert again.json()["detail"] == "Max Member is already deactivated."
    back = api.post(f"{path}/reactivate", token=owner_token)
    assert back.json()["is_active"] is True
    world.member_membership.refresh_from_db()
    assert world.member_membership.is_active


def test_an_admin_cannot_deactivate_an_owner(world, api):
    admin = MemberFactory(group=world.group, role=Role.ADMIN)
    path = group_path(world, f"/members/{world.owner_membership.pk}/deactivate")
    response = api.post(path, token=token(admin.user))
    assert response.status_code == 422
    assert response.json()["detail"] == "Only an owner can deactivate an owner."


@time_machine.travel(datetime.datetime(2026, 11, 3, 12, tzinfo=datetime.UTC), tick=False)
def test_create_list_and_revoke_invites(world, api, owner_token):
    path = group_path(world, "/invites")
    created = api.post(path, {"expires_in_days": 30, "max_uses": 5}, token=owner_token)
    assert created.status_code == 201
    invite = Invite.objects.get(pk=created.json()["id"])
    assert (invite.max_uses, invite.created_by) == (5, world.owner)
    assert invite.expires_at == timezone.now() + datetime.timedelta(days=30)
    assert created.json()["url"] == f"http://testserver/join/{invite.token}/"
    forever = api.post(path, {"expires_in_days": 0}, token=owner_token).json()
    assert (forever["expires_at"], forever["max_uses"]) == (None, None)
    listed = api.get(path, token=owner_token).json()
    assert [row["id"] for row in listed] == [forever["id"], invite.pk]
    revoked = api.delete(f"{path}/{invite.pk}", token=owner_token)
    assert revoked.status_code == 204
    invite.refresh_from_db()
    assert invite.problem == "This invite link was revoked. Ask the group for a new one."
    assert [row["id"] for row in api.get(path, token=owner_token).json()] == [forever["id"]]
    assert api.delete(f"{path}/{invite.pk}", token=owner_token).status_code == 404


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"expires_in_days": 3},
            {"expires_in_days": ["Select a valid choice. 3 is not one of the available choices."]},
        ),
        ({"max_uses": 0}, {"max_uses": ["Ensure this value is greater than or equal to 1."]}),
        (
            {"max_uses": 2.5},
            {"max_uses": ["Input should be a valid integer, got a number with a fractional part"]},
        ),
        ({"uses": 1}, {"uses": ["Extra inputs are not permitted"]}),
    ],
)
def test_invites_refuse_bad_input(world, api, owner_token, body, errors):
    response = api.post(group_path(world, "/invites"), body, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    assert not world.group.invites.exists()


def test_invites_of_other_groups_are_not_found(world, api, owner_token):
    theirs = world.other_group.create_invite(actor=world.outsider, expires_in_days=7, max_uses=None)
    response = api.delete(group_path(world, f"/invites/{theirs.pk}"), token=owner_token)
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_invite_by_email_sends_a_link_that_works_once(world, api, owner_token):
    response = api.post(
        group_path(world, "/invites/email"), {"email": "friend@example.com"}, token=owner_token
    )
    assert response.status_code == 201
    (message,) = mail.outbox
    assert message.to == ["friend@example.com"]
    assert message.subject == "Olivia Owner invites you to Lisbon trip on Splitclone"
    link = re.search(r"http://testserver/join/[^/]+/", message.body).group(0)
    assert response.json()["url"] == link
    assert response.json()["max_uses"] == 1


def test_invite_by_email_needs_an_address(world, api, owner_token):
    response = api.post(group_path(world, "/invites/email"), {"email": "nope"}, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == {"email": ["Enter a valid email address."]}
    assert not mail.outbox


def test_invites_by_email_are_capped_per_hour(world, api, owner_token, monkeypatch):
    monkeypatch.setattr("groups.services.INVITE_EMAILS_PER_HOUR", 2)
    path = group_path(world, "/invites/email")
    for n in range(2):
        body = {"email": f"friend{n}@example.com"}
        assert api.post(path, body, token=owner_token).status_code == 201
    response = api.post(path, {"email": "friend2@example.com"}, token=owner_token)
    assert response.status_code == 429
    assert response.json()["detail"].startswith(
        "You have sent 2 invites by email in the last hour."
    )
    assert len(mail.outbox) == 2
    assert world.group.invites.count() == 2


def test_add_someone_you_share_a_group_with(world, api, owner_token):
    club = GroupFactory(name="Club", created_by=world.owner)
    MemberFactory(group=club, user=world.owner, role=Role.OWNER)
    friend = MemberFactory(group=club).user
    path = group_path(world, "/members")
    added = api.post(path, {"user_id": friend.pk}, token=owner_token)
    assert added.status_code == 201
    assert world.group.members.get(pk=added.json()["id"]).user == friend
    assert added.json()["user_id"] == friend.pk
    again = api.post(path, {"user_id": friend.pk}, token=owner_token)
    assert again.status_code == 422
    assert again.json()["detail"] == f"{friend.display_name} is already a member of this group."


def test_strangers_are_not_added(world, api, owner_token):
    response = api.post(
        group_path(world, "/members"), {"user_id": world.outsider.pk}, token=owner_token
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "user_id": ["You can only add people you already share a group with."]
    }
    assert not world.group.members.filter(user=world.outsider).exists()


def test_leaving_once_settled(world, api):
    record_payment(world.member_membership, world.owner_membership, 1000)
    response = api.post(group_path(world, "/leave"), token=token(world.member))
    assert response.status_code == 200
    assert response.json() == {
        "detail": "You left Lisbon trip. Your expenses and payments there keep your name."
    }
    world.member_membership.refresh_from_db()
    assert not world.member_membership.is_active


def test_leaving_with_a_balance_is_refused(world, api):
    response = api.post(group_path(world, "/leave"), token=token(world.member))
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "You still owe 10.00 EUR in this group. Settle up before you leave."
    )
    world.member_membership.refresh_from_db()
    assert world.member_membership.is_active


def test_the_only_owner_does_not_leave(world, api, owner_token):
    response = api.post(group_path(world, "/leave"), token=owner_token)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "You are the only owner. Make someone else an owner before you leave."
    )


def claimed(world):
    """Someone who joined through an invite as the guest Alice."""
    newcomer = UserFactory(display_name="Alicia")
    invite = world.group.create_invite(actor=world.owner, expires_in_days=7, max_uses=None)
    invite.redeem(newcomer, claim_guest_id=world.guest.pk)
    return newcomer


def test_not_me_gives_the_guest_back(world, api):
    newcomer = claimed(world)
    response = api.post(group_path(world, "/not-me"), token=token(newcomer))
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["is_guest"]) == ("Alicia", False)
    world.guest.refresh_from_db()
    assert world.guest.is_guest


def test_not_me_once_money_moved_is_refused(world, api):
    newcomer = claimed(world)
    record_payment(world.member_membership, world.owner_membership, 100)
    response = api.post(group_path(world, "/not-me"), token=token(newcomer))
    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "Expenses or payments have been recorded since you joined as Alice"
    )
    world.guest.refresh_from_db()
    assert world.guest.user == newcomer
