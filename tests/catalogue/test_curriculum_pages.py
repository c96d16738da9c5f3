"""Editions, /changes/, the Atom feed and the downloads are per curriculum (issue 25, point 5):
every published curriculum has them under /lists/<slug>/, a draft or unknown slug has none, one
curriculum's editions never show on another's pages, and the addresses that worked before
curricula still serve the default one."""

import csv
import io
import json
import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from catalogue import editions
from catalogue.models import Curriculum, Paper
from tests.factories import AdviceFactory, CurriculumFactory, PaperFactory, SectionFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
PAGES = [
    "curriculum-changes",
    "curriculum-changes-feed",
    "curriculum-export-bib",
    "curriculum-export-csv",
    "curriculum-export-csl",
]


def _published(title: str, slug: str) -> Curriculum:
    """A curriculum with one entry (advised in one part), published as edition 1."""
    curriculum = CurriculumFactory(title=title, slug=slug)
    section = SectionFactory(curriculum=curriculum, priority=1, title=f"{title} one")
    paper = PaperFactory(section=section, title=f"Paper of {title}", slug=f"{slug}-first")
    AdviceFactory(paper=paper, level="deep", part="Section 2")
    editions.publish(note=f"{title} begins", curriculum=curriculum)
    return curriculum


def _second_edition(curriculum: Curriculum) -> Paper:
    """Edition 2 of `curriculum`: one entry added, the first one's summary edited."""
    section = curriculum.sections.get()
    added = PaperFactory(
        section=section, title=f"Added to {curriculum.title}", slug=f"{curriculum.slug}-added"
    )
    Paper.objects.of(curriculum).filter(slug=f"{curriculum.slug}-first").update(summary="Edited")
    editions.publish(note=f"{curriculum.title} grows", curriculum=curriculum)
    return added


@pytest.fixture
def two_lists() -> tuple[Curriculum, Curriculum]:
    """Two published curricula with two editions each."""
    first = _published("Concrete steps", "concrete-steps")
    second = _published("Problems list", "problems")
    _second_edition(first)
    _second_edition(second)
    return first, second


def _url(name: str, curriculum: Curriculum, *args) -> str:
    return reverse(f"catalogue:{name}", args=[curriculum.slug, *args])


def _feed(response) -> ElementTree.Element:
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content)  # noqa: S314 (our own response)


def _feed_titles(root) -> list[str]:
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


# --- 1. Each published curriculum's own addresses ------------------------------------------------


def test_a_curriculums_changes_page_shows_its_editions_newest_first_with_their_changes(
    client, two_lists
):
    first, _ = two_lists

    page = client.get(_url("curriculum-changes", first))

    assert page.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", "", page.text).split())
    assert "What changed in Concrete steps" in text
    assert text.index("Edition 2") < text.index("Edition 1")
    assert "Concrete steps grows" in text and "Concrete steps begins" in text
    assert "Added to Concrete steps — added to the list" in text
    assert "(summary edited)" in text
    # Its feed and its own page are linked from it, not the default list's.
    assert f'href="{_url("curriculum-changes-feed", first)}"' in page.text
    assert f'href="{first.get_absolute_url()}"' in page.text


def test_a_curriculums_feed_names_it_in_its_title_and_ids_and_links_to_its_changes_page(
    client, two_lists, settings
):
    first, second = two_lists

    root = _feed(client.get(_url("curriculum-changes-feed", first)))
    other = _feed(client.get(_url("curriculum-changes-feed", second)))

    assert root.find(f"{ATOM}title").text == "mireads: editions of Concrete steps"
    assert _feed_titles(root) == ["Concrete steps: edition 2", "Concrete steps: edition 1"]
    links = [e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry")]
    assert links[0].endswith("/lists/concrete-steps/changes/#edition-2")
    assert links[0].startswith(settings.SITE_URL)
    # Ids are permanent and differ between curricula, edition 1 of one is not edition 1 of another.
    ids = {e.find(f"{ATOM}id").text for e in root.findall(f"{ATOM}entry")}
    other_ids = {e.find(f"{ATOM}id").text for e in other.findall(f"{ATOM}entry")}
    assert len(ids) == 2 and not ids & other_ids
    assert root.find(f"{ATOM}id").text != other.find(f"{ATOM}id").text
    assert ids == {
        e.find(f"{ATOM}id").text
        for e in _feed(client.get(_url("curriculum-changes-feed", first))).findall(f"{ATOM}entry")
    }


def test_one_entrys_history_in_its_curriculum_marks_the_editions_since_the_readers(
    client, two_lists
):
    first, _ = two_lists

    history = _url("curriculum-entry-changes", first, "concrete-steps-first")
    page = client.get(history, {"since": 1})

    assert page.status_code == 200
    assert "Edition 2" in page.text and "since you read it" in page.text
    assert f'href="{_url("curriculum-changes", first)}"' in page.text
    assert client.get(history, {"since": "x"}).status_code == 400


def test_the_downloads_hold_the_curriculums_entries_and_are_named_after_it(client, two_lists):
    first, _ = two_lists

    bib = client.get(_url("curriculum-export-bib", first))
    table = client.get(_url("curriculum-export-csv", first))
    csl = client.get(_url("curriculum-export-csl", first))

    assert bib["Content-Type"].startswith("application/x-bibtex")
    assert 'filename="concrete-steps-reading-list.bib"' in bib["Content-Disposition"]
    assert 'filename="concrete-steps-reading-list.csv"' in table["Content-Disposition"]
    assert 'filename="concrete-steps-reading-list.csl.json"' in csl["Content-Disposition"]
    assert "Paper of Concrete steps" in bib.text and "Added to Concrete steps" in bib.text
    rows = list(csv.reader(io.StringIO(table.text)))
    assert [row[4] for row in rows[1:]] == ["Paper of Concrete steps", "Added to Concrete steps"]
    titles = [item["title"] for item in json.loads(csl.content)]
    assert titles == ["Paper of Concrete steps", "Added to Concrete steps"]


@pytest.mark.parametrize("name", PAGES)
def test_a_draft_or_unknown_curriculum_has_no_changes_feed_or_downloads(client, two_lists, name):
    draft = CurriculumFactory(title="Half-made", slug="half-made")
    PaperFactory(section=SectionFactory(curriculum=draft), slug="half-made-entry")

    assert client.get(_url(name, draft)).status_code == 404
    assert client.get(reverse(f"catalogue:{name}", args=["no-such-list"])).status_code == 404


def test_a_draft_or_unknown_curriculum_has_no_entry_history(client, two_lists):
    draft = CurriculumFactory(title="Half-made", slug="half-made")
    PaperFactory(section=SectionFactory(curriculum=draft), slug="half-made-entry")

    assert client.get(_url("curriculum-entry-changes", draft, "half-made-entry")).status_code == 404
    missing = reverse("catalogue:curriculum-entry-changes", args=["nope", "concrete-steps-first"])
    assert client.get(missing).status_code == 404


# --- The addresses that worked before curricula serve the default one ----------------------------


def test_the_old_addresses_still_serve_the_default_curriculum_only(client, real_catalogue):
    other = _published("Problems list", "problems")
    _second_edition(other)

    changes = client.get(reverse("catalogue:changes")).text
    feed = _feed(client.get(reverse("catalogue:changes-feed")))
    bib = client.get(reverse("catalogue:export-bib"))
    table = client.get(reverse("catalogue:export-csv")).text
    csl = client.get(reverse("catalogue:export-csl")).text

    assert "What changed in the list" in changes and "Problems list" not in changes
    assert feed.find(f"{ATOM}title").text == "mireads: editions of the reading list"
    assert _feed_titles(feed) == ["Edition 1"]
    assert 'filename="mireads.bib"' in bib["Content-Disposition"]
    for download in (bib.text, table, csl):
        assert "A Mathematical Framework" in download and "Problems list" not in download
    assert client.get(reverse("catalogue:entry-changes", args=["solu"])).status_code == 200


def test_the_default_curriculums_feed_is_one_feed_at_either_address(client, real_catalogue):
    default = Curriculum.objects.default()

    old = client.get(reverse("catalogue:changes-feed")).content
    new = client.get(_url("curriculum-changes-feed", default)).content

    assert old == new
    assert client.get(_url("curriculum-changes", default)).status_code == 200


# --- 2. The curriculum's page links them ---------------------------------------------------------


def test_a_curriculums_page_links_its_downloads_and_changes_and_advertises_its_feed(
    client, two_lists
):
    first, _ = two_lists

    html = client.get(first.get_absolute_url()).text

    for name in ("curriculum-export-bib", "curriculum-export-csv", "curriculum-export-csl"):
        assert f'href="{_url(name, first)}"' in html
    assert f'<a href="{_url("curriculum-changes", first)}">What changed</a>' in html
    feed = _url("curriculum-changes-feed", first)
    assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in html
    assert 'title="mireads: editions of Concrete steps"' in html
    # Its own feed, not the default list's, is the one advertised there.
    assert f'href="{reverse("catalogue:changes-feed")}"' not in html.split("</head>")[0]


# --- 3. One curriculum's editions never appear on another's pages --------------------------------


def test_one_curriculums_editions_never_show_on_anothers_changes_feed_or_entry_history(
    client, two_lists
):
    first, second = two_lists

    for mine, theirs in [(first, second), (second, first)]:
        page = client.get(_url("curriculum-changes", mine)).text
        feed = client.get(_url("curriculum-changes-feed", mine)).text
        assert f"{mine.title} grows" in page and f"{mine.title} grows" in feed
        for shown in (page, feed):
            assert theirs.title not in shown
        assert page.count('<section id="edition-') == 2
        history = client.get(_url("curriculum-entry-changes", mine, f"{mine.slug}-first"))
        assert history.status_code == 200 and theirs.title not in history.text
        # Another curriculum's entry has no history under this one.
        entry = f"{theirs.slug}-first"
        assert client.get(_url("curriculum-entry-changes", mine, entry)).status_code == 404


# --- 4. Queries do not grow with curricula or entries --------------------------------------------

# The catalogue version (the page cache's key) where the page is cached, the curriculum, then
# the page's own queries.
QUERIES = {
    "curriculum-changes": 3,
    "curriculum-changes-feed": 3,
    "curriculum-entry-changes": 4,
    "curriculum-export-bib": 4,
    "curriculum-export-csv": 3,
    "curriculum-export-csl": 4,
}


@pytest.mark.parametrize("size", [2, 6])
def test_the_curriculum_pages_take_the_same_queries_at_any_size(
    client, size, django_assert_num_queries
):
    made = [_published(f"List {n}", f"list-{n}") for n in range(size)]
    for curriculum in made:
        for n in range(size):
            PaperFactory(section=curriculum.sections.get(), slug=f"{curriculum.slug}-{n}")
        editions.publish(note="More", curriculum=curriculum)

    for name, count in QUERIES.items():
        args = ["list-1-first"] if name == "curriculum-entry-changes" else []
        with django_assert_num_queries(count):
            assert client.get(_url(name, made[1], *args)).status_code == 200, name
    # Another curriculum's page (not yet cached) takes as many.
    with django_assert_num_queries(QUERIES["curriculum-changes"]):
        assert client.get(_url("curriculum-changes", made[0])).status_code == 200
