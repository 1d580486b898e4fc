"""Input the API refuses: each gets its own status and a JSON message, and nothing is written."""

import json

import pytest
from django.test import Client

from api.endpoints import rate_limit
from api.models import AccessToken, Scope
from api.tests.conftest import token
from api.tests.test_access import MANAGING, WRITES, across_body, expense_body, url
from expenses.models import Expense


@pytest.fixture
def owner_token(world):
    return token(world.owner)


def expenses_path(world):
    return f"/groups/{world.group.pk}/expenses"


def test_malformed_json_is_400(world, api, owner_token):
    response = api.post(expenses_path(world), raw='{"description": ', token=owner_token)
    assert response.status_code == 400
    assert response.json()["detail"] == "Cannot parse request body"
    assert Expense.objects.count() == 2


@pytest.fixture
def world(walked_world):
    return walked_world


# Every write that takes JSON (a receipt is a multipart upload).
JSON_WRITES = [
    (method, path)
    for method, path, body, _ in [*WRITES, *MANAGING, ("post", "/settle-across", across_body, 0)]
    if body is not None and not path.endswith("/receipt")
]


@pytest.mark.parametrize(("method", "path"), JSON_WRITES)
def test_malformed_json_is_400_everywhere(world, api, owner_token, method, path):
    activity = world.group.activities.count()
    response = api.call(method, url(world, path), raw="{", token=owner_token)
    assert response.status_code == 400
    assert response.json()["detail"] == "Cannot parse request body"
    assert world.group.activities.count() == activity


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": 12.5}, "amount", "Input should be a valid string"),
        ({"amount": 12}, "amount", "Input should be a valid string"),
        (
            {"paid_by": "Olivia"},
            "paid_by",
            "Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            {"date": "tomorrow"},
            "date",
            "Input should be a valid date or datetime, input is too short",
        ),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({"paid": {"1": 12.5}}, "paid.1", "Input should be a valid string"),
    ],
)
def test_wrong_types_and_unknown_fields_are_422(world, api, owner_token, change, field, message):
    response = api.post(expenses_path(world), expense_body(world, **change), token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"][field] == [message]
    assert Expense.objects.count() == 2


def test_missing_field_is_422(world, api, owner_token):
    body = expense_body(world)
    del body["amount"]
    response = api.post(expenses_path(world), body, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == {"amount": ["Field required"]}


def test_the_forms_messages_come_back_by_field(world, api, owner_token):
    """The same words as the page's form: it is the page's form that checked them."""
    body = expense_body(world, amount="12,345.678", split_kind="exact")
    body["participants"] = [world.owner_membership.pk, world.member_membership.pk]
    body["values"] = {str(world.owner_membership.pk): "abc"}
    response = api.post(expenses_path(world), body, token=owner_token)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"amount"}
    assert "EUR" in errors["amount"][0]
    body["amount"] = "10.00"
    response = api.post(expenses_path(world), body, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        f"values.{world.owner_membership.pk}": ["Enter a number, like 1234.56."]
    }


def test_members_of_other_groups_are_refused(world, api, owner_token):
    stranger = world.other_membership.pk
    body = expense_body(world, paid_by=stranger, participants=[world.owner_membership.pk])
    response = api.post(expenses_path(world), body, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == {"paid_by": [f"Not a member of this group: {stranger}."]}
    assert Expense.objects.count() == 2


def test_missing_and_revoked_and_unknown_tokens_are_401(world, api):
    secret = token(world.owner)
    AccessToken.objects.get().revoke()
    for sent in (secret, "sc_nonsense", secret + "x"):
        assert api.get("/groups", token=sent).status_code == 401
    assert api.get("/groups").status_code == 401


def test_a_bad_token_is_not_saved_by_a_session(world, api, client):
    client.force_login(world.owner)
    assert api.get("/groups").status_code == 200
    assert api.get("/groups", token="sc_nonsense").status_code == 401


def test_token_of_a_deactivated_person_is_401(world, api):
    secret = token(world.owner)
    world.owner.is_active = False
    world.owner.save()
    assert api.get("/groups", token=secret).status_code == 401


def test_oversized_body_is_413(world, api, owner_token, settings):
    settings.REQUEST_BODY_MAX_BYTES = 100
    body = expense_body(world, notes="x" * 200)
    response = api.post(expenses_path(world), body, token=owner_token)
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is larger than the API accepts."
    assert Expense.objects.count() == 2


def test_stale_version_is_409(world, api, owner_token):
    path = f"{expenses_path(world)}/{world.expense.pk}"
    first = api.put(path, expense_body(world, version=1), token=owner_token)
    assert first.status_code == 200
    assert first.json()["version"] == 2
    again = api.put(path, expense_body(world, version=1, description="Bus"), token=owner_token)
    assert again.status_code == 409
    assert again.json()["errors"] == {"version": ["The current version is 2."]}
    world.expense.refresh_from_db()
    assert world.expense.description == "Taxi"


def test_if_match_carries_the_version(world, api, owner_token):
    path = f"{expenses_path(world)}/{world.expense.pk}"
    etag = api.get(path, token=owner_token)["ETag"]
    assert etag == '"1"'
    body = expense_body(world)
    response = api.put(path, body, token=owner_token, headers={"If-Match": etag})
    assert response.status_code == 200
    stale = api.put(path, body, token=owner_token, headers={"If-Match": etag})
    assert stale.status_code == 409
    missing = api.put(path, body, token=owner_token)
    assert missing.status_code == 428


def test_editing_a_deleted_expense_is_409(world, api, owner_token):
    path = f"{expenses_path(world)}/{world.expense.pk}"
    assert api.delete(path, token=owner_token).status_code == 200
    response = api.put(path, expense_body(world, version=1), token=owner_token)
    assert response.status_code == 409
    assert response.json()["detail"] == "Restore this expense before editing it."


def test_bad_cursor_is_400(world, api, owner_token):
    response = api.get(f"{expenses_path(world)}?cursor=bm9wZQ", token=owner_token)
    assert response.status_code == 400
    assert response.json()["detail"] == "This cursor is not one the API gave out."


def test_too_many_requests_is_429_with_retry_after(world, api, owner_token, monkeypatch):
    monkeypatch.setattr(rate_limit, "num_requests", 2)
    assert api.get("/groups", token=owner_token).status_code == 200
    assert api.get("/groups", token=owner_token).status_code == 200
    response = api.get("/groups", token=owner_token)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 60
    # Each token has its own budget.
    assert api.get("/groups", token=token(world.owner, Scope.READ)).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/groups/{group}/statistics"), ("post", "/groups/{group}/invites")],
)
def test_the_rate_limit_covers_every_operation(world, api, monkeypatch, method, path):
    monkeypatch.setattr(rate_limit, "num_requests", 1)
    secret = token(world.owner)
    invites = world.group.invites.count()
    assert api.get("/groups", token=secret).status_code == 200
    body = {} if method == "post" else None
    response = api.call(method, path.format(group=world.group.pk), body, token=secret)
    assert response.status_code == 429
    assert world.group.invites.count() == invites


def test_session_writes_need_the_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.owner)
    body = json.dumps(expense_body(world))
    path = f"/api{expenses_path(world)}"
    response = browser.post(path, body, content_type="application/json")
    assert response.status_code == 403
    assert Expense.objects.count() == 2
    browser.get("/account/tokens/")
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        path, body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 201


@pytest.mark.parametrize("path", ["/groups/99999999999999999999", "/groups/{group}/expenses/1.5"])
def test_ids_no_row_can_have_are_404(world, api, owner_token, path):
    response = api.get(path.format(group=world.group.pk), token=owner_token)
    assert response.status_code == 404
