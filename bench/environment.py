"""Where the bench keeps its databases, and the environment mireads runs under while measured."""

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "bench" / "out"
PYTHON = sys.executable

# The reader whose dashboard is measured, and a second one whose statuses the POST rows change,
# so that the measured dashboard never drifts between runs.
DASHBOARD_READER = 5000
WRITER_READER = 5001
# How many synthetic readers each database's dataset holds: PostgreSQL's is built with COPY
# (about 2 minutes for 100,000); SQLite's with bulk_create, which takes 10x as long per reader.
READERS = 10_000
POSTGRES_READERS = 100_000


@dataclass(frozen=True)
class Database:
    """One database engine under test: the big dataset, the one-reader copy, an empty one."""

    label: str
    full_url: str
    solo_url: str
    empty_url: str
    admin_url: str = ""  # PostgreSQL only: where CREATE/DROP DATABASE is issued from.
    readers: int = READERS

    @property
    def is_postgres(self) -> bool:
        return self.full_url.startswith(("postgres:", "postgresql:", "pgsql:"))

    @property
    def shown_as(self) -> str:
        """The URL without its password, for printing."""
        parts = urlsplit(self.full_url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return urlunsplit(parts._replace(netloc=netloc))
        if parts.scheme == "sqlite":
            return str(Path(unquote(parts.path[1:])).relative_to(BASE_DIR))
        return self.full_url


def sqlite_database() -> Database:
    def url(name: str) -> str:
        return f"sqlite:///{OUT_DIR / name}"

    return Database(
        label="SQLite",
        full_url=url("bench.sqlite3"),
        solo_url=url("bench-solo.sqlite3"),
        empty_url=url("bench-empty.sqlite3"),
    )


def postgres_database(url: str) -> Database:
    """Bench databases beside the one DATABASE_URL names, which is never touched."""
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/")) or "mireads"

    def sibling(suffix: str) -> str:
        return urlunsplit(parts._replace(path=f"/{name}{suffix}"))

    return Database(
        label="PostgreSQL",
        full_url=sibling("_bench"),
        solo_url=sibling("_bench_solo"),
        empty_url=sibling("_bench_empty"),
        admin_url=url,
        readers=POSTGRES_READERS,
    )


def production_env(database_url: str, secret_key: str) -> dict[str, str]:
    """mireads as `make serve` runs it: debug off, plain http on 127.0.0.1."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="mireads.settings",
        MIREADS_DEBUG="false",
        MIREADS_HTTPS="false",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        # Warnings only: a log line per request would be part of what is measured.
        MIREADS_LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def new_secret_key() -> str:
    return secrets.token_urlsafe(64)


def django(database_url: str, secret_key: str, *args: str) -> subprocess.CompletedProcess:
    """Run `python -m bench dataset ARGS` (or manage.py ARGS) against one database."""
    command = [PYTHON, "manage.py", *args[1:]] if args[0] == "manage.py" else [PYTHON, *args]
    return subprocess.run(
        command,
        cwd=BASE_DIR,
        env=production_env(database_url, secret_key),
        check=True,
        capture_output=True,
        text=True,
    )


def dataset(database_url: str, secret_key: str, *args: str) -> dict:
    """Call one `python -m bench dataset` command and return the JSON it prints."""
    result = django(database_url, secret_key, "-m", "bench", "dataset", *args)
    return json.loads(result.stdout.strip().splitlines()[-1])


def reset(database: Database, url: str) -> None:
    """Start a bench database afresh: remove the SQLite file, or recreate it on PostgreSQL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(unquote(parts.path[1:]))
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    name = unquote(parts.path.lstrip("/"))
    admin = urlsplit(database.admin_url)
    try:
        with psycopg.connect(
            dbname=unquote(admin.path.lstrip("/")),
            user=unquote(admin.username or ""),
            password=unquote(admin.password or ""),
            host=admin.hostname or "",
            port=admin.port or 5432,
            autocommit=True,
            connect_timeout=5,
        ) as conn:
            quoted = psycopg.sql.Identifier(name)
            conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(quoted))
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(quoted))
    except psycopg.Error as error:
        raise RuntimeError(
            f"cannot create the database {name} beside DATABASE_URL's (the role needs CREATEDB): "
            f"{str(error).strip()}"
        ) from None
