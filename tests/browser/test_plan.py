"""The reading plan in a real browser: setting a budget and seeing the sessions it lays out."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_up

pytestmark = pytest.mark.browser


def _set_budget(page) -> None:
    budget = page.locator("#budget form")
    budget.get_by_label("Hours per week").fill("4")
    for day in ["Monday", "Wednesday", "Friday"]:
        budget.get_by_label(day).uncheck()
    for day in ["Tuesday", "Thursday"]:
        budget.get_by_label(day).check()
    budget.get_by_label("Sessions start at").fill("19:00")
    budget.get_by_label("Time zone").select_option("Europe/Paris")
    budget.get_by_role("button", name="Save the plan").click()


def test_setting_a_budget_shows_the_plan_without_reloading(page, live_server, catalogue):
    sign_up(page, live_server, "planner")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Plan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your reading plan")
    page.evaluate("window.sameDocument = 'yes'")
    _set_budget(page)
    expect(page.get_by_role("status").filter(has_text="Plan saved.")).to_be_visible()
    sessions = page.locator("#sessions article")
    expect(sessions.first).to_be_visible()
    first = sessions.first.get_by_role("heading")
    expect(first).to_have_text(re.compile(r"^(Tuesday|Thursday) .*19:00"))
    expect(page.locator("#left-h")).to_have_text("Time left")
    expect(page.locator("main")).to_contain_text("left at the advised depth")
    expect(page.locator("main")).to_contain_text("would finish the whole list around")
    assert page.evaluate("window.sameDocument") == "yes"


def test_setting_a_budget_works_without_javascript(page_without_javascript, live_server, catalogue):
    page = page_without_javascript
    sign_up(page, live_server, "plainplanner")
    page.goto(f"{live_server.url}/plan/")
    _set_budget(page)
    page.wait_for_url(re.compile(r"/plan/$"))
    expect(page.locator("#sessions article").first).to_be_visible()
