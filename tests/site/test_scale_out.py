"""Scale-out: two app servers sharing one PostgreSQL and one Redis serve one reader coherently,
and CACHE_URL either names a Redis that answers or stops start-up in one sentence."""

import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from mireads import settings as mireads_settings
from mireads.settings import caches_from_url, database_from_url
from tests.commands import manage
from tests.site.test_setup import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long and hard to guess password"


def environment_without_mireads(**overrides: str) -> dict[str, str]:
    """This process's environment without any mireads setting, plus `overrides`."""
    ours = ("MIREADS_", "DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CACHE_URL")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    environment.update(overrides)
    return environment


def test_without_cache_url_each_worker_keeps_a_bounded_memory_cache():
    caches = caches_from_url("")
    assert {c["BACKEND"] for c in caches.values()} == {
        "django.core.cache.backends.locmem.LocMemCache"
    }
    assert all(c["OPTIONS"]["MAX_ENTRIES"] for c in caches.values())


def test_a_redis_cache_url_puts_both_caches_in_that_redis_under_the_release():
    caches = caches_from_url("redis://cache.internal:6379/2")
    assert set(caches) == {"default", "dashboard-regions", "pages"}
    for cache in caches.values():
        assert cache["BACKEND"] == "mireads.cache.ResilientRedisCache"
        assert cache["LOCATION"] == "redis://cache.internal:6379/2"
        assert mireads_settings.release_digest() in cache["KEY_PREFIX"]
    assert len({cache["KEY_PREFIX"] for cache in caches.values()}) == len(caches)
    assert caches_from_url("rediss://cache.internal:6380/0")["default"]["LOCATION"].startswith(
        "rediss://"
    )


def test_the_release_digest_changes_with_any_template(tmp_path, monkeypatch):
    # Fragments are keyed by the data they show; the markup around it is the release's.
    monkeypatch.setattr(mireads_settings, "BASE_DIR", tmp_path)
    template = tmp_path / "templates" / "progress" / "dashboard.html"
    template.parent.mkdir(parents=True)
    template.write_text("<li>{{ paper.name }}</li>")
    before = mireads_settings.release_digest()
    assert mireads_settings.release_digest() == before
    template.write_text('<li class="entry">{{ paper.name }}</li>')
    assert mireads_settings.release_digest() != before


@pytest.mark.parametrize(
    "path",
    ["plans/estimates.py", "templates/plans/plan.html", "static/css/mireads.css",
     "static/js/notes.js", "groups/board.py", "mireads/http.py"],
)  # fmt: skip
def test_the_release_digest_changes_with_any_app_template_or_static_file(
    tmp_path, monkeypatch, path
):
    for package in ("plans", "groups", "mireads"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    changed = tmp_path / path
    changed.parent.mkdir(parents=True, exist_ok=True)
    changed.write_text("one")
    monkeypatch.setattr(mireads_settings, "BASE_DIR", tmp_path)
    before = mireads_settings.release_digest()
    changed.write_text("two")
    assert mireads_settings.release_digest() != before


def test_every_installed_app_of_the_project_is_in_the_release():
    from django.apps import apps

    sources = {path.parts[len(mireads_settings.BASE_DIR.parts)] for path in
               mireads_settings.release_sources()}  # fmt: skip
    ours = {
        config.label for config in apps.get_app_configs()
        if Path(config.path).parent == mireads_settings.BASE_DIR
    }  # fmt: skip
    assert ours | {"mireads", "templates", "static"} <= sources


def test_an_unsupported_cache_url_is_named_in_one_sentence():
    result = manage(
        "check",
        environment=environment_without_mireads(
            MIREADS_DEBUG="true", CACHE_URL="memcached://127.0.0.1:11211"
        ),
    )
    assert result.returncode != 0
    assert "CACHE_URL scheme 'memcached' is not supported" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_redis_stops_start_up_in_one_sentence_that_hides_its_password():
    result = manage(
        "check",
        environment=environment_without_mireads(
            MIREADS_DEBUG="true", CACHE_URL=f"redis://:hunter2-secret@127.0.0.1:{free_port()}/0"
        ),
    )
    assert result.returncode != 0
    assert "CACHE_URL names Redis at 127.0.0.1:" in result.stderr
    assert "does not answer" in result.stderr
    assert "hunter2-secret" not in result.stderr
    assert "Traceback" not in result.stderr


# --- Two app servers ------------------------------------------------------------------------------


def shared_services() -> tuple[str, str]:
    """DATABASE_URL and CACHE_URL of the PostgreSQL and Redis both servers share, or a skip.

    In CI's PostgreSQL run a missing or silent Redis is a broken build, not a reason to skip.
    """
    database_url = os.environ.get("DATABASE_URL", "")
    cache_url = os.environ.get("CACHE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        pytest.skip("scale-out needs DATABASE_URL to name PostgreSQL (one database for both)")
    in_ci = os.environ.get("CI", "").lower() == "true"
    give_up = pytest.fail if in_ci else pytest.skip
    if not cache_url.startswith(("redis://", "rediss://")):
        give_up("scale-out needs CACHE_URL=redis://… (one cache for both servers)")
    import redis

    try:
        redis.Redis.from_url(cache_url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        give_up(f"the Redis that CACHE_URL names does not answer ({error})")
    return database_url, cache_url


@contextmanager
def scratch_database(database_url: str):
    """A PostgreSQL database of its own, migrated and loaded, dropped afterwards.

    Not pytest-django's test database: a test holds that inside a transaction the servers would
    never see. One per test process, so two suites run side by side never share one.
    """
    import psycopg

    config = database_from_url(database_url)
    name = f"{config['NAME']}_scaleout_{os.getpid()}"
    connect = {
        "dbname": config["NAME"],
        "user": config["USER"],
        "password": config["PASSWORD"],
        "host": config["HOST"],
        "port": config["PORT"] or None,
        "autocommit": True,
    }
    with psycopg.connect(**connect) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(**connect) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str


@dataclass
class Browser:
    """One reader's cookies, sent to whichever server a request goes to, as behind a proxy."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, port: int, method: str, path: str, form: dict | None = None) -> Answer:
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = "http://127.0.0.1"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Answer(response.status, response.headers, text)

    def get(self, port: int, path: str) -> Answer:
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, form: dict) -> Answer:
        return self.request(port, "POST", path, form)


def csrf_token(page: Answer) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, "the page carries a form token"
    return match.group(1)


def pressed_status(page: Answer, slug: str) -> str | None:
    """Which status button of one dashboard entry is pressed."""
    pressed = dict(status_forms(page))
    return pressed.get(slug)


def status_forms(page: Answer) -> list[tuple[str, str | None]]:
    """Each dashboard entry's slug, with the status its one status form shows pressed."""
    forms = re.findall(r'action="/entries/([\w-]+)/status/"[^>]*>(.*?)</form>', page.text, re.S)
    found = [(slug, re.search(r'value="(\w+)" aria-pressed="true"', body)) for slug, body in forms]
    return [(slug, match.group(1) if match else None) for slug, match in found]


@contextmanager
def app_server(environment: dict[str, str], log: Path):
    """gunicorn as production runs it, on a free loopback port, until /healthz answers."""
    port = free_port()
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "mireads.wsgi", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env={**environment, "GUNICORN_CMD_ARGS": "--workers 1 --log-level warning"},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited while starting:\n{log.read_text()}")
            with suppress(OSError):
                if Browser().get(port, "/healthz").status == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer /healthz in time:\n{log.read_text()}")
            time.sleep(0.25)
        yield port
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def prepare(environment: dict[str, str]) -> None:
    """Migrate and load the scratch database, make one reader, and collect static files."""
    steps = [
        ("migrate", "--noinput"),
        ("load_catalogue",),
        ("collectstatic", "--noinput", "--verbosity", "0"),
        (
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user('ada', password={PASSWORD!r})",
        ),
    ]
    for step in steps:
        result = manage(*step, environment=environment, timeout=300)
        assert result.returncode == 0, f"manage.py {step[0]}: {result.stderr}"


def test_two_app_servers_sharing_postgres_and_redis_serve_one_reader_coherently(tmp_path):
    database_url, cache_url = shared_services()
    with ExitStack() as stack:
        environment = environment_without_mireads(
            MIREADS_DEBUG="false",
            # One key for both: it signs the session and the form tokens either server checks.
            SECRET_KEY=secrets.token_urlsafe(64),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            MIREADS_HTTPS="false",
            DATABASE_URL=stack.enter_context(scratch_database(database_url)),
            CACHE_URL=cache_url,
        )
        prepare(environment)
        a = stack.enter_context(app_server(environment, tmp_path / "a.log"))
        b = stack.enter_context(app_server(environment, tmp_path / "b.log"))
        reader = Browser()

        # Signed in through A with a real form post...
        login = reader.get(a, "/accounts/login/")
        assert login.status == 200
        form = {"username": "ada", "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(login)}
        signed_in = reader.post(a, "/accounts/login/", form)
        assert signed_in.status == 302, signed_in.text
        assert "sessionid" in reader.cookies

        # ...and so on B, whose dashboard (now in the shared cache) shows every entry unread.
        before = reader.get(b, "/")
        assert before.status == 200 and 'id="entries"' in before.text, "B knows the session"
        forms = status_forms(before)
        assert forms and all(pressed == "unread" for _, pressed in forms), "all start unread"
        slugs = [slug for slug, _ in forms]
        slug = slugs[0]
        assert pressed_status(reader.get(a, "/"), slug) == "unread"

        # A change through A, with the token from B's page, is on B's next page.
        changed = reader.post(
            a,
            f"/entries/{slug}/status/",
            {"status": "reading", "csrfmiddlewaretoken": csrf_token(before)},
        )
        assert changed.status == 302, changed.text
        assert pressed_status(reader.get(b, "/"), slug) == "reading"

        # And back the other way: a change through B, with the token from A's page, is on A's.
        page_a = reader.get(a, "/")
        assert pressed_status(page_a, slug) == "reading"
        changed = reader.post(
            b,
            f"/entries/{slug}/status/",
            {"status": "read", "csrfmiddlewaretoken": csrf_token(page_a)},
        )
        assert changed.status == 302, changed.text
        after = reader.get(a, "/")
        assert pressed_status(after, slug) == "read"
        assert pressed_status(reader.get(b, "/"), slug) == "read"

        # The servers really cache in Redis, not each in its own memory.
        import redis

        stored = redis.Redis.from_url(cache_url).keys("mireads.*:template.cache.dashboard-entry.*")
        assert stored, "rendered entries are in the shared Redis"
