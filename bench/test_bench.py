"""The bench's own logic: reading wrk, judging pages, building the dataset at a tiny size, its
command line, and its targets (one place, bench/targets.py, and docs/performance.md its copy).

Part of `make test` (bench/ is in pytest's testpaths); alone: `.venv/bin/pytest -q bench/`.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench import lighthouse, pages, targets, wrk
from bench.__main__ import main, parser
from bench.environment import BASE_DIR

PERFORMANCE_MD = BASE_DIR / "docs" / "performance.md"
SUBCOMMANDS = ["run", "dataset", "profile", "portability", "group-page", "lighthouse", "targets"]

# wrk pads some percentiles with a trailing space.
WRK_REPORT = "\n".join(
    [
        "Running 10s test @ http://127.0.0.1:34643/",
        "  2 threads and 16 connections",
        "  Thread Stats   Avg      Stdev     Max   +/- Stdev",
        "    Latency     1.03s   303.31ms   1.40s    78.57%",
        "    Req/Sec    10.90      6.48    20.00     46.94%",
        "  Latency Distribution",
        "     50%  850.00us",
        "     75%    1.23s ",
        "     90%    1.31s ",
        "     99%    1.40s ",
        "  70 requests in 5.08s, 6.46MB read",
        "  Socket errors: connect 0, read 1, write 0, timeout 2",
        "  Non-2xx or 3xx responses: 4",
        "Requests/sec:     13.79",
        "Transfer/sec:      1.27MB",
    ]
)


def test_a_wrk_report_gives_throughput_percentiles_and_failures():
    load = wrk.parse(WRK_REPORT)

    assert load.requests_per_second == 13.79
    assert load.p50 == pytest.approx(0.85)
    assert load.p99 == pytest.approx(1400)
    assert load.requests == 70
    assert load.failed == 7
    assert not load.clean


def test_an_unreadable_wrk_report_is_an_error_not_a_zero():
    with pytest.raises(ValueError, match="Could not read"):
        wrk.parse("wrk: connection refused\n")


def test_wrk_never_loads_another_host():
    with pytest.raises(ValueError, match=r"127\.0\.0\.1 only"):
        wrk.run("http://example.org/", seconds=1)


def test_only_this_sites_static_scripts_are_allowed():
    html = """<script src="/static/django_htmx/htmx-2.min.6b99da76b7f7.js" defer></script>
    <script>alert(1)</script><script src="https://cdn.example.org/htmx.min.js"></script>
    <script src="/static/js/app.js"></script><button onclick="go()">Go</button>"""

    assert pages.foreign_scripts(html) == [
        "inline",
        "https://cdn.example.org/htmx.min.js",
        "onclick= on <button>",
    ]


def test_a_static_file_passes_with_a_year_of_cache_and_compression():
    good = pages.StaticCheck("/static/a.css", "max-age=315360000, public, immutable", "gzip")
    short = pages.StaticCheck("/static/a.css", "max-age=60, public", "br")
    plain = pages.StaticCheck("/static/a.css", "max-age=315360000, public", "(none)")

    assert good.passed
    assert not short.passed
    assert not plain.passed


@pytest.mark.django_db
def test_a_tiny_dataset_gives_every_reader_a_status_on_every_entry_and_a_revision_per_note():
    from bench import dataset

    built = dataset.build(readers=3, only=None)

    counts = built["counts"]
    assert counts["readers"] == 3
    assert counts["statuses"] == 3 * counts["entries"]
    assert counts["ticks"] == 3 * dataset.TICKS_PER_READER
    assert counts["notes"] == counts["revisions"] == 3 * dataset.NOTES_PER_READER
    assert dataset.stored_fingerprint() == dataset.fingerprint(3, None)
    from progress.models import DashboardState

    assert DashboardState.objects.count() == 3


def test_past_10000_readers_only_every_tenth_keeps_notes_and_nothing_else_changes():
    from bench import dataset
    from bench.environment import DASHBOARD_READER

    catalogue = dataset.Catalogue(
        papers=[(1, "a"), (2, "b"), (3, "c")],
        advice=[(7, 1, "all", 3), (8, 2, "all", 3), (9, 3, "all", 2)],
        works={1: 1, 2: 2, 3: 3},
    )
    kept, dropped = dataset.Rows(), dataset.Rows()

    dataset.reader_rows(42, 1, catalogue, kept, notes=True)
    dataset.reader_rows(42, 1, catalogue, dropped, notes=False)

    assert (kept.states, kept.events, kept.ticks) == (dropped.states, dropped.events, dropped.ticks)
    assert kept.notes and not dropped.notes
    assert dataset.keeps_notes(DASHBOARD_READER, 100_000)
    assert not dataset.keeps_notes(DASHBOARD_READER + 1, 100_000)
    assert dataset.keeps_notes(DASHBOARD_READER + 1, 10_000)


@pytest.mark.django_db
def test_fresh_sessions_sign_each_reader_in_with_a_cookie_a_line(tmp_path):
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    from bench import dataset

    dataset.build(readers=3, only=None)
    out = tmp_path / "sessions.txt"

    made = dataset.sessions([1, 3], str(out))

    lines = out.read_text().splitlines()
    assert made["sessions"] == len(lines) == 2
    keys = [line.split(";")[0].split("=")[1] for line in lines]
    readers = {int(Session.objects.get(session_key=k).get_decoded()[SESSION_KEY]) for k in keys}
    names = set(
        dataset.get_user_model().objects.filter(pk__in=readers).values_list("username", flat=True)
    )
    assert names == {dataset.username(1), dataset.username(3)}
    assert all("csrftoken=" in line for line in lines)


@pytest.mark.django_db
def test_a_reader_rebuilt_alone_gets_exactly_the_same_rows():
    from bench import dataset
    from catalogue import fixture

    fixture.load_file(fixture.FIXTURE_PATH)
    catalogue = dataset.Catalogue.load()
    among_many, alone = dataset.Rows(), dataset.Rows()

    dataset.reader_rows(5000, 4999, catalogue, among_many)
    dataset.reader_rows(5000, 1, catalogue, alone)

    def shape(rows):
        return (
            [(s.paper_id, s.status, s.started_at, s.finished_at) for s in rows.states],
            [(t.advice_id, t.done_at) for t in rows.ticks],
            [(n.paper_id, n.text) for n in rows.notes],
        )

    assert shape(among_many) == shape(alone)
    assert 800 < len(alone.notes[0].text.encode()) < 1400


# --- The command line: one way in --------------------------------------------------------------


def test_python_m_bench_lists_every_subcommand():
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--help"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    listed = re.findall(r"^    ([\w-]+)\s", result.stdout, re.MULTILINE)
    assert listed == SUBCOMMANDS


@pytest.mark.parametrize(
    "argv",
    [
        *([name] for name in SUBCOMMANDS),
        *(["dataset", name] for name in ("status", "build", "session", "sessions", "restore")),
    ],
    ids=" ".join,
)
def test_every_subcommand_explains_itself(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])

    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: python -m bench {' '.join(argv)}")


def test_no_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main([])

    assert exit_.value.code == 2
    assert "SUBCOMMAND" in capsys.readouterr().err


def test_run_keeps_its_options():
    options = parser().parse_args(["run", "--rebuild", "--only", "sqlite", "--seconds", "1"])

    assert (options.rebuild, options.only, options.seconds, options.warmup) == (
        True,
        "sqlite",
        1,
        15,
    )


def test_no_other_way_in():
    """No module runs as a script or edits sys.path: `python -m bench` is the only entry."""
    for module in sorted(BASE_DIR.glob("bench/*.py")):
        if module.name in ("__main__.py", "test_bench.py"):
            continue
        text = module.read_text()
        assert "if __name__" not in text, module.name
        assert "sys.path" not in text, module.name
        assert "argparse.ArgumentParser" not in text, module.name


# --- The targets: one place ---------------------------------------------------------------------


def docs_targets_table() -> str:
    text = PERFORMANCE_MD.read_text()
    found = re.search(r"<!-- bench targets:[^>]*-->\n(.*?)<!-- /bench targets -->", text, re.DOTALL)
    assert found, "docs/performance.md lost its <!-- bench targets --> markers"
    return found[1]


def test_the_targets_table_in_the_docs_is_bench_targets():
    assert docs_targets_table() == targets.markdown(), (
        "docs/performance.md's targets table differs from bench/targets.py: paste the output of "
        "`python -m bench targets` between its <!-- bench targets --> markers"
    )


def test_python_m_bench_targets_prints_the_table(capsys):
    assert main(["targets"]) == 0

    assert capsys.readouterr().out == targets.markdown()


def test_every_target_is_well_formed_and_named_once():
    keys = [target.key for target in targets.TARGETS]
    statements = [target.statement for target in targets.TARGETS]

    assert len(set(keys)) == len(keys)
    assert len(set(statements)) == len(statements)
    for target in targets.TARGETS:
        assert target.comparison in targets.COMPARISONS, target.key
        assert target.command in SUBCOMMANDS, target.key


def test_the_results_table_in_the_docs_names_only_targets_of_bench_targets():
    text = PERFORMANCE_MD.read_text()
    table = re.search(r"\| target \| SQLite \| PostgreSQL \|\n\| --- .*?\n((?:\|.*\n)+)", text)
    assert table
    names = {target.measured for target in targets.TARGETS}
    names |= {f"{t.measured} ({variant})" for t in targets.TARGETS for variant in t.variants}
    for line in table[1].splitlines():
        assert line.split("|")[1].strip() in names, line


def test_a_comparison_is_judged_as_stated():
    assert targets.RETURNING_SHARE.met(0.2)
    assert not targets.RETURNING_SHARE.met(0.199)
    assert not targets.RETURNING_P99.met(100)
    assert targets.CROWD_OVER_ALONE.met(1.25)
    assert targets.DASHBOARD_NODES.met(800)
    assert not targets.DASHBOARD_NODES.met(801)
    assert targets.FOREIGN_SCRIPTS.met(0)
    assert not targets.FOREIGN_SCRIPTS.met(1)
    assert targets.PUBLIC_SHARE.limit == "≥ 0.5x"
    assert targets.FIRST_DASHBOARD_SHARE.limit == "≥ 0.04x"
    assert targets.DASHBOARD_RAW.limit == "≤ 45 KB"
    assert targets.CROWD_OVER_ALONE.limit == "≤ 1.25x"


def test_a_page_counts_its_elements_as_a_browser_does():
    html = "<!doctype html><html><head><meta charset=utf-8><title>t</title></head>"
    html += "<body><p>One<br>two <img src=a.png alt=''/></p><!-- <div> --></body></html>"

    assert pages.elements(html) == 8  # html head meta title body p br img


# Lighthouse 12.2.3's `--output=json` report, cut down by hand to what the bench reads (a real
# one from `python -m bench lighthouse` is in bench/out/lighthouse-dashboard.json).
LIGHTHOUSE_REPORT = """{
  "lighthouseVersion": "12.2.3",
  "requestedUrl": "http://127.0.0.1:38129/",
  "mainDocumentUrl": "http://127.0.0.1:38129/",
  "finalDisplayedUrl": "http://127.0.0.1:38129/",
  "runWarnings": [],
  "categories": {"performance": {"id": "performance", "title": "Performance", "score": 0.98}},
  "audits": {
    "first-contentful-paint": {"score": 0.99, "numericValue": 1095.18925,
                               "numericUnit": "millisecond", "displayValue": "1.1 s"},
    "largest-contentful-paint": {"score": 0.99, "numericValue": 1732.3785,
                                 "numericUnit": "millisecond", "displayValue": "1.7 s"},
    "total-blocking-time": {"score": 0.94, "numericValue": 158, "numericUnit": "millisecond"},
    "cumulative-layout-shift": {"score": 1, "numericValue": 0, "numericUnit": "unitless"},
    "dom-size": {"score": 1, "numericValue": 781, "numericUnit": "element"},
    "network-requests": {"details": {"type": "table", "items": [
      {"url": "http://127.0.0.1:38129/", "statusCode": 200, "resourceType": "Document"},
      {"url": "http://127.0.0.1:38129/static/css/mireads.8845c6a6a575.css", "statusCode": 200},
      {"url": "http://127.0.0.1:38129/static/js/dashboard.c0b95a2a0565.js", "statusCode": 200},
      {"url": "data:image/svg+xml,%3Csvg%3E", "statusCode": 200}
    ]}}
  }
}"""


def lighthouse_report(**changes) -> dict:
    report = json.loads(LIGHTHOUSE_REPORT)
    report.update(changes)
    return report


def test_lighthouses_report_gives_the_score_paint_times_blocking_time_shift_and_dom_size():
    found = lighthouse.parse(lighthouse_report())

    assert found.score == 0.98
    assert (found.fcp, found.lcp, found.tbt, found.cls) == pytest.approx(
        (1095.2, 1732.4, 158, 0), abs=0.05
    )
    assert found.dom_size == 781
    assert (found.version, found.url) == ("12.2.3", "http://127.0.0.1:38129/")
    assert found.other_hosts == []  # data: URLs are not another host
    assert found.shown == (
        "performance 0.98; FCP 1.1 s, LCP 1.7 s, TBT 158 ms, CLS 0.000; DOM 781 elements; "
        "requests to other hosts: none"
    )


def test_a_lighthouse_report_without_a_score_is_an_error_not_a_zero():
    report = lighthouse_report(runtimeError={"code": "NO_FCP", "message": "No content painted"})
    report["categories"]["performance"]["score"] = None

    with pytest.raises(ValueError, match="NO_FCP: No content painted"):
        lighthouse.parse(report)


def test_a_dashboard_that_loads_from_another_host_fails_the_lighthouse_target():
    from bench import run

    report = lighthouse_report()
    items = report["audits"]["network-requests"]["details"]["items"]
    items.append({"url": "https://fonts.example.org/font.woff2", "statusCode": 200})

    found = lighthouse.parse(report)
    statement, passed, shown = run.audit_check(lighthouse.Outcome(audit=found))

    assert found.other_hosts == ["https://fonts.example.org/font.woff2"]
    assert statement == "Lighthouse performance on the dashboard ≥ 0.95"
    assert passed is False
    assert "fonts.example.org" in shown


def test_lighthouse_is_judged_on_its_score_against_the_target():
    from bench import run

    slow = lighthouse.parse(lighthouse_report())
    slow = lighthouse.Audit(**{**slow.__dict__, "score": 0.94})

    assert run.audit_check(lighthouse.Outcome(audit=slow))[1:] == (
        False,
        "0.94 (LCP 1.7 s, TBT 158 ms)",
    )
    assert targets.LIGHTHOUSE_PERFORMANCE.met(0.95)


def test_lighthouse_runs_the_mobile_preset_signed_in_with_chromium_headless(monkeypatch, tmp_path):
    """No node, no browser, no network: the Lighthouse process is replaced by one that writes
    the fixture where it was told to."""
    ran = {}

    def fake_run(command, **options):
        ran["command"], ran["env"] = command, options["env"]
        out = next(arg for arg in command if arg.startswith("--output-path="))
        Path(out.split("=", 1)[1]).write_text(LIGHTHOUSE_REPORT.replace("38129", "8000"))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(lighthouse, "chromium", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(lighthouse, "ensure_installed", lambda: Path("/x/lighthouse/cli/index.js"))
    monkeypatch.setattr(lighthouse.subprocess, "run", fake_run)

    outcome = lighthouse.audit(
        "http://127.0.0.1:8000/", "sessionid=abc; csrftoken=def", tmp_path / "r.json"
    )

    assert outcome.audit and outcome.audit.score == 0.98
    assert ran["env"]["CHROME_PATH"] == "/usr/bin/chromium"
    assert "--chrome-flags=--headless=new --no-sandbox" in ran["command"]
    assert "--only-categories=performance" in ran["command"]
    assert not any(arg.startswith("--preset") for arg in ran["command"])  # mobile: the default
    headers = next(arg for arg in ran["command"] if arg.startswith("--extra-headers="))
    assert json.loads(headers.split("=", 1)[1]) == {"Cookie": "sessionid=abc; csrftoken=def"}


def test_a_lighthouse_that_ends_signed_out_elsewhere_is_not_measured(monkeypatch, tmp_path):
    def fake_run(command, **options):
        out = next(arg for arg in command if arg.startswith("--output-path="))
        report = lighthouse_report(finalDisplayedUrl="http://127.0.0.1:8000/accounts/login/")
        Path(out.split("=", 1)[1]).write_text(json.dumps(report))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(lighthouse, "chromium", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(lighthouse, "ensure_installed", lambda: Path("/x/cli/index.js"))
    monkeypatch.setattr(lighthouse.subprocess, "run", fake_run)

    outcome = lighthouse.audit("http://127.0.0.1:8000/", "sessionid=abc", tmp_path / "r.json")

    assert outcome.audit is None
    assert "accounts/login" in outcome.reason


def test_without_node_lighthouse_is_not_measured_and_says_how_to_install(monkeypatch):
    from bench import run

    monkeypatch.setenv("CHROME_PATH", sys.executable)  # a browser "found", whatever the machine
    monkeypatch.setattr(lighthouse.shutil, "which", lambda name: None)

    outcome = lighthouse.audit("http://127.0.0.1:8000/", "sessionid=abc")
    _, passed, shown = run.audit_check(outcome)

    assert outcome.audit is None
    assert outcome.reason == "node not found: apt-get install nodejs npm"
    assert (passed, shown) == (None, "not measured: node not found: apt-get install nodejs npm")
    assert run.audit_line(outcome).endswith(
        "not measured: node not found: apt-get install nodejs npm"
    )


def test_without_chromium_lighthouse_is_not_measured(monkeypatch):
    monkeypatch.setenv("CHROME_PATH", "/nonexistent/chromium")

    outcome = lighthouse.audit("http://127.0.0.1:8000/", "sessionid=abc")

    assert outcome.reason == "Chromium not found at /nonexistent/chromium: apt-get install chromium"


def test_a_failed_lighthouse_install_is_not_measured_and_names_the_command(monkeypatch, tmp_path):
    def no_registry(command, **options):
        assert command[:2] == ["npm", "install"] and "lighthouse@12.2.3" in command
        stderr = (
            "npm error code ENOTFOUND\nnpm error A complete log of this run can be found in: x\n"
        )
        raise subprocess.CalledProcessError(1, command, "", stderr)

    monkeypatch.setattr(lighthouse.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(lighthouse.subprocess, "run", no_registry)

    with pytest.raises(lighthouse.NotMeasured) as why:
        lighthouse.ensure_installed(tmp_path)

    assert str(why.value) == (
        "`npm install --prefix bench/out/lighthouse --no-audit --no-fund --save-exact "
        "lighthouse@12.2.3` failed (npm error code ENOTFOUND)"
    )


def test_lighthouse_installed_at_another_version_is_installed_again(monkeypatch, tmp_path):
    package = tmp_path / "node_modules" / "lighthouse"
    (package / "cli").mkdir(parents=True)
    (package / "cli" / "index.js").write_text("")
    (package / "package.json").write_text('{"version": "12.0.0"}')
    installs = []

    def npm(command, **options):
        installs.append(command)
        (package / "package.json").write_text('{"version": "12.2.3"}')
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(lighthouse.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(lighthouse.subprocess, "run", npm)

    assert lighthouse.ensure_installed(tmp_path) == package / "cli" / "index.js"
    assert lighthouse.ensure_installed(tmp_path) == package / "cli" / "index.js"
    assert len(installs) == 1  # the second time it was there


def test_lighthouse_never_audits_another_host():
    with pytest.raises(ValueError, match=r"127\.0\.0\.1 only"):
        lighthouse.audit("http://example.org/", "sessionid=abc")


def test_the_lighthouse_install_stays_out_of_git():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "bench/out/lighthouse/package-lock.json"], cwd=BASE_DIR
    )
    assert ignored.returncode == 0


def measurement(dashboard_rps: float, dashboard_p99: float):
    from bench import run
    from bench.environment import sqlite_database

    def load(rps: float, p50: float = 10.0, p99: float = 20.0) -> wrk.Load:
        return wrk.Load(requests_per_second=rps, p50=p50, p99=p99, requests=1000, failed=0)

    result = run.Measurement(sqlite_database(), seconds=10)
    result.rows = [
        run.Row("/healthz", load(1000)),
        *(run.Row(label, load(600)) for label, _ in run.PUBLIC_ROWS.values()),
        run.Row(run.DASHBOARD, load(dashboard_rps, p99=dashboard_p99)),
        run.Row(run.FIRST_DASHBOARD, load(dashboard_rps / 8, p99=dashboard_p99 * 2)),
        run.Row(run.STATUS_CHANGE, load(60)),
        run.Row(run.TICK, load(40)),
        run.Row(run.CROWD, load(200, p50=11.0)),
        run.Row(run.ALONE, load(200, p50=10.0)),
    ]
    result.peaks = {1: 90.0, 2: 95.0}
    result.sizes = {run.DASHBOARD: pages.Size(raw=40 * 1024, gzipped=10 * 1024, elements=700)}
    result.foreign_scripts = {"/": [], run.DASHBOARD: []}
    year = "max-age=315360000, public, immutable"
    result.static = [pages.StaticCheck("/static/a.css", year, "gzip")]
    result.dashboard_audit = lighthouse.Outcome(audit=lighthouse.parse(lighthouse_report()))
    return run, result


def test_run_judges_every_target_it_measures_from_bench_targets():
    run, result = measurement(dashboard_rps=250, dashboard_p99=90)

    checks = {statement: passed for statement, passed, _ in run.targets(result)}

    expected = set()
    for target in targets.TARGETS:
        if target.command == "run":
            variants = target.variants or ("",)
            expected |= {f"{target.statement} ({v})" if v else target.statement for v in variants}
    assert set(checks) == expected | {run.REVALIDATION}
    assert checks[targets.RETURNING_SHARE.statement] is True  # 0.25 of /healthz
    assert checks[targets.FIRST_DASHBOARD_SHARE.statement] is False  # 0.03
    assert checks[f"{targets.WRITE_SHARE.statement} (status change)"] is True  # 0.06
    assert checks[f"{targets.WRITE_SHARE.statement} (tick)"] is False  # 0.04
    assert checks[run.REVALIDATION] is None  # no page sent an ETag
    judged = {targets.FIRST_DASHBOARD_SHARE.statement, f"{targets.WRITE_SHARE.statement} (tick)"}
    others = {s: p for s, p in checks.items() if s not in judged | {run.REVALIDATION}}
    assert all(others.values()), others


def test_a_public_page_passes_revalidation_only_by_answering_its_etag_with_304():
    from bench import run

    fresh = pages.Revalidation('"v1"', 304)
    resent = pages.Revalidation('"v1"', 200)
    none = pages.Revalidation("")

    assert run.revalidation({"landing": fresh, "/papers/": fresh})[1] is True
    assert run.revalidation({"landing": fresh, "/papers/": resent})[1] is False
    assert run.revalidation({"landing": fresh, "/changes/": none})[1] is False
    assert run.revalidation({"landing": none})[1] is None


def test_run_reports_a_target_it_could_not_measure_as_such():
    run, result = measurement(dashboard_rps=250, dashboard_p99=90)
    result.rows = [row for row in result.rows if row.label not in (run.DASHBOARD, run.CROWD)]
    result.sizes = {}
    result.dashboard_audit = lighthouse.Outcome(reason="npm not found: apt-get install nodejs npm")

    checks = {statement: (passed, shown) for statement, passed, shown in run.targets(result)}

    assert checks[targets.RETURNING_P99.statement] == (None, run.NOT_AVAILABLE)
    assert checks[targets.CROWD_OVER_ALONE.statement] == (None, run.NOT_AVAILABLE)
    assert checks[targets.DASHBOARD_RAW.statement] == (None, run.NOT_AVAILABLE)
    assert checks[targets.LIGHTHOUSE_PERFORMANCE.statement] == (
        None,
        "not measured: npm not found: apt-get install nodejs npm",
    )


def test_a_second_run_in_the_same_tree_is_refused_while_one_measures(tmp_path):
    from bench import run

    lock = tmp_path / "run.lock"
    refused = pytest.raises(RuntimeError, match="another `python -m bench run`")
    with run.exclusive(lock), refused:
        run.exclusive(lock)
    with run.exclusive(lock):  # released when the first run ended
        pass


@pytest.mark.django_db
def test_the_bench_loads_three_curricula_and_readers_rows_stay_on_the_default_one():
    from bench import curricula, dataset
    from catalogue import fixture
    from catalogue.models import Curriculum, Paper

    fixture.load_file(fixture.FIXTURE_PATH)
    curricula.load()
    catalogue = dataset.Catalogue.load()

    published = Curriculum.objects.published()
    assert sorted(published.values_list("ordering", flat=True)) == ["stages", "tiers", "topics"]
    assert len(catalogue.papers) == Paper.objects.of().current().count()
    assert Paper.objects.count() == 3 * Paper.objects.of().count()
