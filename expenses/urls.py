from django.urls import path

from expenses import recurring_views, views

app_name = "expenses"

urlpatterns = [
    path("groups/<id:group_id>/expenses/new/", views.expense_create, name="create"),
    path("groups/<id:group_id>/expenses/preview/", views.expense_preview, name="preview"),
    path("groups/<id:group_id>/expenses/<id:expense_id>/", views.expense_detail, name="detail"),
    path("groups/<id:group_id>/expenses/<id:expense_id>/edit/", views.expense_edit, name="edit"),
    path(
        "groups/<id:group_id>/expenses/<id:expense_id>/delete/",
        views.expense_delete,
        name="delete",
    ),
    path(
        "groups/<id:group_id>/expenses/<id:expense_id>/restore/",
        views.expense_restore,
        name="restore",
    ),
    path(
        "groups/<id:group_id>/expenses/<id:expense_id>/receipt/",
        views.expense_receipt,
        name="receipt",
    ),
    path("groups/<id:group_id>/recurring/", recurring_views.recurring_list, name="recurring_list"),
    path(
        "groups/<id:group_id>/recurring/<id:recurring_id>/edit/",
        recurring_views.recurring_edit,
        name="recurring_edit",
    ),
    path(
        "groups/<id:group_id>/recurring/<id:recurring_id>/pause/",
        recurring_views.recurring_pause,
        name="recurring_pause",
    ),
    path(
        "groups/<id:group_id>/recurring/<id:recurring_id>/resume/",
        recurring_views.recurring_resume,
        name="recurring_resume",
    ),
    path(
        "groups/<id:group_id>/recurring/<id:recurring_id>/stop/",
        recurring_views.recurring_stop,
        name="recurring_stop",
    ),
]
