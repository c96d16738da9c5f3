"""Statuses, checklists, notes that never lose a word, and privacy."""

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Level
from progress import services
from progress.markdown import render
from progress.models import NOTE_MAX_LENGTH, Note, PartTick, ReadingEvent, ReadingState, Status
from progress.summary import reader_papers, summarise
from tests.factories import (
    AdviceFactory,
    NoteFactory,
    NoteRevisionFactory,
    PaperFactory,
    PartTickFactory,
    ReadingStateFactory,
    UserFactory,
)
from tests.helpers import HOSTILE_PAYLOADS, HTMX
from tests.html import elements

pytestmark = pytest.mark.django_db


# --- Statuses -----------------------------------------------------------------------------------


def test_unread_is_the_default_and_needs_no_row(reader, paper):
    (annotated,) = reader_papers(reader)
    assert annotated.status == Status.UNREAD
    assert not ReadingState.objects.exists()


def test_status_transitions_stamp_started_and_finished_dates(reader, paper):
    state = services.set_status(reader=reader, paper=paper, status=Status.READING)
    assert state.started_at is not None and state.finished_at is None
    started = state.started_at

    state = services.set_status(reader=reader, paper=paper, status=Status.READ)
    assert state.started_at == started
    assert state.finished_at >= started

    state = services.set_status(reader=reader, paper=paper, status=Status.READING)
    assert state.finished_at is None, "reading again means not finished"
    assert state.started_at == started

    state = services.set_status(reader=reader, paper=paper, status=Status.UNREAD)
    assert state.started_at is None and state.finished_at is None


def test_marking_read_straight_away_stamps_both_dates(reader, paper):
    state = services.set_status(reader=reader, paper=paper, status=Status.SKIMMED)
    assert state.started_at is not None and state.finished_at is not None


def test_every_status_change_is_kept_as_a_dated_event(reader, paper):
    for status in [Status.READING, Status.READ, Status.READ, Status.SKIPPED]:
        services.set_status(reader=reader, paper=paper, status=status)
    events = list(ReadingEvent.objects.filter(reader=reader).order_by("at", "id"))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("unread", "reading"),
        ("reading", "read"),
        ("read", "skipped"),
    ]
    assert all(e.at <= timezone.now() for e in events)


def test_one_state_per_reader_and_entry_is_enforced_by_the_database(reader, paper):
    from django.db import IntegrityError, transaction

    ReadingStateFactory(reader=reader, paper=paper)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadingState.objects.create(reader=reader, paper=paper, status=Status.READ)


def _failing_event_insert(execute, sql, params, many, context):
    """The database refuses the event: the status change's last statement."""
    if "progress_readingevent" in sql and sql.lstrip().upper().startswith("INSERT"):
        raise RuntimeError("disk full")
    return execute(sql, params, many, context)


def test_a_status_write_is_all_or_nothing(reader, paper):
    with connection.execute_wrapper(_failing_event_insert), pytest.raises(RuntimeError):
        services.set_status(reader=reader, paper=paper, status=Status.READ)
    assert not ReadingState.objects.exists()


def test_a_status_change_of_a_row_that_exists_is_all_or_nothing_too(reader, paper):
    services.set_status(reader=reader, paper=paper, status=Status.READING)
    with connection.execute_wrapper(_failing_event_insert), pytest.raises(RuntimeError):
        services.set_status(reader=reader, paper=paper, status=Status.READ)
    assert ReadingState.objects.get(reader=reader, paper=paper).status == Status.READING
    assert ReadingEvent.objects.filter(reader=reader).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_threads_marking_the_same_entry_make_one_row_and_no_error():
    reader = UserFactory(username="racer")
    paper = PaperFactory(slug="contested")
    errors, statuses = [], []
    barrier = threading.Barrier(2, timeout=10)

    def mark(status):
        from django.test import Client

        client = Client()
        client.force_login(reader)
        barrier.wait()
        try:
            response = client.post(
                f"/entries/{paper.slug}/status/", {"status": status}, headers=HTMX
            )
            statuses.append(response.status_code)
        except Exception as error:  # pragma: no cover - the assertion below reports it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=mark, args=(s,)) for s in ("reading", "read")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert statuses == [200, 200]
    assert ReadingState.objects.filter(reader=reader, paper=paper).count() == 1
    assert ReadingEvent.objects.filter(reader=reader).count() == 2


def test_an_unknown_status_is_refused_with_a_message_and_changes_nothing(client_as_reader, paper):
    response = client_as_reader.post(f"/entries/{paper.slug}/status/", {"status": "devoured"})
    assert response.status_code == 400
    assert b"not a reading status" in response.content
    assert not ReadingState.objects.exists()


def test_a_refused_htmx_action_is_shown_in_the_message_area(client_as_reader, paper):
    response = client_as_reader.post(
        f"/entries/{paper.slug}/status/", {"status": "devoured"}, headers=HTMX
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#flash"
    assert b"not a reading status" in response.content
    assert b"<html" not in response.content


def test_htmx_is_told_to_show_error_answers(client):
    html = client.get("/papers/").content.decode()
    # htmx ignores 4xx answers by default; the config swaps them in so readers see the message.
    assert '"code": "(400|403|404|409|413|422|429)", "swap": true' in html


def test_a_stale_csrf_token_asks_the_reader_to_reload(reader, paper):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    response = client.post(f"/entries/{paper.slug}/status/", {"status": "read"}, headers=HTMX)
    assert response.status_code == 403
    assert b"Reload the page" in response.content
    assert response["HX-Retarget"] == "#flash"


# --- Checklists and weighting -------------------------------------------------------------------


def test_ticking_a_part_is_idempotent_and_unticking_removes_it(reader, paper):
    advice = paper.advice.get()
    services.set_parts_done(reader=reader, paper=paper, shown={advice.key}, done={advice.key})
    services.set_parts_done(reader=reader, paper=paper, shown={advice.key}, done={advice.key})
    assert PartTick.objects.filter(reader=reader, advice=advice).count() == 1
    services.set_parts_done(reader=reader, paper=paper, shown={advice.key}, done=set())
    assert not PartTick.objects.filter(reader=reader).exists()


def _summary(reader):
    return summarise(reader_papers(reader))


def test_deep_parts_count_three_times_a_part_to_skim_and_skip_parts_never_count(reader):
    paper = PaperFactory()
    deep = AdviceFactory(paper=paper, position=1, level=Level.DEEP)
    skim = AdviceFactory(paper=paper, position=2, level=Level.SKIM)
    AdviceFactory(paper=paper, position=3, level=Level.SKIM_OR_SKIP)
    AdviceFactory(paper=paper, position=4, level=Level.SKIP)

    entry = _summary(reader).entries[paper.pk]
    assert (entry.weight, entry.done_weight) == (4, 0)

    PartTickFactory(reader=reader, advice=skim)
    assert _summary(reader).entries[paper.pk].percent == 25
    PartTickFactory(reader=reader, advice=deep)
    entry = _summary(reader).entries[paper.pk]
    assert entry.percent == 100, "the skim-or-skip and skip parts never hold the reader back"
    assert (entry.paper.ticked, entry.paper.parts) == (2, 4)


def test_read_counts_the_whole_entry_and_skipped_leaves_the_count(reader):
    first, second = PaperFactory(), PaperFactory()
    AdviceFactory(paper=first, level=Level.DEEP)
    AdviceFactory(paper=second, level=Level.DEEP)
    services.set_status(reader=reader, paper=first, status=Status.READ)
    assert _summary(reader).overall.percent == 50
    services.set_status(reader=reader, paper=second, status=Status.SKIPPED)
    assert _summary(reader).overall.percent == 100


def test_next_up_is_the_first_unfinished_entry_that_the_list_does_not_say_to_skip(reader):
    first = PaperFactory(position=1)
    optional = PaperFactory(section=first.section, position=2)
    AdviceFactory(paper=optional, level=Level.SKIP)
    third = PaperFactory(section=first.section, position=3)
    AdviceFactory(paper=third, position=1, level=Level.DEEP, part="The key section")
    services.set_status(reader=reader, paper=first, status=Status.READ)
    summary = _summary(reader)
    assert summary.next_up.paper.pk == third.pk
    assert summary.next_up.paper.start_with == "The key section"


# --- Notes --------------------------------------------------------------------------------------


def note_url(paper):
    return reverse("progress:note", kwargs={"slug": paper.slug})


def test_a_note_saves_with_a_plain_form_and_keeps_a_revision(client_as_reader, reader, paper):
    response = client_as_reader.post(
        note_url(paper), {"text": "First *thought*", "base_version": 0}
    )
    assert response.status_code == 302
    note = reader.notes.get()
    assert (note.text, note.version) == ("First *thought*", 1)
    assert list(note.revisions.values_list("version", "text")) == [(1, "First *thought*")]
    page = client_as_reader.get(note_url(paper))
    assert b"<em>thought</em>" in page.content


def test_an_autosave_answers_with_the_new_version_for_the_next_save(client_as_reader, paper):
    response = client_as_reader.post(
        note_url(paper), {"text": "draft", "base_version": 0}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "version 1" in html
    assert 'id="note-base-zoom-in" value="1" hx-swap-oob="true"' in html


def test_a_stale_note_save_is_refused_with_409_and_keeps_both_texts(
    client_as_reader, reader, paper
):
    client_as_reader.post(note_url(paper), {"text": "saved in tab one", "base_version": 0})
    response = client_as_reader.post(
        note_url(paper), {"text": "typed in tab two", "base_version": 0}, headers=HTMX
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "saved in tab one" in html and "typed in tab two" in html
    assert reader.notes.get().text == "saved in tab one"

    # Without JavaScript: the page shows both, and its form is now based on the saved version.
    page = client_as_reader.post(note_url(paper), {"text": "typed in tab two", "base_version": 0})
    assert page.status_code == 409
    assert b"saved in tab one" in page.content and b"typed in tab two" in page.content
    assert b'name="base_version" id="note-base-zoom-in" value="1"' in page.content


def test_a_note_over_the_limit_is_refused_and_the_typed_text_stays(client_as_reader, reader, paper):
    text = "x" * (NOTE_MAX_LENGTH + 1)
    response = client_as_reader.post(note_url(paper), {"text": text, "base_version": 0})
    assert response.status_code == 400
    assert b"over 100,000 characters" in response.content
    assert text.encode() in response.content, "the editor keeps what was typed"
    assert not Note.objects.exists()
    with pytest.raises(services.NoteTooLong):
        services.save_note(reader=reader, paper=paper, text=text, base_version=0)


def test_revisions_are_listed_viewed_and_restored_as_a_new_version(client_as_reader, reader, paper):
    for version, text in enumerate(["one", "two", "three"]):
        services.save_note(reader=reader, paper=paper, text=text, base_version=version)
    listing = client_as_reader.get(reverse("progress:note-revisions", args=[paper.slug]))
    content = listing.content.decode()
    assert content.index("Version 3") < content.index("Version 2") < content.index("Version 1")
    shown = client_as_reader.get(reverse("progress:note-revision", args=[paper.slug, 1]))
    assert b"one" in shown.content and b"Restore this version" in shown.content
    restored = client_as_reader.post(
        reverse("progress:note-restore", args=[paper.slug, 1]), {"base_version": 3}
    )
    assert restored.status_code == 302
    note = reader.notes.get()
    assert (note.text, note.version) == ("one", 4)
    assert note.revisions.count() == 4, "restoring adds a version and deletes nothing"


def test_at_least_the_last_fifty_revisions_are_listed(client_as_reader, reader, paper):
    for version in range(60):
        services.save_note(reader=reader, paper=paper, text=f"v{version + 1}", base_version=version)
    listing = client_as_reader.get(reverse("progress:note-revisions", args=[paper.slug]))
    assert listing.content.count(b'href="/notes/zoom-in/revisions/') == 50
    assert b"Version 60" in listing.content and b"Version 11<" in listing.content


def test_note_responses_are_never_stored_by_caches(client_as_reader, reader, paper):
    services.save_note(reader=reader, paper=paper, text="private", base_version=0)
    for url in [
        note_url(paper),
        reverse("progress:note-revisions", args=[paper.slug]),
        reverse("progress:note-revision", args=[paper.slug, 1]),
        "/",
    ]:
        assert "no-store" in client_as_reader.get(url)["Cache-Control"], url
    saved = client_as_reader.post(note_url(paper), {"text": "x", "base_version": 1}, headers=HTMX)
    assert "no-store" in saved["Cache-Control"]


ACTIVE_TAGS = {"script", "iframe", "img", "svg", "object", "embed", "style", "link"}


def active_markup(html: str) -> list[str]:
    """Every element and attribute that could run code or load something."""
    found = []
    for element in elements(html):
        tag = element.tag
        if tag in ACTIVE_TAGS:
            found.append(tag)
        for name, value in element.attrs:
            if name.startswith(("on", "hx-", "data-hx")) or name in {"style", "src"}:
                found.append(f"{tag}[{name}]")
            if name == "href" and value.strip().lower().startswith(("javascript:", "data:")):
                found.append(f"{tag}[href={value}]")
    return found


@pytest.mark.parametrize("payload", HOSTILE_PAYLOADS)
def test_note_markdown_renders_payloads_inert(payload):
    assert active_markup(str(render(payload))) == []


def test_a_stored_payload_is_inert_on_the_note_page(client_as_reader, reader, paper):
    services.save_note(
        reader=reader, paper=paper, text="\n\n".join(HOSTILE_PAYLOADS), base_version=0
    )
    page = client_as_reader.get(note_url(paper)).content.decode()
    preview = page.split('<div class="rendered">', 1)[1].split("</section>", 1)[0]
    assert active_markup(preview) == []
    assert "&lt;script&gt;" in preview, "the payload is shown as text, not dropped silently"


# --- Privacy ------------------------------------------------------------------------------------


@pytest.fixture
def a_data(reader, paper):
    """Reader A (ada) with a status, a tick and a note with two revisions on the paper."""
    services.set_status(reader=reader, paper=paper, status=Status.READING)
    part = paper.advice.get()
    services.set_parts_done(reader=reader, paper=paper, shown={part.key}, done={part.key})
    services.save_note(reader=reader, paper=paper, text="A's secret", base_version=0)
    services.save_note(reader=reader, paper=paper, text="A's secret, revised", base_version=1)
    return reader


def snapshot(reader):
    return (
        list(reader.reading_states.values_list("paper_id", "status")),
        list(PartTick.objects.filter(reader=reader).values_list("advice_id", flat=True)),
        list(reader.notes.values_list("text", "version")),
        list(Note.objects.filter(reader=reader).values_list("revisions__version", flat=True)),
    )


def unmasked(response) -> str:
    """The body without what changes on every page: the masked CSRF token and the CSP nonce."""
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "", response.content.decode())
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return re.sub(r'nonce="[^"]+"', "", body)


def test_another_reader_never_sees_or_changes_a_readers_data(client, a_data, other_reader, paper):
    before = snapshot(a_data)
    client.force_login(other_reader)
    for url in [note_url(paper), "/"]:
        response = client.get(url)
        assert b"A&#x27;s secret" not in response.content and b"A's secret" not in response.content
    missing = client.get("/notes/no-such-entry/revisions/1/")
    for url in [
        reverse("progress:note-revisions", args=[paper.slug]),
        reverse("progress:note-revision", args=[paper.slug, 1]),
        reverse("progress:note-revision", args=[paper.slug, 2]),
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert unmasked(response) == unmasked(missing), "same body as a URL that does not exist"
    restore = client.post(
        reverse("progress:note-restore", args=[paper.slug, 1]), {"base_version": 2}
    )
    assert restore.status_code == 404
    # B's own writes land on B's rows only.
    client.post(f"/entries/{paper.slug}/status/", {"status": "skipped"})
    client.post(f"/entries/{paper.slug}/parts/", {"shown": paper.advice.get().key})  # an untick
    client.post(note_url(paper), {"text": "B's note", "base_version": 0})
    assert snapshot(a_data) == before
    assert other_reader.notes.get().text == "B's note"


def test_anonymous_visitors_are_sent_to_sign_in(client, paper):
    for method, url in [
        ("get", note_url(paper)),
        ("get", reverse("progress:note-revisions", args=[paper.slug])),
        ("post", f"/entries/{paper.slug}/status/"),
        ("post", f"/entries/{paper.slug}/parts/"),
        ("post", note_url(paper)),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_admin_does_not_show_readers_notes(client, staff, a_data):
    client.force_login(staff)
    assert client.get("/admin/progress/note/").status_code == 404
    assert client.get("/admin/progress/noterevision/").status_code == 404
    assert b"A's secret" not in client.get("/admin/").content


def test_gets_on_write_urls_are_refused(client_as_reader, paper):
    assert client_as_reader.get(f"/entries/{paper.slug}/status/").status_code == 405
    assert client_as_reader.get(f"/entries/{paper.slug}/parts/").status_code == 405


def test_a_revision_fixture_belongs_to_its_own_reader_only(client_as_reader):
    stranger_note = NoteFactory(text="not yours")
    NoteRevisionFactory(note=stranger_note, version=1)
    url = reverse("progress:note-revision", args=[stranger_note.paper.slug, 1])
    assert client_as_reader.get(url).status_code == 404
