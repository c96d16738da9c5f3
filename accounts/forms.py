"""Input for the account pages: sign-in, sign-up, importing a file, deleting the account."""

import logging
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    UserCreationForm,
)
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts import limits
from accounts.mail import send_in_background
from accounts.models import Guess

User = get_user_model()
logger = logging.getLogger("mireads.accounts")


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


class StoredUsername:
    """Usernames matched without regard to case, so the lockout counts every spelling together."""

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


class SignInForm(StoredUsername, AuthenticationForm):
    """Django's sign-in form, matching usernames without regard to case."""

    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's own message says both fields may be case-sensitive; here usernames are not.
        "invalid_login": "That username and password do not match an account. Passwords are "
        "case-sensitive; usernames are not.",
    }


class AdminSignInForm(StoredUsername, AdminAuthenticationForm):
    """The admin's sign-in form, counted by the lockout exactly as the sign-in page is."""


class GuardedPasswordChangeForm(PasswordChangeForm):
    """Django's form, with the old password checked the way a sign-in is.

    authenticate(), not check_password(): a wrong old password counts towards the lockout (and the
    per-address limit), and a locked-out username cannot be probed from a stolen session here.
    """

    def __init__(self, user, *args, request: HttpRequest, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        confirmed = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if confirmed is None or confirmed.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class BackgroundPasswordResetForm(PasswordResetForm):
    """Django's form; the mail is written and sent in the background, so the answer takes the same
    time whether or not the address belongs to an account.

    The link is on MIREADS_SITE_URL whatever the request's Host said, and one email address gets
    at most PASSWORD_RESETS_PER_ACCOUNT requests a window: past it, no mail, the same answer.
    """

    def save(self, *args, **kwargs) -> None:
        key = limits.account_key(self.cleaned_data["email"])
        if limits.retry_after_key(Guess.PASSWORD_RESET_ACCOUNT, key) is not None:
            logger.warning("password reset not sent: too many for one email address")
            return
        limits.count_key(Guess.PASSWORD_RESET_ACCOUNT, key)
        site = urlsplit(settings.SITE_URL)
        kwargs.update(domain_override=site.netloc, use_https=site.scheme == "https")
        super().save(*args, **kwargs)

    def send_mail(self, *args, **kwargs) -> None:
        send = super().send_mail
        send_in_background(lambda: send(*args, **kwargs))


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

    taken_message = (
        "The username “%(username)s” is already taken (usernames ignore upper and lower case). "
        "Please choose another."
    )

    def clean_username(self) -> str:
        username = self.cleaned_data.get("username")
        if username and User._default_manager.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                self.taken_message, code="unique", params={"username": username}
            )
        return username

    def save_unless_taken(self):
        """The new account; or None, with the "taken" error, if a sign-up a moment ago took it.

        clean_username cannot see a sign-up that is still being written: the database's unique
        index on LOWER(username) (accounts migration 0001) decides between them.
        """
        try:
            with transaction.atomic():
                return self.save()
        except IntegrityError:
            username = self.cleaned_data["username"]
            self.add_error(
                "username",
                forms.ValidationError(
                    self.taken_message, code="unique", params={"username": username}
                ),
            )
            return None


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Export file",
        help_text="The mireads-YYYY-MM-DD.json (or mireads-latest-YYYY-MM-DD.json) file that "
        "the export page downloads, up to 5 MB.",
        widget=forms.FileInput(attrs={"accept": ".json,application/json"}),
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request: HttpRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        reader = self.request.user
        # authenticate(), not check_password(): wrong guesses count towards the login lockout.
        confirmed = authenticate(self.request, username=reader.get_username(), password=password)
        if confirmed is None or confirmed.pk != reader.pk:
            raise forms.ValidationError("That is not your password, so nothing was deleted.")
        return password
