"""The list in formats other tools read: BibTeX and CSV."""

import re
from collections.abc import Iterable, Iterator

from catalogue.models import Kind, Paper

BIBTEX_TYPES = {Kind.PAPER: "article", Kind.SERIES: "misc", Kind.CODEBASE: "software"}
# Characters that mean something to BibTeX; escaped so admin-edited text cannot break an entry.
_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")
# Spreadsheet programs run cells that start with these as formulas.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _bib(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", value.replace("\n", " "))


def bibtex(papers: Iterable[Paper]) -> str:
    """One BibTeX entry per item, keyed by slug, in reading order."""
    entries = []
    for paper in papers:
        fields = [("title", "{" + _bib(paper.title) + "}")]
        if paper.authors:
            authors = " and ".join(a.strip() for a in paper.authors.split(",") if a.strip())
            fields.append(("author", _bib(authors)))
        if paper.year:
            fields.append(("year", str(paper.year)))
        if paper.url:
            fields.append(("url", _bib(paper.url)))
            fields.append(("howpublished", "\\url{" + _bib(paper.url) + "}"))
        fields.append(("note", _bib(f"{paper.get_kind_display()}; mireads: {paper.name}")))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        kind = BIBTEX_TYPES.get(paper.kind, "misc")
        entries.append(f"@{kind}{{{paper.slug},\n{body}\n}}\n")
    return "\n".join(entries)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_rows(papers: Iterable[Paper]) -> Iterator[list[str]]:
    """A header row, then one row per item in reading order."""
    yield [
        "priority",
        "section",
        "title",
        "list name",
        "kind",
        "authors",
        "year",
        "link",
        "advice",
        "nested under",
        "slug",
    ]
    for paper in papers:
        yield [
            _cell(v)
            for v in (
                paper.section.priority,
                paper.section.title,
                paper.title,
                paper.short_name,
                paper.get_kind_display(),
                paper.authors,
                paper.year,
                paper.url,
                paper.advice_summary,
                paper.parent.slug if paper.parent else "",
                paper.slug,
            )
        ]
