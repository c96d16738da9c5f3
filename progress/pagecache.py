"""A returning reader's dashboard, served whole from cache while nothing it shows has changed.

Every write to what a reader's pages show moves their DashboardState.version on (the write
construct, progress/writes.py, that every service of progress, plans, groups and accounts uses)
and every change to the list bumps the catalogue's version. A dashboard request reads both
versions in one query and looks the page up under them plus everything else the page depends
on: the reader, their CSRF secret (the page's forms carry tokens made from it), today's date (the
activity chart and the time left count from it) and the address with its filters. Found, it
reads no status, tick or note and renders nothing; changed, the key is new and the page is
rendered afresh. The versions are read before
the page is, so a page can only ever sit under a version older than what it shows.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import caches
from django.db import connections, router
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from catalogue.pagecache import (
    SINGLETON,
    Page,
    catalogue_version,
    not_modified_or,
    pending_messages,
)
from mireads.http import HtmxHttpRequest
from progress import sql
from progress.models import DashboardState


def versions(reader) -> str:
    """The catalogue's version and the reader's dashboard version, in one query (plain SQL,
    progress/sql.py: it runs on every dashboard request, where building the ORM query costs more
    than answering).

    The reader's DashboardState comes with it, every field, and is kept on `reader`, as
    select_related would: a dashboard rendered afresh reads the folded tiers from it.
    """
    alias = router.db_for_read(DashboardState)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql.versions(alias), [reader.pk, SINGLETON])
        found = cursor.fetchone()
    if found is None:  # no version row yet (a new database): make it, then read the reader's
        state = DashboardState.objects.filter(reader=reader).values_list("version", flat=True)
        return f"{catalogue_version()}.{state.first() or 0}"
    epoch, version = found[: len(sql.VERSION_FIELDS)]
    state = sql.dashboard_state(list(found), alias)
    if state is not None:
        DashboardState.reader.field.set_cached_value(state, reader)
    DashboardState.reader.field.remote_field.set_cached_value(reader, state)
    return f"{epoch}.{version}.{state.version if state else 0}"


def _key(request: HtmxHttpRequest) -> str:
    get_token(request)  # makes sure the secret exists: the page's tokens are made from it
    reader = request.user
    depends_on = (
        reader.pk,
        reader.get_username(),
        versions(reader),
        request.META["CSRF_COOKIE"],
        timezone.localdate().isoformat(),
        request.get_full_path(),
    )
    return "dashboard:" + hashlib.blake2b(repr(depends_on).encode(), digest_size=16).hexdigest()


def _private(request: HtmxHttpRequest, response: HttpResponse, key: str) -> HttpResponse:
    add_never_cache_headers(response)  # as the view itself: reader data is never stored by caches
    return not_modified_or(request, f'W/"{key.removeprefix("dashboard:")}"', response)


def cached_dashboard(
    request: HtmxHttpRequest, render_page: Callable[[HtmxHttpRequest], HttpResponse]
) -> HttpResponse:
    """The reader's dashboard from cache when nothing it shows changed, else `render_page`'s,
    stored for next time. An htmx fragment, or a page with a flash message, is never cached."""
    if request.htmx or pending_messages(request):
        return render_page(request)
    key = _key(request)
    page = caches["pages"].get(key)
    if page is None:
        response = render_page(request)
        if response.status_code != 200 or response.cookies or pending_messages(request):
            return response
        page = Page.of(request, response)
        caches["pages"].set(key, page)
    return _private(request, page.response(request), key)
