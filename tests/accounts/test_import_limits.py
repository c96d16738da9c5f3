"""Imports that would wedge a note are refused with a problem line, never a server error."""

import io
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


# --- What export produces, import accepts --------------------------------------------------------


def test_a_reader_with_many_large_revisions_can_reimport_the_latest_versions_file(client):
    papers = [PaperFactory(slug=f"entry-{index}") for index in range(5)]
    reader = UserFactory(username="historian")
    # 5 notes x 8 versions of 95,000 characters (5 kept of each, progress/bounds.py): the
    # complete export is over 5 MB.
    for paper in papers:
        for version in range(8):
            text = f"{paper.slug} draft {version} " + chr(0x4E00 + version) * 95_000
            services.save_note(reader=reader, paper=paper, text=text, base_version=version)
    client.force_login(reader)
    full = client.get("/account/export/mireads.json")
    assert len(full.getvalue()) > portability.MAX_IMPORT_BYTES

    latest = client.get("/account/export/mireads-latest.json")
    assert latest.status_code == 200
    assert portability.MAX_IMPORT_BYTES * 0.9 < len(latest.content) <= portability.MAX_IMPORT_BYTES
    assert int(latest["X-Revisions-Left-Out"]) > 0
    current = {note.paper.slug: note.text for note in reader.notes.select_related("paper")}

    reader.delete()
    newcomer = UserFactory(username="newcomer")
    client.force_login(newcomer)
    upload = io.BytesIO(latest.content)
    upload.name = "mireads-latest.json"
    response = client.post("/account/import/", {"file": upload})
    assert response.status_code == 200, response.context.get("problems")
    imported = {note.paper.slug: note.text for note in newcomer.notes.select_related("paper")}
    assert imported == current
    # The newest revisions came along, each note can be saved on from its version.
    for note in newcomer.notes.select_related("paper"):
        assert note.revisions.filter(text=note.text).exists()
        services.save_note(reader=newcomer, paper=note.paper, text="on", base_version=note.version)


def test_the_latest_versions_file_is_the_complete_export_when_that_fits(
    client_as_reader, reader, paper
):
    services.save_note(reader=reader, paper=paper, text="first", base_version=0)
    services.save_note(reader=reader, paper=paper, text="second", base_version=1)
    full = client_as_reader.get("/account/export/mireads.json")
    latest = client_as_reader.get("/account/export/mireads-latest.json")
    assert latest["X-Revisions-Left-Out"] == "0"
    assert json.loads(latest.content)["entries"] == json.loads(full.getvalue())["entries"]


def test_when_the_latest_versions_alone_are_over_the_limit_the_page_says_so_and_each_part_fits(
    client, monkeypatch
):
    from accounts.portability import export

    limit = 100_000
    monkeypatch.setattr(export, "MAX_IMPORT_BYTES", limit)
    papers = [PaperFactory(slug=f"entry-{index}") for index in range(6)]
    reader = UserFactory(username="writer")
    for paper in papers:
        text = f"{paper.slug} " + "long note " * 4_000  # 40,000 characters, twice in the file
        services.save_note(reader=reader, paper=paper, text=text, base_version=0)
    client.force_login(reader)

    page = client.get("/account/export/mireads-latest.json")
    assert page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "more than import takes in one file" in html
    parts = html.count("?part=")
    assert parts >= 3

    slugs = []
    for number in range(1, parts + 1):
        response = client.get("/account/export/mireads-latest.json", {"part": number})
        assert len(response.content) <= limit
        assert response["X-Parts"] == str(parts)
        slugs += [entry["slug"] for entry in json.loads(response.content)["entries"]]
    assert slugs == [paper.slug for paper in papers]

    newcomer = UserFactory(username="newcomer")
    client.force_login(newcomer)
    for number in range(1, parts + 1):
        client.force_login(reader)
        content = client.get("/account/export/mireads-latest.json", {"part": number}).content
        client.force_login(newcomer)
        upload = io.BytesIO(content)
        upload.name = f"part-{number}.json"
        assert client.post("/account/import/", {"file": upload}).status_code == 200
    assert newcomer.notes.count() == len(papers)
