"""The reader's pace counts only what they read here: "I read this before" is its own choice,
which marks an entry read and which the pace never counts (issue 26, point 2)."""

import datetime as dt
import json
import zoneinfo

import pytest
from django.urls import reverse

from accounts import portability
from plans.pace import pace_for
from progress import services
from progress.models import ReadingState, Status
from tests.factories import PaperFactory, ReadingEventFactory, UserFactory, build_catalogue

pytestmark = pytest.mark.django_db
UTC = zoneinfo.ZoneInfo("UTC")
EVENING = dt.datetime(2026, 3, 2, 22, 0, tzinfo=UTC)


def _read(reader, paper, minutes: float, start: dt.datetime) -> None:
    ReadingEventFactory(reader=reader, paper=paper, to_status=Status.READING, at=start)
    ReadingEventFactory(
        reader=reader,
        paper=paper,
        from_status=Status.READING,
        to_status=Status.READ,
        at=start + dt.timedelta(minutes=minutes),
    )


def _overnight(reader, n: int, minutes: float = 180, estimate: int = 60) -> list:
    """`n` entries started one evening and finished after midnight: read here."""
    papers = [PaperFactory(estimated_minutes=estimate) for _ in range(n)]
    for day, paper in enumerate(papers):
        _read(reader, paper, minutes, EVENING + dt.timedelta(days=day))
    return papers


def test_three_papers_marked_read_before_joining_leave_the_pace_alone(reader):
    for paper in [PaperFactory(estimated_minutes=60) for _ in range(3)]:
        services.set_read_before(reader=reader, paper=paper)
    assert ReadingState.objects.filter(reader=reader, status=Status.READ).count() == 3
    pace = pace_for(reader)
    assert not pace.active and pace.factor == 1.0 and pace.entries == 0


def test_papers_marked_read_in_minutes_on_one_day_say_nothing_about_pace(reader):
    for n in range(3):
        _read(reader, PaperFactory(estimated_minutes=60), 2, EVENING - dt.timedelta(hours=n + 1))
    for paper in [PaperFactory(estimated_minutes=60) for _ in range(3)]:
        services.set_status(reader=reader, paper=paper, status=Status.READ)  # from Unread
    assert pace_for(reader).entries == 0


def test_entries_started_and_finished_on_different_days_set_the_pace(reader):
    _overnight(reader, 3, minutes=180, estimate=120)
    pace = pace_for(reader)
    assert pace.active and pace.entries == 3
    assert pace.factor == pytest.approx(1.5)
    assert "1.5x" in pace.explanation and "read this before" in pace.explanation


def test_an_entry_marked_read_before_never_counts_even_read_overnight(reader):
    papers = _overnight(reader, 3)
    services.set_read_before(reader=reader, paper=papers[0])
    pace = pace_for(reader)
    assert not pace.active and pace.entries == 2
    services.set_read_before(reader=reader, paper=papers[0], read_before=False)
    assert pace_for(reader).entries == 3


def test_setting_an_entry_back_to_unread_forgets_it_was_read_before(reader, paper):
    services.set_read_before(reader=reader, paper=paper)
    services.set_status(reader=reader, paper=paper, status=Status.UNREAD)
    assert not ReadingState.objects.get(reader=reader, paper=paper).read_before


def test_read_before_survives_an_export_and_import_into_a_new_account(reader):
    before, here = build_catalogue(2)
    services.set_read_before(reader=reader, paper=before)
    services.set_status(reader=reader, paper=here, status=Status.READ)
    text = json.dumps(portability.export_document(reader, exported_at=EVENING))
    entries = {e["slug"]: e for e in json.loads(text)["entries"]}
    assert entries[before.slug]["read_before"] is True
    assert entries[here.slug]["read_before"] is False
    newcomer = UserFactory(username="newcomer")
    portability.apply_import(reader=newcomer, entries=portability.parse_export(text.encode()))
    states = {s.paper_id: s for s in ReadingState.objects.filter(reader=newcomer)}
    assert states[before.pk].read_before and states[before.pk].status == Status.READ
    assert not states[here.pk].read_before


def test_an_older_export_without_read_before_imports_as_read_here(reader):
    (paper,) = build_catalogue(1)
    services.set_read_before(reader=reader, paper=paper)
    document = portability.export_document(reader, exported_at=EVENING)
    for entry in document["entries"]:
        del entry["read_before"]
    newcomer = UserFactory(username="newcomer")
    entries = portability.parse_export(json.dumps(document).encode())
    portability.apply_import(reader=newcomer, entries=entries)
    state = ReadingState.objects.get(reader=newcomer, paper=paper)
    assert state.status == Status.READ and not state.read_before


def test_the_paper_page_offers_i_read_this_before_without_javascript(client_as_reader, reader):
    (paper,) = build_catalogue(1)
    page = client_as_reader.get(paper.get_absolute_url())
    assert b"I read this before" in page.content
    url = reverse("progress:read-before", args=[paper.slug])
    response = client_as_reader.post(
        url, {"read_before": "1", "on": "paper"}, HTTP_REFERER=paper.get_absolute_url()
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"{paper.get_absolute_url()}#entry-{paper.slug}")
    state = ReadingState.objects.get(reader=reader, paper=paper)
    assert state.read_before and state.status == Status.READ
    again = client_as_reader.get(paper.get_absolute_url())
    assert b"Read before, not here" in again.content
    assert b"I read this before" not in again.content


def test_i_read_this_before_answers_htmx_with_the_entry_head(client_as_reader, reader):
    (paper,) = build_catalogue(1)
    url = reverse("progress:read-before", args=[paper.slug])
    response = client_as_reader.post(
        url, {"read_before": "1", "on": "paper"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert f'id="head-{paper.slug}"' in text and "Read before, not here" in text
    assert "read before." in text  # announced
    assert "<html" not in text
    undo = client_as_reader.post(url, {"read_before": "0", "on": "paper"}, HTTP_HX_REQUEST="true")
    assert "I read this before" in undo.content.decode()
    state = ReadingState.objects.get(reader=reader, paper=paper)
    assert not state.read_before and state.status == Status.READ


def test_the_dashboard_does_not_offer_read_before(client_as_reader):
    build_catalogue(1)
    assert b"I read this before" not in client_as_reader.get(reverse("home")).content


def test_a_read_before_post_without_a_choice_changes_nothing(client_as_reader, reader):
    (paper,) = build_catalogue(1)
    url = reverse("progress:read-before", args=[paper.slug])
    assert client_as_reader.post(url, {"read_before": "yes"}).status_code == 400
    assert not ReadingState.objects.filter(reader=reader).exists()


def test_the_plan_page_says_what_the_pace_counts(client_as_reader):
    page = " ".join(client_as_reader.get(reverse("plans:plan")).content.decode().split())
    assert 'id="pace"' in page
    assert "started one day and finished the next" in page
    assert "I read this before" in page and "never count" in page
