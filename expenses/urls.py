from django.urls import path

from expenses import views

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
]
