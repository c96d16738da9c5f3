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
    path("accounts/", include("progress.accounts")),
    path("account/", include("progress.data_urls")),
    path("groups/", include("progress.group_urls")),
]

# Django renders templates/500.html itself (without a request context, so a broken page cannot
# break the error page); 404 answers need to know about htmx.
handler404 = "mireads.views.page_not_found"
