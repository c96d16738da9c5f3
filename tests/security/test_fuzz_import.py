"""After any import the server accepts, every note can still be saved, restored and exported.

Hypothesis writes export files whose notes have any version (up to and past the columns'
limits), revisions numbered above, below and equal to their note, duplicates, and timestamps at
the ends of the datetime range in any time zone. A file is either refused with problem lines
(never a server error) or, once merged into an account that may already hold a note, leaves every
note in a state where the next save, a restore of any revision, and every export all work.
Settings as in test_fuzz.py: CI replays derandomised examples; FUZZ_EXAMPLES searches deeper.
"""

import io
import json
from datetime import datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from accounts import portability
from progress import services
from tests.factories import PaperFactory, UserFactory
from tests.security.test_fuzz import FUZZ

pytestmark = pytest.mark.django_db

EDGE_VERSIONS = [
    0,
    1,
    2,
    3,
    portability.MAX_IMPORTED_VERSION - 1,
    portability.MAX_IMPORTED_VERSION,
    portability.MAX_IMPORTED_VERSION + 1,
    portability.MAX_VERSION - 1,
    portability.MAX_VERSION,
    2**31,
    2**63 - 1,
]
versions = st.one_of(st.sampled_from(EDGE_VERSIONS), st.integers(min_value=-2, max_value=12))
EDGE_STAMPS = [
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:30:00+01:00",  # before year 1 once in UTC
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:30:00-01:00",  # past year 9999 once in UTC
    "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "2999-12-31T23:59:59Z",
    "3000-01-01T00:00:00Z",
    "2024-03-31T01:30:00+14:00",
    "2024-03-31T01:30:00-12:00",
]
stamps = st.one_of(
    st.sampled_from(EDGE_STAMPS),
    st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
)
note_texts = st.one_of(
    st.sampled_from(["", "a note", "another note", "![" * 200]), st.text(max_size=30)
)
revisions = st.lists(
    st.fixed_dictionaries({"version": versions, "text": note_texts, "saved_at": stamps}),
    max_size=5,
)
notes = st.fixed_dictionaries(
    {"text": note_texts, "version": versions, "updated_at": stamps, "revisions": revisions}
)


def export_file(slug: str, note: dict, event_at: str) -> bytes:
    entry = {
        "slug": slug,
        "status": "reading",
        "started_at": event_at,
        "finished_at": None,
        "updated_at": event_at,
        "events": [{"from_status": "unread", "to_status": "reading", "at": event_at}],
        "ticks": [],
        "note": note,
    }
    return json.dumps({"schema": "mireads-export", "version": 1, "entries": [entry]}).encode()


@pytest.fixture
def entry(db):
    return PaperFactory(slug="fuzzed-entry")


def assert_every_note_still_works(reader) -> None:
    """Export, save, restore each revision, export again: none may fail."""
    portability.dumps(portability.export_document(reader, exported_at=datetime.now()))
    # The streamed exports are made while they are read: read them whole.
    "".join(portability.export_json(reader, exported_at=datetime.now()))
    "".join(portability.export_markdown(reader, exported_at=datetime.now()))
    b"".join(portability.export_notes_zip(reader, exported_at=datetime.now()))
    for note in reader.notes.select_related("paper"):
        saved = services.save_note(
            reader=reader, paper=note.paper, text=note.text + " and more", base_version=note.version
        )
        for revision in list(saved.revisions.all()):
            current = reader.notes.get(pk=note.pk)
            services.restore_revision(
                reader=reader,
                paper=note.paper,
                version=revision.version,
                base_version=current.version,
            )
    portability.dumps(portability.export_document(reader, exported_at=datetime.now()))


@FUZZ
@given(note=notes, event_at=stamps, existing=st.booleans())
@example(
    note={
        "text": "b",
        "version": 1,
        "updated_at": "2024-01-01T00:00:00Z",
        "revisions": [{"version": 5, "text": "a", "saved_at": "2024-01-01T00:00:00Z"}],
    },
    event_at="2024-01-01T00:00:00Z",
    existing=False,
)
@example(
    note={
        "text": "b",
        "version": portability.MAX_VERSION,
        "updated_at": "2024-01-01T00:00:00Z",
        "revisions": [],
    },
    event_at="2024-01-01T00:00:00Z",
    existing=True,
)
@example(
    note={"text": "b", "version": 1, "updated_at": "0001-01-01T00:30:00+01:00", "revisions": []},
    event_at="9999-12-31T23:30:00-01:00",
    existing=False,
)
def test_after_any_accepted_import_every_note_can_be_saved_restored_and_exported(
    entry, note, event_at, existing
):
    reader = UserFactory()
    if existing:
        services.save_note(reader=reader, paper=entry, text="already here", base_version=0)
    try:
        entries = portability.parse_export(export_file(entry.slug, note, event_at))
    except portability.ImportRefused as refused:
        assert refused.problems and all(isinstance(line, str) for line in refused.problems)
        return
    portability.apply_import(reader=reader, entries=entries)
    assert_every_note_still_works(reader)


@FUZZ
@given(note=notes, event_at=stamps)
def test_any_such_file_through_the_import_page_is_answered_without_a_server_error(
    client, entry, note, event_at
):
    reader = UserFactory()
    client.force_login(reader)
    upload = io.BytesIO(export_file(entry.slug, note, event_at))
    upload.name = "mireads.json"
    response = client.post("/account/import/", {"file": upload})
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 200:
        assert_every_note_still_works(reader)
