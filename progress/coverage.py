"""How much of a curriculum a reader's record already covers, before they follow it.

The record is what the reader did with each *work*, wherever they did it. Until reading states
move from entries to works (docs/curricula.md, step 4), it is read here from the reader's rows on
the entries that cite the same main work (one row whoever cites it). Then, for each entry of the
curriculum, with the one counting rule (progress.summary.entry_progress):

- its status is the record's, except that a skip belongs to the entry it was decided on: a paper
  skipped in one list is unread in another;
- each part the curriculum advises is satisfied by a tick on the same part (its key) of the
  same work read at least as deeply: a part read deeply satisfies a skim elsewhere, a skim never
  satisfies "deeply engage".
"""

from dataclasses import dataclass, field

from catalogue.citations import works_of
from catalogue.models import Curriculum, Level, Paper
from progress.models import PartTick, Status
from progress.summary import EntryProgress, Tally, entry_progress

# How deep a level reads: a tick made at one depth satisfies advice at that depth or less.
DEPTH = {Level.SKIP: 0, Level.SKIM_OR_SKIP: 1, Level.SKIM: 2, Level.DEEP: 3}
# The furthest a reader got with a work, when several entries of it carry their rows.
FURTHEST = [Status.UNREAD, Status.SKIPPED, Status.READING, Status.SKIMMED, Status.READ]


@dataclass(frozen=True)
class Covered:
    """One entry of the curriculum as the reader's record covers it."""

    paper: Paper
    progress: EntryProgress
    source: Paper | None  # the entry, in another curriculum, whose rows this record comes from

    @property
    def label(self) -> str:
        """What the list page says beside the entry: "" for nothing yet."""
        if self.progress.settled and self.progress.status != Status.SKIPPED:
            return "Covered"
        if self.progress.parts and self.progress.done == self.progress.weight:
            return "Every part covered"
        if self.progress.done or self.progress.status == Status.READING:
            return "Partly covered"
        return ""


@dataclass
class Coverage:
    entries: list[Covered] = field(default_factory=list)

    @property
    def tally(self) -> Tally:
        tally = Tally()
        for entry in self.entries:
            tally.add(entry.progress)
        return tally


def _keys(paper: Paper) -> tuple[int, ...]:
    """The entry's main work (prefetched): one row whoever cites it, since the loader links a
    known work instead of copying it. An entry with no work row is a work of its own."""
    return (works_of(paper)[0].pk,)


def coverage(reader, curriculum: Curriculum, papers: list[Paper] | None = None) -> Coverage:
    """Each current entry of `curriculum` as `reader`'s record covers it, in reading order: four
    queries, three more unless its `papers` are given (in reading order, with advice and works
    prefetched), whatever the numbers of entries, curricula and the reader's rows."""
    if papers is None:
        papers = list(Paper.objects.of(curriculum).in_reading_order().with_advice().with_works())
    states = dict(reader.reading_states.values_list("paper_id", "status"))
    ticks: dict[int, dict[str, int]] = {}  # entry → part key → the deepest depth ticked
    rows = PartTick.objects.filter(reader=reader).values_list(
        "advice__paper_id", "advice__key", "advice__level"
    )
    for paper_id, key, level in rows:
        depths = ticks.setdefault(paper_id, {})
        depths[key] = max(depths.get(key, 0), DEPTH[Level(level)])
    record_ids = set(states) | set(ticks)
    by_key: dict[int, list[Paper]] = {}
    for paper in Paper.objects.filter(pk__in=record_ids).with_works():
        for key in _keys(paper):
            by_key.setdefault(key, []).append(paper)
    found = Coverage()
    for paper in papers:
        sources = {p.pk: p for key in _keys(paper) for p in by_key.get(key, [])}
        sources.pop(paper.pk, None)
        own = Status(states.get(paper.pk, Status.UNREAD))
        carried = [s for s in (Status(states.get(pk, Status.UNREAD)) for pk in sources)]
        carried = [Status.UNREAD if s == Status.SKIPPED else s for s in carried]
        status = max([own, *carried], key=FURTHEST.index)
        depths: dict[str, int] = dict(ticks.get(paper.pk, {}))
        for pk in sources:
            for key, depth in ticks.get(pk, {}).items():
                depths[key] = max(depths.get(key, -1), depth)
        parts = [
            (advice.level, depths.get(advice.key, -1) >= DEPTH[Level(advice.level)])
            for advice in paper.advice.all()
        ]
        source = next(iter(sources.values()), None) if status != own else None
        found.entries.append(Covered(paper, entry_progress(status, parts), source))
    return found
