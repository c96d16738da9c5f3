"""Every answer to a signed-in reader is `Cache-Control: no-store`: pages, fragments, redirects,
errors, the public pages a reader sees with their own state. Visitors' pages keep their caching,
static files their far-future headers, and the dashboard its 304s."""

import pytest

from tests.helpers import HTMX
from tests.security.test_access_matrix import MATRIX

pytestmark = pytest.mark.django_db

# Every route the owner may GET, whatever the answer (200, a redirect, a 404): admin's index too.
OWNER_GETS = sorted(name for name in MATRIX if name != "plans:feed")


@pytest.mark.parametrize("name", OWNER_GETS)
def test_every_answer_to_a_signed_in_reader_is_no_store(world, name):
    response = world.client("owner").get(world.url(name))
    assert "no-store" in response.get("Cache-Control", ""), (name, response.status_code)
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


@pytest.mark.parametrize("name", ["paper-list", "catalogue:changes", "catalogue:about"])
def test_a_public_page_seen_signed_in_is_no_store_but_not_for_visitors(world, client, name):
    signed_in = world.client("owner").get(world.url(name))
    visitor = client.get(world.url(name))
    assert "no-store" in signed_in["Cache-Control"]
    assert "no-store" not in visitor.get("Cache-Control", "")


def test_fragments_posts_and_errors_for_a_signed_in_reader_are_no_store(world):
    owner = world.client("owner")
    for response in [
        owner.get("/no-such-page/"),
        owner.get("/", {"status": "reading"}, headers=HTMX),
        owner.post("/entries/owned/status/", {"status": "read"}, headers=HTMX),
        owner.post("/entries/owned/status/", {"status": "read"}),
    ]:
        assert "no-store" in response["Cache-Control"], response.status_code


def test_the_dashboards_304_still_answers_a_matching_etag(world):
    owner = world.client("owner")
    page = owner.get("/")
    again = owner.get("/", headers={"if-none-match": page["ETag"]})
    assert again.status_code == 304
    assert "no-store" in page["Cache-Control"]
