"""Hardening. Deployment checks, cookies and HTTPS, the Content Security Policy, CSRF,
stored XSS and privacy. docs/security.md maps each point of the issue to the tests that prove it;
the access-control matrix is in tests/security/test_access_matrix.py."""

import json
import os
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import catalogue.views
from catalogue import pagecache
from catalogue.models import Advice, Paper, Section
from groups import services as group_services
from groups.models import ReadingGroup, Sharing
from progress import services
from progress.models import Note, NoteRevision, Status
from tests.commands import manage
from tests.factories import PASSWORD, AdviceFactory, PaperFactory, SectionFactory, UserFactory
from tests.helpers import HOSTILE_PAYLOADS, HTMX
from tests.html import elements
from tests.security.test_access_matrix import ACTORS, LOGIN, MATRIX

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


# --- 1. check --deploy ----------------------------------------------------------------------------


def production_environment(**overrides: str) -> dict[str, str]:
    """This process's environment without any mireads setting, plus production values: debug
    off (the default), a strong random key, a real host name, HTTPS on (the default)."""
    # DJANGO_ too: the browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE in this process.
    ours = (
        "MIREADS_", "EMAIL_", "DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
        "DATABASE",
    )  # fmt: skip
    environment = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    environment.update(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="mireads.example.org")
    environment.update(overrides)
    return environment


def test_check_deploy_passes_with_production_settings():
    # Production sends password-reset mail over SMTP; without a mail host, check --deploy
    # rightly refuses the console backend (see the next test).
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        environment=production_environment(EMAIL_HOST="smtp.example.org"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_a_production_server_without_a_mail_host():
    result = manage("check", "--deploy", environment=production_environment())
    assert result.returncode != 0
    assert "mail.E001" in result.stderr


# --- 2. Cookies, HSTS and HTTPS behind the proxy --------------------------------------------------

# Settings are computed from the environment at import, so the production behaviour is observed
# in a separate process: this script signs a reader in with Django's test client and prints what
# came back as JSON on its last line.
PROBE = """
import json

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

HOST, PASSWORD, SECURE = {host!r}, {password!r}, {secure!r}


def cookies(response):
    return {{
        name: {{
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
            "path": morsel["path"],
            "domain": morsel["domain"],
        }}
        for name, morsel in response.cookies.items()
    }}


call_command("migrate", verbosity=0)
get_user_model().objects.create_user("probe", password=PASSWORD)
through_proxy = {{"X-Forwarded-Proto": "https"}} if SECURE else {{}}
client = Client(HTTP_HOST=HOST)
# Static file hashing is not under test, and a fresh clone has no collected manifest.
with override_settings(
    STORAGES={{
        "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
        "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
    }}
):
    plain = client.get("/papers/")
    health = client.get("/healthz")
    page = client.get("/accounts/login/", headers=through_proxy)
    login = client.post(
        "/accounts/login/", {{"username": "probe", "password": PASSWORD}}, headers=through_proxy
    )
seen = {{
    "plain": {{"status": plain.status_code, "location": plain.get("Location")}},
    "healthz": health.status_code,
    "page": {{
        "status": page.status_code,
        "secure": page.wsgi_request.is_secure(),
        "hsts": page.get("Strict-Transport-Security"),
        "cookies": cookies(page),
    }},
    "login": {{"status": login.status_code, "cookies": cookies(login)}},
}}
print("PROBE " + json.dumps(seen))
"""


def probe(tmp_path_factory, *, host: str, secure: bool, **environment: str) -> dict:
    database = tmp_path_factory.mktemp("probe") / "probe.sqlite3"
    script = PROBE.format(host=host, password=PASSWORD, secure=secure)
    result = manage(
        "shell",
        "-c",
        script,
        environment=production_environment(DATABASE_URL=f"sqlite:///{database}", **environment),
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("PROBE "))
    return json.loads(line.removeprefix("PROBE "))


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    """What a browser would see from a production server behind the TLS proxy."""
    return probe(tmp_path_factory, host="mireads.example.org", secure=True)


@pytest.fixture(scope="module")
def plain_http(tmp_path_factory) -> dict:
    """What `make serve` (debug off, MIREADS_HTTPS=false) answers over plain http."""
    return probe(
        tmp_path_factory,
        host="127.0.0.1",
        secure=False,
        MIREADS_HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )


def test_production_redirects_plain_http_to_https(production):
    assert production["plain"] == {
        "status": 301,
        "location": "https://mireads.example.org/papers/",
    }


def test_the_health_check_answers_over_plain_http_for_the_proxy(production):
    assert production["healthz"] == 200


def test_a_request_the_proxy_marks_https_is_secure_and_not_redirected(production):
    assert production["page"]["status"] == 200
    assert production["page"]["secure"] is True


def test_production_sends_hsts_for_a_year_including_subdomains(production):
    hsts = production["page"]["hsts"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts


def test_production_cookies_are_host_prefixed_secure_httponly_and_lax(production):
    cookies = {**production["page"]["cookies"], **production["login"]["cookies"]}
    assert production["login"]["status"] == 302, "the probe reader signed in"
    assert {"__Host-sessionid", "__Host-csrftoken"} <= set(cookies)
    for name in ["__Host-sessionid", "__Host-csrftoken"]:
        # A __Host- cookie must be Secure, have Path=/ and no Domain, or browsers drop it.
        assert cookies[name] == {
            "secure": True,
            "httponly": True,
            "samesite": "Lax",
            "path": "/",
            "domain": "",
        }, name


def test_plain_http_serving_works_without_redirects_or_secure_cookies(plain_http):
    assert plain_http["plain"] == {"status": 200, "location": None}
    assert plain_http["page"]["hsts"] is None
    assert plain_http["login"]["status"] == 302, "the probe reader signed in over plain http"
    cookies = {**plain_http["page"]["cookies"], **plain_http["login"]["cookies"]}
    assert {"sessionid", "csrftoken"} <= set(cookies)
    assert not any(name.startswith("__Host-") for name in cookies)
    for name in ["sessionid", "csrftoken"]:
        assert cookies[name]["secure"] is False, name
        assert cookies[name]["httponly"] is True, name
        assert cookies[name]["samesite"] == "Lax", name


# --- 3. Content Security Policy -------------------------------------------------------------------


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def nonce_of(response) -> str | None:
    """The nonce in the policy; Django only adds one when the page used it (a fragment without
    scripts gets none, so no script at all may run from it)."""
    nonces = [s for s in policy(response)["script-src"] if s.startswith("'nonce-")]
    return nonces[0].removeprefix("'nonce-").removesuffix("'") if nonces else None


def scripts(html: str) -> list[dict]:
    """Every <script> tag's attributes and its inline content."""
    return [
        {**element.values, "inline": element.text.strip()}
        for element in elements(html)
        if element.tag == "script"
    ]


def test_every_page_gets_a_strict_policy_for_scripts_objects_bases_and_frames(client):
    csp = policy(client.get("/papers/"))
    assert csp["default-src"] == ["'self'"]
    script_src = csp["script-src"]
    assert "'self'" in script_src
    assert any(s.startswith("'nonce-") for s in script_src)
    forbidden = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "https:"}
    assert not forbidden & set(script_src)
    assert "script-src-elem" not in csp and "script-src-attr" not in csp
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]


@pytest.fixture
def every_page(world):
    """(who, url, response) for every HTML page a visitor can open: every route in the access
    matrix that answers someone 200 with HTML, the admin pages, and the error pages."""
    paper = Paper.objects.get(slug="owned")
    PaperFactory(section=paper.section, parent=paper)
    admin_pages = [
        "/admin/",
        "/admin/catalogue/paper/",
        f"/admin/catalogue/paper/{paper.pk}/change/",
        "/admin/catalogue/paper/add/",
        "/admin/catalogue/section/",
        f"/admin/catalogue/section/{paper.section.pk}/change/",
    ]
    seen = []
    for name, row in MATRIX.items():
        for actor, outcome in zip(ACTORS, row.get, strict=True):
            if outcome == 200 and name != "admin:index":
                url = world.url(name)
                response = world.client(actor).get(url)
                if response["Content-Type"].startswith("text/html"):
                    seen.append((actor, url, response))
    for url in admin_pages:
        seen.append(("staff", url, world.client("staff").get(url)))
    owner = world.client("owner")
    seen.append(("owner", "/no/such/page/", owner.get("/no/such/page/")))
    note = world.url("progress:note")
    seen.append(("owner", f"{note} (fragment)", owner.get(note, headers=HTMX)))
    stale = Client(enforce_csrf_checks=True)
    stale.force_login(world.owner)
    seen.append(("owner", "CSRF failure", stale.post(world.url("progress:set-status"))))
    return seen


def test_every_script_on_every_page_carries_the_nonce_and_none_is_inline(every_page):
    assert len(every_page) > 30
    problems = []
    for actor, url, response in every_page:
        nonce = nonce_of(response)
        for tag in scripts(response.content.decode()):
            if nonce is None or tag.get("nonce") != nonce:
                problems.append(f"{url} ({actor}): a script without this response's nonce: {tag}")
            if tag["inline"] or not tag.get("src", "").startswith("/"):
                problems.append(f"{url} ({actor}): not a same-origin script file: {tag}")
    assert not problems, "\n".join(problems)


def test_no_page_has_inline_style_attributes_or_event_handlers(every_page):
    problems = []
    for actor, url, response in every_page:
        found = inventory(response.content.decode())
        if found.handlers or found.styles:
            problems.append(f"{url} ({actor}): {found.handlers + found.styles}")
    assert not problems, "\n".join(problems)


# --- 6. CSRF --------------------------------------------------------------------------------------

POST_ROUTES = sorted(name for name, row in MATRIX.items() if row.post is not None)


@pytest.mark.parametrize("name", POST_ROUTES)
def test_every_state_changing_route_refuses_a_post_without_a_csrf_token(world, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    response = client.post(world.url(name), {})
    assert response.status_code == 403
    assert b"Reload the page" in response.content


@pytest.mark.parametrize(
    "name",
    [n for n in POST_ROUTES if MATRIX[n].post[ACTORS.index("anonymous")] != LOGIN],
)
def test_a_form_anonymous_visitors_may_post_refuses_them_without_a_csrf_token(world, name):
    response = Client(enforce_csrf_checks=True).post(world.url(name), {})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url", ["/admin/login/", "/admin/catalogue/section/add/", "/admin/logout/"]
)
def test_admin_forms_refuse_a_post_without_a_csrf_token(staff, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize("name", [n for n in POST_ROUTES if set(MATRIX[n].get[1:]) == {405}])
def test_a_post_only_route_refuses_a_get(world, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    assert client.get(world.url(name)).status_code == 405


def token_in(response) -> str:
    """The CSRF token a page hands to htmx (hx-headers on <body>) or to its forms."""
    html = response.content.decode()
    found = re.search(r'"X-CSRFToken": "([^"]+)"', html) or re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', html
    )
    return found.group(1)


def sign_in_again(client: Client, reader) -> None:
    """Sign in through the form, as a second tab would: Django rotates the CSRF token."""
    token = token_in(client.get(reverse("accounts:login")))
    response = client.post(
        reverse("accounts:login"),
        {"username": reader.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


@pytest.fixture
def stale_token(reader, paper):
    """A signed-in client and the token from a page it loaded before signing in again."""
    client = Client(enforce_csrf_checks=True)
    sign_in_again(client, reader)
    old = token_in(client.get("/"))
    sign_in_again(client, reader)
    assert token_in(client.get("/")) != old
    return client, old


def test_a_token_from_before_signing_in_again_is_refused_with_a_reload_message(stale_token, paper):
    client, old = stale_token
    response = client.post(
        reverse("progress:set-status", args=[paper.slug]),
        {"status": "read"},
        headers={"X-CSRFToken": old},
    )
    assert response.status_code == 403
    assert b"Reload the page" in response.content
    assert not paper.reading_states.exists()


def test_a_stale_htmx_post_gets_the_reload_message_in_the_flash_area(stale_token, paper):
    client, old = stale_token
    response = client.post(
        reverse("progress:set-status", args=[paper.slug]),
        {"status": "read"},
        headers={**HTMX, "X-CSRFToken": old},
    )
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#flash"
    assert response["HX-Reswap"].startswith("innerHTML")
    # htmx keeps only the element HX-Reselect picks: the message, not a second page.
    assert response["HX-Reselect"] == "#main [role=alert]"
    main = response.content.decode().split('<main id="main"', 1)[1]
    alert = re.search(r'<p [^>]*role="alert"[^>]*>(.*?)</p>', main, re.S)
    assert "Reload the page" in alert.group(1)


def test_the_current_token_still_works_after_signing_in_again(stale_token, paper):
    client, _ = stale_token
    response = client.post(
        reverse("progress:set-status", args=[paper.slug]),
        {"status": "read"},
        headers={**HTMX, "X-CSRFToken": token_in(client.get("/"))},
    )
    assert response.status_code == 200


# --- 7. Stored XSS --------------------------------------------------------------------------------

PAYLOADS = HOSTILE_PAYLOADS
BENIGN = "Plain words"

# Elements that run, load or submit something: a payload must never add one to a page.
ACTIVE_TAGS = {
    "script", "iframe", "frame", "object", "embed", "svg", "math", "img", "base", "meta", "link",
    "style", "form", "input", "button", "textarea", "select", "template", "video", "audio",
    "source",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}


@dataclass
class Inventory:
    """What on a page can act: active elements, event handlers, htmx attributes, script URLs."""

    tags: Counter = field(default_factory=Counter)
    handlers: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    htmx: list[tuple[str, str, str]] = field(default_factory=list)
    script_urls: list[str] = field(default_factory=list)


def inventory(html: str) -> Inventory:
    found = Inventory()
    for element in elements(html):
        tag = element.tag
        if tag in ACTIVE_TAGS:
            found.tags[tag] += 1
        for name, value in element.attrs:
            if name.startswith("on"):
                found.handlers.append(f"<{tag} {name}>")
            if name == "style":
                found.styles.append(f'<{tag} style="{value}">')
            if name.startswith(("hx-", "data-hx-")):
                # The CSRF token differs on every response; the attribute itself is the app's.
                value = re.sub(r'"X-CSRFToken": "[^"]+"', "TOKEN", value)
                found.htmx.append((tag, name, value))
            scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if name in URL_ATTRIBUTES and scheme.startswith(("javascript:", "vbscript:")):
                found.script_urls.append(f'<{tag} {name}="{value}">')
    return found


def test_the_inventory_sees_each_kind_of_active_markup():
    found = inventory(
        '<p>safe</p><div hx-get="/x" hx-trigger="load"></div><img src=x onerror=alert(1)>'
        '<a href=" JaVa\tScRiPt:alert(1)">x</a><svg onload=alert(1)></svg><b style="x">'
    )
    assert found.tags == Counter({"img": 1, "svg": 1})
    assert found.handlers == ["<img onerror>", "<svg onload>"]
    assert [name for _, name, _ in found.htmx] == ["hx-get", "hx-trigger"]
    assert len(found.script_urls) == 1 and len(found.styles) == 1
    assert inventory("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>").tags == Counter()


@pytest.fixture
def catalogue_with_text(db):
    """A tier with a subsection; an entry with advice and a nested entry in the tier, another
    entry in the subsection. `fill(text)` puts `text` in every field an editor writes."""
    tier = SectionFactory(slug="tier", priority=1, position=1)
    subsection = SectionFactory(slug="sub", priority=1, position=2, parent=tier)
    first = PaperFactory(slug="first", section=tier, position=1)
    nested = PaperFactory(slug="nested", section=tier, position=1, parent=first)
    other = PaperFactory(slug="other", section=subsection, position=1)
    for paper in [first, nested, other]:
        AdviceFactory(paper=paper, position=1)

    def fill(text: str) -> None:
        Section.objects.update(title=text, intro=text)
        Paper.objects.update(title=text, short_name=text, summary=text, commentary=text)
        Advice.objects.update(part=text, detail=text)
        Note.objects.update(text=text)
        NoteRevision.objects.update(text=text)
        # What readers write that other readers see: a group's name and description.
        ReadingGroup.objects.update(name=text, description=text)
        # Bulk updates send no signals: say the list changed, as every save of it does, so the
        # cached pages (visitors' pages, dashboards) are rendered again with the text.
        pagecache.bump()

    return fill


@pytest.fixture
def xss_clients(catalogue_with_text, reader, staff):
    """An anonymous visitor, the reader (with a status, a tick and a two-version note on
    "first", in a group where another member shares their note) and staff, looking at the same
    catalogue."""
    first = Paper.objects.get(slug="first")
    services.set_status(reader=reader, paper=first, status=Status.READING)
    # Ticked before the first look, so the pages' own tick request changes nothing between the
    # benign pass and the payload pass (all deep parts ticked offers "Mark as read" in place).
    part = first.advice.get()
    services.set_parts_done(reader=reader, paper=first, shown={part.key}, done={part.key})
    services.save_note(reader=reader, paper=first, text=BENIGN, base_version=0)
    services.save_note(reader=reader, paper=first, text=f"{BENIGN}, revised", base_version=1)
    group = group_services.create_group(reader=reader, name="group")
    member = UserFactory(username="member")
    membership = group_services.join(reader=member, token=group.invite_token)
    group_services.set_sharing(membership=membership, sharing=Sharing.PROGRESS_AND_NOTES)
    services.set_status(reader=member, paper=first, status=Status.READING)
    services.save_note(reader=member, paper=first, text=BENIGN, base_version=0)
    clients = {"anonymous": Client(), "reader": Client(), "staff": Client()}
    clients["reader"].force_login(reader)
    clients["staff"].force_login(staff)
    return clients


def pages_showing_text(clients) -> dict[str, object]:
    """Every page and fragment that shows catalogue or note text, by a description."""
    anonymous, reader, staff = clients["anonymous"], clients["reader"], clients["staff"]
    first = Paper.objects.get(slug="first")
    part_key = first.advice.get().key
    tier = Section.objects.get(slug="tier")
    note = reverse("progress:note", args=["first"])
    # Another tab's text on an old base: a conflict (the same text as saved would be a retry,
    # answered as saved).
    stale = {"text": f"{BENIGN} from another tab", "base_version": 1}
    pages = {
        "landing": anonymous.get("/"),
        "paper list": anonymous.get("/papers/"),
        "dashboard": reader.get("/"),
        "dashboard, filtered (fragment)": reader.get(
            "/", {"q": "a"}, headers={**HTMX, "HX-Target": "entries"}
        ),
        "note page": reader.get(note),
        "note editor (fragment)": reader.get(note, headers=HTMX),
        "note conflict (fragment)": reader.post(note, stale, headers=HTMX),
        "note conflict (page)": reader.post(note, stale),
        "revisions": reader.get(reverse("progress:note-revisions", args=["first"])),
        "revision 1": reader.get(reverse("progress:note-revision", args=["first", 1])),
        "revision 2": reader.get(reverse("progress:note-revision", args=["first", 2])),
        "status change (fragment)": reader.post(
            reverse("progress:set-status", args=["first"]), {"status": "reading"}, headers=HTMX
        ),
        "tick (fragment)": reader.post(
            reverse("progress:set-parts", args=["first"]),
            {"shown": part_key, "done": part_key},
            headers=HTMX,
        ),
        "group page": reader.get("/groups/group/"),
        "group board (fragment)": reader.get(
            "/groups/group/", headers={**HTMX, "HX-Target": "board"}
        ),
        "groups list": reader.get("/groups/"),
        "admin paper list": staff.get("/admin/catalogue/paper/"),
        "admin paper form": staff.get(f"/admin/catalogue/paper/{first.pk}/change/"),
        "admin section list": staff.get("/admin/catalogue/section/"),
        "admin section form": staff.get(f"/admin/catalogue/section/{tier.pk}/change/"),
    }
    for slug in ["first", "nested", "other"]:
        pages[f"paper page {slug}"] = anonymous.get(f"/papers/{slug}/")
        pages[f"paper page {slug}, signed in"] = reader.get(f"/papers/{slug}/")
    return pages


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_stored_payload_is_inert_on_every_page_that_shows_it(
    xss_clients, catalogue_with_text, payload
):
    catalogue_with_text(BENIGN)
    before = {
        page: inventory(r.content.decode()) for page, r in pages_showing_text(xss_clients).items()
    }
    catalogue_with_text(payload)
    problems = []
    for page, response in pages_showing_text(xss_clients).items():
        html = response.content.decode()
        found, usual = inventory(html), before[page]
        if found.tags != usual.tags:
            problems.append(f"{page}: elements {found.tags - usual.tags} appeared")
        if found.handlers or found.script_urls or found.styles:
            problems.append(f"{page}: {found.handlers + found.script_urls + found.styles}")
        if found.htmx != usual.htmx:
            problems.append(f"{page}: htmx attributes {set(found.htmx) - set(usual.htmx)}")
        if "injected" in html:
            problems.append(f"{page}: the template syntax was evaluated")
    assert not problems, "\n".join(problems)
    shown = pages_showing_text(xss_clients)
    for page in ["paper page first", "group page"]:
        assert escape(payload) in shown[page].content.decode(), f"{page} shows it, as text"


def test_a_payload_saved_through_the_admin_is_stored_verbatim_and_shown_as_text(xss_clients, staff):
    tier = Section.objects.get(slug="tier")
    payload = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
    response = xss_clients["staff"].post(
        f"/admin/catalogue/section/{tier.pk}/change/",
        {
            "curriculum": tier.curriculum_id,
            "title": payload,
            "slug": "tier",
            "priority": 1,
            "position": 1,
            "intro": payload,
        },
    )
    assert response.status_code == 302, response.content.decode()
    tier.refresh_from_db()
    assert tier.title == tier.intro == payload
    html = xss_clients["anonymous"].get("/papers/").content.decode()
    assert escape(payload) in html
    found = inventory(html)
    assert not found.handlers and found.tags["script"] == len(scripts(html)) == 1


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/papers/export.csv", "text/csv"),
        ("/papers/export.bib", "application/x-bibtex"),
        ("/account/export/mireads.json", "application/json"),
        ("/account/export/mireads.md", "text/markdown"),
        ("/account/export/mireads-notes.zip", "application/zip"),
    ],
)
def test_exports_with_payloads_are_downloads_never_pages(
    xss_clients, catalogue_with_text, url, content_type
):
    catalogue_with_text(PAYLOADS[0])
    response = xss_clients["reader"].get(url)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


# --- 10. Privacy ----------------------------------------------------------------------------------


def htmx_config(response) -> dict:
    found = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", response.content.decode())
    return json.loads(found.group(1))


def test_htmx_keeps_no_history_snapshots_evaluates_nothing_and_stays_on_this_site(
    client_as_reader,
):
    config = htmx_config(client_as_reader.get("/"))
    # A snapshot in localStorage would keep a reader's notes after signing out.
    assert config["historyCacheSize"] == 0
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["selfRequestsOnly"] is True


# The dashboard and every page of a reader's notes, data and groups (the empty form for a new
# group shows none).
READER_DATA_ROUTES = sorted(
    name
    for name, row in MATRIX.items()
    if (name == "home" or name.split(":")[0] in {"progress", "account", "groups"})
    and row.get[ACTORS.index("owner")] == 200
    and name != "groups:create"
)


@pytest.mark.parametrize("name", READER_DATA_ROUTES)
def test_a_page_with_reader_data_is_never_stored_by_caches(world, name):
    response = world.client("owner").get(world.url(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_404_page_is_ours_without_debug_details(client_as_reader, settings):
    settings.DEBUG = False
    response = client_as_reader.get("/notes/no-such-entry/revisions/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Not found" in html and "mireads" in html
    assert "Traceback" not in html and "No Paper matches" not in html and "URLconf" not in html


def test_an_htmx_404_shows_its_message_in_the_flash_area(client_as_reader, settings):
    settings.DEBUG = False
    response = client_as_reader.post("/entries/no-such-entry/status/", {}, headers=HTMX)
    assert response.status_code == 404
    assert response["HX-Retarget"] == "#flash"
    assert response["HX-Reselect"] == "#main p"
    assert "There is nothing at this address" in response.content.decode()


def test_the_500_page_is_ours_without_a_traceback_and_the_error_is_logged(
    client, monkeypatch, settings, caplog
):
    settings.DEBUG = False

    def broken(*args, **kwargs):
        raise RuntimeError("a detail no visitor should see")

    monkeypatch.setattr(catalogue.views, "render", broken)
    client.raise_request_exception = False
    response = client.get("/about/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    for leak in ["Traceback", "RuntimeError", "a detail no visitor should see", "catalogue/"]:
        assert leak not in html
    assert any(r.name == "django.request" and r.levelname == "ERROR" for r in caplog.records)
