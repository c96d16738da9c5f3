"""A reader's data out: the JSON export (complete, and the latest versions that fit the import
limit), one Markdown document, and a zip of notes for an Obsidian vault.

The JSON export is the one complete format: everything a reader owns, so a file from one server
imports into another that has the same lists. Version 2 names every record by its curriculum too,
as entry slugs will be unique per curriculum only (docs/curricula.md):

- an entry (with its status, events, ticks, note and revisions inside it) by
  `{"curriculum": curriculum slug, "slug": entry slug}`, its ticked parts by key within it;
- a part trimmed from the plan by `{"curriculum", "slug", "key"}`;
- a folded tier by `{"curriculum", "tier": section slug}`;
- a followed curriculum by `{"curriculum", "following", "changed_at"}`.

Version 1 files have no "curriculum" anywhere and their `folded` is a list of tier slugs: import
reads them as the default curriculum's (accounts/portability/importing.py). Reading groups are
listed by name only: they name no entry or tier.
"""

import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch

from accounts.portability.schema import MAX_IMPORT_BYTES, SCHEMA, VERSION
from catalogue.models import READING_ORDER, Paper, Section
from groups.models import Membership
from plans.models import ReadingPlan
from progress.dashboard import folded_tiers
from progress.models import Note, NoteRevision, PartTick, ReadingEvent, ReadingState, Status
from progress.summary import EntryProgress, reader_papers

# --- Gathering what a reader owns ----------------------------------------------------------------


@dataclass
class ReaderEntry:
    """Everything one reader has on one entry of the list."""

    paper: Paper
    state: ReadingState | None = None  # what the entry shows: the newer of the two below
    work_state: ReadingState | None = None  # the work's state, set from this entry
    skip: ReadingState | None = None  # this entry's skip
    events: list[ReadingEvent] = field(default_factory=list)
    ticks: list[PartTick] = field(default_factory=list)
    note: Note | None = None
    # Under the one progress rule (progress.summary), as the dashboard counts it; None for an
    # entry no longer on the list (retired), or of a curriculum other than the default one, which
    # the dashboard does not count (yet).
    progress: EntryProgress | None = None


# Entries read at once. With a reader's history bounded (progress/bounds.py), an export holds at
# most this many entries' rows in memory at a time, however much the reader has: each streamed
# export (JSON, Markdown, zip) writes them out and reads the next.
CHUNK = 25


# The order of Curriculum.objects.default_first(), seen from an entry.
CURRICULUM_ORDER = (
    "-section__curriculum__is_default",
    "section__curriculum__position",
    "section__curriculum__title",
    "section__curriculum__id",
)


def _touched(reader: AbstractBaseUser) -> list[Paper]:
    """Every entry the reader has a status, event, tick or note on, in reading order."""
    touched = (
        set(reader.reading_states.values_list("paper_id", flat=True))
        | set(reader.reading_events.values_list("paper_id", flat=True).distinct())
        | set(reader.part_ticks.values_list("advice__paper_id", flat=True).distinct())
        | set(reader.notes.values_list("paper_id", flat=True))
    )
    # Retired entries too: they are off the list, but the reader's data on them is theirs. One
    # curriculum after another (the default first, then in the order of /lists/), each in its
    # reading order.
    return list(
        Paper.objects.every_entry_in_reading_order()
        .filter(pk__in=touched)
        .select_related("section__curriculum")
        .order_by(*CURRICULUM_ORDER, *READING_ORDER)
    )


def iter_reader_entries(reader: AbstractBaseUser) -> Iterator[ReaderEntry]:
    """Every entry the reader has anything on, in reading order, read CHUNK entries at a time."""
    papers = _touched(reader)
    # The list with the reader's state, counted as every page counts it (one query; the list,
    # not the reader's history, so its size is the list's).
    counted = {paper.pk: paper.progress for paper in reader_papers(reader)} if papers else {}
    for start in range(0, len(papers), CHUNK):
        chunk = papers[start : start + CHUNK]
        ids = [paper.pk for paper in chunk]
        states, skips = {}, {}
        for state in reader.reading_states.filter(paper_id__in=ids):
            (skips if state.status == Status.SKIPPED else states)[state.paper_id] = state
        events = defaultdict(list)
        for event in reader.reading_events.filter(paper_id__in=ids).order_by("at", "id"):
            events[event.paper_id].append(event)
        ticks = defaultdict(list)
        for tick in (
            reader.part_ticks.filter(advice__paper_id__in=ids)
            .select_related("advice")
            .order_by("advice__position")
        ):
            ticks[tick.advice.paper_id].append(tick)
        notes = {
            note.paper_id: note
            for note in reader.notes.filter(paper_id__in=ids).prefetch_related(
                Prefetch("revisions", queryset=NoteRevision.objects.order_by("version"))
            )
        }
        for paper in chunk:
            yield ReaderEntry(
                paper=paper,
                state=_shown(states.get(paper.pk), skips.get(paper.pk)),
                work_state=states.get(paper.pk),
                skip=skips.get(paper.pk),
                events=events[paper.pk],
                ticks=ticks[paper.pk],
                note=notes.get(paper.pk),
                progress=counted.get(paper.pk),
            )


def _shown(state: ReadingState | None, skip: ReadingState | None) -> ReadingState | None:
    """The newer of an entry's skip and the work's state set from it (progress.coverage)."""
    if skip is None or (state is not None and state.updated_at > skip.updated_at):
        return state
    return skip


def reader_entries(reader: AbstractBaseUser) -> list[ReaderEntry]:
    """iter_reader_entries(), all in memory (for the file of latest versions and the tests)."""
    return list(iter_reader_entries(reader))


def _stamp(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _day(moment: datetime | None) -> str:
    return moment.astimezone(UTC).date().isoformat() if moment else ""


# --- JSON ----------------------------------------------------------------------------------------


def _head(reader: AbstractBaseUser, exported_at: datetime) -> dict:
    """What comes before the entries: the file's format, the account, the plan, folded tiers,
    the curricula followed."""
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "exported_at": _stamp(exported_at),
        "account": {"username": reader.get_username()},
        "plan": _plan_document(ReadingPlan.objects.of_reader(reader)),
        "folded": _folded(reader),
        "follows": _follows(reader),
    }


def _folded(reader: AbstractBaseUser) -> list[dict]:
    """The tiers the reader folded away on the dashboard, each named with its curriculum (one
    query, none when nothing is folded). A slug no section has any more folds nothing: left out."""
    slugs = folded_tiers(reader)
    if not slugs:
        return []
    tiers = Section.objects.filter(slug__in=slugs)  # with its curriculum (SectionManager)
    return sorted(
        ({"curriculum": tier.curriculum.slug, "tier": tier.slug} for tier in tiers),
        key=lambda tier: (tier["curriculum"], tier["tier"]),
    )


def _follows(reader: AbstractBaseUser) -> list[dict]:
    """The reader's choices of curricula to follow or not, by the curricula's slugs: the
    default one is followed until a choice says otherwise."""
    rows = reader.follows.select_related("curriculum").order_by("changed_at", "pk")
    return [
        {
            "curriculum": row.curriculum.slug,
            "following": row.following,
            "changed_at": _stamp(row.changed_at),
        }
        for row in rows
    ]


def _groups(reader: AbstractBaseUser) -> list[dict]:
    # Listed, never imported: joining a group takes its invite link, not a file.
    return [
        _group_document(membership)
        for membership in reader.group_memberships.select_related("group").in_joining_order()
    ]


def export_document(reader: AbstractBaseUser, *, exported_at: datetime) -> dict:
    """The complete export: statuses with their history, ticked parts, notes with revisions, the
    reading plan and the tiers folded away on the dashboard, and, for the reader's records, the
    reading groups they belong to and what they share there. In memory: export_json() streams
    the same document."""
    return {
        **_head(reader, exported_at),
        "entries": [_entry_document(entry) for entry in iter_reader_entries(reader)],
        "groups": _groups(reader),
    }


def export_json(reader: AbstractBaseUser, *, exported_at: datetime) -> Iterator[str]:
    """export_document() as the text of dumps(), written out entry by entry (CHUNK entries in
    memory at a time), for a streaming response."""
    head = dumps(_head(reader, exported_at)).rstrip()  # "{ ... }"
    yield head[:-2] + ',\n  "entries": ['
    separator = "\n"
    for entry in iter_reader_entries(reader):
        yield separator + _indented(_entry_document(entry), "    ")
        separator = ",\n"
    groups = _indented(_groups(reader), "  ").lstrip()
    yield f'\n  ],\n  "groups": {groups}\n}}\n'


def _indented(value, prefix: str) -> str:
    return "\n".join(prefix + line for line in dumps(value).rstrip().split("\n"))


def _plan_document(plan: ReadingPlan | None) -> dict | None:
    if plan is None:
        return None
    return {
        "hours_per_week": str(plan.hours_per_week),
        "reading_days": plan.reading_days,
        "session_time": plan.session_time.isoformat(timespec="minutes"),
        "timezone": plan.timezone,
        "use_pace": plan.use_pace,
        "starts_on": plan.starts_on.isoformat(),
        "counted_from": plan.counted_from.isoformat(),
        "catch_up_minutes": plan.catch_up_minutes,
        # Parts trimmed from the plan, named as ticks are: by curriculum, entry and key.
        "dropped": [
            {
                "curriculum": advice.paper.section.curriculum.slug,
                "slug": advice.paper.slug,
                "key": advice.key,
            }
            for advice in plan.dropped.select_related("paper__section__curriculum").order_by(
                "paper__section__curriculum__slug", "paper__slug", "key"
            )
        ],
        "updated_at": _stamp(plan.updated_at),
        # Not the calendar address: it is a secret, and a new one is a click away.
    }


def _group_document(membership: Membership) -> dict:
    return {
        "name": membership.group.name,
        "role": membership.role,
        "sharing": membership.sharing,
        "joined_at": _stamp(membership.joined_at),
    }


def _entry_document(entry: ReaderEntry) -> dict:
    # The work's state set from this entry (else its skip) in the status fields, and the skip's
    # time as `skipped_at` when the entry has both: nothing of either is lost.
    state, note = entry.work_state or entry.skip, entry.note
    both = entry.work_state is not None and entry.skip is not None
    return {
        # The pair names the entry: slugs will be unique per curriculum only.
        "curriculum": entry.paper.section.curriculum.slug,
        "slug": entry.paper.slug,
        "title": entry.paper.name,
        "status": state.status if state else None,
        "started_at": _stamp(state.started_at) if state else None,
        "finished_at": _stamp(state.finished_at) if state else None,
        "read_before": state.read_before if state else False,
        "updated_at": _stamp(state.updated_at) if state else None,
        **({"skipped_at": _stamp(entry.skip.updated_at)} if both else {}),
        "progress": _progress_document(entry.progress),
        "events": [
            {"from": event.from_status, "to": event.to_status, "at": _stamp(event.at)}
            for event in entry.events
        ],
        "ticks": [
            {
                "key": tick.advice.key,
                "position": tick.advice.position,
                "part": tick.advice.part,
                "done_at": _stamp(tick.done_at),
            }
            for tick in entry.ticks
        ],
        "note": None
        if note is None
        else {
            "text": note.text,
            "version": note.version,
            "updated_at": _stamp(note.updated_at),
            "revisions": [
                {"version": rev.version, "text": rev.text, "saved_at": _stamp(rev.saved_at)}
                for rev in note.revisions.all()
            ],
        },
    }


def dumps(document: dict) -> str:
    """The export as text: UTF-8 JSON, indented so that it diffs and reads well."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _size(document: dict) -> int:
    return len(dumps(document).encode())


def export_within_import_limit(
    reader: AbstractBaseUser,
    *,
    exported_at: datetime,
    limit: int | None = None,
    part: int = 1,
) -> tuple[dict, int, int]:
    """The export, leaving out the oldest revisions until the file fits what import accepts.

    Returns the document, how many revisions were left out, and how many parts the latest
    versions take. Each note keeps its text and its latest revision; statuses, events and ticks
    are always there in full. If even that is over the limit (many long notes), the entries are
    shared out over several files in reading order, each within the limit, and `part` (from 1)
    says which to return: import merges, so importing each in turn restores them all. An entry
    always fits alone (a note and its latest revision are 200,000 characters at most). The full
    export keeps every revision: this file is for moving a long history to another account.
    """
    limit = limit or MAX_IMPORT_BYTES
    document = export_document(reader, exported_at=exported_at)
    size = _size(document)
    if size <= limit:
        return document, 0, 1
    notes = [entry["note"] for entry in document["entries"] if entry.get("note")]
    before = sum(len(note["revisions"]) for note in notes)
    # Oldest first across all notes, never a note's latest revision.
    candidates = sorted(
        (rev["saved_at"] or "", id(rev), rev) for note in notes for rev in note["revisions"][:-1]
    )
    left_out: set[int] = set()
    for _, key, revision in candidates:
        if size <= limit:
            break
        left_out.add(key)
        # Near enough (indentation differs a little inside the file): measured again below.
        size -= len(json.dumps(revision, ensure_ascii=False, indent=2).encode())
    for note in notes:
        note["revisions"] = [rev for rev in note["revisions"] if id(rev) not in left_out]
    while _size(document) > limit and any(len(note["revisions"]) > 1 for note in notes):
        oldest = min(
            (note for note in notes if len(note["revisions"]) > 1),
            key=lambda note: note["revisions"][0]["saved_at"] or "",
        )
        oldest["revisions"].pop(0)
    left = before - sum(len(note["revisions"]) for note in notes)
    if _size(document) <= limit:
        return document, left, 1
    parts = _share_out(document, limit)
    index = min(max(part, 1), len(parts)) - 1
    return {**document, "entries": parts[index]}, left, len(parts)


def _share_out(document: dict, limit: int) -> list[list[dict]]:
    """The document's entries in reading order, in as few consecutive runs as keep each file
    (the document with one run as its entries) within `limit`."""
    room = limit - _size({**document, "entries": []}) - 16
    parts: list[list[dict]] = [[]]
    used = 0
    for entry in document["entries"]:
        text = dumps(entry)
        # Inside the file each of the entry's lines is indented four more, and a comma follows.
        cost = len(text.encode()) + 4 * text.count("\n") + 8
        if parts[-1] and used + cost > room:
            parts.append([])
            used = 0
        parts[-1].append(entry)
        used += cost
    return parts


# --- Markdown ------------------------------------------------------------------------------------


def export_markdown(reader: AbstractBaseUser, *, exported_at: datetime) -> Iterator[str]:
    """One document in reading order: each entry's status, dates, ticked parts and note, written
    out entry by entry for a streaming response."""
    count = len(_touched(reader))
    yield "\n".join(
        [
            f"# {reader.get_username()}'s reading",
            "",
            f"Exported from mireads on {exported_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC: "
            f"{count} {'entry' if count == 1 else 'entries'} in reading order.",
        ]
    )
    for entry in iter_reader_entries(reader):
        lines = ["", f"## {_one_line(entry.paper.name)}", ""]
        lines += [f"- {label}: {value}" for label, value in _facts(entry)]
        if entry.ticks:
            lines += ["", "Ticked parts:", ""]
            lines += [
                f"- [x] {_one_line(tick.advice.part)} ({_day(tick.done_at)})"
                for tick in entry.ticks
            ]
        if entry.note and entry.note.text.strip():
            lines += ["", "### Note", "", demote_headings(entry.note.text.strip(), levels=3)]
        yield "\n" + "\n".join(lines)
    yield "\n"


_ATX_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def demote_headings(markdown: str, *, levels: int) -> str:
    """The note's headings moved `levels` down (at most to ######), outside code fences, so a
    note's "# Summary" sits under its entry's heading instead of beside the document's title."""
    out, fence = [], None
    for line in markdown.split("\n"):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)[0]
        elif fence is not None and opened and opened.group(1)[0] == fence:
            fence = None
        elif fence is None:
            line = _ATX_HEADING.sub(
                lambda m: m.group(1) + "#" * min(6, len(m.group(2)) + levels), line
            )
        out.append(line)
    return "\n".join(out)


_UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f]+')


def vault_file_name(title: str, taken: set[str]) -> str:
    """A file name from the entry's title, with the characters that file systems or Obsidian's
    links refuse taken out, unique within the vault ("Name 2.md" for a second one)."""
    base = " ".join(_UNSAFE_IN_FILE_NAMES.sub(" ", title).split()).strip(". ")[:100] or "entry"
    name, n = f"{base}.md", 2
    while name.casefold() in taken:
        name, n = f"{base} {n}.md", n + 1
    taken.add(name.casefold())
    return name


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _progress_document(progress: EntryProgress | None) -> dict | None:
    """How far the reader is with the entry, as the dashboard counts it (informative: the
    import recounts from the statuses and ticks)."""
    if progress is None:
        return None
    return {
        "percent": progress.percent, "parts": progress.parts, "ticked": progress.ticked,
        "settled": progress.settled, "counts": progress.counts,
    }  # fmt: skip


def progress_text(progress: EntryProgress) -> str:
    """The entry's progress in words, as the dashboard shows it: "75% · 1 of 2 parts"."""
    text = f"{progress.percent}%"
    if progress.parts:
        text += f" · {progress.ticked} of {progress.parts} part{'s' if progress.parts != 1 else ''}"
    return text + ("" if progress.counts else " (skipped: out of the total)")


def _facts(entry: ReaderEntry) -> list[tuple[str, str]]:
    state = entry.state
    facts = [("Status", state.get_status_display() if state else Status.UNREAD.label)]
    if entry.progress is not None:
        facts.append(("Progress", progress_text(entry.progress)))
    if state and state.started_at:
        facts.append(("Started", _day(state.started_at)))
    if state and state.finished_at:
        facts.append(("Finished", _day(state.finished_at)))
    if entry.paper.url:
        facts.append(("Link", entry.paper.url))
    return facts


# --- A zip of notes for an Obsidian vault --------------------------------------------------------

# JSON escapes quotes, backslashes and control characters the way YAML's double-quoted scalars
# do; these three are line breaks to YAML but not to JSON, so they are escaped too (as \uXXXX,
# which both read the same way).
_YAML_LINE_BREAKS = re.compile("[\u0085\u2028\u2029]")


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text`, whatever it contains."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _YAML_LINE_BREAKS.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)


class _Pipe:
    """A write-only file for zipfile that keeps what was written until it is taken: zipfile sees
    no seek(), so it writes each member's sizes after its data, as a stream allows."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        taken, self.chunks = b"".join(self.chunks), []
        return taken


def export_notes_zip(reader: AbstractBaseUser, *, exported_at: datetime) -> Iterator[bytes]:
    """One Markdown file per entry, named by its title, with YAML front matter (the slug among
    it), for an Obsidian vault; written out member by member for a streaming response."""
    pipe = _Pipe()
    stamp = exported_at.astimezone(UTC).timetuple()[:6]
    taken: set[str] = set()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in iter_reader_entries(reader):
            # A fixed date in every member keeps the archive the same for the same data.
            name = vault_file_name(entry.paper.name, taken)
            member = zipfile.ZipInfo(name, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, _vault_file(entry))
            yield pipe.take()
    yield pipe.take()


def _vault_file(entry: ReaderEntry) -> str:
    paper, state = entry.paper, entry.state
    front = [
        "---",
        f"title: {yaml_string(paper.name)}",
        # The list the entry (and its tier's number) belongs to, as the JSON export names it.
        f"curriculum: {yaml_string(paper.section.curriculum.slug)}",
        f"slug: {yaml_string(paper.slug)}",
        f"link: {yaml_string(paper.url)}",
        f"status: {yaml_string(state.status if state else Status.UNREAD.value)}",
        # ISO dates unquoted: YAML (and Obsidian's date properties) read them as dates.
        f"started: {_day(state.started_at) if state else ''}".rstrip(),
        f"finished: {_day(state.finished_at) if state else ''}".rstrip(),
        f"tier: {paper.section.priority}",
        "---",
        "",
        f"# {_one_line(paper.name)}",
    ]
    if entry.ticks:
        front += ["", "Ticked parts:", ""]
        front += [f"- [x] {_one_line(tick.advice.part)}" for tick in entry.ticks]
    if entry.note and entry.note.text.strip():
        front += ["", demote_headings(entry.note.text.strip(), levels=1)]
    return "\n".join(front) + "\n"
