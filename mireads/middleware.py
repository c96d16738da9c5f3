"""Request wiring that depends on how the site is deployed."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
