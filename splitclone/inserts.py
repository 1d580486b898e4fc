"""A new row written by a statement whose text is built once per model and database.

`Model.save()` compiles its INSERT afresh on every call, which cost more CPU than the database
took to run it: saving an expense writes three single rows (the expense, its history line and
the followers' task) under the group's lock. Here the statement's text is the same on every
call, so PostgreSQL plans it once per connection (`server_side_binding` in the settings).
"""

from functools import cache

from django.db import connections, router
from django.db.models.expressions import DatabaseDefault
from django.db.models.signals import post_save, pre_save

from splitclone import cursors


class InsertError(Exception):
    """The model or the instance is one `insert` does not write as `Model.save()` would."""


def insert(instance):
    """Writes the new `instance` as `Model.save()` would: `pre_save` and `post_save` are sent,
    each field's `pre_save` runs (`auto_now_add`, a file not stored yet), the values are
    prepared for the database by their fields, a generated id is read back, and the instance
    is marked as saved.

    Every field must hold a value: one left to its database default (`db_default`) would
    change the statement's columns, and is refused.
    """
    model = type(instance)
    meta = model._meta
    if not instance._state.adding or (meta.pk.db_returning and instance.pk is not None):
        raise InsertError(f"{model.__name__} #{instance.pk} is saved already.")
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    sql, fields = _statement(model, alias)
    pre_save.send(sender=model, instance=instance, raw=False, using=alias, update_fields=None)
    params = []
    for field in fields:
        value = field.pre_save(instance, True)
        if isinstance(value, DatabaseDefault):
            raise InsertError(f"{model.__name__}.{field.name} is left to its database default.")
        params.append(field.get_db_prep_save(value, connection))
    with cursors.cursor(alias) as cursor:
        cursor.execute(sql, params)
        if meta.pk.db_returning:
            instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = alias
    post_save.send(
        sender=model, instance=instance, created=True, update_fields=None, raw=False, using=alias
    )
    return instance


@cache
def _statement(model, alias):
    meta = model._meta
    if meta.parents:
        # A child table's row needs its parent's first.
        raise InsertError(f"{model.__name__} has a parent model.")
    generated_id = meta.pk.db_returning
    fields = [
        field for field in meta.local_concrete_fields if not (generated_id and field is meta.pk)
    ]
    if any(field.generated for field in fields):
        raise InsertError(f"{model.__name__} has a generated field.")
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"
    if generated_id:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return sql, fields
