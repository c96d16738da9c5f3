"""The one construct every write of a reader's data goes through.

`@writes_reader` (or `with reader_write(reader):` for a block) opens the transaction, takes the
reader's lock first (their DashboardState row, by moving its version on), and retries the whole
write once when a concurrent first insert of the same row beat it (a real race: a unique
constraint, nothing else). Because every writer locks the same row first, two writes of one
reader queue instead of deadlocking over the rows they touch after it, and because the version
moves on in the same transaction, no cached page of the reader outlives the write.

tests/progress/test_writes.py watches every statement the suite's requests run and fails when one
writes a reader's table outside this construct.
"""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F

from progress import sql
from progress.derived import deriving
from progress.models import DashboardState

# The reader whose write is open in this context (None: none is).
_WRITING: ContextVar[int | None] = ContextVar("mireads_reader_write", default=None)


def writing() -> int | None:
    """The id of the reader whose write is open here, if any (for the test that finds writers)."""
    return _WRITING.get()


def accounted_for() -> bool:
    """Whether a write of a reader's table here goes through the construct, or only stores what
    is derived from their rows (derived_write): what the test that finds writers asks."""
    return _WRITING.get() is not None or deriving()


def _pk(reader) -> int:
    return reader if isinstance(reader, int) else reader.pk


def lock_reader(reader) -> None:
    """Take the reader's lock and move their version on, in the caller's transaction: one UPDATE
    of their DashboardState row (plain SQL: every write runs it first, progress/sql.py), made if
    they have none yet."""
    alias = router.db_for_write(DashboardState)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql.bump(alias), [_pk(reader)])
        if cursor.rowcount:
            return
    mine = DashboardState.objects.filter(reader_id=_pk(reader))
    _, created = DashboardState.objects.get_or_create(
        reader_id=_pk(reader), defaults={"version": 1}
    )
    if not created:  # another write made the row first: this one still moves the version on
        mine.update(version=F("version") + 1)


@contextmanager
def reader_write(reader):
    """A block that writes `reader`'s data: one transaction, their lock first, their version
    moved on (`reader`: the account, or its id). Nested for the same reader, it joins the open
    one."""
    alias = router.db_for_write(DashboardState)
    if _WRITING.get() == _pk(reader) and connections[alias].in_atomic_block:
        yield
        return
    with transaction.atomic(using=alias):
        token = _WRITING.set(_pk(reader))
        try:
            lock_reader(reader)
            yield
        finally:
            _WRITING.reset(token)


def is_race(error: IntegrityError) -> bool:
    """Whether a failed insert lost a race for a unique row (PostgreSQL's unique_violation;
    SQLite never races, its IMMEDIATE transactions serialise writers, but says so alike)."""
    if getattr(error.__cause__, "sqlstate", None) == "23505":
        return True
    return "UNIQUE constraint failed" in str(error)


def writes_reader[W: Callable](reader_of: Callable[[dict], object] | None = None):
    """Make a service a reader's write. `reader_of(kwargs)` finds the reader (or their id) among
    its keyword arguments (default: `reader`). Locking reads serialise writers to rows that
    exist; two requests creating the same row at once are caught by its unique constraint, and
    the loser's whole transaction runs again, now finding and updating the row."""
    find = reader_of or (lambda kwargs: kwargs["reader"])

    def decorate(write: W) -> W:
        @wraps(write)
        def attempt(*args, **kwargs):
            reader = find(kwargs)
            outermost = _WRITING.get() is None
            for last in (False, True):
                try:
                    with reader_write(reader):
                        return write(*args, **kwargs)
                except IntegrityError as error:
                    if last or not outermost or not is_race(error):
                        raise
            raise AssertionError("unreachable")  # pragma: no cover

        attempt.writes_reader = True
        return attempt

    return decorate


def reader_tables() -> set[str]:
    """The tables that hold readers' data, derived from the models: every model of this project
    with a foreign key to the account or to another such model (what deleting an account
    cascades to), and their many-to-many tables. The construct's own DashboardState included."""
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import get_user_model

    ours = [
        m for m in apps.get_models(include_auto_created=True)
        if Path(m._meta.app_config.path).parent == settings.BASE_DIR
    ]  # fmt: skip
    owners = {get_user_model()}
    grew = True
    while grew:
        grew = False
        for model in ours:
            if model in owners:
                continue
            fields = model._meta.concrete_fields
            if any(f.is_relation and f.related_model in owners for f in fields):
                owners.add(model)
                grew = True
    owners.discard(get_user_model())
    return {model._meta.db_table for model in owners}
