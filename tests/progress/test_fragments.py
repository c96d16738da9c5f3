"""Cached fragments declare what they show once; markup and key both come from the declaration."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone

from groups.board import board
from groups.models import Role, Sharing
from progress import dashboard, markdown
from progress.fragments import Shows, UndeclaredField
from progress.models import Note
from progress.summary import reader_papers
from tests.factories import MembershipFactory, PaperFactory

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_a_cached_entry_that_reads_an_undeclared_field_fails_naming_where_to_declare_it(paper):
    view = dashboard.ENTRY.view(paper)
    with pytest.raises(UndeclaredField, match=r"'year'.*progress\.dashboard\.ENTRY"):
        Template("{{ paper.year }}").render(Context({"paper": view}))


def test_a_declared_field_edited_moves_the_entrys_key_on(reader, monkeypatch):
    paper = PaperFactory(year=2022)
    with_year = Shows("test", (*dashboard.ENTRY.names, "year"))
    monkeypatch.setattr(dashboard, "ENTRY", with_year)
    before = dashboard.entry_cache_key(next(p for p in reader_papers(reader) if p.pk == paper.pk))
    type(paper).objects.filter(pk=paper.pk).update(year=2023)
    from catalogue.pagecache import bump

    bump()
    after = dashboard.entry_cache_key(next(p for p in reader_papers(reader) if p.pk == paper.pk))
    assert before != after


def test_the_entry_key_is_the_digest_of_every_declared_value(reader, paper):
    entry = reader_papers(reader)[0]
    key = dashboard.entry_cache_key(entry)
    entry.title = "Another title"
    assert dashboard.entry_cache_key(entry) != key


def _names(template: str, owner: str) -> set[str]:
    return set(re.findall(rf"\b{owner}\.(\w+)", (TEMPLATES / template).read_text()))


def test_the_list_region_reads_only_declared_names_of_sections_and_tallies():
    text_names = _names("progress/dashboard.html", "section")
    assert text_names <= set(dashboard.SECTION.names), (
        f"progress/dashboard.html shows section.{text_names - set(dashboard.SECTION.names)}: "
        "declare it in progress.dashboard.SECTION"
    )
    tally = _names("progress/dashboard.html", "tally")
    assert tally <= set(dashboard.TALLY.names), (
        f"progress/dashboard.html shows tally.{tally - set(dashboard.TALLY.names)}: "
        "declare it in progress.dashboard.TALLY"
    )


def test_a_note_stored_by_an_older_renderer_is_rendered_again_and_stored_again(reader, paper):
    note = Note.objects.create(
        reader=reader, paper=paper, text="**bold**", version=3, updated_at=timezone.now(),
        rendered="<!-- mireads markdown 0 --><p>as the old renderer made it</p>",
        rendered_version=3,
    )  # fmt: skip
    assert "as the old renderer made it" not in note.html()
    assert "<strong>bold</strong>" in note.html()
    group = MembershipFactory(
        reader=reader, role=Role.FACILITATOR, sharing=Sharing.PROGRESS_AND_NOTES
    ).group
    shown = [str(html) for row in board(group).rows for _, html in row.notes]
    assert any("<strong>bold</strong>" in html for html in shown)
    note.refresh_from_db()
    assert note.rendered.startswith(markdown.STORED_MARK)
