"""A fresh dashboard is calm: nothing counted, charted or listed until there is something."""

import pytest
from django.conf import settings

from catalogue.models import Paper
from progress import services

pytestmark = pytest.mark.django_db


def test_a_fresh_dashboard_shows_no_zero_counters_no_empty_chart_and_no_empty_card(
    client_as_reader, real_catalogue
):
    html = client_as_reader.get("/").content.decode()
    assert 'class="status-counts"' not in html
    assert 'id="continue"' not in html
    assert 'class="activity"' not in html
    assert 'id="next-up"' in html, "the way in is still offered"
    # Unread is the default: its button is pressed (for screen readers) but drawn unfilled and
    # unticked, so thirty fresh entries show thirty quiet rows.
    head = html.split('id="head-circuits-zoom-in"', 1)[1].split("</form>", 1)[0]
    assert '<button name="status" value="unread" aria-pressed="true">' in head
    css = (settings.BASE_DIR / "static" / "css" / "mireads.css").read_text()
    assert (
        '.status-control button[value="unread"][aria-pressed="true"] {\n  background: none;' in css
    )
    assert (
        '.status-control button[value="unread"][aria-pressed="true"]::before { content: none; }'
        in css
    )


def test_counters_and_continue_reading_appear_with_the_first_status(
    client_as_reader, reader, real_catalogue
):
    services.set_status(reader=reader, paper=Paper.objects.get(slug="solu"), status="reading")
    html = client_as_reader.get("/").content.decode()
    assert 'class="status-counts"' in html and 'id="continue"' in html
    counts = html.split('class="status-counts"', 1)[1].split("</ul>", 1)[0]
    assert "<strong>0</strong>" not in counts, "no counter of nothing, even once started"
    assert 'class="activity"' not in html, "nothing finished yet"
    services.set_status(reader=reader, paper=Paper.objects.get(slug="solu"), status="read")
    assert 'class="activity"' in client_as_reader.get("/").content.decode()
