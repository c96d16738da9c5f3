"""The strict Content Security Policy holds on every page in a real browser.

The `page` fixture fails a test on any CSP violation, console error or request to another host, so
each test here only has to open the pages (and wait for what htmx loads into them).
"""

import pytest
from playwright.sync_api import expect

from catalogue.models import Paper, Section
from progress import services
from tests.browser import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

ENTRY = "mathematical-framework"


def visit(page, live_server, path: str) -> None:
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200, f"{path} answered {response.status}"
    # Let htmx finish anything it starts on load before the next page replaces this one.
    page.wait_for_load_state("networkidle")


def test_the_public_pages_and_every_entry_page_keep_the_policy(page, live_server, catalogue):
    for path in [
        "/",
        "/papers/",
        "/about/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ]:
        visit(page, live_server, path)
    for paper in Paper.objects.in_reading_order():
        visit(page, live_server, paper.get_absolute_url())


def test_a_readers_pages_keep_the_policy(page, live_server, catalogue):
    reader = UserFactory(username="csp-reader")
    paper = Paper.objects.get(slug=ENTRY)
    services.save_note(reader=reader, paper=paper, text="First *thoughts*.", base_version=0)
    services.save_note(reader=reader, paper=paper, text="Second **thoughts**.", base_version=1)
    sign_in(page, live_server, reader.username)

    visit(page, live_server, "/")
    page.locator(f"#details-{ENTRY} > summary").click()
    page.locator(f"#details-{ENTRY} .note-slot").scroll_into_view_if_needed()
    expect(page.locator(f"textarea#note-text-{ENTRY}")).to_be_visible()
    for path in [
        f"/notes/{ENTRY}/",
        f"/notes/{ENTRY}/revisions/",
        f"/notes/{ENTRY}/revisions/1/",
        "/account/export/",
        "/account/import/",
        "/account/delete/",
        "/accounts/password/change/",
    ]:
        visit(page, live_server, path)


def test_the_admin_keeps_the_policy(page, live_server, catalogue):
    staff = UserFactory(username="csp-staff", is_staff=True, is_superuser=True)
    # An entry with advice (one inline) and nested entries (the other inline).
    paper = Paper.objects.filter(advice__isnull=False, children__isnull=False).distinct().first()
    section = Section.objects.filter(parent__isnull=False).first() or Section.objects.first()
    sign_in(page, live_server, staff.username)
    for path in [
        "/admin/",
        "/admin/catalogue/section/",
        f"/admin/catalogue/section/{section.pk}/change/",
        "/admin/catalogue/paper/",
        f"/admin/catalogue/paper/{paper.pk}/change/",
    ]:
        visit(page, live_server, path)
    # The inline's "Add another" row is built by the admin's JavaScript.
    rows = page.locator("#advice-group tbody tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator("#advice-group .add-row a").click()
    expect(rows).to_have_count(before + 1)
