import datetime
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.effects import (
    SpendingTotals,
    expense_debts,
    expense_spending,
    net_pairs,
    payment_debts,
)

MEMBERS = st.integers(min_value=1, max_value=12)


@st.composite
def expenses(draw):
    """A total, who paid it and who owes it, each side adding up to the total."""
    total = draw(st.integers(min_value=1, max_value=10**13))
    return total, draw(partition(total)), draw(partition(total))


@st.composite
def partition(draw, total):
    keys = draw(st.lists(MEMBERS, min_size=1, max_size=8, unique=True))
    cuts = sorted(
        draw(st.lists(st.integers(0, total), min_size=len(keys) - 1, max_size=len(keys) - 1))
    )
    bounds = [0, *cuts, total]
    parts = {key: bounds[i + 1] - bounds[i] for i, key in enumerate(keys)}
    return {key: amount for key, amount in parts.items() if amount} or {keys[0]: total}


def balances_from(debts):
    balance = defaultdict(int)
    for (debtor, creditor), amount in debts.items():
        balance[debtor] -= amount
        balance[creditor] += amount
    return balance


@settings(max_examples=500, deadline=None)
@given(expenses())
def test_debts_agree_with_balances_to_the_unit(expense):
    _, paid, owed = expense

    debts = expense_debts(paid, owed)

    balance = balances_from(debts)
    for member in paid.keys() | owed.keys():
        assert balance[member] == paid.get(member, 0) - owed.get(member, 0)
    assert all(amount > 0 for amount in debts.values())
    assert all(debtor != creditor for debtor, creditor in debts)


@settings(max_examples=300, deadline=None)
@given(expenses())
def test_netting_pairs_keeps_the_balances(expense):
    _, paid, owed = expense

    pairs = net_pairs(expense_debts(paid, owed))

    balance = defaultdict(int)
    for (low, high), amount in pairs.items():
        assert low < high
        balance[low] -= amount
        balance[high] += amount
    for member in paid.keys() | owed.keys():
        assert balance[member] == paid.get(member, 0) - owed.get(member, 0)


def test_a_single_payer_is_owed_each_share():
    debts = expense_debts({1: 9000}, {1: 3000, 2: 3000, 3: 3000})

    assert debts == {(2, 1): 3000, (3, 1): 3000}


def test_two_payers_are_owed_in_proportion():
    debts = expense_debts({1: 6000, 2: 3000}, {3: 4500, 4: 4500})

    assert debts == {(3, 1): 3000, (3, 2): 1500, (4, 1): 3000, (4, 2): 1500}


def test_rounding_keeps_rows_and_columns_exact():
    debts = expense_debts({1: 1, 2: 1, 3: 1}, {4: 2, 5: 1})

    assert sum(debts.values()) == 3
    assert sum(a for (d, _), a in debts.items() if d == 4) == 2
    assert {c for _, c in debts} == {1, 2, 3}


def test_mismatched_sides_are_rejected():
    with pytest.raises(ValueError, match="same total"):
        expense_debts({1: 100}, {2: 99})


def test_a_payment_reverses_debt():
    pairs = net_pairs({(2, 1): 3000, **payment_debts(2, 1, 1000)})

    assert pairs == {(1, 2): -2000}


def test_an_expense_counts_in_its_month_and_its_day():
    groups, members = expense_spending(
        datetime.date(2026, 10, 5), "food", 3000, {1: 3000}, {1: 1500, 2: 1500, 3: 0}
    )

    assert groups == {
        ("month", datetime.date(2026, 10, 1), "food"): (3000, 1),
        ("day", datetime.date(2026, 10, 5), "food"): (3000, 1),
    }
    for span, day in (("month", datetime.date(2026, 10, 1)), ("day", datetime.date(2026, 10, 5))):
        # A share of nothing is still a share: the member took part.
        assert {key[3]: figures for key, figures in members.items() if key[:2] == (span, day)} == {
            1: (3000, 1500, 1),
            2: (0, 1500, 1),
            3: (0, 0, 1),
        }


@given(
    st.lists(
        st.tuples(
            st.dates(datetime.date(2025, 1, 1), datetime.date(2026, 12, 31)),
            st.sampled_from(["food", "rent"]),
            st.dictionaries(st.integers(0, 5), st.integers(1, 10**6), min_size=1, max_size=3),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_spending_added_and_taken_back_out_leaves_nothing(spent):
    totals = SpendingTotals()
    for date, category, paid in spent:
        totals.add(date, category, sum(paid.values()), paid, paid)
    groups, members = totals.effect()
    for span in ("month", "day"):
        total = sum(amount for key, (amount, _) in groups.items() if key[0] == span)
        assert total == sum(sum(paid.values()) for _, _, paid in spent)
        assert sum(count for key, (_, count) in groups.items() if key[0] == span) == len(spent)
        assert sum(paid for key, (paid, _, _) in members.items() if key[0] == span) == total
    for date, category, paid in spent:
        totals.add(date, category, sum(paid.values()), paid, paid, sign=-1)
    groups, members = totals.effect()
    assert not any(any(figures) for figures in [*groups.values(), *members.values()])
