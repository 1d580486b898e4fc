from django.urls import path

from pages import views

app_name = "pages"

urlpatterns = [
    path("groups/<id:group_id>/", views.group, name="group"),
    path("groups/<id:group_id>/who-owes-whom/", views.group_pairs, name="pairs"),
    path("groups/<id:group_id>/expenses/", views.ledger_list, name="ledger"),
    path("groups/<id:group_id>/stats/", views.group_stats, name="stats"),
    path("home/spending/", views.my_spending, name="my_spending"),
]
