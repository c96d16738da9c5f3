"""Chromium through Playwright, for tests of what a reader actually sees.

Every test gets a fresh browser context and a `page` that watches for trouble: console errors,
uncaught page errors, Content Security Policy violations and any request to another host (which
is aborted, so a test never depends on the network). If any of these happened, the test fails
listing them, after its own assertions pass.

Chromium is the Debian package at /usr/bin/chromium (`.ci/run` installs it); Playwright's own
browser download is never used. Without it the browser tests skip locally and fail in CI.
"""

import importlib.util
import os
import threading
import time
import warnings
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.signals import request_finished, request_started

from catalogue import fixture as catalogue_fixture
from tests.browser import AXE_JS, AXE_PATH

# Playwright's sync API runs an event loop in the test thread, and Django refuses ORM calls from a
# thread with a running loop unless told it is safe: here it is, the loop only drives the browser.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WATCH = pytest.StashKey["Watch"]()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} In CI the browser tests must run: apt-get install chromium.")
    pytest.skip(f"{reason} Install it (apt-get install chromium) to run the browser tests.")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run; contexts keep tests apart."""
    if importlib.util.find_spec("playwright") is None or AXE_JS is None:
        _unavailable("The playwright or axe-playwright-python package is not installed.")
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM}.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def catalogue(transactional_db):
    """The shipped reading list, in the database the live server reads."""
    catalogue_fixture.load_file()


@dataclass
class Watch:
    """What went wrong in the browser during one test."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def on_console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)
        elif message.type == "error":
            where = message.location.get("url")
            self.console_errors.append(f"{message.text} ({where})" if where else message.text)

    def problems(self) -> list[str]:
        return [
            *(f"console error: {text}" for text in self.console_errors),
            *(f"page error: {text}" for text in self.page_errors),
            *(f"CSP violation: {text}" for text in self.csp_violations),
            *(f"request to another host: {url}" for url in self.external_requests),
        ]


def _watched_page(browser, live_server, request, **context_options):
    """A page in a fresh context that records console errors, page errors, CSP violations and
    requests to other hosts (aborting them); the test fails if any occurred."""
    origin = urlsplit(live_server.url)
    watch = Watch()

    def leaves_the_server(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != origin.netloc

    def refuse(route) -> None:
        watch.external_requests.append(route.request.url)
        route.abort()

    context = browser.new_context(viewport={"width": 1280, "height": 800}, **context_options)
    context.route(leaves_the_server, refuse)
    context.route(
        f"{live_server.url}{AXE_PATH}",
        lambda route: route.fulfill(path=AXE_JS, content_type="text/javascript"),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    request.node.stash[WATCH] = (watch, context)
    return page


@pytest.fixture
def page(browser, live_server, request):
    """A watched page (see _watched_page) in a fresh context."""
    page = _watched_page(browser, live_server, request)
    yield page
    page.context.close()


class InFlight:
    """The live server's requests still being answered, counted from Django's own request signals
    (they fire in the server's threads).

    A browser test ends while its page may still have a request on the server: the save the notes
    script sends on leaving, or a retry queued after a refused save. Answered after the test, that
    request races the flush of the database for the next test: on PostgreSQL the flush fails (the
    request holds a lock), and the request itself fails on a database pytest has closed. CI saw
    both, and the next test then read the last test's note. So each browser test, after its page
    is left and its context closed, waits here until the server is quiet."""

    def __init__(self) -> None:
        self.count = 0
        self.quiet = threading.Condition()
        self.paths: dict[int, str] = {}  # thread id → the request it is answering, for a failure

    def started(self, environ=None, **kwargs) -> None:
        with self.quiet:
            self.count += 1
            if environ is not None:
                where = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
                self.paths[threading.get_ident()] = where

    def finished(self, **kwargs) -> None:
        with self.quiet:
            self.count = max(0, self.count - 1)
            self.paths.pop(threading.get_ident(), None)
            self.quiet.notify_all()

    def wait(self, timeout: float = 10.0) -> bool:
        with self.quiet:
            return self.quiet.wait_for(lambda: self.count == 0, timeout=timeout)


IN_FLIGHT = InFlight()
request_started.connect(IN_FLIGHT.started, dispatch_uid="browser-in-flight-started")
request_finished.connect(IN_FLIGHT.finished, dispatch_uid="browser-in-flight-finished")


def _leave(context) -> None:
    """Leave every page (so the notes script sends its save on leaving now, not later), close the
    context (no more requests can start), then wait for the server to answer what it has."""
    for page in context.pages:
        with suppress(Exception):  # a page already gone needs no leaving
            page.goto("about:blank")
    with suppress(Exception):
        context.close()
    time.sleep(0.05)  # a request already sent but not yet accepted by the server
    if not IN_FLIGHT.wait(timeout=30.0):
        # A request this slow is a machine under load, not this test's fault: say so, and let the
        # next test take its chance rather than fail this one.
        stuck = ", ".join(IN_FLIGHT.paths.values()) or "(unnamed)"
        IN_FLIGHT.count = 0
        IN_FLIGHT.paths.clear()
        warnings.warn(
            f"The live server was still answering {stuck} 30 s after the test ended.",
            stacklevel=1,
        )


@pytest.fixture
def page_without_javascript(browser, live_server, request):
    """A watched page in a fresh context with JavaScript off, as some readers browse.
    Use it instead of `page`, not beside it: a test has one watch."""
    page = _watched_page(browser, live_server, request, java_script_enabled=False)
    yield page
    page.context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a browser test whose page logged errors or reached another host."""
    result = yield
    if WATCH in item.stash:
        watch, context = item.stash[WATCH]
        # Closing the context delivers any browser events still in flight before we look, and
        # waiting for the server keeps this test's last requests out of the next test's database.
        _leave(context)
        if problems := watch.problems():
            pytest.fail("The browser saw:\n  " + "\n  ".join(problems), pytrace=False)
    return result
