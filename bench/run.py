"""`python -m bench run` (what `make bench` runs): mireads in production mode under wrk, on SQLite
(10,000 synthetic readers) and, when DATABASE_URL names one, PostgreSQL (100,000), and
Lighthouse on the dashboard while SQLite's server is up (bench/lighthouse.py). Prints one
table per database and PASS/FAIL against the targets in bench/targets.py. It reports: it exits 0
whether targets pass or not, and non-zero only when it could not measure.
"""

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass, field

from bench import lighthouse, pages, wrk
from bench import targets as goals
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
CHANGES_PAGE = "/changes/"  # every edition with its per-entry differences

NOT_AVAILABLE = "not available"
LANDING = "/ (visitor)"
# Each public page target's variant (bench/targets.py) and the row that measures it.
PUBLIC_ROWS = {
    "landing": (LANDING, "/"),
    "/papers/": ("/papers/", "/papers/"),
    "a paper page": (PAPER_PAGE, PAPER_PAGE),
    "/changes/": (CHANGES_PAGE, CHANGES_PAGE),
}
DASHBOARD = "dashboard, returning reader"
FIRST_DASHBOARD = "dashboard, first after sign-in"
STATUS_CHANGE = "status change (HTMX POST)"
TICK = "tick (HTMX POST)"
WRITE_ROWS = {"status change": STATUS_CHANGE, "tick": TICK}
COMPARISON_ROUNDS = 3
SINGLE_SECONDS = 3
ROUND_SECONDS = 3  # shortest A/B round: shorter ones may see no answer at all under load
CROWD = "dashboard, all readers (A/B)"
ALONE = "dashboard, reader alone (A/B)"
# Readers whose first dashboard after signing in is measured: one range for the 16-connection
# row, another for the one-connection row, both clear of the measured reader and the writer; and
# a third whose first dashboards come before, unmeasured, as on a server that has been up a while.
FIRST_READERS = {"load": (1, 4500), "single": (6001, 1500), "warm": (7501, 1500)}
# How long the warm readers sign in before the row is measured. An entry's rendering is shared
# by every reader whose entry shows the same (progress/dashboard.py): the list's 30 entries have
# about 1,100 such states among the bench's readers, and a server that has been up a while holds
# them all. Without this the row measured each worker's first 150 readers, when a quarter of
# their entries were still being rendered for the first time. These readers' own pages are never
# asked for again, so the measured readers still find nothing of theirs in any cache.
FIRST_WARMUP_SECONDS = 5


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
    remark: str = ""  # printed after the row, e.g. that readers repeated


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
    revalidations: dict[str, pages.Revalidation] = field(default_factory=dict)
    # Lighthouse on the dashboard; None on a database it is not run on (it runs on SQLite's).
    dashboard_audit: lighthouse.Outcome | None = None

    def row(self, label: str) -> Row | None:
        return next((row for row in self.rows if row.label == label), None)


# --- Preparing the databases ---------------------------------------------------------------------


def prepare(database: Database, url: str, secret: str, *, rebuild: bool, alone: bool) -> str:
    """Reuse the cached dataset when the fixture and the dataset's shape are unchanged."""
    only = ["--readers", str(database.readers)]
    only += ["--only", str(DASHBOARD_READER)] if alone else []
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


def post(server: Server, session: dict, path: str, body: str) -> pages.Answer:
    return pages.fetch(
        f"{server.base_url}{path}",
        data=body.encode(),
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


def first_sessions(database: Database, secret: str) -> dict[str, str]:
    """Files of fresh sessions, one reader a line, for the first-dashboard rows."""
    files = {}
    for name, (first, count) in FIRST_READERS.items():
        out = OUT_DIR / f"first-sessions-{database.label.lower()}-{name}.txt"
        dataset(
            database.full_url, secret, "sessions", "--first", str(first), "--count", str(count),
            "--out", str(out),
        )  # fmt: skip
        files[name] = str(out)
    return files


def measure(database: Database, secret: str, options: argparse.Namespace) -> Measurement:
    result = Measurement(database, options.seconds)
    result.dataset = prepare(
        database, database.full_url, secret, rebuild=options.rebuild, alone=False
    )
    say(f"{database.label} dataset ({database.shown_as}): {result.dataset}")
    result.load_seconds = time_load_catalogue(database, secret)

    reader = dataset(database.full_url, secret, "session", "--reader", str(DASHBOARD_READER))
    writer = dataset(database.full_url, secret, "session", "--reader", str(WRITER_READER))
    reader["first_sessions"] = first_sessions(database, secret)
    log = OUT_DIR / f"gunicorn-{database.label.lower()}.log"
    try:
        with gunicorn(production_env(database.full_url, secret), log) as server:
            if measure_server(server, reader, writer, result, options):
                compare_with_alone(database, secret, server, reader, result, options)
                if not database.is_postgres:
                    result.dashboard_audit = audit_dashboard(server, reader)
            else:
                result.rows.append(Row(CROWD, note=NOT_AVAILABLE))
                result.rows.append(Row(ALONE, note=NOT_AVAILABLE))
                if not database.is_postgres:
                    missing = lighthouse.Outcome(reason="the dashboard is not available")
                    result.dashboard_audit = missing
            result.peaks = server.peak_resident_mb()
    finally:
        dataset(database.full_url, secret, "restore", "--reader", str(WRITER_READER))
    return result


def audit_dashboard(server: Server, reader: dict) -> lighthouse.Outcome:
    """Lighthouse on reader 5,000's dashboard, after every loaded row: it takes a CPU for 15-30 s,
    which would slow whatever wrk measured beside it."""
    say(f"Lighthouse {lighthouse.VERSION} on the dashboard...")
    return lighthouse.audit(server.base_url + "/", reader["cookie"])


def tick_probe(parts: str) -> tuple[str, str]:
    """The first entry with parts, all of them ticked: the path and body of one tick POST."""
    slug, keys = parts.split(";")[0].split("=")
    keys = keys.split("+")
    body = "&".join([*(f"shown={key}" for key in keys), *(f"done={key}" for key in keys)])
    return f"/entries/{slug}/parts/", body


def first_dashboards(base: str, files: dict[str, str], seconds: float) -> Row:
    """Each request another reader's first dashboard after signing in (bench/lua)."""

    def load(name: str, **options) -> wrk.Load:
        threads = min(wrk.THREADS, options.get("connections", wrk.CONNECTIONS))
        env = {"BENCH_COOKIES": files[name], "BENCH_THREADS": str(threads)}
        return wrk.run(base + "/", script="first_dashboard.lua", env=env, **options)

    load("warm", seconds=FIRST_WARMUP_SECONDS)  # not measured: see FIRST_WARMUP_SECONDS
    row = Row(
        FIRST_DASHBOARD,
        load("load", seconds=seconds),
        single=load("single", seconds=SINGLE_SECONDS, connections=1),
    )
    for name, measured in (("load", row.load), ("single", row.single)):
        readers = FIRST_READERS[name][1]
        if measured.requests > readers:
            row.remark += f" {name}: {measured.requests} requests for {readers} readers."
    return row


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
    for label, path in PUBLIC_ROWS.values():
        result.rows.append(row(label, path))
    # The cheapest signed-in page: the public page plus loading the session and the reader.
    result.rows.append(row(SIGNED_IN_PAPER, PAPER_PAGE, {"Cookie": reader["cookie"]}))

    dashboard, missing = dashboard_page(server, reader)
    if missing:
        result.rows.append(Row(DASHBOARD, note=missing))
        result.rows.append(Row(FIRST_DASHBOARD, note=missing))
    else:
        result.rows.append(row(DASHBOARD, "/", {"Cookie": reader["cookie"]}))
        result.rows.append(first_dashboards(base, reader["first_sessions"], seconds))

    writes = {
        STATUS_CHANGE: (
            f"/entries/{writer['slugs'][0]}/status/",
            "status=reading",
            "status_change.lua",
            {"BENCH_SLUGS": ",".join(writer["slugs"])},
        ),
        TICK: (*tick_probe(writer["parts"]), "tick.lua", {"BENCH_PARTS": writer["parts"]}),
    }
    fragments = {}
    for label, (path, body, script, more) in writes.items():
        fragment = post(server, writer, path, body)
        if 200 <= fragment.status < 300:
            env = {"BENCH_COOKIE": writer["cookie"], "BENCH_CSRF": writer["csrf"], **more}
            load = wrk.run(base + "/", seconds=seconds, script=script, env=env)
            result.rows.append(Row(label, load))
            fragments[f"{label.split(' (')[0]} fragment"] = fragment
        else:
            result.rows.append(Row(label, note=unavailable(fragment)))

    documents = {label: pages.fetch(base + path) for label, path in PUBLIC_ROWS.values()}
    for label, path in PUBLIC_ROWS.values():
        result.revalidations[label] = pages.revalidate(base + path, documents[label])
    if not missing:
        documents[DASHBOARD] = dashboard
    documents.update(fragments)
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
    """The same reader's dashboard with all the others in the database and with nobody else.

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
        if row.remark:
            say(f"{'':30}({row.remark.strip()})")
    say()
    peaks = ", ".join(f"{peak:.0f} MB" for peak in result.peaks.values())
    say(f"Peak resident memory per worker (VmHWM): {peaks}")
    say(f"manage.py load_catalogue into an empty database: {result.load_seconds:.1f} s")
    say()
    say(f"{'HTML':30}{'raw':>10}{'gzip -6':>10}{'elements':>10}   scripts not from /static/")
    for name, weight in result.sizes.items():
        others = ", ".join(result.foreign_scripts[name]) or "none"
        say(
            f"{name:30}{weight.raw / KB:>7.1f} KB{weight.gzipped / KB:>7.1f} KB"
            f"{weight.elements:>10}   {others}"
        )
    if result.dashboard_audit is not None:
        say()
        say(audit_line(result.dashboard_audit))
    say()
    for name, again in result.revalidations.items():
        say(f"Conditional GET {name}: {again.shown}")
    say()
    for check in result.static:
        verdict = "PASS" if check.passed else "FAIL"
        say(
            f"{verdict}  static {check.url}: Cache-Control: {check.cache_control}; "
            f"Content-Encoding: {check.content_encoding}"
        )


def audit_line(outcome: lighthouse.Outcome) -> str:
    title = (
        f"Lighthouse {lighthouse.VERSION} on the dashboard (reader {DASHBOARD_READER:,}, "
        "mobile preset, performance only):"
    )
    if outcome.audit is None:
        return f"{title} not measured: {outcome.reason}"
    return f"{title} {outcome.audit.shown}"


Check = tuple[str, bool | None, str]
# Not a target of bench/targets.py but reported with them: it needs the public page cache.
REVALIDATION = "public pages answer If-None-Match with 304"


def judged(
    target: goals.Target, value: float | None, measured: str = "", variant: str = ""
) -> Check:
    """(target, passed or None when it cannot be measured yet, what was measured)."""
    statement = f"{target.statement} ({variant})" if variant else target.statement
    if value is None:
        return statement, None, NOT_AVAILABLE
    return statement, target.met(value), measured or target.shown(value)


def share_of_healthz(result: Measurement, label: str) -> float | None:
    healthz, row = result.row("/healthz").load, result.row(label)
    load = row.load if row else None
    if not (load and load.requests and healthz.requests):
        return None
    return load.requests_per_second / healthz.requests_per_second


def targets(result: Measurement) -> list[Check]:
    """Every target of bench/targets.py that `run` measures, judged on one database."""
    checks: list[Check] = []
    for variant, (label, _) in PUBLIC_ROWS.items():
        value = share_of_healthz(result, label)
        checks.append(judged(goals.PUBLIC_SHARE, value, variant=variant))
    checks.append(judged(goals.RETURNING_SHARE, share_of_healthz(result, DASHBOARD)))
    returning = result.row(DASHBOARD)
    load = returning.load if returning else None
    checks.append(judged(goals.RETURNING_P99, load.p99 if load and load.requests else None))
    checks.append(judged(goals.FIRST_DASHBOARD_SHARE, share_of_healthz(result, FIRST_DASHBOARD)))
    for variant, label in WRITE_ROWS.items():
        checks.append(judged(goals.WRITE_SHARE, share_of_healthz(result, label), variant=variant))

    crowd_row, alone_row = result.row(CROWD), result.row(ALONE)
    crowd = crowd_row.load if crowd_row else None
    alone = alone_row.load if alone_row else None
    if crowd and alone and crowd.requests and alone.requests:
        ratio = crowd.p50 / alone.p50
        shown = f"{goals.CROWD_OVER_ALONE.shown(ratio)} ({crowd.p50:.1f} ms vs {alone.p50:.1f} ms)"
        checks.append(judged(goals.CROWD_OVER_ALONE, ratio, shown))
    else:
        checks.append(judged(goals.CROWD_OVER_ALONE, None))

    if result.peaks:
        biggest = max(result.peaks.values())
        shown = f"largest {goals.WORKER_MEMORY.shown(biggest)}"
        checks.append(judged(goals.WORKER_MEMORY, biggest, shown))
    else:
        checks.append((goals.WORKER_MEMORY.statement, False, "no worker measured"))

    size = result.sizes.get(DASHBOARD)
    checks.append(judged(goals.DASHBOARD_RAW, size.raw / KB if size else None))
    checks.append(judged(goals.DASHBOARD_NODES, size.elements if size else None))
    checks.append(judged(goals.DASHBOARD_GZIP, size.gzipped / KB if size else None))

    checks.append(audit_check(result.dashboard_audit))

    others = sorted({src for found in result.foreign_scripts.values() for src in found})
    shown = ", ".join(others) or f"none, {len(result.foreign_scripts)} pages checked"
    checks.append(judged(goals.FOREIGN_SCRIPTS, len(others), shown))

    if result.static:
        days = min(check.max_age for check in result.static) / pages.DAY
        shown = f"shortest {goals.STATIC_MAX_AGE.shown(days)}, {len(result.static)} files checked"
        checks.append(judged(goals.STATIC_MAX_AGE, days, shown))
        plain = [check.url for check in result.static if not check.compressed]
        shown = ", ".join(plain) or f"none, {len(result.static)} files checked"
        checks.append(judged(goals.STATIC_UNCOMPRESSED, len(plain), shown))
    else:
        for target in (goals.STATIC_MAX_AGE, goals.STATIC_UNCOMPRESSED):
            checks.append((target.statement, False, "no static file found on /papers/"))

    checks.append(revalidation(result.revalidations))
    # Not a target but a condition of every figure above: a failed request measures nothing.
    if not all(row.load is None or row.load.clean for row in result.rows):
        checks.append(("every measured request answered 2xx", False, "see the table"))
    return checks


def audit_check(outcome: lighthouse.Outcome | None) -> Check:
    """Judged on the score; not measured (None) with the reason when Lighthouse could not run."""
    target = goals.LIGHTHOUSE_PERFORMANCE
    if outcome is None:
        return target.statement, None, "not measured here: it runs on the SQLite server"
    if outcome.audit is None:
        return target.statement, None, f"not measured: {outcome.reason}"
    found = outcome.audit
    if found.other_hosts:
        return target.statement, False, f"the page loaded from other hosts: {found.other_hosts}"
    shown = f"{target.shown(found.score)} (LCP {found.lcp / 1000:.1f} s, TBT {found.tbt:.0f} ms)"
    return target.statement, target.met(found.score), shown


def revalidation(answers: dict[str, pages.Revalidation]) -> Check:
    """PASS when every public page answers its own ETag with 304; n/a while none has an ETag."""
    if not any(again.etag for again in answers.values()):
        return REVALIDATION, None, "n/a: no public page sends an ETag"
    shown = ", ".join(f"{name} {again.shown}" for name, again in answers.items())
    return REVALIDATION, all(again.status == 304 for again in answers.values()), shown


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


def run(options: argparse.Namespace) -> int:
    """Measure every database, print the report and write it to bench/out/."""
    url = os.environ.get("DATABASE_URL", "")
    databases = []
    if options.only != "postgres":
        databases.append(sqlite_database())
    if url.startswith(("postgres:", "postgresql:", "pgsql:")) and options.only != "sqlite":
        databases.append(postgres_database(url))
    elif options.only == "postgres":
        raise RuntimeError("--only postgres needs DATABASE_URL=postgres://user:password@host/name")

    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with exclusive(OUT_DIR / "run.lock"):
        return measure_all(databases, options)


def exclusive(path):
    """Hold a lock on bench/out for the run: two runs in one tree would share its databases and
    the 2 CPUs, and each would measure the other's load (it happened, 2 December 2026)."""
    handle = path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise RuntimeError(
            f"another `python -m bench run` holds {path}: wait for it to finish"
        ) from None
    return handle  # closing it (the with block's end) releases the lock


def measure_all(databases: list[Database], options: argparse.Namespace) -> int:
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


def audit_only(options: argparse.Namespace) -> int:
    """`python -m bench lighthouse`: the SQLite bench dataset served as `run` serves it, and only
    Lighthouse on the dashboard. Exits 1 when Lighthouse could not measure, 0 otherwise."""
    database = sqlite_database()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with exclusive(OUT_DIR / "run.lock"):
        secret = new_secret_key()
        django(
            database.full_url, secret, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"
        )
        built = prepare(database, database.full_url, secret, rebuild=options.rebuild, alone=False)
        say(f"{database.label} dataset ({database.shown_as}): {built}")
        say(machine_load("before"))
        reader = dataset(database.full_url, secret, "session", "--reader", str(DASHBOARD_READER))
        log = OUT_DIR / "gunicorn-lighthouse.log"
        with gunicorn(production_env(database.full_url, secret), log) as server:
            _, missing = dashboard_page(server, reader)
            if missing:
                outcome = lighthouse.Outcome(reason=f"the dashboard is {missing}")
            else:
                outcome = audit_dashboard(server, reader)
        say(machine_load("after"))
    say()
    say(audit_line(outcome))
    name, passed, shown = audit_check(outcome)
    verdict = "n/a " if passed is None else "PASS" if passed else "FAIL"
    say(f"  {verdict}  {name}: {shown}")
    return 0 if outcome.audit else 1
