"""The list as a spreadsheet (CSV). BibTeX and CSL-JSON are in catalogue/citations.py."""

from collections.abc import Iterable, Iterator

from catalogue.models import Paper

# Spreadsheet programs run cells that start with these as formulas.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _parts(paper: Paper) -> str:
    """Each advised part with its level: "Deeply engage: Section 3; Skim: Section 5"."""
    return "; ".join(f"{a.get_level_display()}: {a.part}" for a in paper.advice.all())


def csv_rows(papers: Iterable[Paper]) -> Iterator[list[str]]:
    """A header row, then one row per item in reading order (advice and sections prefetched)."""
    yield [
        "priority",
        "priority name",
        "subsection",
        "section",
        "title",
        "list name",
        "kind",
        "authors",
        "year",
        "link",
        "advice",
        "advised parts",
        "nested under",
        "slug",
    ]
    for paper in papers:
        tier = paper.section.parent or paper.section
        subsection = paper.section.title if paper.section.parent_id else ""
        yield [
            _cell(v)
            for v in (
                paper.section.priority,
                tier.title,
                subsection,
                paper.section.title,
                paper.title,
                paper.short_name,
                paper.get_kind_display(),
                paper.authors,
                paper.year,
                paper.url,
                paper.advice_summary,
                _parts(paper),
                paper.parent.slug if paper.parent else "",
                paper.slug,
            )
        ]
