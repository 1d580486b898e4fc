"""Upgrading to the ledger app keeps every expense, payment and kept balance."""

import datetime
import importlib

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("groups", "0003_alter_activity_verb"),
    ("expenses", "0001_initial"),
    ("settlements", "0001_initial"),
]

LATEST_EXPENSES = [("expenses", "0009_fill_bulk_imported_conversions")]


def needs_postgresql():
    # Going back to the old schema unapplies later migrations, which SQLite does by rebuilding
    # tables, and the ledger's triggers refer across tables that a rebuild renames. Upgrades
    # only go forward; production runs PostgreSQL, where these run in CI.
    if connection.vendor != "postgresql":
        pytest.skip("migrating backwards through the ledger's triggers needs PostgreSQL")


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_keeps_pairs_balances_and_history():
    needs_postgresql()
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Group = old.get_model("groups", "Group")
    Member = old.get_model("groups", "Member")
    OldPair = old.get_model("groups", "PairBalance")
    Expense = old.get_model("expenses", "Expense")
    Payment = old.get_model("settlements", "Payment")
    user = User.objects.create(email="ana@example.com", display_name="Ana")
    with_history = Group.objects.create(name="Trip", currency="EUR", created_by=user)
    ana = Member.objects.create(group=with_history, user=user, role="owner", balance=1000)
    bob = Member.objects.create(group=with_history, name="Bob", balance=-1000)
    OldPair.objects.create(group=with_history, member_a=ana, member_b=bob, amount=-1000)
    Expense.objects.create(
        group=with_history,
        description="Dinner",
        amount=2000,
        currency="EUR",
        date="2026-11-01",
        split_kind="equal",
        created_by=user,
    )
    paid_only = Group.objects.create(name="Flat", currency="EUR", created_by=user)
    carol = Member.objects.create(group=paid_only, user=user, role="owner")
    dan = Member.objects.create(group=paid_only, name="Dan")
    Payment.objects.create(
        group=paid_only,
        from_member=carol,
        to_member=dan,
        amount=500,
        currency="EUR",
        date="2026-11-01",
        recorded_by=user,
    )
    Group.objects.create(name="New", currency="EUR", created_by=user)

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    pairs = new.get_model("ledger", "PairBalance").objects.all()
    assert list(pairs.values_list("group_id", "member_a_id", "member_b_id", "amount")) == [
        (with_history.pk, ana.pk, bob.pk, -1000)
    ]
    members = new.get_model("groups", "Member").objects.filter(group_id=with_history.pk)
    assert sorted(members.values_list("balance", flat=True)) == [-1000, 1000]
    groups = new.get_model("groups", "Group").objects.order_by("pk")
    assert list(groups.values_list("name", "has_ledger_history")) == [
        ("Trip", True),
        ("Flat", True),
        ("New", False),
    ]
    assert new.get_model("expenses", "Expense").objects.get().version == 1
    assert new.get_model("settlements", "Payment").objects.get().version == 1


@pytest.mark.django_db(transaction=True)
def test_the_search_columns_are_added_around_the_triggers_and_filled():
    needs_postgresql()
    old = migrate(
        [
            ("expenses", "0002_alter_expense_receipt"),
            ("settlements", "0002_payment_version"),
            ("ledger", "0003_rows_name_members_of_their_group"),
        ]
    )
    user = old.get_model("accounts", "User").objects.create(email="ana@example.com")
    group = old.get_model("groups", "Group").objects.create(
        name="Trip", currency="EUR", created_by=user
    )
    Member = old.get_model("groups", "Member")
    ana = Member.objects.create(group=group, user=user, role="owner")
    bob = Member.objects.create(group=group, name="Bob")
    old.get_model("expenses", "Expense").objects.create(
        group=group,
        description="Jantar em Família",
        notes="ÉCOLE",
        amount=2000,
        currency="EUR",
        date="2026-11-01",
        split_kind="equal",
        created_by=user,
    )
    old.get_model("settlements", "Payment").objects.create(
        group=group,
        from_member=ana,
        to_member=bob,
        amount=500,
        currency="EUR",
        date="2026-11-01",
        note="Naïve",
        recorded_by=user,
    )

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    expenses = new.get_model("expenses", "Expense").objects.all()
    payments = new.get_model("settlements", "Payment").objects.all()
    assert list(expenses.values_list("search_text", flat=True)) == ["jantar em familia\necole"]
    assert list(payments.values_list("search_text", flat=True)) == ["naive"]
    # The ledger's triggers still stand on both tables: a row in another currency is refused.
    for rows in (expenses, payments):
        with pytest.raises(IntegrityError):
            rows.update(currency="USD")


@pytest.mark.django_db(transaction=True)
def test_the_conversion_columns_are_added_around_the_triggers_and_filled_as_rate_one():
    old = migrate([("expenses", "0004_recurring_expenses"), ("settlements", "0003_search_text")])
    user = old.get_model("accounts", "User").objects.create(email="ana@example.com")
    group = old.get_model("groups", "Group").objects.create(
        name="Trip", currency="JPY", created_by=user
    )
    Member = old.get_model("groups", "Member")
    ana = Member.objects.create(group=group, user=user, role="owner")
    bob = Member.objects.create(group=group, name="Bob")
    old.get_model("expenses", "Expense").objects.create(
        group=group,
        description="Ramen",
        amount=2400,
        currency="JPY",
        date="2026-11-01",
        split_kind="equal",
        created_by=user,
    )
    old.get_model("settlements", "Payment").objects.create(
        group=group,
        from_member=ana,
        to_member=bob,
        amount=500,
        currency="JPY",
        date="2026-11-01",
        recorded_by=user,
    )

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    columns = ("original_amount", "original_currency", "rate", "rate_source", "rate_date")
    expenses = new.get_model("expenses", "Expense").objects.all()
    payments = new.get_model("settlements", "Payment").objects.all()
    assert list(expenses.values_list(*columns)) == [(2400, "JPY", 1, "same", None)]
    assert list(payments.values_list(*columns)) == [(500, "JPY", 1, "same", None)]
    for rows in (expenses, payments):
        with pytest.raises(IntegrityError):
            rows.update(currency="USD")


@pytest.mark.django_db(transaction=True)
def test_the_spending_totals_are_filled_from_the_live_expenses_of_every_group(monkeypatch):
    # One group per batch, so that two groups take two batches.
    monkeypatch.setattr(
        importlib.import_module("ledger.migrations.0006_spending_totals"), "GROUPS_PER_BATCH", 1
    )
    old = migrate(
        [
            ("ledger", "0005_balances_in_other_currencies_name_members_of_their_group"),
            *LATEST_EXPENSES,
        ]
    )
    user = old.get_model("accounts", "User").objects.create(email="ana@example.com")
    Group = old.get_model("groups", "Group")
    Member = old.get_model("groups", "Member")
    Expense = old.get_model("expenses", "Expense")
    trip = Group.objects.create(name="Trip", currency="EUR", created_by=user)
    ana = Member.objects.create(group=trip, user=user, role="owner")
    bob = Member.objects.create(group=trip, name="Bob")
    flat = Group.objects.create(name="Flat", currency="JPY", created_by=user)
    carol = Member.objects.create(group=flat, user=user, role="owner")
    Group.objects.create(name="New", currency="EUR", created_by=user)

    def spend(group, day, category, paid, owed, deleted_at=None, **spent):
        expense = Expense.objects.create(
            group=group,
            description="Thing",
            currency=group.currency,
            date=day,
            category=category,
            split_kind="exact",
            created_by=user,
            deleted_at=deleted_at,
            **{"amount": sum(paid.values()), **spent},
        )
        for side, rows in (("ExpensePayer", paid), ("ExpenseShare", owed)):
            old.get_model("expenses", side).objects.bulk_create(
                old.get_model("expenses", side)(expense=expense, member=member, amount=amount)
                for member, amount in rows.items()
            )

    spend(trip, "2026-10-05", "food", {ana: 3000}, {ana: 1500, bob: 1500})
    spend(trip, "2026-10-20", "food", {bob: 1000}, {bob: 1000})
    spend(trip, "2026-11-01", "rent", {ana: 500, bob: 500}, {ana: 1000, bob: 0})
    spend(trip, "2026-11-02", "rent", {ana: 99900}, {bob: 99900}, deleted_at="2026-11-03T00:00Z")
    spend(flat, "2026-09-09", "fuel", {carol: 6000}, {carol: 6000})
    # 30.00 USD that settle in USD, 20.00 EUR at the day's rate: the shares count converted,
    # rounded down as the statistics always counted them.
    spend(
        trip,
        "2026-12-07",
        "fuel",
        {ana: 3000},
        {ana: 1000, bob: 2000},
        amount=2000,
        original_amount=3000,
        original_currency="USD",
        settles_in_original=True,
    )

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    columns = ("group_id", "day", "category", "amount", "expense_count")
    spending = new.get_model("ledger", "GroupSpending").objects.order_by(*columns)
    october, november, december, september = (datetime.date(2026, m, 1) for m in (10, 11, 12, 9))
    assert list(spending.filter(span="month").values_list(*columns)) == [
        (trip.pk, october, "food", 4000, 2),
        (trip.pk, november, "rent", 1000, 1),
        (trip.pk, december, "fuel", 2000, 1),
        (flat.pk, september, "fuel", 6000, 1),
    ]
    assert list(spending.filter(span="day").values_list(*columns)) == [
        (trip.pk, datetime.date(2026, 10, 5), "food", 3000, 1),
        (trip.pk, datetime.date(2026, 10, 20), "food", 1000, 1),
        (trip.pk, november, "rent", 1000, 1),
        (trip.pk, datetime.date(2026, 12, 7), "fuel", 2000, 1),
        (flat.pk, datetime.date(2026, 9, 9), "fuel", 6000, 1),
    ]
    columns = ("member_id", "day", "category", "paid", "share", "share_count")
    members = new.get_model("ledger", "MemberSpending").objects.order_by(*columns)
    assert list(members.filter(span="month").values_list(*columns)) == [
        (ana.pk, october, "food", 3000, 1500, 1),
        (ana.pk, november, "rent", 500, 1000, 1),
        (ana.pk, december, "fuel", 2000, 666, 1),
        (bob.pk, october, "food", 1000, 2500, 2),
        (bob.pk, november, "rent", 500, 0, 1),
        (bob.pk, december, "fuel", 0, 1333, 1),
        (carol.pk, september, "fuel", 6000, 6000, 1),
    ]
    assert members.filter(span="day").count() == 8
