import datetime
import uuid

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django_tasks_db.models import DBTaskResult, get_date_max

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


def test_the_signals_of_a_save_are_sent_and_what_pre_save_sets_is_written(db):
    member = MemberFactory()
    line = Activity(group=member.group, actor=member.user, verb="member_added", summary="added")
    heard = []

    def before(sender, instance, raw, using, update_fields, **kwargs):
        heard.append(("pre_save", sender, instance.pk, raw, using, update_fields))
        instance.summary = "added Bob"

    def after(sender, instance, created, raw, using, update_fields, **kwargs):
        heard.append(("post_save", sender, instance.pk, created, raw, using, update_fields))

    pre_save.connect(before, sender=Activity)
    post_save.connect(after, sender=Activity)
    try:
        insert(line)
    finally:
        pre_save.disconnect(before, sender=Activity)
        post_save.disconnect(after, sender=Activity)

    assert heard == [
        ("pre_save", Activity, None, False, "default", None),
        ("post_save", Activity, line.pk, True, False, "default", None),
    ]
    assert Activity.objects.get(pk=line.pk).summary == "added Bob"


def test_a_row_whose_id_is_given_is_written_with_it(db):
    member = MemberFactory()
    first = insert(new_expense(member))
    task = DBTaskResult(
        id=uuid.uuid4(),
        args_kwargs={"args": [first.pk], "kwargs": {}},
        task_path="splitclone.tasks.refresh_rates",
        backend_name="default",
        run_after=None,
    )

    insert(task)

    assert stored(task) == given(task)
    # Filled in by django-tasks-db's pre_save receiver.
    assert task.run_after == get_date_max()
