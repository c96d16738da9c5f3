"""Reading groups in a real browser: starting a group, inviting a second reader, sharing, and the
facilitator seeing that reader's progress; and the same controls with JavaScript off."""

import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from catalogue import fixture
from catalogue.models import Paper
from groups.models import Membership, ReadingGroup, Role, Sharing
from progress import services as progress_services
from progress.models import Status
from tests.browser import describe, screenshot, serious_axe_violations, sign_in, sign_up
from tests.factories import MembershipFactory, ReadingGroupFactory, UserFactory

pytestmark = pytest.mark.browser

FRAMEWORK = "mathematical-framework"


def _second_reader_page(page, live_server):
    """A page in a new browser context (its own cookies), that refuses other hosts and records
    console and page errors for the test to check."""
    origin = urlsplit(live_server.url).netloc
    context = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    context.route(lambda url: urlsplit(url).netloc != origin, lambda route: route.abort())
    second = context.new_page()
    second.set_default_timeout(10_000)
    second.errors = []
    second.on("console", lambda m: m.type == "error" and second.errors.append(m.text))
    second.on("pageerror", lambda error: second.errors.append(str(error)))
    return second


def test_a_facilitator_invites_a_reader_and_sees_their_shared_progress(
    page, live_server, catalogue
):
    sign_up(page, live_server, "fay")
    page.goto(f"{live_server.url}/groups/")
    page.get_by_role("link", name="Start a group").click()
    page.get_by_label("Name").fill("Circuits club")
    page.get_by_label("Description").fill("We meet on Tuesdays.")
    with page.expect_navigation():
        page.get_by_role("button", name="Start the group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Circuits club")
    invite = page.get_by_label(re.compile("Send this link")).input_value()
    assert re.fullmatch(rf"{live_server.url}/groups/join/[\w-]{{43}}/", invite), invite
    group_url = page.url.split("#")[0]

    second = _second_reader_page(page, live_server)
    try:
        # Following the link signed out asks for a sign-in that comes back to the invite.
        second.goto(invite)
        assert "/accounts/login/" in second.url and "next=/groups/join/" in second.url
        sign_up(second, live_server, "sam")
        second.goto(invite)
        expect(second.get_by_role("heading", level=1)).to_have_text("Join Circuits club")
        with second.expect_navigation():
            second.get_by_role("button", name="Join the group").click()
        expect(second.locator("#flash")).to_contain_text("You joined")
        expect(
            second.get_by_role("radio", name="Nothing (only that I am a member)")
        ).to_be_checked()

        second.evaluate("window.sameDocument = 'yes'")
        second.get_by_role("radio", name="My progress (statuses and ticked parts)").check()
        second.get_by_role("button", name="Save what I share").click()
        expect(second.locator("#flash")).to_contain_text("Saved. The group now sees: my progress")
        # The board reloads itself: sam now has a column of his own.
        expect(second.locator("#grid thead th", has_text="sam")).to_be_visible()
        assert second.evaluate("window.sameDocument") == "yes", "saving reloaded the page"

        second.goto(f"{live_server.url}/")
        read = second.locator(f"#head-{FRAMEWORK} button[name=status][value=read]")
        read.click()
        expect(read).to_have_attribute("aria-pressed", "true")
        assert second.errors == [], second.errors
    finally:
        second.context.close()

    page.goto(group_url)
    cell = page.locator(f"#grid-{FRAMEWORK} td[title='sam: Read']")
    expect(cell).to_have_text("RRead")  # the mark, then its label for screen readers
    expect(cell.locator("span[aria-hidden=true]")).to_have_text("R")
    expect(page.locator("#members")).to_contain_text("sam")
    violations = serious_axe_violations(page)
    assert not violations, describe(violations)


def test_sharing_and_invite_controls_work_without_javascript(
    page_without_javascript, live_server, catalogue
):
    page = page_without_javascript
    UserFactory(username="plainfay")
    sign_in(page, live_server, "plainfay")
    page.goto(f"{live_server.url}/groups/new/")
    page.get_by_label("Name").fill("No script club")
    with page.expect_navigation():
        page.get_by_role("button", name="Start the group").click()
    old = page.locator("#invite-link").input_value()

    page.get_by_label("The new link works for").select_option("7")
    with page.expect_navigation():
        page.get_by_role("button", name="Replace the link").click()
    expect(page.locator("#flash")).to_contain_text("New invite link made")
    expect(page.locator("#invite-expiry")).to_contain_text("Works until")
    assert page.locator("#invite-link").input_value() != old

    page.get_by_role("radio", name="My progress and my notes").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save what I share").click()
    expect(page.locator("#flash")).to_contain_text("progress and my notes")
    expect(page.locator("#grid thead th", has_text="plainfay")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="Turn the link off").click()
    expect(page.locator("#invite-off")).to_be_visible()


def test_removing_a_member_or_leaving_asks_for_a_second_click_first(page, live_server, catalogue):
    fay, sam = UserFactory(username="askfay"), UserFactory(username="asksam")
    group = ReadingGroupFactory(name="Careful club")
    MembershipFactory(group=group, reader=fay, role=Role.FACILITATOR)
    sam_membership = MembershipFactory(group=group, reader=sam)
    sign_in(page, live_server, "askfay")
    page.goto(f"{live_server.url}{group.get_absolute_url()}")

    sam_row = page.locator(f"#member-{sam_membership.pk}")
    confirm_removal = sam_row.get_by_role("button", name="Yes, remove asksam")
    expect(confirm_removal).to_be_hidden()
    # The first click only explains what removing does; nobody has been removed yet.
    sam_row.locator("summary", has_text="Remove").click()
    expect(sam_row).to_contain_text("what they shared goes with them")
    screenshot(page, "group-remove-confirm", of=page.locator("#members"))
    assert Membership.objects.filter(pk=sam_membership.pk).exists()
    violations = serious_axe_violations(page)
    assert not violations, describe(violations)
    with page.expect_navigation():
        confirm_removal.click()
    expect(page.locator("#flash")).to_contain_text("asksam is no longer in the group.")
    expect(page.locator("#members")).not_to_contain_text("asksam")

    # The only member leaving would delete the group: the confirmation says so before it happens.
    page.locator("#members summary", has_text="Leave the group").click()
    expect(page.locator("#members")).to_contain_text("leaving deletes the group")
    screenshot(page, "group-members-confirm", of=page.locator("#members"))
    assert ReadingGroup.objects.filter(pk=group.pk).exists()


OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def staged_list(catalogue, tmp_path):
    """A published list of stages whose first entry cites A Mathematical Framework by its link,
    as the shipped list does: one work, two lists."""
    framework = Paper.objects.get(slug=FRAMEWORK)
    records = [
        {"model": "catalogue.curriculum",
         "fields": {"slug": "staged", "title": "A staged list", "author": "Another curator",
                    "ordering": "stages"}},
        {"model": "catalogue.edition",
         "fields": {"number": 1, "note": "First", "published_at": "2026-12-01T00:00:00Z"}},
        {"model": "catalogue.section",
         "fields": {"title": "Circuits", "slug": "staged-circuits", "priority": 1, "position": 1}},
        {"model": "catalogue.paper",
         "fields": {"section": ["staged-circuits"], "position": 1, "slug": "staged-framework",
                    "title": framework.title, "url": framework.url}},
        {"model": "catalogue.work",
         "fields": {"slug": "staged-framework-work", "kind": "article",
                    "title": framework.title, "url": framework.url}},
        {"model": "catalogue.citation",
         "fields": {"entry": ["staged-framework"], "work": ["staged-framework-work"],
                    "position": 1, "role": "main"}},
    ]  # fmt: skip
    path = tmp_path / "staged.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    fixture.load_file(path)
    return framework


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_a_group_reading_another_list_shows_a_member_who_read_the_work_for_the_shipped_one(
    page, live_server, staged_list, width, height, scheme
):
    UserFactory(username="fay")
    sam = UserFactory(username="sam")
    progress_services.set_status(reader=sam, paper=staged_list, status=Status.READ)
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(color_scheme=scheme)
    sign_in(page, live_server, "fay")

    page.goto(f"{live_server.url}/groups/new/")
    page.get_by_label("Name").fill("Staged club")
    page.get_by_role("radio", name="A staged list").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Start the group").click()
    group = ReadingGroup.objects.get(name="Staged club")
    MembershipFactory(group=group, reader=sam, sharing=Sharing.PROGRESS)
    page.goto(f"{live_server.url}{group.get_absolute_url()}")

    expect(page.locator("#group-curriculum").get_by_role("link")).to_have_attribute(
        "href", "/lists/staged/"
    )
    expect(page.locator("#grid")).to_contain_text("Stage 1: Circuits")
    expect(page.locator("#grid-staged-framework td[title='sam: Read']")).to_be_visible()
    expect(page.locator(f"#grid-{FRAMEWORK}")).to_have_count(0)
    assert page.evaluate(OVERFLOW) <= 0
    assert not (found := serious_axe_violations(page)), describe(found)
    screenshot(page, f"group-staged-list-{width}-{scheme}")
    page.goto(f"{live_server.url}/groups/new/")
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, f"group-new-{width}-{scheme}")
