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
                if re.search(r"f\"[^\"]*\{[^}]*\}[^\"]*#|#\{", line) and "html" in line:
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
