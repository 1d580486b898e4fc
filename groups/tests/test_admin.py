import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from groups.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_group_admin_searches_by_member_email(staff_client, world):
    response = staff_client.get(reverse("admin:groups_group_changelist"), {"q": world.member.email})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [world.group]


def test_group_admin_shows_members_inline(staff_client, world):
    response = staff_client.get(reverse("admin:groups_group_change", args=[world.group.pk]))

    assert response.status_code == 200
    assert "Alice" in response.text


def test_invite_admin_revokes(staff_client, world):
    staff_client.post(
        reverse("admin:groups_invite_changelist"),
        {"action": "revoke", "_selected_action": [world.invite.pk]},
    )

    world.invite.refresh_from_db()
    assert world.invite.revoked_at is not None


def test_activity_admin_is_read_only(staff_client, world):
    entry = Activity.record(world.group, world.owner, Activity.Verb.MEMBER_ADDED, "added Bob")

    listing = staff_client.get(reverse("admin:groups_activity_changelist"))
    change = staff_client.post(
        reverse("admin:groups_activity_change", args=[entry.pk]), {"summary": "rewritten"}
    )

    assert listing.status_code == 200
    assert change.status_code == 403
    entry.refresh_from_db()
    assert entry.summary == "added Bob"


def test_the_admin_index_names_each_section_once(staff_client):
    response = staff_client.get(reverse("admin:index"))

    sections = [app["name"] for app in response.context["app_list"]]
    tables = [model["name"] for app in response.context["app_list"] for model in app["models"]]
    assert response.status_code == 200
    assert len(sections) == len(set(sections)), sections
    assert "Activities" in tables
