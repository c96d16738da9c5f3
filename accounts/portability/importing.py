"""A reader's data back in: read and check a whole export file, then merge it.

Import reads the whole file before it writes anything and reports every problem with its place in
the file; then it merges in one transaction, so a file is applied entirely or not at all. Older
files name parts by position; newer ones by key.

Version 2 files name each entry by (curriculum slug, entry slug), and trimmed parts and folded
tiers by their curriculum too; version 1 files name no curriculum, so their entries are the
default curriculum's, else the one entry with that slug (today every entry slug is unique). An
entry this server does not have in the curriculum named (or a curriculum it does not have) is
skipped and named in the report, as an unknown entry always was.
"""

import dataclasses
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils.timezone import now as django_now

from accounts.portability.schema import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    MAX_IMPORT_BYTES,
    MAX_IMPORTED_VERSION,
    MAX_KEY_LENGTH,
    MAX_POSITION,
    MAX_PROBLEMS,
    MAX_SLUG_LENGTH,
    READABLE_VERSIONS,
    SCHEMA,
)
from catalogue.models import Advice, Citation, Curriculum, Paper, Section
from plans.models import MAX_HOURS_PER_WEEK, ReadingPlan, validate_days, validate_timezone
from progress import bounds
from progress.models import (
    NOTE_MAX_LENGTH,
    DashboardState,
    Follow,
    Note,
    NoteRevision,
    PartTick,
    ReadingEvent,
    ReadingState,
    Status,
)
from progress.writes import writes_reader

# --- Reading an export back ----------------------------------------------------------------------


class ImportRefused(Exception):
    """A file that cannot be imported; `problems` says what is wrong and where, one per line."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class EventIn:
    from_status: str
    to_status: str
    at: datetime


@dataclass(frozen=True)
class TickIn:
    key: str | None  # files from before parts had keys name the position only
    position: int | None
    done_at: datetime


@dataclass(frozen=True)
class RevisionIn:
    version: int
    text: str
    saved_at: datetime


@dataclass(frozen=True)
class NoteIn:
    text: str
    version: int
    updated_at: datetime
    revisions: list[RevisionIn]


@dataclass(frozen=True)
class EntryIn:
    slug: str
    status: str | None
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime | None
    events: list[EventIn]
    ticks: list[TickIn]
    note: NoteIn | None
    read_before: bool = False  # files before it was exported carry none: read here
    curriculum: str | None = None  # version 1 files name none: the default curriculum's
    skipped_at: datetime | None = None  # the entry's skip, when it also holds the work's state

    @property
    def label(self) -> str:
        """The record as the report names it: its slug, and the curriculum the file names."""
        return self.slug if self.curriculum is None else f"{self.slug} (in {self.curriculum})"

    @property
    def changed_at(self) -> datetime | None:
        """When this side last changed the status: its own stamp or its latest event."""
        moments = [self.updated_at, *(event.at for event in self.events)]
        return max((moment for moment in moments if moment), default=None)


@dataclass(frozen=True)
class PlanIn:
    hours_per_week: Decimal
    reading_days: str
    session_time: dt.time
    timezone: str
    use_pace: bool
    starts_on: dt.date
    counted_from: dt.date
    catch_up_minutes: int
    dropped: list[tuple[str | None, str, str]]  # (curriculum slug or None, entry slug, part key)
    updated_at: datetime | None


class ParsedExport(list):
    """The checked entries of a file (a list of EntryIn), with its plan and folded tiers (files
    from before they were exported have neither)."""

    plan: PlanIn | None = None
    folded: list[tuple[str | None, str]] | None = None  # (curriculum slug or None, tier slug)
    follows: list[tuple[str, bool, datetime | None]] | None = None


class _Unreadable(ValueError):
    """Raised from inside the JSON parser for input it should not turn into Python values."""


def _parse_int(digits: str) -> int:
    # 18 digits is far beyond any position or version; longer numbers are refused here, before
    # int() spends time on them (or fails with its own message past 4,300 digits).
    if len(digits.lstrip("-")) > 18:
        raise _Unreadable("it holds a number too large to be a position or a version")
    return int(digits)


def _parse_constant(name: str):
    raise _Unreadable(f"it holds {name}, which is not a number JSON allows")


def parse_export(data: bytes) -> list[EntryIn]:
    """Read and check a whole export file; raise ImportRefused listing every problem in it."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused([too_large_message()])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            ["The file is not UTF-8 text, so it is not a mireads export."]
        ) from None
    try:
        document = json.loads(text, parse_int=_parse_int, parse_constant=_parse_constant)
    except json.JSONDecodeError as error:
        raise ImportRefused(
            [
                f"The file is not valid JSON: {error.msg} at line {error.lineno}, "
                f"column {error.colno}."
            ]
        ) from None
    except _Unreadable as error:
        raise ImportRefused([f"The file cannot be read: {error}."]) from None
    except RecursionError:
        raise ImportRefused(["The file cannot be read: it is nested too deeply."]) from None
    checker = _Checker()
    entries = ParsedExport(checker.document(document))
    if isinstance(document, dict) and not checker.problems:
        if document.get("plan") is not None:
            entries.plan = checker.plan(document["plan"], "plan")
        if "folded" in document:
            entries.folded = checker.folded(document["folded"], "folded")
        if "follows" in document:
            entries.follows = checker.follows(document["follows"], "follows")
    if checker.problems:
        raise ImportRefused(checker.report())
    return entries


def too_large_message() -> str:
    """What a reader is told about a file over the size limit."""
    return (
        f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB, so it was not read. "
        "A mireads export is smaller unless its notes have long histories: then import the "
        "export page's file of latest versions, which leaves out the oldest revisions to fit."
    )


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


class _Checker:
    """Walks a parsed export, collecting every problem with its path (`entries[3].status`)."""

    def __init__(self):
        self.problems: list[str] = []
        self.more = 0

    def problem(self, where: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{where}: {message}")
        else:
            self.more += 1

    def report(self) -> list[str]:
        if self.more:
            return [*self.problems, f"… and {self.more} more problems."]
        return self.problems

    def document(self, document) -> list[EntryIn]:
        if not isinstance(document, dict):
            self.problems.append(
                f"The file holds {_kind(document)}, not a mireads export (a JSON object)."
            )
            return []
        schema = document.get("schema")
        if schema != SCHEMA:
            self.problems.append(
                f"This is not a mireads export: schema is {json.dumps(schema)[:60]}, "
                f"expected {json.dumps(SCHEMA)}."
            )
            return []
        version = document.get("version")
        if type(version) is not int or version not in READABLE_VERSIONS:
            readable = " and ".join(str(number) for number in READABLE_VERSIONS)
            self.problems.append(
                f"This export is version {json.dumps(version)[:20]}; this server reads "
                f"versions {readable}."
            )
            return []
        entries = self.items(document.get("entries"), "entries")
        parsed = [self.entry(entry, f"entries[{index}]") for index, entry in enumerate(entries)]
        # One record per entry. A slug may come twice only for two curricula both named: a
        # record naming none may be either one's entry.
        places: dict[str, list[tuple[str | None, int]]] = defaultdict(list)
        for index, entry in enumerate(parsed):
            if entry is None:
                continue
            for curriculum, place in places[entry.slug]:
                if None in (curriculum, entry.curriculum) or curriculum == entry.curriculum:
                    self.problem(
                        f"entries[{index}].slug",
                        f"{_shown(entry.slug)} appears twice (also entries[{place}])",
                    )
                    break
            places[entry.slug].append((entry.curriculum, index))
        return [entry for entry in parsed if entry is not None]

    def entry(self, value, where: str) -> EntryIn | None:
        if not isinstance(value, dict):
            self.problem(where, f"is {_kind(value)}, expected an object")
            return None
        count = len(self.problems) + self.more
        curriculum = self.curriculum(value, where)
        slug = self.text(value.get("slug"), f"{where}.slug", max_length=MAX_SLUG_LENGTH)
        if slug == "":
            self.problem(f"{where}.slug", "is empty")
        status = value.get("status")
        if status is not None:
            status = self.status(status, f"{where}.status")
        started_at = self.moment(value.get("started_at"), f"{where}.started_at", optional=True)
        finished_at = self.moment(value.get("finished_at"), f"{where}.finished_at", optional=True)
        updated_at = self.moment(
            value.get("updated_at"), f"{where}.updated_at", optional=value.get("status") is None
        )
        skipped_at = self.moment(value.get("skipped_at"), f"{where}.skipped_at", optional=True)
        if started_at and finished_at and finished_at < started_at:
            self.problem(f"{where}.finished_at", "is before started_at")
        read_before = value.get("read_before", False)
        if type(read_before) is not bool:
            self.problem(f"{where}.read_before", f"is {_kind(read_before)}, expected true or false")
        events = [
            self.event(event, f"{where}.events[{index}]")
            for index, event in enumerate(self.items(value.get("events", []), f"{where}.events"))
        ]
        ticks = [
            self.tick(tick, f"{where}.ticks[{index}]")
            for index, tick in enumerate(self.items(value.get("ticks", []), f"{where}.ticks"))
        ]
        self.unique([tick.key or tick.position for tick in ticks if tick], f"{where}.ticks", "key")
        note = value.get("note")
        if note is not None:
            note = self.note(note, f"{where}.note")
        if len(self.problems) + self.more > count:
            return None
        return EntryIn(
            slug=slug,
            status=status,
            started_at=started_at,
            finished_at=finished_at,
            updated_at=updated_at,
            events=events,
            ticks=ticks,
            note=note,
            read_before=read_before,
            curriculum=curriculum,
            skipped_at=skipped_at,
        )

    def curriculum(self, value: dict, where: str) -> str | None:
        """The record's curriculum slug; None in files from before records named one."""
        curriculum = value.get("curriculum")
        if curriculum is None:
            return None
        if isinstance(curriculum, str) and not curriculum:
            self.problem(f"{where}.curriculum", "is empty")
        return self.text(curriculum, f"{where}.curriculum", max_length=MAX_SLUG_LENGTH)

    def event(self, value, where: str) -> EventIn | None:
        if not isinstance(value, dict):
            self.problem(where, f"is {_kind(value)}, expected an object")
            return None
        return EventIn(
            from_status=self.status(value.get("from"), f"{where}.from"),
            to_status=self.status(value.get("to"), f"{where}.to"),
            at=self.moment(value.get("at"), f"{where}.at"),
        )

    def tick(self, value, where: str) -> TickIn | None:
        if not isinstance(value, dict):
            self.problem(where, f"is {_kind(value)}, expected an object")
            return None
        key = value.get("key")
        if key is not None and not (isinstance(key, str) and 0 < len(key) <= MAX_KEY_LENGTH):
            self.problem(f"{where}.key", "is not a part key")
            key = None
        position = None
        if key is None or "position" in value:
            position = self.whole(value.get("position"), f"{where}.position", MAX_POSITION)
        done_at = self.moment(value.get("done_at"), f"{where}.done_at")
        return TickIn(key=key, position=position, done_at=done_at)

    def note(self, value, where: str) -> NoteIn | None:
        if not isinstance(value, dict):
            self.problem(where, f"is {_kind(value)}, expected an object or null")
            return None
        revisions = [
            self.revision(revision, f"{where}.revisions[{index}]")
            for index, revision in enumerate(
                self.items(value.get("revisions", []), f"{where}.revisions")
            )
        ]
        self.unique([rev.version for rev in revisions if rev], f"{where}.revisions", "version")
        text = self.text(value.get("text"), f"{where}.text", max_length=NOTE_MAX_LENGTH)
        version = self.whole(value.get("version"), f"{where}.version", MAX_IMPORTED_VERSION)
        # The next save makes version + 1: a revision already there would block every save.
        above = sorted({rev.version for rev in revisions if rev and rev.version > version})
        if above:
            shown = ", ".join(str(v) for v in above[:5]) + (", ..." if len(above) > 5 else "")
            self.problem(
                f"{where}.revisions",
                f"version {shown} is above the note's own version {version}; a note's "
                "revisions are numbered up to its version",
            )
        return NoteIn(
            text=text,
            version=version,
            updated_at=self.moment(value.get("updated_at"), f"{where}.updated_at"),
            revisions=[rev for rev in revisions if rev],
        )

    def revision(self, value, where: str) -> RevisionIn | None:
        if not isinstance(value, dict):
            self.problem(where, f"is {_kind(value)}, expected an object")
            return None
        return RevisionIn(
            version=self.whole(value.get("version"), f"{where}.version", MAX_IMPORTED_VERSION),
            text=self.text(value.get("text"), f"{where}.text", max_length=NOTE_MAX_LENGTH),
            saved_at=self.moment(value.get("saved_at"), f"{where}.saved_at"),
        )

    def plan(self, value, where: str) -> PlanIn | None:
        if not isinstance(value, dict):
            self.problem(where, f"is {_kind(value)}, expected an object or null")
            return None
        count = len(self.problems) + self.more
        hours = value.get("hours_per_week")
        try:
            hours = Decimal(str(hours)) if isinstance(hours, str | int | float) else None
        except InvalidOperation:
            hours = None
        if hours is None or not hours.is_finite() or not 0 < hours <= MAX_HOURS_PER_WEEK:
            self.problem(
                f"{where}.hours_per_week", f"is not a number of hours (0.5 to {MAX_HOURS_PER_WEEK})"
            )
        days = self.text(value.get("reading_days"), f"{where}.reading_days", max_length=7)
        session = self.text(value.get("session_time"), f"{where}.session_time", max_length=8)
        zone = self.text(value.get("timezone"), f"{where}.timezone", max_length=64)
        for check, field_value, name in (
            (validate_days, days, "reading_days"),
            (validate_timezone, zone, "timezone"),
        ):
            try:
                check(field_value)
            except ValidationError as error:
                self.problem(f"{where}.{name}", error.messages[0])
        try:
            session_time = dt.time.fromisoformat(session)
        except ValueError:
            self.problem(f"{where}.session_time", f"{_shown(session)} is not a time (HH:MM)")
            session_time = None
        use_pace = value.get("use_pace")
        if type(use_pace) is not bool:
            self.problem(f"{where}.use_pace", f"is {_kind(use_pace)}, expected true or false")
        starts_on = self.day(value.get("starts_on"), f"{where}.starts_on")
        counted_from = self.day(value.get("counted_from"), f"{where}.counted_from")
        if starts_on and counted_from and counted_from < starts_on:
            self.problem(f"{where}.counted_from", "is before starts_on")
        catch_up = self.whole(value.get("catch_up_minutes"), f"{where}.catch_up_minutes", 1_000_000)
        dropped = []
        for index, part in enumerate(self.items(value.get("dropped", []), f"{where}.dropped")):
            if not isinstance(part, dict):
                self.problem(f"{where}.dropped[{index}]", f"is {_kind(part)}, expected an object")
                continue
            curriculum = self.curriculum(part, f"{where}.dropped[{index}]")
            slug = self.text(
                part.get("slug"), f"{where}.dropped[{index}].slug", max_length=MAX_SLUG_LENGTH
            )
            key = self.text(
                part.get("key"), f"{where}.dropped[{index}].key", max_length=MAX_KEY_LENGTH
            )
            dropped.append((curriculum, slug, key))
        updated_at = self.moment(value.get("updated_at"), f"{where}.updated_at", optional=True)
        if len(self.problems) + self.more > count:
            return None
        return PlanIn(
            hours_per_week=hours,
            reading_days=days,
            session_time=session_time,
            timezone=zone,
            use_pace=use_pace,
            starts_on=starts_on,
            counted_from=counted_from,
            catch_up_minutes=catch_up,
            dropped=dropped,
            updated_at=updated_at,
        )

    def folded(self, value, where: str) -> list[tuple[str | None, str]]:
        """Tiers as (curriculum, tier slug): version 2 names objects, version 1 slugs alone."""
        found = []
        for index, item in enumerate(self.items(value, where)):
            here = f"{where}[{index}]"
            if isinstance(item, dict):
                curriculum = self.curriculum(item, here)
                slug = self.text(item.get("tier"), f"{here}.tier", max_length=MAX_SLUG_LENGTH)
                found.append((curriculum, slug))
            else:
                found.append((None, self.text(item, here, max_length=MAX_SLUG_LENGTH)))
        return found

    def follows(self, value, where: str) -> list[tuple[str, bool, datetime | None]]:
        found = []
        for index, item in enumerate(self.items(value, where)):
            here = f"{where}[{index}]"
            if not isinstance(item, dict):
                self.problem(here, f"is {_kind(item)}, expected an object")
                continue
            slug = self.text(
                item.get("curriculum"), f"{here}.curriculum", max_length=MAX_SLUG_LENGTH
            )
            following = item.get("following")
            if not isinstance(following, bool):
                self.problem(f"{here}.following", f"is {_kind(following)}, expected true or false")
                continue
            moment = self.moment(item.get("changed_at"), f"{here}.changed_at", optional=True)
            found.append((slug, following, moment))
        return found

    def day(self, value, where: str) -> dt.date | None:
        if not isinstance(value, str):
            self.problem(where, f"is {_kind(value)}, expected a date")
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.problem(where, f"{_shown(value)} is not an ISO 8601 date")
            return None
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            self.problem(where, f"{_shown(value)} is not between {EARLIEST_YEAR} and {LATEST_YEAR}")
            return None
        return day

    def unique(self, values: list, where: str, name: str) -> None:
        seen = set()
        for value in values:
            if value in seen:
                self.problem(where, f"{name} {value} appears more than once")
            seen.add(value)

    def items(self, value, where: str) -> list:
        if not isinstance(value, list):
            self.problem(where, f"is {_kind(value)}, expected a list")
            return []
        return value

    def text(self, value, where: str, *, max_length: int) -> str:
        if not isinstance(value, str):
            self.problem(where, f"is {_kind(value)}, expected text")
            return ""
        if len(value) > max_length:
            self.problem(where, f"is {len(value):,} characters long; the limit is {max_length:,}")
        if "\x00" in value:
            self.problem(where, "contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.problem(where, "contains an unpaired surrogate, which is not valid Unicode")
        return value

    def status(self, value, where: str) -> str:
        if not isinstance(value, str):
            self.problem(where, f"is {_kind(value)}, expected a status")
            return ""
        if value not in Status.values:
            self.problem(
                where, f"{_shown(value)} is not a status (use one of {', '.join(Status.values)})"
            )
        return value

    def whole(self, value, where: str, maximum: int) -> int:
        if type(value) is not int:
            self.problem(where, f"is {_kind(value)}, expected a whole number")
            return 0
        if not 0 <= value <= maximum:
            self.problem(where, f"{value} is out of range (0 to {maximum:,})")
        return value

    def moment(self, value, where: str, *, optional: bool = False) -> datetime | None:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            self.problem(where, f"is {_kind(value)}, expected a date and time")
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.problem(where, f"{_shown(value)} is not an ISO 8601 date and time")
            return None
        if moment.tzinfo is None:
            self.problem(where, f"{_shown(value)} has no time zone (add Z or +00:00)")
            return None
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            moment = None
        if moment is None or not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            self.problem(
                where, f"{_shown(value)} is not between {EARLIEST_YEAR} and {LATEST_YEAR} in UTC"
            )
            return None
        return moment


# --- Merging an export into an account -----------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did, entry by entry, for the page that follows it."""

    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # The records skipped, as EntryIn.label names them ("slug", or "slug (in curriculum)").
    unknown: list[str] = field(default_factory=list)
    # The curricula the file names that this server does not have at all.
    unknown_curricula: list[str] = field(default_factory=list)
    notes_kept_both: list[str] = field(default_factory=list)
    unknown_parts: list[str] = field(default_factory=list)


@writes_reader()
def apply_import(*, reader: AbstractBaseUser, entries: list[EntryIn]) -> ImportReport:
    """Merge checked entries into the reader's account, in one transaction.

    Per entry the newer status wins, events and ticks are added when missing, and a note that
    differs on both sides keeps both texts. Applying the same file twice changes nothing.
    """
    # The write construct takes the reader's lock first, as every other write of theirs does:
    # two imports (or an import and a status change) of one account queue on it, never deadlock.
    report = ImportReport()
    candidates = (
        Paper.objects.filter(slug__in=[entry.slug for entry in entries])
        .select_related("section__curriculum")
        .prefetch_related("advice")
    )
    found = _Entries(candidates)
    papers = [(entry, found.paper(entry.curriculum, entry.slug)) for entry in entries]
    report.unknown = [entry.label for entry, paper in papers if paper is None]
    named = {entry.curriculum for entry, paper in papers if paper is None} - {None}
    if named:  # only when a record is skipped: which of the lists it names exist here at all
        here = set(Curriculum.objects.filter(slug__in=named).values_list("slug", flat=True))
        report.unknown_curricula = sorted(named - here)
    known = [(entry, paper) for entry, paper in papers if paper is not None]
    account = _Account(reader, [paper.pk for _, paper in known])
    for entry, paper in known:
        changed = account.merge_status(paper, entry)
        changed |= account.merge_events(paper, entry.events)
        changed |= account.merge_ticks(paper, entry.ticks, report)
        if entry.note is not None:
            changed |= account.merge_note(paper, entry.note, report)
        (report.updated if changed else report.unchanged).append(paper.name)
    account.save()
    if getattr(entries, "plan", None) is not None:
        _merge_plan(reader, entries.plan)
    if getattr(entries, "folded", None):
        _merge_folded(reader, entries.folded)
    if getattr(entries, "follows", None):
        _merge_follows(reader, entries.follows)
    return report


class _Entries:
    """Entries found by (curriculum slug, entry slug), as the file names them."""

    def __init__(self, papers: Iterable[Paper]):
        self.by_slug: dict[str, list[Paper]] = defaultdict(list)
        for paper in papers:  # with section__curriculum
            self.by_slug[paper.slug].append(paper)

    def paper(self, curriculum: str | None, slug: str) -> Paper | None:
        """The entry `slug` of the curriculum named; with none named (a version 1 file), the
        default curriculum's entry, else the one entry with that slug."""
        found = self.by_slug.get(slug, [])
        if curriculum is not None:
            return next((p for p in found if p.section.curriculum.slug == curriculum), None)
        default = [paper for paper in found if paper.section.curriculum.is_default]
        if default:
            return default[0]
        return found[0] if len(found) == 1 else None


def _merge_follows(reader: AbstractBaseUser, follows: list[tuple[str, bool, datetime | None]]):
    """The file's choices of curricula, for those this server publishes (the default one
    always): the newer choice wins, as statuses do; a choice the account has not made is taken.
    At most four statements, however many curricula the file names."""
    published = Curriculum.objects.published().values("pk")
    known = {
        curriculum.slug: curriculum
        for curriculum in Curriculum.objects.filter(
            Q(is_default=True) | Q(pk__in=published), slug__in=[slug for slug, _, _ in follows]
        )
    }
    mine = {row.curriculum_id: row for row in Follow.objects.filter(reader=reader)}
    new: dict[int, Follow] = {}
    changed: dict[int, Follow] = {}
    for slug, following, changed_at in follows:
        curriculum = known.get(slug)
        if curriculum is None:
            continue  # a list this server does not publish: nothing to follow
        row = mine.get(curriculum.pk)
        if row is not None and (changed_at is None or row.changed_at >= changed_at):
            continue
        if row is None:
            row = mine[curriculum.pk] = new[curriculum.pk] = Follow(
                reader=reader, curriculum=curriculum
            )
        elif curriculum.pk not in new:
            changed[curriculum.pk] = row
        row.following, row.changed_at = following, changed_at or django_now()
    Follow.objects.bulk_create(new.values())
    Follow.objects.bulk_update(changed.values(), ["following", "changed_at"])


def _merge_plan(reader: AbstractBaseUser, incoming: PlanIn) -> None:
    """The file's plan, unless the account's own changed after it (the newer wins, as statuses
    do); its trimmed parts as far as this server lists them."""
    plan = ReadingPlan.objects.of_reader(reader)
    if plan is not None and (incoming.updated_at is None or plan.updated_at >= incoming.updated_at):
        return
    plan = plan or ReadingPlan(reader=reader)
    for name in (
        "hours_per_week", "reading_days", "session_time", "timezone", "use_pace", "starts_on",
        "counted_from", "catch_up_minutes",
    ):  # fmt: skip
        setattr(plan, name, getattr(incoming, name))
    plan.save()
    keys = {(curriculum, slug): set() for curriculum, slug, _ in incoming.dropped}
    for curriculum, slug, key in incoming.dropped:
        keys[curriculum, slug].add(key)
    parts = Advice.objects.filter(paper__slug__in={slug for _, slug in keys}).select_related(
        "paper__section__curriculum"
    )
    by_paper: dict[int, list[Advice]] = defaultdict(list)
    for advice in parts:
        by_paper[advice.paper_id].append(advice)
    found = _Entries({advice.paper for advice in parts})
    dropped = []
    for (curriculum, slug), wanted in keys.items():
        paper = found.paper(curriculum, slug)
        if paper is not None:
            dropped += [advice for advice in by_paper[paper.pk] if advice.key in wanted]
    plan.dropped.set(dropped)


def _merge_folded(reader: AbstractBaseUser, tiers: list[tuple[str | None, str]]) -> None:
    """The file's folded tiers added to the account's (folding is only ever the reader's): each
    a top-level section of the curriculum named, of the default one where none is named."""
    wanted = set(tiers)
    sections = Section.objects.top_level().filter(slug__in={slug for _, slug in tiers})
    known = {
        section.slug
        for section in sections  # with its curriculum (SectionManager)
        if (section.curriculum.slug, section.slug) in wanted
        or (section.curriculum.is_default and (None, section.slug) in wanted)
    }
    state = DashboardState.objects.get(reader=reader)  # the write construct holds its lock
    DashboardState.objects.filter(pk=state.pk).update(folded=sorted(set(state.folded) | known))


class _Account:
    """The reader's rows for the imported entries, loaded once, and the writes the merge needs."""

    def __init__(self, reader: AbstractBaseUser, paper_ids: list[int]):
        self.reader = reader
        self.events: dict[int, set[tuple]] = defaultdict(set)
        for paper_id, *key in reader.reading_events.filter(paper_id__in=paper_ids).values_list(
            "paper_id", "from_status", "to_status", "at"
        ):
            self.events[paper_id].add(tuple(key))
        # Ticks are the reader's on a part of a work, whichever list's entry they were made for:
        # every one of them, by part (PartTick.part), and the main work of each imported entry.
        self.ticked: dict[tuple, PartTick] = {
            tick.part: tick for tick in reader.part_ticks.only("work", "key", "depth", "advice")
        }
        self.main_work = dict(
            Citation.objects.main()
            .filter(entry_id__in=paper_ids)
            .values_list("entry_id", "work_id")
        )
        self.deepened: list[PartTick] = []
        # A state is the reader's on a work whichever list's entry it was set from; a skip is
        # the entry's own.
        self.states = {
            self.state_key(state.paper_id, state.work_id, state.status): state
            for state in reader.reading_states.filter(
                Q(paper_id__in=paper_ids) | Q(work_id__in=set(self.main_work.values()))
            )
        }
        # A note is the reader's on a work, whichever list's entry it was written from.
        self.notes = {
            self.note_key(note.paper_id, note.work_id): note
            for note in reader.notes.filter(
                Q(paper_id__in=paper_ids) | Q(work_id__in=set(self.main_work.values()))
            ).prefetch_related(
                Prefetch("revisions", queryset=NoteRevision.objects.order_by("version"))
            )
        }
        self.new_states: list[ReadingState] = []
        self.changed_states: list[ReadingState] = []
        self.new_events: list[ReadingEvent] = []
        self.new_ticks: list[PartTick] = []
        self.new_notes: list[Note] = []
        self.changed_notes: list[Note] = []
        self.new_revisions: list[NoteRevision] = []

    @staticmethod
    def state_key(paper_id: int, work_id: int | None, status: str) -> tuple:
        if status == Status.SKIPPED:
            return ("skip", paper_id)
        return ("work", work_id) if work_id else ("entry", paper_id)

    def merge_status(self, paper: Paper, entry: EntryIn) -> bool:
        if entry.status is None:
            return False
        skipped = False
        if entry.skipped_at is not None:  # the entry's skip, beside the work's state
            skip = dataclasses.replace(
                entry, status=Status.SKIPPED, started_at=None, finished_at=None,
                read_before=False, updated_at=entry.skipped_at, skipped_at=None,
            )  # fmt: skip
            skipped = self.merge_status(paper, skip)
        return self._merge_state(paper, entry) or skipped

    def _merge_state(self, paper: Paper, entry: EntryIn) -> bool:
        work_id = self.main_work.get(paper.pk)
        key = self.state_key(paper.pk, work_id, entry.status)
        state = self.states.get(key)
        # What the entry shows here changed last at the newest of its skip, its work's state and
        # its events: a file's older status changes nothing.
        shown = [
            self.states.get(("skip", paper.pk)),
            self.states.get(self.state_key(paper.pk, work_id, "")),
        ]
        saved = [row.updated_at for row in shown if row is not None and row.pk is not None]
        if saved and max([*saved, *(at for *_, at in self.events[paper.pk])]) >= entry.changed_at:
            return False
        if state is not None and state.pk is None:  # two entries' states of one work in the file
            if state.updated_at >= entry.updated_at:
                return False
        elif state is not None:
            self.changed_states.append(state)
        else:
            state = ReadingState(reader=self.reader, paper=paper, work_id=work_id)
            self.states[key] = state
            self.new_states.append(state)
        state.paper = paper
        state.status = entry.status
        state.started_at = entry.started_at
        state.finished_at = entry.finished_at
        state.read_before = entry.read_before
        state.updated_at = entry.updated_at
        return True

    def merge_events(self, paper: Paper, events: Iterable[EventIn]) -> bool:
        known = self.events[paper.pk]
        added = False
        for event in events:
            key = (event.from_status, event.to_status, event.at)
            if key in known:
                continue
            known.add(key)
            self.new_events.append(
                ReadingEvent(
                    reader=self.reader,
                    paper=paper,
                    work_id=self.main_work.get(paper.pk),
                    from_status=event.from_status,
                    to_status=event.to_status,
                    at=event.at,
                )
            )
            added = True
        return added

    def merge_ticks(self, paper: Paper, ticks: Iterable[TickIn], report: ImportReport) -> bool:
        every_part = list(paper.advice.all())
        by_key = {advice.key: advice for advice in every_part}
        by_position = {advice.position: advice for advice in every_part}
        added = False
        for tick in ticks:
            # A key names its part whatever its position became; older files only have positions.
            advice = by_key.get(tick.key) if tick.key else by_position.get(tick.position)
            if advice is None:
                report.unknown_parts.append(f"{paper.name}: part {tick.key or tick.position}")
                continue
            made = PartTick.of(
                reader=self.reader, advice=advice, work_id=self.main_work.get(paper.pk),
                done_at=tick.done_at,
            )  # fmt: skip
            held = self.ticked.get(made.part)
            if held is None:
                self.ticked[made.part] = made
                self.new_ticks.append(made)
            elif made.depth > held.depth:  # read deeper for this entry: the part's tick deepens
                held.depth, held.advice = made.depth, advice
                if held.pk is not None:
                    self.deepened.append(held)
            else:
                continue
            added = True
        return added

    @staticmethod
    def note_key(paper_id: int, work_id: int | None) -> tuple:
        return ("work", work_id) if work_id else ("entry", paper_id)

    def merge_note(self, paper: Paper, incoming: NoteIn, report: ImportReport) -> bool:
        key = self.note_key(paper.pk, self.main_work.get(paper.pk))
        note = self.notes.get(key)
        if note is None:
            note = Note(
                reader=self.reader,
                paper=paper,
                work_id=self.main_work.get(paper.pk),
                text=incoming.text,
                version=incoming.version,
                updated_at=incoming.updated_at,
            )
            self.notes[key] = note
            self.new_notes.append(note)
            self.new_revisions += [
                NoteRevision(note=note, version=rev.version, text=rev.text, saved_at=rev.saved_at)
                for rev in incoming.revisions
            ]
            return True
        if note.text == incoming.text:
            return False
        if note.pk is None:  # made by this import (two entries' notes on one work): its revisions
            revisions = [rev for rev in self.new_revisions if rev.note is note]
        else:
            revisions = list(note.revisions.all())
        ours_is_newer = note.updated_at >= incoming.updated_at
        if ours_is_newer and incoming.text in {rev.text for rev in revisions}:
            return False  # Their text is already in this note's history: nothing would be lost.
        # Their note carried on from ours: an update, not two texts for the reader to reconcile.
        carried_on = not ours_is_newer and note.text in {rev.text for rev in incoming.revisions}
        # Both texts end up as revisions and the newer one becomes the note, so that the latest
        # revision is always the note's own text.
        if ours_is_newer:
            chain = [(incoming.text, incoming.updated_at), (note.text, note.updated_at)]
        elif revisions and revisions[-1].text == note.text:
            chain = [(incoming.text, incoming.updated_at)]
        else:
            chain = [(note.text, note.updated_at), (incoming.text, incoming.updated_at)]
        version = max([note.version, *(rev.version for rev in revisions)])
        for text, saved_at in chain:
            version += 1
            self.new_revisions.append(
                NoteRevision(note=note, version=version, text=text, saved_at=saved_at)
            )
        note.text, note.updated_at = chain[-1]
        note.version = version
        if note.pk is not None:
            self.changed_notes.append(note)
        if not carried_on:
            report.notes_kept_both.append(paper.name)
        return True

    def save(self) -> None:
        # bulk_create stamps updated_at with "now" (auto_now), on the objects too; bulk_update
        # then writes the file's stamps back, as it leaves auto_now alone.
        stamps = [state.updated_at for state in self.new_states]
        ReadingState.objects.bulk_create(self.new_states)
        for state, stamp in zip(self.new_states, stamps, strict=True):
            state.updated_at = stamp
        ReadingState.objects.bulk_update(
            self.new_states + self.changed_states,
            ["paper", "status", "started_at", "finished_at", "read_before", "updated_at"],
        )
        ReadingEvent.objects.bulk_create(self.new_events)
        PartTick.objects.bulk_create(self.new_ticks)
        PartTick.objects.bulk_update(self.deepened, ["depth", "advice"])
        # Rendered now, once each, as a save does: no page renders a note (progress/markdown.py).
        for note in self.new_notes + self.changed_notes:
            note.store_rendering()
        Note.objects.bulk_create(self.new_notes)
        Note.objects.bulk_update(
            self.changed_notes, ["text", "version", "updated_at", "rendered", "rendered_version"]
        )
        NoteRevision.objects.bulk_create(self.new_revisions)
        # The same bounds as every save and status change (progress/bounds.py): a file cannot
        # give a reader more history than using the site could.
        # Only entries over a bound are folded (what each has is known here), so an ordinary
        # import costs no statement more.
        for paper_id in {event.paper_id for event in self.new_events}:
            if len(self.events[paper_id]) > bounds.MAX_EVENTS_PER_ENTRY:
                bounds.fold_events(self.reader, paper_id)
        added: dict[int, list[NoteRevision]] = defaultdict(list)
        for revision in self.new_revisions:
            added[revision.note_id].append(revision)
        for revisions in added.values():
            note = revisions[0].note
            every = revisions + (list(note.revisions.all()) if note in self.changed_notes else [])
            chars = sum(len(revision.text) for revision in every)
            if len(every) > bounds.MAX_REVISIONS_PER_NOTE or chars > bounds.MAX_REVISION_CHARS:
                bounds.fold_revisions(note)
