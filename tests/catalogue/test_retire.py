"""Nothing a reader wrote is deleted through the catalogue: a used entry or part is protected,
the admin says why without naming readers, and it can be retired instead."""

import json

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from catalogue.models import Advice, Paper
from progress.summary import reader_papers, summarise
from tests.factories import (
    AdviceFactory,
    NoteFactory,
    PaperFactory,
    PartTickFactory,
    ReadingStateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def used(reader):
    paper = PaperFactory(slug="solu", title="Softmax Linear Units")
    part = AdviceFactory(paper=paper, position=1, part="Section 3")
    ReadingStateFactory(reader=reader, paper=paper, status="read")
    PartTickFactory(reader=reader, advice=part)
    NoteFactory(reader=reader, paper=paper, text="My secret thoughts")
    return paper


def test_an_entry_or_part_a_reader_used_cannot_be_deleted(used):
    with pytest.raises(ProtectedError):
        used.delete()
    with pytest.raises(ProtectedError):
        used.advice.get().delete()


def test_the_delete_page_says_why_and_names_no_reader_status_or_note(client, staff, used):
    client.force_login(staff)
    url = reverse("admin:catalogue_paper_delete", args=[used.pk])

    page = client.get(url)
    client.post(url, {"post": "yes"})

    assert "Readers have statuses, ticks or notes on this entry" in page.text
    assert "Retire it instead" in page.text
    for private in ("ada", "My secret thoughts", "Reading state", "Note by"):
        assert private not in page.text
    assert Paper.objects.filter(pk=used.pk).exists()


def test_the_bulk_delete_action_refuses_a_used_entry_too(client, staff, used):
    client.force_login(staff)
    data = {"action": "delete_selected", "_selected_action": [used.pk]}

    page = client.post(reverse("admin:catalogue_paper_changelist"), data)
    client.post(reverse("admin:catalogue_paper_changelist"), {**data, "post": "yes"})

    assert "Readers have statuses, ticks or notes" in page.text
    assert "ada" not in page.text
    assert Paper.objects.filter(pk=used.pk).exists()


def test_deleting_a_ticked_part_in_the_inline_is_refused_with_a_message(client, staff, used):
    client.force_login(staff)
    part = used.advice.get()
    url = reverse("admin:catalogue_paper_change", args=[used.pk])
    data = {
        "title": used.title, "short_name": "", "slug": used.slug, "kind": used.kind,
        "url": used.url, "authors": used.authors, "year": used.year,
        "section": used.section_id, "parent": "", "position": used.position,
        "summary": used.summary, "commentary": used.commentary,
        "advice-TOTAL_FORMS": 1, "advice-INITIAL_FORMS": 1,
        "advice-MIN_NUM_FORMS": 0, "advice-MAX_NUM_FORMS": 1000,
        "advice-0-id": part.pk, "advice-0-paper": used.pk, "advice-0-position": 1,
        "advice-0-level": part.level, "advice-0-part": part.part, "advice-0-detail": "",
        "advice-0-DELETE": "on",
        "children-TOTAL_FORMS": 0, "children-INITIAL_FORMS": 0,
        "children-MIN_NUM_FORMS": 0, "children-MAX_NUM_FORMS": 0, "_save": "Save",
    }  # fmt: skip

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Readers have statuses, ticks or notes on this part" in response.text
    assert Advice.objects.filter(pk=part.pk).exists()


def test_an_untouched_entry_deletes_as_before(client, staff):
    client.force_login(staff)
    paper = PaperFactory()
    AdviceFactory(paper=paper)

    client.post(reverse("admin:catalogue_paper_delete", args=[paper.pk]), {"post": "yes"})

    assert not Paper.objects.filter(pk=paper.pk).exists()


def test_a_retired_entry_leaves_the_list_dashboard_and_totals_but_not_the_export(
    client_as_reader, reader, used
):
    other = PaperFactory(section=used.section, slug="rome")
    Paper.objects.filter(pk=used.pk).update(retired=True)

    papers = reader_papers(reader)
    listing = client_as_reader.get(reverse("paper-list")).text
    exported = json.loads(client_as_reader.get(reverse("accounts:export-json")).getvalue())

    assert [p.slug for p in papers] == [other.slug]
    assert summarise(papers).overall.entries == 1
    assert "Softmax Linear Units" not in listing
    assert [e["slug"] for e in exported["entries"]] == ["solu"]


def test_an_unretired_entry_comes_back_with_the_readers_progress(reader, used):
    Paper.objects.filter(pk=used.pk).update(retired=True)
    Paper.objects.filter(pk=used.pk).update(retired=False)

    (paper,) = reader_papers(reader)

    assert paper.status == "read" and paper.ticked == 1


def test_a_retired_part_leaves_the_checklist_and_weights(reader, used):
    AdviceFactory(paper=used, position=2, level="skim", part="Section 4")
    Advice.objects.filter(paper=used, position=1).update(retired=True)

    (paper,) = reader_papers(reader)

    assert [a.part for a in paper.checklist] == ["Section 4"]
    assert paper.weight_total == 1
