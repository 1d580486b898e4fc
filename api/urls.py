from django.urls import path

from api import views

app_name = "api"

urlpatterns = [
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<id:token_id>/revoke/", views.revoke, name="revoke"),
]
