"""Imports that would wedge a note are refused with a problem line, never a server error."""

import json

import pytest

from accounts import portability
from progress import services
from tests.factories import PaperFactory, UserFactory

pytestmark = pytest.mark.django_db
STAMP = "2024-01-01T00:00:00Z"


def refused(note: dict, *, at: str = STAMP) -> list[str]:
    PaperFactory(slug="an-entry")
    entry = {
        "slug": "an-entry",
        "status": "reading",
        "started_at": at,
        "finished_at": None,
        "updated_at": at,
        "events": [],
        "ticks": [],
        "note": note,
    }
    data = json.dumps({"schema": "mireads-export", "version": 1, "entries": [entry]}).encode()
    with pytest.raises(portability.ImportRefused) as refusal:
        portability.parse_export(data)
    return refusal.value.problems


def note(version: int = 1, revisions: list | None = None, updated_at: str = STAMP) -> dict:
    return {"text": "t", "version": version, "updated_at": updated_at, "revisions": revisions or []}


def test_revisions_numbered_above_their_note_are_refused():
    problems = refused(note(2, [{"version": 3, "text": "t", "saved_at": STAMP}]))
    assert problems == [
        "entries[0].note.revisions: version 3 is above the note's own version 2; a note's "
        "revisions are numbered up to its version"
    ]


def test_a_version_with_no_room_left_to_save_is_refused():
    problems = refused(note(portability.MAX_VERSION))
    assert problems == [
        f"entries[0].note.version: {portability.MAX_VERSION} is out of range "
        f"(0 to {portability.MAX_IMPORTED_VERSION:,})"
    ]


def test_duplicate_revision_versions_are_refused():
    twice = [{"version": 1, "text": "t", "saved_at": STAMP}] * 2
    problems = refused(note(1, twice))
    assert problems == ["entries[0].note.revisions: version 1 appears more than once"]


@pytest.mark.parametrize(
    "stamp", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "1969-12-31T23:59:59Z"]
)
def test_a_moment_outside_the_range_once_in_utc_is_refused(stamp):
    problems = refused(note(updated_at=stamp))
    assert problems == [
        f"entries[0].note.updated_at: {stamp!r} is not between 1970 and 2999 in UTC"
    ]


def test_an_imported_note_at_the_highest_version_can_still_be_saved():
    paper = PaperFactory(slug="an-entry")
    reader = UserFactory()
    top = portability.MAX_IMPORTED_VERSION
    entries = portability.parse_export(
        json.dumps(
            {
                "schema": "mireads-export",
                "version": 1,
                "entries": [
                    {
                        "slug": "an-entry",
                        "status": None,
                        "events": [],
                        "ticks": [],
                        "note": note(top, [{"version": top, "text": "t", "saved_at": STAMP}]),
                    }
                ],
            }
        ).encode()
    )
    portability.apply_import(reader=reader, entries=entries)
    saved = services.save_note(reader=reader, paper=paper, text="more", base_version=top)
    assert saved.version == top + 1
