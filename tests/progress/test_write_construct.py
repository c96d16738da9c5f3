"""One construct for every write of a reader's data (progress/writes.py).

The suite-wide watcher in tests/conftest.py fails any request that writes a reader's table around
the construct; these tests prove the watcher can fail, that the construct moves the reader's
version on and retries only a real race, and that an import and status changes of one reader at
once neither deadlock nor lose a write (PostgreSQL takes row locks; SQLite serialises writers).
"""

import json
import threading
import traceback

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test import Client
from django.urls import path, reverse

from progress.models import DashboardState, ReadingEvent, ReadingState, Status
from progress.writes import is_race, reader_tables, reader_write, writes_reader
from tests.conftest import WriteAroundTheConstruct
from tests.factories import UserFactory, build_catalogue
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def _sneaky_view(request):
    """A writer that goes around the construct, as a new feature might."""
    from django.http import HttpResponse

    ReadingState.objects.filter(reader=request.user).update(status=Status.READ)
    return HttpResponse("done")


urlpatterns = [path("sneaky/", _sneaky_view)]


def test_a_request_that_writes_a_readers_rows_around_the_construct_fails(
    client_as_reader, reader, paper, settings
):
    ReadingState.objects.create(reader=reader, paper=paper, status=Status.READING)
    settings.ROOT_URLCONF = __name__
    with pytest.raises(WriteAroundTheConstruct, match="progress_readingstate outside"):
        client_as_reader.get("/sneaky/")


def test_the_readers_tables_are_every_table_holding_a_readers_rows():
    assert {
        "progress_readingstate", "progress_readingevent", "progress_parttick", "progress_note",
        "progress_noterevision", "progress_changesseen", "progress_dashboardstate",
        "plans_readingplan", "progress_membership",
    } <= reader_tables()  # fmt: skip
    assert "catalogue_paper" not in reader_tables() and "auth_user" not in reader_tables()


def test_every_write_moves_the_readers_version_on(reader):
    with reader_write(reader):
        pass
    first = DashboardState.objects.get(reader=reader).version
    with reader_write(reader), reader_write(reader):  # nested: one write, one step
        pass
    assert DashboardState.objects.get(reader=reader).version == first + 1


def test_only_a_unique_constraint_race_is_retried(reader):
    calls = []

    @writes_reader()
    def fails(*, reader, error):
        calls.append(1)
        raise error

    race = IntegrityError("UNIQUE constraint failed: progress_note.reader_id")
    with pytest.raises(IntegrityError):
        fails(reader=reader, error=race)
    assert len(calls) == 2 and is_race(race)
    calls.clear()
    with pytest.raises(IntegrityError):
        fails(reader=reader, error=IntegrityError("CHECK constraint failed: finished_after"))
    assert len(calls) == 1


def _export(reader, papers) -> bytes:
    entries = [
        {
            "slug": paper.slug, "title": paper.title, "status": "read",
            "started_at": "2026-01-01T10:00:00+00:00", "finished_at": "2026-01-02T10:00:00+00:00",
            "updated_at": "2026-01-02T10:00:00+00:00",
            "events": [{"from": "unread", "to": "read", "at": "2026-01-02T10:00:00+00:00"}],
            "ticks": [], "note": None,
        }
        for paper in papers
    ]  # fmt: skip
    return json.dumps({"format": "mireads-export", "version": 1, "entries": entries}).encode()


@pytest.mark.django_db(transaction=True)
def test_an_import_and_status_changes_of_one_reader_at_once_keep_both_writes():
    assert connection.vendor in {"sqlite", "postgresql"}
    reader = UserFactory()
    papers = build_catalogue(6)
    imported, clicked = papers[:5], papers[5]
    own = Client()
    own.force_login(reader)
    exported = own.get(reverse("accounts:export-json"))
    document = json.loads(b"".join(exported.streaming_content))
    document["entries"] = json.loads(_export(reader, imported))["entries"]
    body = json.dumps(document).encode()
    errors, answers = [], {"import": [], "status": []}
    barrier = threading.Barrier(2)

    def importer():
        client = Client()
        client.force_login(reader)
        try:
            barrier.wait()
            for _ in range(4):
                upload = SimpleUploadedFile("export.json", body)
                answers["import"].append(
                    client.post(reverse("accounts:import"), {"file": upload}).status_code
                )
        except Exception:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    def clicker():
        client = Client()
        client.force_login(reader)
        try:
            barrier.wait()
            for status in ["reading", "read", "skimmed", "read"] * 3:
                url = f"/entries/{clicked.slug}/status/"
                response = client.post(url, {"status": status}, headers=HTMX)
                answers["status"].append(response.status_code)
        except Exception:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=importer), threading.Thread(target=clicker)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert set(answers["import"]) == {200} and set(answers["status"]) == {200}
    states = dict(ReadingState.objects.filter(reader=reader).values_list("paper__slug", "status"))
    assert states == {**{p.slug: "read" for p in imported}, clicked.slug: "read"}
    assert ReadingEvent.objects.filter(reader=reader, paper=clicked).count() == 12
