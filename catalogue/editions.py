"""Editions: the list published as numbered, immutable snapshots, and what changed between them.

A snapshot holds every entry by slug with its place, its text and its current parts by key.
The changes an edition records are per entry, in the terms a reader cares about: the entry was
added, retired or brought back, moved to another tier or section, had its description edited,
or had parts added, removed, re-levelled or reworded.
"""

import difflib
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from catalogue import pagecache
from catalogue.models import (
    EDITION_NOTE_MAX_LENGTH,
    Advice,
    Citation,
    Curriculum,
    Edition,
    EditionContent,
    Paper,
)

TEXT_FIELDS = ("title", "short_name", "summary", "commentary")
# What an edition keeps of each work an entry cites (the first two are the citation's), so the
# scholarly record is part of every snapshot.
WORK_FIELDS = (
    "position", "role", "kind", "title", "authors", "year", "month", "venue", "booktitle",
    "doi", "arxiv_id", "arxiv_class", "url", "volume", "issue", "number", "pages", "publisher",
    "guests",
)  # fmt: skip
CITATION_FIELDS = ("position", "role")


class EditionError(ValueError):
    """An edition that cannot be published; the message says why in one sentence."""


def snapshot(curriculum: Curriculum | None = None) -> dict:
    """Every entry of one curriculum (the default one unless named; retired entries flagged)
    with its current parts, as plain JSON data."""
    curriculum = curriculum or Curriculum.objects.default()
    parts: dict[int, dict] = {}
    current = Advice.objects.current().filter(paper__section__curriculum=curriculum)
    for advice in current.order_by("paper", "position"):
        parts.setdefault(advice.paper_id, {})[advice.key] = {
            "position": advice.position,
            "level": advice.level,
            "part": advice.part,
            "detail": advice.detail,
            "deep_link": advice.deep_link,
        }
    works: dict[int, list[dict]] = {}
    cited = Citation.objects.filter(entry__section__curriculum=curriculum).select_related("work")
    for citation in cited.order_by("entry", "position"):
        # The citation's position and role, the shared work's own fields.
        works.setdefault(citation.entry_id, []).append(
            {name: getattr(citation if name in CITATION_FIELDS else citation.work, name)
             for name in WORK_FIELDS}
        )  # fmt: skip
    entries = {}
    papers = Paper.objects.filter(section__curriculum=curriculum)
    for paper in papers.every_entry_in_reading_order().select_related("section__parent"):
        entries[paper.slug] = {
            "name": paper.name,
            **{name: getattr(paper, name) for name in TEXT_FIELDS},
            "section": paper.section.slug,
            "section_title": paper.section.title,
            "tier": paper.section.priority,
            "parent": paper.parent.slug if paper.parent_id else None,
            "position": paper.position,
            "retired": paper.retired,
            "important": paper.important,
            "parts": parts.get(paper.pk, {}),
            "works": works.get(paper.pk, []),
        }
    return {"entries": entries}


def _part_changes(before: dict, after: dict) -> list[dict]:
    changes = []
    for key, part in after.items():
        old = before.get(key)
        if old is None:
            changes.append({"key": key, "change": "added", "part": part["part"], **_now(part)})
            continue
        change = {"key": key, "change": "changed", "part": part["part"]}
        if old["level"] != part["level"]:
            change["level"] = [old["level"], part["level"]]
        for name in ("part", "detail"):
            if old[name] != part[name]:
                change[f"{name}_text"] = [old[name], part[name]]
        if len(change) > 3:
            changes.append(change)
    for key, part in before.items():
        if key not in after:
            changes.append({"key": key, "change": "removed", "part": part["part"], **_now(part)})
    return changes


def _now(part: dict) -> dict:
    """What a reader needs of an added or removed part: its level and the list's advice on it."""
    return {"level_now": part["level"], "detail": part["detail"]}


def differences(before: dict | None, after: dict) -> list[dict]:
    """Per-entry changes from snapshot `before` to `after`, in `after`'s reading order.

    Only what a reader would want to know about: a reordering alone is not a change.
    """
    if before is None:
        return []
    old_entries, changes = before["entries"], []
    for slug, entry in after["entries"].items():
        old = old_entries.get(slug)
        base = {"slug": slug, "name": entry["name"], "tier": entry["tier"]}
        if old is None:
            if not entry["retired"]:
                parts = _part_changes({}, entry["parts"])
                changes.append({**base, "change": "added", "parts": parts})
            continue
        change = {**base, "change": "changed"}
        if old["retired"] != entry["retired"]:
            change["change"] = "retired" if entry["retired"] else "restored"
        if old["tier"] != entry["tier"]:
            change["moved_tier"] = [old["tier"], entry["tier"]]
        if old["section"] != entry["section"]:
            change["moved_section"] = [old["section_title"], entry["section_title"]]
        # Snapshots from before the mark existed have no "important": read as unmarked.
        if bool(old.get("important")) != bool(entry.get("important")):
            change["important"] = "marked" if entry.get("important") else "unmarked"
        edited = [name for name in TEXT_FIELDS if old.get(name) != entry.get(name)]
        if edited:
            change["edited"] = edited
        parts = _part_changes(old["parts"], entry["parts"])
        if parts:
            change["parts"] = parts
        if len(change) > 4 or change["change"] != "changed":
            changes.append(change)
    for slug, old in old_entries.items():
        if slug not in after["entries"]:
            changes.append(
                {"slug": slug, "name": old["name"], "tier": old["tier"], "change": "removed"}
            )
    return changes


def _previous(curriculum: Curriculum) -> EditionContent | None:
    return (
        EditionContent.objects.filter(edition__curriculum=curriculum)
        .select_related("edition")
        .order_by("-edition__number")
        .first()
    )


def pending(curriculum: Curriculum | None = None) -> tuple[int, list[dict]]:
    """What publishing now would announce: the next edition's number and its per-entry changes
    since the latest edition, worked out as publish() would; nothing is written."""
    curriculum = curriculum or Curriculum.objects.default()
    previous = _previous(curriculum)
    number = Edition.objects.of(curriculum).latest_number() + 1
    return number, differences(previous.snapshot if previous else None, snapshot(curriculum))


@transaction.atomic
def publish(
    *,
    note: str,
    number: int | None = None,
    published_at: datetime | None = None,
    require_changes: bool = True,
    curriculum: Curriculum | None = None,
) -> Edition:
    """Publish one curriculum (the default one unless named) as it stands as its next edition
    (or as edition `number`, for a loaded fixture that names one), recording what changed since
    the edition before."""
    curriculum = curriculum or Curriculum.objects.default()
    note = note.strip()
    if len(note) > EDITION_NOTE_MAX_LENGTH:
        raise EditionError(
            f"The note is {len(note)} characters; an edition note is at most "
            f"{EDITION_NOTE_MAX_LENGTH}. Nothing was published."
        )
    # Lock the curriculum's row: two publishes of one curriculum queue here, not race for a number.
    Curriculum.objects.select_for_update().filter(pk=curriculum.pk).exists()
    previous = _previous(curriculum)
    latest = Edition.objects.of(curriculum).latest_number()
    number = number or latest + 1
    if number <= latest:
        raise EditionError(
            f"Edition {number} of {curriculum.title!r} already exists. Nothing was published."
        )
    current = snapshot(curriculum)
    if require_changes and previous is not None and previous.snapshot == current:
        raise EditionError(
            f"Nothing has changed since edition {previous.edition.number}. Nothing was published."
        )
    edition = Edition.objects.create(
        curriculum=curriculum,
        number=number,
        note=note,
        published_at=published_at or timezone.now(),
    )
    changes = differences(previous.snapshot if previous else None, current)
    EditionContent.objects.create(edition=edition, snapshot=current, changes=changes)
    pagecache.bump()  # the signals do too; a publish must never depend on them
    return edition


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The wording change as (op, text) runs, op one of "same", "del", "ins"."""
    old, new = before.split(), after.split()
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("del", " ".join(old[i1:i2])))
        if j2 > j1:
            runs.append(("ins", " ".join(new[j1:j2])))
    return runs
