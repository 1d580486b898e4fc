from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, register_converter

from api.endpoints import api
from groups.access import IdConverter
from pages import offline
from pages import views as pages

# Before the apps' URLs are read: they name row ids `<id:...>`.
register_converter(IdConverter, "id")

# Support staff sign in to the admin through allauth, with its rate limits.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Splitclone support"

# A friendly 503 while the database is down, a self-contained 500 page otherwise.
handler500 = "splitclone.observability.server_error"
# Form fields too large to read answer 413, like a body too large (splitclone.limits).
handler400 = "splitclone.limits.bad_request"

urlpatterns = [
    path("", pages.landing, name="landing"),
    path("home/", pages.home, name="home"),
    # At the root: a service worker controls only the pages under the folder it is served from.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("", include("pages.urls")),
    path("", include("groups.urls")),
    path("", include("expenses.urls")),
    path("", include("settlements.urls")),
    path("", include("imports.urls")),
    path("", include("api.urls")),
    path("", include("notifications.urls")),
    path("", include("accounts.urls")),
    path("api/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
