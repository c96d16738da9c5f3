"""Writes that touch several rows or rules: one function per use case, each in one transaction."""

import datetime as dt
from functools import wraps

from django.db import IntegrityError, transaction
from django.db.models import F, Subquery
from django.utils import timezone

from catalogue.models import Advice, Edition, Paper, Section
from progress.models import (
    NOTE_MAX_LENGTH,
    ChangesSeen,
    DashboardState,
    Note,
    NoteRevision,
    PartTick,
    ReadingEvent,
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
    now = timezone.now()
    states = reader.reading_states.select_for_update()
    state = states.filter(paper=paper).first() or ReadingState(reader=reader, paper=paper)
    previous = state.status
    if previous == status:
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
    state.save()
    ReadingEvent.objects.create(
        reader=reader,
        paper=paper,
        from_status=previous,
        to_status=status,
        at=now,
        edition_id=_current_edition(),
    )
    return state


def _current_edition() -> Subquery:
    """The edition readers see now (null before the first), stamped on what they do so later
    changes can be told apart; a subquery inside the insert, so it costs no query of its own."""
    return Subquery(Edition.objects.newest_first().values("pk")[:1])


@transaction.atomic
def set_parts_done(*, reader, paper: Paper, shown: set[str], done: set[str]) -> None:
    """Make the reader's ticks on the parts `shown` (by key) exactly `done`.

    The first tick on an unread entry starts it: it becomes Reading, with its event, so the
    checklist and the status never disagree. Parts not shown keep whatever they had.
    """
    bump_dashboard(reader=reader)  # first: see set_status
    parts = {a.key: a for a in Advice.objects.current().filter(paper=paper, key__in=shown)}
    unticked = [a for key, a in parts.items() if key not in done]
    PartTick.objects.filter(reader=reader, advice__in=unticked).delete()
    now = timezone.now()
    edition = _current_edition()
    ticks = [
        PartTick(reader=reader, advice=parts[p], done_at=now, edition_id=edition)
        for p in done
        if p in parts
    ]
    PartTick.objects.bulk_create(ticks, ignore_conflicts=True)
    state = reader.reading_states.filter(paper=paper).first()
    if ticks and (state is None or state.status == Status.UNREAD):
        set_status(reader=reader, paper=paper, status=Status.READING)


@transaction.atomic
def set_part_done(*, reader, advice: Advice, done: bool) -> None:
    """Tick or untick one advised part; ticking twice is the same as ticking once."""
    bump_dashboard(reader=reader)  # first: see set_status
    if done:
        PartTick.objects.bulk_create(
            [
                PartTick(
                    reader=reader,
                    advice=advice,
                    done_at=timezone.now(),
                    edition_id=_current_edition(),
                )
            ],
            ignore_conflicts=True,
        )
    else:
        PartTick.objects.filter(reader=reader, advice=advice).delete()


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
