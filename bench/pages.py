"""What each page weighs, which scripts it ships, and how its static files are served."""

import gzip
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from bench.targets import STATIC_MAX_AGE

DAY = 24 * 3600
STATIC_PREFIX = "/static/"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def fetch(url: str, *, headers: dict[str, str] | None = None, data: bytes | None = None) -> Answer:
    """One request to the local server; error statuses are answers too."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"The bench talks to 127.0.0.1 only, not {url}")
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []  # src of each script, or "inline"
        self.stylesheets: list[str] = []
        self.elements = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes.get("src") or "inline")
        elif tag == "link" and "stylesheet" in (attributes.get("rel") or "").split():
            self.stylesheets.append(attributes.get("href") or "")
        # Event-handler attributes are JavaScript too.
        self.scripts += [f"{name}= on <{tag}>" for name, _ in attrs if name.startswith("on")]


def scripts(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    return parser.scripts


def stylesheets(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    return parser.stylesheets


def elements(html: str) -> int:
    """How many elements the page's DOM holds: one per start tag (void and self-closed ones too),
    as `document.querySelectorAll('*').length` counts them; html, head and body are always there."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.elements


def foreign_scripts(html: str) -> list[str]:
    """Scripts that are not this site's own static files: inline ones, `on*` attributes, anything
    from another host. htmx and mireads' two small scripts (notes saved on leaving, checklists
    loaded when opened) are hashed files under /static/, which the strict CSP allows."""
    return [src for src in scripts(html) if not src.startswith(STATIC_PREFIX)]


@dataclass(frozen=True)
class Size:
    raw: int
    gzipped: int
    elements: int = 0


def size(body: bytes) -> Size:
    """Bytes as sent, as a gzip -6 proxy or server would send them, and the DOM's elements."""
    return Size(
        raw=len(body),
        gzipped=len(gzip.compress(body, compresslevel=6, mtime=0)),
        elements=elements(body.decode("utf-8", "replace")),
    )


@dataclass(frozen=True)
class Revalidation:
    """How a page answers a browser asking again with the ETag it was given."""

    etag: str  # "" when the page gives none
    status: int = 0  # the answer to If-None-Match: 304 when the page is unchanged

    @property
    def shown(self) -> str:
        return f"{self.status} to If-None-Match" if self.etag else "no ETag"


def revalidate(url: str, first: Answer) -> Revalidation:
    etag = first.headers.get("etag", "")
    if not etag:
        return Revalidation("")
    return Revalidation(etag, fetch(url, headers={"If-None-Match": etag}).status)


@dataclass(frozen=True)
class StaticCheck:
    url: str
    cache_control: str
    content_encoding: str

    @property
    def max_age(self) -> int:
        match = re.search(r"max-age=(\d+)", self.cache_control)
        return int(match[1]) if match else 0

    @property
    def compressed(self) -> bool:
        return self.content_encoding in ("gzip", "br")

    @property
    def passed(self) -> bool:
        """Both static-file targets of bench/targets.py: cached long enough, and compressed."""
        return STATIC_MAX_AGE.met(self.max_age / DAY) and self.compressed


def check_static(page_url: str, href: str) -> StaticCheck:
    """Ask for a hashed static file as a browser does, compressed if the server can."""
    url = urljoin(page_url, href)
    answer = fetch(url, headers={"Accept-Encoding": "gzip, br"})
    return StaticCheck(
        url=href,
        cache_control=answer.headers.get("cache-control", "(none)"),
        content_encoding=answer.headers.get("content-encoding", "(none)"),
    )
