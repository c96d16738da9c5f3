"""Dashboard search looks in the reader's own notes and the advised parts, not others' notes."""

import re

import pytest

from progress import services
from tests.factories import AdviceFactory, PaperFactory, UserFactory, build_catalogue

pytestmark = pytest.mark.django_db


def slugs_in(html: str) -> list[str]:
    return re.findall(r'<li class="entry" id="entry-([\w-]+)">', html)


def test_search_finds_an_entry_by_a_word_only_in_my_note(client_as_reader, reader):
    paper = PaperFactory(slug="quiet-entry", title="Plain title")
    PaperFactory(slug="other-entry", title="Another title")
    services.save_note(reader=reader, paper=paper, text="Reminds me of Zanzibar.", base_version=0)
    found = slugs_in(client_as_reader.get("/?q=zanzibar").content.decode())
    assert found == ["quiet-entry"]


def test_search_does_not_find_an_entry_by_a_word_only_in_another_readers_note(
    client_as_reader, other_reader
):
    paper = PaperFactory(slug="quiet-entry", title="Plain title")
    services.save_note(reader=other_reader, paper=paper, text="Zanzibar", base_version=0)
    assert slugs_in(client_as_reader.get("/?q=zanzibar").content.decode()) == []


def test_search_finds_an_entry_by_a_word_only_in_an_advised_parts_detail(client_as_reader):
    paper = PaperFactory(slug="quiet-entry", title="Plain title")
    AdviceFactory(paper=paper, part="Section 3", detail="The bit about polysemantic neurons.")
    PaperFactory(slug="other-entry", title="Another title")
    assert slugs_in(client_as_reader.get("/?q=POLYSEMANTIC").content.decode()) == ["quiet-entry"]
    assert slugs_in(client_as_reader.get("/?q=section 3").content.decode()) == ["quiet-entry"]


@pytest.mark.parametrize("entries", [30, 300])
def test_a_search_runs_the_same_fixed_number_of_queries_at_any_size(
    client, entries, django_assert_max_num_queries
):
    papers = build_catalogue(entries)
    reader = UserFactory(username=f"searcher{entries}")
    for index, paper in enumerate(papers):
        if index % 2:
            services.save_note(reader=reader, paper=paper, text="needle " * 20, base_version=0)
    client.force_login(reader)
    with django_assert_max_num_queries(8) as captured:
        response = client.get("/?q=needle")
    assert response.status_code == 200
    assert len(slugs_in(response.content.decode())) == entries // 2
    # session, user, entries with the reader's state and note, checklists, editions, the reading
    # events (the activity chart's and the pace's), the reader's plan, after the versions the
    # page is cached under (as tests/progress/test_dashboard)
    assert len(captured) == 8
