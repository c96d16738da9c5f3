"""A sitting's autosaves fold into one revision; a new one starts after 10 minutes or on leaving."""

import datetime as dt

import pytest
from django.utils import timezone

from progress import services
from progress.models import Note
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def autosave(client, slug, text, base, **extra):
    """What the editor's textarea sends as the reader types (htmx names the element)."""
    data = {"text": text, "base_version": base, **extra}
    return client.post(f"/notes/{slug}/", data, headers={**HTMX, "HX-Trigger": f"note-text-{slug}"})


def revisions(note):
    return list(note.revisions.order_by("version").values_list("version", "text"))


def test_autosaves_in_one_sitting_fold_into_one_revision(client_as_reader, reader, paper):
    for base, text in enumerate(["a", "ab", "abc"]):
        assert autosave(client_as_reader, paper.slug, text, base).status_code == 200
    note = Note.objects.get(reader=reader, paper=paper)
    assert note.version == 3
    assert revisions(note) == [(3, "abc")]


def test_a_stale_autosave_is_still_refused_with_409(client_as_reader, reader, paper):
    autosave(client_as_reader, paper.slug, "a", 0)
    autosave(client_as_reader, paper.slug, "ab", 1)
    assert autosave(client_as_reader, paper.slug, "other tab", 1).status_code == 409
    assert Note.objects.get(reader=reader, paper=paper).text == "ab"


def test_a_save_ten_minutes_after_the_last_starts_a_new_revision(client_as_reader, reader, paper):
    autosave(client_as_reader, paper.slug, "a", 0)
    Note.objects.filter(reader=reader).update(updated_at=timezone.now() - dt.timedelta(minutes=11))
    autosave(client_as_reader, paper.slug, "ab", 1)
    assert revisions(Note.objects.get(reader=reader)) == [(1, "a"), (2, "ab")]


def test_leaving_the_page_ends_the_sitting_and_the_next_save_starts_a_revision(
    client_as_reader, reader, paper
):
    autosave(client_as_reader, paper.slug, "a", 0)
    autosave(client_as_reader, paper.slug, "ab", 1, sitting="end")
    autosave(client_as_reader, paper.slug, "abc", 2)
    assert revisions(Note.objects.get(reader=reader)) == [(2, "ab"), (3, "abc")]


def test_ending_a_sitting_with_nothing_new_still_ends_it(client_as_reader, reader, paper):
    autosave(client_as_reader, paper.slug, "a", 0)
    autosave(client_as_reader, paper.slug, "a", 1, sitting="end")
    autosave(client_as_reader, paper.slug, "ab", 1)
    assert revisions(Note.objects.get(reader=reader)) == [(1, "a"), (2, "ab")]


def test_a_plain_save_or_a_restore_always_keeps_a_revision_of_its_own(reader, paper):
    services.save_note(reader=reader, paper=paper, text="a", base_version=0)
    services.save_note(reader=reader, paper=paper, text="ab", base_version=1)
    services.restore_revision(reader=reader, paper=paper, version=1, base_version=2)
    assert revisions(Note.objects.get(reader=reader)) == [(1, "a"), (2, "ab"), (3, "a")]


def test_revision_times_show_to_the_second(client_as_reader, reader, paper):
    autosave(client_as_reader, paper.slug, "a", 0)
    saved = Note.objects.get(reader=reader).revisions.get().saved_at
    html = client_as_reader.get(f"/notes/{paper.slug}/revisions/").content.decode()
    assert timezone.localtime(saved).strftime("%H:%M:%S") in html


def test_a_save_the_reader_presses_keeps_a_revision_of_its_own(client_as_reader, reader, paper):
    autosave(client_as_reader, paper.slug, "typed", 0)
    # The Save button, or "keep the editor's text" after a conflict: htmx names no textarea.
    data = {"text": "pressed", "base_version": 1}
    assert client_as_reader.post(f"/notes/{paper.slug}/", data, headers=HTMX).status_code == 200
    note = Note.objects.get(reader=reader, paper=paper)
    assert revisions(note) == [(1, "typed"), (2, "pressed")]
