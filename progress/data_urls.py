"""A reader's own data: export, import, account deletion (owned by the data-portability work)."""

app_name = "account"
urlpatterns = []
