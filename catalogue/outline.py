"""Arrange entries fetched in reading order into the list's shape: tiers, subsections, nesting."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from catalogue.models import Paper, Section


@dataclass
class Group:
    """A tier or a subsection with its top-level entries; nested entries hang off `entry.nested`."""

    section: Section
    entries: list[Paper] = field(default_factory=list)
    subgroups: list["Group"] = field(default_factory=list)

    def papers(self) -> list[Paper]:
        """Every entry in this group and its subgroups, nested ones included, in reading order."""
        found = []
        for entry in self.entries:
            found.append(entry)
            found.extend(entry.nested)
        for group in self.subgroups:
            found.extend(group.papers())
        return found


def build(sections: Iterable[Section], papers: Iterable[Paper]) -> list[Group]:
    """Tiers in priority order, from sections and from entries already in reading order."""
    groups = {section.pk: Group(section) for section in sections}
    tiers = []
    for group in groups.values():
        parent = groups.get(group.section.parent_id)
        (parent.subgroups if parent else tiers).append(group)
    for paper in papers:
        paper.nested = []
    by_pk = {paper.pk: paper for paper in papers}
    for paper in papers:
        parent = by_pk.get(paper.parent_id)
        if parent is not None:
            parent.nested.append(paper)
        elif paper.section_id in groups:
            groups[paper.section_id].entries.append(paper)
    return tiers


def sections_of(papers: list[Paper]) -> list[Section]:
    """The sections (and their parent tiers) that hold these entries, in list order.

    Taken from the entries' select_related sections, which saves the dashboard a query.
    """
    found: dict[int, Section] = {}
    for paper in papers:
        section = paper.section
        if section.parent_id:
            found.setdefault(section.parent_id, section.parent)
        found.setdefault(section.pk, section)
    return sorted(found.values(), key=lambda s: (s.priority, s.parent_id is not None, s.position))
