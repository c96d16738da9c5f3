"""Eight readers' tabs hammering the same database lose nothing and never fail.

Eight threads, each with its own test clients (so its own database connection), run 200 mixed
operations through the real views: status changes, part ticks and unticks, note saves. Each
thread has a reader of its own, whose rows only it writes, so "the last write" is well defined
and the final database must match the thread's log exactly. All eight also act as one shared
reader on one shared entry, racing for the same rows: there the database must still hold one
row per (reader, entry), an event history that chains, and every successful note save as its own
revision, while stale saves are refused with 409.

It runs on whichever database the suite uses: the file-backed SQLite test database (WAL,
IMMEDIATE transactions, busy timeout) in one CI run, PostgreSQL in the other.
"""

import random
import threading
import traceback
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client

from catalogue.models import Paper
from progress import bounds, services
from progress.models import Note, NoteRevision, PartTick, ReadingEvent, ReadingState, Status
from tests.factories import UserFactory, build_catalogue
from tests.helpers import HTMX

THREADS = 8
OPERATIONS = 200
STATUSES = list(Status.values)
# Shared parts: one only ever ticked, one only ever unticked, one both, so two have a known end.
TICK_ONLY, MIXED, UNTICK_ONLY = 1, 2, 3


@dataclass
class Op:
    """One request a thread sent: what it meant to do and how it was answered."""

    action: str  # "status", "tick" or "note"
    shared: bool
    slug: str
    value: str | bool
    position: int = 0
    key: str = ""
    base: int = 0
    stale: bool = False
    htmx: bool = True
    code: int = 0
    locked: bool = False

    @property
    def succeeded(self) -> bool:
        return self.code == (200 if self.htmx else 302)


def _post(client: Client, op: Op) -> Op:
    if op.action == "status":
        url, data = f"/entries/{op.slug}/status/", {"status": op.value}
    elif op.action == "tick":
        # The checklist form with only this part shown: it ticks or unticks that part and leaves
        # the entry's other parts as they are.
        url = f"/entries/{op.slug}/parts/"
        data = {"shown": op.key, "done": op.key} if op.value else {"shown": op.key}
    else:
        # Each save ends its sitting, so each keeps a revision of its own to check against.
        data = {"text": op.value, "base_version": op.base, "sitting": "end"}
        url = f"/notes/{op.slug}/"
    response = client.post(url, data, headers=HTMX if op.htmx else {})
    op.code = response.status_code
    op.locked = b"database is locked" in response.content
    return op


def _client_for(reader) -> Client:
    client = Client()
    client.force_login(reader)
    return client


def _run(index, own_reader, shared_reader, own_slugs, shared_slug, keys, barrier, logs, errors):
    """One thread: its own reader's entries, and the shared reader's one entry. `keys`: each
    part's key by (entry slug, position)."""
    rng = random.Random(index)
    log = logs[index]
    try:
        own, shared = _client_for(own_reader), _client_for(shared_reader)
        note_versions = dict.fromkeys(own_slugs, 0)
        barrier.wait()
        for number in range(OPERATIONS):
            htmx = rng.random() < 0.7
            roll = rng.random()
            if roll < 0.30:
                op = Op("status", False, rng.choice(own_slugs), rng.choice(STATUSES), htmx=htmx)
                log.append(_post(own, op))
            elif roll < 0.55:
                slug, position = rng.choice(own_slugs), rng.randint(1, 3)
                done, key = rng.random() < 0.6, keys[slug, position]
                op = Op("tick", False, slug, done, position=position, key=key, htmx=htmx)
                log.append(_post(own, op))
            elif roll < 0.70:
                slug = rng.choice(own_slugs[:2])
                text = f"thread {index}, save {number}: {'é' * rng.randint(0, 40)}"
                op = _post(own, Op("note", False, slug, text, base=note_versions[slug], htmx=htmx))
                if op.succeeded:
                    note_versions[slug] += 1
                log.append(op)
            elif roll < 0.80:
                op = Op("status", True, shared_slug, rng.choice(STATUSES), htmx=htmx)
                log.append(_post(shared, op))
            elif roll < 0.88:
                position = rng.choice([TICK_ONLY, MIXED, UNTICK_ONLY])
                done = {TICK_ONLY: True, UNTICK_ONLY: False}.get(position, rng.random() < 0.5)
                key = keys[shared_slug, position]
                op = Op("tick", True, shared_slug, done, position=position, key=key, htmx=htmx)
                log.append(_post(shared, op))
            else:
                # Base the save on the version saved right now: another thread may still save
                # first (409). A third of them are based one version back: always 409.
                current = (
                    Note.objects.filter(reader=shared_reader, paper__slug=shared_slug)
                    .values_list("version", flat=True)
                    .first()
                ) or 0
                stale = current > 0 and rng.random() < 0.33
                text = f"shared by thread {index}, save {number}"
                base = current - 1 if stale else current
                op = Op("note", True, shared_slug, text, base=base, stale=stale, htmx=htmx)
                log.append(_post(shared, op))
    except Exception:
        errors.append(f"thread {index}:\n{traceback.format_exc()}")
    finally:
        connection.close()


def _statuses_set(log: list[Op], slug: str) -> list[str]:
    """The statuses the log's requests set on an entry, in order: each status change, and
    Reading for a tick on an unread entry (the first tick starts it)."""
    statuses, current = [], Status.UNREAD
    for op in log:
        if op.slug != slug:
            continue
        if op.action == "status":
            statuses.append(current := op.value)
        elif op.action == "tick" and op.value and current == Status.UNREAD:
            statuses.append(current := Status.READING)
    return statuses


def _chain(statuses: list[str]) -> list[tuple[str, str]]:
    """The status events a sequence of requests must leave, starting from unread."""
    events, current = [], Status.UNREAD
    for status in statuses:
        if status != current:
            events.append((current, status))
            current = status
    return events


@pytest.mark.django_db(transaction=True)
def test_eight_threads_of_mixed_writes_lose_nothing_and_never_fail():
    # The premise: threads must meet on one real database, never a per-connection memory one.
    assert connection.vendor in {"sqlite", "postgresql"}
    assert not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    papers = build_catalogue(5, parts_per_entry=3)
    own_slugs = [paper.slug for paper in papers[:4]]
    shared_slug = papers[4].slug
    keys = {(p.slug, part.position): part.key for p in papers for part in p.advice.all()}
    readers = [UserFactory(username=f"thread{index}") for index in range(THREADS)]
    shared_reader = UserFactory(username="everyone")
    logs: list[list[Op]] = [[] for _ in range(THREADS)]
    errors: list[str] = []
    barrier = threading.Barrier(THREADS, timeout=30)
    threads = [
        threading.Thread(
            target=_run,
            args=(index, readers[index], shared_reader, own_slugs, shared_slug, keys, barrier),
            kwargs={"logs": logs, "errors": errors},
        )
        for index in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"

    assert errors == []
    every = [op for log in logs for op in log]
    assert len(every) == THREADS * OPERATIONS
    assert [op for op in every if op.code >= 500 or op.locked] == []
    for op in every:
        if op.action == "note" and (op.stale or op.shared):
            assert op.succeeded or op.code == 409, op
        else:
            assert op.succeeded, op
    assert all(op.code == 409 for op in every if op.stale)

    for reader, log in zip(readers, logs, strict=True):
        _assert_own_rows_match_the_log(reader, log, own_slugs)
    _assert_shared_rows_are_consistent(shared_reader, shared_slug, every)


def _assert_own_rows_match_the_log(reader, log: list[Op], slugs: list[str]) -> None:
    for slug in slugs:
        sets = _statuses_set(log, slug)
        final = services.status_of(reader, Paper.objects.get(slug=slug))
        assert final == (sets[-1] if sets else Status.UNREAD), (reader, slug)
        events = ReadingEvent.objects.filter(reader=reader, paper__slug=slug).order_by("id")
        chain = _chain(sets)
        if len(chain) > bounds.MAX_EVENTS_PER_ENTRY:  # folded: the first and the latest stay
            chain = chain[:1] + chain[-(bounds.MAX_EVENTS_PER_ENTRY - 1) :]
        assert [(e.from_status, e.to_status) for e in events] == chain, (reader, slug)

        last_tick = {}
        for op in log:
            if op.action == "tick" and op.slug == slug:
                last_tick[op.position] = op.value
        ticked = PartTick.objects.filter(reader=reader, advice__paper__slug=slug)
        assert set(ticked.values_list("advice__position", flat=True)) == {
            position for position, done in last_tick.items() if done
        }, (reader, slug)

        saves = [op for op in log if op.action == "note" and op.slug == slug]
        note = Note.objects.filter(reader=reader, paper__slug=slug).first()
        if not saves:
            assert note is None
            continue
        assert note.text == saves[-1].value, (reader, slug)
        assert note.version == len(saves), (reader, slug)
        revisions = note.revisions.order_by("version").values_list("version", "text")
        made = [(n, op.value) for n, op in enumerate(saves, start=1)]
        assert list(revisions) == made[-bounds.MAX_REVISIONS_PER_NOTE :]


def _assert_shared_rows_are_consistent(reader, slug: str, every: list[Op]) -> None:
    shared = [op for op in every if op.shared]

    states = ReadingState.objects.filter(reader=reader, paper__slug=slug)
    # At most the work's one state and the entry's one skip.
    assert states.exclude(status=Status.SKIPPED).count() <= 1
    assert states.filter(status=Status.SKIPPED).count() <= 1
    tried = {op.value for op in shared if op.action == "status"}
    if any(op.action == "tick" and op.value for op in shared):
        tried.add(Status.READING)  # a tick on the unread entry starts it
    final = services.status_of(reader, Paper.objects.get(slug=slug))
    assert final in tried | {Status.UNREAD}
    # One event per actual change, in the order the database serialised them: each one starts
    # where the previous ended, none is a non-change, and the last one ends at the final status.
    events = [
        (e.from_status, e.to_status)
        for e in ReadingEvent.objects.filter(reader=reader, paper__slug=slug).order_by("id")
    ]
    assert all(before != after and after in tried for before, after in events)
    # Past progress.bounds.MAX_EVENTS_PER_ENTRY the oldest are folded away, all but the first:
    # the first starts from unread, and the ones kept after it chain.
    assert len(events) <= bounds.MAX_EVENTS_PER_ENTRY
    if events:
        assert events[0][0] == Status.UNREAD
        latest = events[1:] if len(events) == bounds.MAX_EVENTS_PER_ENTRY else events
        assert [before for before, _ in latest[1:]] == [after for _, after in latest[:-1]]
    assert (events[-1][1] if events else Status.UNREAD) == final

    ticks = PartTick.objects.filter(reader=reader, advice__paper__slug=slug)
    positions = list(ticks.values_list("advice__position", flat=True))
    assert len(positions) == len(set(positions))
    tick_ops = {op.position for op in shared if op.action == "tick"}
    assert (TICK_ONLY in positions) == (TICK_ONLY in tick_ops)
    assert UNTICK_ONLY not in positions

    saved = [op for op in shared if op.action == "note" and op.succeeded]
    assert saved, "no shared save got through"
    note = Note.objects.get(reader=reader, paper__slug=slug)
    assert note.version == len(saved)
    # A save based on version b that succeeded made version b + 1 with its text.
    revisions = dict(
        NoteRevision.objects.filter(note=note).values_list("version", "text").order_by("version")
    )
    made = {op.base + 1: op.value for op in saved}
    # The newest MAX_REVISIONS_PER_NOTE are kept; older ones are folded away (progress/bounds.py).
    kept = sorted(made)[-bounds.MAX_REVISIONS_PER_NOTE :]
    assert revisions == {version: made[version] for version in kept}
    assert note.text == revisions[note.version]
