"""The shape of the code: one app per concept, imports one way, thin views, findable partials."""

import ast
import inspect
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[2]
# Each app may import only the apps to its left.
LAYERS = ["catalogue", "progress", "plans", "groups", "accounts"]
# The kernel: the modules of mireads the apps may use (the typed request and flash area; the
# plain SQL derived from models).
SHARED = {"mireads.http", "mireads.sql"}
MAX_VIEW_LINES = 25


def _modules() -> dict[str, Path]:
    found = {}
    for top in [*LAYERS, "mireads"]:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path, known: set[str]) -> set[str]:
    """The project modules this file imports, anywhere in it (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            if name in known:
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, set(modules)) for name, path in modules.items()}


def _app(module: str) -> str:
    return module.split(".")[0]


def test_every_app_imports_only_the_apps_before_it_and_mireads_only_for_http_helpers():
    wrong = []
    for module, imported in _graph().items():
        app = _app(module)
        if app == "mireads":
            continue
        for target in imported:
            other = _app(target)
            if other == app:
                continue
            if other == "mireads":
                if target not in SHARED:
                    wrong.append(f"{module} imports {target}")
            elif LAYERS.index(other) > LAYERS.index(app):
                wrong.append(f"{module} imports {target}, against catalogue ← … ← accounts")
    assert wrong == []


def test_the_shared_http_module_imports_no_app():
    graph = _graph()
    assert all(graph[module] <= SHARED for module in SHARED)


def _cycles(graph: dict[str, set[str]]) -> list[str]:
    """Every import cycle a depth-first walk of `graph` meets, as "a → b → a"."""
    cycles = []
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                cycles.append(" → ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return cycles


def test_no_module_takes_part_in_an_import_cycle():
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_cycle_when_there_is_one():
    # The walk must be able to fail: modules importing each other in a ring are reported.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a → b → c → a"]


def _views():
    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns)
            elif isinstance(entry, URLPattern):
                yield entry.callback

    for callback in walk(get_resolver().url_patterns):
        view = getattr(callback, "view_class", None) or inspect.unwrap(callback)
        module = getattr(view, "__module__", "")
        if _app(module) in [*LAYERS, "mireads"]:
            yield view


def test_no_view_function_is_longer_than_25_lines():
    long = []
    for view in _views():
        if not inspect.isfunction(view):  # class-based views and feeds (Django's Feed)
            continue
        lines, _ = inspect.getsourcelines(view)
        body = [line for line in lines if not line.lstrip().startswith("@")]
        if len(body) > MAX_VIEW_LINES:
            long.append(f"{view.__module__}.{view.__name__}: {len(body)} lines")
    assert long == []


@pytest.mark.parametrize("app", LAYERS)
def test_views_name_no_orm_filter_inline(app):
    # Filtering belongs in QuerySet methods named for what they find, on the model that owns
    # the rows; views call those.
    views = ROOT / app / "views.py"
    source = views.read_text() if views.exists() else ""
    assert not re.findall(r"\.(filter|exclude)\(", source)


def test_the_group_board_filters_only_through_named_queryset_methods():
    source = (ROOT / "groups" / "board.py").read_text()
    assert not re.findall(r"\.(filter|exclude)\(", source)


def test_every_partial_is_rendered_by_its_full_name():
    # grep "progress/dashboard.html#entries" finds where that partial is rendered.
    loose = []
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            for line in path.read_text().splitlines():
                built = re.search(r"f\"[^\"]*\{[^}]*\}[^\"]*#|#\{", line) and "html" in line
                # A partial's name made by string surgery ("…dashboard.html#" replaced) is as
                # unfindable as one made by formatting.
                replaced = re.search(r"\.(replace|removesuffix|removeprefix)\([^)]*(html|#)", line)
                if built or replaced:
                    loose.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert loose == []


def test_htmx_request_is_typed_in_one_place():
    found = [
        path.relative_to(ROOT).as_posix()
        for path in ROOT.glob("*/*.py")
        if "class HtmxHttpRequest" in path.read_text()
    ]
    assert found == ["mireads/http.py"]


@pytest.mark.parametrize(
    ("rule", "home"),
    [
        ("url_has_allowed_host_and_scheme", "mireads/http.py"),  # the safe-redirect check
        ("retarget(", "mireads/http.py"),  # putting a message into the flash area
        ("def sections_of", "catalogue/outline.py"),
        (">= self.member_cap", "groups/models.py"),  # the member cap: ReadingGroup.is_full()
        ("in_joining_order().first()", "groups/models.py"),  # who facilitates next
        ("class HtmxHttpRequest", "mireads/http.py"),
    ],
)
def test_each_rule_lives_in_one_place(rule, home):
    found = sorted(
        path.relative_to(ROOT).as_posix()
        for app in [*LAYERS, "mireads"]
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and rule in path.read_text()
    )
    assert found == [home]


# The kernel's wiring: the root URLconf names every app's views, and settings, wsgi and asgi name
# the apps by string. Every other module of mireads is kernel the apps may build on.
KERNEL_WIRING = {"mireads.urls", "mireads.settings", "mireads.wsgi", "mireads.asgi"}


def test_no_kernel_module_imports_an_app():
    # An app importing mireads must not get another app with it, or the direction runs back up.
    wrong = [
        f"{module} imports {target}"
        for module, imported in _graph().items()
        if _app(module) == "mireads" and module not in KERNEL_WIRING
        for target in imported
        if _app(target) != "mireads"
    ]
    assert wrong == []


TEMPLATES = ROOT / "templates"
_TEMPLATE_USES = re.compile(r"""\{%\s*(include|extends)\s+["']([^"']+)["']""")
_URL_NAMES = re.compile(r"""\{%\s*url\s+["']([^"']+)["']""")


def _template_owner(path: Path) -> str:
    """The app a template belongs to: templates/<app>/… (and templates/admin/<app>/…, that app's
    admin pages) are the app's; the templates at the top (base.html, shared fragments) the
    kernel's."""
    parts = path.relative_to(TEMPLATES).parts
    if parts[0] == "admin" and len(parts) > 2:
        parts = parts[1:]
    return parts[0] if len(parts) > 1 and parts[0] in LAYERS else "mireads"


def _template_name_owner(name: str) -> str:
    first = name.split("/")[0]
    if first == "admin":  # Django's admin templates (admin/base_site.html)
        return "django"
    return first if "/" in name and first in LAYERS else "mireads"


def _may_use(app: str, other: str) -> bool:
    """What an app may name, in Python or in templates: itself, the apps before it, the kernel."""
    if other in (app, "mireads", "django"):
        return True
    if app == "mireads":
        return False
    return LAYERS.index(other) < LAYERS.index(app)


def _template_wrong_turns(templates: dict[str, str]) -> list[str]:
    """Each include, extends or {% url %} namespace in `templates` (path -> text) that runs against
    catalogue ← … ← accounts. The kernel's top-level templates may include only the kernel's, but
    their links may name any app: the site's navigation is wiring, as the root URLconf is."""
    wrong = []
    for name, text in templates.items():
        owner = _template_owner(TEMPLATES / name)
        for tag, used in _TEMPLATE_USES.findall(text):
            if not _may_use(owner, _template_name_owner(used)):
                wrong.append(f"{name} {tag}s {used}")
        if owner == "mireads":
            continue
        for url_name in _URL_NAMES.findall(text):
            namespace = url_name.split(":")[0] if ":" in url_name else None
            if namespace in LAYERS and not _may_use(owner, namespace):
                wrong.append(f"{name} links {url_name}")
    return wrong


def _templates() -> dict[str, str]:
    return {
        path.relative_to(TEMPLATES).as_posix(): path.read_text()
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file() and path.suffix in {".html", ".txt"}
    }


def test_templates_include_extend_and_link_only_in_the_apps_direction():
    assert _template_wrong_turns(_templates()) == []


def test_the_template_check_finds_a_template_of_a_later_app_or_its_urls():
    # The check must be able to fail: progress naming a plans template or URL, the kernel an app's.
    assert _template_wrong_turns(
        {
            "progress/dashboard.html": '{% include "plans/_time_left.html" %}'
            " <a href=\"{% url 'plans:plan' %}\">",
            "base.html": '{% include "catalogue/_feed_link.html" %}',
        }
    ) == [
        "progress/dashboard.html includes plans/_time_left.html",
        "progress/dashboard.html links plans:plan",
        "base.html includes catalogue/_feed_link.html",
    ]


def _tables() -> dict[str, str]:
    """Every project table, by name, with the app that owns it."""
    from django.apps import apps

    return {
        model._meta.db_table: model._meta.app_label
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in LAYERS
    }


def _strings(path: Path) -> list[str]:
    """The string literals of a module (f-strings' literal parts included)."""
    return [
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def _table_wrong_turns(modules: dict[str, list[str]], tables: dict[str, str]) -> list[str]:
    """Each string literal in `modules` (name -> its strings) that names a table of an app the
    module may not import: plain SQL naming another app's table is an import by another route."""
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(tables, key=len)[::-1])) + r")\b")
    wrong = []
    for module, strings in modules.items():
        app = _app(module)
        if module in KERNEL_WIRING:
            continue
        for text in strings:
            for table in pattern.findall(text):
                if not _may_use(app, tables[table]):
                    wrong.append(f"{module} names the table {table}")
    return sorted(set(wrong))


def test_no_module_names_a_table_of_an_app_it_may_not_import():
    modules = {name: _strings(path) for name, path in _modules().items()}
    assert _table_wrong_turns(modules, _tables()) == []


def test_the_table_check_finds_a_later_apps_table_in_plain_sql():
    tables = _tables()
    assert "plans_readingplan" in tables
    modules = {
        "progress.sql": ["SELECT id FROM plans_readingplan WHERE reader_id = %s"],
        "plans.sql": ["SELECT id FROM progress_readingstate"],
        "mireads.http": ["SELECT 1 FROM catalogue_paper"],
    }
    assert _table_wrong_turns(modules, tables) == [
        "mireads.http names the table catalogue_paper",
        "progress.sql names the table plans_readingplan",
    ]


def _routes(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry.lookup_str


def test_no_url_pattern_is_shadowed_by_an_earlier_one_with_the_same_route():
    # A view behind an earlier pattern for the same address is never reached: dead code.
    seen: dict[str, str] = {}
    shadowed = []
    for route, view in _routes(get_resolver().url_patterns):
        if route in seen:
            shadowed.append(f"{route}: {view} behind {seen[route]}")
        seen.setdefault(route, view)
    assert shadowed == []
