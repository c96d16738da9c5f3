"""The calendar feed meets RFC 5545 whatever a curator typed, names no database row, and its
address stops working when the reader's password changes (which signs them out everywhere)."""

import datetime as dt
import re
import uuid
from decimal import Decimal

import icalendar
import pytest
from django.urls import reverse

from catalogue.models import Level
from plans import services
from plans.models import ReadingPlan
from tests.factories import PASSWORD, AdviceFactory, PaperFactory

pytestmark = pytest.mark.django_db

# A bare CR, a bare LF, CR LF, a form feed, SOH, DEL, and each character TEXT must escape (no NUL:
# PostgreSQL cannot store one, and forms refuse it).
HOSTILE_TITLE = (
    "Zoom\rBEGIN:VEVENT\nSUMMARY:Click https://evil.example\r\nEND:VEVENT\x0c\x01\x7f; a, b\\c"
)


def _plan(reader) -> ReadingPlan:
    today = dt.date.today()
    plan = ReadingPlan.objects.create(
        reader=reader,
        hours_per_week=Decimal(3),
        reading_days="0123456",
        timezone="UTC",
        starts_on=today,
        counted_from=today,
    )
    return services.rotate_calendar(plan=plan)


def _feed(client, plan, **extra):
    return client.get(reverse("plans:feed", kwargs={"token": plan.calendar_address_token}), **extra)


@pytest.fixture
def hostile_plan(reader):
    paper = PaperFactory(title=HOSTILE_TITLE, short_name="")
    AdviceFactory(paper=paper, level=Level.DEEP, estimated_minutes=60, part="Part\rtwo;\x0b,x")
    return _plan(reader)


def test_curator_text_with_control_characters_cannot_add_lines_or_events(client, hostile_plan):
    body = _feed(client, hostile_plan).content
    # Every line ends in CR LF: no bare CR or LF that a lenient parser would split on.
    assert b"\r" not in body.replace(b"\r\n", b"") and b"\n" not in body.replace(b"\r\n", b"")
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body)
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    unfolded = body.replace(b"\r\n ", b"").split(b"\r\n")
    assert sum(line == b"BEGIN:VEVENT" for line in unfolded) == len(
        icalendar.Calendar.from_ical(body).walk("VEVENT")
    )
    assert not any(line.startswith(b"SUMMARY:Click") for line in unfolded)


def test_the_text_reads_back_as_typed_with_only_the_control_characters_dropped(
    client, hostile_plan
):
    events = icalendar.Calendar.from_ical(_feed(client, hostile_plan).content).walk("VEVENT")
    summary = str(events[0]["SUMMARY"])
    assert "Zoom\nBEGIN:VEVENT\nSUMMARY:Click https://evil.example\nEND:VEVENT; a, b\\c" in summary
    assert "Part\ntwo;,x" in str(events[0]["DESCRIPTION"])


def test_event_uids_are_stable_uuids_that_name_no_database_row(client, hostile_plan):
    first = icalendar.Calendar.from_ical(_feed(client, hostile_plan).content).walk("VEVENT")
    again = icalendar.Calendar.from_ical(_feed(client, hostile_plan).content).walk("VEVENT")
    uids = [str(event["UID"]) for event in first]
    assert uids == [str(event["UID"]) for event in again]
    assert len(set(uids)) == len(uids)
    for uid in uids:
        uuid.UUID(uid)
        assert f"-{hostile_plan.pk}-" not in uid and str(hostile_plan.pk) not in uid.split("-")


def test_links_use_the_configured_site_not_the_requests_host(client, hostile_plan, settings):
    settings.SITE_URL = "https://mireads.example.org"
    body = _feed(client, hostile_plan, HTTP_HOST="localhost:6666").content.replace(b"\r\n ", b"")
    assert b"https://mireads.example.org/papers/" in body and b"localhost" not in body


def test_a_password_change_stops_the_old_calendar_address(client_as_reader, client, reader):
    plan = _plan(reader)
    old = plan.calendar_address_token
    assert _feed(client, plan).status_code == 200
    new = "an entirely new passphrase for ada"
    changed = client_as_reader.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert changed.status_code == 302
    assert client.get(reverse("plans:feed", kwargs={"token": old})).status_code == 404
    plan = ReadingPlan.objects.get(pk=plan.pk)
    assert plan.calendar_address_token != old
    assert _feed(client, plan).status_code == 200


@pytest.mark.parametrize("token", ["\x00", "%00", "x" * 500, "a.b", ".", "²"])
def test_a_malformed_calendar_address_is_a_404(client, token):
    response = client.get(f"/plan/calendar/{token}.ics")
    assert response.status_code == 404


def test_the_plan_page_shows_the_address_and_says_when_it_stops(client_as_reader, reader):
    plan = _plan(reader)
    page = client_as_reader.get(reverse("plans:plan")).content.decode()
    assert plan.calendar_address_token in page
    assert "stops working when you change your password" in page
