"""A cache outage costs speed, never availability or truth (mireads/cache.py).

Each test runs a redis-server of its own (on a free port in 6390-6399), stops it or freezes it
(SIGSTOP) under the cache backend or a running live server, and checks that every page and write
still answers, that the writes committed, that a frozen Redis costs a request at most the timeout
before the breaker skips it, and that nothing stale is shown once it is back. Without redis-server
these tests skip locally and fail in CI (CI=true), as the browser tests do.
"""

import http.client
import logging
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from contextlib import suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.cache import caches

from catalogue import fixture as catalogue_fixture
from mireads import cache as resilient
from mireads.cache import ResilientRedisCache
from mireads.settings import caches_from_url
from progress.models import DashboardState, ReadingState
from tests.factories import AdviceFactory, PaperFactory, SectionFactory, UserFactory

TIMEOUT_MS = 100


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} In CI the cache outage tests must run: apt-get install redis-server")
    pytest.skip(f"{reason} Install it (apt-get install redis-server) to run the outage tests.")


@dataclass
class OwnRedis:
    """A redis-server this test started, and may stop, freeze and thaw."""

    process: subprocess.Popen
    url: str

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2)

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        self.thaw()
        self.process.terminate()
        self.process.wait(timeout=10)


def _start_redis(server: str) -> OwnRedis | None:
    """A redis-server of this test's own on the first port of 6390-6399 it can have, or None.

    Others may run theirs in the same range at the same moment: a server is ours only when the
    process answering says it has our process id."""
    for port in range(6390, 6400):
        process = subprocess.Popen(
            [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
             "--appendonly", "no", "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        redis = OwnRedis(process, f"redis://127.0.0.1:{port}/0")
        for _ in range(50):
            if process.poll() is not None:
                break  # the port was taken
            with suppress(Exception):
                if redis.client().info("server")["process_id"] == process.pid:
                    return redis
            time.sleep(0.1)
        if process.poll() is None:
            redis.stop()
    return None


@pytest.fixture
def own_redis():
    server = shutil.which("redis-server")
    if server is None:
        _unavailable("redis-server is not installed.")
    redis = _start_redis(server)
    if redis is None:
        pytest.fail("no redis-server of the test's own could start on a port in 6390-6399")
    resilient._breakers.clear()
    try:
        yield redis
    finally:
        if redis.process.poll() is None:
            redis.stop()
        resilient._breakers.clear()


def _backend(url: str, retry_seconds: float = 10) -> ResilientRedisCache:
    options = {
        "socket_connect_timeout": TIMEOUT_MS / 1000,
        "socket_timeout": TIMEOUT_MS / 1000,
        "retry_seconds": retry_seconds,
    }
    return ResilientRedisCache(url, {"OPTIONS": options, "KEY_PREFIX": "outage-test"})


def _outage_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "mireads.cache"]


def test_a_stopped_redis_is_a_miss_and_a_dropped_write_logged_once(own_redis, caplog):
    cache = _backend(own_redis.url)
    cache.set("kept", "markup")
    assert cache.get("kept") == "markup"
    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="mireads.cache"):
        assert cache.get("kept") is None
        assert cache.get("kept", "default") == "default"
        cache.set("new", "markup")  # no error: the write is dropped
        assert cache.get_many(["kept", "new"]) == {}
        assert cache.add("new", "markup") is False
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.get_or_set("computed", lambda: "fresh") == "fresh"
    lines = _outage_lines(caplog)
    assert len(lines) == 1, lines
    assert lines[0].startswith("cache unavailable (ConnectionError")


def test_a_frozen_redis_costs_one_timeout_then_the_breaker_skips_it(own_redis):
    cache = _backend(own_redis.url)
    cache.set("kept", "markup")
    own_redis.freeze()
    started = time.monotonic()
    assert cache.get("kept") is None
    first = time.monotonic() - started
    started = time.monotonic()
    for _ in range(200):
        assert cache.get("kept") is None
        cache.set("kept", "newer")
    rest = time.monotonic() - started
    assert first < TIMEOUT_MS / 1000 + 0.5, f"the first read waited {first:.2f} s"
    assert rest < 0.1, f"400 operations with the breaker open took {rest:.2f} s"


def test_the_breaker_asks_again_after_its_pause_and_logs_the_recovery(own_redis, caplog):
    cache = _backend(own_redis.url, retry_seconds=0.3)
    own_redis.freeze()
    with caplog.at_level(logging.WARNING, logger="mireads.cache"):
        assert cache.get("kept") is None
        own_redis.thaw()
        cache.set("kept", "dropped while the breaker is open")
        assert own_redis.client().get(cache.make_and_validate_key("kept")) is None
        time.sleep(0.4)
        cache.set("kept", "markup")
        assert cache.get("kept") == "markup"
    lines = _outage_lines(caplog)
    assert len(lines) == 2, lines
    assert lines[1].startswith("cache answering again after")


def test_the_three_aliases_share_one_breaker_for_one_redis(own_redis):
    built = caches_from_url(own_redis.url)
    backends = [
        ResilientRedisCache(c["LOCATION"], {**c, "OPTIONS": dict(c["OPTIONS"])})
        for c in built.values()
    ]
    assert len({id(b.breaker) for b in backends}) == 1
    assert all(c["OPTIONS"]["socket_timeout"] == TIMEOUT_MS / 1000 for c in built.values())


# --- A live server over the test's own Redis ---------------------------------------------------


@dataclass
class Reader:
    """A signed-in reader's cookies and form token, talking to the live server as htmx does."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    def request(self, method: str, path: str, form: dict | None = None, htmx: bool = False):
        where = urlsplit(self.base)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if htmx:
            headers["HX-Request"] = "true"
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.token
            headers["Origin"] = self.base
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        took = time.monotonic() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if found := re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text):
            self.token = found.group(1)
        return response.status, text, took


@pytest.fixture
def served(own_redis, live_server, settings, client, transactional_db):
    """A live server caching in the test's own Redis, one reader signed in, one finished tier."""
    settings.CACHES = caches_from_url(own_redis.url, TIMEOUT_MS, retry_seconds=10)
    tier = SectionFactory(slug="basics", title="Basics")
    paper = PaperFactory(slug="solu-like", short_name="SoLU-like", section=tier)
    AdviceFactory(paper=paper, key="method", position=1, part="The method")
    other = PaperFactory(slug="zoom-in", short_name="Zoom In", section=tier)
    AdviceFactory(paper=other, key="all", position=1, part="All of it")
    reader = UserFactory(username="ada")
    client.force_login(reader)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser = Reader(live_server.url, {settings.SESSION_COOKIE_NAME: session})
    status, _, _ = browser.request("GET", "/")
    assert status == 200 and browser.token
    yield own_redis, browser, reader
    caches.close_all()


def _pressed(page: str, slug: str) -> str | None:
    """The status whose button is pressed in one dashboard entry's head."""
    head = page.split(f'id="head-{slug}"', 1)[1].split('id="head-', 1)[0]
    found = re.search(r'value="(\w+)" aria-pressed="true"', head)
    return found.group(1) if found else None


def _writes_answer_and_commit(browser, reader) -> None:
    status, _, _ = browser.request("GET", "/")
    assert status == 200
    status, html, _ = browser.request(
        "POST", "/entries/solu-like/status/", {"status": "read"}, htmx=True
    )
    assert status == 200, html
    assert ReadingState.objects.get(reader=reader, paper__slug="solu-like").status == "read"
    status, html, _ = browser.request(
        "POST", "/entries/zoom-in/parts/", {"shown": ["all"], "done": ["all"]}, htmx=True
    )
    assert status == 200, html
    assert reader.part_ticks.filter(advice__key="all").exists()
    status, html, _ = browser.request("POST", "/tiers/basics/fold/", {"fold": "fold"}, htmx=True)
    assert status == 200, html
    assert DashboardState.objects.get(reader=reader).folded == ["basics"]
    status, html, _ = browser.request("GET", "/")
    assert status == 200 and "Fold away" not in html


def test_with_redis_stopped_dashboards_and_writes_answer_200_and_commit(served):
    redis, browser, reader = served
    redis.stop()
    _writes_answer_and_commit(browser, reader)


def test_with_redis_frozen_writes_commit_and_requests_keep_their_pace(served):
    redis, browser, reader = served
    redis.freeze()
    _writes_answer_and_commit(browser, reader)
    took = [browser.request("GET", "/")[2] for _ in range(10)]
    # A frozen Redis would hold every request for the timeout of each cache operation (2 s
    # each before the breaker); now at most one request pays one timeout, the rest skip Redis.
    assert max(took) < TIMEOUT_MS / 1000 + 1.0, took
    assert sum(took) < 10 * TIMEOUT_MS / 1000 + 2.0, took


def test_writes_made_while_redis_was_down_leave_no_stale_page_once_it_is_back(served):
    redis, browser, reader = served
    browser.request("GET", "/")
    status, before, _ = browser.request("GET", "/")  # kept in Redis, and served from it
    assert status == 200 and _pressed(before, "solu-like") == "unread"
    redis.freeze()
    assert browser.request("POST", "/entries/solu-like/status/", {"status": "read"}, htmx=True)[0]
    redis.thaw()
    resilient._breakers.clear()  # as if the breaker's pause were over
    status, after, _ = browser.request("GET", "/")
    assert status == 200
    state = ReadingState.objects.get(reader=reader, paper__slug="solu-like")
    assert state.status == "read"
    # The page kept in Redis from before the write is still there, but never asked for: the
    # reader's dashboard version moved on in the database.
    assert _pressed(after, "solu-like") == "read"
    assert _pressed(browser.request("GET", "/")[1], "solu-like") == "read"


def test_what_redis_holds_per_reader_write_is_bounded(served):
    """Measured over the shipped list (about 150 entries): each write leaves the reader's new whole
    dashboard, its list region and the changed entry's fragments, compressed: about 15 KB (105 KB
    before the cache compressed its values), never the whole set of fragments again."""
    redis, browser, _ = served
    catalogue_fixture.load_file()
    slug = ReadingState._meta.get_field("paper").related_model.objects.order_by("pk").last().slug
    client = redis.client()
    browser.request("GET", "/")
    kept = set(client.keys("*"))
    writes = 10
    for n in range(writes):
        status = "read" if n % 2 == 0 else "reading"
        browser.request("POST", f"/entries/{slug}/status/", {"status": status}, htmx=True)
        browser.request("GET", "/")
    added = sum(client.memory_usage(key) or 0 for key in set(client.keys("*")) - kept)
    print(f"Redis holds {added / writes / 1024:.1f} KB more per reader write (status + dashboard)")
    assert added / writes < 32 * 1024


def test_a_gunicorn_worker_starts_and_serves_while_redis_does_not_answer(tmp_path):
    """gunicorn halts the whole server when a worker fails to boot, and workers boot again
    whenever one is replaced: a Redis outage must never stop one from starting."""
    from tests.site.test_scale_out import app_server, environment_without_mireads, prepare
    from tests.site.test_setup import free_port

    environment = environment_without_mireads(
        MIREADS_DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        MIREADS_HTTPS="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.db'}",
    )
    prepare(environment)
    environment["CACHE_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with app_server(environment, tmp_path / "gunicorn.log") as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/", headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        assert response.status == 200
        assert b"mireads" in response.read()
        connection.close()
    assert "cache unavailable (ConnectionError" in (tmp_path / "gunicorn.log").read_text()
