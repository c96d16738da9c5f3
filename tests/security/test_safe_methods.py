"""HEAD answers wherever GET does (uptime monitors use it), and the invite page is never cached."""

import pytest

from tests.security.test_access_matrix import ACTORS, MATRIX, outcome_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(n for n, row in MATRIX.items() if row.get != (405,) * 4))
def test_head_answers_wherever_get_does_with_the_same_status_and_no_body(world, name):
    url = world.url(name)
    for actor in ACTORS:
        client = world.client(actor)
        got, head = client.get(url), client.head(url)
        assert outcome_of(head) == outcome_of(got), f"HEAD {url} as {actor}"
        assert head.getvalue() == b"", f"HEAD {url} as {actor} sent a body"


def test_the_invite_page_is_never_stored_by_caches(world):
    response = world.client("other").get(world.url("groups:join"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
