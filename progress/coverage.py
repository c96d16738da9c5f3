"""A reader's one record, seen from any curriculum: how much of it their reading already covers.

The record is what the reader did with each *work*, wherever they did it, stored by work
(progress.models: one state, one tick per part and one note per reader and work, whichever
list's entry they were set from). Then, for each entry of a curriculum, with the one counting
rule (progress.summary.entry_progress):

- its status is the newer of the work's state and this entry's skip (`newest`): a skip belongs
  to the entry it was decided on, so a paper skipped in one list is not skipped in another, and
  reading the work later, anywhere, shows over an earlier skip;
- each part the curriculum advises is satisfied by the reader's tick on that part (its key) of
  the work read at least as deeply: a part read deeply satisfies a skim elsewhere, a skim never
  satisfies "deeply engage".

`Record` reads it in four queries whatever the numbers of curricula, entries and rows; the
curriculum page (`coverage`) and the dashboards of further curricula (`carry`) both use it.
"""

from dataclasses import dataclass, field

from catalogue.models import Citation, Curriculum, Paper, depth_of
from progress.models import PartTick, Status
from progress.summary import EntryProgress, Tally, entry_progress


@dataclass(frozen=True)
class Source:
    """The entry, in another curriculum, whose row a status or tick is carried from."""

    entry_id: int
    slug: str
    curriculum: str  # its title, for "via …"


def newest(own: tuple, others: list[tuple]) -> tuple:
    """The one rule for a status under the record: of this entry's skip `own` and the work's
    state among `others` (rows of the work, each (status, updated_at, anything; no row:
    updated_at None)), the one marked last wins, a work set back to Unread too; a skip of
    another entry is not this entry's (it stays with its list). `own` when nothing is marked."""
    marked = [own] if own[1] is not None else []
    marked += [row for row in others if row[1] is not None and row[0] != Status.SKIPPED]
    return max(marked, key=lambda row: row[1]) if marked else own


class Record:
    """One reader's rows on every entry, keyed by the main work those entries cite."""

    def __init__(self, reader, entry_ids):
        # The reader's skips, by entry, and their states of works, each with the entry it was
        # set from (an entry citing no work has a state of its own).
        self.skips: dict[int, object] = {}
        self.states: dict[tuple, tuple[str, object, int]] = {}
        for paper_id, work_id, status, updated in reader.reading_states.values_list(
            "paper_id", "work_id", "status", "updated_at"
        ):
            if status == Status.SKIPPED:
                self.skips[paper_id] = updated
            else:
                key = ("work", work_id) if work_id else ("entry", paper_id)
                self.states[key] = (status, updated, paper_id)
        # The reader's ticks, one per part of a work (work, key), each with the depth it was read
        # at and the entry it was ticked for; an entry citing no work holds its own (its key).
        self.ticks: dict[tuple, tuple[int, int]] = {}  # part → (depth, entry ticked for)
        rows = PartTick.objects.filter(reader=reader).values_list(
            "work_id", "key", "depth", "advice__paper_id"
        )
        for work_id, key, depth, paper_id in rows:
            part = ("work", work_id, key) if work_id else ("entry", paper_id, key)
            self.ticks[part] = (depth, paper_id)
        ticked_for = {paper_id for _, paper_id in self.ticks.values()}
        # The reader's notes, one per work (an entry citing no work has its own): (version,
        # text) by what they are on.
        self.notes: dict[tuple, tuple[int, str]] = {
            ("work", work_id) if work_id else ("entry", paper_id): (version, text)
            for work_id, paper_id, version, text in reader.notes.values_list(
                "work_id", "paper_id", "version", "text"
            )
        }
        # The main work of every entry asked about and every entry the reader has rows on: an
        # entry with no work row is a work of its own.
        set_from = {paper_id for _, _, paper_id in self.states.values()}
        wanted = set(entry_ids) | set_from | ticked_for
        mains = Citation.objects.main().filter(entry_id__in=wanted)
        self.work: dict[int, int] = {}
        self.named: dict[int, tuple[str, str]] = {}  # entry → its slug and its list's title
        for entry_id, work_id, slug, title in mains.values_list(
            "entry_id", "work_id", "entry__slug", "entry__section__curriculum__title"
        ):
            self.work[entry_id] = work_id
            self.named[entry_id] = (slug, title)

    def work_of(self, entry_id: int):
        """What makes two entries one work: their main work, else the entry itself."""
        return self._key(entry_id)

    def _key(self, entry_id: int):
        return ("work", self.work[entry_id]) if entry_id in self.work else ("entry", entry_id)

    def _source(self, entry_id: int) -> Source:
        return Source(entry_id, *self.named.get(entry_id, ("", "")))

    def status(self, entry_id: int) -> tuple[Status, Source | None]:
        """The entry's status under the record, and where it comes from if not this entry."""
        skipped = self.skips.get(entry_id)
        own = (Status.SKIPPED, skipped, None) if skipped else (Status.UNREAD, None, None)
        others = []
        if (state := self.states.get(self._key(entry_id))) is not None:
            status, updated, set_from = state
            others.append(
                (status, updated, None if set_from == entry_id else self._source(set_from))
            )
        status, _, source = newest(own, others)
        return Status(status), source

    def _part(self, entry_id: int, key: str) -> tuple:
        work = self.work.get(entry_id)
        return ("work", work, key) if work else ("entry", entry_id, key)

    def note(self, entry_id: int) -> tuple[int, str] | None:
        """The reader's note on the entry's work, wherever it was written: (version, text)."""
        work = self.work.get(entry_id)
        return self.notes.get(("work", work) if work else ("entry", entry_id))

    def depth(self, entry_id: int, key: str) -> tuple[int, Source | None]:
        """How deeply the reader read part `key` of this entry's work (-1: never ticked), and
        the entry elsewhere it was ticked for, if not this one."""
        depth, ticked_for = self.ticks.get(self._part(entry_id, key), (-1, entry_id))
        return depth, None if ticked_for == entry_id else self._source(ticked_for)

    def satisfied(self, entry_id: int, key: str, level: str) -> tuple[bool, Source | None]:
        """Whether the reader read part `key` at least as deeply as `level` asks, and the entry
        elsewhere it was read for when that reading is not this entry's own."""
        depth, source = self.depth(entry_id, key)
        done = depth >= depth_of(level)
        return done, source if done else None


@dataclass(frozen=True)
class Covered:
    """One entry of the curriculum as the reader's record covers it."""

    paper: Paper
    progress: EntryProgress
    source: Source | None  # the entry, in another curriculum, a status comes from

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


def coverage(reader, curriculum: Curriculum, papers: list[Paper] | None = None) -> Coverage:
    """Each current entry of `curriculum` as `reader`'s record covers it, in reading order: four
    queries, two more unless its `papers` are given (in reading order, with advice
    prefetched), whatever the numbers of entries, curricula and the reader's rows."""
    if papers is None:
        papers = list(Paper.objects.of(curriculum).in_reading_order().with_advice())
    record = Record(reader, [paper.pk for paper in papers])
    found = Coverage()
    for paper in papers:
        status, source = record.status(paper.pk)
        parts = [
            (advice.level, record.satisfied(paper.pk, advice.key, advice.level)[0])
            for advice in paper.advice.all()
        ]
        found.entries.append(Covered(paper, entry_progress(status, parts), source))
    return found


def carry(reader, papers: list[Paper]) -> Record:
    """Lay the reader's record from other curricula over entries read with their own rows
    (progress.summary.reader_papers: `status`, a `checklist` with `done`): four queries.

    Each entry gets the record's status, ticks and note, and `carried_from`, the title of the list
    whose reading it shows ("" when it is all its own); the caller counts them again."""
    record = Record(reader, [paper.pk for paper in papers])
    for paper in papers:
        status, source = record.status(paper.pk)
        sources = {source} if source else set()
        paper.own_status, paper.status = paper.status, status
        for advice in paper.checklist:
            done, from_ = record.satisfied(paper.pk, advice.key, advice.level)
            advice.done = done
            if from_:
                sources.add(from_)
        paper.carried_from = " and ".join(sorted({s.curriculum for s in sources}))
        note = record.note(paper.pk)
        if note is not None:  # the one note on the work, whichever list it was written from
            paper.note_version, paper.note_text = note
            paper.note_length = len(paper.note_text)
    return record
