from django.urls import path

from imports import export_views, views

app_name = "imports"

urlpatterns = [
    path("import/", views.start, name="start"),
    path("groups/<id:group_id>/import/", views.into, name="into"),
    path("groups/<id:group_id>/export.csv", export_views.export_csv, name="export_csv"),
    path("groups/<id:group_id>/export.json", export_views.export_json, name="export_json"),
    path("my-data/", export_views.my_data, name="my_data"),
]
