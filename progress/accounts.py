"""Accounts: sign up, sign in and out, password change and reset.

Django's own auth views do the work (they pass `request` to `authenticate`, which django-axes needs
to count failures); this module names their URLs in the "accounts" namespace, adds sign-up, and
logs sign-ins, failed sign-ins and lockouts.
"""

import logging

from axes.signals import user_locked_out
from axes.utils import reset as reset_failed_sign_ins
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

logger = logging.getLogger("mireads.accounts")
User = get_user_model()


def stored_username(typed: str) -> str:
    """The username as stored, whatever case it was typed in.

    Sign-in goes through this so that "Ada" signs in as "ada" and, above all, so that the lockout
    counts every spelling of one name together: otherwise each of the 2^n case variants of a
    username would get its own five tries.
    """
    stored = list(
        User._default_manager.filter(username__iexact=typed).values_list("username", flat=True)[:2]
    )
    if len(stored) == 1:
        return stored[0]
    if not stored:
        return typed.casefold()
    # Names that differ only in case predate the sign-up check: only the exact spelling is theirs.
    return typed


class SignInForm(AuthenticationForm):
    """Django's sign-in form, matching usernames without regard to case."""

    def clean_username(self) -> str:
        typed = self.cleaned_data["username"]
        # No account has a longer name, and one this long must not reach the lookup or the
        # lockout log (both would fail on it): refuse it like any other wrong sign-in.
        if len(typed) > User._meta.get_field("username").max_length:
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        return stored_username(typed)


class SignupForm(UserCreationForm):
    """A username, an email address for password resets, and a password typed twice."""

    email = forms.EmailField(
        required=True,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="Only used to send you a link if you forget your password.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_username(self) -> str:
        username = self.cleaned_data.get("username")
        if username and User._default_manager.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                "The username “%(username)s” is already taken (usernames ignore upper and "
                "lower case). Please choose another.",
                code="unique",
                params={"username": username},
            )
        return username


def safe_next_url(request: HttpRequest) -> str:
    """The `next` address from the query or form if it stays on this site, else ""."""
    url = request.POST.get("next", request.GET.get("next", ""))
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account, sign the new reader in, and send them on to `next` or home."""
    next_url = safe_next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        user = form.save()
        # The account was made a moment ago with this password: no need to authenticate again.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}. You are signed in.")
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view; a new password set from the emailed link also lifts a sign-in lockout."""

    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The lockout page offers a reset as the way out, so the reset has to open the door.
        reset_failed_sign_ins(username=form.user.get_username())
        logger.info("password reset user=%r", form.user.get_username())
        return response


def client_address(request: HttpRequest | None) -> str:
    """The address axes counts failures against (REMOTE_ADDR, as set by the proxy)."""
    if request is None:
        return "-"
    return request.META.get("REMOTE_ADDR") or "-"


def log_sign_in(sender, request, user, **kwargs) -> None:
    """Log a successful sign-in."""
    logger.info("sign-in user=%r ip=%s", user.get_username(), client_address(request))


def log_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    """Log a failed sign-in (Django has already masked the password in `credentials`)."""
    logger.warning(
        "failed sign-in username=%r ip=%s", credentials.get("username"), client_address(request)
    )


def log_lockout(sender, request, username, ip_address, **kwargs) -> None:
    """Log a sign-in refused because of too many failures."""
    logger.warning("sign-in locked out username=%r ip=%s", username, ip_address)


# The dispatch_uids make connecting idempotent, however often this module is imported.
user_logged_in.connect(log_sign_in, dispatch_uid="mireads.accounts.log_sign_in")
user_login_failed.connect(log_failed_sign_in, dispatch_uid="mireads.accounts.log_failed_sign_in")
user_locked_out.connect(log_lockout, dispatch_uid="mireads.accounts.log_lockout")


app_name = "accounts"
urlpatterns = [
    path("signup/", signup, name="signup"),
    path("login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    # Django's LogoutView accepts POST only, so a link or prefetch cannot sign anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            success_url=reverse_lazy("accounts:password-change-done")
        ),
        name="password-change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password-change-done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password-reset-done")
        ),
        name="password-reset",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]
