"""Writes that touch several rows or rules: one function per use case, each in one transaction."""

import datetime as dt
from functools import wraps

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from catalogue.models import Advice, Edition, Paper, Section
from progress import bounds
from progress.models import (
    NOTE_MAX_LENGTH,
    ChangesSeen,
    DashboardState,
    Note,
    NoteRevision,
    ReadingState,
    Status,
)
from progress.pagecache import bump_dashboard


class NoteTooLong(ValueError):
    """The text is over NOTE_MAX_LENGTH characters; nothing was saved."""


class NoteConflict(Exception):
    """The note changed since the version the save was based on; nothing was saved."""

    def __init__(self, current: Note | None):
        super().__init__("note changed since it was loaded")
        self.current = current


def _retry_once_on_race(write):
    """Run a write again if a concurrent first insert of the same row beat it.

    Locking reads (select_for_update) serialise writers to rows that exist. Two requests
    creating the same row at once are caught by the unique constraint instead: the loser's
    transaction rolls back whole, and its second attempt finds, locks and updates the row.
    (SQLite never gets here: its IMMEDIATE transactions already serialise all writers.)
    """

    @wraps(write)
    def attempt(**kwargs):
        try:
            return write(**kwargs)
        except IntegrityError:
            return write(**kwargs)

    return attempt


@_retry_once_on_race
@transaction.atomic
def set_status(*, reader, paper: Paper, status: str) -> ReadingState:
    """Move a reader's entry to `status`, stamping dates and keeping a dated event."""
    # First, before any other row: every write of a reader takes their dashboard row's lock
    # first, so two of their writes at once queue on it instead of deadlocking over the rest.
    bump_dashboard(reader=reader)
    return _move(reader, paper, status)


def _move(reader, paper: Paper, status: str, *, only_from: str | None = None) -> ReadingState:
    """set_status's work, in the caller's transaction, after its bump; with `only_from`, only
    an entry now at that status moves."""
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        state = _locked_state(cursor, reader, paper)
        previous = state.status
        if previous == status or only_from not in (None, previous):
            return state
        if status == Status.UNREAD:
            state.started_at = state.finished_at = None
        elif status == Status.READING:
            state.started_at = state.started_at or now
            state.finished_at = None
        elif status in (Status.READ, Status.SKIMMED):
            state.started_at = state.started_at or now
            state.finished_at = now
        else:  # skipped: set aside, so not finished reading
            state.finished_at = None
        state.status = status
        if state.pk is None:  # the entry's first status: the ORM's insert gives the row its id
            state.save()
        else:
            state.updated_at = now
            dates = [stamp(state.started_at), stamp(state.finished_at), stamp(now)]
            cursor.execute(_SQL["update"], [status, *dates, state.pk])
        cursor.execute(_SQL["event"], [reader.pk, paper.pk, previous, status, stamp(now)])
    bounds.fold_events(reader, paper)
    return state


# The few statements of a status change and a tick in plain SQL, as the dashboard's version read
# is (progress/pagecache.py): building each ORM statement cost several times what the database
# takes to run it, and a status change made four of them (in process, ~2 ms of a ~7 ms request).
# The tables of ReadingState, ReadingEvent, PartTick and catalogue.Edition; the edition subquery
# stamps the edition readers see now (null before the first), so it costs no query of its own.
_STATE_COLUMNS = [
    "id", "reader_id", "paper_id", "status", "started_at", "finished_at", "updated_at"
]  # fmt: skip
_SQL = {
    "select": (
        "SELECT id, reader_id, paper_id, status, started_at, finished_at, updated_at "
        "FROM progress_readingstate WHERE reader_id = %s AND paper_id = %s"
    ),
    "update": (
        "UPDATE progress_readingstate SET status = %s, started_at = %s, finished_at = %s, "
        "updated_at = %s WHERE id = %s"
    ),
    "event": (
        "INSERT INTO progress_readingevent (reader_id, paper_id, from_status, to_status, at, "
        "edition_id) VALUES (%s, %s, %s, %s, %s, "
        "(SELECT e.id FROM catalogue_edition e ORDER BY e.number DESC LIMIT 1))"
    ),
    # ON CONFLICT DO NOTHING: PostgreSQL's and SQLite's (3.24+) own words for ignore_conflicts.
    "tick": (
        "INSERT INTO progress_parttick (reader_id, advice_id, done_at, edition_id) "
        "VALUES {rows} ON CONFLICT DO NOTHING"
    ),
    "tick_row": (
        "(%s, %s, %s, (SELECT e.id FROM catalogue_edition e ORDER BY e.number DESC LIMIT 1))"
    ),
    "untick": "DELETE FROM progress_parttick WHERE reader_id = %s AND advice_id IN ({ids})",
}


def _locked_state(cursor, reader, paper: Paper) -> ReadingState:
    """The reader's state of the entry, its row locked (FOR UPDATE where the database has it;
    SQLite's IMMEDIATE transactions already serialise every writer); unsaved if it has none."""
    sql = _SQL["select"]
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    cursor.execute(sql, [reader.pk, paper.pk])
    found = cursor.fetchone()
    if found is None:
        return ReadingState(reader=reader, paper=paper)
    *ids, status, started_at, finished_at, updated_at = found
    dates = [_datetime(value) for value in (started_at, finished_at, updated_at)]
    state = ReadingState.from_db(connection.alias, _STATE_COLUMNS, [*ids, status, *dates])
    state.reader, state.paper = reader, paper  # no query to reach them later
    return state


def _datetime(value):
    """A date and time column as the ORM gives it (aware; SQLite's driver gives it naive)."""
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    return convert(value, None, connection) if convert else value


@_retry_once_on_race
@transaction.atomic
def set_parts_done(
    *, reader, paper: Paper, shown: set[str], done: set[str], parts: list[Advice] | None = None
) -> ReadingState | None:
    """Make the reader's ticks on the parts `shown` (by key) exactly `done`.

    The first tick on an unread entry starts it: it becomes Reading, with its event, so the
    checklist and the status never disagree; its state is returned when there was a tick. Parts
    not shown keep whatever they had. `parts`: the entry's current parts, if the caller has them
    (reader_papers' checklist), else they are read.
    """
    bump_dashboard(reader=reader)  # first: see set_status
    if parts is None:
        parts = list(Advice.objects.current().filter(paper=paper, key__in=shown))
    ids = {a.key: a.pk for a in parts if a.key in shown}
    _untick(reader, [pk for key, pk in ids.items() if key not in done])
    ticked = [pk for key, pk in ids.items() if key in done]
    if not ticked:
        return None
    _tick(reader, ticked)
    return _move(reader, paper, Status.READING, only_from=Status.UNREAD)


@transaction.atomic
def set_part_done(*, reader, advice: Advice, done: bool) -> None:
    """Tick or untick one advised part; ticking twice is the same as ticking once."""
    bump_dashboard(reader=reader)  # first: see set_status
    if done:
        _tick(reader, [advice.pk])
    else:
        _untick(reader, [advice.pk])


def _tick(reader, advice_ids: list[int]) -> None:
    """Tick these parts (ids), stamped now and with the current edition; ticked ones stay."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = ", ".join([_SQL["tick_row"]] * len(advice_ids))
    with connection.cursor() as cursor:
        values = [value for pk in advice_ids for value in (reader.pk, pk, now)]
        cursor.execute(_SQL["tick"].format(rows=rows), values)


def _untick(reader, advice_ids: list[int]) -> None:
    if advice_ids:
        ids = ", ".join(["%s"] * len(advice_ids))
        with connection.cursor() as cursor:
            cursor.execute(_SQL["untick"].format(ids=ids), [reader.pk, *advice_ids])


# Autosaves closer together than this, in one sitting, are one revision of the note.
SITTING_GAP = dt.timedelta(minutes=10)


@_retry_once_on_race
@transaction.atomic
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
    bump_dashboard(reader=reader)  # first: see set_status (a conflict rolls it back)
    now = timezone.now()
    note = reader.notes.select_for_update().filter(paper=paper).first()
    folds = False
    if note is None:
        if base_version != 0:
            raise NoteConflict(None)
        note = Note(reader=reader, paper=paper, text=text, version=1, updated_at=now)
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
    revision = NoteRevision.objects.get(note__reader=reader, note__paper=paper, version=version)
    return save_note(reader=reader, paper=paper, text=revision.text, base_version=base_version)


@transaction.atomic
def mark_changes_seen(*, reader) -> None:
    """The reader has seen what changed up to the current edition; the marks go away."""
    edition = Edition.objects.newest_first().first()
    if edition is None:
        return
    bump_dashboard(reader=reader)  # first: see set_status
    ChangesSeen.objects.update_or_create(
        reader=reader, defaults={"edition": edition, "seen_at": timezone.now()}
    )


@_retry_once_on_race
@transaction.atomic
def set_tier_folded(*, reader, section: Section, folded: bool) -> DashboardState:
    """Fold a tier of the reader's dashboard away (or open it again), kept across visits and
    devices; the dashboard's version moves on, so no cached page shows the old state."""
    state, _ = DashboardState.objects.select_for_update().get_or_create(reader=reader)
    slugs = {slug for slug in state.folded if slug != section.slug}
    if folded:
        slugs.add(section.slug)
    state.folded = sorted(slugs)
    state.version = F("version") + 1
    state.save(update_fields=["folded", "version"])
    state.refresh_from_db(fields=["version"])
    return state
