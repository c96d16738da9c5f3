"""The reader's first hour, round three (issue 26), as Chromium shows it: no page scrolls
sideways at 390 px, every page passes axe (contrast included) in light and dark, the invite
link shows whole with a copy button, the plan defaults to the browser's time zone, the time
left survives a status change, and the first-run hint closes for good."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from catalogue import editions
from catalogue.models import Advice, Paper
from plans.models import ReadingPlan
from progress import services
from tests.browser import ARTIFACTS, describe, screenshot, sign_in
from tests.factories import AdviceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = [
    "/",
    "/papers/",
    "/papers/solu/",
    "/papers/logit-lens/",
    "/about/",
    "/changes/",
    "/changes/solu/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]
READER = [
    "/",
    "/papers/solu/",
    "/plan/",
    "/groups/",
    "/groups/new/",
    "GROUP",
    "/account/export/",
    "/account/import/",
    "/account/delete/",
    "/accounts/password/change/",
    "/changes/",
    "/changes/solu/",
    "/about/",
    "SAVE_PLAN",
]
TODAY = dt.date.today()
OVERFLOW = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def _axe(page) -> list[dict]:
    """Every axe violation on the page, whatever its impact (contrast included)."""
    page.add_script_tag(url=re.sub(r"(https?://[^/]+).*", r"\1", page.url) + AXE)
    return page.evaluate("async () => (await axe.run()).violations")


AXE = "/__test-only__/axe.min.js"


def _world(live_server) -> str:
    """A reader part-way through, with a plan, a group and an edition that changed an entry they
    read; returns the group's path."""
    reader = UserFactory(username="wren")
    for slug in ("circuits-zoom-in", "solu"):
        services.set_status(reader=reader, paper=Paper.objects.get(slug=slug), status="read")
    services.set_status(reader=reader, paper=Paper.objects.get(slug="rome"), status="reading")
    Paper.objects.filter(slug="solu").update(summary="Reworded for the second edition.")
    first = Advice.objects.filter(paper__slug="solu").order_by("position").first()
    Advice.objects.filter(pk=first.pk).update(
        detail=first.detail + " Reworded for the second edition, at some length."
    )
    AdviceFactory(paper=first.paper, key="new-probe", position=70, level="skim", part="A new part")
    editions.publish(note="SoLU reworded.")
    return reader.username


def _visit_all(page, live_server, paths, name, group_path=""):
    """Each page at 390 and 1280 px: its width, a screenshot, and axe."""
    problems = []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844 if width == 390 else 800})
        for path in paths:
            slug = path.strip("/").replace("/", "-") or "home"
            if path == "SAVE_PLAN":  # the plan page once there is a plan: its tier table
                reader = UserFactory._meta.model.objects.get(username="wren")
                ReadingPlan.objects.get_or_create(
                    reader=reader,
                    defaults={"hours_per_week": 3, "starts_on": TODAY, "counted_from": TODAY},
                )
                path = "/plan/"
            path = group_path if path == "GROUP" else path
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (path, response.status)
            page.wait_for_load_state("networkidle")
            scroll, client = page.evaluate(OVERFLOW)
            if scroll > client:
                problems.append(f"{path} at {width} px scrolls sideways: {scroll} > {client}")
            slug = {"GROUP": "group", "SAVE_PLAN": "plan-saved"}.get(slug, slug)
            screenshot(page, f"first-hour-{name}-{slug}-{width}")
            page.screenshot(path=ARTIFACTS / f"first-hour-{name}-{slug}-{width}-top.png")
            violations = _axe(page)
            if violations:
                problems.append(f"{path} at {width} px:\n{describe(violations)}")
    return problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_scrolls_sideways_at_390_px_and_every_page_passes_axe(
    page, live_server, catalogue, scheme
):
    page.emulate_media(color_scheme=scheme)
    problems = _visit_all(page, live_server, PUBLIC, f"visitor-{scheme}")
    sign_in(page, live_server, _world(live_server))
    page.goto(f"{live_server.url}/groups/new/")
    page.get_by_label("Name").fill("Circuits club with a long enough name to wrap")
    with page.expect_navigation():
        page.get_by_role("button", name="Start the group").click()
    group_path = re.sub(r"^https?://[^/]+", "", page.url.split("#")[0])
    problems += _visit_all(page, live_server, READER, f"reader-{scheme}", group_path)
    assert not problems, "\n".join(problems)


def test_the_invite_link_shows_whole_with_a_copy_button_and_the_cards_stack_on_a_phone(
    browser, live_server, catalogue
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        UserFactory(username="fay")
        sign_in(page, live_server, "fay")
        page.goto(f"{live_server.url}/groups/new/")
        page.get_by_label("Name").fill("Circuits club")
        with page.expect_navigation():
            page.get_by_role("button", name="Start the group").click()
        link = page.locator("#invite-link")
        address = link.input_value()
        assert re.fullmatch(rf"{live_server.url}/groups/join/[\w-]{{43}}/", address)
        # Whole: the box is tall enough for its wrapped text, nothing hidden to the right.
        assert page.evaluate(
            "() => { const t = document.getElementById('invite-link');"
            " return t.scrollHeight <= t.clientHeight && t.scrollWidth <= t.clientWidth; }"
        )
        sharing, invite = (
            page.locator("#sharing").bounding_box(),
            page.locator("#invite").bounding_box(),
        )
        assert invite["y"] >= sharing["y"] + sharing["height"]  # stacked, not side by side
        page.get_by_role("button", name="Copy the link").click()
        expect(page.locator("#invite .copy-said")).to_have_text("Copied.")
        assert page.evaluate("() => navigator.clipboard.readText()") == address
        screenshot(page, "first-hour-invite-390")
    finally:
        context.close()


def test_a_new_plan_takes_the_browsers_time_zone_and_previews_before_saving(
    browser, live_server, catalogue
):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id="Asia/Tokyo")
    page = context.new_page()
    try:
        UserFactory(username="kei")
        sign_in(page, live_server, "kei")
        page.goto(f"{live_server.url}/plan/")
        expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
        expect(page.locator("#preview")).to_contain_text("Preview: 3 hours a week")
        page.get_by_label("Hours per week").fill("6")
        page.get_by_role("button", name="Preview").click()
        expect(page.locator("#preview")).to_contain_text("Preview: 6 hours a week")
        expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
        screenshot(page, "first-hour-plan-preview-1280")
    finally:
        context.close()


def test_the_time_left_line_survives_a_status_change(page, live_server, catalogue):
    UserFactory(username="tam")
    sign_in(page, live_server, "tam")
    line = page.locator("#time-left-line")
    expect(line).to_contain_text("left at the advised depth")
    before = line.inner_text()
    entry = page.locator("#entry-circuits-zoom-in")
    entry.get_by_role("button", name="Read", exact=True).click()
    expect(entry.get_by_role("button", name="Read", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(line).to_contain_text("left at the advised depth")
    expect(line).not_to_have_text(before)


def test_the_first_run_hint_closes_and_stays_closed(page, live_server, catalogue):
    UserFactory(username="newt")
    sign_in(page, live_server, "newt")
    hint = page.locator("#first-run")
    expect(hint.locator("details")).to_have_attribute("open", "")  # room to show it all
    expect(hint).to_contain_text("Skim or skip")
    screenshot(page, "first-hour-first-run-1280", of=hint)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 844})
            page.screenshot(path=ARTIFACTS / f"first-hour-first-run-{scheme}-{width}-top.png")
            violations = _axe(page)
            assert not violations, describe(violations)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()  # on a phone it starts as one line, the first entry still in view
    expect(hint.locator("details")).not_to_have_attribute("open", "")
    hint.get_by_text("How the list works").click()
    expect(hint.get_by_text("optional: look if it interests you")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "first-hour-first-run-phone-opened-390-top.png")
    page.get_by_role("button", name="Hide this hint").click()
    expect(hint).to_have_count(0)
    page.reload()
    expect(page.locator("#first-run")).to_have_count(0)


def test_the_admin_advice_table_fits_a_1280_px_window(page, live_server, catalogue):
    UserFactory(username="curator", is_staff=True, is_superuser=True)
    sign_in(page, live_server, "curator")
    solu = Paper.objects.get(slug="solu")
    page.goto(f"{live_server.url}/admin/catalogue/paper/{solu.pk}/change/")
    table = page.locator("#advice-group table")
    box = table.bounding_box()
    scroll, client = page.evaluate(OVERFLOW)
    screenshot(page, "first-hour-admin-advice-1280", of=page.locator("#advice-group"))
    assert scroll <= client and box["x"] + box["width"] <= 1280, (scroll, client, box)
