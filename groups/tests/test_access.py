"""Every group-scoped URL, walked as owner, admin, plain member, outsider and anonymous visitor.

The URLs are discovered from the resolver (every namespace), and each must be classified below:
a new group URL fails the walk until someone decides who may use it and what it answers.
"""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_recurring
from groups.access import get_membership
from groups.models import Role
from groups.tests.factories import MemberFactory
from settlements.tests.factories import record_payment

GROUP_PAGE = "pages:group"

# What an empty request from someone allowed to make it gets, by URL name and method (or, where
# it depends on who asks, by role). Every other method answers 405.
ANSWERS = {
    GROUP_PAGE: {"GET": 200},
    "groups:activity": {"GET": 200},
    "pages:pairs": {"GET": 200},
    "groups:members": {"GET": 200},
    "groups:edit": {"GET": 200, "POST": 200},
    "groups:archive": {"POST": 302},
    "groups:member_search": {"GET": 200},
    "groups:member_add": {"POST": 422},
    "groups:member_role": {"POST": 422},
    "groups:member_remove": {"GET": 200, "POST": 302},
    "groups:member_deactivate": {"POST": 302},
    "groups:member_reactivate": {"POST": 422},  # the walked member is active already
    # The walked member is the guest: owners and admins set a guest's wishes, nobody else's
    # (an empty form changes nothing); a plain member only their own.
    "groups:wishes": {
        "GET": {"owner": 200, "admin": 200, "member": 403},
        "POST": {"owner": 302, "admin": 302, "member": 403},
    },
    "groups:household_add": {"POST": 422},
    "groups:household_remove": {"POST": 302},
    "groups:invites": {"GET": 200, "POST": 200},
    "groups:invite_email": {"POST": 302},
    "groups:invite_revoke": {"GET": 200, "POST": 302},
    "groups:invite_qr": {"GET": 200},
    "pages:ledger": {"GET": 200},
    "pages:stats": {"GET": 200},
    "expenses:create": {"GET": 200, "POST": 200},
    "expenses:preview": {"POST": 200},
    "expenses:detail": {"GET": 200},
    "expenses:edit": {"GET": 200, "POST": 200},
    "expenses:delete": {"POST": 302},
    "expenses:restore": {"POST": 302},
    "expenses:receipt": {"GET": 200},
    "settlements:settle_up": {"GET": 200},
    # The guest and the owner share no entry: the page says they are settled up.
    "settlements:covers": {"GET": 200},
    "settlements:record": {"POST": 422},
    "settlements:delete": {"GET": 200, "POST": 302},
    # A member's own place in the group. The world's owner is owed and its member owes, so
    # neither can leave; nobody claimed a guest, so there is no claim to undo.
    "groups:leave": {"GET": 200, "POST": {"owner": 422, "admin": 302, "member": 422}},
    "groups:undo_claim": {"GET": 200, "POST": 422},
    "settlements:restore": {"POST": 302},
    # Only the payee says whether a payment arrived: the walked payment is to the owner, and
    # confirmed already (confirming again changes nothing; turning it down is refused).
    "settlements:confirm": {"POST": {"owner": 302, "admin": 403, "member": 403}},
    "settlements:not_received": {"POST": {"owner": 422, "admin": 403, "member": 403}},
    # An empty POST is an upload without a file.
    "imports:into": {"GET": 200, "POST": 422},
    "expenses:recurring_list": {"GET": 200},
    "expenses:recurring_edit": {"GET": 200, "POST": 200},
    "expenses:recurring_pause": {"POST": 302},
    "expenses:recurring_resume": {"POST": 302},  # it is active already: nothing to resume
    "expenses:recurring_stop": {"GET": 200, "POST": 302},
    # Every member may take the group's history away, as they can read all of it anyway.
    "imports:export_csv": {"GET": 200},
    "imports:export_json": {"GET": 200},
}

# Owners and admins only: a plain member gets 403.
MANAGER_ONLY = {
    "groups:edit",
    "groups:archive",
    "groups:member_search",
    "groups:member_add",
    "groups:member_role",
    "groups:member_remove",
    "groups:member_deactivate",
    "groups:member_reactivate",
    "groups:household_add",
    "groups:household_remove",
    "groups:invites",
    "groups:invite_email",
    "groups:invite_revoke",
    "groups:invite_qr",
    "imports:into",
}

# Owners only: admins and plain members get 403. None yet: what only an owner may do (make or
# unmake owners) is decided by the membership methods on a URL that admins share.
OWNER_ONLY = set()

ROLES = ["owner", "admin", "member", "outsider", "anonymous"]


def group_scoped_patterns(resolver=None, prefix="", inherited=frozenset()):
    """(name, URL parameters) of every named URL taking a group_id, in every namespace."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        params = inherited | set(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from group_scoped_patterns(entry, namespace, params)
        elif isinstance(entry, URLPattern) and entry.name and "group_id" in params:
            yield f"{prefix}{entry.name}", sorted(params)


# The API (namespace `rest`) answers in JSON, 401 rather than a redirect to log in: its own walk
# is api/tests/test_access.py, which fails the same way for an API URL it does not know.
API_NAMESPACE = "rest:"
PATTERNS = sorted(p for p in group_scoped_patterns() if not p[0].startswith(API_NAMESPACE))
PARAMS = dict(PATTERNS)
# A URL missing from either side fails test_every_group_url_is_classified instead of erroring here.
WALKED = sorted(ANSWERS.keys() & PARAMS.keys())


def expected_status(name, method, role):
    if role == "outsider":
        return 404
    if role == "anonymous":
        return 302
    if name in OWNER_ONLY and role != "owner":
        return 403
    if name in MANAGER_ONLY and role == "member":
        return 403
    answer = ANSWERS[name][method]
    return answer[role] if isinstance(answer, dict) else answer


WALK = [
    pytest.param(
        name, method, role, expected_status(name, method, role), id=f"{name}-{method}-{role}"
    )
    for name in WALKED
    for method in ANSWERS[name]
    for role in ROLES
]


@pytest.fixture
def admin(world):
    user = UserFactory(display_name="Ada Admin")
    MemberFactory(group=world.group, user=user, role=Role.ADMIN)
    return user


def url_for(world, name):
    params = PARAMS[name]
    values = {
        "group_id": world.group.pk,
        "member_id": world.guest.pk,
        "other_id": world.owner_membership.pk,
        "invite_id": world.invite.pk,
        "expense_id": world.expense.pk,
    }
    if "payment_id" in params:
        # Made only for the payment URLs, so that every other test sees the world's balances.
        values["payment_id"] = record_payment(
            world.member_membership, world.owner_membership, 500
        ).pk
    if "household_id" in params:
        household = world.group.create_household(
            [world.member_membership, world.guest], actor=world.owner
        )
        values["household_id"] = household.pk
    if "recurring_id" in params:
        # Made only for its own URLs, and with nothing made from it yet, for the same reason.
        values["recurring_id"] = add_recurring(
            world.group,
            world.owner,
            start=datetime.date.today(),
            paid={world.owner_membership: 9000},
            among=[world.owner_membership, world.member_membership],
        ).pk
    return reverse(name, kwargs={param: values[param] for param in params})


def send(client, method, url):
    """An empty request, sent the way a browser form would send it."""
    return getattr(client, method.lower())(url)


def test_every_group_url_is_classified():
    found = set(PARAMS)

    assert sorted(found - ANSWERS.keys()) == [], "new group URLs: add them to ANSWERS"
    assert sorted(ANSWERS.keys() - found) == [], "gone from the URLconf: remove from ANSWERS"
    assert sorted((MANAGER_ONLY | OWNER_ONLY) - found) == []


@pytest.mark.parametrize(("name", "method", "role", "status"), WALK)
def test_each_role_gets_its_one_answer(client, world, admin, name, method, role, status):
    if role != "anonymous":
        client.force_login(admin if role == "admin" else getattr(world, role))
    url = url_for(world, name)
    feed_before = world.group.activities.count()

    response = send(client, method, url)

    assert response.status_code == status
    if status in {403, 404} or role == "anonymous":
        assert world.group.activities.count() == feed_before
    if role == "outsider":
        assert world.group.name not in response.text
    if role == "anonymous":
        login = urlsplit(response.url)
        assert login.path == reverse("account_login")
        assert parse_qs(login.query) == {"next": [url]}


@pytest.mark.parametrize("name", WALKED)
def test_other_methods_are_refused(client, world, name):
    client.force_login(world.owner)
    url = url_for(world, name)

    for method in {"GET", "POST", "PATCH"} - ANSWERS[name].keys():
        assert send(client, method, url).status_code == 405, method


def test_deactivated_member_is_an_outsider(client, world):
    world.member_membership.is_active = False
    world.member_membership.save()
    client.force_login(world.member)

    assert client.get(reverse(GROUP_PAGE, args=[world.group.pk])).status_code == 404


def test_plain_members_cannot_manage(client, world):
    client.force_login(world.member)

    response = client.post(
        reverse("groups:member_add", args=[world.group.pk]), {"guest_name": "Mallory"}
    )

    assert response.status_code == 403
    assert not world.group.members.filter(name="Mallory").exists()


def test_unknown_group_is_404(client, world):
    client.force_login(world.owner)

    assert client.get(reverse(GROUP_PAGE, args=[world.group.pk + 1000])).status_code == 404


def test_a_signed_out_visitor_is_not_a_guest(rf, world):
    # A guest's membership has no user either: asked for a user without an id, the lookup must
    # not match one.
    request = rf.get("/")
    request.user = AnonymousUser()

    with pytest.raises(Http404):
        get_membership(request, world.group.pk)
