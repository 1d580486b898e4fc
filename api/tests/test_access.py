"""Every endpoint, for each kind of caller: the one exact status each gets.

Owners and members get the answer; someone outside the group gets 404 and no data, someone
not signed in 401, a read-only token asking to write 403. The paths name the world's own rows.
"""

import pytest
from django.test import Client

from api.endpoints import api as rest
from api.models import Scope
from api.tests.conftest import Api, receipt_upload, token


def expense_body(world, **extra):
    return {
        "description": "Taxi",
        "amount": "12.50",
        "date": "2026-11-03",
        "paid_by": world.owner_membership.pk,
        **extra,
    }


def recurring_body(world):
    return expense_body(world, date="2026-12-05", frequency="monthly")


def recurring_edit_body(world):
    return recurring_body(world) | {"version": world.recurring.version}


def across_body(world):
    return {"groups": [world.group.pk, world.other_group.pk], "fingerprint": "0" * 64}


@pytest.fixture
def world(walked_world):
    return walked_world


READS = [
    "/groups/{group}",
    "/groups/{group}/statistics",
    "/groups/{group}/export.json",
    "/groups/{group}/export.csv",
    "/groups/{group}/members",
    "/groups/{group}/expenses",
    "/groups/{group}/expenses/{expense}",
    "/groups/{group}/expenses/{expense}/receipt",
    "/groups/{group}/payments",
    "/groups/{group}/balances",
    "/groups/{group}/settle-up",
    "/groups/{group}/covers/{member}/{other}",
    "/groups/{group}/activity",
    "/groups/{group}/recurring",
]
# Owners and admins only: a plain member gets 403.
MANAGER_READS = ["/groups/{group}/invites"]

# (method, path, body, status for a member who may do it)
WRITES = [
    ("post", "/groups/{group}/expenses", expense_body, 201),
    ("put", "/groups/{group}/expenses/{expense}", lambda w: expense_body(w, version=1), 200),
    ("delete", "/groups/{group}/expenses/{expense}", None, 200),
    ("post", "/groups/{group}/expenses/{expense}/restore", None, 200),
    (
        "post",
        "/groups/{group}/payments",
        lambda w: {
            "from_member_id": w.member_membership.pk,
            "to_member_id": w.owner_membership.pk,
            "amount": "5.00",
            "date": "2026-11-03",
        },
        201,
    ),
    ("delete", "/groups/{group}/payments/{payment}", None, 200),
    ("post", "/groups/{group}/payments/{payment}/restore", None, 200),
    ("post", "/groups/{group}/expenses/{expense}/receipt", lambda w: receipt_upload(), 200),
    ("delete", "/groups/{group}/expenses/{expense}/receipt", None, 200),
    ("post", "/groups/{group}/recurring", recurring_body, 201),
    ("put", "/groups/{group}/recurring/{recurring}", recurring_edit_body, 200),
    ("post", "/groups/{group}/recurring/{recurring}/pause", None, 200),
    ("post", "/groups/{group}/recurring/{paused}/resume", None, 200),
    ("post", "/groups/{group}/recurring/{recurring}/stop", None, 200),
]
# Owners and admins only: a plain member gets 403.
MANAGING = [
    ("put", "/groups/{group}", lambda w: {"name": "Porto trip"}, 200),
    ("post", "/groups/{group}/archive", None, 200),
    ("post", "/groups/{group}/unarchive", None, 200),
    ("post", "/groups/{group}/guests", lambda w: {"name": "Bob"}, 201),
    ("post", "/groups/{group}/members", lambda w: {"user_id": w.friend.pk}, 201),
    ("put", "/groups/{group}/members/{member}/role", lambda w: {"role": "admin"}, 200),
    ("delete", "/groups/{group}/members/{guest}", None, 200),
    ("post", "/groups/{group}/members/{guest}/deactivate", None, 200),
    ("post", "/groups/{group}/members/{former}/reactivate", None, 200),
    ("post", "/groups/{group}/invites", lambda w: {"expires_in_days": 30, "max_uses": 5}, 201),
    ("post", "/groups/{group}/invites/email", lambda w: {"email": "bob@example.com"}, 201),
    ("delete", "/groups/{group}/invites/{invite}", None, 204),
]
# The rows a path names, by what they are in the world.
PLACEHOLDERS = {"{guest}": "{member}", "{former}": "{member}", "{paused}": "{recurring}"}


def url(world, path):
    return path.format(
        group=world.group.pk,
        expense=world.expense.pk,
        payment=world.payment.pk,
        member=world.member_membership.pk,
        other=world.owner_membership.pk,
        guest=world.guest.pk,
        former=world.former.pk,
        invite=world.invite.pk,
        recurring=world.recurring.pk,
        paused=world.paused.pk,
    )


def send(api, world, method, path, body, **kwargs):
    body = body(world) if body else None
    return api.call(method, url(world, path), body, **kwargs)


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("member", 200), ("outsider", 404)])
def test_reads_by_role(world, api, path, who, status):
    response = api.get(url(world, path), token=token(getattr(world, who), Scope.READ))
    assert response.status_code == status
    if status == 404:
        assert response.json() == {"detail": "Not found.", "errors": {}}


@pytest.mark.parametrize("path", MANAGER_READS)
@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("member", 403), ("outsider", 404)])
def test_managing_reads_by_role(world, api, path, who, status):
    response = api.get(url(world, path), token=token(getattr(world, who), Scope.READ))
    assert response.status_code == status


@pytest.mark.parametrize(
    "path", ["/groups", "/me/spending", "/settle-across", *READS, *MANAGER_READS]
)
def test_reads_need_someone(world, api, path):
    response = api.get(url(world, path))
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path", "body", "status"), WRITES + MANAGING)
def test_writes_by_owner(world, api, method, path, body, status):
    assert send(api, world, method, path, body, token=token(world.owner)).status_code == status


@pytest.mark.parametrize(("method", "path", "body", "status"), WRITES)
def test_writes_by_member(world, api, method, path, body, status):
    assert send(api, world, method, path, body, token=token(world.member)).status_code == status


@pytest.mark.parametrize(("method", "path", "body", "status"), MANAGING)
def test_managing_by_member_is_forbidden(world, api, method, path, body, status):
    activity = world.group.activities.count()
    response = send(api, world, method, path, body, token=token(world.member))
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the group's owners and admins can do this."
    assert world.group.activities.count() == activity


@pytest.mark.parametrize(("method", "path", "body", "status"), WRITES + MANAGING)
def test_writes_by_outsider_are_not_found(world, api, method, path, body, status):
    activity = world.group.activities.count()
    response = send(api, world, method, path, body, token=token(world.outsider))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}
    assert world.group.activities.count() == activity


@pytest.mark.parametrize(("method", "path", "body", "status"), WRITES + MANAGING)
def test_writes_need_someone(world, method, path, body, status):
    # A client that checks CSRF like a browser: no session, so 401 rather than a CSRF 403.
    anonymous = Api(Client(enforce_csrf_checks=True))
    assert send(anonymous, world, method, path, body).status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        *WRITES,
        *MANAGING,
        ("post", "/groups", lambda w: {"name": "Rome"}, 201),
        ("post", "/settle-across", across_body, 201),
        ("post", "/groups/{group}/leave", None, 200),
        ("post", "/groups/{group}/not-me", None, 200),
    ],
)
def test_read_only_token_cannot_write(world, api, method, path, body, status):
    activity = world.group.activities.count()
    response = send(api, world, method, path, body, token=token(world.owner, Scope.READ))
    assert response.status_code == 403
    assert response.json()["detail"] == "This token can only read. Create a token that can write."
    assert world.group.activities.count() == activity


def test_group_list_shows_only_your_groups(world, api):
    response = api.get("/groups", token=token(world.member, Scope.READ))
    assert response.status_code == 200
    assert [group["name"] for group in response.json()] == ["Lisbon trip"]
    assert response.json()[0]["my_member_id"] == world.member_membership.pk


def test_other_groups_rows_are_not_found_through_your_group(world, api):
    """An expense or payment id of another group, under a group you are in: 404."""
    secret = token(world.outsider)
    own = world.other_group.pk
    assert api.get(f"/groups/{own}/expenses/{world.expense.pk}", token=secret).status_code == 404
    response = api.delete(f"/groups/{own}/payments/{world.payment.pk}", token=secret)
    assert response.status_code == 404
    world.payment.refresh_from_db()
    assert world.payment.deleted_at is None


def test_every_api_operation_is_walked():
    """A new endpoint fails here until it is added to the lists above."""
    walked = {("get", path) for path in READS + MANAGER_READS} | {
        (method, path) for method, path, _, _ in WRITES + MANAGING
    }
    walked |= {("get", "/groups"), ("post", "/groups")}
    walked |= {("get", "/settle-across"), ("post", "/settle-across")}
    walked |= {("post", "/groups/{group}/leave"), ("post", "/groups/{group}/not-me")}
    walked |= {("get", "/me/spending")}
    for placeholder, name in PLACEHOLDERS.items():
        walked = {(method, path.replace(placeholder, name)) for method, path in walked}
    schema = rest.get_openapi_schema()
    operations = {
        (method, path.removeprefix("/api").replace("_id}", "}"))
        for path, methods in schema["paths"].items()
        for method in methods
    }
    assert operations == walked


# Settling across groups names groups, not one group in the path: a group you are not in is
# refused by the form, and nothing about it is told.


@pytest.mark.parametrize("who", ["owner", "member"])
def test_settling_across_names_only_your_groups(world, api, who):
    secret = token(getattr(world, who), Scope.READ)
    response = api.get(
        f"/settle-across?groups={world.group.pk}&groups={world.other_group.pk}", token=secret
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"groups": ["Choose among your own groups."]}


def test_recording_across_names_only_your_groups(world, api):
    activity = world.group.activities.count()
    response = api.post("/settle-across", across_body(world), token=token(world.outsider))
    assert response.status_code == 422
    assert response.json()["errors"] == {"groups": ["Choose among your own groups."]}
    assert world.group.activities.count() == activity


def test_recording_across_needs_someone(world):
    anonymous = Api(Client(enforce_csrf_checks=True))
    assert anonymous.post("/settle-across", across_body(world)).status_code == 401


# Leaving and undoing a claim are a member's own changes: whether they are allowed depends on
# the member's balance, role and past, so their answers for members are in test_managing; here,
# the callers who never get that far.


@pytest.mark.parametrize("action", ["leave", "not-me"])
@pytest.mark.parametrize(
    ("client_for", "status"),
    [
        (lambda world, api: (api, token(world.outsider)), 404),
        (lambda world, api: (Api(Client(enforce_csrf_checks=True)), None), 401),
    ],
)
def test_own_changes_need_a_member(world, api, client_for, status, action):
    caller, secret = client_for(world, api)
    response = caller.post(f"/groups/{world.group.pk}/{action}", token=secret)
    assert response.status_code == status


def test_spending_is_your_own(world, api):
    response = api.get("/me/spending", token=token(world.outsider, Scope.READ))
    assert response.status_code == 200
    assert [(row["currency"], row["total"]) for row in response.json()] == [("EUR", 1000)]
