"""Every statement of progress that bypasses the ORM, derived from the models (mireads/sql.py).

Each is here because its request is measured to pay for the ORM's query building, and each has a
test that runs it against its ORM twin on both databases (tests/progress/test_sql.py):
- the dashboard's version read and the version bump run on every dashboard request and every
  write (building the ORM's statement cost several times what the database takes: ~0.3-0.5 ms
  of a ~1 ms request part, bench profile, SQLite);
- a status change's and a tick's statements (POST /entries/<slug>/status/ 7.1 -> 4.9 ms and
  POST /entries/<slug>/parts/ 8.7 -> 6.4 ms in process, a9c5373);
- the reader's events for the chart and the pace (0.84 -> 0.40 ms for reader 5,000, dab2147);
- the reader's rows over the kept list, an ORM query compiled once (15.5 -> 10.8 ms for a first
  dashboard, 881f4b6).
"""

from catalogue.models import CatalogueVersion, Edition, depth_of
from mireads.sql import Insert, Select, column, convert_row, table
from progress.models import DashboardState, PartTick, ReadingEvent, ReadingState


def _current_edition(alias: str) -> str:
    """The edition readers see now (null before the first), as a subquery: it costs no query."""
    pk, number = column(Edition, "pk", alias), column(Edition, "number", alias)
    return f"(SELECT {pk} FROM {table(Edition, alias)} ORDER BY {number} DESC LIMIT 1)"


# A reader's rows on one entry and its work (the entry's skip, the work's state, other lists'
# skips of it), every column, locked (FOR UPDATE where the database has it; SQLite's IMMEDIATE
# transactions already serialise every writer): parameters reader, entry, work.
LOCKED_STATES = Select(ReadingState, where=("reader",), any_of=("paper", "work"), lock=True)
STATES = Select(ReadingState, where=("reader",), any_of=("paper", "work"))

# The event of a status change, stamped with the current edition.
EVENT = Insert(
    ReadingEvent, given=("reader", "paper", "work", "from_status", "to_status", "at"),
    raw={"edition": _current_edition},
)  # fmt: skip

# Ticks, stamped with the current edition; a part ticked already keeps its tick (made deeper
# by deepen()).
TICKS = Insert(
    PartTick, given=("reader", "work", "key", "depth", "advice", "done_at"),
    raw={"edition": _current_edition}, on_conflict_ignore=True,
)  # fmt: skip


def state_update(alias: str, names: list[str]) -> str:
    """UPDATE one ReadingState row's `names` by id."""
    sets = ", ".join(f"{column(ReadingState, n, alias)} = %s" for n in names)
    return (
        f"UPDATE {table(ReadingState, alias)} SET {sets} "
        f"WHERE {column(ReadingState, 'pk', alias)} = %s"
    )


def deepen(alias: str, reader_id: int, work_id: int, parts: list) -> tuple[str, list]:
    """One UPDATE: the reader's ticks on these parts (advice) of the work that were read less
    deeply than the advice asks take its depth, and the advice as theirs."""
    col = {name: column(PartTick, name, alias) for name in ("depth", "advice", "key")}
    depth_case = " ".join("WHEN %s THEN %s" for _ in parts)
    advice_case = " ".join("WHEN %s THEN %s" for _ in parts)
    lower = " OR ".join(f"({col['key']} = %s AND {col['depth']} < %s)" for _ in parts)
    statement = (
        f"UPDATE {table(PartTick, alias)} SET {col['depth']} = CASE {col['key']} {depth_case} "
        f"END, {col['advice']} = CASE {col['key']} {advice_case} END "
        f"WHERE {column(PartTick, 'reader', alias)} = %s "
        f"AND {column(PartTick, 'work', alias)} = %s AND ({lower})"
    )
    depths = [(a.key, depth_of(a.level)) for a in parts]
    params = [v for key, depth in depths for v in (key, depth)]
    params += [v for a in parts for v in (a.key, a.pk)]
    params += [reader_id, work_id] + [v for key, depth in depths for v in (key, depth)]
    return statement, params


def untick(alias: str, reader_id: int, work_id: int | None, parts: list) -> tuple[str, list]:
    """One DELETE: the reader's ticks on these parts (advice), whichever list's advice holds the
    work's part."""
    ids = ", ".join(["%s"] * len(parts))
    where = f"{column(PartTick, 'advice', alias)} IN ({ids})"
    params = [reader_id, *(a.pk for a in parts)]
    if work_id is not None:
        where += (
            f" OR ({column(PartTick, 'work', alias)} = %s "
            f"AND {column(PartTick, 'key', alias)} IN ({ids}))"
        )
        params += [work_id, *(a.key for a in parts)]
    statement = (
        f"DELETE FROM {table(PartTick, alias)} "
        f"WHERE {column(PartTick, 'reader', alias)} = %s AND ({where})"
    )
    return statement, params


def bump(alias: str) -> str:
    """Move the reader's dashboard version on (and so take their row's lock)."""
    version = column(DashboardState, "version", alias)
    return (
        f"UPDATE {table(DashboardState, alias)} SET {version} = {version} + 1 "
        f"WHERE {column(DashboardState, 'reader', alias)} = %s"
    )


def moments(alias: str, names: tuple[str, ...], statuses: int) -> str:
    """A reader's events to some statuses, in time order, the columns `names` (field names or
    attnames: progress.activity.Moment's own).

    Events of works the reader says they read before (ReadingState.read_before) are left out:
    they were not read here, so neither the chart nor the pace counts them."""
    cols = ", ".join(f"e.{column(ReadingEvent, n, alias)}" for n in names)
    marks = ", ".join(["%s"] * statuses)
    reader, paper = column(ReadingEvent, "reader", alias), column(ReadingEvent, "paper", alias)
    work = column(ReadingEvent, "work", alias)
    before = (
        f"SELECT 1 FROM {table(ReadingState, alias)} s "
        f"WHERE s.{column(ReadingState, 'reader', alias)} = e.{reader} "
        f"AND (s.{column(ReadingState, 'work', alias)} = e.{work} "
        f"OR (e.{work} IS NULL AND s.{column(ReadingState, 'paper', alias)} = e.{paper})) "
        f"AND s.{column(ReadingState, 'read_before', alias)}"
    )
    return (
        f"SELECT {cols} FROM {table(ReadingEvent, alias)} e "
        f"WHERE e.{reader} = %s "
        f"AND e.{column(ReadingEvent, 'to_status', alias)} IN ({marks}) "
        f"AND NOT EXISTS ({before}) "
        f"ORDER BY e.{column(ReadingEvent, 'at', alias)}, e.{column(ReadingEvent, 'pk', alias)}"
    )


VERSION_FIELDS = ("epoch", "version")


def versions(alias: str) -> str:
    """The catalogue's version and every column of the reader's DashboardState, in one query."""
    c = [f"c.{column(CatalogueVersion, n, alias)}" for n in VERSION_FIELDS]
    fields = DashboardState._meta.concrete_fields
    d = [f"d.{column(DashboardState, f.name, alias)}" for f in fields]
    return (
        f"SELECT {', '.join(c + d)} FROM {table(CatalogueVersion, alias)} c "
        f"LEFT JOIN {table(DashboardState, alias)} d "
        f"ON d.{column(DashboardState, 'reader', alias)} = %s "
        f"WHERE c.{column(CatalogueVersion, 'pk', alias)} = %s"
    )


def dashboard_state(row: list, alias: str) -> DashboardState | None:
    """The DashboardState columns of a versions() row as an instance (None: the reader has no
    row yet), every field loaded through the ORM's converters."""
    fields = list(DashboardState._meta.concrete_fields)
    values = row[len(VERSION_FIELDS) :]
    if values[0] is None:
        return None
    values = convert_row(values, fields, alias)
    return DashboardState.from_db(alias, [f.attname for f in fields], values)
