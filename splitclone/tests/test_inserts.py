import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models.signals import post_save, pre_save

from expenses.models import Expense
from groups.models import Activity
from groups.tests.factories import MemberFactory
from splitclone import fx
from splitclone.inserts import InsertError, insert


def new_expense(member, **fields):
    """An expense whose every field holds a value, as `save_expense` fills it in."""
    expense = Expense(
        group=member.group,
        created_by=member.user,
        description="Taxi",
        amount=2_500,
        currency=member.group.currency,
        date=datetime.date(2026, 11, 2),
        split_kind="equal",
        search_text="taxi",
        settles_in_original=False,
        **fields,
    )
    expense.set_conversion(fx.Conversion.same(expense.amount, expense.currency))
    return expense


def stored(instance):
    fresh = type(instance).objects.get(pk=instance.pk)
    return {field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields}


def given(instance):
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_a_row_is_stored_as_the_instance_holds_it_and_the_instance_is_saved(db):
    member = MemberFactory()
    expense = new_expense(member, notes='a "quoted" note')

    assert insert(expense) is expense

    assert expense.pk is not None
    assert not expense._state.adding
    assert expense._state.db == "default"
    # auto_now_add and auto_now ran, as Model.save() runs them.
    assert isinstance(expense.created_at, datetime.datetime)
    assert isinstance(expense.updated_at, datetime.datetime)
    assert stored(expense) == given(expense)


def test_json_values_and_every_call_take_the_same_statement(db):
    member = MemberFactory()
    lines = [
        Activity(
            group=member.group,
            actor=member.user,
            verb=Activity.Verb.MEMBER_ADDED,
            summary=f"added {name}",
            data={"names": [name], "nested": {"n": n}},
        )
        for n, name in enumerate(["Bob", "Ann"])
    ]

    statements = []

    def keep_text(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep_text):
        for line in lines:
            insert(line)

    assert len(statements) == 2
    assert statements[0] == statements[1]
    assert [stored(line) for line in lines] == [given(line) for line in lines]


def test_a_file_not_stored_yet_is_stored_first(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    expense = new_expense(MemberFactory())
    expense.receipt = ContentFile(b"receipt", name="receipt.txt")

    insert(expense)

    fresh = Expense.objects.get(pk=expense.pk)
    assert fresh.receipt.name == expense.receipt.name
    assert fresh.receipt.read() == b"receipt"


def test_a_saved_instance_is_refused(db):
    expense = insert(new_expense(MemberFactory()))

    with pytest.raises(InsertError):
        insert(expense)


def test_a_field_left_to_its_database_default_is_refused(db):
    member = MemberFactory()
    expense = new_expense(member)
    expense.search_text = Expense().search_text

    with pytest.raises(InsertError):
        insert(expense)
    assert not Expense.objects.exists()


@pytest.mark.parametrize("signal", [pre_save, post_save])
def test_a_model_whose_saves_are_listened_to_is_refused(db, signal):
    member = MemberFactory()
    line = Activity(group=member.group, actor=member.user, verb="member_added", summary="added")

    def listening(**kwargs):
        pass

    signal.connect(listening, sender=Activity)
    try:
        with pytest.raises(InsertError):
            insert(line)
    finally:
        signal.disconnect(listening, sender=Activity)
    assert not Activity.objects.filter(summary="added").exists()
