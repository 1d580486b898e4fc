"""Every change re-checks the state it changes under the group's lock, and the database refuses
what the code assumes never happens."""

import datetime
import threading
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction

from expenses.models import Expense, ExpensePayer, ExpenseShare, StaleEdit
from expenses.tests.factories import add_expense
from groups.models import CurrencyFixed, Group, Member
from groups.tests.conftest import PNG_BYTES
from groups.tests.factories import GroupFactory, MemberFactory
from ledger import books
from ledger.books import LedgerError
from ledger.models import (
    BalanceConversion,
    ConversionLine,
    CurrencyBalance,
    CurrencyPairBalance,
    PairBalance,
)
from ledger.tests.test_expense_ledger import entry_for, kept, ledger_truth, make_group
from settlements.models import Payment
from settlements.tests.factories import record_payment
from settlements.tests.test_convert_at_settlement import SETTLED_ON, settlement_group, spend


def receipt_files(group):
    """The group's stored receipts. The test storage lives as long as the test process, and
    group ids are reused after each test's rollback, so tests compare against a fresh folder."""
    folder = f"receipts/{group.pk}"
    return sorted(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else []


@pytest.fixture(autouse=True)
def _empty_receipt_storage():
    default_storage.delete("receipts")


@pytest.fixture
def trip(db):
    group, author, members = make_group(size=3)
    expense = add_expense(group, author, paid={members[0]: 6000}, among=members)
    return group, author, members, expense


def test_an_edit_of_an_expense_deleted_meanwhile_is_refused_and_moves_nothing(trip):
    group, author, members, expense = trip
    loaded_version = expense.version
    Expense.objects.delete_expense(expense, actor=author)
    edit = entry_for(members, 9000, {0, 1, 2}, {0}, expense.submission_id)

    with pytest.raises(StaleEdit, match="deleted this expense while you were editing"):
        Expense.objects.save_expense(
            group_id=group.pk,
            author=author,
            entry=edit,
            expense=expense,
            expected_version=loaded_version,
        )

    assert kept(group) == ledger_truth(group) == ({}, {})
    expense.refresh_from_db()
    assert (expense.is_deleted, expense.amount) == (True, 6000)


def test_delete_and_restore_each_bump_the_version_so_older_edit_forms_are_stale(trip):
    group, author, members, expense = trip
    loaded_version = expense.version

    Expense.objects.delete_expense(expense, actor=author)
    restored = Expense.objects.restore_expense(expense, actor=author)

    assert restored.version == loaded_version + 2
    with pytest.raises(StaleEdit, match="saved this expense while you were editing"):
        Expense.objects.save_expense(
            group_id=group.pk,
            author=author,
            entry=entry_for(members, 9000, {0, 1}, {0}, expense.submission_id),
            expense=expense,
            expected_version=loaded_version,
        )
    assert kept(group) == ledger_truth(group)


def test_a_payment_deleted_twice_moves_balances_once(trip):
    group, author, members, _ = trip
    payment = record_payment(members[1], members[0], 2000, actor=author)
    stale_copy = Payment.objects.get(pk=payment.pk)

    Payment.objects.delete_payment(payment, actor=author)
    Payment.objects.delete_payment(stale_copy, actor=author)

    assert kept(group) == ledger_truth(group)
    assert Payment.objects.get(pk=payment.pk).version == 2


def test_amounts_typed_in_a_currency_the_group_no_longer_has_are_refused(db):
    group, author, members = make_group(size=2)
    typed_in_euros = entry_for(members, 1200, {0, 1}, {0}, uuid.uuid4())
    group.update_settings(
        actor=author, name=group.name, description="", currency="JPY", simplify_debts=True
    )

    with pytest.raises(LedgerError, match="currency changed to JPY"):
        Expense.objects.save_expense(group_id=group.pk, author=author, entry=typed_in_euros)

    assert not group.expenses.exists()
    assert kept(group) == ({}, {})


def test_the_currency_is_fixed_once_the_group_has_history_even_if_it_was_deleted(trip):
    group, author, _, expense = trip
    Expense.objects.delete_expense(expense, actor=author)

    with pytest.raises(CurrencyFixed):
        group.update_settings(
            actor=author, name="Renamed", description="", currency="JPY", simplify_debts=True
        )

    group.refresh_from_db()
    assert (group.currency, group.has_ledger_history) == ("EUR", True)
    assert group.name != "Renamed"


def test_settings_other_than_the_currency_still_change_with_history(trip):
    group, author, _, _ = trip

    group.update_settings(
        actor=author, name="Renamed", description="Summer", currency="EUR", simplify_debts=False
    )

    group.refresh_from_db()
    assert (group.name, group.description, group.simplify_debts) == ("Renamed", "Summer", False)


def test_the_database_refuses_a_currency_change_once_the_group_has_expenses(trip):
    group, *_ = trip

    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.filter(pk=group.pk).update(currency="JPY", has_ledger_history=False)

    group.refresh_from_db()
    assert group.currency == "EUR"


def test_the_database_lets_a_group_without_history_change_currency(db):
    group, *_ = make_group(size=2)

    Group.objects.filter(pk=group.pk).update(currency="JPY")

    group.refresh_from_db()
    assert group.currency == "JPY"


@pytest.mark.parametrize("model", [Expense, Payment])
def test_the_database_refuses_a_ledger_row_in_another_currency(trip, model):
    group, author, members, _ = trip
    record_payment(members[1], members[0], 500, actor=author)
    row = model.objects.filter(group=group).first()

    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(currency="USD")

    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(group=GroupFactory(currency="JPY"))


def test_a_double_submitted_receipt_is_stored_once(trip):
    group, author, members, _ = trip
    entry = entry_for(members, 3000, {0, 1}, {0}, uuid.uuid4())

    for _ in range(3):
        upload = SimpleUploadedFile("receipt.png", PNG_BYTES, "image/png")
        Expense.objects.save_expense(
            group_id=group.pk,
            author=author,
            entry=entry.__class__(**vars(entry) | {"receipt": upload}),
        )

    saved = Expense.objects.get(submission_id=entry.submission_id)
    assert receipt_files(group) == [saved.receipt.name.rsplit("/", 1)[1]]


def test_a_receipt_is_removed_when_the_expense_is_refused(db):
    group, author, members = make_group(size=2)
    upload = SimpleUploadedFile("receipt.png", PNG_BYTES, "image/png")
    entry = entry_for(members, 3000, {0, 1}, {0}, uuid.uuid4())
    entry = entry.__class__(**vars(entry) | {"receipt": upload, "currency": "USD"})

    with pytest.raises(LedgerError):
        Expense.objects.save_expense(group_id=group.pk, author=author, entry=entry)

    assert receipt_files(group) == []


def test_a_replaced_receipt_is_removed_once_the_edit_is_saved(
    trip, django_capture_on_commit_callbacks
):
    group, author, members, _ = trip
    first = entry_for(members, 3000, {0, 1}, {0}, uuid.uuid4())
    first = first.__class__(**vars(first) | {"receipt": SimpleUploadedFile("a.png", PNG_BYTES)})
    expense = Expense.objects.save_expense(group_id=group.pk, author=author, entry=first)
    second = first.__class__(**vars(first) | {"receipt": SimpleUploadedFile("b.png", PNG_BYTES)})

    with django_capture_on_commit_callbacks(execute=True):
        edited = Expense.objects.save_expense(
            group_id=group.pk,
            author=author,
            entry=second,
            expense=expense,
            expected_version=expense.version,
        )

    assert receipt_files(group) == [edited.receipt.name.rsplit("/", 1)[1]]
    assert edited.receipt.name != expense.receipt.name


@pytest.mark.django_db(transaction=True)
def test_edits_racing_deletes_leave_no_drift():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite serialises whole-database writes")
    group, author, members = make_group(size=3)
    outcomes = []

    def run(action, barrier):
        try:
            barrier.wait(timeout=10)
            action()
            outcomes.append("done")
        except StaleEdit:
            outcomes.append("stale")
        finally:
            connections.close_all()

    for round_ in range(20):
        expense = add_expense(group, author, paid={members[0]: 6000}, among=members)
        edit = entry_for(members, 9000, {0, 1, 2}, {round_ % 3}, expense.submission_id)
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(
                target=run,
                args=(
                    lambda expense=expense, edit=edit: Expense.objects.save_expense(
                        group_id=group.pk,
                        author=author,
                        entry=edit,
                        expense=expense,
                        expected_version=expense.version,
                    ),
                    barrier,
                ),
            ),
            threading.Thread(
                target=run,
                args=(
                    lambda expense=expense: Expense.objects.delete_expense(expense, actor=author),
                    barrier,
                ),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert kept(group) == ledger_truth(group)
    assert sum(Member.objects.filter(group=group).values_list("balance", flat=True)) == 0
    assert not group.expenses.live().exists()
    assert len(outcomes) == 40
    call_command("recompute_balances", "--check", "--group", str(group.pk))


@pytest.mark.parametrize("date", [datetime.date(1000, 1, 1), datetime.date(2999, 1, 1)])
def test_entries_dated_outside_the_allowed_range_are_refused_for_every_caller(trip, date):
    group, author, members, _ = trip
    entry = entry_for(members, 3000, {0, 1}, {0}, uuid.uuid4())
    before = kept(group)

    with pytest.raises(LedgerError, match=r"1900|year"):
        Expense.objects.save_expense(
            group_id=group.pk, author=author, entry=entry.__class__(**vars(entry) | {"date": date})
        )
    with pytest.raises(LedgerError, match=r"1900|year"):
        record_payment(members[1], members[0], 500, actor=author, date=date)

    assert group.expenses.count() == 1
    assert not Payment.objects.filter(group=group).exists()
    assert kept(group) == before


def test_the_database_refuses_ledger_rows_naming_another_groups_members(trip):
    group, author, members, expense = trip
    payment = record_payment(members[1], members[0], 500, actor=author)
    stranger = MemberFactory(group=GroupFactory())
    pair = group.pair_balances.first()
    refused = [
        (ExpensePayer.objects.filter(expense=expense), {"member": stranger}),
        (ExpenseShare.objects.filter(expense=expense), {"member": stranger}),
        (Payment.objects.filter(pk=payment.pk), {"from_member": stranger}),
        (Payment.objects.filter(pk=payment.pk), {"to_member": stranger}),
        (PairBalance.objects.filter(pk=pair.pk), {"member_b": stranger}),
    ]

    for rows, change in refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpenseShare.objects.create(expense=expense, member=stranger, amount=0)

    call_command("recompute_balances", "--check", "--group", str(group.pk))


def test_the_database_refuses_moving_a_member_to_another_group(trip):
    group, _, members, _ = trip

    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=members[1].pk).update(group=GroupFactory())

    assert Member.objects.get(pk=members[1].pk).group_id == group.pk


def test_the_database_refuses_balances_in_other_currencies_naming_another_groups_members(db):
    group, owner, (ana, bob, cia, _) = settlement_group()
    spend(group, owner, ana, [ana, bob, cia], 12345, "USD")
    with books.change(group.pk) as locked:
        conversion = books.convert_open_balances(locked, on_date=SETTLED_ON, actor=owner)
    spend(group, owner, ana, [ana, bob], 1000, "USD")
    stranger = MemberFactory(group=GroupFactory())
    balance = CurrencyBalance.objects.filter(group=group).first()
    pair = CurrencyPairBalance.objects.filter(group=group).first()
    line = conversion.lines.first()
    refused = [
        (CurrencyBalance.objects.filter(pk=balance.pk), {"member": stranger}),
        (CurrencyPairBalance.objects.filter(pk=pair.pk), {"member_a": stranger}),
        (CurrencyPairBalance.objects.filter(pk=pair.pk), {"member_b": stranger}),
        (ConversionLine.objects.filter(pk=line.pk), {"member_a": stranger}),
        (ConversionLine.objects.filter(pk=line.pk), {"member_b": stranger}),
        # A conversion moved to another group would name members it does not have.
        (ConversionLine.objects.filter(pk=line.pk), {"conversion": other_conversion(stranger)}),
    ]

    for rows, change in refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        CurrencyBalance.objects.create(group=group, member=stranger, currency="JPY", amount=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConversionLine.objects.create(
            conversion=conversion,
            currency="USD",
            rate=1,
            rate_source="entered",
            member_a=ana,
            member_b=stranger,
            amount=0,
            converted=0,
        )

    assert not books.recompute_group(group, check=True)


def other_conversion(member):
    return BalanceConversion.objects.create(
        group=member.group, date=SETTLED_ON, created_by=member.group.created_by
    )
