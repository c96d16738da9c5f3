"""Profile one page in-process, in production settings, against the bench dataset.

    .venv/bin/python -m bench profile [--path /] [--reader 5000] [--requests 20]
        [--database-url sqlite:////abs/bench/out/bench.sqlite3] [--cold [all|list]]

Prints where the time goes (cProfile, by cumulative time) and every SQL query of one
request with its duration. Needs `make bench` to have built the dataset and collected static files.

--post BODY (repeatable) sends POSTs instead, as htmx does (HX-Request, X-CSRFToken), cycling
through the bodies so that each request changes something: e.g. `--reader 5001 --path
/entries/solu/status/ --post status=read --post status=reading`. --explain shows the plan of every
SELECT of one request: `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL, `EXPLAIN QUERY PLAN` on SQLite,
and flags a sequential scan of a reader table.

By default every request after the first finds the reader's whole dashboard in the page cache, as
a reader reloading an unchanged page does. --cold empties every cache before each request (the
page rendered in full, every entry too); --cold list empties the page's and the list region's:
the entries come from the cache, rendered for earlier readers, and the list around them is
rendered, as on the first visit after signing in.
"""

import argparse
import cProfile
import gc
import io
import os
import pstats
import re
import statistics
import time
from collections.abc import Callable
from wsgiref.util import setup_testing_defaults

from bench.environment import BASE_DIR, new_secret_key, production_env

# Where a page's time can go: the app, the ORM, templates, URL reversing, sessions and auth.
INTERESTING = re.compile(
    r"/(progress|catalogue|groups|accounts)/|django/(db/models/query|db/backends/utils|template/|urls/base"
    r"|contrib/sessions|contrib/auth/__init__)"
)


def profile(args: argparse.Namespace) -> None:
    """`python -m bench profile` (its options are in bench/__main__.py)."""
    os.environ.update(production_env(args.database_url, new_secret_key()))

    import django

    django.setup()
    from django.core.cache import caches
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from bench.dataset import session

    # The WSGI handler as gunicorn calls it, not django.test.Client, which adds work a server
    # does not do. Like a server, the handler closes the database connection after each request
    # unless CONN_MAX_AGE says otherwise, and a fresh SQLite connection starts cold.
    application = WSGIHandler()
    signed_in = session(args.reader) if args.reader else {}
    cookie = signed_in.get("cookie", "")
    path, _, query = args.path.partition("?")
    bodies = [body.encode() for body in args.post or []]
    sent = [0]

    cold = {
        "all": ["default", "dashboard-regions", "pages"],
        "list": ["dashboard-regions", "pages"],
    }
    emptied = [caches[name] for name in cold.get(args.cold, [])]

    def get() -> bytes:
        for cache in emptied:
            cache.clear()
        environ = {"PATH_INFO": path, "QUERY_STRING": query, "HTTP_COOKIE": cookie}
        environ.update(HTTP_HOST="127.0.0.1", SERVER_NAME="127.0.0.1", REMOTE_ADDR="127.0.0.1")
        if bodies:
            body = bodies[sent[0] % len(bodies)]
            sent[0] += 1
            environ.update(
                REQUEST_METHOD="POST",
                CONTENT_TYPE="application/x-www-form-urlencoded",
                CONTENT_LENGTH=str(len(body)),
                HTTP_X_CSRFTOKEN=signed_in.get("csrf", ""),
                HTTP_HX_REQUEST="true",
            )
            environ["wsgi.input"] = io.BytesIO(body)
        setup_testing_defaults(environ)
        answered = []
        body = b"".join(application(environ, lambda status, headers: answered.append(status)))
        if not answered[0].startswith("200"):
            raise SystemExit(f"{environ['REQUEST_METHOD']} {args.path} answered {answered[0]}")
        return body

    queries = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql, params))

    get()  # the first request compiles templates and fills caches: not what is measured
    state = {None: "warm caches", "all": "caches emptied", "list": "list region's cache emptied"}
    median = statistics.median(timings(get, args.requests))
    method = "POST" if bodies else "GET"
    print(f"{method} {args.path} ({state[args.cold]}): {median:.1f} ms, median of {args.requests}")
    with connection.execute_wrapper(timed):
        get()
    print(f"{len(queries)} queries in one request:")
    for number, (seconds, sql, _) in enumerate(queries, 1):
        print(f"  {number:>2}. {seconds * 1000:7.1f} ms  {sql[:150]}")
    if args.explain:
        explain(connection, queries)

    if not bodies:
        template_costs(get, args.requests)

    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(args.requests):
        get()
    profile.disable()
    mean = (time.perf_counter() - started) / args.requests
    print(f"\ncProfile over {args.requests} requests ({mean * 1000:.1f} ms each under profiling)")
    print("  cumulative ms per request, calls per request, function (app, ORM, template, urls)")
    stats = pstats.Stats(profile).stats
    ranked = sorted(stats.items(), key=lambda item: -item[1][3])
    shown = 0
    for (filename, line, function), (_, calls, _, cumulative, _) in ranked:
        if not INTERESTING.search(filename) or shown >= args.top:
            continue
        shown += 1
        where = filename.split("site-packages/")[-1].replace(str(BASE_DIR) + "/", "")
        print(
            f"  {cumulative / args.requests * 1000:7.2f} ms {calls / args.requests:7.0f}x  "
            f"{where}:{line} {function}"
        )


# The tables that hold one row per reader and something: each reader query must use an index.
READER_TABLES = re.compile(
    r"(progress_\w+|plans_\w+|groups_\w+|accounts_\w+|auth_user|django_session)"
)


def explain(connection, queries: list) -> None:
    """The plan of every SELECT of the request, run again with its parameters."""
    postgres = connection.vendor == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    print("\nQuery plans (every SELECT of the request, run again):")
    for number, (_, sql, params) in enumerate(queries, 1):
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            rows = cursor.fetchall()
        lines = [row[0] for row in rows] if postgres else [row[-1] for row in rows]
        print(f"  {number:>2}. {sql[:110]}")
        for line in lines:
            scan = re.search(r"(Seq Scan on|SCAN) (\w+)", line)
            flag = (
                "   <-- a sequential scan of a reader table"
                if scan and READER_TABLES.fullmatch(scan[2]) and "USING" not in line
                else ""
            )
            print(f"        {line}{flag}")


def timings(get: Callable, requests: int) -> list[float]:
    """Milliseconds per request, with garbage collected before each and outside the timing, so
    that a collection never lands on one request (or one variant) rather than another."""
    spent = []
    for _ in range(requests):
        gc.collect()
        started = time.perf_counter()
        get()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def template_costs(get: Callable, requests: int) -> None:
    """What each dashboard partial, and all {% url %} tags, add to a request.

    Measured by subtraction, since timing each call costs more than the calls: the request with
    one partial rendering nothing (or every {% url %} answering a constant) against the request
    as it is, in interleaved rounds; the median request of each. A partial's cost includes the
    partials nested in it. With warm caches a cached partial is not rendered at all, so it costs
    nothing here.
    """
    from django.template import defaulttags

    partial_render, url_render = defaulttags.PartialNode.render, defaulttags.URLNode.render

    def without_partial(name: str) -> Callable:
        def render(node, context):
            return "" if node.partial_name == name else partial_render(node, context)

        return render

    def constant_url(node, context):
        if node.asvar:
            context[node.asvar] = "/"
            return ""
        return "/"

    variants = {"as it is": {}}
    for name in ("entry-body", "head", "checklist"):
        variants[f"{{% partial {name} %}}"] = {"PartialNode": without_partial(name)}
    variants["every {% url %}"] = {"URLNode": constant_url}
    rounds = 5
    times: dict[str, list[float]] = {label: [] for label in variants}
    try:
        for _ in range(rounds):
            for label, patches in variants.items():
                defaulttags.PartialNode.render = patches.get("PartialNode", partial_render)
                defaulttags.URLNode.render = patches.get("URLNode", url_render)
                times[label] += timings(get, max(1, requests // rounds))
    finally:
        defaulttags.PartialNode.render, defaulttags.URLNode.render = partial_render, url_render
    medians = {label: statistics.median(values) for label, values in times.items()}
    whole = medians.pop("as it is")
    print(f"\nWhat parts of the template cost ({whole:.1f} ms per request as it is)")
    for label, without in sorted(medians.items(), key=lambda item: item[1]):
        print(f"  {whole - without:6.1f} ms  {label}")
