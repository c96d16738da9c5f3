"""Profile one page in-process, in production settings, against the bench dataset.

    .venv/bin/python -m bench.profile_page [--path /] [--reader 5000] [--requests 20]
        [--database-url sqlite:////abs/bench/out/bench.sqlite3]

Prints where the time goes (cProfile, by cumulative and by own time) and every SQL query of one
request with its duration. Needs `make bench` to have built the dataset and collected static files.
"""

import argparse
import cProfile
import gc
import os
import pstats
import re
import sys
import time
from collections.abc import Callable

from bench.environment import (
    BASE_DIR,
    DASHBOARD_READER,
    new_secret_key,
    production_env,
    sqlite_database,
)

# Where a page's time can go: the app, the ORM, templates, URL reversing, sessions and auth.
INTERESTING = re.compile(
    r"/(progress|catalogue)/|django/(db/models/query|db/backends/utils|template/|urls/base"
    r"|contrib/sessions|contrib/auth/__init__)"
)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_page")
    parser.add_argument("--path", default="/")
    parser.add_argument("--reader", type=int, default=DASHBOARD_READER, help="0: signed out")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url", default=sqlite_database().full_url)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    os.environ.update(production_env(args.database_url, new_secret_key()))

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import close_old_connections, connection
    from django.test import Client

    from bench.dataset import username

    client = Client(SERVER_NAME="127.0.0.1")
    if args.reader:
        client.force_login(get_user_model().objects.get(username=username(args.reader)))

    def get():
        response = client.get(args.path)
        if response.status_code != 200:
            raise SystemExit(f"GET {args.path} answered {response.status_code}")
        # The test client keeps the connection open; a server closes it after each request
        # unless CONN_MAX_AGE says otherwise, and a fresh SQLite connection starts cold.
        close_old_connections()
        return response

    queries = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql))

    get()  # the first request compiles templates and fills caches: not what is measured
    with connection.execute_wrapper(timed):
        started = time.perf_counter()
        get()
        elapsed = time.perf_counter() - started
    print(f"GET {args.path}: {elapsed * 1000:.1f} ms, {len(queries)} queries")
    for number, (seconds, sql) in enumerate(queries, 1):
        print(f"  {number:>2}. {seconds * 1000:7.1f} ms  {sql[:150]}")

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


def template_costs(get: Callable, requests: int) -> None:
    """What each dashboard partial, and all {% url %} tags, add to a request.

    Measured by subtraction, since timing each call costs more than the calls: the request with
    one partial rendering nothing (or every {% url %} answering a constant) against the request
    as it is, in interleaved rounds; the fastest round of each, since other processes on the CPUs
    only ever add time. A partial's cost includes the partials nested in it.
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
    means: dict[str, list[float]] = {label: [] for label in variants}
    try:
        for _ in range(rounds):
            for label, patches in variants.items():
                defaulttags.PartialNode.render = patches.get("PartialNode", partial_render)
                defaulttags.URLNode.render = patches.get("URLNode", url_render)
                # As timeit does: a collection would land on the same variant every round.
                gc.collect()
                gc.disable()
                started = time.perf_counter()
                for _ in range(max(1, requests // rounds)):
                    get()
                means[label].append((time.perf_counter() - started) / max(1, requests // rounds))
                gc.enable()
    finally:
        gc.enable()
        defaulttags.PartialNode.render, defaulttags.URLNode.render = partial_render, url_render
    fastest = {label: min(values) * 1000 for label, values in means.items()}
    whole = fastest.pop("as it is")
    print(f"\nWhat parts of the template cost ({whole:.1f} ms per request as it is)")
    for label, without in sorted(fastest.items(), key=lambda item: item[1]):
        print(f"  {whole - without:6.1f} ms  {label}")


if __name__ == "__main__":
    main(sys.argv[1:])
