from django.urls import path

from settlements import views

app_name = "settlements"

urlpatterns = [
    path("groups/<id:group_id>/settle/", views.settle_up, name="settle_up"),
    path("groups/<id:group_id>/settle/record/", views.record_payment, name="record"),
    path(
        "groups/<id:group_id>/payments/<id:payment_id>/delete/",
        views.payment_delete,
        name="delete",
    ),
    path(
        "groups/<id:group_id>/payments/<id:payment_id>/restore/",
        views.payment_restore,
        name="restore",
    ),
    path(
        "groups/<id:group_id>/payments/<id:payment_id>/confirm/",
        views.payment_confirm,
        name="confirm",
    ),
    path(
        "groups/<id:group_id>/payments/<id:payment_id>/not-received/",
        views.payment_not_received,
        name="not_received",
    ),
    path(
        "groups/<id:group_id>/covers/<id:member_id>/<id:other_id>/",
        views.payment_covers,
        name="covers",
    ),
    path("settle/", views.across, name="across"),
    path("settle/record/", views.across_record, name="across_record"),
]
