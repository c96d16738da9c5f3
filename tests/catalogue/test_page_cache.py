"""Visitors' pages are rendered once per catalogue version and served from cache: never stale,
never holding anything of a signed-in reader."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import MessageEncoder
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client

from catalogue import editions, pagecache
from catalogue.models import Paper
from progress import services
from progress.models import Status
from tests.catalogue.test_admin import change_form, change_url, rows
from tests.catalogue.test_fixture import record, shipped_records, write
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/papers/",
    "/papers/solu/",
    "/changes/",
    "/changes/feed.atom",
    "/changes/solu/",
    "/about/",
]
NONCE = re.compile(rb'nonce="([^"]+)"')


def without_nonce(content: bytes) -> bytes:
    return NONCE.sub(b'nonce=""', content)


def visit(url: str, **headers):
    """A first-time visitor: a client with no cookies at all."""
    return Client().get(url, headers=headers)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_visitors_second_request_renders_nothing_and_gets_the_same_page(
    real_catalogue, url, django_assert_max_num_queries
):
    first = visit(url)
    with django_assert_max_num_queries(1) as captured:  # the catalogue version, nothing else
        second = visit(url)
    assert first.status_code == second.status_code == 200
    assert "catalogue_catalogueversion" in captured.captured_queries[0]["sql"]
    assert without_nonce(second.content) == without_nonce(first.content)
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == first["Content-Type"]


def test_each_cached_answer_carries_a_fresh_nonce_that_its_policy_names(real_catalogue):
    first, second = visit("/papers/"), visit("/papers/")
    nonces = [set(NONCE.findall(r.content)) for r in (first, second)]
    assert all(len(found) == 1 for found in nonces)
    assert nonces[0] != nonces[1]  # a nonce an attacker has seen is of no use on the next page
    for response, found in zip((first, second), nonces, strict=True):
        (nonce,) = found
        assert f"'nonce-{nonce.decode()}'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/", "/papers/", "/papers/solu/", "/changes/", "/about/"])
def test_a_visitor_who_holds_the_page_gets_304_with_no_body(real_catalogue, url):
    page = visit(url)
    assert page["ETag"]
    assert "no-cache" in page["Cache-Control"] and "Cookie" in page["Vary"]

    again = visit(url, if_none_match=page["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == page["ETag"]
    # The browser keeps the policy stored with its copy, which names that copy's nonce.
    assert "Content-Security-Policy" not in again


@pytest.mark.parametrize("url", ["/", "/changes/"])
def test_two_app_servers_give_the_same_page_the_same_etag(real_catalogue, url):
    # Each worker renders and stores its own copy, with its own nonce: emptying the cache between
    # the two visits is what a second worker does.
    first = visit(url)
    caches["pages"].clear()
    again = visit(url, if_none_match=first["ETag"])
    assert again.status_code == 304


def test_a_stale_etag_gets_the_whole_page(real_catalogue):
    page = visit("/papers/")
    paper = Paper.objects.get(slug="solu")
    paper.short_name = "Softmax Linear Units, renamed"
    paper.save()  # any admin save moves the version on; this one changes what the page says
    again = visit("/papers/", if_none_match=page["ETag"])
    assert again.status_code == 200 and b"Softmax Linear Units, renamed" in again.content


@pytest.fixture
def client_as_staff(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_an_admin_edit_shows_on_the_next_visitors_pages(real_catalogue, client_as_staff):
    solu = Paper.objects.get(slug="solu")
    for url in ["/papers/", "/papers/solu/", "/"]:
        assert "SoLU, edited" not in visit(url).text  # cached now

    response = client_as_staff.post(
        change_url(solu), change_form(solu, rows(solu), short_name="SoLU, edited")
    )

    assert response.status_code == 302
    for url in ["/papers/", "/papers/solu/", "/"]:
        assert "SoLU, edited" in visit(url).text, url


def test_removing_a_part_in_the_admin_inline_shows_on_the_next_visitors_page(
    real_catalogue, client_as_staff
):
    solu = Paper.objects.get(slug="solu")
    advice = rows(solu)
    gone = advice[-1]["part"]
    assert gone in visit("/papers/solu/").text
    advice[-1]["DELETE"] = "on"

    client_as_staff.post(change_url(solu), change_form(solu, advice))

    assert gone not in visit("/papers/solu/").text


def test_publishing_in_the_admin_shows_on_the_next_changes_page(real_catalogue, client_as_staff):
    assert "Fresh from the admin." not in visit("/changes/").text
    Paper.objects.filter(slug="solu").update(summary="Changed without a signal.")

    client_as_staff.post(
        "/admin/catalogue/edition/",
        {"action": "publish_next", "apply": "1", "note": "Fresh from the admin."},
    )

    assert "Fresh from the admin." in visit("/changes/").text
    assert "Fresh from the admin." in visit("/changes/feed.atom").text
    assert "Changed without a signal." in visit("/papers/solu/").text


def test_publish_edition_shows_on_the_next_changes_page(real_catalogue):
    visit("/changes/")
    Paper.objects.filter(slug="solu").update(summary="Changed without a signal.")
    call_command("publish_edition", "--note", "From the command line.")
    assert "From the command line." in visit("/changes/").text


def test_loading_a_changed_fixture_shows_on_the_next_visitors_pages(real_catalogue, tmp_path):
    records = shipped_records()
    record(records, "paper", "solu")["fields"]["summary"] = "Loaded from an edited file."
    assert "Loaded from an edited file." not in visit("/papers/solu/").text

    call_command("load_catalogue", str(write(tmp_path, records)))

    assert "Loaded from an edited file." in visit("/papers/solu/").text


def test_a_part_retired_by_a_load_leaves_the_next_visitors_page(real_catalogue, reader, tmp_path):
    # A part a reader ticked is retired, not deleted: a bulk update, which sends no signal, so
    # the load itself moves the version on.
    records = shipped_records()
    solu_parts = [r for r in records if _part_of_solu(r)]
    records.remove(solu_parts[-1])
    gone = solu_parts[-1]["fields"]["part"]
    ticked = solu_parts[-1]["fields"]["key"]
    solu = Paper.objects.get(slug="solu")
    services.set_parts_done(reader=reader, paper=solu, shown={ticked}, done={ticked})
    assert gone in visit("/papers/solu/").text

    call_command("load_catalogue", str(write(tmp_path, records)))

    assert gone not in visit("/papers/solu/").text


def _part_of_solu(r: dict) -> bool:
    return r["model"] == "catalogue.advice" and r["fields"]["paper"] == ["solu"]


def test_the_version_moves_on_with_every_change_and_never_by_reading(real_catalogue):
    before = pagecache.catalogue_version()
    assert pagecache.catalogue_version() == before
    Paper.objects.filter(slug="solu").update(summary="Changed without a signal.")
    editions.publish(note="An edition.")
    assert pagecache.catalogue_version() != before


@pytest.mark.parametrize("url", ["/", "/papers/", "/papers/solu/", "/changes/", "/about/"])
def test_a_signed_in_reader_never_gets_the_visitors_page_and_never_leaves_theirs(
    real_catalogue, url
):
    reader = UserFactory(username="quillfeather")
    services.set_status(reader=reader, paper=Paper.objects.get(slug="solu"), status=Status.READ)
    as_reader = Client()
    as_reader.force_login(reader)
    visitor_first = visit(url)

    mine = as_reader.get(url)

    token = as_reader.cookies[settings.CSRF_COOKIE_NAME].value
    visitor_after = visit(url)
    assert b"quillfeather" in mine.content and b"X-CSRFToken" in mine.content
    for page in (visitor_first, visitor_after):
        assert b"quillfeather" not in page.content  # the reader's name in the nav
        assert b"X-CSRFToken" not in page.content and b"csrfmiddlewaretoken" not in page.content
        assert token.encode() not in page.content
        assert b"Sign in" in page.content
        assert not page.cookies  # no session, no CSRF cookie: nothing of anyone's


def test_a_readers_list_shows_their_statuses_and_a_visitors_never_does(real_catalogue, reader):
    services.set_status(reader=reader, paper=Paper.objects.get(slug="solu"), status=Status.SKIMMED)
    as_reader = Client()
    as_reader.force_login(reader)
    visit("/papers/")

    assert "Skimmed" in as_reader.get("/papers/").text
    assert "Skimmed" not in visit("/papers/").text


def _with_message(client: Client, text: str) -> None:
    session = client.session
    session["_messages"] = MessageEncoder().encode([Message(constants.SUCCESS, text)])
    session.save()


def test_a_page_shown_with_a_pending_message_is_not_stored_and_the_message_shows_once(
    real_catalogue,
):
    visitor = Client()
    _with_message(visitor, "You have been signed out.")

    shown = visitor.get("/about/")
    after = visitor.get("/about/")

    assert "You have been signed out." in shown.text
    assert "You have been signed out." not in after.text
    assert "You have been signed out." not in visit("/about/").text


def test_a_page_that_sets_a_cookie_is_never_stored(rf, real_catalogue):
    def sets_a_cookie(request):
        response = HttpResponse("hello")
        response.set_cookie("mine", "1")
        return response

    view = pagecache.public_page(sets_a_cookie)
    for _ in range(2):
        request = rf.get("/somewhere/")
        request.user, request.session = AnonymousUser(), SessionStore()
        response = view(request)
        assert response.cookies["mine"].value == "1"  # rendered each time, never from the cache
        assert "ETag" not in response


def test_not_found_pages_are_never_stored(real_catalogue):
    assert visit("/papers/no-such-entry/").status_code == 404
    assert "ETag" not in visit("/papers/no-such-entry/")


def test_htmx_requests_are_never_served_from_the_page_cache(real_catalogue):
    visit("/papers/")
    assert "ETag" not in visit("/papers/", hx_request="true")


@pytest.fixture
def kept(monkeypatch) -> list[str]:
    """The keys the page cache is asked to keep from now on, whatever the backend."""
    cache, found = caches["pages"], []
    original = cache.set

    def keep(key, value, *args, **kwargs):
        found.append(key)
        return original(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", keep)
    cache.clear()
    return found


@pytest.mark.parametrize("query", ["?x=1", "?x=2&y=3", "?since=1", "?utm_source=feed"])
def test_a_query_string_the_page_does_not_read_is_served_but_never_kept(
    real_catalogue, query, kept
):
    for _ in range(2):
        response = visit(f"/papers/{query}")
        assert response.status_code == 200
    assert kept == []
    visit("/papers/")
    assert len(kept) == 1


@pytest.mark.parametrize("since", ["%C2%B2", "-1", "1e9", "1234567890", "", "x"])
def test_a_value_the_page_does_not_accept_is_served_but_never_kept(real_catalogue, since, kept):
    response = visit(f"/changes/solu/?since={since}")
    assert response.status_code == (200 if since == "" else 400)
    assert kept == []


def test_the_changes_page_is_kept_once_per_accepted_since(
    real_catalogue, django_assert_num_queries, kept
):
    first = visit("/changes/solu/?since=1")
    with django_assert_num_queries(1):  # the catalogue version: the page itself is kept
        second = visit("/changes/solu/?since=1")
    assert without_nonce(first.content) == without_nonce(second.content)
    visit("/changes/solu/?since=2")
    assert len(set(kept)) == 2
