"""HTTP helpers every app shares: the typed request, the safe-redirect check, the flash area.

This is the one module of `mireads` that the apps import; it imports none of them.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import reselect, reswap, retarget
from django_htmx.middleware import HtmxDetails

FLASH = "#flash"
PROBLEM_PAGE = "problem.html"


def checks_its_own_body_size[V: Callable](view: V) -> V:
    """Mark a view that refuses an over-long body itself, with its own limit and message.

    mireads.middleware.RequestBodyLimitMiddleware then leaves its body to it. The view must look
    at CONTENT_LENGTH before anything reads request.POST, request.FILES or request.body.
    """
    view.checks_its_own_body_size = True
    return view


class HtmxHttpRequest(HttpRequest):
    """A request after django-htmx's middleware has run."""

    htmx: HtmxDetails


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx sent (also before its middleware ran, as in a CSRF failure)."""
    return request.headers.get("HX-Request") == "true"


def safe_url(request: HttpRequest, url: str) -> str:
    """`url` if it stays on this site (same host, no scheme downgrade), else ""."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def site_url(path: str) -> str:
    """`path` on the site's configured address (MIREADS_SITE_URL), never the request's Host:
    for links that leave the page (mail, feeds, a calendar address) and must not be forged."""
    return settings.SITE_URL + path


def into_flash(response: HttpResponse, selector: str | None = None) -> HttpResponse:
    """Make an htmx response land in the page's #flash area instead of its target.

    With `selector`, htmx keeps only that element of the response: a whole page (what a request
    without htmx gets) can then be sent, and only its message shows, the page keeping its title.
    """
    response = retarget(response, FLASH)
    if selector:
        response = reselect(response, selector)
        # The ignoreTitle modifier is part of htmx's swap syntax, beyond django-htmx's reswap().
        response["HX-Reswap"] = "innerHTML ignoreTitle:true"
        return response
    return reswap(response, "innerHTML")


def problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """A refused action: its message in #flash for htmx, a page saying it otherwise."""
    if not is_htmx(request):
        return render(request, PROBLEM_PAGE, {"message": message}, status=status)
    response = render(request, "problem.html#message", {"message": message}, status=status)
    return into_flash(response)
