from django.urls import path

from catalogue import changes, views

app_name = "catalogue"
urlpatterns = [
    path("papers/", views.paper_list, name="paper-list"),
    path("papers/export.bib", views.export_bib, name="export-bib"),
    path("papers/export.csv", views.export_csv, name="export-csv"),
    path("papers/export.csl.json", views.export_csl, name="export-csl"),
    path("papers/<slug:slug>/", views.paper_detail, name="paper-detail"),
    path("about/", views.about, name="about"),
    path("changes/", changes.changes, name="changes"),
    path("changes/feed.atom", changes.editions_feed, name="changes-feed"),
    path("changes/<slug:slug>/", changes.entry_changes, name="entry-changes"),
]
