"""What a status change or a tick answers with: the entry's head, kept once for every reader with
the entry in the same state, always in its new state and always with the asking reader's own form
token."""

import re

import pytest
from django.test import Client

from catalogue.models import Level
from progress.dashboard import csrf_placeholder
from tests.factories import AdviceFactory, PaperFactory, UserFactory
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def entry(db):
    paper = PaperFactory(slug="solu-like", short_name="SoLU-like")
    AdviceFactory(paper=paper, key="method", position=1, level=Level.DEEP, part="The method")
    AdviceFactory(paper=paper, key="results", position=2, level=Level.SKIM, part="The results")
    return paper


def _signed_in(username: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username=username))
    return client


def _head(html: str, slug: str) -> str:
    return html.split(f'id="head-{slug}"', 1)[1].split('id="overview"', 1)[0]


def _pressed(html: str, slug: str) -> list[str]:
    head = _head(html, slug)
    return re.findall(r'value="(\w+)"[^>]*aria-pressed="true"', head)


def test_two_readers_get_the_same_head_each_with_a_token_that_works_for_them(entry):
    tokens = {}
    for name in ["ada", "grace"]:
        client = _signed_in(name)
        token = TOKEN.search(client.get("/").content.decode()).group(1)
        for status in ["reading", "read"]:  # the second reader's heads are the first one's, kept
            response = client.post(
                "/entries/solu-like/status/",
                {"status": status},
                headers={**HTMX, "X-CSRFToken": token},
            )
            html = response.content.decode()
            assert response.status_code == 200
            assert _pressed(html, entry.slug) == [status]
            assert csrf_placeholder() not in html
            token = TOKEN.search(_head(html, entry.slug)).group(1)
        # The head's own form token is this reader's: their next change with it goes through.
        again = client.post(
            "/entries/solu-like/status/",
            {"status": "skimmed", "csrfmiddlewaretoken": token},
            headers=HTMX,
        )
        assert again.status_code == 200 and _pressed(again.content.decode(), entry.slug) == [
            "skimmed"
        ]
        tokens[name] = token
    other = _signed_in("linus")
    other.get("/")
    stolen = {"status": "read", "csrfmiddlewaretoken": tokens["ada"]}
    assert other.post("/entries/solu-like/status/", stolen, headers=HTMX).status_code == 403


def test_a_tick_answers_with_the_head_in_its_new_state_every_time(entry):
    client = _signed_in("ada")
    token = TOKEN.search(client.get("/").content.decode()).group(1)
    headers = {**HTMX, "X-CSRFToken": token}
    for done, counted, pressed in [
        (["method"], "1 of 2 parts", "reading"),
        ([], "0 of 2 parts", "reading"),
        (["method", "results"], "2 of 2 parts", "reading"),
    ]:
        response = client.post(
            "/entries/solu-like/parts/",
            {"shown": ["method", "results"], "done": done},
            headers=headers,
        )
        html = response.content.decode()
        assert response.status_code == 200
        head = html.split('id="head-solu-like"', 1)[1]
        assert counted in head.split("</form>", 1)[0]
        assert re.findall(r'value="(\w+)"[^>]*aria-pressed="true"', head)[:1] == [pressed]
        assert csrf_placeholder() not in html
