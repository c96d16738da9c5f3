"""Notes are never lost, in a real browser: words typed just before leaving are saved as the page
goes, leaving with unsaved words asks first, a failed save says "Not saved", keeps the text and
retries until it lands, the preview follows the saved text, and a sitting's autosaves make one
revision."""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalogue.models import Paper
from progress import services
from progress.models import NOTE_MAX_LENGTH, Note, Status
from tests.browser import sign_in
from tests.browser.conftest import WATCH
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

SLUG = "mathematical-framework"
NOTE_POST = re.compile(rf"/notes/{SLUG}/$")
SHOTS = Path("/work/notes/shots")


@pytest.fixture
def reader(catalogue):
    reader = UserFactory(username="scribe")
    services.set_status(reader=reader, paper=Paper.objects.get(slug=SLUG), status=Status.READING)
    return reader


def _open_paper(page, live_server):
    page.goto(f"{live_server.url}/papers/{SLUG}/")
    editor = page.locator(f"textarea#note-text-{SLUG}")
    expect(editor).to_be_visible()
    return editor


def _status(page):
    return page.locator(f"#note-status-{SLUG}")


def _saved_text(page, reader, wait: float = 5.0) -> str | None:
    """The note's text on the server, waiting a little for a save still on its way. It waits in
    Playwright, not in time.sleep: the browser's requests pass through the context's routes
    (see conftest), which only run while the test is inside a Playwright call."""
    deadline = time.monotonic() + wait
    while True:
        note = Note.objects.filter(reader=reader).first()
        if note is not None or time.monotonic() > deadline:
            return note and note.text
        page.wait_for_timeout(50)


def _hide_the_page(page) -> None:
    """What the browser does when the reader switches tab; the page lives on."""
    page.evaluate(
        """() => {
            const hidden = {value: "hidden", configurable: true};
            Object.defineProperty(document, "visibilityState", hidden);
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )


def _expected_console_errors(request, *fragments: str) -> None:
    """Chromium logs every failed request, and htmx every failed save, as console errors; the
    ones a test provokes on purpose are not trouble (any other error still fails the test)."""
    watch, _context = request.node.stash[WATCH]
    watch.console_errors[:] = [
        text for text in watch.console_errors if not any(f in text for f in fragments)
    ]


def _refuse_note_saves(page, how):
    """Answer every save of the note with `how` (the page itself still loads)."""

    def handle(route):
        if route.request.method == "POST":
            how(route)
        else:
            route.continue_()

    page.route(NOTE_POST, handle)


def test_words_typed_150_ms_before_leaving_are_there_on_coming_back(page, live_server, reader):
    sign_in(page, live_server, "scribe")
    page.on("dialog", lambda dialog: dialog.accept())  # the reader chooses to leave
    editor = _open_paper(page, live_server)
    editor.press_sequentially("Induction heads need two layers")
    page.wait_for_timeout(150)  # well inside the autosave's one-second pause
    page.goto(f"{live_server.url}/papers/")

    assert _saved_text(page, reader) == "Induction heads need two layers"
    page.go_back()
    editor = page.locator(f"textarea#note-text-{SLUG}")
    expect(editor).to_have_value("Induction heads need two layers")
    # Coming back, the editor saves on top of what left with the page (no conflict with itself),
    # and that leaving closed the sitting: the new words are a revision of their own.
    editor.press("End")
    editor.press_sequentially(", then K-composition.")
    expect(_status(page)).to_contain_text("Saved at")
    note = Note.objects.get(reader=reader)
    assert note.text == "Induction heads need two layers, then K-composition."
    assert note.revisions.count() == 2


def test_hiding_the_page_saves_the_words_and_typing_on_afterwards_saves_without_conflict(
    page, live_server, reader
):
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    editor.press_sequentially("Read section 2")
    # The reader switches tab at once: the browser says the page is hidden (and it lives on).
    _hide_the_page(page)
    assert _saved_text(page, reader) == "Read section 2"
    expect(_status(page)).to_contain_text("Saved at")
    page.evaluate("() => { delete document.visibilityState; }")  # back on the tab
    editor.press_sequentially(" twice.")
    expect(_status(page)).to_contain_text("Saved at")
    expect(_status(page)).not_to_contain_text("changed somewhere else")
    note = Note.objects.get(reader=reader)
    assert note.text == "Read section 2 twice."
    # Hiding the page ended the sitting: what came after is a revision of its own.
    assert list(note.revisions.order_by("version").values_list("text", flat=True)) == [
        "Read section 2",
        "Read section 2 twice.",
    ]


def test_a_save_answered_with_500_says_not_saved_keeps_the_text_and_retries(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    _refuse_note_saves(page, lambda route: route.fulfill(status=500, body="Server Error"))
    editor.press_sequentially("Superposition")

    alert = _status(page).get_by_role("alert")
    expect(alert).to_contain_text("Not saved")
    expect(_status(page)).not_to_contain_text("Saved at")
    expect(editor).to_have_value("Superposition")
    assert Note.objects.filter(reader=reader).count() == 0

    page.unroute(NOTE_POST)  # the server recovers: the next retry lands by itself
    expect(_status(page)).to_contain_text("Saved at", timeout=15_000)
    expect(_status(page)).not_to_contain_text("Not saved")
    assert _saved_text(page, reader) == "Superposition"
    _expected_console_errors(request, "status of 500", "Response Status Error Code 500")


def test_a_lost_connection_says_not_saved_keeps_the_text_and_retries(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    _refuse_note_saves(page, lambda route: route.abort())
    editor.press_sequentially("Polysemantic neurons")

    expect(_status(page).get_by_role("alert")).to_contain_text("Not saved")
    expect(_status(page)).to_contain_text("could not be reached")
    expect(editor).to_have_value("Polysemantic neurons")

    page.unroute(NOTE_POST)
    expect(_status(page)).to_contain_text("Saved at", timeout=15_000)
    assert _saved_text(page, reader) == "Polysemantic neurons"
    _expected_console_errors(request, "net::ERR_FAILED", "htmx:sendError", "htmx:afterRequest")


def test_leaving_with_unsaved_words_asks_first_and_leaving_with_none_does_not(
    page, live_server, reader
):
    sign_in(page, live_server, "scribe")
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    editor = _open_paper(page, live_server)
    editor.press_sequentially("Not yet saved")
    page.get_by_role("link", name="Reading list", exact=True).click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert f"/papers/{SLUG}/" in page.url
    expect(editor).to_have_value("Not yet saved")

    expect(_status(page)).to_contain_text("Saved at")  # the autosave lands: nothing to lose now
    with page.expect_navigation():
        page.get_by_role("link", name="Reading list", exact=True).click()
    assert asked == ["beforeunload"]


def test_the_preview_shows_the_saved_text_after_an_autosave(page, live_server, reader):
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    preview = page.locator(f"#note-preview-{SLUG}")
    expect(preview).to_be_hidden()  # nothing saved yet
    editor.press_sequentially("The *QK* circuit decides where to look.")
    expect(_status(page)).to_contain_text("Saved at")
    expect(preview).to_be_visible()
    expect(preview.locator("em")).to_have_text("QK")
    editor.press_sequentially(" The **OV** circuit decides what to move.")
    expect(preview.locator("strong")).to_have_text("OV")


def test_one_sitting_of_several_autosaves_is_one_revision_timed_to_the_second(
    page, live_server, reader
):
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    for version, words in enumerate(["Attention ", "moves ", "information."], start=1):
        editor.press_sequentially(words)
        expect(_status(page)).to_contain_text(f"version {version}")
    expect(_status(page)).to_contain_text(re.compile(r"Saved at \d\d:\d\d:\d\d"))

    page.goto(f"{live_server.url}/notes/{SLUG}/revisions/")
    entries = page.locator("main .revisions li")
    expect(entries).to_have_count(1)
    expect(entries).to_contain_text("Attention moves information.")
    expect(entries.locator("time")).to_have_text(re.compile(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d:\d\d"))


def test_not_saved_reads_plainly_at_both_widths_in_both_themes(page, live_server, reader, request):
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    _refuse_note_saves(page, lambda route: route.fulfill(status=500, body="Server Error"))
    editor.press_sequentially("Features are directions in activation space.")
    expect(_status(page).get_by_role("alert")).to_contain_text("Not saved")
    editor.blur()  # the focus ring would hide the editor's own sign of trouble
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            section = page.locator("#note")
            section.scroll_into_view_if_needed()
            # Nothing runs off a narrow screen: the whole message wraps inside the page.
            overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, f"{overflow}px wider than the {width}px screen"
            page.screenshot(path=SHOTS / f"notes-not-saved-{width}-{scheme}.png")
    _expected_console_errors(request, "status of 500", "Response Status Error Code 500")


def test_a_note_too_long_for_a_keepalive_request_is_still_saved_when_the_page_is_hidden(
    page, live_server, reader
):
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    long_note = "Residual stream. " * 4_200  # about 70 KB: over the keepalive limit of 64 KB
    editor.fill(long_note)

    def ends_the_sitting(response) -> bool:
        body = response.request.post_data or ""
        return response.request.method == "POST" and 'name="sitting"' in body

    with page.expect_response(ends_the_sitting) as leaving:
        _hide_the_page(page)
    assert leaving.value.status == 200
    note = Note.objects.get(reader=reader)
    assert note.text == long_note and not note.sitting_open


def test_a_note_the_server_refuses_as_too_long_says_why_keeps_the_text_and_asks_before_leaving(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    editor = _open_paper(page, live_server)
    too_long = "x" * (NOTE_MAX_LENGTH + 1)
    editor.fill(too_long)
    expect(_status(page).get_by_role("alert")).to_contain_text("over 100,000 characters")
    expect(_status(page)).not_to_contain_text("Saved")
    assert editor.input_value() == too_long
    page.get_by_role("link", name="Reading list", exact=True).click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"] and f"/papers/{SLUG}/" in page.url
    assert not Note.objects.filter(reader=reader).exists()
    _expected_console_errors(request, "status of 400")


def test_an_editor_htmx_loads_later_is_looked_after_too(page, live_server, reader, request):
    # The dashboard loads editors lazily; here htmx swaps one into a page that had none.
    sign_in(page, live_server, "scribe")
    page.goto(f"{live_server.url}/papers/")
    load = "url => htmx.ajax('GET', url, {target: 'main', swap: 'innerHTML'})"
    page.evaluate(load, f"/notes/{SLUG}/")
    editor = page.locator(f"textarea#note-text-{SLUG}")
    expect(editor).to_be_visible()
    expect(page.locator("main")).not_to_have_class(re.compile(r"htmx-(request|settling)"))
    _refuse_note_saves(page, lambda route: route.fulfill(status=502, body="Bad Gateway"))
    editor.press_sequentially("Lazy")
    expect(_status(page).get_by_role("alert")).to_contain_text("Not saved")
    page.unroute(NOTE_POST)
    expect(_status(page)).to_contain_text("Saved at", timeout=15_000)
    assert _saved_text(page, reader) == "Lazy"
    _expected_console_errors(request, "status of 502", "Response Status Error Code 502")


def test_words_typed_while_an_autosave_is_on_its_way_are_saved_when_leaving(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    page.on("dialog", lambda dialog: dialog.accept())
    held = []

    def hold_the_first_autosave(route):
        # The server gets and saves the first autosave; the browser waits for its answer.
        if route.request.method == "POST" and not held:
            held.append((route, route.fetch()))
        else:
            route.continue_()

    page.route(NOTE_POST, hold_the_first_autosave)
    editor = _open_paper(page, live_server)
    editor.press_sequentially("First thoughts")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the autosave was never sent"
    assert Note.objects.get(reader=reader).text == "First thoughts"

    editor.press_sequentially(" and second thoughts")
    page.goto(f"{live_server.url}/papers/")  # leaving while the autosave's answer is still out
    _expected_console_errors(request, "Failed to load resource", "htmx")

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if Note.objects.get(reader=reader).text == "First thoughts and second thoughts":
            break
        page.wait_for_timeout(50)
    assert Note.objects.get(reader=reader).text == "First thoughts and second thoughts"
