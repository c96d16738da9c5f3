"""Issue 25, point 8 in Chromium, as far as it is built: a reader who read A Mathematical
Framework deeply for the shipped list opens a second curriculum that asks only to skim it, and
sees, before following it, that their record already covers it there."""

import json
import re

import pytest
from playwright.sync_api import expect

from catalogue import fixture
from catalogue.models import Paper
from tests.browser import describe, screenshot, serious_axe_violations, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

FRAMEWORK = "mathematical-framework"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def second(catalogue, tmp_path):
    """A topics curriculum that cites the Framework by its link and asks to skim its first part."""
    framework = Paper.objects.get(slug=FRAMEWORK)
    part = framework.advice.order_by("position").first()
    records = [
        {"model": "catalogue.curriculum",
         "fields": {"slug": "second", "title": "A second list", "author": "Another curator",
                    "ordering": "topics", "description": "The same field, by topic."}},
        {"model": "catalogue.edition",
         "fields": {"number": 1, "note": "First", "published_at": "2026-12-01T00:00:00Z"}},
        {"model": "catalogue.section",
         "fields": {"title": "Circuits", "slug": "second-circuits", "priority": 1, "position": 1}},
        {"model": "catalogue.paper",
         "fields": {"section": ["second-circuits"], "position": 1, "slug": "second-framework",
                    "title": framework.title, "url": framework.url, "important": True}},
        {"model": "catalogue.work",
         "fields": {"slug": "second-framework-work", "kind": "article",
                    "title": framework.title, "url": framework.url}},
        {"model": "catalogue.citation",
         "fields": {"entry": ["second-framework"], "work": ["second-framework-work"],
                    "position": 1, "role": "main"}},
        {"model": "catalogue.advice",
         "fields": {"paper": ["second-framework"], "key": part.key, "position": 1,
                    "level": "skim", "part": part.part}},
    ]  # fmt: skip
    path = tmp_path / "second.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    fixture.load_file(path)
    return "/lists/second/"


def _read_the_framework_deeply(page, live_server) -> None:
    """On its page in the shipped list, tick every part it says to engage with deeply."""
    page.goto(f"{live_server.url}/papers/{FRAMEWORK}/")
    framework = Paper.objects.get(slug=FRAMEWORK)
    for advice in framework.advice.filter(level="deep").order_by("position"):
        box = page.locator(f"#part-{FRAMEWORK}-{advice.position}")
        with page.expect_response(re.compile(rf"/entries/{FRAMEWORK}/parts/$")):
            box.check()
        expect(box).to_be_checked()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_a_framework_read_deeply_is_covered_where_another_list_asks_to_skim_it(
    page, live_server, second, width, height, scheme
):
    UserFactory(username="ada")
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(color_scheme=scheme)
    sign_in(page, live_server, "ada")
    _read_the_framework_deeply(page, live_server)

    page.goto(f"{live_server.url}{second}")

    coverage = page.get_by_role("region", name="What your reading record covers")
    expect(coverage).to_contain_text("100%")
    expect(coverage).to_contain_text("0 of 1 entry")  # not marked read: its parts are covered
    entry = page.locator("li.entry", has_text="A Mathematical Framework")
    expect(entry.locator(".status-mark")).to_have_text("Every part covered")
    assert page.evaluate(OVERFLOW) <= 0
    assert not (found := serious_axe_violations(page)), describe(found)
    screenshot(page, f"curriculum-coverage-{width}-{scheme}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_following_the_second_list_shows_the_framework_already_satisfied_on_its_dashboard(
    page, live_server, second, width, height, scheme
):
    UserFactory(username="ada")
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(color_scheme=scheme)
    sign_in(page, live_server, "ada")
    _read_the_framework_deeply(page, live_server)
    page.goto(f"{live_server.url}{second}")

    page.get_by_role("button", name="Follow this list").click()
    expect(page.get_by_role("button", name="Stop following it")).to_be_visible()
    page.goto(f"{live_server.url}/")
    switcher = page.get_by_role("navigation", name="Lists you follow")
    switcher.get_by_role("link", name="A second list").click()

    expect(page).to_have_url(re.compile(r"/\?list=second$"))
    expect(switcher.get_by_role("link", name="A second list")).to_have_attribute(
        "aria-current", "page"
    )
    entry = page.locator("#entry-second-framework")
    expect(entry).to_contain_text("from your reading for An Extremely Opinionated")
    expect(entry.get_by_text("1 of 1 part")).to_be_visible()
    expect(page.locator("#overview")).to_contain_text("100%")
    assert page.evaluate(OVERFLOW) <= 0
    assert not (found := serious_axe_violations(page)), describe(found)
    screenshot(page, f"curriculum-dashboard-{width}-{scheme}")

    switcher.get_by_role("link", name="All I follow").click()
    expect(page.get_by_role("heading", name="All the lists you follow")).to_be_visible()
    expect(page.locator("#next-up")).to_have_count(1)
    assert page.evaluate(OVERFLOW) <= 0
    assert not (found := serious_axe_violations(page)), describe(found)
    screenshot(page, f"curriculum-all-followed-{width}-{scheme}")
