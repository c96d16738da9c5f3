"""The paper page as the reader's workbench, in a real browser: its status control, checklist and
note editor; status and checklist agreeing; every flow without JavaScript; the main loop's clicks;
and screenshots of the page at both widths in both themes."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from catalogue.models import Paper
from progress import services
from progress.models import Note, PartTick, ReadingEvent, ReadingState, Status
from tests.browser import describe, serious_axe_violations, sign_in, sign_up
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

FRAMEWORK = "mathematical-framework"  # four parts: three to engage with deeply, one to skim or skip
SHOTS = Path("/work/notes/shots")


def _reader_named(username: str):
    return get_user_model().objects.get(username=username)


def _paper_url(live_server, slug: str) -> str:
    return f"{live_server.url}/papers/{slug}/"


def _status_button(page, slug: str, status: str):
    return page.locator(f"#head-{slug} button[name=status][value={status}]")


def _expect_status(page, slug: str, status: str) -> None:
    expect(_status_button(page, slug, status)).to_have_attribute("aria-pressed", "true")


def _parts(page, slug: str):
    return page.locator(f"#checklist-{slug} input[type=checkbox][name=done]")


def _tick(page, slug: str, position: int) -> None:
    """Tick one part with JavaScript on and wait for the server's answer to be swapped in."""
    with page.expect_response(re.compile(rf"/entries/{slug}/parts/$")):
        page.locator(f"#part-{slug}-{position}").check()
    expect(page.locator(f"#part-{slug}-{position}")).to_be_checked()


def _ticked_keys(username: str, slug: str) -> set[str]:
    ticks = PartTick.objects.filter(reader__username=username, advice__paper__slug=slug)
    return set(ticks.values_list("advice__key", flat=True))


def _status_in_db(username: str, slug: str) -> str:
    state = ReadingState.objects.filter(reader__username=username, paper__slug=slug).first()
    return state.status if state else Status.UNREAD


# ---- Point 1: the paper page is the workbench ---------------------------------------------------


def test_the_signed_in_paper_page_has_the_status_control_the_checklist_and_the_note_editor(
    page, live_server, catalogue
):
    sign_up(page, live_server, "workbench")
    page.goto(_paper_url(live_server, FRAMEWORK))
    expect(page.get_by_role("group", name="Status of A Mathematical Framework")).to_be_visible()
    control = page.locator(f"#head-{FRAMEWORK}")
    for label in ("Unread", "Reading", "Read", "Skimmed", "Skipped"):
        # The pressed button's name starts with its drawn tick.
        name = re.compile(rf"^(✓ )?{label}$")
        expect(control.get_by_role("button", name=name)).to_be_visible()
    _expect_status(page, FRAMEWORK, "unread")

    # Each part of the checklist says how deeply the list advises reading it.
    parts = page.locator(f"#checklist-{FRAMEWORK} li")
    expect(parts).to_have_count(4)
    for n, level in enumerate(["Deeply engage", "Deeply engage", "Deeply engage", "Skim or skip"]):
        expect(parts.nth(n).locator(".badge")).to_have_text(re.compile(level, re.IGNORECASE))
        expect(_parts(page, FRAMEWORK).nth(n)).not_to_be_checked()
    expect(page.get_by_label("Your private note (Markdown)")).to_be_editable()

    page.evaluate("window.sameDocument = 'yes'")
    _status_button(page, FRAMEWORK, "skimmed").click()
    _expect_status(page, FRAMEWORK, "skimmed")
    expect(_status_button(page, FRAMEWORK, "unread")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#announce")).to_contain_text("skimmed")
    assert page.evaluate("window.sameDocument") == "yes", "the status change reloaded the page"
    assert _status_in_db("workbench", FRAMEWORK) == Status.SKIMMED

    page.reload()
    _expect_status(page, FRAMEWORK, "skimmed")


def test_the_reading_list_and_the_dashboard_show_the_readers_status_per_entry(
    page, live_server, catalogue
):
    sign_up(page, live_server, "lists")
    reader = _reader_named("lists")
    statuses = {"circuits-zoom-in": Status.READ, "solu": Status.READING, "ioi": Status.SKIPPED}
    for slug, status in statuses.items():
        services.set_status(reader=reader, paper=Paper.objects.get(slug=slug), status=status)

    page.goto(f"{live_server.url}/papers/")
    for slug, status in statuses.items():
        line = page.locator(f".entry-line:has(a.entry-title[href='/papers/{slug}/'])")
        expect(line.locator(".status-mark")).to_have_text(status.label)
    # An entry the reader has not started carries no mark: "Unread" everywhere would be noise.
    untouched = page.locator(".entry-line:has(a.entry-title[href='/papers/rome/'])")
    expect(untouched.locator(".status-mark")).to_have_count(0)

    # Signed in, the landing address is the dashboard: each entry's status control is pressed.
    page.goto(f"{live_server.url}/")
    for slug, status in statuses.items():
        _expect_status(page, slug, status)
    _expect_status(page, "rome", "unread")


def test_a_visitors_landing_page_shows_no_statuses(page, live_server, catalogue):
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Create a free account")).to_be_visible()
    expect(page.locator(".status-mark")).to_have_count(0)


def test_next_up_and_continue_reading_open_the_paper_page(page, live_server, catalogue):
    sign_up(page, live_server, "opens")
    services.set_status(
        reader=_reader_named("opens"), paper=Paper.objects.get(slug="solu"), status="reading"
    )
    page.goto(f"{live_server.url}/")
    page.locator("#next-up .card-title a").click()
    expect(page).to_have_url(_paper_url(live_server, "circuits-zoom-in"))
    expect(page.locator("#head-circuits-zoom-in")).to_be_visible()

    page.goto(f"{live_server.url}/")
    page.locator("#continue").get_by_role("link", name="SoLU").click()
    expect(page).to_have_url(_paper_url(live_server, "solu"))
    _expect_status(page, "solu", "reading")


# ---- Point 2: status and checklist agree --------------------------------------------------------


def test_the_first_tick_makes_an_entry_reading_and_the_last_deep_part_offers_mark_as_read(
    page, live_server, catalogue
):
    sign_up(page, live_server, "agree")
    page.goto(_paper_url(live_server, FRAMEWORK))
    _expect_status(page, FRAMEWORK, "unread")
    offer = page.locator(f"#offer-read-{FRAMEWORK}")
    expect(offer).to_have_count(0)

    _tick(page, FRAMEWORK, 1)
    _expect_status(page, FRAMEWORK, "reading")
    expect(page.locator(f"#head-{FRAMEWORK} .parts-done")).to_have_text("1 of 4 parts")
    started = ReadingEvent.objects.filter(reader__username="agree", paper__slug=FRAMEWORK)
    assert list(started.values_list("from_status", "to_status")) == [("unread", "reading")]
    expect(offer).to_have_count(0)  # two deep parts still to go

    _tick(page, FRAMEWORK, 2)
    expect(offer).to_have_count(0)
    _tick(page, FRAMEWORK, 3)
    # The last deep part ticked: the offer appears in place, the skim-or-skip part still unticked.
    expect(offer).to_be_visible()
    expect(offer).to_have_text("Mark as read")
    expect(page.locator(f"#offer-{FRAMEWORK}")).to_contain_text("Every part to engage with")

    offer.click()
    _expect_status(page, FRAMEWORK, "read")
    expect(offer).to_have_count(0)  # read already: nothing more to offer
    assert _status_in_db("agree", FRAMEWORK) == Status.READ

    # Marking it differently never unticks a part.
    _status_button(page, FRAMEWORK, "skimmed").click()
    _expect_status(page, FRAMEWORK, "skimmed")
    for position, ticked in [(1, True), (2, True), (3, True), (4, False)]:
        expect(page.locator(f"#part-{FRAMEWORK}-{position}")).to_be_checked(checked=ticked)
    page.reload()
    for position, ticked in [(1, True), (2, True), (3, True), (4, False)]:
        expect(page.locator(f"#part-{FRAMEWORK}-{position}")).to_be_checked(checked=ticked)
    assert len(_ticked_keys("agree", FRAMEWORK)) == 3


def test_the_about_page_says_how_status_and_ticks_agree(page, live_server, catalogue):
    page.goto(f"{live_server.url}/about/")
    section = page.locator("main")
    expect(section).to_contain_text("first tick on an unread entry marks it Reading")
    expect(section).to_contain_text("Mark as read")
    expect(section).to_contain_text("never unticks a part")


# ---- Point 5: without JavaScript, every flow is one submit --------------------------------------


def test_without_javascript_two_ticks_and_one_save_keep_both(
    page_without_javascript, live_server, catalogue
):
    page = page_without_javascript
    UserFactory(username="nojs")
    sign_in(page, live_server, "nojs")
    page.goto(_paper_url(live_server, FRAMEWORK))
    page.locator(f"#part-{FRAMEWORK}-1").check()
    page.locator(f"#part-{FRAMEWORK}-3").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the ticks").click()

    expect(page).to_have_url(re.compile(rf"/papers/{FRAMEWORK}/"))
    for position, ticked in [(1, True), (2, False), (3, True), (4, False)]:
        expect(page.locator(f"#part-{FRAMEWORK}-{position}")).to_be_checked(checked=ticked)
    expect(page.locator(f"#head-{FRAMEWORK} .parts-done")).to_have_text("2 of 4 parts")
    _expect_status(page, FRAMEWORK, "reading")  # the first ticks started it, as with JavaScript
    keys = _ticked_keys("nojs", FRAMEWORK)
    assert len(keys) == 2, keys

    # Unticking one and saving again keeps exactly the other.
    page.locator(f"#part-{FRAMEWORK}-1").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the ticks").click()
    expect(page.locator(f"#part-{FRAMEWORK}-1")).not_to_be_checked()
    expect(page.locator(f"#part-{FRAMEWORK}-3")).to_be_checked()
    assert len(_ticked_keys("nojs", FRAMEWORK)) == 1


def test_without_javascript_ticking_every_deep_part_offers_mark_as_read(
    page_without_javascript, live_server, catalogue
):
    page = page_without_javascript
    UserFactory(username="nojsoffer")
    sign_in(page, live_server, "nojsoffer")
    page.goto(_paper_url(live_server, FRAMEWORK))
    for position in (1, 2, 3):
        page.locator(f"#part-{FRAMEWORK}-{position}").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the ticks").click()
    offer = page.locator(f"#offer-read-{FRAMEWORK}")
    expect(offer).to_be_visible()
    with page.expect_navigation():
        offer.click()
    _expect_status(page, FRAMEWORK, "read")
    assert _status_in_db("nojsoffer", FRAMEWORK) == Status.READ
    assert len(_ticked_keys("nojsoffer", FRAMEWORK)) == 3


def test_without_javascript_the_status_and_the_note_save_from_the_paper_page(
    page_without_javascript, live_server, catalogue
):
    page = page_without_javascript
    UserFactory(username="nojsnote")
    sign_in(page, live_server, "nojsnote")
    page.goto(_paper_url(live_server, "solu"))
    with page.expect_navigation():
        _status_button(page, "solu", "reading").click()
    expect(page).to_have_url(re.compile(r"/papers/solu/"))
    _expect_status(page, "solu", "reading")
    assert _status_in_db("nojsnote", "solu") == Status.READING

    page.get_by_label("Your private note (Markdown)").fill("Neurons in section 6.")
    with page.expect_navigation():
        page.locator("#note-form-solu").get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("textarea#note-text-solu")).to_have_value("Neurons in section 6.")
    assert Note.objects.get(reader__username="nojsnote", paper__slug="solu").text == (
        "Neurons in section 6."
    )
    page.goto(_paper_url(live_server, "solu"))
    expect(page.locator("textarea#note-text-solu")).to_have_value("Neurons in section 6.")
    expect(page.locator(".note-preview")).to_contain_text("Neurons in section 6.")


# ---- The main loop ------------------------------------------------------------------------------


def test_the_main_loop_takes_no_more_clicks_than_the_parts_plus_three(page, live_server, catalogue):
    """Dashboard → Next up → tick every part (the first tick makes it Reading) → note → Read."""
    sign_up(page, live_server, "loop")
    reader = _reader_named("loop")
    # Read the one-part opener first, so Next up is an entry with deep and optional parts.
    services.set_status(
        reader=reader, paper=Paper.objects.get(slug="circuits-zoom-in"), status=Status.READ
    )
    page.goto(f"{live_server.url}/")
    clicks = 0

    next_up = page.locator("#next-up .card-title a")
    expect(next_up).to_have_text("A Mathematical Framework for Transformer Circuits")
    next_up.click()
    clicks += 1
    expect(page).to_have_url(_paper_url(live_server, FRAMEWORK))

    parts = _parts(page, FRAMEWORK)
    n_parts = parts.count()
    assert n_parts == 4
    for position in range(1, n_parts + 1):
        _tick(page, FRAMEWORK, position)  # one click each
        clicks += 1
    _expect_status(page, FRAMEWORK, "reading")  # no click of its own

    editor = page.get_by_label("Your private note (Markdown)")
    editor.click()
    clicks += 1
    editor.press_sequentially("Induction heads need two layers.")
    expect(page.locator(f"#note-status-{FRAMEWORK}")).to_contain_text(
        re.compile(r"Saved at \d\d:\d\d:\d\d · version 1")
    )

    page.locator(f"#offer-read-{FRAMEWORK}").click()
    clicks += 1
    _expect_status(page, FRAMEWORK, "read")

    assert clicks <= n_parts + 3, f"{clicks} clicks for an entry of {n_parts} parts"
    assert _status_in_db("loop", FRAMEWORK) == Status.READ
    assert len(_ticked_keys("loop", FRAMEWORK)) == n_parts
    note = Note.objects.get(reader=reader, paper__slug=FRAMEWORK)
    assert note.text == "Induction heads need two layers."


# ---- How it looks ------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_the_signed_in_paper_page_fits_both_widths_in_both_themes(
    page, live_server, catalogue, scheme, width, height
):
    """Screenshots for a person to look at (in /work/notes/shots), and the faults a machine can
    see: nothing wider than the window, controls big enough to press, nothing axe calls serious
    (contrast included, so in both themes)."""
    sign_up(page, live_server, f"look{width}{scheme}")
    reader = _reader_named(f"look{width}{scheme}")
    paper = Paper.objects.get(slug=FRAMEWORK)
    keys = list(paper.advice.values_list("key", flat=True).order_by("position"))
    services.set_parts_done(reader=reader, paper=paper, shown=set(keys), done=set(keys[:3]))
    services.save_note(
        reader=reader,
        paper=paper,
        text="Skip trigrams first, then **induction heads**.\n\n- QK and OV circuits",
        base_version=0,
    )
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(_paper_url(live_server, FRAMEWORK))
    expect(page.locator(f"#offer-read-{FRAMEWORK}")).to_be_visible()

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"paper-{width}-{scheme}.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the paper page is {overflow}px wider than a {width}px window"
    for button in (
        _status_button(page, FRAMEWORK, "reading"),
        page.locator(f"#offer-read-{FRAMEWORK}"),
    ):
        box = button.bounding_box()
        assert box["height"] >= 24 and box["width"] >= 24, f"a small target: {box}"
    violations = serious_axe_violations(page)
    assert not violations, f"axe on the paper page ({width}px, {scheme}):\n{describe(violations)}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_i_read_this_before_marks_the_entry_read_in_place_at_both_widths_in_both_themes(
    page, live_server, catalogue, scheme, width, height
):
    """Issue 26, point 2: the choice sits by the status control, answers in place, marks the entry
    Read, and the page still fits with nothing axe calls serious."""
    sign_up(page, live_server, f"before{width}{scheme}")
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(_paper_url(live_server, FRAMEWORK))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"read-before-offer-{width}-{scheme}.png")
    with page.expect_response(re.compile(rf"/entries/{FRAMEWORK}/read-before/$")):
        page.get_by_role("button", name="I read this before").click()
    expect(page.locator(f"#head-{FRAMEWORK}")).to_contain_text("Read before, not here")
    _expect_status(page, FRAMEWORK, "read")
    state = ReadingState.objects.get(reader__username=f"before{width}{scheme}")
    assert state.read_before and state.status == Status.READ

    page.screenshot(path=SHOTS / f"read-before-{width}-{scheme}.png")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the paper page is {overflow}px wider than a {width}px window"
    box = page.get_by_role("button", name="Undo").bounding_box()
    assert box["height"] >= 24 and box["width"] >= 24, f"a small target: {box}"
    violations = serious_axe_violations(page)
    assert not violations, f"axe on the paper page ({width}px, {scheme}):\n{describe(violations)}"
