"""Request wiring that depends on how the site is deployed."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from mireads.http import problem


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
