"""The scholarly record: works with venues and identifiers, as reference managers read them."""

import csv
import io
import json
import re

import bibtexparser
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalogue import fixture
from catalogue.models import Paper, Work, WorkKind
from tests.factories import AdviceFactory, PaperFactory, WorkFactory

pytestmark = pytest.mark.django_db


def parsed(bib: str):
    library = bibtexparser.parse_string(bib)
    assert library.failed_blocks == [], [b.error for b in library.failed_blocks]
    return {entry.key: entry for entry in library.entries}


def field(entry, name: str) -> str:
    return entry.fields_dict[name].value


def test_every_entry_of_the_shipped_list_holds_a_main_work_and_companions_where_it_names_them(
    real_catalogue,
):
    for paper in Paper.objects.in_reading_order().with_works():
        roles = [work.role for work in paper.cited_works()]
        assert roles.count(Work.Role.MAIN) == 1, paper.slug
    curves = Paper.objects.with_works().get(slug="curve-detectors").cited_works()
    assert [w.title for w in curves] == ["Curve Detectors", "Curve Circuits"]
    assert curves[1].doi == "10.23915/distill.00024.006"
    bert = Paper.objects.with_works().get(slug="bert-geometry").cited_works()
    assert any(w.kind == WorkKind.BLOG_POST and "pair-code.github.io" in w.url for w in bert)


def test_the_shipped_list_fixes_the_incomplete_author_lists_and_the_head_count(real_catalogue):
    codebase = Paper.objects.get(slug="easytransformer")
    assert codebase.citations.get(role=Work.Role.MAIN).work.authors == [
        "Neel Nanda",
        "Joseph Bloom",
    ]
    podcast = Paper.objects.get(slug="chris-olah-80k-podcast")
    assert podcast.citations.get(role=Work.Role.MAIN).work.guests == ["Chris Olah"]
    assert "Chris Olah" in podcast.authors
    ioi = Paper.objects.get(slug="ioi")
    assert "26" in ioi.summary and "seven classes" in ioi.summary
    assert "a few dozen" not in ioi.summary


def test_no_advice_label_quotes_the_list_at_length(real_catalogue):
    from catalogue.models import Advice

    long = [a.part for a in Advice.objects.all() if len(a.part.split()) > 12]
    assert long == []


def test_the_bibtex_of_the_shipped_list_parses_with_the_right_types_venues_and_keys(
    client, real_catalogue
):
    response = client.get(reverse("catalogue:export-bib"))
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    entries = parsed(response.content.decode("utf-8"))
    zoom = entries["olah2020zoom"]
    assert zoom.entry_type == "article"
    assert field(zoom, "journal") == "Distill"
    assert field(zoom, "doi") == "10.23915/distill.00024.001"
    assert field(zoom, "month") == "mar"
    ioi = next(e for e in entries.values() if "eprint" in e.fields_dict and
               field(e, "eprint") == "2211.00593")  # fmt: skip
    assert ioi.entry_type == "inproceedings"
    assert "ICLR" in field(ioi, "booktitle")
    assert field(ioi, "archivePrefix") == "arXiv"
    framework = next(e for e in entries.values() if "Framework" in field(e, "title"))
    assert framework.entry_type == "article"
    assert field(framework, "journal") == "Transformer Circuits Thread"
    # author, year (when known), word: a work whose year is unknown keeps a key without one.
    assert all(re.fullmatch(r"[a-z]+(\d{4})?[a-z0-9]+", key) for key in entries), list(entries)
    assert len(entries) == Work.objects.count()


def test_a_bibtex_entry_notes_the_priority_and_the_advised_depth(client, real_catalogue):
    entries = parsed(client.get(reverse("catalogue:export-bib")).content.decode())
    note = field(entries["olah2020zoom"], "note")
    assert "priority 1" in note and "Advised:" in note


def test_corporate_authors_are_braced_and_utf8_is_kept(client):
    paper = PaperFactory(title="Café")
    WorkFactory(paper=paper, title="Über Circuits", authors=["Anthropic", "José Núñez"], year=2022)
    entries = parsed(client.get(reverse("catalogue:export-bib")).content.decode("utf-8"))
    (entry,) = entries.values()
    assert field(entry, "author") == "{Anthropic} and José Núñez"
    assert "Über" in field(entry, "title")
    assert entry.key == "anthropic2022uber"


def test_software_videos_and_podcasts_are_misc_and_preprints_carry_their_eprint(client):
    paper = PaperFactory()
    WorkFactory(paper=paper, kind=WorkKind.PREPRINT, title="Toy Models", arxiv_id="2209.10652",
                arxiv_class="cs.LG", venue="", authors=["Nelson Elhage"], year=2022)  # fmt: skip
    WorkFactory(paper=paper, role=Work.Role.COMPANION, position=2, kind=WorkKind.CODE,
                title="TransformerLens", authors=["Neel Nanda"], year=2022)  # fmt: skip
    entries = parsed(client.get(reverse("catalogue:export-bib")).content.decode())
    preprint, code = entries["elhage2022toy"], entries["nanda2022transformerlens"]
    assert preprint.entry_type == "misc"
    assert (field(preprint, "eprint"), field(preprint, "primaryClass")) == ("2209.10652", "cs.LG")
    assert code.entry_type == "misc"
    assert "Companion to elhage2022toy" in field(code, "note")


def test_keys_that_would_clash_get_a_letter_and_stay_stable(client):
    for _ in range(2):
        WorkFactory(paper=PaperFactory(), title="Circuits", authors=["Chris Olah"], year=2020)
    keys = list(parsed(client.get(reverse("catalogue:export-bib")).content.decode()))
    assert keys == ["olah2020circuitsa", "olah2020circuitsb"]
    again = list(parsed(client.get(reverse("catalogue:export-bib")).content.decode()))
    assert again == keys


def test_the_csl_json_export_is_what_zotero_and_pandoc_read(client, real_catalogue):
    response = client.get(reverse("catalogue:export-csl"))
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    items = json.loads(response.content)
    zoom = next(item for item in items if item["id"] == "olah2020zoom")
    assert zoom["type"] == "article-journal"
    assert zoom["container-title"] == "Distill"
    assert zoom["DOI"] == "10.23915/distill.00024.001"
    assert zoom["issued"] == {"date-parts": [[2020, 3]]}
    assert zoom["author"][0] == {"given": "Chris", "family": "Olah"}
    assert {item["type"] for item in items} >= {"paper-conference", "article-journal", "software"}


def test_the_csv_names_the_priority_the_subsection_and_the_advised_parts(client, real_catalogue):
    response = client.get(reverse("catalogue:export-csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    zoom = next(row for row in rows if row["slug"] == "circuits-zoom-in")
    assert zoom["priority name"] == "What is Mechanistic Interpretability?"
    assert zoom["subsection"] == ""
    solu = next(row for row in rows if row["slug"] == "solu")
    assert "Deeply engage with: Section 3 (Background)" in solu["advised parts"]
    lm = next(row for row in rows if row["subsection"] == "Language Models")
    assert lm["priority name"] == "Expanding Understanding"


def test_the_paper_page_carries_citation_metadata_for_reference_managers(client, real_catalogue):
    html = client.get("/papers/circuits-zoom-in/").content.decode()
    assert '<meta name="citation_title" content="Zoom In: An Introduction to Circuits">' in html
    assert html.count('<meta name="citation_author"') == 6
    assert '<meta name="citation_publication_date" content="2020/03">' in html
    assert '<meta name="citation_doi" content="10.23915/distill.00024.001">' in html
    assert '<meta name="citation_journal_title" content="Distill">' in html
    ioi = client.get("/papers/ioi/").content.decode()
    assert '<meta name="citation_arxiv_id" content="2211.00593">' in ioi


def test_an_advised_part_links_into_the_section_it_names(client, real_catalogue):
    html = client.get("/papers/solu/").content.decode()
    assert 'href="https://transformer-circuits.pub/2022/solu/index.html#section-3"' in html


def test_a_deep_link_shows_on_the_paper_page_when_a_curator_sets_one(client):
    paper = PaperFactory(slug="deep")
    AdviceFactory(paper=paper, part="Section 2", deep_link="https://example.org/p#section-2")
    html = client.get("/papers/deep/").content.decode()
    assert 'href="https://example.org/p#section-2"' in html


def _fixture_with(tmp_path, change) -> str:
    records = json.loads(fixture.FIXTURE_PATH.read_text())
    work = next(r for r in records if r["model"] == "catalogue.work")
    change(work["fields"])
    path = tmp_path / "papers.json"
    path.write_text(json.dumps(records))
    return str(path)


@pytest.mark.parametrize(
    ("field_name", "value"),
    [("doi", "doi:10.1/x"), ("arxiv_id", "arXiv 2211"), ("url", "javascript:alert(1)")],
)
def test_a_malformed_identifier_in_the_fixture_is_refused_naming_record_and_field(
    tmp_path, field_name, value
):
    path = _fixture_with(tmp_path, lambda fields: fields.update({field_name: value}))
    with pytest.raises(CommandError) as refused:
        call_command("load_catalogue", path)
    message = str(refused.value)
    assert "catalogue.work" in message and field_name in message
    assert Work.objects.count() == 0


def test_an_edition_keeps_the_works_and_deep_links_of_its_entries(real_catalogue):
    from catalogue import editions

    Work.objects.filter(citations__entry__slug="ioi", citations__role=Work.Role.MAIN).update(
        venue="ICLR 2023 (oral)"
    )
    edition = editions.publish(note="IOI's venue corrected.")
    entry = edition.content.snapshot["entries"]["ioi"]
    assert entry["works"][0]["venue"] == "ICLR 2023 (oral)"
    assert entry["works"][0]["arxiv_id"] == "2211.00593"
    solu = edition.content.snapshot["entries"]["solu"]["parts"]
    assert any(part["deep_link"].endswith("#section-3") for part in solu.values())


def test_the_fixture_round_trip_keeps_works_byte_for_byte(real_catalogue):
    assert fixture.dumps() == fixture.FIXTURE_PATH.read_text()


def test_the_paper_page_lists_the_works_with_their_venues_and_identifiers(client, real_catalogue):
    html = client.get("/papers/curve-detectors/").content.decode()
    assert "Curve Circuits" in html and "companion" in html
    assert 'href="https://doi.org/10.23915/distill.00024.006"' in html
    ioi = client.get("/papers/ioi/").content.decode()
    assert 'href="https://arxiv.org/abs/2211.00593"' in ioi
