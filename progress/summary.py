"""A reader's progress through the list: per entry, per tier and subsection, and overall.

The one rule for counting progress (the about page says it in the same words; every count a
reader sees, on the dashboard, the paper page, the group board, the plan and the exports, comes
from `entry_progress` below):
- a part to deeply engage with weighs 3, a part to skim 1, "skim or skip" and "skip" parts 0;
  retired parts are out of every count (their ticks stay in the reader's data); an entry with no
  weighed part weighs 1;
- Read counts the whole entry; Skimmed counts its skim parts plus the parts ticked (a skim never
  satisfies a part to engage with deeply; an entry with no weighed part counts whole); otherwise
  the ticked parts count;
- Skipped takes the entry out of the weighed total; like Read and Skimmed it settles the entry,
  so "x of y entries" counts it among the x.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import router
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Length

from catalogue import outline
from catalogue.models import LEVEL_WEIGHTS, Advice, CatalogueVersion, Citation, Level, Paper
from catalogue.outline import sections_of
from catalogue.pagecache import SINGLETON
from mireads.sql import Compiled
from progress.models import Follow, Note, PartTick, ReadingState, Status, own_rows


def _with_state(reader, entries: QuerySet | None = None) -> QuerySet:
    """Entries (the default curriculum's unless `entries` says) in reading order joined to this
    reader's status and note (no per-part counts)."""
    return (
        (Paper.objects.of() if entries is None else entries)
        .in_reading_order()
        # The curriculum names its sections ("Priority 2", "Stage 2"): no query per section.
        .select_related("section__parent__curriculum", "section__curriculum")
        .annotate(
            # The work's state as set from this entry, and this entry's skip; a state set from
            # another list's entry is laid over by coverage.carry.
            **own_rows(reader),
            my_note=FilteredRelation("notes", condition=Q(notes__reader=reader)),
            # Catalogue data, kept with the list: a write finds the work with no query.
            main_work_id=Subquery(
                Citation.objects.main().filter(entry=OuterRef("pk")).values("work_id")[:1]
            ),
        )
        .annotate(
            # The newer of the entry's skip and its work's state (progress.coverage.newest).
            status=Case(
                When(
                    Q(my_skip__updated_at__isnull=False)
                    & (
                        Q(mine__updated_at__isnull=True)
                        | Q(my_skip__updated_at__gte=F("mine__updated_at"))
                    ),
                    then=Value(Status.SKIPPED),
                ),
                default=Coalesce("mine__status", Value(Status.UNREAD)),
            ),
            started_at=F("mine__started_at"),
            finished_at=F("mine__finished_at"),
            read_before=Coalesce("mine__read_before", Value(False)),
            note_version=Coalesce("my_note__version", Value(0)),
            note_length=Coalesce(Length("my_note__text"), Value(0)),
            # The text itself too, so dashboard search can look in the reader's own note
            # without a query per entry.
            note_text=Coalesce("my_note__text", Value(""), output_field=TextField()),
            elsewhere=_elsewhere(reader),
        )
    )


def _elsewhere(reader) -> ExpressionWrapper:
    """Whether the reader ever chose what to follow, or read in a curriculum besides the
    default one: only then can their record carry into its entries (progress.coverage.carry),
    or can they follow anything but the default curriculum alone.
    A column of the reader's own query (subqueries the databases run once): no query of its own."""
    return ExpressionWrapper(
        # Any choice at all: one to stop following the default one counts too.
        Exists(Follow.objects.filter(reader=reader))
        | Exists(
            ReadingState.objects.filter(reader=reader, paper__section__curriculum__is_default=False)
        )
        | Exists(
            PartTick.objects.filter(
                reader=reader, advice__paper__section__curriculum__is_default=False
            )
        )
        | Exists(Note.objects.filter(reader=reader, paper__section__curriculum__is_default=False)),
        output_field=BooleanField(),
    )


def checklist_for_reader(reader) -> Prefetch:
    """Prefetch each entry's advice with a `done` flag for this reader (one query)."""
    ticked = PartTick.objects.filter(reader=reader, advice=OuterRef("pk"))
    return Prefetch(
        "advice",
        queryset=Advice.objects.current().order_by("position").annotate(done=Exists(ticked)),
        to_attr="checklist",
    )


def reader_papers_of(reader, curricula: list) -> list[Paper]:
    """The entries of these curricula (in their order, each in reading order), with this
    reader's own rows and checklists, counted: two queries however many curricula. Another
    curriculum's reading is not laid over them yet (progress.coverage.carry does that)."""
    order = {curriculum.pk: index for index, curriculum in enumerate(curricula)}
    entries = Paper.objects.filter(section__curriculum__in=list(order))
    papers = list(
        _with_state(reader, entries)
        .annotate(**_catalogue_version())
        .prefetch_related(checklist_for_reader(reader))
    )
    papers.sort(key=lambda paper: order[paper.section.curriculum_id])  # stable: reading order kept
    return counted(papers)


def reader_papers(reader) -> list[Paper]:
    """Entries with their checklists, counted under the one rule from the checklist rows.

    One query while this process holds the list at the current catalogue version (the reader's
    statuses, notes and ticks, as plain values, laid over copies of the process's entries); two
    when it must read the list afresh (the first request, or after the list changed).
    """
    kept = _LIST["papers"]
    rows = _reader_rows(reader) if kept is not None else []
    # The same version and the same entries in the same order, or the list is read afresh.
    same = [row[0] for row in rows] == [paper.pk for paper in kept or ()]
    if not rows or not same or tuple(rows[0][-2:]) != _LIST["version"]:
        return counted(_read_list(reader))
    return counted([_lay_over(paper, row) for paper, row in zip(kept, rows, strict=True)])


# The list as this process last read it: entries with sections and current parts, under the
# catalogue version they were read at. Every change to the list moves that version on (and, in
# this process, empties this at once: progress/apps.py), so a copy is only used while the list
# is exactly what it was. Requests get copies: nothing they set leaks into the next.
_LIST: dict = {"version": None, "papers": None}

_STATE_FIELDS = (
    "elsewhere",
    "status",
    "started_at",
    "finished_at",
    "read_before",
    "note_version",
    "note_length",
    "note_text",
)


def forget_list(**kwargs) -> None:
    """The list changed: read it afresh next time (a signal receiver, so it takes **kwargs)."""
    _LIST.update(version=None, papers=None)


def _catalogue_version() -> dict:
    """The catalogue's version (epoch and number, None with no version row yet) as columns of
    the reader's own query, so it costs no query of its own."""
    row = CatalogueVersion.objects.filter(pk=SINGLETON)
    return {
        "list_epoch": Subquery(row.values("epoch")),
        "list_version": Subquery(row.values("version")),
    }


def _ticked_ids(reader) -> Subquery:
    """The ids of the parts of an entry this reader ticked, joined by commas."""
    ticks = (
        PartTick.objects.filter(reader=reader, advice__paper=OuterRef("pk"))
        .annotate(paper_key=Value(1))
        .order_by()
        .values("paper_key")
        .annotate(ids=StringAgg(Cast("advice_id", TextField()), delimiter=Value(",")))
        .values("ids")
    )
    return Subquery(ticks, output_field=TextField())


def _reader_rows_query(reader) -> QuerySet:
    return (
        _with_state(reader)
        .select_related(None)
        .annotate(ticked_ids=_ticked_ids(reader), **_catalogue_version())
        .values_list("pk", *_STATE_FIELDS, "ticked_ids", "list_epoch", "list_version")
    )


# The query of _reader_rows() compiled once per process and database (mireads/sql.py): building
# and compiling it cost several times what the database takes to answer it (15.5 -> 10.8 ms for a
# first dashboard, 881f4b6), and only the reader's id changes. However often the query uses the
# reader, the compiled statement finds every place.
_READER_ROWS = Compiled(_reader_rows_query, arity=1)


def _reader_rows(reader) -> list[tuple]:
    """Per entry in reading order: its id, this reader's state, ticks, and the list's version."""
    return _READER_ROWS.rows(reader.pk, alias=router.db_for_read(Paper))


def _read_list(reader) -> list[Paper]:
    """The entries with this reader's state and checklists, read in full (two queries); the list
    itself is kept for the next requests, under the version read with it."""
    papers = list(
        _with_state(reader)
        .annotate(**_catalogue_version())
        .prefetch_related(checklist_for_reader(reader))
    )
    version = (papers[0].list_epoch, papers[0].list_version) if papers else (None, None)
    if None not in version:
        kept = [_lay_over(paper, None) for paper in papers]
        _LIST.update(version=version, papers=kept)
    return papers


def _copy(instance):
    """A model instance whose attributes (and cached relations) are its own, sharing the
    related objects themselves (sections, parents: read, never changed, by the pages)."""
    # What copy.copy() does for a model (Model.__getstate__), without its generic machinery,
    # which costs more than the rest of laying a reader's rows over the list.
    clone = object.__new__(type(instance))
    clone.__dict__.update(instance.__dict__)
    for name in ("checklist", "nested"):
        clone.__dict__.pop(name, None)
    state = object.__new__(type(instance._state))
    state.__dict__.update(instance._state.__dict__)
    state.fields_cache = dict(instance._state.fields_cache)
    clone._state = state
    return clone


def _lay_over(paper: Paper, row: tuple | None) -> Paper:
    """A copy of a kept entry with this reader's row on it (`row` None: a copy to keep)."""
    clone = _copy(paper)
    clone.checklist = [_copy(advice) for advice in paper.checklist]
    if row is None:  # kept for every reader: none of this one's state stays on it
        for name in (*_STATE_FIELDS, "list_epoch", "list_version"):
            clone.__dict__.pop(name, None)
        for advice in clone.checklist:
            advice.__dict__.pop("done", None)
        return clone
    for name, value in zip(_STATE_FIELDS, row[1 : 1 + len(_STATE_FIELDS)], strict=True):
        setattr(clone, name, value)
    clone.list_epoch, clone.list_version = row[-2:]
    ids = row[1 + len(_STATE_FIELDS)]
    ticked = {int(pk) for pk in ids.split(",")} if ids else set()
    for advice in clone.checklist:
        advice.done = advice.pk in ticked
    return clone


def list_version(papers: list[Paper]) -> str | None:
    """The catalogue version reader_papers() read these entries at, as
    catalogue.pagecache.catalogue_version() gives it (None if unknown)."""
    if not papers:
        return None
    epoch, version = (getattr(papers[0], name, None) for name in ("list_epoch", "list_version"))
    return None if epoch is None or version is None else f"{epoch}.{version}"


def reader_paper(reader, slug: str) -> Paper | None:
    """One entry as reader_papers() gives it (two queries), or None if it is not in the list."""
    found = (
        _with_state(reader)
        .filter(slug=slug)
        .annotate(**_catalogue_version())  # for list_version(), at no query of its own
        .prefetch_related(checklist_for_reader(reader))
    )
    return next(iter(counted(found)), None)


def counted(queryset) -> list[Paper]:
    """The entries with their per-part counts and their `progress` (the one rule), counted from
    their checklists: parts, weight_total, ticked, ticked_weight, n_<level>, start_with."""
    papers = list(queryset)
    for paper in papers:
        parts = paper.checklist
        done = [a for a in parts if a.done]
        paper.parts = len(parts)
        paper.weight_total = sum(a.weight for a in parts)
        paper.ticked = len(done)
        paper.ticked_weight = sum(a.weight for a in done)
        paper.has_note = bool(paper.note_length)
        # The list whose reading a status or tick is carried from (progress.coverage.carry).
        paper.carried_from = getattr(paper, "carried_from", "")
        paper.start_with = next(
            (a.part for a in parts if a.level == Level.DEEP and not a.done), None
        )
        for level in Level.values:
            setattr(paper, f"n_{level}", sum(1 for a in parts if a.level == level))
        paper.progress = entry_progress(paper.status, [(a.level, a.done) for a in parts])
    return papers


@dataclass(frozen=True)
class EntryProgress:
    """How far one reader is with one entry under the one rule: the frozen answer every page and
    export reads, built only by entry_progress()."""

    status: Status
    parts: int  # current (not retired) parts
    ticked: int  # of those, ticked
    weight: int
    done: int
    optional: bool  # the list only says to skim-or-skip or skip it

    @property
    def counts(self) -> bool:
        """In the weighed total: every entry but a skipped one."""
        return self.status != Status.SKIPPED

    @property
    def settled(self) -> bool:
        """Read, skimmed or skipped: off the reader's to-do list."""
        return self.status in Status.finished()

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.weight)


def entry_progress(status: str, parts: Iterable[tuple[str, bool]]) -> EntryProgress:
    """The one rule (module docstring): `parts` are the entry's current parts as (level, ticked)."""
    status = Status(status)
    parts = list(parts)
    weighed = sum(LEVEL_WEIGHTS[level] for level, _ in parts)
    weight = weighed or 1
    ticked = sum(LEVEL_WEIGHTS[level] for level, done in parts if done)
    if status == Status.READ or (status == Status.SKIMMED and not weighed):
        done = weight
    elif status == Status.SKIMMED:
        done = sum(LEVEL_WEIGHTS[level] for level, done in parts if done or level != Level.DEEP)
    else:
        done = ticked if weighed else 0
    return EntryProgress(
        status=status,
        parts=len(parts),
        ticked=sum(1 for _, done in parts if done),
        weight=weight,
        done=min(done, weight),
        optional=bool(parts) and not weighed,
    )


@dataclass(frozen=True)
class Entry:
    """One entry as this reader stands with it: the annotated Paper and its progress."""

    paper: Paper
    progress: EntryProgress

    @property
    def status(self) -> Status:
        return self.progress.status

    @property
    def is_finished(self) -> bool:
        return self.progress.settled

    @property
    def weight(self) -> int:
        return self.progress.weight

    @property
    def done_weight(self) -> int:
        return self.progress.done

    @property
    def counts(self) -> bool:
        return self.progress.counts

    @property
    def percent(self) -> int:
        return self.progress.percent

    @property
    def optional(self) -> bool:
        """The list only says to skim-or-skip or skip it: not a candidate for Next up."""
        return self.progress.optional

    @property
    def has_note(self) -> bool:
        return self.paper.note_length > 0


@dataclass
class Tally:
    done: int = 0
    total: int = 0
    entries: int = 0
    statuses: Counter = field(default_factory=Counter)

    def add(self, entry: "Entry | EntryProgress") -> None:
        progress = entry.progress if isinstance(entry, Entry) else entry
        self.entries += 1
        self.statuses[progress.status.value] += 1
        if progress.counts:
            self.done += progress.done
            self.total += progress.weight

    @property
    def percent(self) -> int:
        """Weighted progress; skipped entries are out of the weighed total, so a group whose
        entries are all skipped is complete (and an empty group is at 0)."""
        if self.total:
            return round(100 * self.done / self.total)
        return 100 if self.entries else 0

    @property
    def finished(self) -> int:
        """Entries settled: read, skimmed or skipped."""
        return sum(self.statuses[s] for s in Status.finished())

    @property
    def entries_text(self) -> str:
        """What the bar says beside its weighted percentage, e.g. "3 of 5 entries"."""
        return f"{self.finished} of {self.entries} entr{'y' if self.entries == 1 else 'ies'}"

    @property
    def complete(self) -> bool:
        """Every entry settled (and at least one)."""
        return self.entries > 0 and self.finished == self.entries

    def status_counts(self) -> list[tuple[Status, int]]:
        return [(status, self.statuses[status.value]) for status in Status]


@dataclass
class Summary:
    entries: dict[int, Entry]
    tiers: list[outline.Group]
    overall: Tally
    by_section: dict[int, Tally]
    next_up: Entry | None
    reading: list[Entry]

    @property
    def started(self) -> bool:
        """The reader has done something: a status other than Unread, or a ticked part."""
        return any(
            e.status != Status.UNREAD or getattr(e.paper, "ticked", 0)
            for e in self.entries.values()
        )

    def groups_of(self, paper: Paper) -> list[outline.Group]:
        """The groups whose bars change when this entry changes: its subsection and its tier."""
        found = []
        for tier in self.tiers:
            for group in [tier, *tier.subgroups]:
                if group.section.pk in (paper.section_id, paper.section.parent_id):
                    found.append(group)
        return found


def summarise(papers: list[Paper]) -> Summary:
    """Tally counted entries (from reader_papers or reader_paper, in reading order)."""
    tiers = outline.build(sections_of(papers), papers)
    entries = {paper.pk: Entry(paper, paper.progress) for paper in papers}
    for paper in papers:
        paper.advice_summary_text = " · ".join(
            f"{getattr(paper, f'n_{level.value}')} {level.short}"
            for level in Level
            if getattr(paper, f"n_{level.value}")
        )
    overall = Tally()
    by_section: dict[int, Tally] = {}

    def walk(group: outline.Group) -> Tally:
        tally = Tally()
        for paper in group.papers():
            tally.add(entries[paper.pk])
        by_section[group.section.pk] = tally
        group.tally = tally
        for sub in group.subgroups:
            walk(sub)
        return tally

    for tier in tiers:
        walk(tier)
    for entry in entries.values():
        overall.add(entry)
    in_order = [entries[p.pk] for p in papers]
    next_up = next(
        (e for e in in_order if not e.is_finished and not e.optional and e.percent < 100), None
    )
    reading = [e for e in in_order if e.status == Status.READING]
    return Summary(entries, tiers, overall, by_section, next_up, reading)
