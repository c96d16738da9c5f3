"""Settings, database configuration, health check, static files."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, override_settings

from mireads.settings import database_from_url
from tests.commands import manage

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"MIREADS_DEBUG", "SECRET_KEY"}}
    environment.update(env)
    return manage(*args, environment=environment)


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", MIREADS_DEBUG="false", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = run_manage(
        "check", MIREADS_DEBUG="false", SECRET_KEY="short", ALLOWED_HOSTS="example.org"
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", MIREADS_DEBUG="false", SECRET_KEY="x" * 30 + "abcdefghij" * 3)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unsupported_database_url_is_named_clearly():
    result = run_manage("check", MIREADS_DEBUG="true", DATABASE_URL="mysql://u:p@localhost/db")
    assert result.returncode != 0
    assert "DATABASE_URL scheme 'mysql' is not supported" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_postgres_ends_in_one_sentence():
    result = run_manage(
        "migrate",
        "--check",
        MIREADS_DEBUG="true",
        DATABASE_URL="postgres://nobody:nothing@127.0.0.1:9/nowhere",
    )
    assert result.returncode != 0
    assert "cannot use the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_urls_are_translated():
    sqlite = database_from_url("sqlite:////tmp/x.db")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == "/tmp/x.db"
    postgres = database_from_url("postgres://u:p%40ss@db.internal:6543/mireads")
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["USER"], postgres["PASSWORD"], postgres["HOST"], postgres["PORT"]) == (
        "u",
        "p@ss",
        "db.internal",
        "6543",
    )
    assert postgres["NAME"] == "mireads"


def test_sqlite_is_tuned_for_a_web_app_only_when_the_engine_is_sqlite():
    sqlite = database_from_url("sqlite:////tmp/x.db")["OPTIONS"]
    assert "journal_mode=WAL" in sqlite["init_command"]
    assert sqlite["transaction_mode"] == "IMMEDIATE"
    assert sqlite["timeout"] >= 5
    postgres = database_from_url("postgres://u:p@h/db")["OPTIONS"]
    assert "init_command" not in postgres and "transaction_mode" not in postgres


def test_a_file_backed_sqlite_database_runs_in_wal_mode(tmp_path):
    # Runs in a subprocess on its own SQLite file, so it holds in the PostgreSQL run too.
    result = run_manage(
        "shell",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        MIREADS_DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'wal.db'}",
    )
    assert result.stdout.strip().splitlines()[-1] == "wal", result.stderr


def test_the_suite_runs_on_the_database_ci_asked_for():
    # CI runs the suite twice; the second run must really be on PostgreSQL, not SQLite again.
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected


def test_healthz_answers_ok_after_a_database_round_trip(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_pages_extend_base_and_load_htmx_from_this_server(client_as_reader):
    html = client_as_reader.get("/papers/").content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    # A visitor's page is shared through the page cache: it carries no token (nothing to post).
    visitor = Client().get("/papers/").content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in visitor
    assert "X-CSRFToken" not in visitor


@override_settings(DEBUG=False)
def test_the_404_page_shows_no_traceback(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content
    assert b"Not found" in response.content


def test_nothing_committed_records_a_download_address():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    assert "uv.lock" not in tracked
    for name in ["constraints.txt", "pyproject.toml"]:
        assert "://" not in (ROOT / name).read_text()
    for name in ["constraints.txt", "pyproject.toml", "Makefile", ".ci/run"]:
        text = (ROOT / name).read_text()
        assert "index-url" not in text and "trusted-host" not in text


def test_behind_trusted_proxies_the_client_address_comes_from_their_entry(rf, settings):
    from mireads.middleware import TrustedProxyMiddleware

    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]
        return None

    settings.MIREADS_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    TrustedProxyMiddleware(view)(request)
    assert seen["addr"] == "203.0.113.9", "the forged left-hand entry is ignored"

    settings.MIREADS_PROXY_COUNT = 0
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.2")
    TrustedProxyMiddleware(view)(request)
    assert seen["addr"] == "10.0.0.2", "without proxies the header is not trusted at all"


def test_the_readme_has_its_sections_in_the_agreed_order():
    readme = (ROOT / "README.md").read_text()
    headings = re.findall(r"^## (.+)$", readme, flags=re.MULTILINE)
    assert headings == [
        "Two commands",
        "What a reader can do at http://127.0.0.1:8000",
        "Curricula: several curated lists",
        "Configuration",
        "PostgreSQL",
        "Production behind a TLS proxy (`make serve`)",
        "Tests",
        "Layout",
    ]
    intro = readme.split("## Two commands")[0]
    assert "mechanistic interpretability" in intro, "a short paragraph says what mireads is first"
    assert "make run" in readme.split("## What you see")[0]
    assert "make test" in readme.split("## What you see")[0]
    assert "createsuperuser" in readme.split("## Configuration")[0], "how to create an admin"


def test_every_environment_variable_settings_reads_is_in_the_readme_table():
    settings_source = (ROOT / "mireads" / "settings.py").read_text()
    read = set(re.findall(r'(?:os\.environ\.get|_bool|_list)\("([A-Z_]+)"', settings_source))
    table = (ROOT / "README.md").read_text().split("## Configuration")[1].split("\n## ")[0]
    assert read >= {"MIREADS_DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    undocumented = {name for name in read if f"`{name}`" not in table}
    assert not undocumented, f"README's configuration table misses {sorted(undocumented)}"
