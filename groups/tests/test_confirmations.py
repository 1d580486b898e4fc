"""Removing a member and revoking an invite link ask first: a page without JavaScript, a
question in place with it (htmx's hx-confirm, no inline script)."""

import re

import pytest
from django.urls import reverse

from groups.models import Member

pytestmark = pytest.mark.django_db


def remove_url(world):
    return reverse("groups:member_remove", args=[world.group.pk, world.guest.pk])


def revoke_url(world):
    return reverse("groups:invite_revoke", args=[world.group.pk, world.invite.pk])


def test_removing_asks_first(client, world):
    client.force_login(world.owner)

    response = client.get(remove_url(world))

    assert response.status_code == 200
    assert "Remove Alice from Lisbon trip?" in response.text
    assert '<button type="submit" class="button-danger">Remove Alice</button>' in response.text
    assert f'href="{reverse("groups:members", args=[world.group.pk])}">Cancel</a>' in (
        response.text
    )
    assert Member.objects.filter(pk=world.guest.pk).exists()


def test_the_confirmed_removal_removes(client, world):
    client.force_login(world.owner)

    response = client.post(remove_url(world))

    assert response.status_code == 302
    assert not Member.objects.filter(pk=world.guest.pk).exists()


def test_a_plain_member_is_not_asked(client, world):
    client.force_login(world.member)

    assert client.get(remove_url(world)).status_code == 403


def test_the_people_page_links_remove_to_its_confirmation(client, world):
    client.force_login(world.owner)

    response = client.get(reverse("groups:members", args=[world.group.pk]))

    links = re.findall(
        r'<a class="button button-small button-destructive"[^>]*>Remove</a>', (response.text)
    )
    remove = next(link for link in links if "Alice" in link)
    assert f'href="{remove_url(world)}"' in remove
    assert f'hx-post="{remove_url(world)}"' in remove
    assert 'hx-confirm="Remove Alice from Lisbon trip?"' in remove
    assert "button-danger" not in response.text


def test_revoking_asks_first(client, world):
    client.force_login(world.owner)

    response = client.get(revoke_url(world))

    assert response.status_code == 200
    assert "Revoke this invite link?" in response.text
    assert "Nobody can join Lisbon trip with it any more." in response.text
    world.invite.refresh_from_db()
    assert world.invite.revoked_at is None


def test_the_invites_page_links_revoke_to_its_confirmation(client, world):
    client.force_login(world.owner)

    response = client.get(reverse("groups:invites", args=[world.group.pk]))

    revoke = re.search(r'<a class="button button-destructive"[^>]*>Revoke</a>', response.text)
    assert f'href="{revoke_url(world)}"' in revoke.group(0)
    assert f'hx-post="{revoke_url(world)}"' in revoke.group(0)
    assert 'hx-confirm="Revoke this invite link?' in revoke.group(0)


def test_a_revoked_link_has_nothing_left_to_confirm(client, world):
    client.force_login(world.owner)
    client.post(revoke_url(world))

    assert client.get(revoke_url(world)).status_code == 404
