"""A reader's own data: export, import, account deletion. No URL names a user: all start from
request.user."""

from django.urls import path

from progress import data_views

app_name = "account"
urlpatterns = [
    path("export/", data_views.export_page, name="export"),
    path("export/mireads.json", data_views.export_json, name="export-json"),
    path("export/mireads.md", data_views.export_markdown, name="export-markdown"),
    path("export/mireads-notes.zip", data_views.export_notes_zip, name="export-notes-zip"),
    path("import/", data_views.import_data, name="import"),
    path("delete/", data_views.delete_account, name="delete"),
]
