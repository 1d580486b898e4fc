from django.urls import path

from pages import views

app_name = "pages"

urlpatterns = [
    path("groups/<int:group_id>/", views.group, name="group"),
    path("groups/<int:group_id>/who-owes-whom/", views.group_pairs, name="pairs"),
]
