"""Every public page says what it is in a meta description, as search results and link previews
show it (Lighthouse's SEO score drops to 0.90 without one), and each says something of its own."""

import pytest

from catalogue.models import Paper
from tests.factories import PaperFactory
from tests.html import elements

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/papers/",
    "/papers/circuits-zoom-in/",
    "/papers/solu/",
    "/about/",
    "/changes/",
    "/accounts/login/",
    "/accounts/signup/",
]


def _description(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    found = [
        e.values.get("content", "")
        for e in elements(response.content.decode())
        if e.tag == "meta" and e.values.get("name") == "description"
    ]
    assert len(found) == 1, f"{path} has {len(found)} meta descriptions"
    return " ".join(found[0].split())


def test_every_public_page_has_a_description_of_a_useful_length(client, real_catalogue):
    for path in PUBLIC_PAGES:
        description = _description(client, path)
        # Search engines cut descriptions near 160 characters; under 50 says next to nothing.
        assert 50 <= len(description) <= 160, f"{path}: {len(description)} chars: {description!r}"


def test_no_two_public_pages_share_a_description(client, real_catalogue):
    descriptions = {path: _description(client, path) for path in PUBLIC_PAGES}
    shared = {
        path: text
        for path, text in descriptions.items()
        if list(descriptions.values()).count(text) > 1
    }
    assert not shared, f"pages with the same description: {shared}"


@pytest.mark.parametrize("slug", ["circuits-zoom-in", "solu", "mathematical-framework"])
def test_a_paper_pages_description_names_the_paper(client, real_catalogue, slug):
    paper = Paper.objects.get(slug=slug)
    assert paper.name in _description(client, f"/papers/{slug}/")


def test_a_paper_without_a_summary_still_has_a_description_that_names_it(client):
    PaperFactory(title="Unsummarised Circuits", slug="unsummarised", summary="", year=2024)
    description = _description(client, "/papers/unsummarised/")
    assert description.startswith("Unsummarised Circuits (paper, 2024)"), description
    assert len(description) >= 50, description


def test_the_signed_in_paper_page_keeps_its_description(client, reader, real_catalogue):
    client.force_login(reader)
    assert "SoLU" in _description(client, "/papers/solu/")
