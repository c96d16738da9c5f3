"""Load the reading list from fixtures/papers.json and write it back, in one stable format.

Records name each other by slug (natural keys: a part is its entry's slug and its own key), so the
file holds no numeric primary keys and loading never moves a reader's status, tick or note.

Loading applies the file rather than re-imposing it. The copy last applied is kept in the
database (CatalogueLoad), and each load compares three versions of every record and field: the
file now, the file as last applied, and the database now. Only what changed in the file is
written; where staff changed the same field differently, the database's value stays and the
conflict is reported. An unchanged file writes nothing at all.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalogue import editions, identity, pagecache
from catalogue.models import (
    Advice,
    CatalogueLoad,
    Citation,
    Curriculum,
    Edition,
    Level,
    Paper,
    Section,
    Work,
)

FIXTURE_PATH = Path(settings.BASE_DIR) / "fixtures" / "papers.json"
# Further curricula: one file each, in the same format, with a catalogue.curriculum record first.
CURRICULA_DIR = Path(settings.BASE_DIR) / "fixtures" / "curricula"
CURRICULUM = "catalogue.curriculum"
MODELS = {
    CURRICULUM: Curriculum,
    "catalogue.section": Section,
    "catalogue.paper": Paper,
    "catalogue.advice": Advice,
    "catalogue.work": Work,
    "catalogue.citation": Citation,
}
EDITION = "catalogue.edition"
# The edition record carries the list's current edition number, never its snapshot.
EDITION_FIELDS = ["number", "note", "published_at"]
MISSING = object()


class CatalogueError(Exception):
    """A fixture that cannot be loaded; the message names the record and the field."""


@dataclass(frozen=True)
class Conflict:
    """The file and a staff edit changed one field (or a whole record) differently."""

    record: str
    field: str
    file_value: object
    database_value: object

    def __str__(self) -> str:
        return (
            f"{self.record}, field {self.field!r}: the file says {_show(self.file_value)}, "
            f"the database says {_show(self.database_value)}"
        )


def _show(value) -> str:
    if value is MISSING:
        return "(nothing)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    retired: dict[str, int] = field(default_factory=dict)
    linked: list[str] = field(default_factory=list)  # "title (file slug -> known slug)"
    conflicts: list[Conflict] = field(default_factory=list)
    unchanged: bool = False
    edition: int | None = None

    def count(self, tally: dict[str, int], label: str) -> None:
        tally[label] = tally.get(label, 0) + 1

    def __str__(self) -> str:
        if self.unchanged:
            return "unchanged since it was last applied; nothing was written"
        parts = []
        if self.created.get("curriculum"):
            parts.append("a new curriculum")
        for label in ("section", "paper", "advice"):
            text = (
                f"{label}: {self.created.get(label, 0)} new, {self.updated.get(label, 0)} updated"
            )
            if self.removed.get(label):
                text += f", {self.removed[label]} removed"
            if self.retired.get(label):
                text += f", {self.retired[label]} retired (readers had used them)"
            parts.append(text)
        if self.linked:
            parts.append(
                f"{len(self.linked)} known work{'s' if len(self.linked) > 1 else ''} cited "
                f"rather than copied: {', '.join(self.linked)}"
            )
        text = "; ".join(parts)
        if self.edition:
            text += f"; now at edition {self.edition}"
        return text


def _ref(value) -> str | None:
    """The slug inside a natural-key reference such as ["rome"], or None."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0]
    return None


def _identity(record: dict) -> tuple:
    """A record's natural key: ("paper", slug), ("advice", entry slug, part key)..."""
    kind = record["model"].split(".")[1]
    fields = record["fields"]
    if kind == "advice":
        return (kind, _ref(fields.get("paper")), fields.get("key"))
    if kind == "citation":
        return (kind, _ref(fields.get("entry")), fields.get("position"))
    return (kind, fields.get("slug"))


def _name(identity: tuple) -> str:
    if identity[0] == "advice":
        return f"catalogue.advice {identity[1]} part {identity[2]!r}"
    if identity[0] == "citation":
        return f"catalogue.citation {identity[1]} #{identity[2]}"
    return f"catalogue.{identity[0]} {identity[1]}"


def _label(index: int, record: dict) -> str:
    fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
    model = record.get("model", "?")
    if model == "catalogue.advice":
        key = f"{_ref(fields.get('paper'))} #{fields.get('position')} {fields.get('key')!r}"
    elif model == "catalogue.citation":
        key = f"{_ref(fields.get('entry'))} #{fields.get('position')}"
    elif model == EDITION:
        key = fields.get("number", "?")
    else:
        key = fields.get("slug", "?")
    return f"record {index + 1} ({model} {key!s})"


def parse(text: str, source: str = "fixture") -> list[dict]:
    """Parse fixture JSON into records, or raise CatalogueError saying where it is malformed."""
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogueError(
            f"{source} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    if not isinstance(records, list):
        raise CatalogueError(f"{source} must hold a JSON list of records.")
    return records


def _check_edition(where: str, fields: dict) -> None:
    number = fields.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise CatalogueError(f"{where}: field 'number': an edition number is a whole number ≥ 1.")
    if not isinstance(fields.get("note", ""), str) or len(fields.get("note", "")) > 500:
        raise CatalogueError(f"{where}: field 'note': an edition note is at most 500 characters.")
    if parse_datetime(str(fields.get("published_at", ""))) is None:
        raise CatalogueError(f"{where}: field 'published_at': not a date and time.")


def curriculum_of(records: list[dict], source: str = "") -> Curriculum:
    """The curriculum a file publishes: the one its catalogue.curriculum record names (made
    now, unsaved, if it is new), else the default one. A curriculum already loaded from another
    file is refused: two files cannot publish one curriculum."""
    found = [r for r in records if isinstance(r, dict) and r.get("model") == CURRICULUM]
    if len(found) > 1:
        raise CatalogueError("The file may describe one curriculum only.")
    if not found:
        return Curriculum.objects.default()
    fields = found[0].get("fields") if isinstance(found[0].get("fields"), dict) else {}
    slug = fields.get("slug")
    if not isinstance(slug, str) or not slug:
        raise CatalogueError("catalogue.curriculum: field 'slug': every curriculum needs one.")
    existing = Curriculum.objects.filter(slug=slug).first()
    if existing is None:
        return Curriculum(slug=slug, title=str(fields.get("title", slug)), source_file=source)
    if source and existing.source_file and existing.source_file != source:
        raise CatalogueError(
            f"catalogue.curriculum {slug}: field 'slug': curriculum {slug!r} is already "
            f"published from {existing.source_file}; two curricula cannot share a slug."
        )
    return existing


def _owned_elsewhere(curriculum: Curriculum) -> dict[str, dict[str, str]]:
    """Section and entry slugs that other curricula use, with the curriculum using each."""
    others = Section.objects.exclude(curriculum__slug=curriculum.slug)
    return {
        "section": dict(others.values_list("slug", "curriculum__slug")),
        "paper": dict(
            Paper.objects.exclude(section__curriculum__slug=curriculum.slug).values_list(
                "slug", "section__curriculum__slug"
            )
        ),
    }


def _check_nesting(records: list[dict]) -> None:
    """A nested entry may not be its own ancestor: refuse a cycle, naming the entries in it."""
    parents = dict(Paper.objects.filter(parent__isnull=False).values_list("slug", "parent__slug"))
    for record in records:
        if isinstance(record, dict) and record.get("model") == "catalogue.paper":
            fields = record.get("fields") or {}
            parents[fields.get("slug")] = _ref(fields.get("parent"))
    for start in parents:
        path, slug = [start], parents.get(start)
        while slug is not None:
            if slug in path:
                loop = " under ".join([*path[path.index(slug) :], slug])
                raise CatalogueError(
                    f"catalogue.paper {start}: field 'parent': the nesting {loop} is a cycle; "
                    "an entry cannot be nested under itself."
                )
            path.append(slug)
            slug = parents.get(slug)


def _check_work_identities(records: list[dict]) -> None:
    """A work whose DOI, arXiv id or link name two different works already known is refused,
    naming both; so is an identifier that is not one (catalogue/identity.py says what is)."""
    in_file = {
        r["fields"].get("slug")
        for r in records
        if isinstance(r, dict) and r.get("model") == "catalogue.work"
    }
    known: list[tuple[str, identity.Identity]] = []
    titles: dict[str, str] = {}
    for slug, title, doi, arxiv_id, url in Work.objects.values_list(
        "slug", "title", "doi", "arxiv_id", "url"
    ):
        if slug in in_file:
            continue  # the file says what that work is now
        try:
            known.append((slug, identity.identity_of(doi, arxiv_id, url)))
        except ValueError:
            continue  # a row saved before these rules: nothing in this file can be checked on it
        titles[slug] = title
    # One work cited by two entries is one work, not a conflict: group the known works first.
    group = {work: work for work, _ in known}
    for same in identity.duplicates(known):
        for work in same.works:
            group[work] = same.works[0]
    by_key = {key: group[work] for work, found in known for key in found.keys()}  # noqa: SIM118
    for index, record in enumerate(records):
        if not isinstance(record, dict) or record.get("model") != "catalogue.work":
            continue
        fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
        where = _label(index, record)
        title = str(fields.get("title", ""))
        try:
            found = identity.identity_of(
                str(fields.get("doi") or ""),
                str(fields.get("arxiv_id") or ""),
                str(fields.get("url") or ""),
                work=title,
            )
        except identity.IdentifierError:
            continue  # not an identifier at all: the model's validation names the field
        except identity.IdentityConflict as error:
            raise CatalogueError(f"{where}: {error}") from None
        hits: dict[tuple, str] = {}
        for key in found.keys():  # noqa: SIM118 (an Identity's keys, not a dict's)
            if key in by_key:
                hits.setdefault(by_key[key], key)
        if len(hits) > 1:
            (first, first_key), (second, second_key) = list(hits.items())[:2]
            raise CatalogueError(
                f"{where}: the work '{title}' has {identity.describe_key(first_key)}, which is "
                f"'{titles[first]}', and {identity.describe_key(second_key)}, which is "
                f"'{titles[second]}': one work cannot be two."
            )


def _check_parts_advised_once(records: list[dict], curriculum: Curriculum) -> None:
    """Advice belongs to a curriculum: one part of one work is advised once in it. Two entries
    citing one work as their main work may not both advise the same part (its key)."""
    main: dict[str, str] = {}  # entry slug → its main work's slug
    advised: dict[str, list[tuple[int, dict]]] = {}
    for index, record in enumerate(records):
        fields = record.get("fields") or {}
        if record.get("model") == "catalogue.citation" and fields.get("role") == "main":
            main[_ref(fields.get("entry"))] = _ref(fields.get("work"))
        elif record.get("model") == "catalogue.advice" and not fields.get("retired"):
            advised.setdefault(_ref(fields.get("paper")), []).append((index, record))
    if curriculum.pk is not None:  # this curriculum's entries the file does not describe
        cited = Citation.objects.filter(entry__section__curriculum=curriculum, role="main")
        for entry, work in cited.values_list("entry__slug", "work__slug"):
            main.setdefault(entry, work)
    seen: dict[tuple[str, str], str] = {}
    for entry, items in advised.items():
        work = main.get(entry)
        if work is None:
            continue  # an entry with no work row is a work of its own
        for index, record in items:
            key = record["fields"].get("key")
            first = seen.setdefault((work, key), entry)
            if first != entry:
                raise CatalogueError(
                    f"{_label(index, record)}: field 'key': part {key!r} of the work {work!r} "
                    f"is already advised in this curriculum by entry {first!r}; a curriculum "
                    "advises each part once."
                )


def _link_known_works(records: list[dict]) -> tuple[list[dict], dict[tuple, str]]:
    """Works are shared: a further curriculum citing a known work links to it rather than
    copying it. A work record whose DOI, arXiv id or link names a work the database knows is that
    work, whatever slug the file gives it: the records come back naming the known work's slug
    (its citations too). Returns them with {a linked work's identity: how the report names it};
    a known work keeps its fields unless this curriculum already cites it (load() decides). A
    record whose slug names one known work and whose identifiers name another is refused."""
    works = [r for r in records if r.get("model") == "catalogue.work"]
    if not works:
        return records, {}
    index: identity.WorkIndex[str] = identity.WorkIndex()
    titles: dict[str, str] = {}
    for slug, title, doi, arxiv_id, url in Work.objects.values_list(
        "slug", "title", "doi", "arxiv_id", "url"
    ):
        titles[slug] = title
        try:
            index.add(slug, identity.identity_of(doi, arxiv_id, url))
        except ValueError:
            continue  # a row saved before identity's rules, or one sharing a key: not matched
    aliases: dict[str, str] = {}
    linked: dict[tuple, str] = {}
    for index_in_file, record in enumerate(records):
        if record.get("model") != "catalogue.work":
            continue
        fields = record["fields"]
        slug, title = fields.get("slug"), str(fields.get("title", ""))
        try:
            found = index.find(
                identity.identity_of(
                    str(fields.get("doi") or ""),
                    str(fields.get("arxiv_id") or ""),
                    str(fields.get("url") or ""),
                ),
                name=title,
            )
        except ValueError:
            continue  # _check_work_identities has refused what must be refused
        if slug in titles:
            if found is not None and found != slug:
                raise CatalogueError(
                    f"{_label(index_in_file, record)}: field 'slug': {slug!r} is the known work "
                    f"'{titles[slug]}', but the record's identifiers name '{titles[found]}': "
                    "one work cannot be two."
                )
            linked[("work", slug)] = f"'{title}' ({slug})"
        elif found is not None:
            aliases[slug] = found
            linked[("work", found)] = f"'{title}' ({slug} is {found})"
    if not aliases:
        return records, linked
    result = []
    for record in records:
        fields = record.get("fields")
        if record.get("model") == "catalogue.work" and fields.get("slug") in aliases:
            record = {**record, "fields": {**fields, "slug": aliases[fields["slug"]]}}
        elif record.get("model") == "catalogue.citation" and _ref(fields.get("work")) in aliases:
            record = {**record, "fields": {**fields, "work": [aliases[_ref(fields["work"])]]}}
        result.append(record)
    return result, linked


def _check_references(records: list[dict], curriculum: Curriculum | None = None) -> None:
    """Catch what Django's deserializer reports badly: duplicates and dangling references, a
    slug another curriculum uses, and a cycle of nested entries."""
    curriculum = curriculum or Curriculum.objects.default()
    elsewhere = _owned_elsewhere(curriculum)
    mine = Section.objects.filter(curriculum__slug=curriculum.slug)
    known = {
        "section": set(mine.values_list("slug", flat=True)),
        "paper": set(
            Paper.objects.filter(section__curriculum__slug=curriculum.slug).values_list(
                "slug", flat=True
            )
        ),
    }
    seen: dict[str, set] = {
        "section": set(), "paper": set(), "advice": set(), "key": set(), "work": set(),
        "citation": set(), "main": set(),
    }  # fmt: skip
    editions_seen = 0
    for index, record in enumerate(records):
        where = _label(index, record) if isinstance(record, dict) else f"record {index + 1}"
        if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
            raise CatalogueError(f"{where}: must be an object with 'model' and 'fields'.")
        if "pk" in record:
            raise CatalogueError(f"{where}: field 'pk': records name each other by slug, not pk.")
        model = record.get("model")
        fields = record["fields"]
        if model == EDITION:
            editions_seen += 1
            if editions_seen > 1:
                raise CatalogueError(f"{where}: the file may name one current edition only.")
            _check_edition(where, fields)
            continue
        if model not in MODELS:
            raise CatalogueError(f"{where}: field 'model': unknown model {model!r}.")
        kind = model.split(".")[1]
        if kind == "curriculum":
            continue
        if kind in ("section", "paper"):
            slug = fields.get("slug")
            if slug in seen[kind]:
                raise CatalogueError(f"{where}: field 'slug': duplicate slug {slug!r}.")
            if slug in elsewhere[kind]:
                raise CatalogueError(
                    f"{where}: field 'slug': {slug!r} is already a {kind} of curriculum "
                    f"{elsewhere[kind][slug]!r}; give it a slug of its own in this one."
                )
            parent = fields.get("parent")
            if parent is not None and _ref(parent) not in (seen[kind] | known[kind]) - {slug}:
                raise CatalogueError(
                    f"{where}: field 'parent': no {kind} {parent!r} earlier in the file "
                    "or in the database."
                )
            seen[kind].add(slug)
        url = fields.get("url")
        if kind == "paper" and url and not str(url).startswith(("https://", "http://")):
            raise CatalogueError(f"{where}: field 'url': {url!r} is not an http(s) link.")
        if kind == "paper":
            section = _ref(fields.get("section"))
            if section not in seen["section"] | known["section"]:
                raise CatalogueError(
                    f"{where}: field 'section': no section {fields.get('section')!r}."
                )
        if kind == "work":
            slug = fields.get("slug")
            if not isinstance(slug, str) or not slug:
                raise CatalogueError(
                    f"{where}: field 'slug': missing; every work needs a slug its citations name."
                )
            if slug in seen["work"]:
                raise CatalogueError(f"{where}: field 'slug': duplicate slug {slug!r}.")
            seen["work"].add(slug)
        if kind == "citation":
            paper = _ref(fields.get("entry"))
            if paper not in seen["paper"] | known["paper"]:
                raise CatalogueError(f"{where}: field 'entry': no entry {fields.get('entry')!r}.")
            work = _ref(fields.get("work"))
            if work not in seen["work"] and not Work.objects.filter(slug=work).exists():
                raise CatalogueError(
                    f"{where}: field 'work': no work {fields.get('work')!r} earlier in the file "
                    "or in the database."
                )
            if (paper, fields.get("position")) in seen["citation"]:
                position = fields.get("position")
                raise CatalogueError(f"{where}: field 'position': duplicate position {position!r}.")
            seen["citation"].add((paper, fields.get("position")))
            if fields.get("role", "main") == "main":
                if paper in seen["main"]:
                    raise CatalogueError(
                        f"{where}: field 'role': entry {paper!r} already has a main work."
                    )
                seen["main"].add(paper)
        if kind == "advice":
            paper = _ref(fields.get("paper"))
            if paper not in seen["paper"] | known["paper"]:
                raise CatalogueError(f"{where}: field 'paper': no entry {fields.get('paper')!r}.")
            key = fields.get("key")
            if not isinstance(key, str) or not key:
                raise CatalogueError(
                    f"{where}: field 'key': missing; every part needs a key (a short slug, "
                    "unique within its entry) that readers' ticks point to."
                )
            if (paper, key) in seen["key"]:
                raise CatalogueError(
                    f"{where}: field 'key': duplicate key {key!r} within entry {paper!r}."
                )
            seen["key"].add((paper, key))
            position = (paper, fields.get("position"))
            if position in seen["advice"]:
                raise CatalogueError(
                    f"{where}: field 'position': duplicate position {position[1]!r}."
                )
            seen["advice"].add(position)
            if fields.get("level") not in Level.values:
                raise CatalogueError(
                    f"{where}: field 'level': unknown level {fields.get('level')!r} "
                    f"(use one of {', '.join(Level.values)})."
                )


def _by_identity(records: Iterable[dict]) -> dict[tuple, dict]:
    """Catalogue records (not the edition) keyed by natural key, in their order."""
    return {_identity(r): r for r in records if r.get("model") in MODELS}


def _check_no_key_moved(base: dict, theirs: dict, ours: dict) -> None:
    """A part keeps its entry: a key that leaves one entry and turns up, with the same label, in
    another would silently carry no ticks along, so it is refused."""
    gone = {
        (ident[2], base[ident]["fields"].get("part")): ident[1]
        for ident in base
        if ident[0] == "advice" and ident not in theirs and ident in ours
    }
    for ident, record in theirs.items():
        if ident[0] != "advice" or ident in base or ident in ours:
            continue
        origin = gone.get((ident[2], record["fields"].get("part")))
        if origin is not None and origin != ident[1]:
            raise CatalogueError(
                f"{_name(ident)}: field 'key': part {ident[2]!r} moved from entry {origin!r} "
                f"to entry {ident[1]!r}; a part keeps its entry, so give it a new key there."
            )


def _save(record: dict, where: str, curriculum: Curriculum) -> Section | Paper | Advice:
    """Deserialize, validate and save one record; the natural key finds an existing row.
    A section is the curriculum's the file publishes; a curriculum keeps what the file does not
    say (whether it is the default, which file it comes from)."""
    if record["model"] == "catalogue.section":
        fields = {**record["fields"], "curriculum": [curriculum.slug]}
        record = {**record, "fields": fields}
    if record["model"] == CURRICULUM:
        kept = {"is_default": curriculum.is_default, "source_file": curriculum.source_file}
        record = {**record, "fields": {**record["fields"], **kept}}
    try:
        (deserialized,) = serializers.deserialize(
            "python", [record], handle_forward_references=False
        )
    except FieldDoesNotExist as error:
        raise CatalogueError(f"{where}: {error}.") from None
    except serializers.base.DeserializationError as error:
        raise CatalogueError(f"{where}: {error}") from None
    instance = deserialized.object
    # The deserializer found an existing row by its natural key: validate it as an update.
    instance._state.adding = instance.pk is None
    try:
        instance.full_clean()
    except ValidationError as error:
        # dict.fromkeys: a field with two validators for one rule reports it once.
        problems = "; ".join(
            f"field {name!r}: {' '.join(dict.fromkeys(messages))}"
            for name, messages in error.message_dict.items()
        )
        raise CatalogueError(f"{where}: {problems}") from None
    deserialized.save()
    return instance


def _row(identity: tuple):
    model = {
        "curriculum": Curriculum, "section": Section, "paper": Paper, "advice": Advice,
        "work": Work, "citation": Citation,
    }[identity[0]]  # fmt: skip
    return model.objects.get_by_natural_key(*identity[1:])


def _remove(identity: tuple, report: LoadReport) -> None:
    """Delete a row the file dropped; one a reader has used is retired instead (sections, which
    cannot be retired, stay while they hold entries). A work stays while anything (another
    entry, another curriculum) still cites it."""
    try:
        row = _row(identity)
    except ObjectDoesNotExist:
        return  # gone with its entry already
    if identity[0] == "work" and row.citations.exists():
        return
    try:
        with transaction.atomic():
            row.delete()
        report.count(report.removed, identity[0])
    except (ProtectedError, RestrictedError):
        if identity[0] in ("section", "work"):  # a work readers ticked parts of stays, uncited
            return
        type(row).objects.filter(pk=row.pk).update(retired=True)
        report.count(report.retired, identity[0])


def _park_moved_parts(merged: dict[tuple, dict], ours: dict[tuple, dict]) -> None:
    """Parts changing position are moved out of the way first, so that swapping two never
    breaks the unique (entry, position) constraint halfway through."""
    moving = [
        ident
        for ident, record in merged.items()
        if ident[0] == "advice"
        and ident in ours
        and record["fields"].get("position") != ours[ident]["fields"].get("position")
    ]
    for ident in moving:
        Advice.objects.filter(paper__slug=ident[1], key=ident[2]).update(
            position=F("position") + 10000
        )


def _merge(base: dict, theirs: dict, ours: dict, take_file: bool, report: LoadReport):
    """Three-way merge of every record and field. Returns (records to write, identities to
    remove, the new applied copy)."""
    writes: dict[tuple, dict] = {}
    removals: list[tuple] = []
    applied: dict[tuple, dict] = {}
    for ident in list(theirs) + [i for i in base if i not in theirs]:
        b, t, o = base.get(ident), theirs.get(ident), ours.get(ident)
        if t is None:  # the file dropped the record
            if o is None:
                continue
            if o["fields"] != b["fields"] and not take_file:
                report.conflicts.append(Conflict(_name(ident), "(record)", "removed", "edited"))
                applied[ident] = b
                continue
            removals.append(ident)
            continue
        if b is not None and b["fields"] == t["fields"]:
            applied[ident] = t  # unchanged in the file: whatever the database holds stays
            continue
        if o is None:
            if b is not None and not take_file:
                report.conflicts.append(Conflict(_name(ident), "(record)", "changed", "deleted"))
                applied[ident] = b
                continue
            writes[ident] = t
            applied[ident] = t
            continue
        fields = dict(o["fields"])
        kept = dict(t["fields"])
        in_conflict = False
        for name, value in t["fields"].items():
            before = b["fields"].get(name, MISSING) if b else MISSING
            mine = o["fields"].get(name, MISSING)
            if value in (before, mine):
                continue
            if mine == before or take_file:
                fields[name] = value
                continue
            report.conflicts.append(Conflict(_name(ident), name, value, mine))
            in_conflict = True
            if before is MISSING:
                kept.pop(name)
            else:
                kept[name] = before
        if fields != o["fields"]:
            writes[ident] = {"model": t["model"], "fields": fields}
        if b is None and in_conflict:
            continue  # no applied copy yet: the next load still sees the conflict
        applied[ident] = {"model": t["model"], "fields": kept}
    return writes, removals, applied


def _database_records(curriculum: Curriculum) -> dict[tuple, dict]:
    if curriculum.pk is None:
        return {}
    return _by_identity(json.loads(dumps(curriculum)))


def _edition_in(records: list[dict]) -> dict | None:
    return next((r["fields"] for r in records if r.get("model") == EDITION), None)


@transaction.atomic
def load(
    records: list[dict], *, sha256: str = "", take_file: bool = False, source: str = ""
) -> LoadReport:
    """Apply the file's changes since the copy last applied, in one transaction: all of them or
    nothing. Conflicts leave the database's value and are listed in the report.

    The file publishes one curriculum: the one its catalogue.curriculum record names, else the
    default one. `source` names the file, so that two files cannot publish one curriculum."""
    if not isinstance(records, list):
        raise CatalogueError("The fixture must hold a JSON list of records.")
    curriculum = curriculum_of(records, source)
    _check_references(records, curriculum)
    _check_nesting(records)
    _check_work_identities(records)
    records, linked = _link_known_works(records)
    _check_parts_advised_once(records, curriculum)
    report = LoadReport()
    edition = _edition_in(records)
    current = Edition.objects.of(curriculum).latest_number() if curriculum.pk else 0
    file_number = edition["number"] if edition else 0
    if file_number < current:
        raise CatalogueError(
            f"The file is at edition {file_number} but the database is at edition {current}: "
            "it was exported before the latest edition was published. Export the database's "
            "list (manage.py export_catalogue) and make the changes there."
        )
    last = _last_load(curriculum)
    base = _by_identity(last.applied) if last else {}
    theirs = _by_identity(records)
    ours = _database_records(curriculum)
    _check_no_key_moved(base, theirs, ours)
    writes, removals, applied = _merge(base, theirs, ours, take_file, report)
    for ident, said in linked.items():
        if ident not in base and ident not in ours and writes.pop(ident, None) is not None:
            report.linked.append(said)  # the known work stays as it is; the file cites it
    _park_moved_parts(writes, ours)
    # The curriculum's own record first: its sections name it.
    in_file = sorted(enumerate(records), key=lambda pair: pair[1].get("model") != CURRICULUM)
    for index, record in in_file:
        if record.get("model") not in MODELS:
            continue
        ident = _identity(record)
        if ident not in writes:
            continue
        _save(writes[ident], _label(index, record), curriculum)
        if ident[0] == "curriculum":
            curriculum = Curriculum.objects.get(slug=curriculum.slug)
        report.count(report.updated if ident in ours else report.created, ident[0])
    if curriculum.pk is None:
        curriculum.save()  # a file with no curriculum record for a new one cannot happen; safe
    if source and not curriculum.source_file:
        Curriculum.objects.filter(pk=curriculum.pk).update(source_file=source)
    order = {"advice": 0, "citation": 0, "paper": 1, "section": 2, "work": 3}
    # A curriculum is never removed by a file: its readers and editions depend on it.
    removals = [ident for ident in removals if ident[0] != "curriculum"]
    for ident in sorted(reversed(removals), key=lambda i: order.get(i[0], 3)):
        _remove(ident, report)
    if file_number > current:
        editions.publish(
            number=file_number,
            note=edition.get("note", ""),
            published_at=parse_datetime(str(edition["published_at"])),
            require_changes=False,
            curriculum=curriculum,
        )
        report.edition = file_number
    in_order = [r for r in records if r.get("model") == EDITION] + list(applied.values())
    CatalogueLoad.objects.create(
        curriculum=curriculum,
        sha256=sha256,
        applied=in_order,
        conflicts=len(report.conflicts),
        loaded_at=timezone.now(),
    )
    # Retiring and parking parts are queryset updates, which send no signals: bump for them.
    pagecache.bump()
    return report


def load_file(path: Path = FIXTURE_PATH, *, take_file: bool = False) -> LoadReport:
    """Load a fixture file; raise CatalogueError with a clear message if it is unusable.

    A file byte-for-byte the same as the one last applied cleanly writes nothing.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise CatalogueError(f"cannot read {path}: {error.strerror}.") from None
    sha256 = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CatalogueError(f"{path} is not UTF-8 text.") from None
    records = parse(text, source=str(path))
    source = _source_name(Path(path))
    curriculum = curriculum_of(records, source)
    last = _last_load(curriculum)
    if last and last.sha256 == sha256 and not last.conflicts and not take_file:
        return LoadReport(unchanged=True)
    return load(records, sha256=sha256, take_file=take_file, source=source)


def _source_name(path: Path) -> str:
    """A file's name as a curriculum records it: relative to the project when inside it."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(resolved)


def _last_load(curriculum: Curriculum) -> CatalogueLoad | None:
    if curriculum.pk is None:
        return None
    return CatalogueLoad.objects.filter(curriculum=curriculum).order_by("-loaded_at", "-id").first()


def curriculum_files() -> list[Path]:
    """Every further curriculum's published source, in name order."""
    return sorted(CURRICULA_DIR.glob("*.json")) if CURRICULA_DIR.is_dir() else []


def load_all(*, take_file: bool = False) -> list[tuple[Path, LoadReport]]:
    """The shipped list, then every further curriculum; each file in its own transaction."""
    return [
        (path, load_file(path, take_file=take_file)) for path in [FIXTURE_PATH, *curriculum_files()]
    ]


def _records(curriculum: Curriculum) -> Iterable:
    # Meta.ordering: parents first.
    yield from Section.objects.of(curriculum).select_related("parent")
    advice = (
        Advice.objects.filter(paper__section__curriculum=curriculum)
        .select_related("paper")
        .order_by("paper", "position")
    )
    by_paper: dict[int, list[Advice]] = {}
    for item in advice:
        by_paper.setdefault(item.paper_id, []).append(item)
    citations: dict[int, list[Citation]] = {}
    cited = Citation.objects.filter(entry__section__curriculum=curriculum)
    for citation in cited.select_related("entry", "work").order_by("entry", "position"):
        citations.setdefault(citation.entry_id, []).append(citation)
    papers = (
        Paper.objects.of(curriculum)
        .every_entry_in_reading_order()
        .select_related("section__parent")
    )
    written: set[int] = set()
    for paper in papers:
        yield paper
        # Each work once, where the file first cites it, then the entry's citations of them.
        for citation in citations.get(paper.pk, []):
            if citation.work_id not in written:
                written.add(citation.work_id)
                yield citation.work
        yield from citations.get(paper.pk, [])
        yield from by_paper.get(paper.pk, [])


def _edition_record(curriculum: Curriculum) -> list[dict]:
    edition = Edition.objects.of(curriculum).newest_first().first()
    if edition is None:
        return []
    return serializers.serialize(
        "python", [edition], fields=EDITION_FIELDS, use_natural_primary_keys=True
    )


# What a further curriculum's file says of it: every field of the model, derived so that a field
# added later travels too, except whether it is the default and the file it comes from, which
# are the database's to know.
DATABASE_ONLY = {"id", "is_default", "source_file"}
CURRICULUM_FIELDS = [
    field.name for field in Curriculum._meta.concrete_fields if field.name not in DATABASE_ONLY
]


def _curriculum_record(curriculum: Curriculum) -> list[dict]:
    if curriculum.is_default:
        return []  # fixtures/papers.json has always been the default's, without saying so
    return serializers.serialize(
        "python", [curriculum], fields=CURRICULUM_FIELDS, use_natural_primary_keys=True
    )


def dumps(curriculum: Curriculum | None = None) -> str:
    """The whole catalogue as fixture JSON: the current edition's number and note first, then
    every row (retired ones too) by natural key in reading order, two-space indent.

    A section's curriculum is not written: the file is one curriculum's published source, so
    every section in it is that curriculum's (the loader says which)."""
    curriculum = curriculum or Curriculum.objects.default()
    rows = serializers.serialize(
        "python",
        _records(curriculum),
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )
    for row in rows:
        if row["model"] == "catalogue.section":
            row["fields"].pop("curriculum", None)
    data = _curriculum_record(curriculum) + _edition_record(curriculum) + rows
    return json.dumps(data, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder) + "\n"
