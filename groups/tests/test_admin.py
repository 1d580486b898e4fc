"""The admin is one more client of the groups' rules: support looks, searches and acts through
the same model methods as the app, and nothing it posts can change what those methods guard."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.admin import GroupAdmin
from groups.models import Activity, ConversionFixed, ConvertAt, Member, Role
from groups.tests.factories import GroupFactory, MemberFactory
from ledger.tests.checks import assert_books_match_ledger
from splitclone import fx
from splitclone.tests.admin_actions import messages_of, run_action, statuses

pytestmark = pytest.mark.django_db


def as_posted(page, **changes):
    """What a browser posts back from an admin change page (form and inline rows), with
    `changes` (field name → value, inline fields by their prefixed name) typed over it."""
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {form.add_prefix(name): form[name].value() for form in forms for name in form.fields}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None and value is not False}


def inline_row(page, member):
    """The prefix of `member`'s row in the group page's member inline."""
    (formset,) = (inline.formset for inline in page.context["inline_admin_formsets"])
    (form,) = (form for form in formset.forms if form.instance.pk == member.pk)
    return form.prefix


def test_group_admin_searches_by_member_email(staff_client, world):
    response = staff_client.get(reverse("admin:groups_group_changelist"), {"q": world.member.email})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [world.group]


def test_group_admin_shows_members_inline_read_only(staff_client, world):
    response = staff_client.get(reverse("admin:groups_group_change", args=[world.group.pk]))

    assert response.status_code == 200
    assert "Alice" in response.text
    assert 'name="members-0-role"' not in response.text


def test_groups_are_neither_added_nor_deleted_in_the_admin(staff_client, world):
    add = staff_client.get(reverse("admin:groups_group_add"))
    delete = staff_client.post(
        reverse("admin:groups_group_delete", args=[world.group.pk]), {"post": "yes"}
    )
    delete_selected = run_action(staff_client, "delete_selected", world.group, post="yes")

    assert add.status_code == 403
    assert delete.status_code == 403
    # No action is left on the list of groups: the post just shows the list again.
    assert statuses(delete_selected) == [200]
    world.group.refresh_from_db()
    assert world.group.expenses.count() == 1
    assert_books_match_ledger()


def test_settings_are_saved_through_the_model_and_the_currency_stays(staff_client, support, world):
    url = reverse("admin:groups_group_change", args=[world.group.pk])

    response = staff_client.post(
        url, as_posted(staff_client.get(url), name="Porto trip", currency="JPY")
    )

    assert response.status_code == 302
    world.group.refresh_from_db()
    assert (world.group.name, world.group.currency) == ("Porto trip", "EUR")
    entry = world.group.activities.latest("id")
    assert (entry.actor, entry.verb) == (support, Activity.Verb.GROUP_UPDATED)
    assert entry.summary == "renamed the group from Lisbon trip to Porto trip"
    assert_books_match_ledger()


def test_a_group_without_history_changes_currency(staff_client):
    group = GroupFactory(name="Empty", currency="EUR")
    MemberFactory(group=group, user=group.created_by, role=Role.OWNER)
    url = reverse("admin:groups_group_change", args=[group.pk])

    response = staff_client.post(url, as_posted(staff_client.get(url), currency="JPY"))

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.currency == "JPY"


def test_history_landing_while_the_form_is_open_keeps_the_currency(
    staff_client, world, monkeypatch
):
    group = GroupFactory(name="Empty", currency="EUR")
    owner = MemberFactory(group=group, user=group.created_by, role=Role.OWNER)
    url = reverse("admin:groups_group_change", args=[group.pk])
    data = as_posted(staff_client.get(url), currency="JPY")
    read_group = GroupAdmin.get_object

    def first_expense_lands_after_the_read(admin, request, object_id, from_field=None):
        found = read_group(admin, request, object_id, from_field)
        add_expense(group, group.created_by, paid={owner: 1200}, among=[owner])
        return found

    monkeypatch.setattr(GroupAdmin, "get_object", first_expense_lands_after_the_read)
    response = staff_client.post(url, data, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert response.status_code == 200
    assert messages_of(response) == [
        "The currency can't change once the group has expenses or payments."
    ]
    group.refresh_from_db()
    assert group.currency == "EUR"


@pytest.mark.parametrize(("field", "value"), [("role", Role.OWNER), ("is_active", False)])
def test_roles_and_active_flags_are_not_edited_in_the_group_form(staff_client, world, field, value):
    url = reverse("admin:groups_group_change", args=[world.group.pk])
    page = staff_client.get(url)
    row = inline_row(page, world.member_membership)

    response = staff_client.post(url, as_posted(page, **{f"{row}-{field}": value}))

    assert response.status_code == 302
    world.member_membership.refresh_from_db()
    assert (world.member_membership.role, world.member_membership.is_active) == (
        Role.MEMBER,
        True,
    )


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"group": "other"}, id="move to another group"),
        pytest.param({"role": Role.OWNER}, id="role"),
        pytest.param({"is_active": ""}, id="deactivate"),
    ],
)
def test_a_member_is_not_edited_in_the_admin(staff_client, world, change):
    other = GroupFactory(name="Other trip")
    member = world.member_membership
    data = {
        "group": world.group.pk,
        "user": world.member.pk,
        "role": Role.MEMBER,
        "is_active": "on",
    }
    data.update({key: other.pk if value == "other" else value for key, value in change.items()})

    page = staff_client.get(reverse("admin:groups_member_change", args=[member.pk]))
    response = staff_client.post(reverse("admin:groups_member_change", args=[member.pk]), data)

    assert page.status_code == 200
    assert response.status_code == 403
    member.refresh_from_db()
    assert (member.group, member.role, member.is_active) == (world.group, Role.MEMBER, True)
    assert_books_match_ledger()


def test_members_are_neither_added_nor_deleted_in_the_admin(staff_client, world):
    member = world.member_membership

    add = staff_client.get(reverse("admin:groups_member_add"))
    delete = staff_client.post(
        reverse("admin:groups_member_delete", args=[member.pk]), {"post": "yes"}
    )
    delete_selected = run_action(staff_client, "delete_selected", member, post="yes")

    assert add.status_code == 403
    assert delete.status_code == 403
    assert statuses(delete_selected) == [302, 200]
    assert messages_of(delete_selected) == ["No action selected."]
    assert Member.objects.filter(pk=member.pk).exists()
    assert_books_match_ledger()


def test_support_deactivates_and_reactivates_a_member(staff_client, support, world):
    member = world.member_membership

    deactivated = run_action(staff_client, "deactivate", member)
    member.refresh_from_db()
    assert (statuses(deactivated), member.is_active) == ([302, 200], False)
    assert messages_of(deactivated) == ["Deactivated 1 member(s)."]
    assert_books_match_ledger()

    reactivated = run_action(staff_client, "reactivate", member)
    member.refresh_from_db()
    assert (statuses(reactivated), member.is_active) == ([302, 200], True)
    assert_books_match_ledger()

    history = world.group.activities.filter(actor=support).order_by("id")
    assert [entry.summary for entry in history] == [
        "deactivated Max Member (support)",
        "reactivated Max Member (support)",
    ]
    assert member.balance == -1500


def test_support_keeps_an_owner_in_every_group(staff_client, world):
    response = run_action(staff_client, "deactivate", world.owner_membership)

    assert statuses(response) == [302, 200]
    assert messages_of(response) == [
        "Olivia Owner: A group needs at least one owner. Make someone else an owner first."
    ]
    world.owner_membership.refresh_from_db()
    assert world.owner_membership.is_active


def test_support_hands_a_group_to_a_new_owner(staff_client, support, world):
    made_owner = run_action(staff_client, "make_owner", world.member_membership)
    deactivated = run_action(staff_client, "deactivate", world.owner_membership)

    assert statuses(made_owner) == statuses(deactivated) == [302, 200]
    world.member_membership.refresh_from_db()
    world.owner_membership.refresh_from_db()
    assert world.member_membership.role == Role.OWNER
    assert not world.owner_membership.is_active
    assert world.group.activities.filter(actor=support).first().summary == (
        "changed Max Member from Member to Owner (support)"
    )
    assert_books_match_ledger()


def test_a_guest_is_not_made_owner(staff_client, world):
    response = run_action(staff_client, "make_owner", world.guest)

    assert messages_of(response) == ["Alice: Guests have no role; invite them to give them one."]
    world.guest.refresh_from_db()
    assert world.guest.role == Role.MEMBER


def test_staff_who_may_only_look_get_no_support_actions(client, world):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_member"))
    client.force_login(viewer)

    listing = client.get(reverse("admin:groups_member_changelist"))
    response = run_action(client, "deactivate", world.member_membership)

    assert listing.status_code == 200
    # They have no action at all, so the post just shows the list again.
    assert statuses(response) == [200]
    assert "Deactivate the selected members" not in response.text
    world.member_membership.refresh_from_db()
    assert world.member_membership.is_active


def test_invite_admin_revokes_through_the_model(staff_client, support, world):
    response = run_action(staff_client, "revoke", world.invite)

    assert statuses(response) == [302, 200]
    assert messages_of(response) == ["Revoked 1 invite link(s)."]
    world.invite.refresh_from_db()
    assert world.invite.revoked_at is not None
    entry = world.group.activities.latest("id")
    assert (entry.actor, entry.verb) == (support, Activity.Verb.INVITE_REVOKED)


def test_invites_are_not_edited_in_the_admin(staff_client, world):
    other = GroupFactory(name="Other trip")

    response = staff_client.post(
        reverse("admin:groups_invite_change", args=[world.invite.pk]),
        {"group": other.pk, "token": "mine", "uses": 0, "created_by": world.owner.pk},
    )

    assert response.status_code == 403
    world.invite.refresh_from_db()
    assert world.invite.group == world.group


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


def foreign_expense(group, owner):
    """An expense spent in USD, entered the way the group's "convert at" says."""
    rate = fx.rate("USD", "EUR", datetime.date(2025, 12, 27))
    conversion = fx.Conversion(1200, "USD", rate.value, "reference", rate.published_on)
    amount = fx.convert(1200, "USD", "EUR", rate.value)
    return add_expense(
        group,
        group.created_by,
        paid={owner: amount},
        among=[owner],
        conversion=conversion,
        date=datetime.date(2025, 12, 27),
    )


def test_convert_at_is_saved_through_the_model(staff_client, support, world):
    url = reverse("admin:groups_group_change", args=[world.group.pk])

    response = staff_client.post(
        url, as_posted(staff_client.get(url), convert_at=ConvertAt.SETTLEMENT)
    )

    assert response.status_code == 302
    world.group.refresh_from_db()
    assert world.group.convert_at == ConvertAt.SETTLEMENT
    entry = world.group.activities.latest("id")
    assert (entry.actor, entry.summary) == (support, "changed the group settings")


def test_convert_at_is_read_only_once_an_entry_is_in_another_currency(staff_client, world):
    foreign_expense(world.group, world.owner_membership)
    url = reverse("admin:groups_group_change", args=[world.group.pk])
    page = staff_client.get(url)

    assert "convert_at" not in page.context["adminform"].form.fields
    response = staff_client.post(url, {**as_posted(page), "convert_at": ConvertAt.SETTLEMENT})

    assert response.status_code == 302
    world.group.refresh_from_db()
    assert world.group.convert_at == ConvertAt.ENTRY


def test_an_entry_in_another_currency_landing_while_the_form_is_open_keeps_convert_at(
    staff_client, monkeypatch
):
    group = GroupFactory(name="Empty", currency="EUR")
    owner = MemberFactory(group=group, user=group.created_by, role=Role.OWNER)
    url = reverse("admin:groups_group_change", args=[group.pk])
    data = as_posted(staff_client.get(url), convert_at=ConvertAt.SETTLEMENT)
    read_group = GroupAdmin.get_object

    def foreign_expense_lands_after_the_read(admin, request, object_id, from_field=None):
        found = read_group(admin, request, object_id, from_field)
        foreign_expense(group, owner)
        return found

    monkeypatch.setattr(GroupAdmin, "get_object", foreign_expense_lands_after_the_read)
    response = staff_client.post(url, data, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert messages_of(response) == [ConversionFixed().message]
    group.refresh_from_db()
    assert group.convert_at == ConvertAt.ENTRY
