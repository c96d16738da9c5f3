"""What the note editor's saves get back: the preview follows the saved text, the save made as the
page is left keeps the CSRF check, and signed-in pages load the script that makes those saves."""

import re

import pytest
from django.test import Client

from progress import services
from progress.models import Note, Status
from tests.helpers import HTMX
from tests.html import elements

pytestmark = pytest.mark.django_db


def autosave(client, slug, **data):
    return client.post(f"/notes/{slug}/", data, headers={**HTMX, "HX-Trigger": f"note-text-{slug}"})


def test_a_save_from_a_page_showing_the_preview_sends_the_new_preview_out_of_band(
    client_as_reader, paper
):
    html = autosave(
        client_as_reader, paper.slug, text="The *key* idea", base_version=0, preview="shown"
    ).content.decode()
    preview = html.split(f'id="note-preview-{paper.slug}"', 1)[1]
    assert 'hx-swap-oob="true"' in preview.split(">", 1)[0]
    assert "<em>key</em>" in preview and "hidden" not in preview.split(">", 1)[0]


def test_a_save_from_the_dashboards_editor_which_has_no_preview_gets_none(client_as_reader, paper):
    # htmx would log an error for an out-of-band element with nothing on the page to replace.
    html = autosave(client_as_reader, paper.slug, text="x", base_version=0).content.decode()
    assert "Saved at" in html and "note-preview" not in html


def test_pages_with_the_preview_ask_for_it_and_the_dashboards_lazy_editor_does_not(
    client_as_reader, reader, paper
):
    services.set_status(reader=reader, paper=paper, status=Status.READING)
    asks = 'name="preview" value="shown"'
    assert asks in client_as_reader.get(f"/notes/{paper.slug}/").content.decode()
    assert asks in client_as_reader.get(f"/papers/{paper.slug}/").content.decode()
    lazy = client_as_reader.get(f"/notes/{paper.slug}/", headers=HTMX).content.decode()
    assert "note-text-" in lazy and asks not in lazy


def test_the_save_made_as_the_page_is_left_still_needs_the_csrf_token(reader, paper):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader)
    page = browser.get(f"/notes/{paper.slug}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    headers = {**HTMX, "HX-Trigger": f"note-text-{paper.slug}"}
    data = {"text": "left", "base_version": 0, "sitting": "end"}

    refused = browser.post(f"/notes/{paper.slug}/", data, headers=headers)
    assert refused.status_code == 403 and not Note.objects.exists()
    saved = browser.post(f"/notes/{paper.slug}/", data, headers={**headers, "X-CSRFToken": token})
    assert saved.status_code == 200
    note = Note.objects.get(reader=reader, paper=paper)
    assert note.text == "left" and not note.sitting_open


def test_signed_in_pages_load_the_notes_script_with_the_nonce_and_visitors_pages_do_not(
    client_as_reader,
):
    def note_scripts(response):
        return [
            e.values
            for e in elements(response.content.decode())
            if e.tag == "script" and "js/notes" in e.values.get("src", "")
        ]

    (script,) = note_scripts(client_as_reader.get("/"))
    assert "defer" in script and script.get("nonce")
    assert note_scripts(Client().get("/papers/")) == []


def test_without_javascript_a_save_from_the_paper_page_goes_back_there_and_says_it_is_saved(
    client_as_reader, reader, paper
):
    page = paper.get_absolute_url()
    response = client_as_reader.post(
        f"/notes/{paper.slug}/",
        {"text": "Read the induction section twice", "base_version": 0},
        headers={"Referer": f"http://testserver{page}"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith(page)
    assert "Your note is saved (version 1)." in response.content.decode()
    assert reader.notes.get(paper=paper).text == "Read the induction section twice"


def test_without_javascript_a_save_sent_from_another_site_stays_on_the_note_page(
    client_as_reader, paper
):
    response = client_as_reader.post(
        f"/notes/{paper.slug}/",
        {"text": "x", "base_version": 0},
        headers={"Referer": "https://elsewhere.example/"},
    )
    assert response.url == f"/notes/{paper.slug}/"
