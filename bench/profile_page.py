"""Profile one page in-process, in production settings, against the bench dataset.

    .venv/bin/python -m bench.profile_page [--path /] [--reader 5000] [--requests 20]
        [--database-url sqlite:////abs/bench/out/bench.sqlite3]

Prints where the time goes (cProfile, by cumulative and by own time) and every SQL query of one
request with its duration. Needs `make bench` to have built the dataset and collected static files.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time

from bench.environment import DASHBOARD_READER, new_secret_key, production_env, sqlite_database


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

    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(args.requests):
        get()
    profile.disable()
    mean = (time.perf_counter() - started) / args.requests
    print(f"\ncProfile over {args.requests} requests ({mean * 1000:.1f} ms each under profiling)")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        print(out.getvalue().split("\n", 4)[-1].rstrip())


if __name__ == "__main__":
    main(sys.argv[1:])
