"""The synthetic dataset the bench measures: the real reading list and thousands of busy readers
(10,000 on SQLite, 100,000 on PostgreSQL: bench/environment.py).

Run inside one database's environment (DATABASE_URL and the production settings set by
bench/run.py) as `python -m bench dataset COMMAND`; every command prints one JSON line.

Each reader's rows come from a random generator seeded with the reader's number, so the same
reader can be rebuilt alone in a second database (to compare "among them all" with "alone") and
restored after a benchmark changed their statuses. On PostgreSQL the rows go in through `COPY`
(psycopg's `cursor.copy()`), some 10x faster than `bulk_create`; elsewhere through `bulk_create`.
"""

import argparse
import hashlib
import os
import random
import string
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

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
from django.contrib.sessions.models import Session  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.db.models import OuterRef, Subquery  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from bench import curricula  # noqa: E402
from catalogue import fixture  # noqa: E402
from catalogue.models import Advice, Citation, Paper, depth_of  # noqa: E402
from progress.models import (  # noqa: E402
    DashboardState,
    Note,
    NoteRevision,
    PartTick,
    ReadingEvent,
    ReadingState,
    Status,
)

# Bump when the shape of the data below changes, so that cached databases are rebuilt.
DATASET_VERSION = 4  # 3: two further curricula beside the shipped list; 4: ticks, notes by work
TICKS_PER_READER = 10
NOTES_PER_READER = 20
NOTE_PARAGRAPHS = 4  # about 1 KB of Markdown per note
# Past this many readers only every tenth reader keeps notes (generated for all, written for
# those): 100,000 readers' notes and revisions would be 4 GB of text, hours of building on 2
# cores, for a dashboard that reads a note's length. The measured reader (5,000) keeps theirs.
ALL_NOTES_UP_TO = 10_000
NOTES_EVERY = 10
READERS_PER_BATCH = 250
COPY_READERS_PER_BATCH = 5000  # one transaction per batch on PostgreSQL
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
    advice: list[tuple[int, int | None, str, int]]  # id, its work, its key, its depth
    works: dict[int, int | None] = field(default_factory=dict)  # entry → its main work
    paragraphs: list[str] = field(default_factory=paragraphs)

    @classmethod
    def load(cls) -> "Catalogue":
        # Readers' rows are on the default curriculum, the one their dashboards follow.
        papers = list(Paper.objects.of().in_reading_order().values_list("id", "slug"))
        order = {paper_id: place for place, (paper_id, _) in enumerate(papers)}
        main = Citation.objects.main().filter(entry=OuterRef("paper")).values("work_id")[:1]
        advice = sorted(
            Advice.objects.filter(paper__in=order)
            .annotate(work=Subquery(main))
            .values_list("id", "paper_id", "position", "work", "key", "level"),
            key=lambda row: (order[row[1]], row[2]),
        )
        works = dict(
            Citation.objects.main().filter(entry__in=order).values_list("entry_id", "work_id")
        )
        return cls(
            papers=papers,
            advice=[(pk, work, key, depth_of(level)) for pk, _, _, work, key, level in advice],
            works=works,
        )


class StateRow(NamedTuple):
    reader_id: int
    paper_id: int
    work_id: int | None
    status: str
    started_at: datetime | None
    finished_at: datetime | None


class EventRow(NamedTuple):
    reader_id: int
    paper_id: int
    work_id: int | None
    from_status: str
    to_status: str
    at: datetime


class TickRow(NamedTuple):
    reader_id: int
    advice_id: int
    work_id: int | None
    key: str
    depth: int
    done_at: datetime


class NoteRow(NamedTuple):
    reader_id: int
    paper_id: int
    work_id: int | None
    text: str
    updated_at: datetime


@dataclass
class Rows:
    """Plain tuples, not model instances: 3 million `ReadingState`s are made in seconds."""

    states: list[StateRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    ticks: list[TickRow] = field(default_factory=list)
    notes: list[NoteRow] = field(default_factory=list)


def keeps_notes(index: int, readers: int) -> bool:
    return readers <= ALL_NOTES_UP_TO or index % NOTES_EVERY == 0


def reader_rows(
    index: int, reader_id: int, catalogue: Catalogue, rows: Rows, *, notes: bool = True
) -> None:
    """Append one reader's statuses, events, ticks and notes; the same index gives the same rows.

    Statuses come first so that restoring them alone replays the generator identically; notes
    are drawn for every reader, so whether they are kept changes nothing else.
    """
    rng = random.Random(f"mireads-bench-reader-{index}")
    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=99)
    for place, (paper_id, _) in enumerate(catalogue.papers):
        status = statuses[place % len(statuses)]
        work = catalogue.works.get(paper_id)
        start = rng.randrange(len(HOURS) - 24 * 40)
        started_at = finished_at = None
        if status in (Status.READING, Status.READ, Status.SKIMMED):
            started_at = HOURS[start]
            rows.events.append(
                EventRow(reader_id, paper_id, work, Status.UNREAD, Status.READING, started_at)
            )
        if status in (Status.READ, Status.SKIMMED, Status.SKIPPED):
            finished_at = HOURS[start + rng.randrange(24 * 40)]
            before = Status.READING if started_at else Status.UNREAD
            rows.events.append(EventRow(reader_id, paper_id, work, before, status, finished_at))
        rows.states.append(StateRow(reader_id, paper_id, work, status, started_at, finished_at))
    for advice in rng.sample(catalogue.advice, min(TICKS_PER_READER, len(catalogue.advice))):
        rows.ticks.append(TickRow(reader_id, *advice, rng.choice(HOURS)))
    for paper_id, slug in rng.sample(
        catalogue.papers, min(NOTES_PER_READER, len(catalogue.papers))
    ):
        text = f"# {slug}\n\n" + "\n\n".join(rng.sample(catalogue.paragraphs, NOTE_PARAGRAPHS))
        updated_at = rng.choice(HOURS)
        if notes:
            rows.notes.append(
                NoteRow(reader_id, paper_id, catalogue.works.get(paper_id), text, updated_at)
            )


def write_states_and_events(rows: Rows) -> None:
    ReadingState.objects.bulk_create(ReadingState(**row._asdict()) for row in rows.states)
    ReadingEvent.objects.bulk_create(ReadingEvent(**row._asdict()) for row in rows.events)


def write(rows: Rows) -> None:
    """Insert a batch of readers' rows with the ORM (revisions: see `add_revisions`)."""
    write_states_and_events(rows)
    PartTick.objects.bulk_create(PartTick(**row._asdict()) for row in rows.ticks)
    Note.objects.bulk_create(Note(**row._asdict(), version=1) for row in rows.notes)


# --- COPY on PostgreSQL ---------------------------------------------------------------------------


def copy(model: type[models.Model], columns: dict[str, object], rows: Iterable[tuple]) -> None:
    """`COPY table (columns...) FROM STDIN`: each row's values, `columns`' constants, and every
    other concrete column's default (taken from the model, so a field added later is filled)."""
    table = model._meta.db_table
    given = [*kind_of(model)._fields, *columns]
    defaults = {
        f.name: f.get_default()
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in given and f.attname not in given
    }
    missing = [n for n, v in defaults.items() if v is None and not model._meta.get_field(n).null]
    if missing:
        raise ValueError(f"bench/dataset.py: give {model.__name__}.{missing} a value in copy_rows")
    names = [*rowfields(model, rows), *(model._meta.get_field(n).column for n in columns)]
    names += [model._meta.get_field(n).column for n in defaults]
    constants = (*columns.values(), *defaults.values())
    statement = f"COPY {table} ({', '.join(names)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as stream:
        for row in rows:
            stream.write_row((*row, *constants))


def kind_of(model: type[models.Model]):
    return {ReadingState: StateRow, ReadingEvent: EventRow, PartTick: TickRow, Note: NoteRow}[model]


def rowfields(model: type[models.Model], rows) -> list[str]:
    return [model._meta.get_field(name).column for name in kind_of(model)._fields]


def copy_rows(rows: Rows, now: datetime) -> None:
    copy(ReadingState, {"updated_at": now}, rows.states)
    copy(ReadingEvent, {}, rows.events)
    copy(PartTick, {}, rows.ticks)
    copy(
        Note,
        {
            "version": 1,
            "created_at": now,
            "rendered": "",
            "rendered_version": 0,
            "sitting_open": False,
        },
        rows.notes,
    )


def add_revisions() -> None:
    """Each note's one revision, made in the database from the notes themselves."""
    revisions, notes = NoteRevision._meta.db_table, Note._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {revisions} (note_id, version, text, saved_at) "  # noqa: S608 (constants)
            f"SELECT id, version, text, updated_at FROM {notes}"
        )


def fingerprint(readers: int, only: int | None) -> str:
    digest = hashlib.sha256(fixture.FIXTURE_PATH.read_bytes())
    shape = (DATASET_VERSION, readers, only, TICKS_PER_READER, NOTES_PER_READER, NOTE_PARAGRAPHS)
    shape += (ALL_NOTES_UP_TO, NOTES_EVERY)
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
        "entries": Paper.objects.of().count(),  # the default curriculum's: readers' rows
        "entries in all curricula": Paper.objects.count(),
        "statuses": ReadingState.objects.count(),
        "events": ReadingEvent.objects.count(),
        "ticks": PartTick.objects.count(),
        "notes": Note.objects.count(),
        "revisions": NoteRevision.objects.count(),
    }


def add_readers(indexes: list[int]) -> dict[str, int]:
    """The readers' accounts and their (empty) dashboard state rows; {username: id}."""
    password = make_password(PASSWORD)
    User = get_user_model()
    User.objects.bulk_create(
        (
            User(username=name, email=f"{name}@example.org", password=password)
            for name in map(username, indexes)
        ),
        batch_size=2000,
    )
    ids = dict(
        User.objects.filter(username__startswith="bench-reader-").values_list("username", "id")
    )
    DashboardState.objects.bulk_create(
        (DashboardState(reader_id=ids[username(index)]) for index in indexes), batch_size=5000
    )
    return ids


def build(readers: int, only: int | None) -> dict:
    """Fill an empty, migrated database; `only` keeps a single reader of the `readers`."""
    started = time.perf_counter()
    indexes = [only] if only is not None else list(range(1, readers + 1))
    if connection.vendor == "postgresql":
        build_by_copy(readers, indexes)
    else:
        build_by_orm(readers, indexes)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {META_TABLE} (fingerprint varchar(64) NOT NULL)")
        cursor.execute(
            f"INSERT INTO {META_TABLE} (fingerprint) VALUES (%s)",  # noqa: S608 (a constant)
            [fingerprint(readers, only)],
        )
    if connection.vendor == "postgresql":
        # What autovacuum would soon do on a real server: give the planner row counts, and
        # mark the pages all-visible so that index-only scans need not visit the table.
        # (VACUUM cannot run inside a transaction, as in the harness's own tests.)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return {"seconds": round(time.perf_counter() - started, 1), "counts": counts()}


def build_by_orm(readers: int, indexes: list[int]) -> None:
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            # A throwaway file: a crash mid-build is rebuilt anyway, so skip the fsyncs.
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        fixture.load_file(fixture.FIXTURE_PATH)
        curricula.load()
        catalogue = Catalogue.load()
        ids = add_readers(indexes)
        for start in range(0, len(indexes), READERS_PER_BATCH):
            rows = Rows()
            for index in indexes[start : start + READERS_PER_BATCH]:
                notes = keeps_notes(index, readers)
                reader_rows(index, ids[username(index)], catalogue, rows, notes=notes)
            write(rows)
        add_revisions()


def build_by_copy(readers: int, indexes: list[int]) -> None:
    """PostgreSQL: COPY in batches of readers, one transaction each (a failed build is rebuilt:
    the fingerprint is written last). Committing per batch also keeps the queue of deferred
    foreign-key checks to one batch's rows."""
    with transaction.atomic():
        fixture.load_file(fixture.FIXTURE_PATH)
        curricula.load()
        ids = add_readers(indexes)
    catalogue = Catalogue.load()
    now = timezone.now()
    for start in range(0, len(indexes), COPY_READERS_PER_BATCH):
        rows = Rows()
        for index in indexes[start : start + COPY_READERS_PER_BATCH]:
            notes = keeps_notes(index, readers)
            reader_rows(index, ids[username(index)], catalogue, rows, notes=notes)
        with transaction.atomic():
            copy_rows(rows, now)
    with transaction.atomic():
        add_revisions()


def session_data(reader) -> str:
    """A signed-in session's encoded data, as `login()` leaves it."""
    store = SessionStore()
    return store.encode(
        {
            SESSION_KEY: str(reader.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: reader.get_session_auth_hash(),
        }
    )


def csrf_secret() -> str:
    # The unmasked secret is a valid X-CSRFToken as well as the cookie value.
    return get_random_string(32, string.ascii_letters + string.digits)


def session(index: int) -> dict:
    """A signed-in session for one reader, and a CSRF token, as a browser would hold them."""
    reader = get_user_model().objects.get(username=username(index))
    store = SessionStore()
    store.update(store.decode(session_data(reader)))
    store.create()
    token = csrf_secret()
    signed_in = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    # The entries of the default curriculum: the ones a reader's dashboard and workbench show.
    slugs = list(Paper.objects.of().in_reading_order().values_list("slug", flat=True))
    parts: dict[str, list[str]] = {}
    current = Advice.objects.current().filter(paper__slug__in=slugs)
    for slug, key in current.order_by("paper", "position").values_list("paper__slug", "key"):
        parts.setdefault(slug, []).append(key)
    return {
        "cookie": f"{signed_in}; {settings.CSRF_COOKIE_NAME}={token}",
        "session_cookie": signed_in,  # without a CSRF cookie: a new CSRF secret every request
        "csrf": token,
        "slugs": slugs,
        # Each entry's advised parts by key, as its checklist form sends them: slug=key+key;...
        "parts": ";".join(f"{slug}={'+'.join(keys)}" for slug, keys in parts.items()),
    }


def sessions(indexes: list[int], out: str) -> dict:
    """A fresh signed-in session and CSRF cookie for each of these readers, one Cookie header a
    line in `out`: as each browser holds them right after signing in."""
    User = get_user_model()
    readers = User.objects.filter(username__in=[username(index) for index in indexes])
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    made = [
        Session(session_key=get_random_string(32), session_data=data, expire_date=expires)
        for data in map(session_data, readers)
    ]
    Session.objects.bulk_create(made, batch_size=1000)
    with open(out, "w") as lines:
        for row in made:
            name, csrf = settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME
            lines.write(f"{name}={row.session_key}; {csrf}={csrf_secret()}\n")
    return {"sessions": len(made), "out": out}


@transaction.atomic
def restore_statuses(index: int) -> dict:
    """Put back one reader's generated statuses, events and ticks, undoing a benchmark's writes."""
    reader = get_user_model().objects.get(username=username(index))
    ReadingState.objects.filter(reader=reader).delete()
    ReadingEvent.objects.filter(reader=reader).delete()
    PartTick.objects.filter(reader=reader).delete()
    rows = Rows()
    reader_rows(index, reader.pk, Catalogue.load(), rows, notes=False)
    write_states_and_events(rows)
    PartTick.objects.bulk_create(PartTick(**row._asdict()) for row in rows.ticks)
    return {"statuses": len(rows.states), "events": len(rows.events), "ticks": len(rows.ticks)}


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
    if args.command == "sessions":
        first, count = args.first, args.count
        return sessions([index for index in range(first, first + count)], args.out)
    return restore_statuses(args.reader)
