import datetime

import pytest

from imports.parsed import ParsedExpense, ParsedGroup, ParsedPayment, distinct_names


@pytest.mark.parametrize(
    ("names", "distinct"),
    [
        (["Ann", "Bob"], ["Ann", "Bob"]),
        (["Ann", "ann", "ANN"], ["Ann", "ann (2)", "ANN (3)"]),
        # A name that is already what the second "Ann" would become.
        (["Ann", "Ann (2)", "Ann"], ["Ann", "Ann (2)", "Ann (3)"]),
        (["Zoë", "ZOË"], ["Zoë", "ZOË (2)"]),
    ],
)
def test_repeated_names_are_made_distinct_whatever_their_case(names, distinct):
    assert distinct_names(names) == distinct


def test_deleted_entries_move_no_balance():
    day = datetime.date(2026, 11, 1)
    group = ParsedGroup(
        format="splitclone",
        currency="EUR",
        people=["Ann", "Bob"],
        expenses=[
            ParsedExpense("Dinner", day, 100, paid={"Ann": 100}, owed={"Bob": 100}),
            ParsedExpense("Gone", day, 70, paid={"Bob": 70}, owed={"Ann": 70}, deleted=True),
        ],
        payments=[
            ParsedPayment("Bob", "Ann", 30, day),
            ParsedPayment("Ann", "Bob", 9, day, deleted=True),
        ],
    )

    assert group.balances() == {"Ann": 70, "Bob": -70}
