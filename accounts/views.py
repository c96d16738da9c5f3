"""Account pages: sign up (Django's own views do sign-in, sign-out and passwords), and the
reader's own data: take it away, bring it back, or leave with all of it deleted."""

import logging

from axes.utils import reset as reset_failed_sign_ins
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from accounts import limits, portability
from accounts.forms import DeleteAccountForm, GuardedPasswordChangeForm, ImportForm, SignupForm
from accounts.models import Guess
from groups.models import ReadingGroup
from mireads.http import HtmxHttpRequest, checks_its_own_body_size, safe_url

logger = logging.getLogger("mireads.accounts")

# Room for the multipart boundaries and headers around a file right at the size limit.
MULTIPART_ALLOWANCE = 64 * 1024


def _next_url(request: HttpRequest) -> str:
    """The `next` address from the query or form if it stays on this site, else ""."""
    return safe_url(request, request.POST.get("next", request.GET.get("next", "")))


@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account, sign the new reader in, and send them on to `next` or home."""
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    if request.method == "POST":
        # Every sign-up counts, made or not: the "taken" answer also tells whether a name exists.
        if refused := limits.refusal(request, Guess.SIGN_UP):
            return refused
        limits.count(Guess.SIGN_UP, request)
    form = SignupForm(request.POST if request.method == "POST" else None)
    user = form.save_unless_taken() if form.is_valid() else None
    if user is not None:
        # The account was made a moment ago with this password: no need to authenticate again.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}. You are signed in.")
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


class SignInView(auth_views.LoginView):
    """Django's sign-in. Its limits (per address, and the lockout per username and address) are
    checked inside authenticate(), so the admin's sign-in shares them (accounts.backends)."""

    def get_context_data(self, **kwargs):
        # Someone following an invite link is asked to sign in first: say which group.
        return {**super().get_context_data(**kwargs), "joining": invited_to(self.request)}


def invited_to(request: HttpRequest) -> ReadingGroup | None:
    """The group whose working invite link the `next` address is, if it is one."""
    try:
        match = resolve(_next_url(request) or "/")
    except Resolver404:
        return None
    if match.view_name != "groups:join":
        return None
    return ReadingGroup.objects.by_invite(match.kwargs["token"])


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view; the old password is checked like a sign-in (see GuardedPasswordChangeForm)."""

    form_class = GuardedPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, limited per address (429) and per email address (answered alike, no mail:
    see BackgroundPasswordResetForm). The link is built on MIREADS_SITE_URL, never the Host."""

    def post(self, request, *args, **kwargs):
        if refused := limits.refusal(request, Guess.PASSWORD_RESET):
            return refused
        limits.count(Guess.PASSWORD_RESET, request)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view; a new password set from the emailed link also lifts a sign-in lockout."""

    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The lockout page offers a reset as the way out, so the reset has to open the door.
        reset_failed_sign_ins(username=form.user.get_username())
        logger.info("password reset user=%r", form.user.get_username())
        return response


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    """A download; `content` text or bytes, or an iterator of them, which is streamed (written
    out as it is made, so the export never sits whole in memory)."""
    if isinstance(content, str | bytes):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@login_required
@never_cache
def export_page(request: HtmxHttpRequest) -> HttpResponse:
    """What can be downloaded, with a count of what the reader has."""
    reader = request.user
    counts = {
        "statuses": reader.reading_states.marked().count(),
        "ticks": reader.part_ticks.count(),
        "notes": reader.notes.count(),
    }
    return render(request, "accounts/export.html", {"counts": counts})


@require_safe
@login_required
@never_cache
def export_json(request: HtmxHttpRequest) -> HttpResponse:
    """Everything the reader owns, as the JSON file that import reads back."""
    now = timezone.now()
    return _attachment(
        portability.export_json(request.user, exported_at=now),
        "application/json; charset=utf-8",
        f"mireads-{now:%Y-%m-%d}.json",
    )


@require_safe
@login_required
@never_cache
def export_json_latest(request: HtmxHttpRequest) -> HttpResponse:
    """The JSON export with the oldest revisions left out until it fits the import limit; if the
    latest versions alone do not fit, a page that says so and links each part that does."""
    now = timezone.now()
    part = request.GET.get("part", "")
    number = int(part) if part.isascii() and part.isdigit() and len(part) < 4 else None
    document, left_out, parts = portability.export_within_import_limit(
        request.user, exported_at=now, part=number or 1
    )
    if parts > 1 and number is None:
        context = {"parts": range(1, parts + 1), "limit_mb": portability.MAX_IMPORT_BYTES >> 20}
        return render(request, "accounts/export_parts.html", context)
    name = f"mireads-latest-{now:%Y-%m-%d}" + (f"-part-{number}-of-{parts}" if parts > 1 else "")
    response = _attachment(
        portability.dumps(document), "application/json; charset=utf-8", f"{name}.json"
    )
    response["X-Revisions-Left-Out"] = str(left_out)
    response["X-Parts"] = str(parts)
    return response


@require_safe
@login_required
@never_cache
def export_markdown(request: HtmxHttpRequest) -> HttpResponse:
    """One Markdown document in reading order."""
    now = timezone.now()
    text = portability.export_markdown(request.user, exported_at=now)
    return _attachment(text, "text/markdown; charset=utf-8", f"mireads-{now:%Y-%m-%d}.md")


@require_safe
@login_required
@never_cache
def export_notes_zip(request: HtmxHttpRequest) -> HttpResponse:
    """A zip of one Markdown file per entry, with front matter, for an Obsidian vault."""
    now = timezone.now()
    archive = portability.export_notes_zip(request.user, exported_at=now)
    return _attachment(archive, "application/zip", f"mireads-notes-{now:%Y-%m-%d}.zip")


# CSRF is checked by _import_upload, after the size check: the middleware would read (and spool
# to disk) the whole request body to find the token before this view could refuse it.
@csrf_exempt
@checks_its_own_body_size
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@never_cache
def import_data(request: HtmxHttpRequest) -> HttpResponse:
    """GET: the upload form. POST: check the whole file, then merge it in one transaction."""
    if request.method != "POST":
        return render(request, "accounts/import.html", {"form": ImportForm()})
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > portability.MAX_IMPORT_BYTES + MULTIPART_ALLOWANCE:
        return _refused(request, ImportForm(), [portability.too_large_message()], status=413)
    return _import_upload(request)


@csrf_protect
def _import_upload(request: HtmxHttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "accounts/import.html", {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > portability.MAX_IMPORT_BYTES:
        return _refused(request, form, [portability.too_large_message()], status=413)
    try:
        entries = portability.parse_export(upload.read())
    except portability.ImportRefused as refused:
        return _refused(request, form, refused.problems, status=400)
    report = portability.apply_import(reader=request.user, entries=entries)
    return render(request, "accounts/import.html", {"form": ImportForm(), "report": report})


def _refused(
    request: HttpRequest, form: ImportForm, problems: list[str], *, status: int
) -> HttpResponse:
    return render(
        request,
        "accounts/import.html",
        {"form": form, "problems": problems},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@never_cache
def delete_account(request: HtmxHttpRequest) -> HttpResponse:
    """GET: what deleting means, and a password field. POST: delete everything, sign out."""
    if request.method != "POST":
        form = DeleteAccountForm(request=request)
        return render(request, "accounts/delete.html", {"form": form})
    form = DeleteAccountForm(request.POST, request=request)
    if not form.is_valid():
        return render(request, "accounts/delete.html", {"form": form}, status=400)
    reader: AbstractBaseUser = request.user
    username = reader.get_username()
    portability.delete_account(reader=reader)
    logout(request)
    return render(request, "accounts/deleted.html", {"username": username})
