"""The account's URLs in one namespace: sign-in and passwords under /accounts/, the reader's own
data under /account/. No URL names a user: everything starts from request.user."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from accounts.forms import BackgroundPasswordResetForm, SignInForm


def _page(name: str) -> str:
    return f"accounts/{name}.html"


app_name = "accounts"
urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path(
        "accounts/login/",
        views.SignInView.as_view(authentication_form=SignInForm, template_name=_page("login")),
        name="login",
    ),
    # Django's LogoutView accepts POST only, so a link or prefetch cannot sign anyone out.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        views.PasswordChangeView.as_view(
            template_name=_page("password_change_form"),
            success_url=reverse_lazy("accounts:password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name=_page("password_change_done")),
        name="password-change-done",
    ),
    path(
        "accounts/password/reset/",
        views.PasswordResetView.as_view(
            template_name=_page("password_reset_form"),
            form_class=BackgroundPasswordResetForm,
            email_template_name="accounts/password_reset_email.html",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password-reset-done"),
        ),
        name="password-reset",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name=_page("password_reset_done")),
        name="password-reset-done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(template_name=_page("password_reset_confirm")),
        name="password-reset-confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=_page("password_reset_complete")
        ),
        name="password-reset-complete",
    ),
    path("account/export/", views.export_page, name="export"),
    path("account/export/mireads.json", views.export_json, name="export-json"),
    path("account/export/mireads-latest.json", views.export_json_latest, name="export-json-latest"),
    path("account/export/mireads.md", views.export_markdown, name="export-markdown"),
    path("account/export/mireads-notes.zip", views.export_notes_zip, name="export-notes-zip"),
    path("account/import/", views.import_data, name="import"),
    path("account/delete/", views.delete_account, name="delete"),
]
