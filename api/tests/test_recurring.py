"""Recurring expenses: the recurring expense form's fields and rules, the manager's schedule."""

import datetime

import pytest

from api.tests.conftest import token
from api.tests.test_access import expense_body
from expenses.models import Expense, RecurringExpense, RecurringStatus


@pytest.fixture
def world(walked_world):
    return walked_world


@pytest.fixture
def owner_token(world):
    return token(world.owner)


def recurring_path(world, rest=""):
    return f"/groups/{world.group.pk}/recurring{rest}"


def test_set_up_a_monthly_expense(world, api, owner_token):
    body = expense_body(world, description="Gym", date="2026-12-05", frequency="monthly")
    response = api.post(recurring_path(world), body, token=owner_token)
    assert response.status_code == 201
    made = response.json()
    assert (made["schedule"], made["made"], made["next_date"]) == (
        "every month on day 5",
        1,
        "2027-01-05",
    )
    assert made["paid"] == [{"member_id": world.owner_membership.pk, "amount": 1250}]
    first = Expense.objects.get(recurring_id=made["id"])
    assert (first.description, first.date) == ("Gym", datetime.date(2026, 12, 5))
    listed = api.get(recurring_path(world), token=token(world.member)).json()
    # By next date (the newest first on the same date), the paused one among them.
    assert [row["description"] for row in listed] == ["Cleaning", "Rent", "Gym"]


def test_a_retry_with_the_same_key_sets_up_one(world, api, owner_token):
    body = expense_body(world, description="Gym", date="2026-12-05", frequency="monthly")
    headers = {"Idempotency-Key": "gym"}
    first = api.post(recurring_path(world), body, token=owner_token, headers=headers)
    again = api.post(recurring_path(world), body, token=owner_token, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert RecurringExpense.objects.filter(description="Gym").count() == 1


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"ends": "on_date"}, {"end_date": ["Enter the date it ends."]}),
        (
            {"frequency": "hourly"},
            {"frequency": ["Select a valid choice. hourly is not one of the available choices."]},
        ),
        (
            {"interval": 1.5},
            {"interval": ["Input should be a valid integer, got a number with a fractional part"]},
        ),
        ({"weekday": "Monday"}, {"weekday": ["Extra inputs are not permitted"]}),
    ],
)
def test_schedules_are_checked(world, api, owner_token, changes, errors):
    body = expense_body(world, date="2026-12-05", frequency="monthly") | changes
    response = api.post(recurring_path(world), body, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    assert RecurringExpense.objects.filter(group=world.group).count() == 2


def test_an_edit_changes_what_comes_next(world, api, owner_token):
    path = recurring_path(world, f"/{world.recurring.pk}")
    body = expense_body(world, description="Rent", amount="950.00", date="2027-01-01")
    body |= {"frequency": "monthly", "version": world.recurring.version}
    response = api.put(path, body, token=owner_token)
    assert response.status_code == 200
    assert (response.json()["amount"], response.json()["next_date"]) == (95000, "2027-01-01")
    assert response.json()["version"] == world.recurring.version + 1


def test_an_edit_names_the_version_it_is_based_on(world, api, owner_token):
    path = recurring_path(world, f"/{world.recurring.pk}")
    body = expense_body(world, description="Flat rent", date="2027-01-01", frequency="monthly")
    response = api.put(path, body, token=owner_token)
    assert response.status_code == 428
    assert response.json()["errors"] == {"version": ["This field is required."]}

    response = api.put(
        path, body, token=owner_token, headers={"If-Match": f'"{world.recurring.version + 5}"'}
    )
    assert response.status_code == 409
    world.recurring.refresh_from_db()
    assert world.recurring.description == "Rent"


def test_an_edit_after_a_pause_is_refused_as_stale(world, api, owner_token):
    path = recurring_path(world, f"/{world.recurring.pk}")
    loaded = world.recurring.version
    assert api.post(f"{path}/pause", token=owner_token).status_code == 200
    body = expense_body(world, description="Flat rent", date="2027-01-01", frequency="monthly")
    response = api.put(path, body | {"version": loaded}, token=owner_token)
    assert response.status_code == 409
    world.recurring.refresh_from_db()
    assert (world.recurring.description, world.recurring.version) == ("Rent", loaded + 1)


def test_an_edit_starts_after_what_was_made(world, api, owner_token):
    RecurringExpense.objects.create_next_occurrence(
        world.recurring.pk, world.group.pk, datetime.date(2026, 12, 1)
    )
    path = recurring_path(world, f"/{world.recurring.pk}")
    body = expense_body(world, date="2026-12-01", frequency="monthly")
    response = api.put(path, body | {"version": world.recurring.version}, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "date": ["The next date must come after the last one made (1 Dec 2026)."]
    }


def test_pause_resume_and_stop(world, api, owner_token):
    path = recurring_path(world, f"/{world.recurring.pk}")
    assert api.post(f"{path}/pause", token=owner_token).json()["status"] == "paused"
    # Asking again is answered with how it is.
    assert api.post(f"{path}/pause", token=owner_token).json()["status"] == "paused"
    resumed = api.post(f"{path}/resume", token=owner_token)
    assert resumed.json()["status"] == "active"
    stopped = api.post(f"{path}/stop", token=owner_token)
    assert (stopped.json()["status"], stopped.json()["next_date"]) == ("stopped", None)
    paused = api.post(f"{path}/pause", token=owner_token)
    assert paused.status_code == 409
    assert paused.json()["detail"] == "“Rent” is stopped, so it can't be paused."
    body = expense_body(world, date="2027-01-01", frequency="monthly")
    edit = api.put(path, body | {"version": stopped.json()["version"]}, token=owner_token)
    assert edit.status_code == 409
    assert edit.json()["detail"] == "“Rent” no longer repeats."
    world.recurring.refresh_from_db()
    assert world.recurring.status == RecurringStatus.STOPPED


def test_recurring_expenses_of_other_groups_are_not_found(world, api):
    secret = token(world.outsider)
    path = f"/groups/{world.other_group.pk}/recurring/{world.recurring.pk}/stop"
    assert api.post(path, token=secret).status_code == 404
    world.recurring.refresh_from_db()
    assert world.recurring.status == RecurringStatus.ACTIVE
