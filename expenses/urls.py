from django.urls import path

from expenses import views

app_name = "expenses"

urlpatterns = [
    path("groups/<int:group_id>/expenses/", views.expense_list, name="list"),
    path("groups/<int:group_id>/expenses/new/", views.expense_create, name="create"),
    path("groups/<int:group_id>/expenses/preview/", views.expense_preview, name="preview"),
    path("groups/<int:group_id>/expenses/<int:expense_id>/", views.expense_detail, name="detail"),
    path("groups/<int:group_id>/expenses/<int:expense_id>/edit/", views.expense_edit, name="edit"),
    path(
        "groups/<int:group_id>/expenses/<int:expense_id>/delete/",
        views.expense_delete,
        name="delete",
    ),
    path(
        "groups/<int:group_id>/expenses/<int:expense_id>/restore/",
        views.expense_restore,
        name="restore",
    ),
    path(
        "groups/<int:group_id>/expenses/<int:expense_id>/receipt/",
        views.expense_receipt,
        name="receipt",
    ),
]
