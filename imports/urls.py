from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("groups/<id:group_id>/export.csv", views.export_csv, name="export_csv"),
    path("groups/<id:group_id>/export.json", views.export_json, name="export_json"),
    path("my-data/", views.my_data, name="my_data"),
]
