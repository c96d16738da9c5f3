"""The synthetic dataset the bench measures: the real reading list and 10,000 busy readers.

Run inside one database's environment (DATABASE_URL and the production settings set by
bench/run.py) as `python -m bench dataset COMMAND`; every command prints one JSON line.

Each reader's rows come from a random generator seeded with the reader's number, so the same
reader can be rebuilt alone in a second database (to compare "among 10,000" with "alone") and
restored after a benchmark changed their statuses.
"""

import argparse
import hashlib
import os
import random
import string
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mireads.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402 (Django must be set up first)
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from catalogue import fixture  # noqa: E402
from catalogue.models import Advice, Paper  # noqa: E402
from progress.models import (  # noqa: E402
    Note,
    NoteRevision,
    PartTick,
    ReadingEvent,
    ReadingState,
    Status,
)

# Bump when the shape of the data below changes, so that cached databases are rebuilt.
DATASET_VERSION = 1
TICKS_PER_READER = 10
NOTES_PER_READER = 20
NOTE_PARAGRAPHS = 4  # about 1 KB of Markdown per note
READERS_PER_BATCH = 250
META_TABLE = "bench_dataset"
# Every reader shares one password hash: hashing 10,000 passwords would take minutes and
# measure nothing the pages do.
PASSWORD = "bench reader passphrase"  # noqa: S105 (local, throwaway accounts)

# How a busy reader's list looks: a third untouched, the rest spread over the other statuses.
STATUS_WEIGHTS = {
    Status.UNREAD: 35,
    Status.READING: 15,
    Status.READ: 25,
    Status.SKIMMED: 15,
    Status.SKIPPED: 10,
}
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
HOURS = [EPOCH + timedelta(hours=hour) for hour in range(365 * 24)]
VOCABULARY = """
    attention head residual stream superposition feature circuit neuron activation patching
    logit lens induction copying embedding unembedding layer norm MLP sparse dictionary probe
    ablation path gradient polysemantic monosemantic basis direction interference toy model
    transformer token position query key value composition virtual weight eigenvalue
    grokking Fourier modular addition phase change memorisation generalisation checkpoint
    the a of to and in that is was this why how what which because so but not
"""
WORDS = VOCABULARY.split()


def username(index: int) -> str:
    return f"bench-reader-{index:05d}"


def paragraphs() -> list[str]:
    """A fixed pool of Markdown paragraphs (about 200 bytes each) that notes are made of."""
    rng = random.Random("mireads-bench-paragraphs")
    pool = []
    for number in range(400):
        sentence = " ".join(rng.choices(WORDS, k=32)).capitalize() + "."
        pool.append(
            f"- **{rng.choice(WORDS)}**: {sentence}" if number % 4 == 0 else f"{sentence} Why?"
        )
    return pool


@dataclass
class Catalogue:
    """What readers' rows point at, in reading order."""

    papers: list[tuple[int, str]]
    advice: list[int]
    paragraphs: list[str] = field(default_factory=paragraphs)

    @classmethod
    def load(cls) -> "Catalogue":
        papers = list(Paper.objects.in_reading_order().values_list("id", "slug"))
        order = {paper_id: place for place, (paper_id, _) in enumerate(papers)}
        advice = sorted(
            Advice.objects.values_list("id", "paper_id", "position"),
            key=lambda row: (order[row[1]], row[2]),
        )
        return cls(papers=papers, advice=[row[0] for row in advice])


@dataclass
class Rows:
    states: list[ReadingState] = field(default_factory=list)
    events: list[ReadingEvent] = field(default_factory=list)
    ticks: list[PartTick] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def reader_rows(index: int, reader_id: int, catalogue: Catalogue, rows: Rows) -> None:
    """Append one reader's statuses, events, ticks and notes; the same index gives the same rows.

    Statuses come first so that restoring them alone replays the generator identically.
    """
    rng = random.Random(f"mireads-bench-reader-{index}")
    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=99)
    for place, (paper_id, _) in enumerate(catalogue.papers):
        status = statuses[place % len(statuses)]
        start = rng.randrange(len(HOURS) - 24 * 40)
        started_at = finished_at = None
        if status in (Status.READING, Status.READ, Status.SKIMMED):
            started_at = HOURS[start]
            rows.events.append(
                ReadingEvent(
                    reader_id=reader_id,
                    paper_id=paper_id,
                    from_status=Status.UNREAD,
                    to_status=Status.READING,
                    at=started_at,
                )
            )
        if status in (Status.READ, Status.SKIMMED, Status.SKIPPED):
            finished_at = HOURS[start + rng.randrange(24 * 40)]
            rows.events.append(
                ReadingEvent(
                    reader_id=reader_id,
                    paper_id=paper_id,
                    from_status=Status.READING if started_at else Status.UNREAD,
                    to_status=status,
                    at=finished_at,
                )
            )
        rows.states.append(
            ReadingState(
                reader_id=reader_id,
                paper_id=paper_id,
                status=status,
                started_at=started_at,
                finished_at=finished_at,
            )
        )
    for advice_id in rng.sample(catalogue.advice, min(TICKS_PER_READER, len(catalogue.advice))):
        rows.ticks.append(
            PartTick(reader_id=reader_id, advice_id=advice_id, done_at=rng.choice(HOURS))
        )
    for paper_id, slug in rng.sample(
        catalogue.papers, min(NOTES_PER_READER, len(catalogue.papers))
    ):
        text = f"# {slug}\n\n" + "\n\n".join(rng.sample(catalogue.paragraphs, NOTE_PARAGRAPHS))
        rows.notes.append(
            Note(
                reader_id=reader_id,
                paper_id=paper_id,
                text=text,
                version=1,
                updated_at=rng.choice(HOURS),
            )
        )


def write(rows: Rows) -> None:
    """Insert a batch of readers' rows; each note gets its one revision."""
    ReadingState.objects.bulk_create(rows.states)
    ReadingEvent.objects.bulk_create(rows.events)
    PartTick.objects.bulk_create(rows.ticks)
    notes = Note.objects.bulk_create(rows.notes)
    NoteRevision.objects.bulk_create(
        NoteRevision(
            note_id=note.pk, version=note.version, text=note.text, saved_at=note.updated_at
        )
        for note in notes
    )


def fingerprint(readers: int, only: int | None) -> str:
    digest = hashlib.sha256(fixture.FIXTURE_PATH.read_bytes())
    shape = (DATASET_VERSION, readers, only, TICKS_PER_READER, NOTES_PER_READER, NOTE_PARAGRAPHS)
    digest.update(repr(shape).encode())
    return digest.hexdigest()


def stored_fingerprint() -> str | None:
    if META_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT fingerprint FROM {META_TABLE}")  # noqa: S608 (a constant)
        row = cursor.fetchone()
    return row[0] if row else None


def counts() -> dict[str, int]:
    return {
        "readers": get_user_model().objects.filter(username__startswith="bench-reader-").count(),
        "entries": Paper.objects.count(),
        "statuses": ReadingState.objects.count(),
        "events": ReadingEvent.objects.count(),
        "ticks": PartTick.objects.count(),
        "notes": Note.objects.count(),
        "revisions": NoteRevision.objects.count(),
    }


def build(readers: int, only: int | None) -> dict:
    """Fill an empty, migrated database; `only` keeps a single reader of the `readers`."""
    started = time.perf_counter()
    indexes = [only] if only is not None else list(range(1, readers + 1))
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            # A throwaway file: a crash mid-build is rebuilt anyway, so skip the fsyncs.
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        fixture.load_file(fixture.FIXTURE_PATH)
        catalogue = Catalogue.load()
        password = make_password(PASSWORD)
        User = get_user_model()
        User.objects.bulk_create(
            (
                User(
                    username=username(index),
                    email=f"{username(index)}@example.org",
                    password=password,
                )
                for index in indexes
            ),
            batch_size=1000,
        )
        ids = dict(
            User.objects.filter(username__startswith="bench-reader-").values_list("username", "id")
        )
        for start in range(0, len(indexes), READERS_PER_BATCH):
            rows = Rows()
            for index in indexes[start : start + READERS_PER_BATCH]:
                reader_rows(index, ids[username(index)], catalogue, rows)
            write(rows)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {META_TABLE} (fingerprint varchar(64) NOT NULL)")
            cursor.execute(
                f"INSERT INTO {META_TABLE} (fingerprint) VALUES (%s)",  # noqa: S608 (a constant)
                [fingerprint(readers, only)],
            )
    if connection.vendor == "postgresql":
        # What autovacuum would soon do on a real server: give the planner row counts.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"seconds": round(time.perf_counter() - started, 1), "counts": counts()}


def session(index: int) -> dict:
    """A signed-in session for one reader, and a CSRF token, as a browser would hold them."""
    reader = get_user_model().objects.get(username=username(index))
    store = SessionStore()
    store[SESSION_KEY] = str(reader.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = reader.get_session_auth_hash()
    store.create()
    # The unmasked secret is a valid X-CSRFToken as well as the cookie value.
    token = get_random_string(32, string.ascii_letters + string.digits)
    signed_in = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    slugs = list(Paper.objects.in_reading_order().values_list("slug", flat=True))
    return {
        "cookie": f"{signed_in}; {settings.CSRF_COOKIE_NAME}={token}",
        "session_cookie": signed_in,  # without a CSRF cookie: a new CSRF secret every request
        "csrf": token,
        "slugs": slugs,
    }


@transaction.atomic
def restore_statuses(index: int) -> dict:
    """Put back one reader's generated statuses and events, undoing a benchmark's writes."""
    reader = get_user_model().objects.get(username=username(index))
    ReadingState.objects.filter(reader=reader).delete()
    ReadingEvent.objects.filter(reader=reader).delete()
    rows = Rows()
    reader_rows(index, reader.pk, Catalogue.load(), rows)
    ReadingState.objects.bulk_create(rows.states)
    ReadingEvent.objects.bulk_create(rows.events)
    return {"statuses": len(rows.states), "events": len(rows.events)}


def command(args: argparse.Namespace) -> dict:
    """One `python -m bench dataset` command (see bench/__main__.py): what it prints as JSON."""
    if args.command in ("status", "build"):
        call_command("migrate", interactive=False, verbosity=0)
        current = stored_fingerprint() == fingerprint(args.readers, args.only)
        if args.command == "status" or current:
            return {"current": current}
        if get_user_model().objects.exists():
            raise SystemExit("The database is not empty: reset it before building.")
        return build(args.readers, args.only)
    if args.command == "session":
        return session(args.reader)
    return restore_statuses(args.reader)
