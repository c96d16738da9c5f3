"""The reader's dashboard in a real browser: statuses, ticks, notes, filters, no-JavaScript use,
accessibility and layout, checked as a reader sees them."""

import re
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from catalogue.models import Paper, Section
from progress import services
from progress.models import DashboardState, Status
from tests.browser import describe, screenshot, serious_axe_violations, sign_in, sign_up
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

FRAMEWORK = "mathematical-framework"


def _status_button(page, slug: str, status: str):
    return page.locator(f"#head-{slug} button[name=status][value={status}]")


def _set_status(page, slug: str, status: str) -> None:
    """Press a status button and wait until the entry shows it pressed."""
    _status_button(page, slug, status).click()
    expect(_status_button(page, slug, status)).to_have_attribute("aria-pressed", "true")


def _open_details(page, slug: str) -> None:
    """Open an entry's "Parts and note" and wait for its checklist, which loads only then."""
    page.locator(f"#details-{slug} > summary").click()
    expect(page.locator(f"div.checklist#checklist-{slug}")).to_be_visible()


def _note_editor(page, slug: str):
    """The note editor inside an open entry; it loads once its slot scrolls into view."""
    page.locator(f"#details-{slug} .note-slot").scroll_into_view_if_needed()
    editor = page.locator(f"textarea#note-text-{slug}")
    expect(editor).to_be_visible()
    # htmx wires up swapped-in content when the swap settles; keys pressed before then fire no
    # request, as CI once showed (base.html now sets no settle delay, so this is belt and braces).
    expect(page.locator(f"#details-{slug} .note-slot")).not_to_have_class(
        re.compile(r"htmx-(request|settling)")
    )
    return editor


def _tick(page, slug: str, position: int) -> None:
    """Tick one part and wait for the server's answer to be swapped in."""
    box = page.locator(f"#part-{slug}-{position}")
    with page.expect_response(re.compile(rf"/entries/{slug}/parts/$")):
        box.check()
    expect(page.locator(f"#part-{slug}-{position}")).to_be_checked()


def _shown_entries(page) -> set[str]:
    ids = page.locator("#entries li.entry").evaluate_all("items => items.map(li => li.id)")
    return {i.removeprefix("entry-") for i in ids}


def _through_history(step) -> None:
    """Go back or forward. htmx keeps no snapshots, so it answers the history step by reloading
    the page from the server; wait only for the step itself and let the caller's expectations
    wait for the new page."""
    step(wait_until="commit")


def _settled(page) -> None:
    """Once expectations have seen the reloaded page, let it finish loading: htmx only listens
    for the next history step after that, and a person is never quicker than it."""
    page.wait_for_load_state("load")


def _count(page, status: str):
    """The overview's count for one status, e.g. '1 read'."""
    return page.locator("#overview .status-counts li").filter(has_text=re.compile(rf"\b{status}$"))


def _reader_named(username: str):
    return get_user_model().objects.get(username=username)


def test_status_buttons_update_the_entry_and_every_counter_without_reloading(
    page, live_server, catalogue
):
    sign_up(page, live_server, "statuses")
    page.goto(f"{live_server.url}/")
    overview = page.locator("#overview")
    expect(overview.get_by_role("heading", level=1)).to_have_text("Your reading")
    percent = page.locator("#overview .bar-big .bar-label span").last
    expect(percent).to_have_text(re.compile(r"^0% · "))
    expect(page.locator("#overview progress")).to_have_attribute("value", "0")
    total = Paper.objects.count()
    # A fresh dashboard is calm: no counters of nothing, no empty Continue reading.
    expect(page.locator("#overview .status-counts")).to_have_count(0)
    expect(page.locator("#continue")).to_have_count(0)
    expect(page.locator("#next-up .card-title a")).to_have_text("Circuits: Zoom In")
    tier_bar = page.locator("#progress-what-is-mech-interp")
    expect(tier_bar).to_contain_text("0 of ")
    # A full page load would start a new window object and lose this.
    page.evaluate("window.sameDocument = 'yes'")
    # Screen readers announce changes inside a live region that was already there; a region
    # swapped in whole is often read out never, so the original element must stay.
    page.evaluate("document.getElementById('announce').original = true")

    _set_status(page, "circuits-zoom-in", "read")
    expect(_status_button(page, "circuits-zoom-in", "unread")).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(page.locator("#announce")).to_have_text("Circuits: Zoom In: read.")
    expect(_count(page, "read")).to_have_text("1 read")
    expect(_count(page, "unread")).to_have_text(f"{total - 1} unread")
    expect(tier_bar).to_contain_text("1 of ")
    expect(page.locator("#next-up .card-title a")).to_have_text(
        "A Mathematical Framework for Transformer Circuits"
    )

    _set_status(page, "solu", "reading")
    expect(page.locator("#announce")).to_have_text("SoLU: reading.")
    expect(_count(page, "reading")).to_have_text("1 reading")
    expect(_count(page, "unread")).to_have_text(f"{total - 2} unread")
    expect(page.locator("#continue li")).to_have_count(1)
    expect(page.locator("#continue li a")).to_have_text("SoLU")
    expect(percent).to_have_text(re.compile(r"^[1-9]\d*% · "))
    value = page.locator("#overview progress").get_attribute("value")
    assert percent.inner_text().startswith(f"{value}% · "), "the bar and the number disagree"

    assert page.evaluate("window.sameDocument") == "yes", "a status change reloaded the page"
    assert page.evaluate("document.getElementById('announce').original === true"), (
        "the #announce live region was replaced rather than updated"
    )
    page.reload()
    expect(_status_button(page, "circuits-zoom-in", "read")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(_status_button(page, "solu", "reading")).to_have_attribute("aria-pressed", "true")


def test_ticked_parts_show_in_the_entry_head_and_survive_a_reload(page, live_server, catalogue):
    sign_up(page, live_server, "ticks")
    page.goto(f"{live_server.url}/")
    _set_status(page, FRAMEWORK, "reading")
    _open_details(page, FRAMEWORK)
    page.evaluate("window.sameDocument = 'yes'")

    _tick(page, FRAMEWORK, 1)
    expect(page.locator(f"#head-{FRAMEWORK} .parts-done")).to_have_text("1 of 4 parts")
    _tick(page, FRAMEWORK, 3)
    expect(page.locator(f"#head-{FRAMEWORK} .parts-done")).to_have_text("2 of 4 parts")
    expect(page.locator("#announce")).to_contain_text("2 of 4 parts done")
    expect(page.locator("#continue li")).to_contain_text("2 of 4 parts")
    # The head is swapped out of band with each tick: the status must come back with it.
    expect(_status_button(page, FRAMEWORK, "reading")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.sameDocument") == "yes", "ticking a part reloaded the page"

    page.reload()
    _open_details(page, FRAMEWORK)
    for position, ticked in [(1, True), (2, False), (3, True), (4, False)]:
        box = page.locator(f"#part-{FRAMEWORK}-{position}")
        expect(box).to_be_checked(checked=ticked)
    expect(page.locator(f"#head-{FRAMEWORK} .parts-done")).to_have_text("2 of 4 parts")
    expect(_status_button(page, FRAMEWORK, "reading")).to_have_attribute("aria-pressed", "true")


def test_a_note_typed_on_the_dashboard_saves_itself(page, live_server, catalogue):
    sign_up(page, live_server, "notes")
    page.goto(f"{live_server.url}/")
    expect(page.locator("#head-solu .note-flag")).to_have_count(0)
    _open_details(page, "solu")
    editor = _note_editor(page, "solu")
    editor.press_sequentially("Section 6 is the *best* part.")
    # No Save click: the pause after typing is enough.
    expect(page.locator("#note-status-solu")).to_contain_text(
        re.compile(r"Saved at \d\d:\d\d:\d\d · version 1")
    )

    page.reload()
    expect(page.locator("#head-solu .note-flag")).to_have_text("✎ note")
    page.goto(f"{live_server.url}/notes/solu/")
    expect(page.locator("textarea#note-text-solu")).to_have_value("Section 6 is the *best* part.")
    expect(page.locator(".note-preview em")).to_have_text("best")


def test_a_note_saved_in_another_tab_is_never_overwritten(page, live_server, catalogue):
    sign_up(page, live_server, "conflicts")
    other_tab = page.context.new_page()
    other_tab_trouble = []

    def on_console(message) -> None:
        # The 409 is the conflict this test provokes; Chromium logs every 4xx as an error.
        expected = "status of 409" in message.text
        csp = "Content Security Policy" in message.text
        if csp or (message.type == "error" and not expected):
            other_tab_trouble.append(message.text)

    other_tab.on("console", on_console)
    other_tab.on("pageerror", lambda error: other_tab_trouble.append(str(error)))
    for tab in (page, other_tab):
        tab.goto(f"{live_server.url}/notes/ioi/")

    page.locator("textarea#note-text-ioi").fill("Written in the first tab.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#note-status-ioi")).to_contain_text("version 1")

    other_tab.locator("textarea#note-text-ioi").press_sequentially("Second tab")
    status = other_tab.locator("#note-status-ioi")
    expect(status.get_by_role("alert")).to_contain_text("changed somewhere else")
    expect(status.get_by_label("The saved text (version 1)")).to_have_value(
        "Written in the first tab."
    )
    expect(status.get_by_label("Your unsaved text")).to_have_value("Second tab")
    expect(other_tab.locator("textarea#note-text-ioi")).to_have_value("Second tab")
    # Having seen both, the reader keeps the editor's text as the next version.
    status.get_by_role(
        "button", name=re.compile("^Save the editor.s text as the new version$")
    ).click()
    expect(status).to_contain_text("version 2")

    page.goto(f"{live_server.url}/notes/ioi/revisions/")
    expect(page.locator("main .revisions")).to_contain_text("Written in the first tab.")
    assert not other_tab_trouble, other_tab_trouble


def test_filters_narrow_the_list_and_follow_back_and_forward(page, live_server, catalogue):
    sign_up(page, live_server, "filters")
    reader = _reader_named("filters")
    for slug in ("circuits-zoom-in", "solu"):
        paper = Paper.objects.get(slug=slug)
        services.set_status(reader=reader, paper=paper, status=Status.READ)
    page.goto(f"{live_server.url}/")
    everything = _shown_entries(page)
    assert len(everything) == Paper.objects.count()

    page.locator("#id_status").select_option("read")
    expect(page).to_have_url(re.compile(r"[?&]status=read\b"))
    expect(page.locator("#entries li.entry")).to_have_count(2)
    assert _shown_entries(page) == {"circuits-zoom-in", "solu"}

    # One input event, so exactly one history entry however slow the machine is.
    page.locator("#id_q").fill("softmax")
    expect(page).to_have_url(re.compile(r"[?&]q=softmax\b"))
    expect(page.locator("#entries li.entry")).to_have_count(1)
    assert _shown_entries(page) == {"solu"}

    _through_history(page.go_back)
    expect(page).not_to_have_url(re.compile(r"q=softmax"))
    expect(page).to_have_url(re.compile(r"[?&]status=read\b"))
    expect(page.locator("#id_q")).to_have_value("")  # only true once the page came back
    _settled(page)
    assert _shown_entries(page) == {"circuits-zoom-in", "solu"}
    expect(page.locator("#id_status")).to_have_value("read")

    _through_history(page.go_forward)
    expect(page).to_have_url(re.compile(r"[?&]q=softmax\b"))
    expect(page.locator("#id_q")).to_have_value("softmax")
    _settled(page)
    assert _shown_entries(page) == {"solu"}

    page.reload()
    assert _shown_entries(page) == {"solu"}
    expect(page.locator("#id_status")).to_have_value("read")
    expect(page.locator("#id_q")).to_have_value("softmax")

    _through_history(page.go_back)
    expect(page.locator("#id_q")).to_have_value("")
    _settled(page)
    _through_history(page.go_back)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#id_status")).to_have_value("")
    _settled(page)
    assert _shown_entries(page) == everything


def test_everything_works_with_javascript_off(page_without_javascript, live_server, catalogue):
    page = page_without_javascript
    UserFactory(username="noscript")
    sign_in(page, live_server, "noscript")
    page.goto(f"{live_server.url}/")

    with page.expect_navigation():
        _status_button(page, "solu", "reading").click()
    assert page.url.endswith("/#entry-solu")
    expect(_status_button(page, "solu", "reading")).to_have_attribute("aria-pressed", "true")

    # Parts and note are not on the dashboard until opened; without JavaScript the link inside
    # leads to the entry's page, whose checklist is one form with a Save button.
    page.locator(f"#details-{FRAMEWORK} > summary").click()
    with page.expect_navigation():
        details = page.locator(f"#details-{FRAMEWORK}")
        details.get_by_role("link", name=re.compile("^On the entry.s page$")).click()
    assert page.url.endswith(f"/papers/{FRAMEWORK}/#checklist-{FRAMEWORK}")
    page.locator(f"#part-{FRAMEWORK}-2").check()
    with page.expect_navigation():
        page.locator(f"#checklist-{FRAMEWORK}").get_by_role("button", name="Save").click()
    page.goto(f"{live_server.url}/")
    expect(page.locator(f"#head-{FRAMEWORK} .parts-done")).to_have_text("1 of 4 parts")

    page.goto(f"{live_server.url}/notes/solu/")
    page.locator("textarea#note-text-solu").fill("Saved without JavaScript.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".note-preview")).to_contain_text("Saved without JavaScript.")

    page.goto(f"{live_server.url}/")
    expect(_status_button(page, "solu", "reading")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#head-solu .note-flag")).to_have_text("✎ note")
    page.goto(f"{live_server.url}/papers/{FRAMEWORK}/")
    expect(page.locator(f"#part-{FRAMEWORK}-2")).to_be_checked()
    expect(page.locator(f"#part-{FRAMEWORK}-1")).not_to_be_checked()


def test_the_dashboard_and_note_page_pass_axe_and_show_keyboard_focus(page, live_server, catalogue):
    sign_up(page, live_server, "a11y")
    page.goto(f"{live_server.url}/")
    _set_status(page, FRAMEWORK, "reading")
    _open_details(page, FRAMEWORK)
    _tick(page, FRAMEWORK, 1)
    _note_editor(page, FRAMEWORK)
    violations = serious_axe_violations(page)
    assert not violations, f"axe on the dashboard:\n{describe(violations)}"

    page.goto(f"{live_server.url}/notes/{FRAMEWORK}/")
    violations = serious_axe_violations(page)
    assert not violations, f"axe on the note page:\n{describe(violations)}"

    page.goto(f"{live_server.url}/")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('button[name=status]')"):
            break
    else:
        pytest.fail("60 presses of Tab from the top never reached a status button")
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return {style: s.outlineStyle, width: s.outlineWidth}; })()"
    )
    assert outline["style"] != "none", f"a focused status button shows no outline: {outline}"
    assert outline["width"] != "0px", f"a focused status button shows no outline: {outline}"


def test_the_dashboard_fits_desktop_and_phone_widths(page, live_server, catalogue):
    """Screenshots for a person to look at, with some progress on screen; and at 360 px nothing
    is wider than the window."""
    sign_up(page, live_server, "layout")
    reader = _reader_named("layout")
    services.set_status(
        reader=reader, paper=Paper.objects.get(slug="circuits-zoom-in"), status=Status.READ
    )
    services.set_status(reader=reader, paper=Paper.objects.get(slug="solu"), status=Status.READING)
    services.save_note(
        reader=reader, paper=Paper.objects.get(slug="solu"), text="Section 6.", base_version=0
    )
    page.goto(f"{live_server.url}/")
    _open_details(page, FRAMEWORK)
    _tick(page, FRAMEWORK, 1)
    _note_editor(page, FRAMEWORK)

    page.mouse.move(0, 0)  # no hover highlight in the pictures
    for width, height in [(1280, 800), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        screenshot(page, f"dashboard-{width}")

    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the dashboard is {width}px wide in a 360px window"


def test_swapping_an_entry_moves_nothing_else_on_the_page(page, live_server, catalogue):
    """No layout shift: after a status change or a tick, the entries below stay where they were.

    Measured within the list: the overview above may legitimately grow when Next up names a
    longer title, but the swapped entry itself keeps its size."""
    sign_up(page, live_server, "steady")
    below = page.locator("#entry-induction-heads")

    def top():
        return below.evaluate(
            "el => el.getBoundingClientRect().top"
            " - document.getElementById('entries').getBoundingClientRect().top"
        )

    before = top()
    _set_status(page, FRAMEWORK, Status.READING)
    _set_status(page, FRAMEWORK, Status.READ)
    assert top() == before
    # A tick that leaves deep parts to do: the last deep tick offers "Mark as read" in place,
    # which is meant to appear.
    _open_details(page, FRAMEWORK)
    _note_editor(page, FRAMEWORK)  # the editor loads once seen; measure after that
    opened = top()
    _tick(page, FRAMEWORK, 1)
    assert top() == opened


SHOTS = Path("/work/notes/shots")


def _shoot(page, name: str) -> None:
    """Full-page pictures at desktop and phone width, light and dark, for a person to look at."""
    page.mouse.move(0, 0)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width, height in [(1280, 800), (390, 844)]:
            page.set_viewport_size({"width": width, "height": height})
            path = screenshot(page, f"dashboard-{name}-{width}-{scheme}")
            top = path.with_name(f"{path.stem}-top.png")
            page.screenshot(path=top)  # what the first screen shows
            if SHOTS.parent.exists():
                SHOTS.mkdir(exist_ok=True)
                for taken in (path, top):
                    shutil.copy(taken, SHOTS / taken.name)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 800})


def _finish_tier_one(reader) -> None:
    for paper in Paper.objects.filter(section__slug="what-is-mech-interp"):
        services.set_status(reader=reader, paper=paper, status=Status.READ)


def test_on_a_phone_the_first_entry_is_above_the_fold(page, live_server, catalogue):
    """At 390 x 844 the overview leaves room for the first entry, its status buttons included,
    for a fresh reader and for one with something to continue and a week of activity."""
    sign_up(page, live_server, "phone")
    page.set_viewport_size({"width": 390, "height": 844})
    first = page.locator("#entries li.entry").first

    def bottom() -> float:
        return first.locator(".entry-head").evaluate("el => el.getBoundingClientRect().bottom")

    page.goto(f"{live_server.url}/")
    assert bottom() <= 844, f"a fresh reader's first entry ends {bottom()}px down"
    # Unread is pressed but drawn like the others: no fill, no tick.
    looks = first.locator("button[name=status]").evaluate_all(
        "buttons => buttons.map(b => { const s = getComputedStyle(b);"
        " return [s.backgroundColor, s.color, getComputedStyle(b, '::before').content]; })"
    )
    assert looks[0] == looks[1], f"Unread stands out on a fresh entry: {looks[:2]}"
    reader = _reader_named("phone")
    services.set_status(reader=reader, paper=Paper.objects.get(slug="solu"), status=Status.READING)
    services.set_status(
        reader=reader, paper=Paper.objects.get(slug="circuits-zoom-in"), status=Status.READ
    )
    page.goto(f"{live_server.url}/")
    expect(page.locator("#continue")).to_be_visible()
    page.screenshot(path=screenshot(page, "dashboard-phone-first-screen"))
    assert bottom() <= 844, f"with some activity the first entry ends {bottom()}px down"
    # The weighting is one click away, not a paragraph in the way.
    page.locator(".weighting > summary").click()
    expect(page.locator(".weighting")).to_contain_text("counts 3")


def test_a_finished_tier_folds_away_and_stays_folded_after_a_reload(page, live_server, catalogue):
    sign_up(page, live_server, "folder")
    reader = _reader_named("folder")
    tier = page.locator("#what-is-mech-interp")
    page.goto(f"{live_server.url}/")
    expect(tier.get_by_role("button", name="Fold away")).to_have_count(0)  # not finished yet
    for slug in ("circuits-zoom-in", "mathematical-framework"):
        _set_status(page, slug, "read")
    unfinished = set(
        Paper.objects.filter(section__slug="what-is-mech-interp").values_list("slug", flat=True)
    ) - {"circuits-zoom-in", "mathematical-framework"}
    for slug in unfinished:
        _set_status(page, slug, "read")
    # The tier just finished offers to fold away at once, without a reload.
    fold = tier.get_by_role("button", name="Fold away")
    expect(fold).to_be_visible()
    entries = tier.locator("li.entry").count()
    page.evaluate("window.sameDocument = 'yes'")
    fold.click()
    expect(tier.locator("li.entry")).to_have_count(0)
    opener = tier.get_by_role("button", name=f"Show {entries} entries")
    expect(opener).to_be_visible()
    expect(opener).to_be_focused()
    expect(tier.locator("progress")).to_have_attribute("value", "100")
    expect(page.locator("#announce")).to_contain_text("folded away")
    assert page.evaluate("window.sameDocument") == "yes", "folding reloaded the page"

    page.reload()
    expect(tier.locator("li.entry")).to_have_count(0)
    expect(opener).to_be_visible()
    # A search still finds what is in a folded tier: what the reader asked for is never hidden.
    page.goto(f"{live_server.url}/?q=zoom")
    expect(page.locator("#entry-circuits-zoom-in")).to_be_visible()

    page.goto(f"{live_server.url}/")
    opener.click()
    expect(tier.locator("li.entry")).to_have_count(entries)
    expect(tier.get_by_role("button", name="Fold away")).to_be_focused()
    page.reload()
    expect(tier.locator("li.entry")).to_have_count(entries)
    assert DashboardState.objects.get(reader=reader).folded == []


def test_a_tier_folds_and_opens_without_javascript(page_without_javascript, live_server, catalogue):
    page = page_without_javascript
    reader = UserFactory(username="foldnoscript")
    _finish_tier_one(reader)
    sign_in(page, live_server, "foldnoscript")
    page.goto(f"{live_server.url}/")
    tier = page.locator("#what-is-mech-interp")
    with page.expect_navigation():
        tier.get_by_role("button", name="Fold away").click()
    assert page.url.endswith("/#what-is-mech-interp")
    expect(tier.locator("li.entry")).to_have_count(0)
    with page.expect_navigation():
        tier.get_by_role("button", name=re.compile(r"^Show \d+ entries$")).click()
    expect(tier.locator("li.entry").first).to_be_visible()


def test_opening_parts_and_note_loads_the_checklist_and_ticking_works(page, live_server, catalogue):
    sign_up(page, live_server, "lazy")
    page.goto(f"{live_server.url}/")
    assert page.locator("#entries input[type=checkbox]").count() == 0, "checklists load on opening"
    _open_details(page, FRAMEWORK)
    _tick(page, FRAMEWORK, 2)
    expect(page.locator(f"#head-{FRAMEWORK} .parts-done")).to_have_text("1 of 4 parts")
    # The first tick started the entry: its head says so, and focus stayed on the checkbox.
    expect(_status_button(page, FRAMEWORK, "reading")).to_have_attribute("aria-pressed", "true")
    # Closing and opening again does not load it twice (the ticks are still there).
    page.locator(f"#details-{FRAMEWORK} > summary").click()
    page.locator(f"#details-{FRAMEWORK} > summary").click()
    expect(page.locator(f"#part-{FRAMEWORK}-2")).to_be_checked()
    expect(page.locator(f"div.checklist#checklist-{FRAMEWORK}")).to_have_count(1)


def test_a_status_change_keeps_keyboard_focus_on_the_pressed_button(page, live_server, catalogue):
    sign_up(page, live_server, "keyboard")
    page.goto(f"{live_server.url}/")
    button = _status_button(page, "solu", "reading")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_be_focused()


def test_screenshots_of_a_fresh_dashboard_and_one_with_a_folded_tier(page, live_server, catalogue):
    sign_up(page, live_server, "pictures")
    page.goto(f"{live_server.url}/")
    _shoot(page, "fresh")
    reader = _reader_named("pictures")
    _finish_tier_one(reader)
    services.set_status(reader=reader, paper=Paper.objects.get(slug="solu"), status=Status.READING)
    section = Section.objects.get(slug="what-is-mech-interp")
    services.set_tier_folded(reader=reader, section=section, folded=True)
    page.goto(f"{live_server.url}/")
    expect(page.locator("#what-is-mech-interp li.entry")).to_have_count(0)
    _shoot(page, "folded")
