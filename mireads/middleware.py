"""Request wiring that depends on how the site is deployed."""

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from mireads.http import problem

logger = logging.getLogger("mireads")


class TrustedProxyMiddleware:
    """Behind MIREADS_PROXY_COUNT trusted proxies, take the client's address from X-Forwarded-For.

    Each proxy appends the address it saw, so the entry that many places from the right was
    written by our own outermost proxy; anything further left came from the client and may be
    forged, so it is never used. With no proxies configured, REMOTE_ADDR is left as it is.
    The login lockout and the sign-in log both read REMOTE_ADDR.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.count = settings.MIREADS_PROXY_COUNT

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.count:
            hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            hops = [h for h in hops if h]
            if len(hops) >= self.count:
                request.META["REMOTE_ADDR"] = hops[-self.count]
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """Answer 413 to a request whose declared body is over REQUEST_BODY_MAX_BYTES, unread.

    It runs in process_view, ahead of the CSRF check (which reads the form to find its token), so
    nothing has read the body or spooled it to disk yet. A body without a Content-Length is never
    read by Django at all. Views marked with mireads.http.checks_its_own_body_size (import) apply
    their own, larger limit. DATA_UPLOAD_MAX_MEMORY_SIZE backs this up for the form fields.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.limit = settings.REQUEST_BODY_MAX_BYTES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if getattr(view_func, "checks_its_own_body_size", False):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None  # Django reads no body at all for a Content-Length it cannot parse.
        if length <= self.limit:
            return None
        limit_mb = self.limit // (1024 * 1024)
        response = problem(
            request,
            f"That request was larger than {limit_mb} MB, so it was not read and nothing changed.",
            status=413,
        )
        # The client may still be sending the body: tell it not to reuse this connection.
        response["Connection"] = "close"
        return response


class SignedOutScriptMiddleware:
    """Answer 401 with one sentence to a signed-out htmx or script request sent to the sign-in page.

    Without JavaScript, a signed-out reader is redirected to sign in and back. A request from a
    page's script (htmx, or the notes script's keepalive save, which says HX-Request too) cannot
    follow that: htmx would swap the whole sign-in page into the control, and a note editor would
    count a redirect as saved. The 401 tells the script, which keeps the reader's text and says
    "you are signed out" in place (static/js/errors.js, static/js/notes.js).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code in {301, 302, 303, 307, 308}
            and request.headers.get("HX-Request") == "true"
            and urlsplit(response.get("Location", "")).path == resolve_url(settings.LOGIN_URL)
            and not request.user.is_authenticated
        ):
            response = HttpResponse(
                "You are signed out: sign in again, then try once more.\n",
                status=401,
                content_type="text/plain; charset=utf-8",
            )
            add_never_cache_headers(response)
        return response


class DatabaseOutageMiddleware:
    """Answer 503 with Retry-After while the database cannot be reached, logging once per outage.

    A request during an outage fails in its view with OperationalError or InterfaceError: a
    generic 500 with a full trace per request said nothing to the reader and buried the log (2,840
    traces for one 8-second outage). This answers 503 (a proxy or a script may try again) and logs
    one line when an outage begins; one after 6 x RETRY_AFTER quiet seconds begins a new one.
    """

    RETRY_AFTER = 5
    last_failure: float | None = None

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DATABASE_OUTAGE):
            return None
        return database_outage(request, exception)


DATABASE_OUTAGE = (OperationalError, InterfaceError)


def database_outage(request: HttpRequest, exception: Exception) -> HttpResponse:
    """503 with Retry-After and one sentence, logged once per outage (a failure after
    6 x RETRY_AFTER quiet seconds begins a new one). Also answers for a database error raised
    outside a view (mireads.views.server_error), where no middleware can catch it."""
    now = time.monotonic()
    last = DatabaseOutageMiddleware.last_failure
    DatabaseOutageMiddleware.last_failure = now
    if last is None or now - last > 6 * DatabaseOutageMiddleware.RETRY_AFTER:
        detail = str(exception).strip()
        logger.error(
            "database unavailable (%s: %s): answering 503 until it is back",
            type(exception).__name__,
            detail.splitlines()[0] if detail else "no detail",
        )
    # A page of its own, rendered without a request context: the base template would ask the
    # database for the signed-in reader and fail again.
    message = (
        "The site cannot reach its database just now, so nothing changed: "
        "try again in a few seconds."
    )
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(DatabaseOutageMiddleware.RETRY_AFTER)
    add_never_cache_headers(response)
    response._has_been_logged = True  # one line per outage (above), not one trace per request
    return response


class SignedInNoStoreMiddleware:
    """Every answer to a signed-in reader is `Cache-Control: no-store` (and private): each carries
    their name, their data or a CSRF token, and no proxy or browser cache may keep it.

    It sits outside the session middleware, so looking at the user here never adds
    `Vary: Cookie` to a visitor's page, and inside whitenoise, which answers static files before
    any of this runs. Views that already send never-cache headers (the dashboard's ETag and 304s
    included) are left as they are: the headers it adds are the ones they send.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
