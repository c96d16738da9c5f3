"""Failure is said where it happened, and no reader's write is lost to it: a signed-out script
request gets 401 (not the sign-in page), a database outage answers 503 with Retry-After and one log
line, the readiness check needs a write, and a note save retried after its answer was lost is
answered as saved."""

import logging

import pytest
from django.db import OperationalError

from mireads.middleware import DatabaseOutageMiddleware
from progress import services
from progress.models import Note, ReadingState
from tests.factories import AdviceFactory, PaperFactory, SectionFactory
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(db):
    paper = PaperFactory(slug="solu-like", short_name="SoLU-like")
    AdviceFactory(paper=paper, key="method", position=1, part="The method")
    return paper


@pytest.fixture(autouse=True)
def no_outage_so_far():
    DatabaseOutageMiddleware.last_failure = None
    yield
    DatabaseOutageMiddleware.last_failure = None


SIGNED_OUT_WRITES = [
    ("/entries/solu-like/status/", {"status": "reading"}),
    ("/entries/solu-like/parts/", {"shown": ["method"], "done": ["method"]}),
    ("/notes/solu-like/", {"text": "typed after the session ended", "base_version": 0}),
]


@pytest.mark.parametrize(("path", "form"), SIGNED_OUT_WRITES)
def test_a_signed_out_htmx_write_gets_401_with_one_sentence_not_the_sign_in_page(
    client, entry, path, form
):
    response = client.post(path, form, headers=HTMX)
    assert response.status_code == 401
    body = response.content.decode()
    assert body == "You are signed out: sign in again, then try once more.\n"
    assert "Location" not in response and "HX-Redirect" not in response
    assert ReadingState.objects.count() == 0 and Note.objects.count() == 0


def test_a_signed_out_fold_from_the_dashboard_gets_401(client, db):
    SectionFactory(slug="what-is-mech-interp")
    response = client.post("/tiers/what-is-mech-interp/fold/", {"fold": "fold"}, headers=HTMX)
    assert response.status_code == 401


def test_a_signed_out_lazy_fragment_request_gets_401(client, entry):
    assert client.get("/notes/solu-like/", headers=HTMX).status_code == 401


def test_without_javascript_a_signed_out_reader_is_still_sent_to_sign_in_and_back(client, entry):
    response = client.post("/entries/solu-like/status/", {"status": "reading"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_a_signed_in_htmx_request_that_redirects_elsewhere_is_left_alone(client_as_reader):
    response = client_as_reader.post("/reading/changes-seen/", headers=HTMX)
    assert response.status_code == 302


def test_a_database_outage_answers_503_with_retry_after_and_logs_one_line(
    client_as_reader, entry, monkeypatch, caplog
):
    def unreachable(**kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(services, "set_status", unreachable)
    with caplog.at_level(logging.INFO):
        answers = [
            client_as_reader.post("/entries/solu-like/status/", {"status": "reading"}),
            client_as_reader.post("/entries/solu-like/status/", {"status": "read"}, headers=HTMX),
            client_as_reader.post("/entries/solu-like/status/", {"status": "reading"}),
        ]
    assert [a.status_code for a in answers] == [503, 503, 503]
    assert all(a["Retry-After"] == "5" for a in answers)
    assert "cannot reach its database just now, so nothing changed" in answers[0].content.decode()
    assert answers[1].content.decode().startswith("The site cannot reach its database")
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1, [r.getMessage() for r in problems]
    assert problems[0].getMessage().startswith("database unavailable (OperationalError")
    assert problems[0].exc_info is None  # one line, not a trace


def test_a_database_outage_outside_any_view_is_a_503_with_one_log_line(
    client_as_reader, monkeypatch, caplog
):
    from django.contrib.sessions.middleware import SessionMiddleware

    def unreachable(self, request, response):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionMiddleware, "process_response", unreachable)
    client_as_reader.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        answers = [client_as_reader.get("/") for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 503]
    assert all(a["Retry-After"] == "5" for a in answers)
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(":")[0] for r in problems] == [
        "database unavailable (OperationalError"
    ]
    assert problems[0].exc_info is None


def test_another_error_is_still_a_500_with_its_trace(client_as_reader, entry, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "set_status", broken)
    client_as_reader.raise_request_exception = False
    response = client_as_reader.post("/entries/solu-like/status/", {"status": "reading"})
    assert response.status_code == 500


def test_readiness_answers_ready_when_the_database_takes_a_write(client):
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (200, b"ready\n")
    assert "no-cache" in response["Cache-Control"]


def test_readiness_fails_on_a_full_disk_while_liveness_stays_ok(client, monkeypatch):
    from django.contrib.sessions.models import Session

    def full(*args, **kwargs):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(Session.objects, "create", full)
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200


def test_the_readiness_check_leaves_no_row_behind(client):
    from django.contrib.sessions.models import Session

    client.get("/readyz")
    client.get("/readyz")
    assert not Session.objects.filter(session_key__startswith="readyz").exists()


def test_a_note_save_retried_after_its_answer_was_lost_is_answered_as_saved(
    client_as_reader, reader, entry
):
    form = {"text": "The method, twice", "base_version": 0}
    first = client_as_reader.post("/notes/solu-like/", form, headers=HTMX)
    again = client_as_reader.post("/notes/solu-like/", form, headers=HTMX)
    assert (first.status_code, again.status_code) == (200, 200)
    assert "Saved at" in again.content.decode() and "version 1" in again.content.decode()
    assert "Both texts are below" not in again.content.decode()
    note = reader.notes.get()
    assert (note.version, note.text, note.revisions.count()) == (1, "The method, twice", 1)


def test_a_different_text_on_the_same_base_is_still_a_conflict(client_as_reader, entry):
    client_as_reader.post("/notes/solu-like/", {"text": "mine", "base_version": 0}, headers=HTMX)
    other = client_as_reader.post(
        "/notes/solu-like/", {"text": "another tab's", "base_version": 0}, headers=HTMX
    )
    assert other.status_code == 409


def test_the_same_text_on_an_older_base_is_still_a_conflict(client_as_reader, entry):
    post = client_as_reader.post
    post("/notes/solu-like/", {"text": "one", "base_version": 0}, headers=HTMX)
    post("/notes/solu-like/", {"text": "two", "base_version": 1}, headers=HTMX)
    stale = post("/notes/solu-like/", {"text": "two", "base_version": 0}, headers=HTMX)
    assert stale.status_code == 409
