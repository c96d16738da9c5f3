"""Templates and CSS stay tidy: short lines, named partial closers, one fragment per shared thing
(progress bar, entry line, form fields), and no CSS that nothing uses."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
CSS = ROOT / "static" / "css" / "mireads.css"
LIMIT = 160


def templates() -> dict[str, str]:
    return {
        str(path.relative_to(TEMPLATES)): path.read_text()
        for path in sorted(TEMPLATES.rglob("*"))
        if path.suffix in {".html", ".txt"}
    }


def scripts() -> str:
    return "".join(p.read_text() for p in (ROOT / "static").rglob("*.js"))


def python_sources() -> str:
    """View and form code sets classes too (widget attrs, context values)."""
    apps = ["catalogue", "progress", "groups", "accounts", "mireads"]
    return "".join(p.read_text() for app in apps for p in (ROOT / app).rglob("*.py"))


def test_no_template_line_is_longer_than_160_characters():
    long = [
        f"{name}:{number} ({len(line)})"
        for name, text in templates().items()
        for number, line in enumerate(text.splitlines(), 1)
        if len(line) > LIMIT
    ]
    assert not long, long


def test_every_endpartialdef_names_its_partial():
    for name, text in templates().items():
        opened = re.findall(r"\{%\s*partialdef\s+([\w-]+)", text)
        closed = re.findall(r"\{%\s*endpartialdef\s*([\w-]*)\s*%\}", text)
        assert all(closed), f"{name}: an endpartialdef without its partial's name"
        assert sorted(opened) == sorted(closed), name


def test_progress_bars_are_drawn_only_by_the_shared_fragment():
    found = {name for name, text in templates().items() if "<progress" in text}
    assert found == {"_progress_bar.html"}
    users = {name for name, text in templates().items() if '"_progress_bar.html"' in text}
    assert {"progress/dashboard.html", "groups/detail.html"} <= users


@pytest.mark.parametrize(
    "page",
    [
        "catalogue/_tiers.html",  # the reading list and every curriculum page
        "catalogue/paper_detail.html",
        "progress/landing.html",
        "progress/_workbench.html",
    ],
)
def test_every_page_that_lists_entries_uses_the_entry_line_fragment(page):
    assert '{% include "_entry_line.html" %}' in templates()[page]


def test_entry_lines_are_written_only_in_the_fragment():
    found = {name for name, text in templates().items() if '<div class="entry-line"' in text}
    assert found == {"_entry_line.html"}


def test_every_form_field_is_laid_out_by_the_fields_fragment():
    by_hand = {
        name
        for name, text in templates().items()
        if name != "_fields.html" and re.search(r"as_field_group|\.label_tag|form\.as_\w+", text)
    }
    assert not by_hand
    users = {name for name, text in templates().items() if '"_fields.html"' in text}
    assert {"accounts/login.html", "accounts/delete.html", "groups/detail.html"} <= users
    assert "progress/dashboard.html" in users  # the filters too


def _css_without_comments() -> str:
    return re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)


def test_every_css_custom_property_defined_is_used():
    css = _css_without_comments()
    defined = set(re.findall(r"(--[\w-]+)\s*:", css))
    used = set(re.findall(r"var\((--[\w-]+)", css))
    assert defined - used == set()
    assert used - defined == set(), "a var() names a property nobody defines"


def test_every_class_selector_in_the_css_is_used_by_a_template_or_script():
    css = _css_without_comments()
    selectors = "".join(re.findall(r"([^{}]+)\{", css))
    classes = set(re.findall(r"\.([a-zA-Z][\w-]*)", selectors))
    markup = "".join(templates().values()) + scripts() + python_sources()
    # htmx adds these itself while a request is in flight.

    def used(name: str) -> bool:
        if re.search(rf"(?<![\w-]){name}(?![\w-])", markup):
            return True
        # A class made in the template, e.g. badge-{{ advice.level }} for .badge-deep.
        prefixes = {name[: i + 1] for i, char in enumerate(name) if char == "-"}
        return any(f"{prefix}{{{{" in markup for prefix in prefixes)

    # htmx adds htmx-request while a request is in flight; Django's own form templates write
    # helptext and errorlist.
    added_by_others = {"htmx-request", "helptext", "errorlist"}
    unused = {name for name in classes - added_by_others if not used(name)}
    assert not unused, sorted(unused)


def test_css_sections_are_headed_by_the_components_they_style():
    headings = re.findall(r"/\* ---- (.+?) -+", CSS.read_text())
    assert len(headings) >= 10
    assert len(set(headings)) == len(headings), "each component has one section"
    for component in ["Progress bar", "Entry line", "Form fields", "Status control", "Checklist"]:
        assert any(h.startswith(component) for h in headings), component
