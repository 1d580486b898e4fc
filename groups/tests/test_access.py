"""Every group-scoped URL, walked as owner, member, outsider and anonymous visitor.

The URL patterns are discovered from the resolver, so a new group URL is covered the moment it
is added.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from groups.models import Role
from groups.tests.factories import MemberFactory
from settlements.tests.factories import record_payment


def group_scoped_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from group_scoped_patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and "group_id" in entry.pattern.regex.groupindex:
            yield f"{prefix}{entry.name}", sorted(entry.pattern.regex.groupindex)


PATTERNS = sorted(group_scoped_patterns())


def url_for(world, name, params):
    values = {
        "group_id": world.group.pk,
        "member_id": world.guest.pk,
        "invite_id": world.invite.pk,
        "expense_id": world.expense.pk,
    }
    if "payment_id" in params:
        # Made only for the payment URLs, so that every other test sees the world's balances.
        values["payment_id"] = record_payment(
            world.member_membership, world.owner_membership, 500
        ).pk
    return reverse(name, kwargs={param: values[param] for param in params})


def visit(client, url):
    """GET the URL; a POST-only URL answers 405 to that, so POST to it instead."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def test_the_walk_covers_the_group_urls():
    names = {name for name, _ in PATTERNS}
    assert {"pages:group", "groups:member_add", "groups:invite_revoke"} <= names


@pytest.mark.parametrize(("name", "params"), PATTERNS)
def test_owner_is_served(client, world, name, params):
    client.force_login(world.owner)

    response = visit(client, url_for(world, name, params))

    assert response.status_code in {200, 302, 422}


@pytest.mark.parametrize(("name", "params"), PATTERNS)
def test_member_is_served_or_forbidden(client, world, name, params):
    client.force_login(world.member)

    response = visit(client, url_for(world, name, params))

    assert response.status_code in {200, 302, 403, 422}


@pytest.mark.parametrize(("name", "params"), PATTERNS)
def test_outsider_cannot_tell_the_group_exists(client, world, name, params):
    client.force_login(world.outsider)

    response = visit(client, url_for(world, name, params))

    assert response.status_code == 404
    assert world.group.name not in response.text


@pytest.mark.parametrize(("name", "params"), PATTERNS)
def test_other_methods_are_refused(client, world, name, params):
    client.force_login(world.owner)

    response = client.patch(url_for(world, name, params))

    assert response.status_code == 405


@pytest.mark.parametrize(("name", "params"), PATTERNS)
def test_anonymous_visitor_is_sent_to_log_in(client, world, name, params):
    response = visit(client, url_for(world, name, params))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_deactivated_member_is_an_outsider(client, world):
    world.member_membership.is_active = False
    world.member_membership.save()
    client.force_login(world.member)

    assert client.get(reverse("pages:group", args=[world.group.pk])).status_code == 404


def test_plain_members_cannot_manage(client, world):
    client.force_login(world.member)

    response = client.post(
        reverse("groups:member_add", args=[world.group.pk]), {"guest_name": "Mallory"}
    )

    assert response.status_code == 403
    assert not world.group.members.filter(name="Mallory").exists()


def test_unknown_group_is_404(client, world):
    client.force_login(world.owner)

    assert client.get(reverse("pages:group", args=[world.group.pk + 1000])).status_code == 404


# The actions that ask first (GET is their confirmation page) and a member's own changes: one
# exact answer per method and role. The world's owner is owed and its member owes, so neither
# can leave, and nobody claimed a guest; the admin has no balance and no history.
EXACT_ANSWERS = {
    ("groups:leave", "GET"): {"owner": 200, "admin": 200, "member": 200},
    ("groups:leave", "POST"): {"owner": 422, "admin": 302, "member": 422},
    ("groups:undo_claim", "GET"): {"owner": 200, "admin": 200, "member": 200},
    ("groups:undo_claim", "POST"): {"owner": 422, "admin": 422, "member": 422},
    ("groups:member_remove", "GET"): {"owner": 200, "admin": 200, "member": 403},
    ("groups:member_remove", "POST"): {"owner": 302, "admin": 302, "member": 403},
    ("groups:invite_revoke", "GET"): {"owner": 200, "admin": 200, "member": 403},
    ("groups:invite_revoke", "POST"): {"owner": 302, "admin": 302, "member": 403},
    ("settlements:delete", "GET"): {"owner": 200, "admin": 200, "member": 200},
    ("settlements:delete", "POST"): {"owner": 302, "admin": 302, "member": 302},
}
EXACT_WALK = [
    pytest.param(name, method, role, status, id=f"{name}-{method}-{role}")
    for (name, method), answers in EXACT_ANSWERS.items()
    for role, status in (answers | {"outsider": 404, "anonymous": 302}).items()
]


@pytest.mark.parametrize(("name", "method", "role", "status"), EXACT_WALK)
def test_each_role_gets_its_one_answer(client, world, name, method, role, status):
    if role == "admin":
        client.force_login(MemberFactory(group=world.group, role=Role.ADMIN).user)
    elif role != "anonymous":
        client.force_login(getattr(world, role))
    url = url_for(world, name, dict(PATTERNS)[name])
    feed_before = world.group.activities.count()

    response = getattr(client, method.lower())(url)

    assert response.status_code == status
    if method == "GET" or status in {403, 404, 422} or role == "anonymous":
        assert world.group.activities.count() == feed_before
    if role == "outsider":
        assert world.group.name not in response.text
    if role == "anonymous":
        assert response.url == f"{reverse('account_login')}?next={url}"
