"""Root URLconf: each app owns its URLs under its namespace."""

from django.contrib import admin
from django.urls import include, path

from mireads import views
from progress import views as progress_views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", progress_views.home, name="home"),
    path("", include("catalogue.urls")),
    path("", include("progress.urls")),
    path("", include("accounts.urls")),
    path("groups/", include("groups.urls")),
]

# Django renders templates/500.html itself (without a request context, so a broken page cannot
# break the error page); 404 answers need to know about htmx.
handler404 = "mireads.views.page_not_found"
