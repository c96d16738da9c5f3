"""No input anyone can send makes a form or HTMX endpoint fail with a server error.

Hypothesis sends arbitrary text, numbers, NUL bytes and huge values to every form and fragment,
with and without HX-Request, on whichever database the suite runs on. Each request must be
answered below 500; the test client also re-raises any exception a view lets escape, so a crash
fails with its traceback. State piles up across the examples of one test (they share one
transaction), which is the point: later examples meet the notes, ticks and lockouts earlier ones
made. `@example` pins the inputs that once broke something, so every run tries them.
"""

import io
import json
import os
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from catalogue.models import Paper
from groups import services as group_services
from progress import services
from tests.factories import PASSWORD, UserFactory
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db

# 30 examples a test keep the file well under a minute on two busy cores; FUZZ_EXAMPLES=1000
# searches deeper. CI checks the same examples on every run, so a red build always reproduces;
# local runs try new inputs each time and keep what fails in .hypothesis/ to try first next time.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES") or 30),
    derandomize=os.environ.get("CI") == "true",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Entries of the shipped list: one with a single advised part, two with four, and one that is not.
SLUGS = ["circuits-zoom-in", "induction-heads", "mathematical-framework", "no-such-entry"]
NOTED = "induction-heads"
GROUP = "fuzz-club"
HUGE = 99999999999999999999
LONG = "x" * 10_000

AWKWARD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "inf",
    str(HUGE),
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "0x10",
    "١٢٣",  # Arabic-Indic digits, which int() accepts
    "on",
    "true",
    "unread",
    "READ",
    "read ",
    "<script>alert(1)</script>",
    "%00",
    "\ufeff",
    "\U0010ffff",
    "' OR 1=1 --",
    "\r\n",
    "9999-12-31",
    "0000-00-00",
]


def _repeated(pair: tuple[str, int]) -> str:
    return pair[0] * pair[1]


# Arbitrary Unicode (Hypothesis leaves out lone surrogates, which no HTTP body can carry), the
# awkward values above, and long runs just past common column widths, up to 10,000 characters.
texts = st.one_of(
    st.text(max_size=50),
    st.sampled_from(AWKWARD),
    st.tuples(st.text(min_size=1, max_size=3), st.sampled_from([151, 256, 1001, 10_000])).map(
        _repeated
    ),
)
numbers = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats().map(str),
    texts,
)
# What a URL's <int:...> can hold: digits only, from 0 to far past any column's range.
path_ints = st.one_of(
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=10**40),
    st.sampled_from([2**31, 2**63, HUGE]),
)
slugs = st.sampled_from(SLUGS)
# Header values are Latin-1 on the wire, and servers refuse control characters in them.
header_texts = st.one_of(
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=50),
    st.sampled_from(["http://testserver/?status=read", "/", "0", "//evil.example", "x" * 5000]),
)


@st.composite
def request_headers(draw) -> dict:
    """Sometimes a plain browser request, sometimes htmx, with any target, page and referrer."""
    headers = {}
    if draw(st.booleans()):
        headers["HX-Request"] = "true"
        headers["HX-Target"] = draw(st.sampled_from(["entries", "board", "flash", "", "x"]))
        headers["HX-Current-URL"] = draw(header_texts)
    for name in ["Referer", "User-Agent", "Accept", "Origin"]:
        if draw(st.booleans()):
            headers[name] = draw(header_texts)
    return headers


def fields(**strategies) -> st.SearchStrategy[dict]:
    """A form body where every field may be missing, or sent several times."""
    return st.fixed_dictionaries(
        {},
        optional={name: st.one_of(s, st.lists(s, max_size=3)) for name, s in strategies.items()},
    )


def assert_answered(response) -> None:
    assert response.status_code < 500, response.content[:500]


@pytest.fixture
def reader_client(client, real_catalogue):
    """A signed-in reader with a two-version note and a group they facilitate with one member."""
    reader = UserFactory(username="fuzzer")
    noted = Paper.objects.get(slug=NOTED)
    services.save_note(reader=reader, paper=noted, text="first words", base_version=0)
    services.save_note(reader=reader, paper=noted, text="second words", base_version=1)
    group = group_services.create_group(reader=reader, name="Fuzz club")
    group_services.join(reader=UserFactory(), token=group.invite_token)
    assert group.slug == GROUP
    client.force_login(reader)
    return client


# --- A reader's actions --------------------------------------------------------------------------


@FUZZ
@given(slug=slugs, body=fields(status=texts), headers=request_headers())
@example(slug=NOTED, body={"status": "\x00"}, headers=HTMX)
@example(slug=NOTED, body={"status": ["read", LONG]}, headers={"Referer": "0"})
def test_any_status_change_is_answered_without_a_server_error(reader_client, slug, body, headers):
    assert_answered(reader_client.post(f"/entries/{slug}/status/", body, headers=headers))


# Part keys: the noted entry's own (fixtures/papers.json), one of another entry's, and anything.
part_keys = st.one_of(
    st.sampled_from(["key-concepts-argument-1", "argument-4", "eigenvalues-or-tensor"]), texts
)


@FUZZ
@given(slug=slugs, body=fields(shown=part_keys, done=part_keys), headers=request_headers())
@example(slug=NOTED, body={"shown": "argument-4", "done": "argument-4"}, headers=HTMX)
@example(slug=NOTED, body={"shown": ["argument-4"], "done": "\x00"}, headers={})
@example(slug=NOTED, body={"shown": LONG, "done": [LONG, "argument-4"]}, headers=HTMX)
# A Referer without "/" or "." was once looked up as a view name by redirect().
@example(slug=NOTED, body={"shown": "argument-4"}, headers={"Referer": "0"})
def test_any_checklist_save_is_answered_without_a_server_error(reader_client, slug, body, headers):
    assert_answered(reader_client.post(f"/entries/{slug}/parts/", body, headers=headers))


@FUZZ
@given(slug=slugs, body=fields(text=texts, base_version=numbers), headers=request_headers())
@example(slug=NOTED, body={"text": "a\x00b", "base_version": "2"}, headers=HTMX)
@example(slug=NOTED, body={"text": "ok", "base_version": str(HUGE)}, headers={})
@example(slug=NOTED, body={"text": "ok", "base_version": "-1"}, headers=HTMX)
@example(slug=NOTED, body={"text": "ok", "base_version": "1e309"}, headers={})
@example(slug=NOTED, body={"text": "ok", "base_version": "7"}, headers={})  # a stale save: 409
def test_any_note_save_is_answered_without_a_server_error(reader_client, slug, body, headers):
    assert_answered(reader_client.post(f"/notes/{slug}/", body, headers=headers))
    assert_answered(reader_client.get(f"/notes/{slug}/", headers=headers))


@FUZZ
@given(slug=slugs, version=path_ints, body=fields(base_version=numbers), headers=request_headers())
@example(slug=NOTED, version=1, body={"base_version": "\x00"}, headers=HTMX)
@example(slug=NOTED, version=1, body={"base_version": str(HUGE)}, headers={})
@example(slug=NOTED, version=HUGE, body={"base_version": "2"}, headers={})
@example(slug=NOTED, version=1, body={"base_version": "0"}, headers=HTMX)  # stale: 409
def test_any_restore_or_revision_view_is_answered_without_a_server_error(
    reader_client, slug, version, body, headers
):
    url = f"/notes/{slug}/revisions/{version}/"
    assert_answered(reader_client.post(f"{url}restore/", body, headers=headers))
    assert_answered(reader_client.get(url, headers=headers))
    assert_answered(reader_client.get(f"/notes/{slug}/revisions/", headers=headers))


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_two_megabyte_note_is_refused_without_a_server_error(reader_client, headers):
    # One byte a character (ASCII, NUL) stays under the 2 MB body limit and reaches the length
    # check (400); two bytes a character grows past it and is refused unread (413).
    for text, status in [("x" * 2_000_000, 400), ("\x00" * 2_000_000, 400), ("é" * 2_000_000, 413)]:
        response = reader_client.post(
            f"/notes/{NOTED}/", {"text": text, "base_version": 2}, headers=headers
        )
        assert response.status_code == status, response.content[:300]
    assert reader_client.get(f"/notes/{NOTED}/").context["note"].text == "second words"


# --- Lists and filters ---------------------------------------------------------------------------


@FUZZ
@given(query=fields(status=texts, tier=numbers, kind=texts, q=texts, page=numbers))
@example(query={"q": "\x00", "status": "\x00", "tier": str(HUGE), "kind": "\x00"})
@example(query={"q": LONG, "tier": "-1"})
@example(query={"q": ["a", "b"], "status": ["read", "reading"]})
def test_any_dashboard_filter_is_answered_without_a_server_error(reader_client, query):
    for headers in [{}, HTMX, {**HTMX, "HX-Target": "entries"}]:
        assert_answered(reader_client.get("/", query, headers=headers))


@FUZZ
@given(query=fields(status=texts, tier=numbers, kind=texts, q=texts), headers=request_headers())
@example(query={"q": "\x00", "tier": str(HUGE)}, headers=HTMX)
@example(query={"q": LONG}, headers={})
def test_any_public_page_query_is_answered_without_a_server_error(
    client, real_catalogue, query, headers
):
    for url in ["/", "/papers/", f"/papers/{NOTED}/", "/papers/no-such-entry/", "/about/"]:
        assert_answered(client.get(url, query, headers=headers))


# --- Accounts ------------------------------------------------------------------------------------


@FUZZ
@given(
    body=fields(username=texts, email=texts, password1=texts, password2=texts, next=texts),
    headers=request_headers(),
)
@example(
    body={"username": "a\x00", "email": "a\x00@example.org", "password1": "\x00", "password2": ""},
    headers=HTMX,
)
@example(
    body={"username": LONG, "email": LONG, "password1": LONG, "password2": LONG, "next": LONG},
    headers={},
)
def test_any_sign_up_is_answered_without_a_server_error(client, db, body, headers):
    client.logout()
    assert_answered(client.post("/accounts/signup/", body, headers=headers))


@FUZZ
@given(body=fields(username=texts, password=texts, next=texts), headers=request_headers())
@example(body={"username": "ada\x00", "password": "\x00"}, headers=HTMX)
@example(body={"username": "ada", "password": LONG, "next": "\x00"}, headers={})
# A username past the lockout table's 255 characters once crashed PostgreSQL's insert.
@example(body={"username": LONG, "password": "wrong"}, headers={})
@example(body={"username": "u" * 256, "password": "wrong"}, headers=HTMX)
# Past 50,000 bytes the case-insensitive username lookup is a LIKE pattern SQLite refuses.
@example(body={"username": "\U00010000" * 13_000}, headers={})
def test_any_sign_in_is_answered_without_a_server_error(client, reader, body, headers):
    client.logout()
    assert_answered(client.post("/accounts/login/", body, headers=headers))


@FUZZ
@given(
    body=fields(old_password=texts, new_password1=texts, new_password2=texts),
    email=fields(email=texts),
    uid=texts,
    token=texts,
    headers=request_headers(),
)
@example(
    body={"old_password": "\x00", "new_password1": LONG, "new_password2": LONG},
    email={"email": "a\x00@example.org"},
    uid="\x00",
    token="\x00",
    headers=HTMX,
)
def test_any_password_form_is_answered_without_a_server_error(
    reader_client, body, email, uid, token, headers
):
    from django.test import Client

    assert_answered(reader_client.post("/accounts/password/change/", body, headers=headers))
    visitor = Client()
    assert_answered(visitor.post("/accounts/password/reset/", email, headers=headers))
    reset = f"/accounts/reset/{quote(uid, safe='') or 'x'}/{quote(token, safe='') or 'x'}/"
    assert_answered(visitor.get(reset, headers=headers))


# --- A reader's own data -------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | texts,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def _or_any(value) -> st.SearchStrategy:
    return st.one_of(st.just(value), json_values)


@st.composite
def export_like(draw) -> bytes:
    """A file shaped like a mireads export with any field replaced by any JSON value."""
    tick = st.fixed_dictionaries(
        {"position": st.one_of(st.integers(), json_values), "done_at": _or_any("2024-01-02Z")}
    )
    note = st.fixed_dictionaries(
        {
            "text": texts,
            "version": st.one_of(st.integers(), json_values),
            "updated_at": _or_any("2024-01-03T00:00:00Z"),
            "revisions": json_values,
        }
    )
    entry = {
        "slug": draw(st.one_of(slugs, json_values)),
        "status": draw(st.one_of(st.sampled_from(["read", "reading", None]), json_values)),
        "started_at": draw(_or_any("2024-01-01T00:00:00+00:00")),
        "finished_at": draw(_or_any(None)),
        "updated_at": draw(_or_any("2024-02-01T00:00:00+00:00")),
        "events": draw(_or_any([])),
        "ticks": draw(st.one_of(st.lists(tick, max_size=3), json_values)),
        "note": draw(st.one_of(st.none(), note, json_values)),
    }
    document = {"schema": "mireads-export", "version": 1, "entries": [entry]}
    return json.dumps(document, allow_nan=True).encode()


uploads = st.one_of(
    st.binary(max_size=2000),
    texts.map(str.encode),
    json_values.map(lambda value: json.dumps(value, allow_nan=True).encode()),
    export_like(),
)


def _upload(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


@FUZZ
@given(content=uploads, name=texts, headers=request_headers())
@example(content=b"\x00" * 100, name="mireads.json", headers=HTMX)
@example(content=b'{"schema": "mireads-export", "version": 1e999}', name=LONG, headers={})
@example(content=b"[" * 100_000, name="deep.json", headers={})
def test_any_import_file_is_answered_without_a_server_error(reader_client, content, name, headers):
    upload = _upload(content, (name.replace("\x00", "") or "x")[:200])
    assert_answered(reader_client.post("/account/import/", {"file": upload}, headers=headers))


@FUZZ
@given(body=fields(file=texts), headers=request_headers())
def test_an_import_without_a_file_is_answered_without_a_server_error(reader_client, body, headers):
    assert_answered(reader_client.post("/account/import/", body, headers=headers))


@pytest.mark.parametrize("size", [5 * 1024 * 1024 + 1, 6 * 1024 * 1024])
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_an_import_over_five_megabytes_is_refused_as_too_large(reader_client, size, headers):
    upload = _upload(b"{" + b" " * (size - 2) + b"}", "mireads.json")
    response = reader_client.post("/account/import/", {"file": upload}, headers=headers)
    assert response.status_code == 413, response.content[:300]


@FUZZ
@given(body=fields(password=texts), headers=request_headers())
@example(body={"password": "\x00"}, headers=HTMX)
@example(body={"password": LONG}, headers={})
def test_any_delete_confirmation_is_answered_without_a_server_error(reader_client, body, headers):
    if body.get("password") == PASSWORD:
        return
    assert_answered(reader_client.post("/account/delete/", body, headers=headers))
    assert reader_client.get("/account/export/").status_code == 200, "the account survives"


# --- Reading groups ------------------------------------------------------------------------------

group_slugs = st.sampled_from([GROUP, "no-such-group"])


@FUZZ
@given(
    slug=group_slugs,
    member=path_ints,
    body=fields(
        name=texts,
        description=texts,
        sharing=texts,
        valid_for=numbers,
        member_cap=numbers,
        **{f"target-{n}": texts for n in range(1, 6)},
    ),
    headers=request_headers(),
)
@example(
    slug=GROUP,
    member=HUGE,
    body={"sharing": "\x00", "valid_for": str(HUGE), "member_cap": str(HUGE), "target-1": "\x00"},
    headers=HTMX,
)
@example(
    slug=GROUP,
    member=2**63,
    body={"valid_for": "1e309", "member_cap": "0", "target-1": "9999-12-31", "name": LONG},
    headers={"HX-Target": "board", **HTMX},
)
@example(slug=GROUP, member=0, body={"valid_for": "99999999", "name": "\x00"}, headers={})
def test_any_group_form_is_answered_without_a_server_error(
    reader_client, slug, member, body, headers
):
    assert_answered(reader_client.post("/groups/new/", body, headers=headers))
    for action in ["sharing/", "invite/new/", "invite/cap/", "targets/", "invite/revoke/"]:
        assert_answered(reader_client.post(f"/groups/{slug}/{action}", body, headers=headers))
    for action in ["remove", "hand-over"]:
        url = f"/groups/no-such-group/members/{member}/{action}/"
        assert_answered(reader_client.post(url, body, headers=headers))
    assert_answered(reader_client.post(f"/groups/{GROUP}/members/{member}/remove/", body))
    assert_answered(reader_client.get(f"/groups/{slug}/", headers=headers))
    assert_answered(reader_client.get("/groups/", headers=headers))


@FUZZ
@given(token=texts, headers=request_headers())
@example(token="\x00", headers=HTMX)
@example(token=LONG, headers={})
def test_any_invite_link_is_answered_without_a_server_error(reader_client, token, headers):
    url = f"/groups/join/{quote(token, safe='') or 'x'}/"
    assert_answered(reader_client.get(url, headers=headers))
    assert_answered(reader_client.post(url, headers=headers))


# --- Query strings, path segments, cookies and calendar edges on every kind of page -------------

# What breaks a careless int() or date(): Unicode digits ("²".isdigit() is true), NUL, numbers past
# any column and past Python's 4,300-digit limit, and the calendar's first and last days.
EDGES = [
    "²",
    "٣",
    "\x00",
    "1\x00",
    str(HUGE),
    "9" * 5000,
    "-0",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "\r\n",
    "%00",
]
edge_texts = st.one_of(st.sampled_from(EDGES), texts)
QUERY_NAMES = ["since", "status", "tier", "kind", "q", "page", "next", "version", "target"]
queries = fields(**{name: edge_texts for name in QUERY_NAMES})
READER_PAGES = [
    "/",
    "/papers/",
    f"/papers/{NOTED}/",
    "/changes/",
    f"/changes/{NOTED}/",
    "/changes/feed.atom",
    "/plan/",
    "/groups/",
    f"/groups/{GROUP}/",
    f"/notes/{NOTED}/",
    f"/notes/{NOTED}/revisions/",
    "/account/export/",
]


@FUZZ
@given(query=queries, headers=request_headers())
@example(query={"since": "²"}, headers={})
@example(query={"since": "9" * 5000, "page": "\x00"}, headers=HTMX)
@example(query={"since": "\x00", "tier": "²", "next": "\x00"}, headers={})
def test_any_query_string_on_any_page_is_answered_without_a_server_error(
    reader_client, client, query, headers
):
    for url in READER_PAGES:
        assert_answered(reader_client.get(url, query, headers=headers))
    for url in ["/", "/papers/", "/changes/", f"/changes/{NOTED}/", "/accounts/login/"]:
        assert_answered(client.get(url, query, headers=headers))


segments = st.one_of(st.sampled_from(EDGES), st.text(min_size=1, max_size=40))
PATHS = [
    "/papers/{}/",
    "/changes/{}/",
    "/plan/calendar/{}.ics",
    "/groups/{}/",
    "/groups/join/{}/",
    "/notes/{}/",
    "/entries/{}/checklist/",
    "/accounts/reset/{}/{}/",
]


@FUZZ
@given(segment=segments)
@example(segment="\x00")
@example(segment="²")
@example(segment="9999-12-31")
def test_any_path_segment_is_answered_without_a_server_error(reader_client, client, segment):
    quoted = quote(segment, safe="")
    for pattern in PATHS:
        url = pattern.replace("{}", quoted)
        assert_answered(client.get(url))
        assert_answered(reader_client.get(url))


cookie_values = st.one_of(
    st.sampled_from(['"\\000"', "\x00" * 40, "a\x00" * 20, "\x7f" * 40, "\r\n" * 20, "x" * 4000]),
    st.text(st.characters(max_codepoint=255), max_size=60),
)


@FUZZ
@given(session=cookie_values, csrf=cookie_values, other=cookie_values)
@example(session="\x00" * 40, csrf="\x00", other="\x00")
@example(session="\x00abcdefghijklmnopqrstuvwxyz", csrf="", other="")
def test_any_cookie_is_answered_without_a_server_error(
    client, real_catalogue, session, csrf, other
):
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session
    client.cookies[django_settings.CSRF_COOKIE_NAME] = csrf
    client.cookies["x"] = other
    for url in ["/", "/papers/", "/plan/", "/groups/", "/accounts/login/"]:
        assert_answered(client.get(url))
    assert_answered(client.post("/accounts/login/", {"username": "ada", "password": "x"}))


calendar_dates = st.one_of(
    st.sampled_from(["0001-01-01", "9999-12-31", "9999-12-30", "0001-01-02", "1900-01-01"]),
    st.dates().map(str),
    texts,
)


@FUZZ
@given(start=calendar_dates, hours=numbers, target=calendar_dates, headers=request_headers())
@example(start="9999-12-31", hours="0.5", target="9999-12-31", headers={})
@example(start="0001-01-01", hours="60", target="0001-01-01", headers=HTMX)
def test_every_date_field_takes_the_calendars_edges_without_a_server_error(
    reader_client, start, hours, target, headers
):
    derive = {"hours_per_week": hours, "start": start}
    assert_answered(reader_client.post(f"/groups/{GROUP}/targets/derive/", derive, headers=headers))
    targets = {f"target-{n}": target for n in range(1, 8)}
    assert_answered(reader_client.post(f"/groups/{GROUP}/targets/", targets, headers=headers))
    budget = {
        "hours_per_week": hours,
        "session_time": "19:00",
        "timezone": "UTC",
        "days": ["0"],
        "use_pace": "on",
    }
    assert_answered(reader_client.post("/plan/budget/", budget, headers=headers))
    for url in ["/plan/", f"/groups/{GROUP}/", "/"]:
        assert_answered(reader_client.get(url, headers=headers))


def test_the_inputs_that_once_gave_500s_get_a_4xx_with_one_sentence(reader_client, client):
    since = client.get(f"/changes/{NOTED}/", {"since": "²"})
    assert since.status_code == 400
    assert "“since” must be an edition number" in since.content.decode()
    assert client.get("/plan/calendar/%00.ics").status_code == 404
    derive = reader_client.post(
        f"/groups/{GROUP}/targets/derive/", {"hours_per_week": "3", "start": "9999-12-31"}
    )
    assert derive.status_code == 400
    assert "between 1 January 2000 and 31 December 2100" in derive.content.decode()


@pytest.mark.parametrize("value", ['"\\000\\000\\000\\000\\000\\000\\000\\000"', "\x00" * 32])
def test_a_session_cookie_holding_a_nul_is_no_session(client, real_catalogue, value):
    client.cookies[django_settings.SESSION_COOKIE_NAME] = value
    assert client.get("/").status_code == 200
    assert client.get("/plan/").status_code == 302
