"""The account pages a reader notices: deleting looks destructive and stands apart from the way
out, and the export page describes each download in a styled list. (tests/browser/
test_account_pages.py checks the same in Chromium's computed styles.)"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.html import elements

pytestmark = pytest.mark.django_db
CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "mireads.css").read_text()


def _rule(selector: str) -> str:
    """The declarations of the first CSS rule whose selector list is exactly `selector`."""
    match = re.search(rf"(?m)^{re.escape(selector)}\s*\{{([^}}]*)\}}", CSS)
    assert match, f"no CSS rule for {selector}"
    return match.group(1)


def test_the_delete_button_is_styled_as_destructive(client_as_reader):
    html = client_as_reader.get(reverse("accounts:delete")).content.decode()
    buttons = [e for e in elements(html) if e.tag == "button"]
    delete = [b for b in buttons if "danger" in b.values.get("class", "").split()]
    assert len(delete) == 1, "one destructive button"
    assert "var(--error)" in _rule("button.danger")


def test_keep_my_account_is_a_separate_calm_control_away_from_the_delete_form(client_as_reader):
    html = client_as_reader.get(reverse("accounts:delete")).content.decode()
    form_end = html.index("</form>", html.index(reverse("accounts:delete")))
    keep = html.index("Keep my account")
    assert keep > form_end, "Keep my account must not sit inside the delete form"
    keep_link = re.search(r'<p class="keep-account"><a class="([^"]*)" href="([^"]*)"', html)
    assert keep_link, "Keep my account is a link in its own paragraph"
    assert "danger" not in keep_link.group(1)
    assert keep_link.group(2) == reverse("accounts:export")
    spacing = _rule(".keep-account")
    assert "margin-top" in spacing and "border-top" in spacing, spacing


def test_the_export_page_describes_each_download(client_as_reader):
    html = client_as_reader.get(reverse("accounts:export")).content.decode()
    listed = re.search(r'<dl class="downloads">(.*?)</dl>', html, re.S)
    assert listed, "the downloads are a description list"
    terms, descriptions = listed.group(1).count("<dt>"), listed.group(1).count("<dd>")
    assert terms == descriptions == 4
    assert "color: var(--muted)" in _rule(".downloads dd")
    assert "font-weight" in _rule(".downloads dt")
