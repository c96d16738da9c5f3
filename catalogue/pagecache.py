"""Public pages rendered once per catalogue version and served from cache, with conditional GET.

A visitor's page (the landing, the list, an entry, the changes, about) depends only on the list
and the address asked for, so it is cached per (host, path with query, catalogue version). Every
change to the list bumps the version (`bump`, called by the fixture load, publishing, and the
signals on the catalogue's models), so the next request misses and renders afresh: a cached page
is never stale, whichever app server made the change. Only requests with no signed-in reader and
no pending message are served or stored, and a page is stored only when it set no cookie, so a
cached page never holds anything of a reader (not even a CSRF token: base.html renders it for
signed-in readers only).
"""

import hashlib
from dataclasses import dataclass
from functools import wraps

from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers

from catalogue import sql
from catalogue.models import CatalogueVersion

SINGLETON = 1
# Pages revalidate on every use (cheap: a 304 renders nothing); Vary: Cookie keeps a visitor's
# copy from being reused once the browser signs in.
PUBLIC_CACHE_CONTROL = "no-cache"


def _row() -> tuple[str, int]:
    try:
        with transaction.atomic():
            row, _ = CatalogueVersion.objects.get_or_create(pk=SINGLETON)
    except IntegrityError:  # another server made it first
        row = CatalogueVersion.objects.get(pk=SINGLETON)
    return row.epoch, row.version


def catalogue_version() -> str:
    """The list's current version (one query), shared by every app server through the database.

    Read it before reading the list: a page rendered after a change it did not see then sits
    under the older version, which no request asks for once the change is committed.
    """
    # Plain SQL (catalogue/sql.py): this runs on every public request.
    epoch, version = sql.VERSION.values([SINGLETON]) or _row()
    return f"{epoch}.{version}"


def bump() -> None:
    """Mark the list changed, in the caller's transaction: one UPDATE (the row is made if it is
    missing, with a new epoch, which no cached page's key holds either)."""
    if not CatalogueVersion.objects.filter(pk=SINGLETON).update(version=F("version") + 1):
        _row()


def pending_messages(request: HttpRequest) -> bool:
    """Whether a flash message waits to be shown (counting them does not mark them shown)."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


@dataclass(frozen=True)
class Page:
    """A rendered 200 answer as stored: its bytes, type, and the CSP nonce it was rendered with."""

    content: bytes
    content_type: str
    nonce: str

    @property
    def etag(self) -> str:
        # Weak: each answer carries a fresh CSP nonce, so the bytes differ by that nonce alone.
        # The tag leaves the nonce out: every app server (each worker renders and stores its own
        # copy, with its own nonce) then gives the same page the same tag, and a browser's
        # If-None-Match is answered with 304 whichever worker takes it.
        content = self.content.replace(self.nonce.encode(), b"") if self.nonce else self.content
        return 'W/"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'

    @classmethod
    def of(cls, request: HttpRequest, response: HttpResponse) -> "Page":
        nonce = getattr(request, "_csp_nonce", None)
        used = str(nonce) if nonce else ""  # a nonce never asked for was never rendered
        return cls(bytes(response.content), response["Content-Type"], used)

    def response(self, request: HttpRequest) -> HttpResponse:
        """This page for `request`, with the request's own nonce in place of the stored one (the
        CSP middleware puts that same nonce in the header), so no nonce is ever reused."""
        content = self.content
        nonce = getattr(request, "_csp_nonce", None)
        if self.nonce and nonce is not None:
            content = content.replace(self.nonce.encode(), str(nonce).encode())
        return HttpResponse(content, content_type=self.content_type)


def not_modified_or(request: HttpRequest, etag: str, response: HttpResponse) -> HttpResponse:
    """`response`, or a 304 if the client already holds this ETag. A 304 carries no CSP header:
    the browser keeps the one stored with its copy, which matches that copy's nonce."""
    response["ETag"] = etag
    answer = get_conditional_response(request, etag=etag, response=response)
    if answer.status_code == 304:
        answer._csp_config = answer._csp_ro_config = {}
    return answer


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether an answer may be shared: a plain 200 that set no cookie, wrote no session, needed
    no CSRF token and showed no message."""
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and not pending_messages(request)
    )


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.headers.get("HX-Request")
        and not request.user.is_authenticated
        and not pending_messages(request)
    )


def reads_query(**parsers):
    """Declare the query parameters a public page reads, each with the parser of the values it
    accepts (raising ValueError for any other): the page is cached under them alone, and a
    request with any other parameter or value is answered without the cache, so strangers
    cannot fill it with `?x=1`, `?x=2`, ... The view parses with the same functions."""

    def declare(view):
        view.reads_query = parsers
        return view

    return declare


def _accepted_query(request: HttpRequest, parsers: dict) -> list | None:
    """The query as the page reads it, in a fixed order; None if it holds anything else."""
    if set(request.GET) - set(parsers):
        return None
    accepted = []
    for name in sorted(request.GET):
        values = request.GET.getlist(name)
        try:
            if len(values) != 1:
                raise ValueError(name)
            accepted.append((name, parsers[name](values[0])))
        except ValueError:
            return None
    return accepted


def _key(request: HttpRequest, version: str, query: list) -> str:
    where = repr((request.scheme, request.get_host(), request.path, query))
    digest = hashlib.blake2b(where.encode(), digest_size=16).hexdigest()
    return f"public-page:{version}:{digest}"


def _public(page: Page, request: HttpRequest) -> HttpResponse:
    response = page.response(request)
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    patch_vary_headers(response, ["Cookie"])
    return not_modified_or(request, page.etag, response)


def public_page(view):
    """Serve `view`'s answer to visitors from the cache of the current catalogue version.

    A signed-in reader (or an htmx request, or anyone with a message waiting) always gets the
    view itself, never a cached page, and nothing of theirs is stored.
    """

    @wraps(view)
    def serve(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        query = _accepted_query(request, getattr(view, "reads_query", {}))
        if not _cacheable(request) or query is None:
            return view(request, *args, **kwargs)
        key = _key(request, catalogue_version(), query)  # before the view reads the list
        page = caches["pages"].get(key)
        if page is None:
            response = view(request, *args, **kwargs)
            if not storable(request, response):
                return response
            page = Page.of(request, response)
            caches["pages"].set(key, page)
            # This request's nonce is the stored one: the bytes go out as rendered.
        return _public(page, request)

    return serve
