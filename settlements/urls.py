from django.urls import path

from settlements import views

app_name = "settlements"

urlpatterns = [
    path("groups/<int:group_id>/settle/", views.settle_up, name="settle_up"),
    path("groups/<int:group_id>/settle/record/", views.record_payment, name="record"),
    path(
        "groups/<int:group_id>/payments/<int:payment_id>/delete/",
        views.payment_delete,
        name="delete",
    ),
    path(
        "groups/<int:group_id>/payments/<int:payment_id>/restore/",
        views.payment_restore,
        name="restore",
    ),
    path("settle/", views.across, name="across"),
    path("settle/record/", views.across_record, name="across_record"),
]
