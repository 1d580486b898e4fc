"""Queries compiled once per database (splitclone.compiled) give what their querysets give."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Count, F, IntegerField, Q, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils.connection import ConnectionDoesNotExist
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from expenses.models import Expense, ExpenseShare
from expenses.tests.factories import add_expense
from groups.models import Activity, Member, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from settlements.models import Payment
from settlements.tests.factories import record_payment
from splitclone.compiled import CompiledQuery, CompiledQueryError


@pytest.fixture
def world(db):
    """Two groups: one with two people, a guest, someone who left, expenses over several days
    and payments; one with a single expense. Activity lines come with each."""
    owner = UserFactory(display_name="Ana")
    trip = GroupFactory(created_by=owner)
    ana = MemberFactory(group=trip, user=owner, role=Role.OWNER)
    bo = MemberFactory(group=trip, user=UserFactory(display_name="Bo"))
    guest = GuestFactory(group=trip, name="Cy")
    gone = MemberFactory(group=trip, user=UserFactory(display_name="Di"))
    for day in range(1, 7):
        add_expense(
            trip,
            owner,
            paid={ana if day % 2 else bo: 1000 + day},
            among=[ana, bo, guest, gone],
            date=datetime.date(2026, 11, day),
            description=f"Day {day}",
        )
    record_payment(bo, ana, 300, actor=owner)
    record_payment(guest, ana, 200, actor=owner)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    flat = GroupFactory(created_by=owner, name="Flat")
    MemberFactory(group=flat, user=owner, role=Role.OWNER)
    add_expense(flat, owner, paid={flat.members.get(): 900}, among=[flat.members.get()])
    return trip, flat


def state(instance):
    """Everything an instance carries: its fields, deferred ones, annotations, where it came
    from, and the same of the objects loaded with it."""
    if instance is None:
        return None
    values = {key: value for key, value in vars(instance).items() if key != "_state"}
    return (
        type(instance),
        values,
        instance._state.db,
        instance._state.adding,
        instance.get_deferred_fields(),
        {name: state(related) for name, related in instance._state.fields_cache.items()},
    )


def same_rows(compiled, queryset):
    rows = list(queryset)
    if rows and hasattr(rows[0], "_state"):
        assert [state(row) for row in compiled] == [state(row) for row in rows]
    else:
        assert compiled == rows
    return rows


def test_model_rows_with_select_related_and_deferred_fields(world):
    trip, flat = world

    def feed(group_id):
        return (
            Activity.objects.select_related("actor")
            .only("group", "verb", "summary", "data", "created_at", "actor__display_name")
            .filter(group_id=group_id)
            .order_by("-id")[:5]
        )

    query = CompiledQuery(lambda slot: feed(slot.group_id), group_id=int)
    for group in (trip, flat):
        assert len(same_rows(query(group_id=group.pk), feed(group.pk))) > 0


def test_a_nullable_select_related_gives_none_and_annotations_are_set(world):
    trip, _ = world

    def members(group_id):
        return (
            Member.objects.select_related("user", "group")
            .filter(group_id=group_id)
            .annotate(twice=F("balance") * 2, lowered=Lower("name"))
            .order_by("-is_active", Lower("name"), "id")
        )

    query = CompiledQuery(lambda slot: members(slot.group_id), group_id=int)
    rows = same_rows(query(group_id=trip.pk), members(trip.pk))
    assert None in [row.user for row in rows]
    assert [row.twice for row in rows] == [row.balance * 2 for row in rows]


def test_values_values_list_and_flat(world):
    trip, _ = world
    shapes = [
        lambda group_id: Expense.objects.filter(group_id=group_id).values("id", "date", "amount"),
        lambda group_id: Expense.objects.filter(group_id=group_id).values_list(
            "date", "created_at", F("amount") * 2
        ),
        lambda group_id: Expense.objects.filter(group_id=group_id).values_list("pk", flat=True),
        lambda group_id: Activity.objects.filter(group_id=group_id).values_list("data", "verb"),
        lambda group_id: (
            Payment.objects.filter(group_id=group_id)
            .order_by()
            .values("group_id")
            .annotate(count=Count("pk"), amount=Sum("amount"))
            .values_list("count", "amount")
        ),
    ]
    for shape in shapes:
        query = CompiledQuery(lambda slot, shape=shape: shape(slot.group_id), group_id=int)
        assert same_rows(query(group_id=trip.pk), shape(trip.pk))


def test_rows_are_converted_as_the_orm_converts_them(world):
    trip, _ = world
    query = CompiledQuery(
        lambda slot: Expense.objects.filter(group_id=slot.group_id).values_list(
            "date", "created_at"
        ),
        group_id=int,
    )
    day, created = query(group_id=trip.pk)[0]
    assert type(day) is datetime.date
    assert created.tzinfo is not None


def test_a_list_matches_as_in_does_whatever_it_holds(world):
    _, flat = world
    ids = list(Member.objects.values_list("pk", flat=True))

    def members(member_ids):
        return (
            Member.objects.filter(pk__in=member_ids).exclude(group_id__in=[flat.pk]).order_by("pk")
        )

    query = CompiledQuery(lambda slot: members(slot.member_ids), member_ids=list[int])

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.sampled_from([*ids, 0, 10**9]), min_size=1))
    def check(member_ids):
        same_rows(query(member_ids=member_ids), members(member_ids))

    check()


def test_a_list_of_strings_and_a_list_beside_other_slots(world):
    trip, flat = world

    def expenses(descriptions, group_ids, before):
        return Expense.objects.filter(
            description__in=descriptions, group_id__in=group_ids, date__lt=before
        ).order_by("pk")

    query = CompiledQuery(
        lambda slot: expenses(slot.descriptions, slot.group_ids, slot.before),
        descriptions=list[str],
        group_ids=list[int],
        before=datetime.date,
    )
    days = st.integers(1, 8).map(lambda day: datetime.date(2026, 11, day))

    @settings(max_examples=30, deadline=None)
    @given(
        st.lists(st.sampled_from([f"Day {day}" for day in range(8)] + ["Dinner"]), min_size=1),
        st.lists(st.sampled_from([trip.pk, flat.pk]), min_size=1),
        days,
    )
    def check(descriptions, group_ids, before):
        same_rows(
            query(descriptions=descriptions, group_ids=group_ids, before=before),
            expenses(descriptions, group_ids, before),
        )

    check()


def test_a_subquery_takes_its_slots_too(world):
    trip, _ = world
    ana = trip.members.get(name="", user__display_name="Ana")

    def shown(group_id, viewer_id):
        latest = Payment.objects.filter(group_id=group_id).order_by("-id").values("pk")[:1]
        waiting = Q(deleted_at__isnull=True, to_member_id=viewer_id)
        return Payment.objects.filter(Q(pk__in=Subquery(latest)) | waiting, group_id=group_id)

    query = CompiledQuery(
        lambda slot: shown(slot.group_id, slot.viewer_id), group_id=int, viewer_id=int
    )
    for viewer in trip.members.all():
        same_rows(query(group_id=trip.pk, viewer_id=viewer.pk), shown(trip.pk, viewer.pk))
    assert len(query(group_id=trip.pk, viewer_id=ana.pk)) == 2


def test_an_empty_list_finds_nothing_without_asking(world, django_assert_num_queries):
    query = CompiledQuery(
        lambda slot: Member.objects.filter(pk__in=slot.member_ids), member_ids=list[int]
    )
    with django_assert_num_queries(0):
        assert query(member_ids=[]) == []


def test_each_call_is_one_query_seen_as_any_other(world):
    trip, flat = world
    query = CompiledQuery(
        lambda slot: Member.objects.filter(group_id__in=slot.group_ids, pk__gt=slot.above),
        group_ids=list[int],
        above=int,
    )
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(record):
        query(group_ids=[trip.pk], above=0)
        query(group_ids=[flat.pk, trip.pk], above=1)
    assert len(queries) == 2
    (first, first_params), (second, second_params) = sent
    if connection.vendor == "postgresql":
        # A list is one array: the statement PostgreSQL prepares fits any length.
        assert first == second
        assert " = ANY(%s)" in first
        assert (first_params, second_params) == ([[trip.pk], 0], [[flat.pk, trip.pk], 1])
    else:
        assert (first_params, second_params) == ([trip.pk, 0], [flat.pk, trip.pk, 1])


def test_the_sql_is_built_once_per_database(world):
    trip, flat = world
    query = CompiledQuery(
        lambda slot: Member.objects.filter(group_id__in=slot.group_ids, pk__gt=slot.above),
        group_ids=list[int],
        above=int,
    )
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiled:
        query(group_ids=[trip.pk], above=0)
        first = compiled.call_count
        for group in (trip, flat, trip):
            query(group_ids=[group.pk], above=1)
        assert compiled.call_count == first


def test_values_of_the_wrong_kind_are_refused(world):
    query = CompiledQuery(
        lambda slot: Member.objects.filter(pk=slot.pk, group_id__in=slot.group_ids),
        pk=int,
        group_ids=list[int],
    )
    for values in (
        {"pk": True, "group_ids": [1]},
        {"pk": None, "group_ids": [1]},
        {"pk": "1", "group_ids": [1]},
        {"pk": 1, "group_ids": [None]},
        {"pk": 1, "group_ids": 1},
        {"pk": 1},
    ):
        with pytest.raises(CompiledQueryError):
            query(**values)


@pytest.mark.parametrize(
    ("build", "slots", "reason"),
    [
        (
            lambda slot: Member.objects.filter(name__contains=slot.text),
            {"text": str},
            "changes a slot's value",
        ),
        (lambda slot: Member.objects.all()[: slot.count], {"count": int}, "depends on a slot"),
        (lambda slot: Member.objects.all(), {"pk": int}, "not parameters"),
        (
            lambda slot: Member.objects.annotate(
                first=RawSQL("SELECT %s", slot.ids, output_field=IntegerField())
            ),
            {"ids": list[int]},
            "outside `__in`",
        ),
        (
            lambda slot: Member.objects.annotate(
                sum=RawSQL("%s + %s", [slot.pk], output_field=IntegerField())
            ),
            {"pk": int},
            "placeholders",
        ),
        (
            lambda slot: Member.objects.filter(Q(pk__in=slot.ids) | Q(is_active=True)),
            {"ids": list[int]},
            "empty list",
        ),
        (lambda slot: Member.objects.filter(pk=slot.pk).none(), {"pk": int}, "never return"),
        (
            lambda slot: Expense.objects.filter(pk=slot.pk).prefetch_related("payers"),
            {"pk": int},
            "prefetch_related",
        ),
        (
            lambda slot: Member.objects.filter(pk=slot.pk).values_list("pk", named=True),
            {"pk": int},
            "Only model rows",
        ),
        (
            lambda slot: Member.objects.filter(pk=slot.pk).select_for_update(),
            {"pk": int},
            "select_for_update",
        ),
        (
            lambda slot: Member.objects.filter(pk=slot.pk).union(Member.objects.all()),
            {"pk": int},
            "union",
        ),
    ],
)
def test_what_it_cannot_reproduce_is_refused(world, build, slots, reason):
    query = CompiledQuery(build, **slots)
    values = {name: [1] if kind == list[int] else kind(1) for name, kind in slots.items()}
    with pytest.raises(CompiledQueryError, match=reason):
        query(**values)


def test_a_related_managers_queryset_is_refused(world):
    trip, _ = world
    query = CompiledQuery(lambda slot: trip.members.filter(pk=slot.pk), pk=int)
    with pytest.raises(CompiledQueryError, match="knows its object"):
        query(pk=1)


@pytest.mark.parametrize("kind", [bool, float, list[bool], dict])
def test_slots_of_other_kinds_are_refused(kind):
    with pytest.raises(CompiledQueryError, match="not a kind"):
        CompiledQuery(lambda slot: Member.objects.all(), value=kind)


def test_using_is_not_a_slot_name():
    with pytest.raises(CompiledQueryError, match="names the database"):
        CompiledQuery(lambda slot: Member.objects.filter(pk=slot.using), using=int)


def test_using_picks_the_database(world):
    trip, _ = world
    query = CompiledQuery(lambda slot: Member.objects.filter(group_id=slot.group_id), group_id=int)

    assert len(query(group_id=trip.pk, using="default")) == 4
    with pytest.raises(ConnectionDoesNotExist):
        query(group_id=trip.pk, using="elsewhere")


def test_a_share_list_read_by_expense_ids(world):
    trip, _ = world
    ids = list(trip.expenses.values_list("pk", flat=True))

    def shares(expense_ids):
        return ExpenseShare.objects.filter(expense_id__in=expense_ids).values_list(
            "expense_id", "member_id", "amount"
        )

    query = CompiledQuery(lambda slot: shares(slot.expense_ids), expense_ids=list[int])
    assert sorted(query(expense_ids=ids[:3])) == sorted(shares(ids[:3]))
