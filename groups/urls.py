from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("groups/new/", views.group_create, name="create"),
    path("groups/<id:group_id>/activity/", views.group_activity, name="activity"),
    path("groups/<id:group_id>/members/", views.group_members, name="members"),
    path("groups/<id:group_id>/edit/", views.group_edit, name="edit"),
    path("groups/<id:group_id>/archive/", views.group_archive, name="archive"),
    path("groups/<id:group_id>/leave/", views.group_leave, name="leave"),
    path("groups/<id:group_id>/not-me/", views.undo_claim, name="undo_claim"),
    path("groups/<id:group_id>/members/search/", views.member_search, name="member_search"),
    path("groups/<id:group_id>/members/add/", views.member_add, name="member_add"),
    path(
        "groups/<id:group_id>/members/<id:member_id>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "groups/<id:group_id>/members/<id:member_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "groups/<id:group_id>/members/<id:member_id>/deactivate/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path(
        "groups/<id:group_id>/members/<id:member_id>/reactivate/",
        views.member_reactivate,
        name="member_reactivate",
    ),
    path(
        "groups/<id:group_id>/members/<id:member_id>/wishes/",
        views.member_wishes,
        name="wishes",
    ),
    path("groups/<id:group_id>/households/add/", views.household_add, name="household_add"),
    path(
        "groups/<id:group_id>/households/<id:household_id>/remove/",
        views.household_remove,
        name="household_remove",
    ),
    path("groups/<id:group_id>/invites/", views.invites, name="invites"),
    path("groups/<id:group_id>/invites/email/", views.invite_email, name="invite_email"),
    path(
        "groups/<id:group_id>/invites/<id:invite_id>/revoke/",
        views.invite_revoke,
        name="invite_revoke",
    ),
    path(
        "groups/<id:group_id>/invites/<id:invite_id>/qr.svg",
        views.invite_qr,
        name="invite_qr",
    ),
    path("join/<str:token>/", views.join, name="join"),
]
