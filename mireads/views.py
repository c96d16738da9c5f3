"""Site-wide views: health check and error pages."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.http import reselect, retarget

logger = logging.getLogger("mireads")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer 200 after a database round trip, 503 when the database cannot be reached."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unreachable")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def _in_flash(response: HttpResponse, selector: str) -> HttpResponse:
    """Show an error page's message in the #flash area of the page an htmx request came from.

    The page is rendered whole (it is also what a request without htmx gets); htmx keeps only the
    element `selector` picks, so no second header or footer lands inside the page, and the page
    keeps its title.
    """
    response = retarget(response, "#flash")
    response = reselect(response, selector)
    # The ignoreTitle modifier is part of htmx's swap syntax, beyond django-htmx's typed reswap().
    response["HX-Reswap"] = "innerHTML ignoreTitle:true"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale or missing CSRF token: tell the reader to reload, in place for htmx requests."""
    response = render(request, "403_csrf.html", {"reason": reason}, status=403)
    if request.headers.get("HX-Request") == "true":
        response = _in_flash(response, "#main [role=alert]")
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 page (templates/404.html); an htmx request gets its message in #flash.

    htmx swaps 404 answers in (see the htmx-config meta tag): without this a whole page would land
    inside whatever element the request targeted.
    """
    response = defaults.page_not_found(request, exception)
    if request.headers.get("HX-Request") == "true":
        response = _in_flash(response, "#main p")
    return response
