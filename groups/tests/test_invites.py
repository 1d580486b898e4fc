import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from groups.models import Activity, Invite, Member, MembershipError, Role
from groups.tests.factories import InviteFactory, MemberFactory

pytestmark = pytest.mark.django_db


def join_url(invite):
    return reverse("groups:join", args=[invite.token])


def test_creating_an_invite_link(client, world):
    client.force_login(world.owner)

    response = client.post(
        reverse("groups:invites", args=[world.group.pk]),
        {"expires_in_days": 7, "max_uses": 3},
        follow=True,
    )

    invite = world.group.invites.latest("created_at")
    assert invite.max_uses == 3
    assert timedelta(days=6, hours=23) < invite.expires_at - timezone.now() <= timedelta(days=7)
    assert f"/join/{invite.token}/" in response.text


def test_bad_invite_options_are_refused(client, world):
    client.force_login(world.owner)
    before = Invite.objects.count()

    response = client.post(
        reverse("groups:invites", args=[world.group.pk]), {"expires_in_days": 7, "max_uses": 0}
    )

    assert response.status_code == 422
    assert "greater than or equal to 1" in response.text
    assert Invite.objects.count() == before


def test_the_qr_code_is_an_svg_of_the_link(client, world):
    client.force_login(world.owner)

    response = client.get(reverse("groups:invite_qr", args=[world.group.pk, world.invite.pk]))

    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert b'xmlns="http://www.w3.org/2000/svg"' in response.content
    assert b"<path" in response.content


def test_revoking_a_link_stops_it_working(client, world):
    client.force_login(world.owner)
    client.post(reverse("groups:invite_revoke", args=[world.group.pk, world.invite.pk]))
    client.force_login(world.outsider)

    response = client.get(join_url(world.invite))

    assert response.status_code == 410
    assert "revoked" in response.text


def landing_links(response):
    """The landing page's links, by their text."""
    return dict(
        (text, href)
        for href, text in re.findall(r'<a class="button" href="([^"]+)">([^<]+)</a>', response.text)
    )


def test_a_logged_out_visitor_sees_who_invites_them_to_what(client, world):
    response = client.get(join_url(world.invite))

    assert response.status_code == 200
    assert "Olivia Owner invited you to Lisbon trip" in response.text
    assert "3 people share expenses in this group" in response.text
    next_join = urlencode({"next": join_url(world.invite)})
    assert landing_links(response) == {
        "Sign up": f"{reverse('account_signup')}?{next_join}",
        "Log in": f"{reverse('account_login')}?{next_join}",
    }
    assert "I am Alice" not in response.text


def test_a_group_of_one_reads_in_the_singular(client, db):
    solo = MemberFactory(role=Role.OWNER)

    response = client.get(join_url(InviteFactory(group=solo.group)))

    assert "1 person shares expenses in this group" in response.text


def test_joining_needs_an_account_first(client, world):
    response = client.post(join_url(world.invite), {"claim": ""})

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={join_url(world.invite)}"
    assert (
        not world.group.members.filter(user__isnull=False)
        .exclude(pk__in=[world.owner_membership.pk, world.member_membership.pk])
        .exists()
    )


def revoked(world):
    world.invite.revoked_at = timezone.now()
    world.invite.save()
    return world.invite


def expired(world):
    return InviteFactory(group=world.group, expires_at=timezone.now() - timedelta(minutes=1))


def used_up(world):
    return InviteFactory(group=world.group, max_uses=1, uses=1)


@pytest.mark.parametrize(
    ("make_invite", "problem"),
    [(revoked, "was revoked"), (expired, "has expired"), (used_up, "has been used up")],
)
def test_a_logged_out_visitor_with_a_dead_link_is_told_so_at_once(
    client, world, make_invite, problem
):
    response = client.get(join_url(make_invite(world)))

    assert response.status_code == 410
    assert problem in response.text
    assert "invited you" not in response.text


def test_a_logged_out_visitor_with_a_forged_link_gets_404(client, world):
    response = client.get(reverse("groups:join", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "not valid" in response.text


def test_signing_up_from_the_landing_page_comes_back_to_the_invite(client, world, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    join = join_url(world.invite)
    signup = client.get(landing_links(client.get(join))["Sign up"])
    password = "plum-harbour-velvet-42"

    assert f'<input type="hidden" name="next" value="{join}">' in signup.text
    client.post(
        reverse("account_signup"),
        {
            "display_name": "Nadia New",
            "email": "nadia@example.com",
            "password1": password,
            "password2": password,
            "next": join,
        },
    )
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    response = client.post(link)

    assert response.url == join
    assert "Join Lisbon trip" in client.get(join).text


def test_logging_in_from_the_landing_page_comes_back_to_the_invite(client, world):
    join = join_url(world.invite)
    login = client.get(landing_links(client.get(join))["Log in"])

    assert f'<input type="hidden" name="next" value="{join}">' in login.text
    response = client.post(
        reverse("account_login"),
        {"login": world.outsider.email, "password": DEFAULT_PASSWORD, "next": join},
    )

    assert response.url == join


def test_joining_through_a_link(client, world):
    client.force_login(world.outsider)

    response = client.post(join_url(world.invite), {"claim": ""})

    assert response.url == reverse("pages:group", args=[world.group.pk])
    assert world.group.members.filter(user=world.outsider, is_active=True).exists()
    world.invite.refresh_from_db()
    assert world.invite.uses == 1
    assert Activity.objects.filter(verb=Activity.Verb.INVITE_USED).exists()


def test_claiming_a_guest_makes_their_history_yours(client, world):
    client.force_login(world.outsider)

    page = client.get(join_url(world.invite))
    response = client.post(join_url(world.invite), {"claim": world.guest.pk}, follow=True)

    assert "I am Alice" in page.text
    world.guest.refresh_from_db()
    assert world.guest.user == world.outsider
    assert world.group.members.filter(user=world.outsider).count() == 1
    assert "You joined as Alice. Not Alice? Say so on the people page" in response.text


def test_the_guests_are_offered_beside_joining_as_oneself(client, world):
    client.force_login(world.outsider)

    page = client.get(join_url(world.invite))

    choices = re.findall(r'<input type="radio" name="claim" value="([^"]*)"', page.text)
    assert choices == ["", str(world.guest.pk)]
    assert "None of these, join as myself" in page.text


def test_choosing_none_of_the_guests_joins_as_oneself(client, world):
    client.force_login(world.outsider)

    client.post(join_url(world.invite), {"claim": ""})

    world.guest.refresh_from_db()
    assert world.guest.is_guest
    joined = world.group.members.get(user=world.outsider)
    assert joined.name == ""


def test_a_claimed_guest_cannot_be_claimed_again(client, world):
    newcomer = UserFactory()
    world.group.members.filter(pk=world.guest.pk).update(user=newcomer)
    client.force_login(world.outsider)

    response = client.post(join_url(world.invite), {"claim": world.guest.pk})

    assert response.status_code == 422
    assert not world.group.members.filter(user=world.outsider).exists()


def test_claiming_a_guest_already_taken_in_a_race_is_refused(world):
    claimed_by_someone_else = UserFactory()
    world.group.members.filter(pk=world.guest.pk).update(user=claimed_by_someone_else)

    with pytest.raises(MembershipError, match="already been claimed"):
        world.invite.redeem(world.outsider, claim_guest_id=world.guest.pk)


def test_joining_twice_is_refused(client, world):
    client.force_login(world.member)

    page = client.get(join_url(world.invite))

    assert "You are already a member" in page.text
    with pytest.raises(MembershipError, match="already a member"):
        world.invite.redeem(world.member)


def test_used_up_link_says_so(client, world):
    invite = InviteFactory(group=world.group, max_uses=1)
    invite.redeem(UserFactory())
    client.force_login(world.outsider)

    response = client.get(join_url(invite))

    assert response.status_code == 410
    assert "used up" in response.text
    assert not Member.objects.filter(user=world.outsider).exists()


def test_expired_link_says_so(client, world):
    invite = InviteFactory(group=world.group, expires_at=timezone.now() + timedelta(days=1))
    client.force_login(world.outsider)

    with time_machine.travel(timezone.now() + timedelta(days=2)):
        response = client.post(join_url(invite), {"claim": ""})

    assert response.status_code == 410
    assert "expired" in response.text
    assert not Member.objects.filter(user=world.outsider).exists()


def test_forged_token_is_404(client, world):
    client.force_login(world.outsider)

    response = client.get(reverse("groups:join", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "not valid" in response.text


def test_invite_by_email_sends_a_single_use_link(client, world):
    client.force_login(world.owner)

    client.post(
        reverse("groups:invite_email", args=[world.group.pk]), {"email": "friend@example.com"}
    )

    assert mail.outbox[0].to == ["friend@example.com"]
    token = re.search(r"/join/([^/]+)/", mail.outbox[0].body).group(1)
    assert Invite.objects.get(token=token).max_uses == 1


def test_invite_by_email_needs_a_valid_address(client, world):
    client.force_login(world.owner)

    response = client.post(
        reverse("groups:invite_email", args=[world.group.pk]), {"email": "nope"}, follow=True
    )

    assert "Enter a valid email address" in response.text
    assert not mail.outbox


def test_invites_by_email_are_capped_per_hour(client, world, monkeypatch):
    monkeypatch.setattr("groups.services.INVITE_EMAILS_PER_HOUR", 2)
    client.force_login(world.owner)
    url = reverse("groups:invite_email", args=[world.group.pk])

    for n in range(3):
        response = client.post(url, {"email": f"friend{n}@example.com"}, follow=True)

    assert len(mail.outbox) == 2
    assert "sent 2 invites by email in the last hour" in response.text


def test_a_new_user_comes_back_to_the_invite_after_verifying(client, world, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    join = join_url(world.invite)
    password = "plum-harbour-velvet-42"

    client.post(
        f"{reverse('account_signup')}?next={join}",
        {
            "display_name": "Nadia New",
            "email": "nadia@example.com",
            "password1": password,
            "password2": password,
            "next": join,
        },
    )
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    response = client.post(link)

    assert response.url == join
    assert "Join Lisbon trip" in client.get(join).text
