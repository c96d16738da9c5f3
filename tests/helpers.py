"""Constants and small helpers the whole suite shares."""

from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# What htmx sends with every request it makes.
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}

# Text a hostile reader or curator might store, each trying to run, load or submit something.
HOSTILE_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<div hx-get="/account/delete/" hx-trigger="load">boom</div>',
    '<a href="javascript:alert(1)">x</a>',
    "[click me](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    "![x](https://evil.example/pixel.png)",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "{{ 'INJECTED'|lower }}{% csrf_token %}",
    "</textarea><script>alert(1)</script>",
    '<iframe src="https://evil.example/"></iframe>',
    '<form action="/accounts/logout/" method="post"><button>x</button></form>',
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0">',
    '<input autofocus onfocus="alert(1)"><style>*{display:none}</style>',
]


@contextmanager
def migrated_to(targets):
    """The database migrated back to `targets`, as the apps (models) were then; at the newest
    migrations again afterwards, whatever happened. Inside, `migrate(targets)` moves it on."""
    try:
        yield migrate(targets)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets):
    """Migrate the database to `targets`; the apps (models) as they are there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def entries_citing_one_work(apps, count: int) -> tuple:
    """In a migration's `apps`: `count` curricula ("list-1"…), each with one entry ("f1"…,
    titled "F1"…) citing one work ("framework") as its main work. Returns the work, the entries
    and the last curriculum's section."""
    Work = apps.get_model("catalogue", "Work")
    work = Work.objects.create(slug="framework", kind="article", title="A Framework")
    entries, section = [], None
    for n in range(1, count + 1):
        curriculum = apps.get_model("catalogue", "Curriculum").objects.create(
            slug=f"list-{n}", title=f"List {n}", position=n
        )
        section = apps.get_model("catalogue", "Section").objects.create(
            curriculum=curriculum, title="T", slug=f"t-{n}", priority=1, position=1
        )
        entry = apps.get_model("catalogue", "Paper").objects.create(
            section=section, position=1, title=f"F{n}", slug=f"f{n}"
        )
        apps.get_model("catalogue", "Citation").objects.create(
            entry=entry, work=work, position=1, role="main"
        )
        entries.append(entry)
    return work, entries, section
