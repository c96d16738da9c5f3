from django.urls import path

from progress import views

app_name = "progress"
urlpatterns = [
    path("entries/<slug:slug>/status/", views.set_status, name="set-status"),
    path("entries/<slug:slug>/read-before/", views.read_before, name="read-before"),
    path("entries/<slug:slug>/parts/", views.set_parts, name="set-parts"),
    path("entries/<slug:slug>/checklist/", views.checklist, name="checklist"),
    path("tiers/<slug:slug>/fold/", views.fold, name="fold"),
    path("lists/<slug:slug>/follow/", views.follow, name="follow"),
    path("reading/changes-seen/", views.changes_seen, name="changes-seen"),
    path("reading/hint/dismiss/", views.dismiss_hint, name="dismiss-hint"),
    path("notes/<slug:slug>/", views.note, name="note"),
    path("notes/<slug:slug>/revisions/", views.note_revisions, name="note-revisions"),
    path(
        "notes/<slug:slug>/revisions/<int:version>/",
        views.note_revision,
        name="note-revision",
    ),
    path(
        "notes/<slug:slug>/revisions/<int:version>/restore/",
        views.restore_revision,
        name="note-restore",
    ),
]
