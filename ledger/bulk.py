"""Statements that write many rows in one round trip, for the ledger's writes.

Saving an expense shared by 50 people writes some 250 rows over six tables under the group's
lock. The ORM's bulk methods build a model instance per row, and a statement with a placeholder
per value is parsed again by psycopg on every call (it caches only statements of at most 50
parameters). Here the rows travel as one table: on PostgreSQL one array per column, unnested,
so the statement's text and its number of parameters stay the same whatever the number of rows;
on SQLite, where nothing crosses a network and nothing is parsed but by SQLite, as a VALUES list.
"""

from functools import cache
from itertools import batched

from django.db import connection

from splitclone import cursors

# SQLite takes at most 32,766 parameters in a statement.
BATCH_SIZE = 2_000


def rows_table(name, model, columns, rows):
    """(sql, params): `rows` as a table called `name` to read FROM, whose columns are typed as
    `model`'s columns of those names (attnames: "member_id").

    Not a WITH clause before the statement: Python's sqlite3 tells how many rows a statement
    changed only for one that starts with INSERT, UPDATE, DELETE or REPLACE.
    """
    rows = list(rows)
    if connection.vendor == "postgresql":
        params = [_array_literal(values) for values in zip(*rows, strict=True)]
        return f"{_unnest(model, tuple(columns))} AS {name}({', '.join(columns)})", params
    named = ", ".join(f"column{n} AS {column}" for n, column in enumerate(columns, 1))
    row = f"({', '.join(['%s'] * len(columns))})"
    params = [value for values in rows for value in values]
    return f"(SELECT {named} FROM (VALUES {', '.join([row] * len(rows))})) AS {name}", params


def _array_literal(values):
    """A PostgreSQL array literal of one column's `values` (ints, or anything whose str() the
    column's type reads: text, dates), for a `%s::type[]` placeholder. psycopg would write one
    too, but it checks every element in Python, which at 50 people took longer than the rest
    of the save; a column of text holds a few values many times (a span, a day, a category)."""
    if type(values[0]) is int:
        # One %-format for the whole column: a str() per value, mapped and joined, took half as
        # long again.
        return ("{" + "%s," * (len(values) - 1) + "%s}") % tuple(values)
    spelled = {value: _quoted(str(value)) for value in set(values)}
    return "{" + ",".join(map(spelled.__getitem__, values)) + "}"


def _quoted(text):
    # Inside double quotes an array element keeps everything but \ and ", which are escaped.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@cache
def _unnest(model, columns):
    # Without the length (varchar, not varchar(3)): a cast never truncates a value.
    types = (model._meta.get_field(column).db_type(connection).split("(")[0] for column in columns)
    return f"unnest({', '.join(f'%s::{db_type}[]' for db_type in types)})"


def insert(model, columns, rows):
    """Inserts `rows` (values of `columns`, in that order) into `model`'s table."""
    table = model._meta.db_table
    with cursors.cursor() as cursor:
        for batch in batched(rows, BATCH_SIZE):
            source, params = rows_table("new", model, columns, batch)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM {source}", params
            )


def upsert(model, keys, counters, rows):
    """Adds `rows` (keys then counters) to `model`'s counters, inserting the keys not there."""
    table = model._meta.db_table
    columns = keys + counters
    sums = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in counters)
    with cursors.cursor() as cursor:
        for batch in batched(rows, BATCH_SIZE):
            source, params = rows_table("delta", model, columns, batch)
            # "WHERE true": SQLite would otherwise read ON CONFLICT as the start of a join.
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM {source} "
                f"WHERE true ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sums}",
                params,
            )
