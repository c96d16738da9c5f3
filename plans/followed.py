"""The entries a reader's plan covers: every curriculum they follow, a shared work counted once.

Nothing is stored. In a fixed number of queries whatever the numbers of curricula, entries and the
reader's rows (the followed curricula, their entries, those entries' parts, the reader's statuses,
the reader's ticks):

- The curricula are the published ones the reader follows (progress.models.followed_ids says
  which: the default one unless they stopped, another once they chose it), the default first,
  then in the order of /lists/. Their entries come in that order, each curriculum in its reading
  order.
- Each entry is as the reader's record covers it, by the rules of progress/coverage.py: its status
  is what the reader marked last for its main work in any list (progress.coverage.newest),
  except that a skip stays with the entry it was decided on; a part is done when a part of
  the same key of the same work was ticked at least as deeply. progress.summary.counted then
  counts it under the one rule.
- Entries that cite the same main work are one work to read: the plan keeps the one with the
  most time left at its advised depth (the deeper advice wins), the first in that order on a tie.
  An entry the record settles (read or skimmed anywhere, or skipped in its own list) has none.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from catalogue.models import DEPTH, Advice, Citation, Curriculum, Paper
from plans import estimates
from progress.coverage import newest
from progress.models import PartTick, ReadingState, Status, followed_curricula, own_rows
from progress.summary import counted, summarise


@dataclass
class Followed:
    """What the plan covers for one reader."""

    curricula: list[Curriculum]  # followed, in the plan's order
    papers: list[Paper]  # to plan: counted entries with checklists, each main work once
    next_up: Paper | None
    # Every entry of the followed curricula, a shared work's other entries too: the reader's
    # pace reads its evidence wherever they marked it.
    entries: list[Paper] = field(default_factory=list)
    # Advice id -> when the reader's record first satisfied it (for "done since").
    covered_at: dict[int, dt.datetime] = field(default_factory=dict)

    def ticked_since(self, since: dt.datetime) -> set[int]:
        """The parts of the planned entries first satisfied by a tick made since `since`."""
        return {pk for pk, at in self.covered_at.items() if at >= since}


def _main_work(entry: str) -> Subquery:
    """The id of the main work of the entry at `entry` (None for an entry citing nothing)."""
    main = Citation.objects.main().filter(entry=OuterRef(entry))
    return Subquery(main.values("work_id")[:1])


def _key(paper_id: int, work_id: int | None) -> int:
    """One key per work: its main work row, or for an entry that cites none a work of its own
    (as catalogue.citations.works_of makes it, with the entry's id negated)."""
    return work_id if work_id is not None else -paper_id


def _entries(reader, curricula: list[Curriculum]) -> tuple[list[Paper], list[Paper]]:
    """(the current entries of `curricula`, in the curricula's order and each in its reading
    order; every entry the reader has a status or a tick on), in two queries: the entries with
    the reader's status and main work, then all their parts with when the reader ticked each."""
    if not curricula:
        return [], []
    order = {curriculum.pk: index for index, curriculum in enumerate(curricula)}
    ticked = PartTick.objects.filter(reader=reader, advice=OuterRef("pk")).values("done_at")
    parts = Advice.objects.order_by("position").annotate(ticked_at=Subquery(ticked[:1]))
    has_state = ReadingState.objects.filter(reader=reader, paper=OuterRef("pk"))
    has_tick = PartTick.objects.filter(reader=reader, advice__paper=OuterRef("pk"))
    found = (
        Paper.objects.filter(
            Q(section__curriculum__in=curricula, retired=False)
            | Exists(has_state)
            | Exists(has_tick)
        )
        .every_entry_in_reading_order()
        .select_related("section__parent")
        .annotate(
            **own_rows(reader),  # the work's state as set from this entry, and its skip
            main_work=_main_work("pk"),
        )
        .annotate(
            skipped_at=F("my_skip__updated_at"),
            own_status=Coalesce("mine__status", Value(Status.UNREAD)),
            own_started_at=F("mine__started_at"),
            own_finished_at=F("mine__finished_at"),
            own_updated_at=F("mine__updated_at"),
            read_before=Coalesce("mine__read_before", Value(False)),
        )
        .prefetch_related(Prefetch("advice", queryset=parts, to_attr="every_part"))
    )
    by_pk = {curriculum.pk: curriculum for curriculum in curricula}
    planned, record = [], []
    for paper in found:
        # A row set back to Unread is a mark too: the newest wins (progress.coverage.newest).
        if paper.own_updated_at is not None or any(a.ticked_at for a in paper.every_part):
            record.append(paper)
        if paper.section.curriculum_id not in by_pk or paper.retired:
            continue
        paper.checklist = [advice for advice in paper.every_part if not advice.retired]
        for section in (paper.section, paper.section.parent):
            if section is not None:  # named "Stage 2" or "Priority 2" without a query
                section.curriculum = by_pk[section.curriculum_id]
        planned.append(paper)
    planned.sort(key=lambda paper: order[paper.section.curriculum_id])
    return planned, record


def _cover(papers: list[Paper], record: list[Paper]) -> dict[int, dt.datetime]:
    """Lay the reader's `record` (entries carrying their status and ticks) over `papers`:
    status, dates and done parts as progress/coverage.py rules them. Returns when each part of
    `papers` was first satisfied."""
    by_work: dict[int, list[Paper]] = {}
    for entry in record:
        by_work.setdefault(_key(entry.pk, entry.main_work), []).append(entry)
    covered_at: dict[int, dt.datetime] = {}
    for paper in papers:
        holders = by_work.get(_key(paper.pk, paper.main_work), [])
        sources = [e for e in holders if e.pk != paper.pk]
        # The work's one state (set from whichever entry), against this entry's own skip.
        state = next((e for e in holders if e.own_updated_at is not None), None)
        own = (
            (Status.SKIPPED, paper.skipped_at, None)
            if paper.skipped_at
            else (Status.UNREAD, None, None)
        )
        others = [(state.own_status, state.own_updated_at, state)] if state else []
        paper.status, _, holder = newest(own, others)
        paper.started_at = holder.own_started_at if holder else None
        paper.finished_at = holder.own_finished_at if holder else None
        paper.read_before = holder.read_before if holder else False
        paper.note_length = 0  # the plan shows no notes
        ticks = [
            (advice.key, DEPTH[advice.level], advice.ticked_at)
            for entry in (paper, *sources)
            for advice in entry.every_part
            if advice.ticked_at
        ]
        for advice in paper.checklist:
            needed = DEPTH[advice.level]
            satisfied = [at for key, depth, at in ticks if key == advice.key and depth >= needed]
            advice.done = bool(satisfied)
            if satisfied:
                covered_at[advice.pk] = min(satisfied)
    return covered_at


def _once_per_work(papers: list[Paper]) -> list[Paper]:
    """Each main work once: of the entries citing it, the one with the most time left (then
    the longest at its advised depth, then the first)."""
    best: dict[int, Paper] = {}
    for paper in papers:
        key = _key(paper.pk, paper.main_work)
        kept = best.get(key)
        if kept is None or _weight(paper) > _weight(kept):
            best[key] = paper
    return [paper for paper in papers if best[_key(paper.pk, paper.main_work)] is paper]


def _weight(paper: Paper) -> tuple[float, float]:
    return (estimates.entry_minutes_left(paper).minutes, estimates.entry_minutes(paper).minutes)


def followed(reader) -> Followed:
    """The plan's entries for `reader`: three queries (one when they follow nothing)."""
    curricula = followed_curricula(reader)
    papers, record = _entries(reader, curricula)
    covered_at = _cover(papers, record)
    entries = counted(papers)
    papers = _once_per_work(entries)
    summary = summarise(papers)
    kept = {advice.pk for paper in papers for advice in paper.checklist}
    covered_at = {pk: at for pk, at in covered_at.items() if pk in kept}
    next_up = summary.next_up.paper if summary.next_up else None
    return Followed(curricula, papers, next_up, entries, covered_at)
