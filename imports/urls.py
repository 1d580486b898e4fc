from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("import/", views.start, name="start"),
    path("groups/<id:group_id>/import/", views.into, name="into"),
]
