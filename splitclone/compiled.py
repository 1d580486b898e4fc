"""Hot queries written with the ORM and compiled to SQL once per process and database.

Building a queryset and compiling it costs some 0.3 ms of CPU per query, several times what the
database takes to answer a page's small queries, and a group page asks about ten of them. A
`CompiledQuery` builds its queryset with stand-in values in its named slots, compiles it once
per database, and on each call sends that SQL with the call's values through the connection's
cursor, so query counts, the database metrics and `CaptureQueriesContext` see it as any other
query. The rows come back as the queryset would have given them: model instances (with their
`select_related` objects and annotations), `values()` dicts or `values_list()` tuples.

    MEMBERSHIP = CompiledQuery(
        lambda slot: Member.objects.filter(group_id=slot.group_id, user_id=slot.user_id)[:1],
        group_id=int,
        user_id=int,
    )
    MEMBERSHIP(group_id=group.pk, user_id=user.pk)  # [Member] or []

A slot holds an `int`, a `str` or a `datetime.date`, or a list of ints or strings (`list[int]`)
for an `__in` lookup. The statement's text is the same on every call, which is what lets
PostgreSQL plan it once per connection (`server_side_binding` in the settings); a list is sent
there as one array, `= ANY(%s)`, whatever its length. Elsewhere the list's placeholders are
written out per call. An empty list matches nothing, as Django's `__in=[]`, and no query is sent.

Booleans and None are never slots: they change the SQL Django writes (`IS NULL`), so they stay
written into the queryset. Anything this module cannot prove it reproduces is refused with
`CompiledQueryError` when the query is first compiled: a lookup that rewrites the value
(`__contains`), SQL whose text depends on a slot (a slice), prefetching, related objects known
to a related manager, `values_list(named=True)`, `select_for_update()` and combined queries.
"""

import datetime
import re
import types
import typing

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)

SCALAR_KINDS = (int, str, datetime.date)
# Each slot's stand-in values in the two builds that tell slots from constants: a parameter that
# is the first stand-in in one and the second in the other is the slot, one equal in both is a
# constant that happens to look like it. Ints within a small integer column's range, which
# Django would otherwise answer with no rows before writing any SQL.
STAND_INS = {
    int: (lambda index: 29_000 + index, lambda index: 31_000 + index),
    str: (lambda index: f"<slot {index} of build 1>", lambda index: f"<slot {index} of build 2>"),
    datetime.date: (
        lambda index: datetime.date(1901, 1, 1) + datetime.timedelta(days=index),
        lambda index: datetime.date(1902, 1, 1) + datetime.timedelta(days=index),
    ),
}
PLACEHOLDER = re.compile(r"%[%s]")
IN_LIST = re.compile(r" IN \($")
SHAPES = {ModelIterable, ValuesIterable, ValuesListIterable, FlatValuesListIterable}


class CompiledQueryError(TypeError):
    """A query `CompiledQuery` cannot reproduce exactly, or a call with the wrong values."""


class CompiledQuery:
    """A queryset compiled once per database, run with each call's values in its slots.

    `build` takes an object whose attributes are the slots and returns the queryset; `slots`
    names each slot's kind (int, str, datetime.date, list[int] or list[str]). Calling it with
    every slot's value returns the list of rows the queryset would have returned.
    """

    def __init__(self, build, /, **slots):
        for name, kind in slots.items():
            if _scalar_kind(kind) is None:
                raise CompiledQueryError(f"Slot {name!r}: {kind!r} is not a kind a slot holds.")
        if "using" in slots:
            raise CompiledQueryError("'using' names the database; pick another slot name.")
        self._build = build
        self._slots = slots
        self._querysets = None
        # {(alias, vendor): _Statement}: the vendor too, as settings may point an alias at
        # another database within one process (tests).
        self._statements = {}

    def __call__(self, *, using=None, **values):
        if values.keys() != self._slots.keys():
            raise CompiledQueryError(
                f"Expected values for {sorted(self._slots)}, got {sorted(values)}."
            )
        querysets = self._querysets or self._build_querysets()
        alias = using or querysets.first._db or router.db_for_read(querysets.first.model)
        connection = connections[alias]
        statement = self._statements.get((alias, connection.vendor))
        if statement is None:
            statement = self._statements[alias, connection.vendor] = _Statement(
                querysets, alias, connection
            )
        lists = {}
        for name, kind in self._slots.items():
            value = values[name]
            if kind in SCALAR_KINDS:
                _check(name, kind, value)
                continue
            element_kind = typing.get_args(kind)[0]
            if not isinstance(value, (list, tuple, set, frozenset)):
                raise CompiledQueryError(f"Slot {name!r} takes a list, not {value!r}.")
            for element in value:
                _check(name, element_kind, element)
            lists[name] = list(value)
        if not all(lists.values()):
            return []
        return statement.run(connection, values, lists)

    def _build_querysets(self):
        stand_ins = []
        for which in (0, 1):
            stand_ins.append(
                {
                    name: (
                        STAND_INS[kind][which](index)
                        if kind in SCALAR_KINDS
                        else [STAND_INS[_scalar_kind(kind)][which](index)]
                    )
                    for index, (name, kind) in enumerate(self._slots.items())
                }
            )
        first, second = (self._build(types.SimpleNamespace(**each)) for each in stand_ins)
        # Built with each list empty in turn, for `_Statement` to check that an empty list
        # leaves no row to find.
        emptied = {
            name: self._build(types.SimpleNamespace(**(stand_ins[0] | {name: []})))
            for name, kind in self._slots.items()
            if kind not in SCALAR_KINDS
        }
        _refuse_unsupported(first)
        self._querysets = _Builds(first, second, stand_ins, emptied, self._slots)
        return self._querysets


class _Builds(typing.NamedTuple):
    first: object
    second: object
    stand_ins: list
    emptied: dict
    slots: dict


class _Statement:
    """One query's SQL for one database, where each call's values go, and how its rows become
    what the queryset gives."""

    def __init__(self, builds, alias, connection):
        compiler = builds.first.query.get_compiler(using=alias)
        sql, params = _compiled(compiler)
        second_sql, second_params = _compiled(builds.second.query.get_compiler(using=alias))
        if sql != second_sql or len(params) != len(second_params):
            raise CompiledQueryError(f"The SQL depends on a slot's value: {sql}")
        ops = connection.ops
        adapters = {int: None, str: None, datetime.date: ops.adapt_datefield_value}
        placeholders = [match for match in PLACEHOLDER.finditer(sql) if match.group() == "%s"]
        if len(placeholders) != len(params):
            raise CompiledQueryError(f"The SQL's placeholders do not match its parameters: {sql}")
        self.sources = []
        list_placeholders = []
        used = set()
        for index, (value, other) in enumerate(zip(params, second_params, strict=True)):
            for name, kind in builds.slots.items():
                scalar = _scalar_kind(kind)
                adapt = adapters[scalar] if kind in SCALAR_KINDS else None
                expected = [builds.stand_ins[which][name] for which in (0, 1)]
                if kind not in SCALAR_KINDS:
                    expected = [each[0] for each in expected]
                if adapt is not None:
                    expected = [adapt(each) for each in expected]
                if _same(value, expected[0]) and _same(other, expected[1]):
                    break
            else:
                if not _same(value, other):
                    raise CompiledQueryError(
                        f"A lookup changes a slot's value on its way to the SQL "
                        f"({value!r}, {other!r}): {sql}"
                    )
                self.sources.append((None, value, None))
                continue
            used.add(name)
            if kind not in SCALAR_KINDS:
                placeholder = placeholders[index]
                if (
                    not IN_LIST.search(sql, 0, placeholder.start())
                    or sql[placeholder.end() : placeholder.end() + 1] != ")"
                ):
                    raise CompiledQueryError(f"Slot {name!r} is a list outside `__in`: {sql}")
                list_placeholders.append(placeholder)
            self.sources.append((name, None, adapt))
        if unused := builds.slots.keys() - used:
            raise CompiledQueryError(f"Slots {sorted(unused)} are not parameters of: {sql}")
        for name, queryset in builds.emptied.items():
            try:
                queryset.query.get_compiler(using=alias).as_sql()
            except EmptyResultSet:
                continue
            raise CompiledQueryError(
                f"An empty list in slot {name!r} does not leave the query without rows."
            )
        self.one_array = connection.vendor == "postgresql"
        # Elsewhere each list's placeholders are written out per call, between these parts.
        self.parts = []
        start = 0
        for placeholder in list_placeholders:
            self.parts.append(sql[start : placeholder.start()])
            start = placeholder.end()
        self.parts.append(sql[start:])
        if self.one_array:
            for placeholder in reversed(list_placeholders):
                start = IN_LIST.search(sql, 0, placeholder.start()).start()
                sql = f"{sql[:start]} = ANY(%s){sql[placeholder.end() + 1 :]}"
        self.sql = sql
        self.list_names = [
            name
            for name, value, adapt in self.sources
            if name is not None and builds.slots[name] not in SCALAR_KINDS
        ]
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        self.converters = list(compiler.get_converters(fields).items())
        self.width = compiler.col_count if compiler.has_extra_select else None
        self.shape = _shape(builds.first, compiler, alias)

    def run(self, connection, values, lists):
        params = []
        for name, constant, adapt in self.sources:
            if name is None:
                params.append(constant)
            elif name in lists:
                if self.one_array:
                    params.append(lists[name])
                else:
                    params.extend(lists[name])
            else:
                value = values[name]
                params.append(value if adapt is None else adapt(value))
        sql = self.sql
        if lists and not self.one_array:
            pieces = [self.parts[0]]
            for name, part in zip(self.list_names, self.parts[1:], strict=True):
                pieces.append(", ".join(["%s"] * len(lists[name])))
                pieces.append(part)
            sql = "".join(pieces)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if self.width is not None:
            rows = [row[: self.width] for row in rows]
        if self.converters:
            rows = [converted(row, self.converters, connection) for row in rows]
        return self.shape(rows)


def converted(row, converters, connection):
    """`row` through `converters`, as the compiler's `get_converters` lists them
    ([(index, (functions, expression))]): what the ORM turns a column's value into."""
    row = list(row)
    for index, (functions, expression) in converters:
        value = row[index]
        for convert in functions:
            value = convert(value, expression, connection)
        row[index] = value
    return row


def _shape(queryset, compiler, alias):
    """What turns rows into what `queryset` yields, as Django's iterable classes do."""
    shape = queryset._iterable_class
    if shape is FlatValuesListIterable:
        return lambda rows: [row[0] for row in rows]
    if shape is ValuesListIterable:
        return lambda rows: [tuple(row) for row in rows]
    if shape is ValuesIterable:
        query = queryset.query
        names = (
            list(query.selected)
            if query.selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        return lambda rows: [dict(zip(names, row, strict=True)) for row in rows]
    klass_info = compiler.klass_info
    model = klass_info["model"]
    select = compiler.select
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    related = get_related_populators(klass_info, select, alias)
    annotations = list(compiler.annotation_col_map.items())

    def instances(rows):
        objects = []
        for row in rows:
            instance = model.from_db(alias, init_list, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            for name, index in annotations:
                setattr(instance, name, row[index])
            objects.append(instance)
        return objects

    return instances


def _refuse_unsupported(queryset):
    query = queryset.query
    if queryset._iterable_class not in SHAPES:
        raise CompiledQueryError("Only model rows, values() and values_list() are supported.")
    if queryset._prefetch_related_lookups:
        raise CompiledQueryError("prefetch_related() runs more queries: load them apart.")
    if queryset._known_related_objects:
        raise CompiledQueryError(
            "A related manager's queryset knows its object: filter by its id from the model's "
            "manager and set the object on the rows."
        )
    if query.select_for_update:
        raise CompiledQueryError("select_for_update() is not supported.")
    if query.combinator:
        raise CompiledQueryError("union(), intersection() and difference() are not supported.")


def _compiled(compiler):
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        raise CompiledQueryError("The query can never return a row.") from None
    return sql, tuple(params)


def _scalar_kind(kind):
    if kind in SCALAR_KINDS:
        return kind
    if typing.get_origin(kind) is list:
        (element,) = typing.get_args(kind)
        if element in (int, str):
            return element
    return None


def _same(value, expected):
    # 1 == True and Decimal(1) == 1: a value of another type came from something else.
    return type(value) is type(expected) and value == expected


def _check(name, kind, value):
    # Exact types: a bool is an int to isinstance(), and a datetime a date.
    if type(value) is not kind:
        raise CompiledQueryError(f"Slot {name!r} takes {kind.__name__}, not {value!r}.")
