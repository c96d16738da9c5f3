"""Root URLconf: each app owns its URLs under its namespace."""

from django.contrib import admin
from django.urls import include, path

from accounts.forms import AdminSignInForm
from catalogue.pagecache import public_page
from mireads import views
from progress import views as progress_views

# The admin's sign-in matches usernames as the sign-in page does, so the lockout counts every
# spelling of a name together; both share the per-address limit inside authenticate().
admin.site.login_form = AdminSignInForm

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # Visitors' pages come from the cache of the current catalogue version (catalogue.pagecache);
    # a signed-in reader always gets the view itself.
    path("", public_page(progress_views.home), name="home"),
    # The list and an entry's page carry a signed-in reader's own state: progress builds them on
    # catalogue's public pages (catalogue knows nothing about readers), so only progress routes
    # them; their names have no namespace so that catalogue's pages and models can link them.
    path("papers/", public_page(progress_views.paper_list), name="paper-list"),
    path("papers/<slug:slug>/", public_page(progress_views.paper_page), name="paper-detail"),
    path("lists/", public_page(progress_views.curricula_page), name="curricula"),
    path("lists/<slug:slug>/", public_page(progress_views.curriculum_page), name="curriculum"),
    path("", include("catalogue.urls")),
    path("", include("progress.urls")),
    path("", include("accounts.urls")),
    path("plan/", include("plans.urls")),
    path("groups/", include("groups.urls")),
]

# Django's 500 page is templates/500.html without a request context (a broken page cannot break
# the error page), except for a database outage raised outside a view: 503 and one log line.
# 404 answers need to know about htmx.
handler404 = "mireads.views.page_not_found"
handler500 = "mireads.views.server_error"
