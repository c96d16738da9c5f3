"""What the group page reads: a handful of queries whatever the size of the group or the list.

Members, the entries of the curriculum the group reads, then every sharing member's statuses,
ticks and notes at once, filtered by member ids. Only members who share progress get cells, and
only members who share notes get notes: the rows of everyone else are never read.

A member's cell counts their one reading record, wherever they kept it, by the rules of
progress.coverage: two entries are one work when they cite the same main work, so a status set
on an entry of another list carries here (except a skip, which stays with its own list), and an
advised part is satisfied by a tick on the same part key of the same work read at least as
deeply. A shared note on the work shows under it too. Each statement carries the main work of
its rows' entries, so the carrying costs no query.
"""

from dataclasses import dataclass, field

from django.db.models import F, FilteredRelation, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from catalogue import outline
from catalogue.models import Advice, Paper, Section, depth_of
from catalogue.models import Role as CitationRole
from catalogue.outline import sections_of
from groups.models import Membership, ReadingGroup, TierTarget
from progress import markdown
from progress.coverage import newest
from progress.models import Note, PartTick, ReadingState, Status
from progress.summary import EntryProgress, Tally, entry_progress

# Marks that tell statuses apart without colour; the full label goes alongside for screen readers.
STATUS_MARKS = {
    Status.READ: "R",
    Status.READING: "…",
    Status.SKIMMED: "S",
    Status.SKIPPED: "\N{EN DASH}",
    Status.UNREAD: "",
}


@dataclass
class Cell:
    """One sharing member's standing with one entry, under the one progress rule."""

    member: Membership
    progress: EntryProgress

    @property
    def status(self) -> Status:
        return self.progress.status

    @property
    def ticked(self) -> int:
        return self.progress.ticked

    @property
    def parts(self) -> int:
        return self.progress.parts

    @property
    def mark(self) -> str:
        return STATUS_MARKS[self.status]

    @property
    def label(self) -> str:
        label = self.status.label
        if self.ticked and not self.progress.settled:
            label += f", {self.ticked} of {self.parts} parts ticked"
        return label

    @property
    def shows_ticks(self) -> bool:
        return bool(self.ticked) and not self.progress.settled


@dataclass
class Row:
    """One entry of the list across the group."""

    paper: Paper
    nested: bool
    cells: list[Cell]
    notes: list[tuple[Membership, SafeString]] = field(default_factory=list)


@dataclass
class Line:
    """One line of the grid: a tier heading, a subsection heading or an entry."""

    kind: str  # "tier", "subsection" or "entry"
    section: Section | None = None
    row: Row | None = None


@dataclass
class TierProgress:
    """How far the sharing members have got with one tier, and who is behind its target."""

    tier: Section
    entries: int
    finished: dict[int, int]  # membership id -> entries of this tier settled
    tally: Tally = field(default_factory=Tally)  # every sharer's entries of the tier together
    target: "TierTarget | None" = None
    passed: bool = False
    behind: list[tuple[Membership, int]] = field(default_factory=list)

    @property
    def percent(self) -> int:
        """The members' weighed progress together, under the one rule (0 with no sharer)."""
        return self.tally.percent if self.finished else 0


@dataclass
class Board:
    members: list[Membership]
    sharers: list[Membership]
    lines: list[Line]
    rows: list[Row]
    tiers: list[TierProgress]
    reading_now: list[tuple[Membership, list[Paper]]]

    @property
    def columns(self) -> int:
        """Grid columns: the entry, then one per sharing member."""
        return len(self.sharers) + 1

    @property
    def not_sharing(self) -> int:
        return len(self.members) - len(self.sharers)

    @property
    def rows_with_notes(self) -> list[Row]:
        return [row for row in self.rows if row.notes]

    @property
    def behind_any(self) -> bool:
        return any(tier.behind for tier in self.tiers)


def _lines(tiers: list[outline.Group], rows: dict[int, Row]) -> list[Line]:
    lines = []

    def entries(group: outline.Group) -> None:
        for paper in group.entries:
            lines.append(Line("entry", row=rows[paper.pk]))
            lines.extend(Line("entry", row=rows[child.pk]) for child in paper.nested)

    for tier in tiers:
        if not tier.papers():
            continue
        lines.append(Line("tier", section=tier.section))
        entries(tier)
        for sub in tier.subgroups:
            if sub.papers():
                lines.append(Line("subsection", section=sub.section))
                entries(sub)
    return lines


def _with_main_work(rows: QuerySet, entry: str = "") -> QuerySet:
    """`rows` each with `main`: the main work of its entry (`entry` is the path to the entry,
    "" for entries themselves). A join on the one main citation an entry has: no row repeats."""
    citations = f"{entry}__citations" if entry else "citations"
    main = Q(**{f"{citations}__role": CitationRole.MAIN})
    return rows.annotate(main_citation=FilteredRelation(citations, condition=main)).annotate(
        main=F("main_citation__work")
    )


def _work(paper_id: int, work_id: int | None) -> tuple:
    """What makes two entries one work: their main work; an entry citing none is its own."""
    return ("work", work_id) if work_id is not None else ("entry", paper_id)


@dataclass
class Record:
    """The sharers' reading records, by work: what the board counts their cells from."""

    # (reader, work) -> [(entry, status, updated_at)]: every entry of the work with a status
    statuses: dict[tuple, list[tuple[int, Status]]] = field(default_factory=dict)
    # (reader, work) -> part key -> the deepest depth ticked
    depths: dict[tuple, dict[str, int]] = field(default_factory=dict)

    def status(self, reader_id: int, paper: Paper) -> Status:
        """The reader's status on the work by the one rule (progress.coverage.newest): what
        they marked last, on this entry or another citing it; a skip decided elsewhere is no
        status here."""
        rows = self.statuses.get((reader_id, paper.work_key), [])
        skip = next(
            (row[1:] for row in rows if row[0] == paper.pk and row[1] == Status.SKIPPED),
            (Status.UNREAD, None),
        )
        # The work's one state, set from whichever entry (skips of other entries are ignored).
        others = [row[1:] for row in rows if row[1] != Status.SKIPPED]
        return Status(newest(skip, others)[0])

    def satisfied(self, reader_id: int, advice: Advice, paper: Paper) -> bool:
        """A tick on the same part of the same work read at least as deeply as advised."""
        depth = self.depths.get((reader_id, paper.work_key), {}).get(advice.key, -1)
        return depth >= depth_of(advice.level)


def _shared_rows(sharers: list[Membership]) -> tuple[Record, dict]:
    """The sharers' record (statuses and ticks, by work), and the notes of note sharers, by work
    too: a member's note on a work shows wherever the group reads it, whichever list it was
    written for."""
    by_reader = {m.reader_id: m for m in sharers}
    record = Record()
    if not by_reader:
        return record, {}
    states = ReadingState.objects.of_readers(by_reader)
    for reader_id, paper_id, status, updated, work in states.values_list(
        "reader_id", "paper_id", "status", "updated_at", "work_id"
    ):
        found = record.statuses.setdefault((reader_id, _work(paper_id, work)), [])
        found.append((paper_id, Status(status), updated))
    # Every tick counts by its part's key, retired or not: a retired part of this list is not
    # advised any more, so no advice here shares its key (unique per entry), while a part read
    # for another list was read all the same.
    ticks = PartTick.objects.of_readers(by_reader)
    for reader_id, paper_id, key, depth, work in ticks.values_list(
        "reader_id", "advice__paper_id", "key", "depth", "work_id"
    ):
        depths = record.depths.setdefault((reader_id, _work(paper_id, work)), {})
        depths[key] = max(depths.get(key, -1), depth)
    notes: dict[tuple, list[tuple[Membership, SafeString]]] = {}
    note_takers = [m.reader_id for m in sharers if m.shares_notes]
    shared = _with_main_work(Note.objects.of_readers(note_takers).written(), "paper")
    columns = ("reader_id", "paper_id", "main", "text", "version", "rendered", "rendered_version")
    for pk, reader_id, paper_id, work, text, version, stored, stored_for in shared.values_list(
        "pk", *columns
    ):
        # Stored at every save and import: shown as it is. One without it (rows from before, or
        # an older renderer) is rendered once here and stored, so the next load finds it.
        if not markdown.is_current(stored, stored_for=stored_for, version=version):
            stored = Note.objects.store_rendering(pk, version=version, text=text)
        html = markdown.shown(text, stored=stored, stored_for=version, version=version)
        notes.setdefault(_work(paper_id, work), []).append((by_reader[reader_id], html))
    position = {m.reader_id: index for index, m in enumerate(sharers)}
    for found in notes.values():
        found.sort(key=lambda pair: position[pair[0].reader_id])
    return record, notes


def _tier_progress(group: ReadingGroup, tiers, rows, sharers) -> list[TierProgress]:
    """Each tier's completion across sharers, with who is behind a target that has passed."""
    targets = {target.tier_id: target for target in group.targets.all()}
    today = timezone.localdate()
    progress = []
    for tier in tiers:
        papers_in_tier = tier.papers()
        if not papers_in_tier:
            continue
        finished = dict.fromkeys((m.pk for m in sharers), 0)
        tally = Tally()
        for paper in papers_in_tier:
            for cell in rows[paper.pk].cells:
                tally.add(cell.progress)
                if cell.progress.settled:
                    finished[cell.member.pk] += 1
        target = targets.get(tier.section.pk)
        passed = target is not None and target.due_on < today
        behind = [
            (m, finished[m.pk]) for m in sharers if passed and finished[m.pk] < len(papers_in_tier)
        ]
        progress.append(
            TierProgress(tier.section, len(papers_in_tier), finished, tally, target, passed, behind)
        )
    return progress


def board(group: ReadingGroup) -> Board:
    """Everything the group page shows of the curriculum the group reads, read with a fixed
    number of queries whatever the numbers of members, entries and curricula."""
    members = list(group.memberships.select_related("reader").in_joining_order())
    sharers = [m for m in members if m.shares_progress]
    current = Advice.objects.current().order_by("position").only("paper_id", "key", "level")
    entries = (
        Paper.objects.of(group.curriculum)
        .in_reading_order()
        # The curricula too: a tier is named after its curriculum's ordering ("Priority 2").
        .select_related("section__curriculum", "section__parent__curriculum")
        .prefetch_related(Prefetch("advice", queryset=current, to_attr="current_parts"))
    )
    papers = list(_with_main_work(entries))
    for paper in papers:
        paper.work_key = _work(paper.pk, paper.main)
    tiers = outline.build(sections_of(papers), papers)
    record, notes = _shared_rows(sharers)

    rows: dict[int, Row] = {}
    reading: dict[int, list[Paper]] = {}
    for paper in papers:
        cells = []
        for member in sharers:
            status = record.status(member.reader_id, paper)
            parts = [
                (a.level, record.satisfied(member.reader_id, a, paper)) for a in paper.current_parts
            ]
            cells.append(Cell(member, entry_progress(status, parts)))
            if status == Status.READING:
                reading.setdefault(member.pk, []).append(paper)
        row_notes = notes.get(paper.work_key, [])
        rows[paper.pk] = Row(paper, paper.parent_id is not None, cells, row_notes)

    return Board(
        members=members,
        sharers=sharers,
        lines=_lines(tiers, rows),
        rows=[rows[p.pk] for p in papers],
        tiers=_tier_progress(group, tiers, rows, sharers),
        reading_now=[(m, reading[m.pk]) for m in sharers if m.pk in reading],
    )
