"""What changed since a reader read it: for each entry the reader started, finished or ticked,
the editions published after the last one they acted under (or marked seen) that changed it.

Progress never resets: this only marks entries and names new parts; statuses and ticks stay.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Max

from catalogue.models import EditionContent
from catalogue.pagecache import catalogue_version
from progress.models import ChangesSeen, PartTick, ReadingEvent, ReadingState, Status


@dataclass
class ReaderChanges:
    latest: int = 0
    since: dict[str, int] = field(default_factory=dict)  # slug → edition the reader last saw
    editions: dict[str, list[int]] = field(default_factory=dict)  # slug → editions changing it
    new_parts: set[tuple[str, str]] = field(default_factory=set)  # (slug, key)
    per_edition: Counter = field(default_factory=Counter)
    papers: list = field(default_factory=list)  # the changed entries in reading order, by mark()

    @property
    def count(self) -> int:
        return len(self.editions)

    BANNER_NAMES = 3

    @property
    def named(self) -> list:
        """The first few changed entries, for the banner to name and link."""
        return self.papers[: self.BANNER_NAMES]

    @property
    def unnamed(self) -> int:
        """How many changed entries the banner leaves to "and N more"."""
        return max(0, self.count - self.BANNER_NAMES)

    def summary(self) -> list[tuple[int, int]]:
        """(edition, how many of the reader's entries it changed), newest first."""
        return sorted(self.per_edition.items(), reverse=True)


# The editions' changes as this process last read them, under the catalogue version they were
# read at: publishing an edition moves that version on, so a stale copy is never used.
_EDITIONS: dict = {"version": None, "editions": []}


def forget_editions(**kwargs) -> None:
    """The list changed: read the editions afresh next time (a signal receiver)."""
    _EDITIONS.update(version=None, editions=[])


def _editions(version: str | None) -> list[tuple[int, list[dict]]]:
    """(number, changes) of every edition, oldest first, read only when the catalogue's version
    moved (one small query for the version when the caller does not know it)."""
    version = version or catalogue_version()
    if _EDITIONS["version"] != version:
        contents = (
            EditionContent.objects.filter(edition__curriculum__is_default=True)
            .select_related("edition")
            .order_by("edition__number")
            .only("changes", "edition__number")
        )
        editions = [(content.edition.number, content.changes) for content in contents]
        _EDITIONS.update(version=version, editions=editions)
    return _EDITIONS["editions"]


def for_reader(reader, *, at: str | None = None) -> ReaderChanges:
    """The reader's changed entries, in six queries whatever the numbers of entries, editions
    and ticks (five while this process holds the editions at the current catalogue version);
    in one while no edition has changed an entry, as in a list with one edition. `at`: the
    catalogue version the caller read the list at, if it knows it (then that one query goes)."""
    result = ReaderChanges()
    editions = _editions(at)
    if not editions:
        return result
    result.latest = editions[-1][0]
    if not any(changes for _, changes in editions):
        return result  # nothing was ever changed, so nothing of the reader's is either
    seen = ChangesSeen.objects.filter(reader=reader).values_list("edition__number", flat=True)
    seen_number = next(iter(seen), 0)
    base: dict[str, int] = {}
    touched = ReadingState.objects.filter(reader=reader).exclude(status=Status.UNREAD)
    for slug in touched.values_list("paper__slug", flat=True):
        base.setdefault(slug, 0)
    events = (
        ReadingEvent.objects.filter(reader=reader)
        .values("paper__slug")
        .annotate(n=Max("edition__number"))
        .values_list("paper__slug", "n")
    )
    ticks = (
        PartTick.objects.filter(reader=reader)
        .values("advice__paper__slug")
        .annotate(n=Max("edition__number"))
        .values_list("advice__paper__slug", "n")
    )
    for rows, need_state in ((events, True), (ticks, False)):
        for slug, number in rows:
            if need_state and slug not in base:
                continue  # back to unread: not an entry the reader has read
            base[slug] = max(base.get(slug, 0), number or 0)
    for slug in base:
        base[slug] = max(base[slug], seen_number)
    for number, edition_changes in editions:
        for change in edition_changes:
            slug = change["slug"]
            if slug not in base or number <= base[slug]:
                continue
            result.editions.setdefault(slug, []).append(number)
            result.since[slug] = base[slug]
            result.per_edition[number] += 1
            for part in change.get("parts", []):
                if part["change"] == "added":
                    result.new_parts.add((slug, part["key"]))
    return result


def mark(papers, changes: ReaderChanges) -> None:
    """Set `changed_since` (the edition last seen, or None) on each entry and `is_new` on each
    checklist part added since, for the templates to read; `changes.papers` lists the changed
    entries in reading order, for the banner to name."""
    changes.papers = []
    for paper in papers:
        paper.changed_since = (
            changes.since.get(paper.slug) if paper.slug in changes.editions else None
        )
        if paper.changed_since is not None:
            changes.papers.append(paper)
        for advice in getattr(paper, "checklist", ()):
            advice.is_new = (paper.slug, advice.key) in changes.new_parts
