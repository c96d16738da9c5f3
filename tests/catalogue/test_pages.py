"""The public list, entry pages, about page and exports, all without signing in."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from catalogue.models import Paper, Work
from tests.factories import AdviceFactory, PaperFactory, SectionFactory, build_catalogue

pytestmark = pytest.mark.django_db

ORIGINAL_POST = (
    "https://www.alignmentforum.org/posts/SfPrNY45kQaBozwmu/"
    "an-extremely-opinionated-annotated-list-of-my-favourite"
)
# The list page reads sections, entries, their advice and their works (as COinS, for saving the
# whole list to a reference manager); an entry page reads the entry with its
# place, its advice, its works, its nested entries and the reading order: whatever the size of
# the list. One more for each: the catalogue version the page cache keys on, read first (a
# visitor's second request makes only that one: tests/catalogue/test_page_cache.py). An entry with
# a work reads one more, the other curricula citing it (tests/catalogue/test_curricula.py).
LIST_QUERIES = 4 + 1
DETAIL_QUERIES = 5 + 1


def slugs_in_page_order(html: str) -> list[str]:
    return re.findall(r'class="entry-title" href="/papers/([^/]+)/"', html)


# --- About ------------------------------------------------------------------------------------


def test_the_about_page_credits_the_list_and_its_author(client):
    response = client.get("/about/")

    assert response.status_code == 200
    assert "Neel Nanda" in response.text
    assert "An Extremely Opinionated Annotated List of My Favourite" in response.text
    assert f'href="{ORIGINAL_POST}"' in response.text


# --- The list ---------------------------------------------------------------------------------


def test_the_list_is_public_and_in_reading_order(client, real_catalogue):
    response = client.get("/papers/")

    assert response.status_code == 200
    order = [p.slug for p in Paper.objects.in_reading_order()]
    assert slugs_in_page_order(response.text) == order


def test_the_list_shows_tiers_and_subsections_as_headings(client, real_catalogue):
    html = client.get("/papers/").text

    headings = re.findall(r"<h[23] id=\"h-([a-z-]+)\"", html)
    assert headings == [
        "what-is-mech-interp",
        "key-concepts",
        "expanding-understanding",
        "language-models",
        "algorithmic-tasks",
        "image-circuits",
        "bonus",
    ]


def test_nested_entries_are_listed_inside_their_parent(client, real_catalogue):
    response = client.get("/papers/")

    logit_lens = next(
        entry
        for tier in response.context["tiers"]
        for group in tier.subgroups
        for entry in group.entries
        if entry.slug == "logit-lens"
    )
    assert [child.slug for child in logit_lens.nested] == ["analyzing-transformers-embedding-space"]
    parent_item = re.search(
        r'<li class="entry">\s*<div class="entry-line">\s*<a class="entry-title" '
        r'href="/papers/circuits-thread/">.*?</li>\s*</ol>\s*</li>',
        response.text,
        re.DOTALL,
    )
    assert parent_item is not None
    assert 'class="entries nested"' in parent_item.group()
    assert slugs_in_page_order(parent_item.group()) == [
        "circuits-thread",
        "early-vision-overview",
        "visualizing-weights",
        "branch-specialization",
    ]


def test_each_entry_shows_its_kind_link_out_and_advice_summary(client, real_catalogue):
    html = client.get("/papers/").text

    assert "3 deep · 1 skim or skip" in html  # A Mathematical Framework
    assert "2 deep · 1 skim · 1 skip" in html  # SoLU
    assert 'href="https://microscope.openai.com/"' in html
    assert "Codebase" in html
    assert "Podcast" in html
    assert "Body of work" in html


@pytest.mark.parametrize("entries", [30, 300])
def test_the_list_takes_the_same_queries_at_any_size(client, entries, django_assert_num_queries):
    build_catalogue(entries)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/papers/")

    assert len(slugs_in_page_order(response.text)) == entries


# --- An entry ---------------------------------------------------------------------------------


def test_an_entry_page_is_public_and_shows_advice_deep_first(client, real_catalogue):
    response = client.get("/papers/solu/")

    assert response.status_code == 200
    html = response.text
    solu = Paper.objects.get(slug="solu")
    assert escape(solu.summary) in html
    assert escape(solu.commentary) in html
    headings = re.findall(r'class="badge badge-([a-z_]+)"', html)
    assert headings == ["deep", "skim", "skip"]
    parts = ["Section 3 (Background)", "Section 6 (on the neurons found)", "Section 4", "Section 5"]
    positions = [html.index(part) for part in parts]
    assert positions == sorted(positions)
    assert escape(solu.advice.get(position=3).detail) in html


def test_an_entry_page_links_to_its_neighbours_in_reading_order(client, real_catalogue):
    response = client.get("/papers/mathematical-framework-walkthrough/")

    assert response.context["previous"].slug == "mathematical-framework"
    assert response.context["next"].slug == "induction-heads"
    assert 'rel="prev" href="/papers/mathematical-framework/"' in response.text
    assert 'rel="next" href="/papers/induction-heads/"' in response.text
    first = client.get("/papers/circuits-zoom-in/")
    last = client.get("/papers/chris-olah-80k-podcast/")
    assert first.context["previous"] is None
    assert 'rel="prev"' not in first.text
    assert last.context["next"] is None
    assert 'rel="next"' not in last.text


def test_an_entry_page_lists_its_nested_entries(client, real_catalogue):
    html = client.get("/papers/circuits-thread/").text

    assert "Listed under this entry" in html
    for slug in ("early-vision-overview", "visualizing-weights", "branch-specialization"):
        assert f'href="/papers/{slug}/"' in html


def test_a_nested_entry_names_its_parent(client, real_catalogue):
    html = client.get("/papers/bertology-primer/").text

    assert 'href="/papers/toward-transparent-ai/"' in html
    assert "nested under" in html


def test_an_unknown_slug_is_a_404(client, real_catalogue):
    assert client.get("/papers/no-such-paper/").status_code == 404


@pytest.mark.parametrize("entries", [30, 300])
def test_an_entry_page_takes_the_same_queries_at_any_size(
    client, entries, django_assert_num_queries
):
    papers = build_catalogue(entries)
    PaperFactory(section=papers[10].section, parent=papers[10], position=1)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(papers[10].get_absolute_url())

    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/papers/", "/papers/solu/", "/about/"])
def test_public_pages_refuse_writes(client, real_catalogue, url):
    assert client.post(url).status_code == 405


# --- Exports ----------------------------------------------------------------------------------


def test_the_bibtex_export_has_an_entry_per_work_with_its_link(client, real_catalogue):
    response = client.get(reverse("catalogue:export-bib"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-bibtex")
    bib = response.text
    keys = re.findall(r"^@\w+\{([a-z0-9]+),$", bib, re.MULTILINE)
    assert len(keys) == len(set(keys)) == Work.objects.count()
    for url in Work.objects.values_list("url", flat=True):
        assert f"url = {{{url}}}" in bib
    assert "Neel Nanda and Tom Lieberum" in bib


def test_the_bibtex_export_escapes_what_bibtex_would_read_as_syntax(client):
    PaperFactory(
        slug="tricky",
        title="50% of {braces} & $math$ #1 under_score ~tilde ^caret \\backslash",
        authors="Ann O'Neil, B. Smith, et al.",
        url="https://example.org/a}b{c d",
    )

    bib = client.get(reverse("catalogue:export-bib")).text

    assert (
        r"title = {{50\% of \{braces\} \& \$math\$ \#1 under\_score "
        r"\textasciitilde{}tilde \textasciicircum{}caret \textbackslash{}backslash}}"
    ) in bib
    assert "author = {Ann O'Neil and B. Smith and others}" in bib
    assert "url = {https://example.org/a%7Db%7Bc%20d}" in bib
    # Braces balance, so no field can swallow the next entry.
    body = bib.replace(r"\{", "").replace(r"\}", "")
    assert body.count("{") == body.count("}")


def test_the_csv_export_has_a_header_and_one_row_per_item(client, real_catalogue):
    response = client.get(reverse("catalogue:export-csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert len(rows) == Paper.objects.count()
    assert [row["slug"] for row in rows] == [p.slug for p in Paper.objects.in_reading_order()]
    solu = next(row for row in rows if row["slug"] == "solu")
    assert solu["advice"] == "2 deep · 1 skim · 1 skip"
    assert solu["link"] == "https://transformer-circuits.pub/2022/solu/index.html"
    primer = next(row for row in rows if row["slug"] == "bertology-primer")
    assert primer["nested under"] == "toward-transparent-ai"


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)"])
def test_the_csv_export_defuses_formulas(client, dangerous):
    section = SectionFactory(title=dangerous)
    paper = PaperFactory(section=section, title=dangerous, authors=dangerous, slug="formula")
    AdviceFactory(paper=paper)

    response = client.get(reverse("catalogue:export-csv"))

    (row,) = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    for column in ("section", "title", "authors"):
        assert row[column] == "'" + dangerous


@pytest.mark.parametrize("entries", [30, 300])
def test_the_exports_take_the_same_queries_at_any_size(client, entries, django_assert_num_queries):
    build_catalogue(entries)

    # Entries, their advice and their works; CSV needs no works.
    with django_assert_num_queries(3):
        client.get(reverse("catalogue:export-bib"))
    with django_assert_num_queries(3):
        client.get(reverse("catalogue:export-csl"))
    with django_assert_num_queries(2):
        client.get(reverse("catalogue:export-csv"))
