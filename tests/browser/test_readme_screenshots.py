"""The README's two pictures of a reader's mireads, docs/dashboard.png and docs/paper.png, taken
here from a reader part-way through the list, so they can be made again whenever the pages change:

    UPDATE_README_SCREENSHOTS=1 MIREADS_DEBUG=true \
        .venv/bin/pytest tests/browser/test_readme_screenshots.py

Without the variable the test takes them into test-artifacts/ and checks that docs/ has both at
the same size, so a README picture never goes missing."""

import os
import struct
from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalogue.models import Paper
from progress import services
from tests.browser import ARTIFACTS, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parents[2] / "docs"
VIEWPORT = {"width": 1280, "height": 900}


def _size(path: Path) -> tuple[int, int]:
    """A PNG's width and height, from its header."""
    return struct.unpack(">II", path.read_bytes()[16:24])


def test_the_readmes_screenshots_show_the_dashboard_and_a_paper_page(page, live_server, catalogue):
    reader = UserFactory(username="ada")
    for slug, status in (("circuits-zoom-in", "read"), ("mathematical-framework", "reading")):
        services.set_status(reader=reader, paper=Paper.objects.get(slug=slug), status=status)
    framework = Paper.objects.get(slug="mathematical-framework")
    for advice in framework.advice.order_by("position")[:2]:
        services.set_parts_done(
            reader=reader, paper=framework, shown={advice.key}, done={advice.key}
        )
    page.set_viewport_size(VIEWPORT)
    sign_in(page, live_server, "ada")
    update = os.environ.get("UPDATE_README_SCREENSHOTS") == "1"
    target = DOCS if update else ARTIFACTS
    target.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/")
    expect(page.locator("#next-up")).to_be_visible()
    page.screenshot(path=target / "dashboard.png")
    page.goto(f"{live_server.url}/papers/mathematical-framework/")
    expect(page.locator(".workbench")).to_be_visible()
    page.screenshot(path=target / "paper.png")

    for name in ("dashboard.png", "paper.png"):
        missing = f"docs/{name} is missing: run this test with UPDATE_README_SCREENSHOTS=1"
        assert (DOCS / name).exists(), missing
        assert _size(DOCS / name) == _size(target / name) == (1280, 900)
