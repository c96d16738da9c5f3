"""Accounts: sign up, sign in and out, password change and reset (owned by the accounts work)."""

app_name = "accounts"
urlpatterns = []
