"""Nothing is lost and every failure is said where it happened, in a real browser with debug off
(pytest-django runs the live server with DEBUG=False, so django-htmx's debug script is not there
to replace the page on an error, as in production).

- A reader whose session ended: the note editor says "Not saved: you are signed out", keeps the
  text (on the page, and in the browser across a reload), keeps the leave warning, offers to sign in
  in a new tab, and saves the text once signed in again; a status click or a tick says so in place
  and changes nothing.
- A status change, tick or fold that fails (500, 503, no network): said in place, the control shown
  as it really is, and "Try again" does it once more (static/js/errors.js).
"""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from catalogue.models import Paper
from progress import services
from progress.models import DashboardState, Note, PartTick, ReadingState, Status
from tests.browser import ARTIFACTS, sign_in
from tests.browser.conftest import WATCH
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

SLUG = "mathematical-framework"
TIER = "what-is-mech-interp"


@pytest.fixture
def reader(catalogue):
    reader = UserFactory(username="scribe")
    services.set_status(reader=reader, paper=Paper.objects.get(slug=SLUG), status=Status.READING)
    return reader


def _expected_console_errors(request, *fragments: str) -> None:
    """Chromium logs every failed request, and htmx every failed one, as console errors; those a
    test provokes on purpose are not trouble (any other error still fails the test)."""
    watch, _context = request.node.stash[WATCH]
    watch.console_errors[:] = [
        text for text in watch.console_errors if not any(f in text for f in fragments)
    ]


def _end_every_session() -> None:
    """What signing out in another tab, an expired session or a password change elsewhere do."""
    Session.objects.all().delete()


def _open_paper(page, live_server):
    page.goto(f"{live_server.url}/papers/{SLUG}/")
    editor = page.locator(f"textarea#note-text-{SLUG}")
    expect(editor).to_be_visible()
    return editor


def _note_status(page):
    return page.locator(f"#note-status-{SLUG}")


def _status_button(page, slug: str, status: str):
    return page.locator(f"#head-{slug} button[name=status][value={status}]")


def _saved_note(page, reader, wait_ms: int = 5000) -> str | None:
    for _ in range(wait_ms // 50):
        note = Note.objects.filter(reader=reader).first()
        if note is not None:
            return note.text
        page.wait_for_timeout(50)
    return None


def _draft_kept(page) -> str | None:
    return page.evaluate(
        """() => {
            for (let i = 0; i < localStorage.length; i++) {
                const key = localStorage.key(i);
                if (key.startsWith("mireads.note-draft:")) {
                    return JSON.parse(localStorage.getItem(key)).text;
                }
            }
            return null;
        }"""
    )


def _signed_out_said(page, editor, text: str) -> None:
    alert = _note_status(page).get_by_role("alert")
    expect(alert).to_contain_text("Not saved: you are signed out")
    login = alert.get_by_role("link", name="Sign in (opens a new tab)")
    expect(login).to_have_attribute("target", "_blank")
    expect(login).to_have_attribute("href", "/accounts/login/")
    expect(editor).to_have_value(text)
    # Never the sign-in page swapped into the editor.
    expect(page.locator("main input[name=password]")).to_have_count(0)
    expect(_note_status(page)).not_to_contain_text("Saved at")


# --- 1. A reader's text is never lost to an ended session ---------------------------------------


def test_a_note_typed_after_the_session_ended_is_kept_and_saved_once_signed_in_again(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    _end_every_session()
    editor.press_sequentially("Typed after the session ended")
    _signed_out_said(page, editor, "Typed after the session ended")
    assert Note.objects.filter(reader=reader).count() == 0
    assert _draft_kept(page) == "Typed after the session ended"

    # Leaving still asks first: the server does not have the text.
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Reading list", exact=True).click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(editor).to_have_value("Typed after the session ended")

    # Signing in in another tab, as the link offers: the editor notices and saves.
    other_tab = page.context.new_page()
    sign_in(other_tab, live_server, "scribe")
    other_tab.close()
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(_note_status(page)).to_contain_text("Saved at", timeout=15_000)
    assert _saved_note(page, reader) == "Typed after the session ended"
    assert _draft_kept(page) is None
    _expected_console_errors(request, "401", "htmx:responseError")


def test_a_note_kept_in_the_browser_is_saved_after_a_reload_once_signed_in(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    _end_every_session()
    editor.press_sequentially("Kept across the reload")
    _signed_out_said(page, editor, "Kept across the reload")

    page.on("dialog", lambda dialog: dialog.accept())  # the reader leaves anyway
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    expect(editor).to_have_value("Kept across the reload")
    expect(_note_status(page)).to_contain_text("Saved at", timeout=10_000)
    assert _saved_note(page, reader) == "Kept across the reload"
    assert _draft_kept(page) is None
    page.reload()
    expect(page.locator(f"textarea#note-text-{SLUG}")).to_have_value("Kept across the reload")
    _expected_console_errors(request, "401", "htmx:responseError")


def test_a_note_typed_after_signing_in_again_elsewhere_takes_the_fresh_token_and_saves(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    _end_every_session()
    other_tab = page.context.new_page()
    sign_in(other_tab, live_server, "scribe")  # a new session and a new form token
    other_tab.close()
    editor.press_sequentially("Typed with a stale form token")
    expect(_note_status(page)).to_contain_text("Saved at", timeout=10_000)
    assert _saved_note(page, reader) == "Typed with a stale form token"
    _expected_console_errors(request, "403", "Forbidden")


def test_a_note_is_never_saved_into_another_readers_account(page, live_server, reader, request):
    UserFactory(username="someone")
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    _end_every_session()
    editor.press_sequentially("Only mine")
    _signed_out_said(page, editor, "Only mine")
    other_tab = page.context.new_page()
    sign_in(other_tab, live_server, "someone")
    other_tab.close()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(_note_status(page).get_by_role("alert")).to_contain_text(
        "Not saved: you are signed in as someone else"
    )
    expect(editor).to_have_value("Only mine")
    assert not Note.objects.exists()
    _expected_console_errors(request, "401", "htmx:responseError")


def test_a_kept_note_saved_over_a_change_made_elsewhere_shows_both_texts(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    _end_every_session()
    editor.press_sequentially("Mine, typed signed out")
    _signed_out_said(page, editor, "Mine, typed signed out")
    paper = Paper.objects.get(slug=SLUG)
    services.save_note(reader=reader, paper=paper, text="Saved in another tab", base_version=0)

    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    expect(_note_status(page).get_by_role("alert")).to_contain_text("changed somewhere else")
    expect(editor).to_have_value("Mine, typed signed out")
    assert Note.objects.get(reader=reader).text == "Saved in another tab"
    _expected_console_errors(request, "401", "409", "htmx:responseError")


def test_a_status_click_while_signed_out_says_so_in_place_and_changes_nothing(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    page.goto(f"{live_server.url}/")
    expect(_status_button(page, SLUG, "reading")).to_have_attribute("aria-pressed", "true")
    entries_before = page.locator("#entries li.entry").count()
    _end_every_session()
    _status_button(page, SLUG, "read").click()

    alert = page.locator(f"#head-{SLUG}").get_by_role("alert")
    expect(alert).to_contain_text("Not saved: you are signed out.")
    expect(alert.get_by_role("link", name="Sign in (opens a new tab)")).to_have_attribute(
        "target", "_blank"
    )
    expect(_status_button(page, SLUG, "reading")).to_have_attribute("aria-pressed", "true")
    expect(_status_button(page, SLUG, "read")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#main input[name=password]")).to_have_count(0)
    expect(page.locator("#entries li.entry")).to_have_count(entries_before)
    assert ReadingState.objects.get(reader=reader, paper__slug=SLUG).status == Status.READING
    _expected_console_errors(request, "401", "htmx:responseError")


def test_a_tick_while_signed_out_is_unticked_again_and_says_so(page, live_server, reader, request):
    sign_in(page, live_server, "scribe")
    _open_paper(page, live_server)
    box = page.locator(f"#part-{SLUG}-1")
    expect(box).not_to_be_checked()
    _end_every_session()
    box.click()
    alert = page.locator(f"#checklist-{SLUG}").get_by_role("alert")
    expect(alert).to_contain_text("Not saved: you are signed out.")
    expect(box).not_to_be_checked()
    expect(page.locator("#main input[name=password]")).to_have_count(0)
    assert not PartTick.objects.filter(reader=reader).exists()
    _expected_console_errors(request, "401", "htmx:responseError")


# --- 8. Failure is shown where it happened -------------------------------------------------------


def test_a_status_change_that_fails_says_so_in_place_and_try_again_lands(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    page.goto(f"{live_server.url}/")
    status_post = re.compile(rf"/entries/{SLUG}/status/$")
    page.route(status_post, lambda route: route.fulfill(status=500, body="Server Error"))
    _status_button(page, SLUG, "read").click()

    alert = page.locator(f"#head-{SLUG}").get_by_role("alert")
    expect(alert).to_contain_text("Not saved: the server had a problem (500).")
    expect(_status_button(page, SLUG, "reading")).to_have_attribute("aria-pressed", "true")

    page.unroute(status_post)
    alert.get_by_role("button", name="Try again").click()
    expect(_status_button(page, SLUG, "read")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#head-{SLUG}").get_by_role("alert")).to_have_count(0)
    assert ReadingState.objects.get(reader=reader, paper__slug=SLUG).status == Status.READ
    _expected_console_errors(request, "500", "htmx:responseError")


def test_a_tick_that_cannot_reach_the_server_is_unticked_and_try_again_ticks_it(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    _open_paper(page, live_server)
    parts_post = re.compile(rf"/entries/{SLUG}/parts/$")
    page.route(parts_post, lambda route: route.abort())
    box = page.locator(f"#part-{SLUG}-1")
    box.click()

    alert = page.locator(f"#checklist-{SLUG}").get_by_role("alert")
    expect(alert).to_contain_text("Not saved: the server could not be reached.")
    expect(box).not_to_be_checked()
    assert not PartTick.objects.filter(reader=reader).exists()

    page.unroute(parts_post)
    with page.expect_response(parts_post):
        alert.get_by_role("button", name="Try again").click()
    expect(page.locator(f"#part-{SLUG}-1")).to_be_checked()
    expect(page.locator(f"#checklist-{SLUG}").get_by_role("alert")).to_have_count(0)
    assert PartTick.objects.filter(reader=reader).count() == 1
    _expected_console_errors(request, "net::ERR_FAILED", "htmx:sendError", "htmx:afterRequest")


def test_a_status_change_left_unanswered_times_out_says_so_and_try_again_lands(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    page.goto(f"{live_server.url}/")
    page.evaluate("htmx.config.timeout = 500")  # the page's own is 20 s
    status_post = re.compile(rf"/entries/{SLUG}/status/$")
    held = []
    page.route(status_post, lambda route: held.append(route))  # never answered
    _status_button(page, SLUG, "read").click()

    alert = page.locator(f"#head-{SLUG}").get_by_role("alert")
    expect(alert).to_contain_text("Not confirmed: the server took too long to answer.")
    expect(_status_button(page, SLUG, "reading")).to_have_attribute("aria-pressed", "true")
    assert ReadingState.objects.get(reader=reader, paper__slug=SLUG).status == Status.READING

    page.unroute(status_post)  # lets the held request go too: its answer comes too late
    alert.get_by_role("button", name="Try again").click()
    expect(_status_button(page, SLUG, "read")).to_have_attribute("aria-pressed", "true")
    _expected_console_errors(request, "htmx:timeout", "net::ERR_FAILED", "htmx:afterRequest")


def test_a_fold_answered_503_says_so_in_place_and_changes_nothing(
    page, live_server, reader, request
):
    tier = list(Paper.objects.filter(section__slug=TIER))
    for paper in tier:
        services.set_status(reader=reader, paper=paper, status=Status.READ)
    sign_in(page, live_server, "scribe")
    page.goto(f"{live_server.url}/")
    section = page.locator(f"#{TIER}")
    fold_post = re.compile(rf"/tiers/{TIER}/fold/$")
    page.route(
        fold_post,
        lambda route: route.fulfill(status=503, headers={"Retry-After": "5"}, body="Down"),
    )
    section.get_by_role("button", name="Fold away").click()
    alert = section.get_by_role("alert")
    expect(alert).to_contain_text("Not saved: the site is briefly unavailable.")
    expect(section.locator("li.entry")).to_have_count(len(tier))
    folded = DashboardState.objects.filter(reader=reader).values_list("folded", flat=True)
    assert TIER not in (folded.first() or [])

    page.unroute(fold_post)
    alert.get_by_role("button", name="Try again").click()
    expect(section.locator("li.entry")).to_have_count(0)
    _expected_console_errors(request, "503", "htmx:responseError")


def test_the_failure_lines_read_plainly_at_both_widths_in_both_themes(
    page, live_server, reader, request
):
    sign_in(page, live_server, "scribe")
    editor = _open_paper(page, live_server)
    _end_every_session()
    editor.press_sequentially("Typed after the session ended")
    page.locator(f"#part-{SLUG}-1").click()
    expect(page.locator(f"#checklist-{SLUG}").get_by_role("alert")).to_be_visible()
    _signed_out_said(page, editor, "Typed after the session ended")
    editor.blur()
    ARTIFACTS.mkdir(exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.locator(f"#checklist-{SLUG}").scroll_into_view_if_needed()
            overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, f"{overflow}px wider than the {width}px screen"
            page.screenshot(path=ARTIFACTS / f"signed-out-{width}-{scheme}.png", full_page=True)
    _expected_console_errors(request, "401", "htmx:responseError")
