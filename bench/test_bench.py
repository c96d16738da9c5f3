"""The bench's own logic: reading wrk, judging pages, and building the dataset at a tiny size.

Part of `make test` (bench/ is in pytest's testpaths); alone: `.venv/bin/pytest -q bench/`.
"""

import pytest

from bench import pages, wrk

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


def test_htmx_from_this_site_is_the_only_script_allowed():
    html = """<script src="/static/django_htmx/htmx-2.min.6b99da76b7f7.js" defer></script>
    <script>alert(1)</script><script src="https://cdn.example.org/htmx.min.js"></script>
    <script src="/static/js/app.js"></script><button onclick="go()">Go</button>"""

    assert pages.foreign_scripts(html) == [
        "inline",
        "https://cdn.example.org/htmx.min.js",
        "/static/js/app.js",
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
