"""Statistics and the export files: the figures and files the pages give, as the API."""

import csv
import datetime
import io
import json

import pytest

from api.tests.conftest import token
from expenses.tests.factories import add_expense


@pytest.fixture
def owner_token(world):
    return token(world.owner)


def test_statistics_per_month_category_and_person(world, api, owner_token):
    add_expense(
        world.group,
        world.owner,
        paid={world.member_membership: 900},
        among=[world.member_membership, world.guest],
        category="transport",
        date=datetime.date(2026, 12, 5),
    )
    response = api.get(f"/groups/{world.group.pk}/statistics", token=owner_token)
    assert response.status_code == 200
    stats = response.json()
    assert (stats["currency"], stats["total"], stats["count"]) == ("EUR", 3900, 2)
    assert stats["months"] == [
        {"month": "2026-11-01", "total": 3000, "count": 1},
        {"month": "2026-12-01", "total": 900, "count": 1},
    ]
    assert stats["categories"] == [
        {"category": "Food and drink", "total": 3000, "count": 1},
        {"category": "Transport", "total": 900, "count": 1},
    ]
    people = {row["name"]: (row["paid"], row["share"]) for row in stats["people"]}
    assert people == {
        "Olivia Owner": (3000, 1500),
        "Max Member": (900, 1950),
        "Alice": (0, 450),
    }


def test_statistics_over_a_period(world, api, owner_token):
    path = f"/groups/{world.group.pk}/statistics"
    inside = api.get(f"{path}?date_from=2026-11-01&date_to=2026-11-01", token=owner_token)
    assert inside.json()["total"] == 3000
    after = api.get(f"{path}?date_from=2026-11-02", token=owner_token).json()
    assert (after["total"], after["months"], after["date_from"]) == (0, [], "2026-11-02")


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            "date_from=2026-12-01&date_to=2026-11-01",
            {
                "non_field_errors": [
                    "The start date is after the end date. Swap them to see this period."
                ]
            },
        ),
        (
            "date_from=soon",
            {"date_from": ["Input should be a valid date or datetime, input is too short"]},
        ),
    ],
)
def test_statistics_refuse_a_bad_period(world, api, owner_token, query, errors):
    response = api.get(f"/groups/{world.group.pk}/statistics?{query}", token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == errors


def test_export_as_json(world, api):
    response = api.get(f"/groups/{world.group.pk}/export.json", token=token(world.member))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert 'attachment; filename="' in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["group"]["name"] == "Lisbon trip"
    assert [expense["description"] for expense in document["expenses"]] == ["Dinner"]
    assert len(document["payments"]) == 1


def test_export_as_csv(world, api, owner_token):
    response = api.get(f"/groups/{world.group.pk}/export.csv", token=owner_token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # The header, then the expense and the payment, oldest first.
    assert [row[1:3] for row in rows[1:]] == [
        ["Expense", "Dinner"],
        ["Payment", "Max Member paid Olivia Owner"],
    ]


def test_my_spending_across_groups(world, api, owner_token):
    response = api.get("/me/spending", token=owner_token)
    assert response.status_code == 200
    assert response.json() == [
        {
            "currency": "EUR",
            "total": 1500,
            "paid": 3000,
            "months": [{"month": "2026-11-01", "total": 1500}],
            "categories": [{"category": "Food and drink", "total": 1500}],
        }
    ]
    later = api.get("/me/spending?date_from=2026-12-01", token=owner_token)
    assert later.json() == []
    backwards = api.get("/me/spending?date_from=2026-12-01&date_to=2026-11-01", token=owner_token)
    assert backwards.status_code == 422
