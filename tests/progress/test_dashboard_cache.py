"""A returning reader's unchanged dashboard comes whole from cache: no reading rows read, nothing
rendered; every write the reader makes, and every change to the list, shows on the next one."""

import json
import re
import uuid

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import MessageEncoder
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from catalogue import editions
from catalogue.models import Paper
from progress import services
from progress.models import Status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# What a request that finds nothing changed reads: the session, the user, and the catalogue's
# and the reader's versions (one query).
CACHED_QUERIES = 3
READER_ROWS = ("progress_readingstate", "progress_parttick", "progress_note")


def slugs_in(html: str) -> list[str]:
    return re.findall(r'<li class="entry" id="entry-([\w-]+)">', html)


def without_tokens(content: bytes) -> bytes:
    """The page without what differs between two renders of the same state."""
    content = re.sub(rb'nonce="[^"]+"', b"", content)
    return re.sub(rb'(value|X-CSRFToken": )"[A-Za-z0-9]{64}"', b"TOKEN", content)


@pytest.fixture
def busy_reader(real_catalogue):
    reader = UserFactory(username="returning")
    for slug in ["circuits-zoom-in", "a-mathematical-framework"]:
        paper = Paper.objects.filter(slug=slug).first() or Paper.objects.first()
        services.set_status(reader=reader, paper=paper, status=Status.READ)
    services.save_note(
        reader=reader, paper=Paper.objects.get(slug="rome"), text="first words", base_version=0
    )
    return reader


@pytest.fixture
def returning(busy_reader):
    client = Client()
    client.force_login(busy_reader)
    client.get("/")  # the first visit renders and stores the page
    return client


def test_an_unchanged_dashboard_reads_no_reading_rows_and_renders_nothing(
    returning, django_assert_max_num_queries
):
    first = returning.get("/")
    with django_assert_max_num_queries(CACHED_QUERIES) as captured:
        again = returning.get("/")
    assert again.status_code == 200
    assert len(captured) == CACHED_QUERIES
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert not [table for table in READER_ROWS if table in sql]
    assert "django_session" in sql and "progress_dashboardstate" in sql
    assert without_tokens(again.content) == without_tokens(first.content)
    assert "no-store" in again["Cache-Control"] and "private" in again["Cache-Control"]


def test_the_cached_dashboard_carries_a_fresh_nonce_and_a_token_valid_for_the_session(
    busy_reader,
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(busy_reader)
    client.get("/")
    page = client.get("/")  # from the cache
    (nonce,) = set(re.findall(r'nonce="([^"]+)"', page.text))
    assert f"'nonce-{nonce}'" in page["Content-Security-Policy"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/entries/solu/status/", {"status": "read", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_a_reader_holding_their_dashboard_gets_304_until_it_changes(returning, busy_reader):
    page = returning.get("/")
    assert page["ETag"]

    assert returning.get("/", headers={"if-none-match": page["ETag"]}).status_code == 304

    services.set_status(reader=busy_reader, paper=Paper.objects.get(slug="solu"), status="read")
    changed = returning.get("/", headers={"if-none-match": page["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != page["ETag"]


def _key(reader, slug: str) -> str:
    return Paper.objects.get(slug=slug).advice.order_by("position").first().key


def _restore(client, reader):
    solu = Paper.objects.get(slug="solu")
    services.save_note(reader=reader, paper=solu, text="zebrafinch", base_version=0)
    services.save_note(reader=reader, paper=solu, text="something else", base_version=1)
    client.get("/?q=zebrafinch")  # cached while the note says something else
    return client.post("/notes/solu/revisions/1/restore/", {"base_version": 2})


def _import(client, reader):
    document = {
        "schema": "mireads-export",
        "version": 1,
        "exported_at": timezone.now().isoformat(),
        "entries": [
            {
                "slug": "solu",
                "status": "reading",
                "started_at": timezone.now().isoformat(),
                "finished_at": None,
                "updated_at": timezone.now().isoformat(),
                "events": [],
                "ticks": [],
                "note": None,
            }
        ],
    }
    upload = SimpleUploadedFile("mireads.json", json.dumps(document).encode())
    return client.post(reverse("accounts:import"), {"file": upload})


def _fold(client, reader):
    try:
        url = reverse("progress:fold", args=["what-is-mech-interp"])
    except NoReverseMatch:
        pytest.skip("folding tiers is not in this tree")
    return client.post(url, {"fold": "fold"})


def _plan(client, reader):
    data = {
        "hours_per_week": "4",
        "days": ["1", "3"],
        "session_time": "07:30",
        "timezone": "Europe/Paris",
    }  # use_pace off: the time left is no longer at the reader's pace
    return client.post(reverse("plans:budget"), data)


def _mark_seen(client, reader):
    Paper.objects.filter(slug="solu").update(summary="Reworked.")
    editions.publish(note="Second edition.", require_changes=False)
    client.get("/")  # the dashboard marks what changed since the reader read it
    return client.post(reverse("progress:changes-seen"))


# Each write, and what the next dashboard (at `url`) must show because of it: an entry that
# appears under a filter, or (for writes whose effect is not an entry) only that it is new.
WRITES = {
    "status": (
        lambda c, r: c.post("/entries/solu/status/", {"status": "reading"}),
        "/?status=reading",
        "solu",
    ),
    "ticks": (
        lambda c, r: c.post(
            "/entries/solu/parts/", {"shown": [_key(r, "solu")], "done": [_key(r, "solu")]}
        ),
        "/?status=reading",
        "solu",
    ),
    "tick on a read entry": (
        lambda c, r: c.post(
            "/entries/circuits-zoom-in/parts/",
            {"shown": [_key(r, "circuits-zoom-in")], "done": [_key(r, "circuits-zoom-in")]},
        ),
        "/",
        None,  # a tick on an entry already read leaves the status: the entry's count moves
    ),
    "note save": (
        lambda c, r: c.post("/notes/solu/", {"text": "zebrafinch", "base_version": 0}),
        "/?q=zebrafinch",
        "solu",
    ),
    "restore": (_restore, "/?q=zebrafinch", "solu"),
    "import": (_import, "/?status=reading", "solu"),
    "mark seen": (_mark_seen, "/", None),
    "plan settings": (_plan, "/", None),
    "fold": (_fold, "/", None),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_shows_on_the_next_dashboard(
    returning, busy_reader, write, django_assert_max_num_queries
):
    act, url, slug = WRITES[write]
    before = returning.get(url)
    with django_assert_max_num_queries(CACHED_QUERIES):
        assert returning.get(url).status_code == 200  # cached
    if slug:
        assert slug not in slugs_in(before.text)

    response = act(returning, busy_reader)

    assert response.status_code in (200, 302), response.content[:300]
    returning.get("/about/")  # shows any message the write left, which the dashboard never caches
    with django_assert_max_num_queries(30) as captured:
        after = returning.get(url)
    assert len(captured) > CACHED_QUERIES, "the old page was served from the cache"
    if slug:
        assert slug in slugs_in(after.text)


def test_two_readers_never_see_each_others_cached_page(real_catalogue):
    pages = {}
    for name in ("firstreader", "secondreader"):
        reader = UserFactory(username=name)
        client = Client()
        client.force_login(reader)
        client.get("/")
        pages[name] = (reader, client)
    first, _ = pages["firstreader"]
    services.set_status(reader=first, paper=Paper.objects.get(slug="solu"), status="reading")

    for name, (_, client) in pages.items():
        html = client.get("/?status=reading").text
        other = "secondreader" if name == "firstreader" else "firstreader"
        assert name in html and other not in html
        assert slugs_in(html) == (["solu"] if name == "firstreader" else [])


def test_a_catalogue_edit_shows_on_the_next_dashboard(returning):
    solu = Paper.objects.get(slug="solu")
    assert "SoLU, as edited" not in returning.get("/").text
    solu.short_name = "SoLU, as edited"
    solu.save()  # what an admin save does
    assert "SoLU, as edited" in returning.get("/").text


def test_a_flash_message_shows_once_and_is_never_cached(returning):
    session = returning.session
    session["_messages"] = MessageEncoder().encode([Message(constants.SUCCESS, "Plan saved.")])
    session.save()

    shown = returning.get("/")
    after = returning.get("/")
    cached = returning.get("/")

    assert "Plan saved." in shown.text
    assert "Plan saved." not in after.text and "Plan saved." not in cached.text


def test_an_htmx_fragment_is_never_served_from_the_page_cache(returning):
    returning.get("/?status=read")
    fragment = returning.get(
        "/?status=read", headers={"HX-Request": "true", "HX-Target": "entries"}
    )
    assert b"<html" not in fragment.content and "ETag" not in fragment


def test_a_dashboard_rendered_afresh_finds_its_kept_entries_in_one_lookup(busy_reader, monkeypatch):
    from django.core.cache import caches

    from progress import dashboard

    client = Client()
    client.force_login(busy_reader)
    first = client.get("/").content  # renders every entry and keeps each one
    # Signed in again (a new token secret: the page is not in the cache), with a list region the
    # cache has never seen, so the list around the entries is rendered again. (Not by emptying
    # caches: with Redis every cache is one database, and emptying one empties all.)
    client = Client()
    client.force_login(busy_reader)
    unseen = f"never-seen-{uuid.uuid4()}"  # Redis outlives a test run
    monkeypatch.setattr(dashboard, "region_key", lambda *args: unseen)
    default = caches["default"]
    singles, many = [], []
    real_get, real_get_many = default.get, default.get_many

    def get(key, *args, **kwargs):  # the template's {% cache %} tag asks one key at a time
        singles.append(key)
        return real_get(key, *args, **kwargs)

    def get_many(keys, **kwargs):
        many.append(keys)
        with monkeypatch.context() as inside:  # get_many asks get() for each key itself
            inside.setattr(default, "get", real_get)
            return real_get_many(keys, **kwargs)

    monkeypatch.setattr(default, "get", get)
    monkeypatch.setattr(default, "get_many", get_many)

    again = client.get("/").content

    assert len(many) == 1 and len(many[0]) == len(slugs_in(first.decode()))
    assert not [key for key in singles if "dashboard-entry" in key]
    # The same page, but for the form tokens, which are masked afresh on every response.
    tokens = re.compile(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"')
    assert tokens.sub(b"", without_tokens(again)) == tokens.sub(b"", without_tokens(first))
