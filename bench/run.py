"""`make bench`: mireads in production mode under wrk, on SQLite and (when DATABASE_URL names
one) PostgreSQL, with 10,000 synthetic readers. Prints one table per database and PASS/FAIL
against the targets in docs/performance.md. It reports: it exits 0 whether targets pass or not,
and non-zero only when it could not measure.

    .venv/bin/python bench/run.py [--rebuild] [--only sqlite|postgres] [--seconds 10]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

# The project root, so that `bench` and `mireads` import when run as bench/run.py.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import pages, wrk
from bench.environment import (
    DASHBOARD_READER,
    OUT_DIR,
    WRITER_READER,
    Database,
    dataset,
    django,
    new_secret_key,
    postgres_database,
    production_env,
    reset,
    sqlite_database,
)
from bench.server import Server, gunicorn

MB = 1024 * 1024
KB = 1024
PAPER_PAGE = "/papers/solu/"
SIGNED_IN_PAPER = f"{PAPER_PAGE} (signed in)"
# The targets, as docs/performance.md states them.
DASHBOARD_SHARE_OF_HEALTHZ = 0.20
DASHBOARD_P99_MS = 100
CROWD_OVER_ALONE = 1.25
WORKER_MB = 120
DASHBOARD_RAW_KB = 100
DASHBOARD_GZIP_KB = 15

NOT_AVAILABLE = "not available"
DASHBOARD = "dashboard (signed in)"
COLD_DASHBOARD = "dashboard, cold (no cache hit)"
STATUS_CHANGE = "status change (HTMX POST)"
COMPARISON_ROUNDS = 3
SINGLE_SECONDS = 3
ROUND_SECONDS = 3  # shortest A/B round: shorter ones may see no answer at all under load
CROWD = "dashboard, 1 of 10,000 (A/B)"
ALONE = "dashboard, reader alone (A/B)"


def say(text: str = "") -> None:
    print(text, flush=True)
    REPORT.append(text)


REPORT: list[str] = []


@dataclass
class Row:
    label: str
    load: wrk.Load | None = None
    note: str = ""  # why there is no load, e.g. "not available"
    single: wrk.Load | None = None  # one connection at a time: the server's own time per request


@dataclass
class Measurement:
    """Everything measured on one database engine."""

    database: Database
    seconds: float
    dataset: str = ""
    rows: list[Row] = field(default_factory=list)
    peaks: dict[int, float] = field(default_factory=dict)
    load_seconds: float = 0.0
    sizes: dict[str, pages.Size] = field(default_factory=dict)
    foreign_scripts: dict[str, list[str]] = field(default_factory=dict)
    static: list[pages.StaticCheck] = field(default_factory=list)

    def row(self, label: str) -> Row | None:
        return next((row for row in self.rows if row.label == label), None)


# --- Preparing the databases ---------------------------------------------------------------------


def prepare(database: Database, url: str, secret: str, *, rebuild: bool, alone: bool) -> str:
    """Reuse the cached dataset when the fixture and the dataset's shape are unchanged."""
    only = ["--only", str(DASHBOARD_READER)] if alone else []
    if not rebuild:
        try:
            if dataset(url, secret, "status", *only)["current"]:
                return "cached"
        except subprocess.CalledProcessError:
            pass  # no database yet, or an unusable one: build afresh
    reset(database, url)
    started = time.perf_counter()
    built = dataset(url, secret, "build", *only)
    counts = ", ".join(f"{value:,} {name}" for name, value in built["counts"].items())
    return f"built in {time.perf_counter() - started:.0f} s: {counts}"


def time_load_catalogue(database: Database, secret: str) -> float:
    """Wall time of `manage.py load_catalogue` into a freshly migrated, empty database."""
    reset(database, database.empty_url)
    django(database.empty_url, secret, "manage.py", "migrate", "--noinput", "--verbosity", "0")
    started = time.perf_counter()
    django(database.empty_url, secret, "manage.py", "load_catalogue")
    return time.perf_counter() - started


# --- Probing what exists -------------------------------------------------------------------------


def post_status(server: Server, session: dict, slug: str, status: str) -> pages.Answer:
    return pages.fetch(
        f"{server.base_url}/entries/{slug}/status/",
        data=f"status={status}".encode(),
        headers={
            "Cookie": session["cookie"],
            "X-CSRFToken": session["csrf"],
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )


def unavailable(answer: pages.Answer) -> str:
    if answer.status in (404, 405):
        return NOT_AVAILABLE
    return f"failed: HTTP {answer.status}"


def dashboard_page(server: Server, session: dict) -> tuple[pages.Answer, str]:
    """The signed-in "/" and, when it is not the dashboard yet, why."""
    answer = pages.fetch(server.base_url + "/", headers={"Cookie": session["cookie"]})
    if answer.status != 200:
        return answer, unavailable(answer)
    # The landing page has no status controls; the dashboard posts to /entries/<slug>/status/.
    if "/entries/" not in answer.text:
        return answer, NOT_AVAILABLE
    return answer, ""


# --- Measuring -----------------------------------------------------------------------------------


def measure(database: Database, secret: str, options: argparse.Namespace) -> Measurement:
    result = Measurement(database, options.seconds)
    result.dataset = prepare(
        database, database.full_url, secret, rebuild=options.rebuild, alone=False
    )
    say(f"{database.label} dataset ({database.shown_as}): {result.dataset}")
    result.load_seconds = time_load_catalogue(database, secret)

    reader = dataset(database.full_url, secret, "session", "--reader", str(DASHBOARD_READER))
    writer = dataset(database.full_url, secret, "session", "--reader", str(WRITER_READER))
    log = OUT_DIR / f"gunicorn-{database.label.lower()}.log"
    try:
        with gunicorn(production_env(database.full_url, secret), log) as server:
            if measure_server(server, reader, writer, result, options):
                compare_with_alone(database, secret, server, reader, result, options)
            else:
                result.rows.append(Row(CROWD, note=NOT_AVAILABLE))
                result.rows.append(Row(ALONE, note=NOT_AVAILABLE))
            result.peaks = server.peak_resident_mb()
    finally:
        dataset(database.full_url, secret, "restore", "--reader", str(WRITER_READER))
    return result


def measure_server(
    server: Server, reader: dict, writer: dict, result: Measurement, options: argparse.Namespace
) -> bool:
    """The table's main rows, page weights and static headers; True when the dashboard exists."""
    base = server.base_url
    seconds = options.seconds
    # After idle the CPUs run slow for a while; this also fills both workers' template caches.
    wrk.run(base + "/papers/", seconds=options.warmup)

    def row(label: str, path: str, headers: dict[str, str] | None = None) -> Row:
        return Row(
            label,
            wrk.run(base + path, seconds=seconds, headers=headers),
            single=wrk.run(base + path, seconds=SINGLE_SECONDS, headers=headers, connections=1),
        )

    result.rows.append(row("/healthz", "/healthz"))
    result.rows.append(row("/papers/", "/papers/"))
    result.rows.append(row(PAPER_PAGE, PAPER_PAGE))
    # The cheapest signed-in page: the public page plus loading the session and the reader.
    result.rows.append(row(SIGNED_IN_PAPER, PAPER_PAGE, {"Cookie": reader["cookie"]}))

    dashboard, missing = dashboard_page(server, reader)
    if missing:
        result.rows.append(Row(DASHBOARD, note=missing))
        result.rows.append(Row(COLD_DASHBOARD, note=missing))
    else:
        result.rows.append(row(DASHBOARD, "/", {"Cookie": reader["cookie"]}))
        # Every cached entry, and the list region, is keyed on the CSRF secret (the entries'
        # forms carry tokens made from it). Without a CSRF cookie the server makes a new secret
        # on every request, so every request misses every cache, as a reader's first dashboard
        # after signing in does: the page rendered in full, as before the caching.
        result.rows.append(row(COLD_DASHBOARD, "/", {"Cookie": reader["session_cookie"]}))

    fragment = post_status(server, writer, writer["slugs"][0], "reading")
    if 200 <= fragment.status < 300:
        env = {
            "BENCH_COOKIE": writer["cookie"],
            "BENCH_CSRF": writer["csrf"],
            "BENCH_SLUGS": ",".join(writer["slugs"]),
        }
        load = wrk.run(base + "/", seconds=seconds, script="status_change.lua", env=env)
        result.rows.append(Row(STATUS_CHANGE, load))
    else:
        result.rows.append(Row(STATUS_CHANGE, note=unavailable(fragment)))

    documents = {
        "/ (visitor)": pages.fetch(base + "/"),
        "/papers/": pages.fetch(base + "/papers/"),
        PAPER_PAGE: pages.fetch(base + PAPER_PAGE),
    }
    if not missing:
        documents[DASHBOARD] = dashboard
    if 200 <= fragment.status < 300:
        documents["status change fragment"] = fragment
    for name, answer in documents.items():
        result.sizes[name] = pages.size(answer.body)
        result.foreign_scripts[name] = pages.foreign_scripts(answer.text)

    page = documents["/papers/"]
    hrefs = pages.stylesheets(page.text) + [
        src for src in pages.scripts(page.text) if src.startswith("/")
    ]
    result.static = [pages.check_static(base + "/papers/", href) for href in hrefs]
    return not missing


def compare_with_alone(
    database: Database,
    secret: str,
    server: Server,
    reader: dict,
    result: Measurement,
    options: argparse.Namespace,
) -> None:
    """The same reader's dashboard with 9,999 others in the database and with nobody else.

    Both servers run at once and take turns under load, so that a slow spell of the shared
    CPUs falls on both sides; each side reports its median round.
    """
    built = prepare(database, database.solo_url, secret, rebuild=options.rebuild, alone=True)
    say(f"{database.label} one-reader copy: {built}")
    alone_reader = dataset(database.solo_url, secret, "session", "--reader", str(DASHBOARD_READER))
    log = OUT_DIR / f"gunicorn-{database.label.lower()}-alone.log"
    with gunicorn(production_env(database.solo_url, secret), log) as alone:
        sides = {
            CROWD: (server.base_url + "/", {"Cookie": reader["cookie"]}),
            ALONE: (alone.base_url + "/", {"Cookie": alone_reader["cookie"]}),
        }
        wrk.run(sides[ALONE][0], seconds=min(options.warmup, 5), headers=sides[ALONE][1])
        rounds: dict[str, list[wrk.Load]] = {CROWD: [], ALONE: []}
        for _ in range(COMPARISON_ROUNDS):
            for side, (url, headers) in sides.items():
                seconds = max(ROUND_SECONDS, options.seconds / 2)
                rounds[side].append(wrk.run(url, seconds=seconds, headers=headers))
    for side, loads in rounds.items():
        result.rows.append(Row(side, sorted(loads, key=lambda load: load.p50)[len(loads) // 2]))


# --- Reporting -----------------------------------------------------------------------------------


def report(result: Measurement) -> None:
    healthz = result.row("/healthz").load
    say()
    say(
        f"{result.database.label}: wrk -t{wrk.THREADS} -c{wrk.CONNECTIONS} -d{result.seconds:g}s, "
        "gunicorn 2 sync workers, 127.0.0.1; 1 conn p50: wrk -t1 -c1, the time per request "
        "without queueing"
    )
    say(f"{'':30}{'requests/s':>11}{'p50':>11}{'p99':>11}{'vs /healthz':>13}{'1 conn p50':>13}")
    for row in result.rows:
        if row.load is None:
            say(f"{row.label:30}{row.note:>11}")
            continue
        load = row.load
        share = load.requests_per_second / (healthz.requests_per_second or 1)
        single = f"{row.single.p50:>10.1f} ms" if row.single else ""
        failed = f"  ({load.failed} of {load.requests} failed)" if load.failed else ""
        say(
            f"{row.label:30}{load.requests_per_second:>11.0f}{load.p50:>8.1f} ms{load.p99:>8.1f} ms"
            f"{share:>13.2f}{single:>13}{failed}".rstrip()
        )
    say()
    peaks = ", ".join(f"{peak:.0f} MB" for peak in result.peaks.values())
    say(f"Peak resident memory per worker (VmHWM): {peaks}")
    say(f"manage.py load_catalogue into an empty database: {result.load_seconds:.1f} s")
    say()
    say(f"{'HTML':28}{'raw':>10}{'gzip -6':>10}   scripts other than htmx")
    for name, page_size in result.sizes.items():
        others = ", ".join(result.foreign_scripts[name]) or "none"
        say(f"{name:28}{page_size.raw / KB:>7.1f} KB{page_size.gzipped / KB:>7.1f} KB   {others}")
    say()
    for check in result.static:
        verdict = "PASS" if check.passed else "FAIL"
        say(
            f"{verdict}  static {check.url}: Cache-Control: {check.cache_control}; "
            f"Content-Encoding: {check.content_encoding}"
        )


def targets(result: Measurement) -> list[tuple[str, bool | None, str]]:
    """(target, passed or None when it cannot be measured yet, what was measured)."""
    healthz = result.row("/healthz").load
    crowd, alone = result.row(CROWD).load, result.row(ALONE).load
    size = result.sizes.get(DASHBOARD)
    checks: list[tuple[str, bool | None, str]] = []
    # Warm is what a reader reloading the page gets; cold, the first page after signing in.
    for label, which in ((DASHBOARD, "dashboard"), (COLD_DASHBOARD, "dashboard, cold,")):
        row = result.row(label)
        dashboard = row.load if row else None
        share_target = f"{which} throughput >= {DASHBOARD_SHARE_OF_HEALTHZ:.0%} of /healthz"
        p99_target = f"{which} p99 < {DASHBOARD_P99_MS} ms at {wrk.CONNECTIONS} connections"
        if dashboard and dashboard.requests and healthz.requests:
            share = dashboard.requests_per_second / healthz.requests_per_second
            checks.append((share_target, share >= DASHBOARD_SHARE_OF_HEALTHZ, f"{share:.0%}"))
            checks.append((p99_target, dashboard.p99 < DASHBOARD_P99_MS, f"{dashboard.p99:.1f} ms"))
        else:
            checks.append((share_target, None, NOT_AVAILABLE))
            checks.append((p99_target, None, NOT_AVAILABLE))
    if crowd and alone and crowd.requests and alone.requests:
        ratio = crowd.p50 / alone.p50
        checks.append(
            (
                f"dashboard among 10,000 readers within {CROWD_OVER_ALONE}x of alone (p50)",
                ratio <= CROWD_OVER_ALONE,
                f"{ratio:.2f}x ({crowd.p50:.1f} ms vs {alone.p50:.1f} ms)",
            )
        )
    else:
        checks.append(
            (
                f"dashboard among 10,000 readers within {CROWD_OVER_ALONE}x of alone (p50)",
                None,
                NOT_AVAILABLE,
            )
        )
    biggest = max(result.peaks.values(), default=0.0)
    checks.append(
        (
            f"each worker < {WORKER_MB} MB resident",
            bool(result.peaks) and biggest < WORKER_MB,
            f"largest {biggest:.0f} MB",
        )
    )
    if size:
        checks.append(
            (
                f"dashboard HTML < {DASHBOARD_RAW_KB} KB raw",
                size.raw < DASHBOARD_RAW_KB * KB,
                f"{size.raw / KB:.1f} KB",
            )
        )
        checks.append(
            (
                f"dashboard HTML < {DASHBOARD_GZIP_KB} KB gzipped",
                size.gzipped < DASHBOARD_GZIP_KB * KB,
                f"{size.gzipped / KB:.1f} KB",
            )
        )
    else:
        checks.append((f"dashboard HTML < {DASHBOARD_RAW_KB} KB raw", None, NOT_AVAILABLE))
        checks.append((f"dashboard HTML < {DASHBOARD_GZIP_KB} KB gzipped", None, NOT_AVAILABLE))
    others = sorted({src for found in result.foreign_scripts.values() for src in found})
    checks.append(
        (
            "the only JavaScript shipped is htmx",
            not others,
            ", ".join(others) or f"{len(result.foreign_scripts)} pages checked",
        )
    )
    checks.append(
        (
            "static files compressed, cached >= 1 year",
            bool(result.static) and all(check.passed for check in result.static),
            f"{len(result.static)} files checked",
        )
    )
    if not all(row.load is None or row.load.clean for row in result.rows):
        checks.append(("every measured request answered 2xx", False, "see the table"))
    return checks


def report_targets(result: Measurement) -> None:
    say()
    say(f"Targets ({result.database.label}):")
    for name, passed, measured in targets(result):
        verdict = "n/a " if passed is None else "PASS" if passed else "FAIL"
        say(f"  {verdict}  {name}: {measured}")


def machine_load(when: str) -> str:
    """Other processes share the CPUs with wrk and gunicorn: say how busy they were."""
    one, five, _ = os.getloadavg()
    cpus = os.cpu_count()
    return f"Load average {when} measuring: {one:.2f} (1 min), {five:.2f} (5 min); {cpus} CPUs"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached datasets")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="measure one database")
    parser.add_argument("--seconds", type=float, default=10, help="wrk duration per URL")
    parser.add_argument("--warmup", type=float, default=15, help="seconds of load before measuring")
    options = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    databases = []
    if options.only != "postgres":
        databases.append(sqlite_database())
    if url.startswith(("postgres:", "postgresql:", "pgsql:")) and options.only != "sqlite":
        databases.append(postgres_database(url))
    elif options.only == "postgres":
        parser.error("--only postgres needs DATABASE_URL=postgres://user:password@host/name")

    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    secret = new_secret_key()
    # One collectstatic for every server: STATIC_ROOT does not depend on the database.
    django(
        databases[0].full_url, secret, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"
    )
    say(machine_load("before"))
    results = []
    for database in databases:
        results.append(measure(database, secret, options))
    say(machine_load("after"))
    for result in results:
        report(result)
        report_targets(result)
    (OUT_DIR / "report.txt").write_text("\n".join(REPORT) + "\n")
    (OUT_DIR / "report.json").write_text(
        json.dumps({r.database.label: [asdict(row) for row in r.rows] for r in results}, indent=2)
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as error:
        sys.stderr.write(f"bench: {' '.join(map(str, error.cmd))} failed:\n{error.stderr or ''}")
        sys.exit(1)
    except RuntimeError as error:
        sys.stderr.write(f"bench: {error}\n")
        sys.exit(1)
