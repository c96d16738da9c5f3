"""Site-wide views: health check and error pages."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from mireads.http import into_flash, is_htmx

logger = logging.getLogger("mireads")


@require_safe
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


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale or missing CSRF token: tell the reader to reload, in place for htmx requests."""
    response = render(request, "403_csrf.html", {"reason": reason}, status=403)
    if is_htmx(request):
        response = into_flash(response, "#main [role=alert]")
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 page (templates/404.html); an htmx request gets its message in #flash.

    htmx swaps 404 answers in (see the htmx-config meta tag): without this a whole page would land
    inside whatever element the request targeted.
    """
    response = defaults.page_not_found(request, exception)
    if is_htmx(request):
        response = into_flash(response, "#main p")
    return response
