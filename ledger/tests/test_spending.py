"""The kept spending totals always equal what the expense rows add up to, and the statistics
read from them give the figures of the rows themselves, for any period."""

import datetime
import io
import uuid
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from expenses.models import Expense, ExpenseEntry
from expenses.splitting import split
from expenses.statistics import category_label, group_statistics, personal_spending
from expenses.tests.factories import add_expense
from groups.models import ConvertAt, Group
from ledger.models import GroupSpending, MemberSpending
from ledger.tests.checks import assert_books_match_ledger
from ledger.tests.test_expense_ledger import make_group
from splitclone import fx

FIRST_DAY = datetime.date(2025, 11, 1)
DAYS = st.integers(0, 120).map(lambda n: FIRST_DAY + datetime.timedelta(days=n))

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "edit", "delete", "restore"]),
        st.integers(min_value=1, max_value=10**7),  # amount, in the currency spent
        st.sets(st.integers(0, 3), min_size=1),  # participants
        st.sets(st.integers(0, 3), min_size=1, max_size=2),  # payers
        st.integers(0, 50),  # which expense an edit/delete/restore picks
        DAYS,
        st.sampled_from(["food", "rent", "fuel"]),
        st.sampled_from([None, "0.5", "1.0837", "163.2"]),  # a USD rate, or spent in EUR
    ),
    min_size=1,
    max_size=10,
)


def entry_for(members, operation, submission_id):
    _, original, among, payers, _, day, category, rate = operation
    amount, conversion = original, None
    # Spent in USD: the ledger moves the amount converted to the group's EUR.
    if rate and fx.convert(original, "USD", "EUR", Decimal(rate)):
        amount = fx.convert(original, "USD", "EUR", Decimal(rate))
        conversion = fx.Conversion(original, "USD", Decimal(rate), "entered")
    payer_list = sorted(payers)
    paid = {members[i].pk: amount // len(payer_list) for i in payer_list}
    paid[members[payer_list[0]].pk] += amount - sum(paid.values())
    paid = {pk: value for pk, value in paid.items() if value}
    owed = split("equal", amount, dict.fromkeys(members[i].pk for i in sorted(among)), seed=1)
    return ExpenseEntry(
        description="Thing",
        amount=amount,
        currency="EUR",
        date=day,
        category=category,
        notes="",
        split_kind="equal",
        submission_id=submission_id,
        paid=paid,
        owed=dict(owed.shares),
        conversion=conversion,
    )


def run(group, author, members, operations):
    for operation in operations:
        action, pick = operation[0], operation[4]
        existing = list(group.expenses.order_by("id"))
        target = existing[pick % len(existing)] if existing else None
        if action == "add" or target is None:
            entry = entry_for(members, operation, uuid.uuid4())
            Expense.objects.save_expense(group_id=group.pk, author=author, entry=entry)
        elif action == "edit" and target.deleted_at is None:
            entry = entry_for(members, operation, target.submission_id)
            Expense.objects.save_expense(
                group_id=group.pk,
                author=author,
                entry=entry,
                expense=target,
                expected_version=target.version,
            )
        elif action == "delete":
            Expense.objects.delete_expense(target, actor=author)
        elif action == "restore":
            Expense.objects.restore_expense(target, actor=author)


def in_group_currency(expense, row):
    """A payer's or share's amount in the group's currency: those of an expense that settles in
    the currency spent are in that currency, and count as their part of the converted amount,
    rounded down."""
    if expense.settles_in_original:
        return row.amount * expense.amount // expense.original_amount
    return row.amount


def rows_in(group, date_from=None, date_to=None):
    """The live expenses in the period with their payers and shares, the slow and obvious way."""
    return [
        expense
        for expense in group.expenses.live().prefetch_related("payers", "shares")
        if (date_from is None or expense.date >= date_from)
        and (date_to is None or expense.date <= date_to)
    ]


def kept_totals(group):
    return (
        {
            (row.span, row.day, row.category): (row.amount, row.expense_count)
            for row in GroupSpending.objects.filter(group=group)
            if row.expense_count
        },
        {
            (row.span, row.day, row.category, row.member_id): (
                row.paid,
                row.share,
                row.share_count,
            )
            for row in MemberSpending.objects.filter(group=group)
            if row.paid or row.share_count
        },
    )


def totals_of_rows(group):
    groups, members = defaultdict(lambda: (0, 0)), defaultdict(lambda: (0, 0, 0))
    for expense in rows_in(group):
        for span, day in (("month", expense.date.replace(day=1)), ("day", expense.date)):
            key = (span, day, expense.category)
            amount, count = groups[key]
            groups[key] = (amount + expense.amount, count + 1)
            for payer in expense.payers.all():
                paid, share, shares = members[*key, payer.member_id]
                members[*key, payer.member_id] = (
                    paid + in_group_currency(expense, payer),
                    share,
                    shares,
                )
            for row in expense.shares.all():
                paid, share, shares = members[*key, row.member_id]
                members[*key, row.member_id] = (
                    paid,
                    share + in_group_currency(expense, row),
                    shares + 1,
                )
    # A payer whose part comes to nothing converted paid nothing, as the kept totals say.
    members = {key: figures for key, figures in members.items() if any(figures)}
    return dict(groups), dict(members)


def expected_statistics(group, date_from, date_to):
    months, categories = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    paid, shares = defaultdict(int), defaultdict(int)
    for expense in rows_in(group, date_from, date_to):
        for totals in (months[expense.date.replace(day=1)], categories[expense.category]):
            totals[0] += expense.amount
            totals[1] += 1
        for payer in expense.payers.all():
            paid[payer.member_id] += in_group_currency(expense, payer)
        for share in expense.shares.all():
            shares[share.member_id] += in_group_currency(expense, share)
    return (
        sorted((month, total, count) for month, (total, count) in months.items()),
        sorted(
            ((category_label(c), total, count) for c, (total, count) in categories.items()),
            key=lambda row: (-row[1], row[0]),
        ),
        # Paying a part that comes to nothing converted is paying nothing.
        {member: amount for member, amount in paid.items() if amount},
        dict(shares),
    )


@pytest.mark.django_db
@settings(max_examples=40, deadline=None)
@given(OPERATIONS, st.none() | DAYS, st.none() | DAYS, st.sampled_from(ConvertAt))
def test_kept_spending_follows_any_sequence_of_changes(operations, date_from, date_to, convert_at):
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    with transaction.atomic():
        group, author, members = make_group()
        # A group that converts at settlement keeps what was spent in USD in USD.
        Group.objects.filter(pk=group.pk).update(convert_at=convert_at)
        group.refresh_from_db()
        run(group, author, members, operations)

        assert kept_totals(group) == totals_of_rows(group)
        # The database's sums, which recompute_balances rebuilds the totals from, agree.
        assert_books_match_ledger()

        months, categories, paid, shares = expected_statistics(group, date_from, date_to)
        stats = group_statistics(group, date_from, date_to)
        assert stats.months == months
        assert stats.categories == categories
        assert stats.total == sum(total for _, total, _ in months)
        assert {p.member.pk: p.paid for p in stats.people if p.member.pk in paid} == paid
        assert {p.member.pk: p.share for p in stats.people if p.member.pk in shares} == shares
        [mine] = personal_spending(author, date_from, date_to) or [None]
        owner = members[0].pk
        if mine is None:
            assert owner not in paid
            assert owner not in shares
        else:
            assert (mine.total, mine.paid) == (shares.get(owner, 0), paid.get(owner, 0))
        transaction.set_rollback(True)


@pytest.fixture
def spent(db):
    """A group whose expenses in two months and two categories are in its kept totals."""
    group, author, members = make_group(3)
    owner, guest = members[0], members[1]
    add_expense(group, author, paid={owner: 3000}, among=[owner, guest], date=FIRST_DAY)
    add_expense(
        group,
        author,
        paid={guest: 900},
        among=members,
        category="rent",
        date=datetime.date(2025, 12, 24),
    )
    return group


def test_check_names_a_spending_total_that_drifted_and_recompute_fixes_it(spent):
    GroupSpending.objects.filter(group=spent, category="rent").update(amount=1)
    MemberSpending.objects.filter(group=spent, category="food").delete()
    output = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("recompute_balances", "--check", stdout=output)

    assert error.value.returncode == 1
    # The rent of the month and of its day; the food of two members, of the month and the day.
    assert "and 6 spending total(s) differ" in str(error.value)
    assert (
        f"{spent.name} (#{spent.pk}): the group's spending on rent in Dec 2025 is kept as "
        "0.01 EUR in 1 expense(s), the ledger says 9.00 EUR in 1 expense(s)"
    ) in output.getvalue()
    assert (
        "'s spending on food on 01 Nov 2025 is kept as paid 0.00 EUR, 0 share(s) of 0.00 EUR, "
        "the ledger says paid 30.00 EUR, 1 share(s) of 15.00 EUR"
    ) in output.getvalue()
    fixed = io.StringIO()
    call_command("recompute_balances", stdout=fixed)
    assert fixed.getvalue().endswith("and 6 spending total(s).\n")
    assert_books_match_ledger()
    assert group_statistics(spent).categories == [("Food and drink", 3000, 1), ("Rent", 900, 1)]
