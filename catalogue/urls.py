from django.urls import path

from catalogue import changes, views
from catalogue.pagecache import public_page

app_name = "catalogue"
urlpatterns = [
    path("papers/export.bib", views.export_bib, name="export-bib"),
    path("papers/export.csv", views.export_csv, name="export-csv"),
    path("papers/export.csl.json", views.export_csl, name="export-csl"),
    path("lists/<slug:slug>/export.bib", views.curriculum_bib, name="curriculum-export-bib"),
    path("lists/<slug:slug>/export.csv", views.curriculum_csv, name="curriculum-export-csv"),
    path("lists/<slug:slug>/export.csl.json", views.curriculum_csl, name="curriculum-export-csl"),
    path(
        "lists/<slug:slug>/changes/",
        public_page(changes.curriculum_changes),
        name="curriculum-changes",
    ),
    path(
        "lists/<slug:slug>/changes/feed.atom",
        public_page(changes.editions_feed),
        name="curriculum-changes-feed",
    ),
    path(
        "lists/<slug:slug>/changes/<slug:entry>/",
        public_page(changes.curriculum_entry_changes),
        name="curriculum-entry-changes",
    ),
    path("about/", public_page(views.about), name="about"),
    path("changes/", public_page(changes.changes), name="changes"),
    path("changes/feed.atom", public_page(changes.editions_feed), name="changes-feed"),
    path("changes/<slug:slug>/", public_page(changes.entry_changes), name="entry-changes"),
]
