"""Site-wide views: health check and error pages."""

import datetime
import logging
import sys

from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from mireads.http import into_flash, is_htmx
from mireads.middleware import DATABASE_OUTAGE, database_outage

logger = logging.getLogger("mireads")


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: answer 200 after a database round trip, 503 when the database cannot be reached.

    Cheap on purpose (a read, no write): a process manager restarts a server that fails it.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unreachable")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


# A session key no cookie can hold (valid keys are 32 lowercase letters and digits), so the row the
# readiness check writes can never be anyone's session, even for the instant it exists.
READINESS_PROBE_KEY = "readyz-probe"


@require_safe
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: answer 200 only when the database takes a write, 503 otherwise.

    A read succeeds on a full disk or a read-only replica while no sign-in or save can. This writes
    and deletes one row of the session table in a committed transaction (the commit makes the
    database flush its log, where a full disk shows), leaving nothing behind. A proxy sends
    readers only to servers that answer 200 here.
    """
    try:
        with transaction.atomic():
            Session.objects.filter(session_key=READINESS_PROBE_KEY).delete()
            Session.objects.create(
                session_key=READINESS_PROBE_KEY,
                session_data="",
                expire_date=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
            )
            Session.objects.filter(session_key=READINESS_PROBE_KEY).delete()
    except DatabaseError as error:
        logger.warning("readyz: the database cannot take a write (%s)", type(error).__name__)
        return HttpResponse("database cannot take a write\n", status=503, content_type="text/plain")
    return HttpResponse("ready\n", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale or missing CSRF token: tell the reader to reload, in place for htmx requests."""
    response = render(request, "403_csrf.html", {"reason": reason}, status=403)
    if is_htmx(request):
        response = into_flash(response, "#main [role=alert]")
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page (templates/500.html), or 503 for a database outage raised where no
    middleware catches it (in another middleware, a session save): one log line per outage."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_OUTAGE):
        return database_outage(request, error)
    return defaults.server_error(request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 page (templates/404.html); an htmx request gets its message in #flash.

    htmx swaps 404 answers in (see the htmx-config meta tag): without this a whole page would land
    inside whatever element the request targeted.
    """
    response = defaults.page_not_found(request, exception)
    if is_htmx(request):
        response = into_flash(response, "#main p")
    return response
