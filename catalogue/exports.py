"""The list in formats other tools read: BibTeX and CSV."""

import re
from collections.abc import Iterable, Iterator

from catalogue.models import Kind, Paper

BIBTEX_TYPES = {Kind.PAPER: "article", Kind.SERIES: "misc", Kind.CODEBASE: "software"}
# Characters that mean something to BibTeX or LaTeX; escaped so admin-edited text cannot break an
# entry. A backslash, tilde or caret before a letter would be a command or an accent, so those
# become the commands that print them.
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(char) for char in _BIBTEX_ESCAPES))
# A link is printed verbatim (\url), so it is percent-encoded instead of escaped: only braces,
# backslashes and whitespace could end the field early or break the entry.
_URL_UNSAFE = re.compile(r"[{}\\\s]")
# Spreadsheet programs run cells that start with these as formulas.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _bib(value: str) -> str:
    # One line per field: BibTeX treats a blank line inside a value as the end of a paragraph.
    text = " ".join(value.split())
    return _BIBTEX_SPECIAL.sub(lambda match: _BIBTEX_ESCAPES[match.group()], text)


def _bib_url(url: str) -> str:
    return _URL_UNSAFE.sub(lambda match: f"%{ord(match.group()):02X}", url)


def _bib_authors(authors: str) -> str:
    """Authors as BibTeX joins them: "A, B, et al." becomes "A and B and others"."""
    names = [name.strip() for name in authors.split(",") if name.strip()]
    return " and ".join("others" if name == "et al." else _bib(name) for name in names)


def bibtex(papers: Iterable[Paper]) -> str:
    """One BibTeX entry per item, keyed by slug, in reading order."""
    entries = []
    for paper in papers:
        fields = [("title", "{" + _bib(paper.title) + "}")]
        if paper.authors:
            fields.append(("author", _bib_authors(paper.authors)))
        if paper.year:
            fields.append(("year", str(paper.year)))
        if paper.url:
            fields.append(("url", _bib_url(paper.url)))
            fields.append(("howpublished", "\\url{" + _bib_url(paper.url) + "}"))
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
