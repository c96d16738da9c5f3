"""Readers own their data — export, import, account deletion."""

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts import portability
from catalogue.models import Paper
from groups.models import Role, Sharing
from progress.models import (
    NOTE_MAX_LENGTH,
    Note,
    NoteRevision,
    PartTick,
    ReadingEvent,
    ReadingState,
    Status,
)
from tests.factories import (
    MembershipFactory,
    NoteFactory,
    NoteRevisionFactory,
    PaperFactory,
    PartTickFactory,
    ReadingEventFactory,
    ReadingStateFactory,
    SectionFactory,
    UserFactory,
    build_catalogue,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
DAY = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
EXPORT_URLS = [
    "accounts:export",
    "accounts:export-json",
    "accounts:export-markdown",
    "accounts:export-notes-zip",
]


def at(days: float) -> datetime:
    return DAY + timedelta(days=days)


def give_history(reader, papers) -> None:
    """A status with its events, every part ticked, and a note with two revisions per entry."""
    for index, paper in enumerate(papers):
        ReadingEventFactory(reader=reader, paper=paper, to_status=Status.READING, at=at(index))
        ReadingEventFactory(
            reader=reader,
            paper=paper,
            from_status=Status.READING,
            to_status=Status.READ,
            at=at(index + 1),
        )
        state = ReadingStateFactory(
            reader=reader,
            paper=paper,
            status=Status.READ,
            started_at=at(index),
            finished_at=at(index + 1),
        )
        ReadingState.objects.filter(pk=state.pk).update(updated_at=at(index + 1))
        for advice in paper.advice.all():
            PartTickFactory(reader=reader, advice=advice, done_at=at(index + 0.5))
        note = NoteFactory(
            reader=reader, paper=paper, text=f"Second thoughts on {paper.slug}", version=2
        )
        Note.objects.filter(pk=note.pk).update(updated_at=at(index + 1))
        NoteRevisionFactory(note=note, version=1, text="First thoughts", saved_at=at(index))
        NoteRevisionFactory(note=note, version=2, text=note.text, saved_at=at(index + 1))


def export_of(client: Client) -> dict:
    response = client.get(reverse("accounts:export-json"))
    assert response.status_code == 200
    return json.loads(response.getvalue())


def upload(client: Client, content: bytes | str, name: str = "mireads.json", **extra):
    if isinstance(content, str):
        content = content.encode()
    return client.post(
        reverse("accounts:import"), {"file": SimpleUploadedFile(name, content)}, **extra
    )


def document(*entries: dict) -> str:
    return json.dumps(
        {
            "schema": "mireads-export",
            "version": 1,
            "exported_at": DAY.isoformat(),
            "entries": list(entries),
        }
    )


def entry(slug: str, **fields) -> dict:
    return {
        "slug": slug,
        "status": "reading",
        "started_at": at(0).isoformat(),
        "finished_at": None,
        "updated_at": at(0).isoformat(),
        "events": [],
        "ticks": [],
        "note": None,
        **fields,
    }


def row_counts(reader) -> dict[str, int]:
    return {
        "states": reader.reading_states.count(),
        "events": reader.reading_events.count(),
        "ticks": reader.part_ticks.count(),
        "notes": reader.notes.count(),
        "revisions": NoteRevision.objects.filter(note__reader=reader).count(),
    }


# --- Export --------------------------------------------------------------------------------------


def test_the_export_page_offers_all_three_downloads(client_as_reader):
    response = client_as_reader.get(reverse("accounts:export"))
    assert response.status_code == 200
    for name in EXPORT_URLS[1:]:
        assert reverse(name).encode() in response.content
    assert "no-store" in response["Cache-Control"]


def test_the_json_export_holds_statuses_events_ticks_and_every_revision(client_as_reader, reader):
    papers = build_catalogue(2)
    give_history(reader, papers)
    exported = export_of(client_as_reader)

    assert exported["schema"] == "mireads-export"
    assert exported["version"] == 2
    assert datetime.fromisoformat(exported["exported_at"]).tzinfo is not None
    assert [e["slug"] for e in exported["entries"]] == [p.slug for p in papers]
    assert {e["curriculum"] for e in exported["entries"]} == {"opinionated-list-v1"}
    first = exported["entries"][0]
    assert first["status"] == "read"
    assert first["started_at"] == at(0).isoformat()
    assert first["finished_at"] == at(1).isoformat()
    assert first["updated_at"] == at(1).isoformat()
    assert first["events"] == [
        {"from": "unread", "to": "reading", "at": at(0).isoformat()},
        {"from": "reading", "to": "read", "at": at(1).isoformat()},
    ]
    assert [(t["position"], t["done_at"]) for t in first["ticks"]] == [
        (1, at(0.5).isoformat()),
        (2, at(0.5).isoformat()),
        (3, at(0.5).isoformat()),
    ]
    assert first["ticks"][0]["part"] == papers[0].advice.get(position=1).part
    assert first["note"]["text"] == f"Second thoughts on {papers[0].slug}"
    assert first["note"]["version"] == 2
    assert [r["version"] for r in first["note"]["revisions"]] == [1, 2]
    assert first["note"]["revisions"][0]["text"] == "First thoughts"


def test_the_json_export_follows_reading_order_not_the_order_of_activity(client_as_reader, reader):
    papers = build_catalogue(4)
    for paper in reversed(papers):
        ReadingStateFactory(reader=reader, paper=paper)
    in_order = list(Paper.objects.in_reading_order().values_list("slug", flat=True))
    assert [e["slug"] for e in export_of(client_as_reader)["entries"]] == in_order


def test_every_export_is_an_uncached_attachment(client_as_reader, reader, paper):
    ReadingStateFactory(reader=reader, paper=paper)
    for name in EXPORT_URLS[1:]:
        response = client_as_reader.get(reverse(name))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment; filename=")
        assert "no-store" in response["Cache-Control"]


def test_the_markdown_export_is_one_document_in_reading_order(client_as_reader, reader):
    papers = build_catalogue(2)
    give_history(reader, papers)
    response = client_as_reader.get(reverse("accounts:export-markdown"))
    assert response["Content-Type"].startswith("text/markdown")
    text = response.getvalue().decode()
    first, second = text.index(f"## {papers[0].name}"), text.index(f"## {papers[1].name}")
    assert first < second
    section = text[first:second]
    assert "- Status: Read" in section
    assert "- Started: 2025-03-01" in section
    assert "- Finished: 2025-03-02" in section
    assert f"- [x] {papers[0].advice.get(position=1).part}" in section
    assert f"Second thoughts on {papers[0].slug}" in section


def front_matter(text: str) -> dict:
    """Parse the front matter mireads writes: quoted values are JSON strings, which YAML reads."""
    lines = text.split("\n")
    assert lines[0] == "---"
    end = lines.index("---", 1)
    values = {}
    for line in lines[1:end]:
        key, _, raw = line.partition(":")
        raw = raw.strip()
        values[key] = json.loads(raw) if raw.startswith('"') else raw
    return values


def test_the_notes_zip_has_one_file_per_entry_with_safely_quoted_front_matter(
    client_as_reader, reader
):
    section = SectionFactory(priority=2)
    tricky = PaperFactory(
        section=section,
        slug="tricky",
        title='Title: with "quotes", a # hash\nand a newline\u2028too',
        short_name="",
        url="https://example.org/a?b=c#d",
    )
    ReadingStateFactory(
        reader=reader, paper=tricky, status=Status.READ, started_at=at(0), finished_at=at(2)
    )
    NoteFactory(reader=reader, paper=tricky, text="---\nnot: front matter\n---")
    response = client_as_reader.get(reverse("accounts:export-notes-zip"))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    # Named by title, with what file systems and Obsidian's links refuse taken out.
    (name,) = archive.namelist()
    assert name == "Title with quotes , a hash and a newline too.md"
    text = archive.read(name).decode()
    meta = front_matter(text)
    assert meta == {
        "title": tricky.title,
        "curriculum": "opinionated-list-v1",
        "slug": "tricky",
        "link": tricky.url,
        "status": "read",
        "started": "2025-03-01",
        "finished": "2025-03-03",
        "tier": "2",
    }
    # No raw line break inside a value: each property stays on its own line.
    assert "\u2028" not in text.split("---")[1]
    assert text.rstrip().endswith("---\nnot: front matter\n---")


def test_yaml_strings_escape_everything_that_could_break_out_of_the_quotes():
    quoted = portability.yaml_string('a "b" \\ c\n\td\u0085e\u2028f\x00')
    assert quoted == '"a \\"b\\" \\\\ c\\n\\td\\u0085e\\u2028f\\u0000"'
    assert json.loads(quoted) == 'a "b" \\ c\n\td\u0085e\u2028f\x00'


@pytest.mark.parametrize("entries", [3, 12])
def test_the_json_export_takes_a_fixed_number_of_queries(
    client_as_reader, reader, entries, django_assert_max_num_queries
):
    give_history(reader, build_catalogue(entries))
    for _ in range(entries // 3):
        MembershipFactory(reader=reader)
    # Session and user, then states, events, ticks, notes, revisions, papers, groups.
    with django_assert_max_num_queries(9):
        client_as_reader.get(reverse("accounts:export-json"))


def test_the_json_export_lists_the_readers_groups_and_what_they_share(client_as_reader, reader):
    MembershipFactory(
        reader=reader, group__name="Circuits club", role=Role.FACILITATOR, joined_at=at(0)
    )
    MembershipFactory(
        reader=reader, group__name="Tuesday reads", sharing=Sharing.PROGRESS, joined_at=at(1)
    )
    MembershipFactory(group__name="Someone else's group")
    exported = export_of(client_as_reader)
    assert exported["groups"] == [
        {
            "name": "Circuits club",
            "role": "facilitator",
            "sharing": "nothing",
            "joined_at": at(0).isoformat(),
        },
        {
            "name": "Tuesday reads",
            "role": "member",
            "sharing": "progress",
            "joined_at": at(1).isoformat(),
        },
    ]

    # The list is for the reader's records: importing it elsewhere joins no group.
    other = Client()
    other.force_login(UserFactory(username="elsewhere"))
    response = upload(other, json.dumps(exported))
    assert response.status_code == 200
    assert "Import done" in response.content.decode()
    assert not User.objects.get(username="elsewhere").group_memberships.exists()


# --- Import: refusing bad files ------------------------------------------------------------------


def test_the_import_page_has_a_labelled_file_field(client_as_reader):
    response = client_as_reader.get(reverse("accounts:import"))
    assert response.status_code == 200
    assert b'<label for="id_file">' in response.content
    assert b'enctype="multipart/form-data"' in response.content


def test_every_problem_in_a_file_is_reported_with_its_place_and_nothing_is_written(
    client_as_reader, reader, paper
):
    bad = document(
        entry(paper.slug, ticks=[{"position": "one", "done_at": at(0).isoformat()}]),
        entry("x", status="finished"),
        entry("y", started_at="yesterday"),
        entry("z", note={"text": "a" * (NOTE_MAX_LENGTH + 1), "version": 1, "updated_at": None}),
        entry("w", events=[{"from": "unread", "to": "read", "at": "2025-03-01T09:00:00"}]),
        entry("v", note={"text": "a\u0000b", "version": -1, "updated_at": at(0).isoformat()}),
        entry("v", status="read", started_at=at(2).isoformat(), finished_at=at(1).isoformat()),
        "not an entry",
    )
    response = upload(client_as_reader, bad)
    assert response.status_code == 400
    problems = response.context["problems"]
    expected = [
        "entries[0].ticks[0].position: is text, expected a whole number",
        "entries[1].status: 'finished' is not a status",
        "entries[2].started_at: 'yesterday' is not an ISO 8601 date and time",
        f"entries[3].note.text: is {NOTE_MAX_LENGTH + 1:,} characters long",
        "entries[3].note.updated_at: is null, expected a date and time",
        "entries[4].events[0].at: '2025-03-01T09:00:00' has no time zone",
        "entries[5].note.text: contains a NUL character",
        "entries[5].note.version: -1 is out of range",
        "entries[6].finished_at: is before started_at",
        "entries[7]: is text, expected an object",
    ]
    for fragment in expected:
        assert any(problem.startswith(fragment) for problem in problems), fragment
    assert "entries[1].status: &#x27;finished&#x27; is not a status" in response.content.decode()
    assert row_counts(reader) == dict.fromkeys(row_counts(reader), 0)


def test_a_slug_that_appears_twice_is_a_problem(client_as_reader, paper):
    response = upload(client_as_reader, document(entry(paper.slug), entry(paper.slug)))
    assert response.status_code == 400
    assert response.context["problems"] == [
        "entries[1].slug: 'zoom-in' appears twice (also entries[0])"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not json", "The file is not valid JSON: Expecting value at line 1, column 1."),
        (b"\xff\xfe\x00\x00", "The file is not UTF-8 text"),
        (b'{"schema": "mireads-export", \x00}', "The file is not valid JSON"),
        (b"[1, 2, 3]", "The file holds a list, not a mireads export"),
        (b'{"schema": "other", "version": 1}', "This is not a mireads export"),
        (b'{"schema": "mireads-export", "version": 3}', "This export is version 3"),
        (b'{"schema": "mireads-export", "version": true}', "This export is version true"),
        (
            b'{"schema": "mireads-export", "version": 1, "entries": {}}',
            "entries: is an object, expected a list",
        ),
        (
            b'{"schema": "mireads-export", "version": ' + b"9" * 5000 + b"}",
            "it holds a number too large",
        ),
        (b'{"schema": "mireads-export", "version": NaN}', "it holds NaN"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_unreadable_files_get_a_clear_400_never_a_500(client_as_reader, content, message):
    response = upload(client_as_reader, content)
    assert response.status_code == 400
    assert message in response.context["problems"][0]
    assert b"Nothing was imported" in response.content


def test_huge_numbers_and_lone_surrogates_in_fields_are_problems_with_places(
    client_as_reader, paper
):
    text = document(
        entry(
            paper.slug,
            ticks=[{"position": 10**15, "done_at": at(0).isoformat()}],
            note={"text": "\ud800", "version": 1.5, "updated_at": at(0).isoformat()},
        )
    )
    response = upload(client_as_reader, text)
    assert response.status_code == 400
    assert response.context["problems"] == [
        "entries[0].ticks[0].position: 1000000000000000 is out of range (0 to 32,767)",
        "entries[0].note.text: contains an unpaired surrogate, which is not valid Unicode",
        "entries[0].note.version: is a number, expected a whole number",
    ]


def test_a_file_over_5_mb_is_refused_before_it_is_read(client_as_reader, monkeypatch):
    def must_not_parse(data):
        raise AssertionError("an oversized file was read")

    monkeypatch.setattr(portability, "parse_export", must_not_parse)
    just_over = b" " * (portability.MAX_IMPORT_BYTES + 1)
    response = upload(client_as_reader, just_over)
    assert response.status_code == 413
    assert "larger than 5 MB" in response.context["problems"][0]


def test_a_request_body_far_over_the_limit_is_refused_without_parsing_the_upload(
    client_as_reader,
):
    response = upload(client_as_reader, b" " * (6 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than 5 MB" in response.content.decode()
    # The form was never bound: the body was not parsed.
    assert not response.context["form"].is_bound


def test_a_post_without_a_file_is_a_400(client_as_reader):
    response = client_as_reader.post(reverse("accounts:import"), {})
    assert response.status_code == 400
    assert b"This field is required" in response.content


def test_import_still_checks_the_csrf_token(reader, paper):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    response = upload(client, document(entry(paper.slug)))
    assert response.status_code == 403
    assert not reader.reading_states.exists()


# --- Import: merging -----------------------------------------------------------------------------


def test_importing_into_an_empty_account_restores_everything(client, reader, other_reader):
    papers = build_catalogue(3)
    give_history(reader, papers)
    client.force_login(reader)
    exported = export_of(client)
    client.force_login(other_reader)
    response = upload(client, json.dumps(exported))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.updated == [e["title"] for e in exported["entries"]]
    assert report.unknown == [] and report.notes_kept_both == []
    assert row_counts(other_reader) == row_counts(reader)
    assert export_of(client)["entries"] == exported["entries"]
    assert b"3 entries updated" in response.content


def test_importing_the_same_file_twice_changes_nothing(client_as_reader, reader, other_reader):
    papers = build_catalogue(3)
    give_history(other_reader, papers)
    text = json.dumps(portability.export_document(other_reader, exported_at=DAY))
    upload(client_as_reader, text)
    before, counts = export_of(client_as_reader)["entries"], row_counts(reader)

    response = upload(client_as_reader, text)
    assert response.context["report"].updated == []
    assert len(response.context["report"].unchanged) == 3
    assert row_counts(reader) == counts
    assert export_of(client_as_reader)["entries"] == before


def test_the_newer_status_wins_on_each_side(client_as_reader, reader):
    ours_newer, theirs_newer = build_catalogue(2)
    ReadingStateFactory(reader=reader, paper=ours_newer, status=Status.READ, started_at=at(0))
    ReadingState.objects.filter(paper=ours_newer).update(updated_at=at(5))
    ReadingStateFactory(reader=reader, paper=theirs_newer, status=Status.READING, started_at=at(0))
    ReadingState.objects.filter(paper=theirs_newer).update(updated_at=at(1))
    text = document(
        entry(ours_newer.slug, status="skipped", updated_at=at(3).isoformat()),
        # Their state's own stamp is old, but an event says it changed later than ours.
        entry(
            theirs_newer.slug,
            status="skimmed",
            finished_at=at(2).isoformat(),
            updated_at=at(0.5).isoformat(),
            events=[{"from": "reading", "to": "skimmed", "at": at(2).isoformat()}],
        ),
    )
    report = upload(client_as_reader, text).context["report"]
    assert list(
        reader.reading_states.filter(paper=ours_newer).values_list("status", flat=True)
    ) == [Status.READ]
    theirs = reader.reading_states.get(paper=theirs_newer)
    assert (theirs.status, theirs.finished_at) == (Status.SKIMMED, at(2))
    assert report.updated == [theirs_newer.name]
    assert report.unchanged == [ours_newer.name]


def test_events_and_ticks_are_added_once_and_existing_ticks_are_kept(client_as_reader, reader):
    (paper,) = build_catalogue(1, parts_per_entry=2)
    first, second = paper.advice.order_by("position")
    ReadingEventFactory(reader=reader, paper=paper, at=at(0))
    PartTickFactory(reader=reader, advice=first, done_at=at(1))
    text = document(
        entry(
            paper.slug,
            events=[
                {"from": "unread", "to": "reading", "at": at(0).isoformat()},
                {"from": "reading", "to": "read", "at": at(2).isoformat()},
            ],
            ticks=[
                {"position": 1, "done_at": at(3).isoformat()},
                {"position": 2, "done_at": at(3).isoformat()},
            ],
        )
    )
    upload(client_as_reader, text)
    assert list(reader.reading_events.values_list("to_status", "at")) == [
        ("reading", at(0)),
        ("read", at(2)),
    ]
    assert dict(reader.part_ticks.values_list("advice_id", "done_at")) == {
        first.pk: at(1),
        second.pk: at(3),
    }


def test_when_both_sides_have_a_different_note_both_texts_are_kept(client_as_reader, reader):
    ours_newer, theirs_newer = build_catalogue(2)
    for paper, updated in ((ours_newer, at(5)), (theirs_newer, at(1))):
        note = NoteFactory(reader=reader, paper=paper, text="ours", version=1, updated_at=updated)
        NoteRevisionFactory(note=note, version=1, text="ours", saved_at=updated)

    def theirs(when):
        return {"text": "theirs", "version": 1, "updated_at": when.isoformat(), "revisions": []}

    text = document(
        entry(ours_newer.slug, status=None, note=theirs(at(3))),
        entry(theirs_newer.slug, status=None, note=theirs(at(3))),
    )
    response = upload(client_as_reader, text)
    report = response.context["report"]
    assert report.notes_kept_both == [ours_newer.name, theirs_newer.name]
    assert ours_newer.name in response.content.decode()

    kept = reader.notes.get(paper=ours_newer)
    assert (kept.text, kept.version, kept.updated_at) == ("ours", 3, at(5))
    assert list(kept.revisions.order_by("version").values_list("text", flat=True)) == [
        "ours",
        "theirs",
        "ours",
    ]
    replaced = reader.notes.get(paper=theirs_newer)
    assert (replaced.text, replaced.version, replaced.updated_at) == ("theirs", 2, at(3))
    assert list(replaced.revisions.order_by("version").values_list("text", flat=True)) == [
        "ours",
        "theirs",
    ]

    counts = row_counts(reader)
    again = upload(client_as_reader, text).context["report"]
    assert again.notes_kept_both == [] and again.updated == []
    assert row_counts(reader) == counts


def test_a_note_that_carried_on_from_ours_is_an_update_not_a_conflict(client_as_reader, reader):
    paper = build_catalogue(1)[0]
    NoteFactory(reader=reader, paper=paper, text="draft", version=1, updated_at=at(0))
    text = document(
        entry(
            paper.slug,
            status=None,
            note={
                "text": "final",
                "version": 2,
                "updated_at": at(1).isoformat(),
                "revisions": [
                    {"version": 1, "text": "draft", "saved_at": at(0).isoformat()},
                    {"version": 2, "text": "final", "saved_at": at(1).isoformat()},
                ],
            },
        )
    )
    report = upload(client_as_reader, text).context["report"]
    assert report.notes_kept_both == []
    assert report.updated == [paper.name]
    note = reader.notes.get(paper=paper)
    assert note.text == "final"
    # The account's text had no revision of its own, so it was saved as one before the new text.
    assert list(note.revisions.order_by("version").values_list("text", flat=True)) == [
        "draft",
        "final",
    ]


def test_entries_this_server_does_not_know_are_listed_and_skipped(client_as_reader, reader, paper):
    text = document(entry("a-paper-from-elsewhere"), entry(paper.slug))
    response = upload(client_as_reader, text)
    assert response.status_code == 200
    assert response.context["report"].unknown == ["a-paper-from-elsewhere"]
    assert b"a-paper-from-elsewhere" in response.content
    assert b"1 unknown here" in response.content
    assert list(reader.reading_states.values_list("paper__slug", flat=True)) == [paper.slug]


def test_parts_this_server_does_not_list_are_reported_and_skipped(client_as_reader, reader, paper):
    ticks = [{"position": 9, "done_at": at(0).isoformat()}]
    report = upload(client_as_reader, document(entry(paper.slug, ticks=ticks))).context["report"]
    assert report.unknown_parts == [f"{paper.name}: part 9"]
    assert not reader.part_ticks.exists()


def test_an_import_that_fails_half_way_writes_nothing(reader, monkeypatch):
    papers = build_catalogue(2)
    source = UserFactory(username="source")
    give_history(source, papers)
    entries = portability.parse_export(
        portability.dumps(portability.export_document(source, exported_at=DAY)).encode()
    )

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(PartTick.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        portability.apply_import(reader=reader, entries=entries)
    assert row_counts(reader) == dict.fromkeys(row_counts(reader), 0)


@pytest.mark.parametrize("entries", [3, 12])
def test_an_import_takes_a_fixed_number_of_queries(
    client_as_reader, reader, entries, django_assert_max_num_queries
):
    source = UserFactory(username="source")
    give_history(source, build_catalogue(entries))
    text = json.dumps(portability.export_document(source, exported_at=DAY))
    # Session, user, savepoint, lock, papers, advice, the account's rows (5), the writes (7),
    # release; and the bump of the reader's dashboard version, which on a reader's first write
    # makes their row (update, look, insert: 3; one update once it exists).
    with django_assert_max_num_queries(19 + 3):
        response = upload(client_as_reader, text)
    assert len(response.context["report"].updated) == entries


# --- Deleting an account -------------------------------------------------------------------------


def test_the_delete_page_asks_for_the_password_with_a_label(client_as_reader):
    response = client_as_reader.get(reverse("accounts:delete"))
    assert response.status_code == 200
    assert b'<label for="id_password">' in response.content
    assert b'type="password"' in response.content


def test_a_wrong_password_deletes_nothing(client_as_reader, reader, paper):
    give_history(reader, [paper])
    counts = row_counts(reader)
    response = client_as_reader.post(reverse("accounts:delete"), {"password": "not it"})
    assert response.status_code == 400
    assert b"That is not your password, so nothing was deleted." in response.content
    assert User.objects.filter(pk=reader.pk).exists()
    assert row_counts(reader) == counts
    assert client_as_reader.get(reverse("accounts:export")).status_code == 200


def test_deleting_removes_the_reader_and_all_their_data_and_signs_them_out(
    client, reader, other_reader, password
):
    papers = build_catalogue(2)
    give_history(reader, papers)
    give_history(other_reader, papers)
    others = row_counts(other_reader)
    client.force_login(reader)

    response = client.post(reverse("accounts:delete"), {"password": password})
    assert response.status_code == 200
    assert b"Account deleted" in response.content
    assert not User.objects.filter(username="ada").exists()
    assert not ReadingState.objects.exclude(reader=other_reader).exists()
    assert not ReadingEvent.objects.exclude(reader=other_reader).exists()
    assert not PartTick.objects.exclude(reader=other_reader).exists()
    assert not Note.objects.exclude(reader=other_reader).exists()
    assert not NoteRevision.objects.exclude(note__reader=other_reader).exists()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:export")).status_code == 302
    assert row_counts(other_reader) == others


# --- Round trip ----------------------------------------------------------------------------------


def test_export_delete_sign_up_again_import_export_gives_the_same_document(
    client, reader, password
):
    papers = build_catalogue(4)
    give_history(reader, papers[:3])
    ReadingStateFactory(reader=reader, paper=papers[3], status=Status.READING, started_at=at(9))
    client.force_login(reader)
    before = client.get(reverse("accounts:export-json")).getvalue()

    client.post(reverse("accounts:delete"), {"password": password})
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "ada",
            "email": "ada@example.org",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 302
    assert upload(client, before).status_code == 200
    after = client.get(reverse("accounts:export-json")).getvalue()

    first, second = json.loads(before), json.loads(after)
    for exported in (first, second):
        del exported["exported_at"]
    assert second == first
    assert first["entries"]


# --- Only ever one's own account -----------------------------------------------------------------


@pytest.mark.parametrize("name", [*EXPORT_URLS, "accounts:import", "accounts:delete"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["accounts:import", "accounts:delete"])
def test_anonymous_posts_are_sent_to_sign_in_and_change_nothing(client, reader, name):
    response = client.post(reverse(name), {"password": "x"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert User.objects.filter(pk=reader.pk).exists()


def test_a_readers_export_holds_none_of_another_readers_data(client, reader, other_reader):
    papers = build_catalogue(3)
    give_history(reader, papers[:2])
    NoteFactory(reader=other_reader, paper=papers[2], text="grace's own note")
    client.force_login(other_reader)

    exported = export_of(client)
    assert [e["slug"] for e in exported["entries"]] == [papers[2].slug]
    assert exported["account"] == {"username": "grace"}
    for name in EXPORT_URLS[2:]:
        content = client.get(reverse(name)).getvalue()
        assert b"Second thoughts" not in content
        assert b"First thoughts" not in content
        assert papers[0].slug.encode() not in content


def test_another_readers_import_and_deletion_never_touch_this_reader(
    client, reader, other_reader, password
):
    papers = build_catalogue(2)
    give_history(reader, papers)
    mine = portability.export_document(reader, exported_at=DAY)
    counts = row_counts(reader)
    client.force_login(other_reader)

    stale = document(entry(papers[0].slug, status="skipped", updated_at=at(99).isoformat()))
    assert upload(client, stale).status_code == 200
    client.post(reverse("accounts:delete"), {"password": password})

    assert not User.objects.filter(username="grace").exists()
    assert row_counts(reader) == counts
    assert portability.export_document(reader, exported_at=DAY) == mine


def test_exported_notes_keep_their_headings_under_the_entrys(client_as_reader, reader):
    paper = PaperFactory(slug="headed", title="Headed")
    NoteFactory(
        reader=reader, paper=paper, text="# Summary\n\n```\n# not a heading\n```\n## Detail"
    )
    markdown = client_as_reader.get(reverse("accounts:export-markdown")).getvalue().decode()
    assert "#### Summary" in markdown and "##### Detail" in markdown
    assert "\n# not a heading\n" in markdown, "code stays as it was"
    archive = zipfile.ZipFile(
        io.BytesIO(client_as_reader.get(reverse("accounts:export-notes-zip")).getvalue())
    )
    vault = archive.read("Headed.md").decode()
    assert "\n# Headed\n" in vault and "\n## Summary\n" in vault


def test_two_entries_with_one_title_get_two_vault_files(client_as_reader, reader):
    for slug in ("one", "two"):
        NoteFactory(reader=reader, paper=PaperFactory(slug=slug, title="Same", short_name=""))
    archive = zipfile.ZipFile(
        io.BytesIO(client_as_reader.get(reverse("accounts:export-notes-zip")).getvalue())
    )
    assert sorted(archive.namelist()) == ["Same 2.md", "Same.md"]


# --- The plan and the folded tiers travel too ----------------------------------------------------


def test_the_plan_and_the_folded_tiers_survive_export_and_import_into_a_new_account(client, reader):
    import datetime as dt
    from decimal import Decimal

    from catalogue.models import Section
    from plans import services as plan_services
    from plans.models import ReadingPlan
    from progress import services

    papers = build_catalogue(4)
    give_history(reader, papers[:2])
    plan = plan_services.save_plan(
        reader=reader,
        today=dt.date(2025, 3, 3),
        hours_per_week=Decimal("3.5"),
        reading_days="135",
        session_time=dt.time(7, 30),
        timezone="Europe/Berlin",
        use_pace=False,
    )
    dropped = papers[1].advice.get(position=2)
    plan.dropped.add(dropped)
    services.set_tier_folded(
        reader=reader, section=Section.objects.get(slug="tier-two"), folded=True
    )
    client.force_login(reader)
    exported = client.get(reverse("accounts:export-json")).getvalue()
    folded = [{"curriculum": "opinionated-list-v1", "tier": "tier-two"}]
    assert json.loads(exported)["folded"] == folded
    assert json.loads(exported)["plan"]["timezone"] == "Europe/Berlin"

    newcomer = UserFactory(username="newcomer")
    client.force_login(newcomer)
    assert upload(client, exported).status_code == 200
    restored = ReadingPlan.objects.get(reader=newcomer)
    assert restored.hours_per_week == Decimal("3.5")
    assert restored.reading_days == "135" and restored.session_time == dt.time(7, 30)
    assert restored.timezone == "Europe/Berlin" and restored.use_pace is False
    assert restored.starts_on == restored.counted_from == dt.date(2025, 3, 3)
    assert list(restored.dropped.all()) == [dropped]
    assert newcomer.dashboard_state.folded == ["tier-two"]
    # What a reader sees: the tier they folded stays folded on the new account's dashboard.
    dashboard = client.get("/").content.decode()
    assert '<section class="tier folded" id="tier-two"' in dashboard
    assert '<section class="tier" id="tier-one"' in dashboard

    again = json.loads(client.get(reverse("accounts:export-json")).getvalue())
    first = json.loads(exported)
    for document in (first, again):
        del document["exported_at"], document["plan"]["updated_at"], document["account"]
    assert again == first


def test_an_older_file_without_a_plan_or_folded_tiers_still_imports(client_as_reader, reader):
    papers = build_catalogue(1)
    response = upload(client_as_reader, document(entry(papers[0].slug)))
    assert response.status_code == 200
    assert not hasattr(reader, "reading_plan") or reader.reading_plan is None


def test_a_plan_with_wrong_fields_is_reported_with_its_places(client_as_reader, paper):
    bad = json.loads(document(entry(paper.slug)))
    bad["plan"] = {
        "hours_per_week": "lots",
        "reading_days": "9",
        "session_time": "25:00",
        "timezone": "Mars/Olympus",
        "use_pace": "yes",
        "starts_on": "2025-03-03",
        "counted_from": "2025-03-01",
        "catch_up_minutes": -1,
    }
    response = upload(client_as_reader, json.dumps(bad))
    assert response.status_code == 400
    text = response.content.decode()
    for place in [
        "plan.hours_per_week",
        "plan.reading_days",
        "plan.session_time",
        "plan.timezone",
        "plan.use_pace",
        "plan.counted_from",
        "plan.catch_up_minutes",
    ]:
        assert place in text


def test_the_streamed_json_export_is_the_whole_document(reader):
    give_history(reader, build_catalogue(30))  # more entries than are read at once
    streamed = json.loads("".join(portability.export_json(reader, exported_at=DAY)))
    assert streamed == portability.export_document(reader, exported_at=DAY)
    assert len(streamed["entries"]) == 30


def test_an_empty_accounts_streamed_export_is_valid_json(reader):
    streamed = json.loads("".join(portability.export_json(reader, exported_at=DAY)))
    assert streamed["entries"] == [] and streamed["plan"] is None and streamed["folded"] == []


def test_the_exports_are_streamed_not_held_whole(client_as_reader, reader):
    give_history(reader, build_catalogue(3))
    for name in ["accounts:export-json", "accounts:export-markdown", "accounts:export-notes-zip"]:
        assert client_as_reader.get(reverse(name)).streaming
