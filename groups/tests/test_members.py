import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from groups.models import Member, MembershipError, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def add_url(world):
    return reverse("groups:member_add", args=[world.group.pk])


def test_adding_a_guest_with_htmx_returns_the_refreshed_panel(client, world):
    client.force_login(world.owner)

    response = client.post(add_url(world), {"guest_name": " Bob  Builder "}, headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="member-panel"' in response.text
    assert "Added Bob Builder." in response.text
    assert world.group.members.filter(name="Bob Builder", user__isnull=True).exists()


def test_adding_a_guest_without_javascript_redirects(client, world):
    client.force_login(world.owner)

    response = client.post(add_url(world), {"guest_name": "Bob"})

    assert response.status_code == 302
    assert response.url == reverse("groups:members", args=[world.group.pk])
    assert world.group.members.filter(name="Bob").exists()


@pytest.mark.parametrize("name", ["alice", " ALICE "])
def test_duplicate_guest_names_are_refused(client, world, name):
    client.force_login(world.owner)

    response = client.post(add_url(world), {"guest_name": name}, headers=HTMX)

    assert response.status_code == 422
    assert "already a guest called" in response.text
    assert world.group.members.filter(name__iexact="alice").count() == 1


@pytest.mark.parametrize(("name", "message"), [("", "required"), ("x" * 101, "at most 100")])
def test_bad_guest_names_are_refused(client, world, name, message):
    client.force_login(world.owner)
    before = world.group.members.count()

    response = client.post(add_url(world), {"guest_name": name}, headers=HTMX)

    assert response.status_code == 422
    assert message in response.text
    assert world.group.members.count() == before


def test_adding_someone_you_share_a_group_with(client, world):
    friend = UserFactory(display_name="Frida Friend")
    MemberFactory(group=GroupFactory(), user=friend)
    MemberFactory(group=friend.memberships.get().group, user=world.owner)
    client.force_login(world.owner)

    response = client.post(add_url(world), {"user_id": friend.pk}, headers=HTMX)

    assert response.status_code == 200
    assert world.group.members.filter(user=friend, role=Role.MEMBER).exists()


def test_strangers_cannot_be_added_by_id(client, world):
    client.force_login(world.owner)

    response = client.post(add_url(world), {"user_id": world.outsider.pk}, headers=HTMX)

    assert response.status_code == 422
    assert "only add people you already share a group with" in response.text
    assert not world.group.members.filter(user=world.outsider).exists()


def test_adding_an_existing_member_again_is_refused(client, world):
    other = GroupFactory()
    MemberFactory(group=other, user=world.owner)
    MemberFactory(group=other, user=world.member)
    client.force_login(world.owner)

    response = client.post(add_url(world), {"user_id": world.member.pk}, headers=HTMX)

    assert response.status_code == 422
    assert "already a member" in response.text


def test_search_finds_known_people_not_yet_in_the_group(client, world):
    other = GroupFactory()
    MemberFactory(group=other, user=world.owner)
    MemberFactory(group=other, user=world.member)
    MemberFactory(group=other, user=UserFactory(display_name="Maxine Known"))
    MemberFactory(group=GroupFactory(), user=UserFactory(display_name="Maximilian Stranger"))
    client.force_login(world.owner)
    url = reverse("groups:member_search", args=[world.group.pk])

    partial = client.get(url, {"q": "max"}, headers=HTMX)
    full = client.get(url, {"q": "max"})

    assert [p.display_name for p in partial.context["people"]] == ["Maxine Known"]
    assert "<html" not in partial.text
    assert "Add “max” as a guest" in partial.text
    assert "<html" in full.text
    assert "Add Maxine Known" in full.text


def search(client, world, query):
    url = reverse("groups:member_search", args=[world.group.pk])
    return client.get(url, {"q": query}, headers=HTMX)


def without_address_and_token(text, address):
    """The answer with the searched address and the per-render CSRF token taken out."""
    text = text.replace(address, "ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", text)


def test_an_unknown_address_is_offered_an_invite_by_email(client, world):
    client.force_login(world.owner)

    response = search(client, world, "Nadia@Example.com")

    assert response.status_code == 200
    assert "Nobody you share a group with has the address Nadia@Example.com." in response.text
    assert "Invite Nadia@Example.com by email" in response.text
    offer = re.search(
        r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrfmiddlewaretoken"'
        r'[^>]*>\s*<input type="hidden" name="email" value="([^"]+)">',
        response.text,
    )
    assert offer.groups() == (
        reverse("groups:invite_email", args=[world.group.pk]),
        "Nadia@Example.com",
    )
    assert "as a guest" not in response.text


def test_the_invite_offer_does_not_tell_who_has_an_account(client, world):
    """A registered stranger's address gets the very answer an unused address gets."""
    UserFactory(email="registered@example.com", display_name="Rita Registered")
    client.force_login(world.owner)

    registered = search(client, world, "registered@example.com")
    unused = search(client, world, "unused@example.com")

    assert "Invite registered@example.com by email" in registered.text
    assert "Rita" not in registered.text
    assert without_address_and_token(registered.text, "registered@example.com") == (
        without_address_and_token(unused.text, "unused@example.com")
    )


def test_the_address_of_someone_you_know_finds_them_instead(client, world):
    friend = UserFactory(email="frida@example.com", display_name="Frida Friend")
    other = GroupFactory()
    MemberFactory(group=other, user=world.owner)
    MemberFactory(group=other, user=friend)
    client.force_login(world.owner)

    response = search(client, world, "FRIDA@example.com")

    assert "Add Frida Friend" in response.text
    assert "by email" not in response.text


def test_a_name_is_not_offered_an_invite_by_email(client, world):
    client.force_login(world.owner)

    response = search(client, world, "nadia")

    assert "by email" not in response.text
    assert "Add “nadia” as a guest" in response.text


def test_changing_a_role(client, world):
    client.force_login(world.owner)

    client.post(
        reverse("groups:member_role", args=[world.group.pk, world.member_membership.pk]),
        {"role": Role.ADMIN},
    )

    world.member_membership.refresh_from_db()
    assert world.member_membership.role == Role.ADMIN


def test_admins_cannot_make_owners(client, world):
    world.member_membership.role = Role.ADMIN
    world.member_membership.save()
    client.force_login(world.member)

    response = client.post(
        reverse("groups:member_role", args=[world.group.pk, world.member_membership.pk]),
        {"role": Role.OWNER},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Only an owner can make or unmake owners" in response.text


def test_the_last_owner_cannot_step_down(client, world):
    second_admin = MemberFactory(group=world.group, role=Role.OWNER)
    client.force_login(second_admin.user)
    client.post(
        reverse("groups:member_role", args=[world.group.pk, world.owner_membership.pk]),
        {"role": Role.MEMBER},
    )
    client.force_login(world.owner)

    response = client.post(
        reverse("groups:member_role", args=[world.group.pk, second_admin.pk]),
        {"role": Role.MEMBER},
        headers=HTMX,
    )

    assert response.status_code == 403  # the former owner is no longer a manager
    second_admin.refresh_from_db()
    assert second_admin.role == Role.OWNER
    with pytest.raises(MembershipError, match="at least one owner"):
        world.group.change_role(second_admin, Role.MEMBER, actor=second_admin.user)


def test_removing_the_last_owner_is_refused(world):
    with pytest.raises(MembershipError, match="at least one owner"):
        world.group.remove_member(world.owner_membership, actor=world.owner)


def test_roles_are_not_for_guests(client, world):
    client.force_login(world.owner)

    response = client.post(
        reverse("groups:member_role", args=[world.group.pk, world.guest.pk]),
        {"role": Role.ADMIN},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Guests have no role" in response.text


def test_unknown_role_is_refused(client, world):
    client.force_login(world.owner)

    response = client.post(
        reverse("groups:member_role", args=[world.group.pk, world.member_membership.pk]),
        {"role": "emperor"},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Choose owner, admin or member" in response.text


def test_another_groups_member_id_is_404(client, world):
    stranger = GuestFactory(group=GroupFactory())
    client.force_login(world.owner)

    response = client.post(
        reverse("groups:member_remove", args=[world.group.pk, stranger.pk]), headers=HTMX
    )

    assert response.status_code == 404
    assert Member.objects.filter(pk=stranger.pk).exists()


def test_removing_a_member_without_history_deletes_them(client, world):
    client.force_login(world.owner)

    response = client.post(reverse("groups:member_remove", args=[world.group.pk, world.guest.pk]))

    assert response.url == reverse("groups:members", args=[world.group.pk])
    assert not Member.objects.filter(pk=world.guest.pk).exists()


def test_removing_a_member_with_a_balance_is_refused(client, world):
    world.guest.balance = 500
    world.guest.save()
    client.force_login(world.owner)

    response = client.post(
        reverse("groups:member_remove", args=[world.group.pk, world.guest.pk]), headers=HTMX
    )

    assert response.status_code == 422
    assert "still has a balance" in response.text
    assert "deactivate them" in response.text
    world.guest.refresh_from_db()
    assert world.guest.is_active


def test_deactivate_and_reactivate(client, world):
    client.force_login(world.owner)
    member_id = world.member_membership.pk

    client.post(reverse("groups:member_deactivate", args=[world.group.pk, member_id]))
    world.member_membership.refresh_from_db()
    assert not world.member_membership.is_active

    client.post(reverse("groups:member_reactivate", args=[world.group.pk, member_id]))
    world.member_membership.refresh_from_db()
    assert world.member_membership.is_active


def test_a_change_in_the_panel_clears_the_messages_shown_before(client, world):
    """The page's own message ("Created …") gives way to the panel's ("Added Bob.")."""
    client.force_login(world.owner)

    response = client.post(add_url(world), {"guest_name": "Bob"}, headers=HTMX)

    page_messages = re.findall(r'<div id="messages"[^>]*>(.*?)</div>', response.text, re.S)
    assert page_messages == [""]
    assert 'id="messages" class="messages" hx-swap-oob="true"' in response.text
    assert "Added Bob." in response.text


def test_a_role_change_reads_in_the_manager_s_language_and_is_kept_in_the_history_in_english(
    client, world
):
    client.force_login(world.owner)
    url = reverse("groups:member_role", args=[world.group.pk, world.member_membership.pk])

    # Whether or not the locale middleware picks the language from the request, German it is.
    with translation.override("de"):
        response = client.post(url, {"role": Role.ADMIN}, follow=True, HTTP_ACCEPT_LANGUAGE="de")

    assert "Max Member ist jetzt Admin." in response.content.decode()
    assert world.group.activities.order_by("-id").first().summary == (
        "changed Max Member from Member to Admin"
    )
