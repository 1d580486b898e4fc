"""The group pages under /app/, for the tests of addresses kept per URLconf."""

from django.urls import include, path

urlpatterns = [path("app/", include("pages.urls"))]
