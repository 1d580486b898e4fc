import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from groups.models import Activity, Group, Role
from groups.tests.factories import GroupFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_the_currency_list_names_each_currency_in_the_page_language(client, settings):
    client.force_login(UserFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    response = client.get(reverse("groups:create"))

    assert '<option value="USD">USD — US-Dollar</option>' in response.content.decode()


def test_creating_a_group_makes_the_creator_its_owner(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("groups:create"), {"name": "  Flat   42 ", "currency": "JPY", "description": ""}
    )

    group = Group.objects.get()
    assert response.url == reverse("groups:members", args=[group.pk])
    assert (group.name, group.currency, group.created_by) == ("Flat 42", "JPY", user)
    assert group.members.get().role == Role.OWNER
    assert Activity.objects.get().verb == Activity.Verb.GROUP_CREATED


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "currency": "EUR"}, "name", "required"),
        ({"name": "   ", "currency": "EUR"}, "name", "required"),
        ({"name": "x" * 101, "currency": "EUR"}, "name", "at most 100"),
        ({"name": "Trip", "currency": "XYZ"}, "currency", "valid choice"),
        ({"name": "Trip", "currency": "eur"}, "currency", "valid choice"),
    ],
)
def test_bad_group_input_is_explained_and_nothing_is_saved(client, data, field, message):
    client.force_login(UserFactory())

    response = client.post(reverse("groups:create"), data)

    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert not Group.objects.exists()


def test_renaming_is_logged(client, world):
    client.force_login(world.owner)

    client.post(
        reverse("groups:edit", args=[world.group.pk]),
        {"name": "Porto trip", "currency": "EUR", "simplify_debts": "on"},
    )

    world.group.refresh_from_db()
    assert world.group.name == "Porto trip"
    assert Activity.objects.filter(
        summary="renamed the group from Lisbon trip to Porto trip"
    ).exists()


def test_plain_members_cannot_edit(client, world):
    client.force_login(world.member)

    response = client.post(
        reverse("groups:edit", args=[world.group.pk]), {"name": "Hijacked", "currency": "EUR"}
    )

    assert response.status_code == 403
    world.group.refresh_from_db()
    assert world.group.name == "Lisbon trip"


def test_archive_and_unarchive(client, world):
    client.force_login(world.owner)
    url = reverse("groups:archive", args=[world.group.pk])

    client.post(url)
    world.group.refresh_from_db()
    assert world.group.is_archived
    client.post(url)
    world.group.refresh_from_db()
    assert not world.group.is_archived
    assert list(
        Activity.objects.filter(
            group=world.group,
            verb__in=[Activity.Verb.GROUP_ARCHIVED, Activity.Verb.GROUP_UNARCHIVED],
        )
        .values_list("verb", flat=True)
        .order_by("id")
    ) == [Activity.Verb.GROUP_ARCHIVED, Activity.Verb.GROUP_UNARCHIVED]


def test_activity_feed_pages_by_id(client, world):
    for number in range(45):
        Activity.record(world.group, world.owner, Activity.Verb.MEMBER_ADDED, f"event {number}")
    client.force_login(world.member)

    first = client.get(reverse("pages:group", args=[world.group.pk]))
    last_shown = first.context["feed"][-1]
    older = client.get(
        reverse("groups:activity", args=[world.group.pk]),
        {"before": last_shown.pk},
        headers={"HX-Request": "true"},
    )

    assert [e.summary for e in first.context["feed"]][:2] == ["event 44", "event 43"]
    assert first.context["has_more"]
    assert older.context["feed"][0].summary == "event 24"
    assert "<html" not in older.text
    assert "Show older activity" in older.text


def test_an_activity_summary_too_long_for_its_column_is_shortened(world):
    longest = Activity._meta.get_field("summary").max_length
    guest = "Guest " + "g" * 94
    summary = f"renamed the group from {guest} to {guest} and {guest}"

    Activity.record(world.group, world.owner, Activity.Verb.GROUP_UPDATED, summary)

    stored = world.group.activities.latest("id").summary
    # SQLite does not enforce a column's length, so the test does.
    assert len(stored) == longest
    assert stored == summary[: longest - 1] + "…"


def test_activity_page_without_javascript(client, world):
    client.force_login(world.member)

    response = client.get(reverse("groups:activity", args=[world.group.pk]))

    assert response.status_code == 200
    assert "<html" in response.text


# "²" and "١٢" pass `str.isdigit()`; `int()` refuses the first and reads the second as 12.
@pytest.mark.parametrize("before", ["²", "١٢", "junk", "-1", " 12", "1_2", "9" * 19, "9" * 30])
def test_activity_page_with_a_cursor_it_never_made_is_404(client, world, before):
    client.force_login(world.member)

    response = client.get(reverse("groups:activity", args=[world.group.pk]), {"before": before})

    assert response.status_code == 404


def test_activity_page_before_the_largest_id_is_the_first_page(client, world):
    client.force_login(world.member)

    response = client.get(
        reverse("groups:activity", args=[world.group.pk]), {"before": str(2**63 - 1)}
    )

    assert response.status_code == 200
    assert response.context["feed"][0].pk == world.group.activities.latest("id").pk


def test_the_currency_cannot_change_once_there_are_expenses(client, world):
    client.force_login(world.owner)

    response = client.post(
        reverse("groups:edit", args=[world.group.pk]), {"name": "Lisbon trip", "currency": "JPY"}
    )

    assert response.status_code == 422
    assert (
        "can't change once the group has expenses" in response.context["form"].errors["currency"][0]
    )
    world.group.refresh_from_db()
    assert world.group.currency == "EUR"


def test_the_currency_can_change_while_the_group_is_empty(client):
    owner = UserFactory()
    group = GroupFactory(created_by=owner)
    MemberFactory(group=group, user=owner, role=Role.OWNER)
    client.force_login(owner)

    client.post(reverse("groups:edit", args=[group.pk]), {"name": group.name, "currency": "JPY"})

    group.refresh_from_db()
    assert group.currency == "JPY"


@pytest.mark.parametrize(
    "path",
    [
        "/groups/{}/",
        "/groups/{}/activity/",
        "/groups/{}/expenses/",
        "/groups/{}/settle/",
        "/groups/{{group}}/expenses/{}/",
    ],
)
@pytest.mark.parametrize("number", [str(2**63), "9" * 30])
def test_an_id_no_row_can_have_is_404(client, world, path, number):
    client.force_login(world.member)

    response = client.get(path.format(number).format(group=world.group.pk))

    assert response.status_code == 404
