"""The bench's one way in: `python -m bench SUBCOMMAND` from the project root (`make bench` is
`python -m bench run $(BENCH_ARGS)`). Each subcommand imports what it needs only when it runs, so
`--help` sets nothing up.
"""

import argparse
import json
import subprocess
import sys

from bench.environment import DASHBOARD_READER, READERS, sqlite_database

DESCRIPTION = "Measure mireads: load, datasets, profiles, export and import, and the targets."


def run(args: argparse.Namespace) -> int:
    from bench import run as bench

    return bench.run(args)


def dataset(args: argparse.Namespace) -> int:
    from bench import dataset as data  # sets Django up: only inside a database's environment

    print(json.dumps(data.command(args)))
    return 0


def profile(args: argparse.Namespace) -> int:
    from bench.profile_page import profile as page

    page(args)
    return 0


def portability(args: argparse.Namespace) -> int:
    from bench.portability import measure

    measure()
    return 0


def group_page(args: argparse.Namespace) -> int:
    from bench.group_page import report

    report()
    return 0


def lighthouse(args: argparse.Namespace) -> int:
    from bench import run as bench

    return bench.audit_only(args)


def targets(args: argparse.Namespace) -> int:
    from bench.targets import markdown

    print(markdown(), end="")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m bench", description=DESCRIPTION)
    commands = main.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

    measure = commands.add_parser(
        "run",
        help="mireads under wrk on SQLite (and PostgreSQL): the table and PASS/FAIL (make bench)",
        description="Serve mireads as production does against synthetic readers (10,000 on "
        "SQLite, 100,000 on PostgreSQL), load it with wrk, run Lighthouse on the dashboard "
        "(SQLite), print one table per database and PASS/FAIL against bench/targets.py. "
        "PostgreSQL too when DATABASE_URL names one. Exits 0 whether targets pass or not.",
    )
    measure.add_argument("--rebuild", action="store_true", help="rebuild the cached datasets")
    measure.add_argument("--only", choices=["sqlite", "postgres"], help="measure one database")
    measure.add_argument("--seconds", type=float, default=10, help="wrk duration per URL")
    measure.add_argument(
        "--warmup", type=float, default=15, help="seconds of load before measuring"
    )
    measure.set_defaults(handler=run)

    data = commands.add_parser(
        "dataset",
        help="build or check the synthetic dataset, make a session, restore a reader (JSON)",
        description="Run inside one database's environment (DATABASE_URL, production settings), "
        "as `run` does; every command prints one JSON line.",
    )
    data_commands = data.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in (
        ("status", "whether the database holds the current dataset (migrates it first)"),
        ("build", "fill an empty database with the dataset, unless it is current"),
    ):
        command = data_commands.add_parser(name, help=text, description=text)
        command.add_argument("--readers", type=int, default=READERS, help="default %(default)s")
        command.add_argument("--only", type=int, help="keep just this reader of the readers")
    for name, text in (
        ("session", "a signed-in session cookie and CSRF token for one reader"),
        ("restore", "put back one reader's generated statuses, events and ticks"),
    ):
        command = data_commands.add_parser(name, help=text, description=text)
        command.add_argument("--reader", type=int, required=True)
    text = "fresh signed-in sessions for readers FIRST.., one Cookie header a line in OUT"
    command = data_commands.add_parser("sessions", help=text, description=text)
    command.add_argument("--first", type=int, required=True)
    command.add_argument("--count", type=int, required=True)
    command.add_argument("--out", required=True)
    data.set_defaults(handler=dataset)

    page = commands.add_parser(
        "profile",
        help="profile one page in-process against the bench dataset (after a run)",
        description="Where one page's time goes: the median of --requests requests, every query "
        "of one, what each dashboard partial costs, and a cProfile listing.",
    )
    page.add_argument("--path", default="/")
    page.add_argument("--reader", type=int, default=DASHBOARD_READER, help="0: signed out")
    page.add_argument("--requests", type=int, default=20)
    page.add_argument("--database-url", default=sqlite_database().full_url)
    page.add_argument("--top", type=int, default=25, help="cProfile lines shown")
    page.add_argument(
        "--cold",
        nargs="?",
        const="all",
        choices=["all", "list"],
        help="empty the dashboard's caches before each request: all of them, or the list's",
    )
    page.add_argument(
        "--post",
        action="append",
        metavar="BODY",
        help="POST this form body instead (repeat to cycle), with HX-Request and the CSRF token",
    )
    page.add_argument(
        "--explain", action="store_true", help="show the plan of every SELECT of one request"
    )
    page.set_defaults(handler=profile)

    commands.add_parser(
        "portability",
        help="how long export and import take for a reader who used every entry",
        description="Export and import timed in-process on a throwaway SQLite database under "
        "/tmp, with PASS/FAIL against bench/targets.py.",
    ).set_defaults(handler=portability)

    commands.add_parser(
        "group-page",
        help="how long a group page takes with 20 members sharing 100 KB adversarial notes",
        description="The group page timed in-process on a throwaway SQLite database under /tmp, "
        "with PASS/FAIL against bench/targets.py.",
    ).set_defaults(handler=group_page)

    audit = commands.add_parser(
        "lighthouse",
        help="Lighthouse's performance audit of the dashboard alone (part of run)",
        description="Serve the SQLite bench dataset as `run` does and run Lighthouse (installed "
        "with npm into bench/out/lighthouse/ on first use) on reader 5,000's dashboard, with "
        "PASS/FAIL against bench/targets.py. Exits 1 when it could not measure.",
    )
    audit.add_argument("--rebuild", action="store_true", help="rebuild the cached dataset")
    audit.set_defaults(handler=lighthouse)

    commands.add_parser(
        "targets",
        help="print the targets of bench/targets.py as docs/performance.md's table",
        description="The targets, as the Markdown table docs/performance.md holds.",
    ).set_defaults(handler=targets)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except subprocess.CalledProcessError as error:
        sys.stderr.write(f"bench: {' '.join(map(str, error.cmd))} failed:\n{error.stderr or ''}")
        return 1
    except RuntimeError as error:
        sys.stderr.write(f"bench: {error}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
