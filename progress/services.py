"""Writes that touch several rows or rules: one function per use case, each in one transaction."""

import datetime as dt

from django.db import connections, router
from django.utils import timezone

from catalogue.models import Advice, Citation, Curriculum, Edition, Paper, Section, depth_of
from progress import bounds, sql
from progress.coverage import newest
from progress.models import (
    NOTE_MAX_LENGTH,
    ChangesSeen,
    DashboardState,
    Follow,
    Note,
    NoteRevision,
    PartTick,
    ReadingState,
    Status,
)
from progress.writes import writes_reader


class NoteTooLong(ValueError):
    """The text is over NOTE_MAX_LENGTH characters; nothing was saved."""


class NoteConflict(Exception):
    """The note changed since the version the save was based on; nothing was saved."""

    def __init__(self, current: Note | None):
        super().__init__("note changed since it was loaded")
        self.current = current


@writes_reader()
def set_status(*, reader, paper: Paper, status: str, restate: bool = False) -> ReadingState:
    """Move a reader's entry to `status`, stamping dates and keeping a dated event. `restate`:
    the reader saw another list's reading carried onto this entry (progress.coverage.carry) and
    chose `status` here, so it is marked now even if this entry's own row already says it, and
    is the newest mark of the work."""
    return _move(reader, paper, status, restate=restate)


def main_work_id(paper: Paper) -> int | None:
    """The entry's main work: from the reader's list (summary._with_state reads it with the
    entries, so a write costs no query for it), else one query."""
    if "main_work_id" in paper.__dict__:
        return paper.main_work_id
    return Citation.objects.main_work_id(paper)


class Rows:
    """A reader's rows on one entry, locked: its skip, and its work's state (one query)."""

    def __init__(self, reader, paper: Paper, *, lock: bool = True):
        self.work_id = main_work_id(paper)
        select = sql.LOCKED_STATES if lock else sql.STATES
        found = select.instances([reader.pk, paper.pk, self.work_id])
        self.skip = next(
            (r for r in found if r.status == Status.SKIPPED and r.paper_id == paper.pk), None
        )
        mine = (lambda r: r.work_id == self.work_id) if self.work_id else (
            lambda r: r.paper_id == paper.pk
        )  # fmt: skip
        self.state = next((r for r in found if r.status != Status.SKIPPED and mine(r)), None)
        for row in (self.skip, self.state):
            if row is not None:
                row.reader = reader  # no query to reach them later

    @property
    def shown(self) -> str:
        """What the entry shows: the newer of its skip and its work's state."""
        own = (Status.SKIPPED, self.skip.updated_at) if self.skip else (Status.UNREAD, None)
        state = self.state
        others = [(state.status, state.updated_at)] if state else []
        return newest(own, others)[0]


def status_of(reader, paper: Paper) -> Status:
    """The status the entry shows the reader, read from their rows (two queries at most)."""
    return Status(Rows(reader, paper, lock=False).shown)


def _move(
    reader, paper: Paper, status: str, *, only_from: str | None = None, restate: bool = False
) -> ReadingState:
    """set_status's work, in the caller's transaction, after its bump; with `only_from`, only
    an entry now showing that status moves.

    Skipped is the entry's own decision: it is a row on the entry, and the work's state stays as
    it is for every other list. Any other status is the work's: the entry's skip (if any) goes,
    and the work's one state takes the status, set from this entry."""
    now = timezone.now()
    rows = Rows(reader, paper)
    previous = rows.shown
    if (previous == status and not restate) or only_from not in (None, previous):
        return rows.skip if previous == Status.SKIPPED else _or_new(rows, reader, paper)
    if status == Status.SKIPPED:
        state = rows.skip or ReadingState(reader=reader, paper=paper, work_id=rows.work_id)
        state.status, state.started_at, state.finished_at = Status.SKIPPED, None, None
        state.read_before = False
        _save_state(state, now)
    else:
        if rows.skip is not None:
            ReadingState.objects.filter(pk=rows.skip.pk).delete()
        state = _or_new(rows, reader, paper)
        if state.status != status or state.pk is None:
            _stamp(state, status, now)
        state.paper = paper  # set from this entry now: a list names it so
        _save_state(state, now)
    if previous == status:  # restated: no change of status to keep as an event
        return state
    sql.EVENT.execute(
        [
            {
                "reader": reader,
                "paper": paper,
                "work": rows.work_id,
                "from_status": previous,
                "to_status": status,
                "at": now,
            }
        ]
    )
    bounds.fold_events(reader, paper)
    return state


def _or_new(rows: Rows, reader, paper: Paper) -> ReadingState:
    if rows.state is not None:
        return rows.state
    return ReadingState(reader=reader, paper=paper, work_id=rows.work_id, status=Status.UNREAD)


def _stamp(state: ReadingState, status: str, now) -> None:
    """The work's state moves to `status`: its dates as the status says."""
    if status not in (Status.READ, Status.SKIMMED):  # no longer finished: nor read before
        state.read_before = False
    if status == Status.UNREAD:
        state.started_at = state.finished_at = None
    elif status == Status.READING:
        state.started_at = state.started_at or now
        state.finished_at = None
    else:  # read or skimmed
        state.started_at = state.started_at or now
        state.finished_at = now
    state.status = status


def _save_state(state: ReadingState, now) -> None:
    if state.pk is None:  # the first row: the ORM's insert gives it its id
        state.save()
        return
    state.updated_at = now
    changed = ["paper", "status", "started_at", "finished_at", "read_before", "updated_at"]
    alias = router.db_for_write(ReadingState)
    fields = [ReadingState._meta.get_field(name) for name in changed]
    values = [f.get_db_prep_save(getattr(state, f.attname), connections[alias]) for f in fields]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql.state_update(alias, changed), [*values, state.pk])


@writes_reader()
def set_read_before(*, reader, paper: Paper, read_before: bool = True) -> ReadingState:
    """Say the reader read this work before (not here): it is marked Read and the reader's pace
    (plans.pace) never counts it. Taken back, the entry stays Read and counts as read here only
    if it was started and finished here."""
    if read_before:
        state = _move(reader, paper, Status.READ)
    else:
        state = Rows(reader, paper).state or ReadingState(reader=reader, paper=paper)
    if state.pk is not None and state.read_before != read_before:
        state.read_before = read_before
        ReadingState.objects.filter(pk=state.pk).update(read_before=read_before)
    return state


@writes_reader()
def set_parts_done(
    *, reader, paper: Paper, shown: set[str], done: set[str], parts: list[Advice] | None = None
) -> ReadingState | None:
    """Make the reader's ticks on the parts `shown` (by key) exactly `done`.

    The first tick on an unread entry starts it: it becomes Reading, with its event, so the
    checklist and the status never disagree; its state is returned when there was a tick. Parts
    not shown keep whatever they had. `parts`: the entry's current parts, if the caller has them
    (reader_papers' checklist), else they are read.
    """
    if parts is None:
        parts = list(Advice.objects.current().filter(paper=paper, key__in=shown))
    shown_parts = [a for a in parts if a.key in shown]
    if not shown_parts:
        return None
    # The part is the work's, whichever list's advice is ticked: one query for the entry's work.
    work_id = main_work_id(paper)
    _untick(reader, work_id, [a for a in shown_parts if a.key not in done])
    ticked = [a for a in shown_parts if a.key in done]
    if not ticked:
        return None
    _tick(reader, work_id, ticked)
    return _move(reader, paper, Status.READING, only_from=Status.UNREAD)


def _tick(reader, work_id: int | None, parts: list[Advice]) -> None:
    """Tick these parts of the work at their advice's depth, stamped now and with the current
    edition. A part ticked already keeps its tick, made deeper (and this advice's) when this
    advice reads it deeper: a skim never undoes a deep reading."""
    now = timezone.now()
    sql.TICKS.execute([
        {"reader": reader, "work": work_id, "key": a.key, "depth": depth_of(a.level),
         "advice": a.pk, "done_at": now}
        for a in parts
    ])  # fmt: skip
    if work_id is not None:
        alias = router.db_for_write(PartTick)
        statement, params = sql.deepen(alias, reader.pk, work_id, parts)
        with connections[alias].cursor() as cursor:
            cursor.execute(statement, params)


def _untick(reader, work_id: int | None, parts: list[Advice]) -> None:
    """Untick these parts: the work's part, whichever list's advice ticked it."""
    if parts:
        alias = router.db_for_write(PartTick)
        statement, params = sql.untick(alias, reader.pk, work_id, parts)
        with connections[alias].cursor() as cursor:
            cursor.execute(statement, params)


# Autosaves closer together than this, in one sitting, are one revision of the note.
SITTING_GAP = dt.timedelta(minutes=10)


@writes_reader()
def save_note(
    *, reader, paper: Paper, text: str, base_version: int, fold: bool = False,
    end_sitting: bool = False,
) -> Note:  # fmt: skip
    """Save a note if it is still at `base_version`, keeping the saved text as a revision.

    Saves within SITTING_GAP of the previous one, while the sitting is open, update the latest
    revision (its text, time and version number) instead of adding one, so a sitting's autosaves
    leave one revision; the note's version still counts every save, which the conflict check
    needs. `fold` is for autosaves (the editor's own saves); a plain save or a restore always
    makes a revision of its own. `end_sitting` (the page was hidden or left) closes the sitting.

    Raises NoteConflict when another tab saved in between, NoteTooLong past the limit; in both
    cases nothing is written, so the caller can show the reader both texts.
    """
    if len(text) > NOTE_MAX_LENGTH:
        raise NoteTooLong(len(text))
    now = timezone.now()
    note = reader.notes.select_for_update().on(paper).first()
    folds = False
    if note is None:
        if base_version != 0:
            raise NoteConflict(None)
        work_id = main_work_id(paper)
        note = Note(
            reader=reader, paper=paper, work_id=work_id, text=text, version=1, updated_at=now
        )
        note.sitting_open = fold and not end_sitting
        note.store_rendering()
        note.save()
    else:
        if note.version != base_version:
            raise NoteConflict(note)
        if note.text == text:
            if end_sitting and note.sitting_open:
                note.sitting_open = False
                note.save(update_fields=["sitting_open"])
            return note
        folds = fold and note.sitting_open and now - note.updated_at < SITTING_GAP
        previous = note.version
        note.text = text
        note.version += 1
        note.updated_at = now
        note.sitting_open = fold and not end_sitting
        note.store_rendering()
        note.save(
            update_fields=[
                "text", "version", "updated_at", "rendered", "rendered_version", "sitting_open"
            ]
        )  # fmt: skip
    if folds and note.revisions.filter(version=previous).update(
        version=note.version, text=text, saved_at=now
    ):
        return note
    NoteRevision.objects.create(note=note, version=note.version, text=text, saved_at=now)
    bounds.fold_revisions(note)
    return note


def restore_revision(*, reader, paper: Paper, version: int, base_version: int) -> Note:
    """Make an earlier revision the current text, as a new version (history is never rewritten)."""
    revision = NoteRevision.objects.get(note__in=reader.notes.on(paper), version=version)
    return save_note(reader=reader, paper=paper, text=revision.text, base_version=base_version)


@writes_reader()
def mark_changes_seen(*, reader) -> None:
    """The reader has seen what changed up to the current edition; the marks go away."""
    edition = Edition.objects.of().newest_first().first()
    if edition is None:
        return
    ChangesSeen.objects.update_or_create(
        reader=reader, defaults={"edition": edition, "seen_at": timezone.now()}
    )


@writes_reader()
def set_tier_folded(*, reader, section: Section, folded: bool) -> DashboardState:
    """Fold a tier of the reader's dashboard away (or open it again), kept across visits and
    devices; the construct moves the dashboard's version on, so no cached page shows the old
    state."""
    state = DashboardState.objects.get(reader=reader)  # the construct made it and holds its lock
    slugs = {slug for slug in state.folded if slug != section.slug}
    if folded:
        slugs.add(section.slug)
    state.folded = sorted(slugs)
    state.save(update_fields=["folded"])
    return state


@writes_reader()
def set_following(*, reader, curriculum: Curriculum, following: bool) -> Follow:
    """Follow a curriculum, or stop following it: nothing the reader did is deleted."""
    follow, _ = Follow.objects.update_or_create(
        reader=reader,
        curriculum=curriculum,
        defaults={"following": following, "changed_at": timezone.now()},
    )
    return follow
