"""Bounded work per request: bodies over a route's limit are refused unread."""

import io

import pytest
from django.conf import settings

from tests.security.test_access_matrix import MATRIX

pytestmark = pytest.mark.django_db

POST_ROUTES = sorted(name for name, row in MATRIX.items() if row.post is not None)


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, size=-1):
        raise AssertionError("the body of an oversized request was read")

    readline = readinto = read


def post_declaring(client, url: str, length: int, **extra):
    return client.generic(
        "POST",
        url,
        b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": UnreadableBody()},
        **extra,
    )


@pytest.mark.parametrize("name", [n for n in POST_ROUTES if n != "accounts:import"])
@pytest.mark.parametrize("actor", ["anonymous", "owner"])
def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(world, name, actor):
    limit = settings.REQUEST_BODY_MAX_BYTES
    response = post_declaring(world.client(actor), world.url(name), limit + 1)
    assert response.status_code == 413
    assert "larger than 2 MB" in response.content.decode()


def test_an_htmx_post_over_the_limit_gets_the_message_in_the_flash_area(world):
    response = post_declaring(
        world.client("owner"),
        world.url("progress:note"),
        settings.REQUEST_BODY_MAX_BYTES + 1,
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 413
    assert response["HX-Retarget"] == "#flash"


def test_a_body_at_the_limit_is_read_as_usual(world):
    # A note of the longest allowed text, percent-encoded at its widest, fits under the limit.
    text = "€" * 100_000
    response = world.client("owner").post(world.url("progress:note"), {"text": text})
    assert response.status_code != 413


def test_import_keeps_its_larger_limit(world):
    limit = settings.REQUEST_BODY_MAX_BYTES
    body = b"x" * (limit + 1)
    response = world.client("owner").generic(
        "POST", world.url("accounts:import"), body, content_type="application/json"
    )
    assert response.status_code != 413


def test_every_form_field_counts_towards_djangos_own_limit_too():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.REQUEST_BODY_MAX_BYTES


def test_make_serve_sets_gunicorns_request_line_and_header_limits():
    makefile = (settings.BASE_DIR / "Makefile").read_text()
    serve = makefile.split("\nserve: install", 1)[1].split("\n\n", 1)[0]
    for flag in ("--limit-request-line", "--limit-request-fields", "--limit-request-field_size"):
        assert flag in serve
