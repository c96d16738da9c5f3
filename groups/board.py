"""What the group page reads: a handful of queries whatever the size of the group or the list.

Members, entries, then every sharing member's statuses, tick counts and notes at once, filtered
by member ids. Only members who share progress get cells, and only members who share notes get
notes: the rows of everyone else are never read.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.safestring import SafeString

from catalogue import outline
from catalogue.models import Advice, Paper, Section
from catalogue.outline import sections_of
from groups.models import Membership, ReadingGroup, TierTarget
from progress import markdown
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


def _shared_rows(sharers: list[Membership]) -> tuple[dict, dict, dict]:
    """Statuses by (reader, entry), ticked (reader, part) pairs, and notes by entry, of sharers."""
    by_reader = {m.reader_id: m for m in sharers}
    if not by_reader:
        return {}, {}, {}
    states = ReadingState.objects.of_readers(by_reader)
    statuses = {(r, p): s for r, p, s in states.values_list("reader_id", "paper_id", "status")}
    # Ticks of current parts only: a retired part is out of every count (progress.summary).
    ticks = set(
        PartTick.objects.of_readers(by_reader).current().values_list("reader_id", "advice_id")
    )
    notes: dict[int, list[tuple[Membership, SafeString]]] = {}
    note_takers = [m.reader_id for m in sharers if m.shares_notes]
    shared = Note.objects.of_readers(note_takers).written()
    columns = ("reader_id", "paper_id", "text", "version", "rendered", "rendered_version")
    for pk, reader_id, paper_id, text, version, stored, stored_for in shared.values_list(
        "pk", *columns
    ):
        # Stored at every save and import: shown as it is. One without it (rows from before, or
        # an older renderer) is rendered once here and stored, so the next load finds it.
        if not markdown.is_current(stored, stored_for=stored_for, version=version):
            stored = Note.objects.store_rendering(pk, version=version, text=text)
        html = markdown.shown(text, stored=stored, stored_for=version, version=version)
        notes.setdefault(paper_id, []).append((by_reader[reader_id], html))
    position = {m.reader_id: index for index, m in enumerate(sharers)}
    for found in notes.values():
        found.sort(key=lambda pair: position[pair[0].reader_id])
    return statuses, ticks, notes


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
    """Everything the group page shows, read with a fixed number of queries."""
    members = list(group.memberships.select_related("reader").in_joining_order())
    sharers = [m for m in members if m.shares_progress]
    current = Advice.objects.current().order_by("position").only("paper_id", "level")
    papers = list(
        Paper.objects.of()
        .in_reading_order()
        # The curricula too: a tier is named after its curriculum's ordering ("Priority 2").
        .select_related("section__curriculum", "section__parent__curriculum")
        .prefetch_related(Prefetch("advice", queryset=current, to_attr="current_parts"))
    )
    tiers = outline.build(sections_of(papers), papers)
    statuses, ticks, notes = _shared_rows(sharers)

    rows: dict[int, Row] = {}
    reading: dict[int, list[Paper]] = {}
    for paper in papers:
        cells = []
        for member in sharers:
            status = statuses.get((member.reader_id, paper.pk), Status.UNREAD)
            parts = [(a.level, (member.reader_id, a.pk) in ticks) for a in paper.current_parts]
            cells.append(Cell(member, entry_progress(status, parts)))
            if status == Status.READING:
                reading.setdefault(member.pk, []).append(paper)
        rows[paper.pk] = Row(paper, paper.parent_id is not None, cells, notes.get(paper.pk, []))

    return Board(
        members=members,
        sharers=sharers,
        lines=_lines(tiers, rows),
        rows=[rows[p.pk] for p in papers],
        tiers=_tier_progress(group, tiers, rows, sharers),
        reading_now=[(m, reading[m.pk]) for m in sharers if m.pk in reading],
    )
