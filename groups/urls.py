from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("groups/new/", views.group_create, name="create"),
    path("groups/<int:group_id>/activity/", views.group_activity, name="activity"),
    path("groups/<int:group_id>/members/", views.group_members, name="members"),
    path("groups/<int:group_id>/edit/", views.group_edit, name="edit"),
    path("groups/<int:group_id>/archive/", views.group_archive, name="archive"),
    path("groups/<int:group_id>/members/search/", views.member_search, name="member_search"),
    path("groups/<int:group_id>/members/add/", views.member_add, name="member_add"),
    path(
        "groups/<int:group_id>/members/<int:member_id>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "groups/<int:group_id>/members/<int:member_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "groups/<int:group_id>/members/<int:member_id>/deactivate/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path(
        "groups/<int:group_id>/members/<int:member_id>/reactivate/",
        views.member_reactivate,
        name="member_reactivate",
    ),
    path("groups/<int:group_id>/invites/", views.invites, name="invites"),
    path("groups/<int:group_id>/invites/email/", views.invite_email, name="invite_email"),
    path(
        "groups/<int:group_id>/invites/<int:invite_id>/revoke/",
        views.invite_revoke,
        name="invite_revoke",
    ),
    path(
        "groups/<int:group_id>/invites/<int:invite_id>/qr.svg",
        views.invite_qr,
        name="invite_qr",
    ),
    path("join/<str:token>/", views.join, name="join"),
]
