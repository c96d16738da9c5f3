"""Staff keep the list current through the Django admin; nobody else gets in."""

import pytest
from django.contrib.admin.templatetags.admin_list import result_headers
from django.urls import reverse

from catalogue.admin import PaperAdmin
from catalogue.models import Advice, Paper, Section
from tests.factories import AdviceFactory, PaperFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as_staff(client, staff):
    client.force_login(staff)
    return client


def change_url(paper: Paper) -> str:
    return reverse("admin:catalogue_paper_change", args=[paper.pk])


def change_form(paper: Paper, advice: list[dict], **changes) -> dict:
    """The POST the admin change form sends for `paper`, with its advice rows as given."""
    fields = {
        "title": paper.title,
        "short_name": paper.short_name,
        "slug": paper.slug,
        "kind": paper.kind,
        "url": paper.url,
        "authors": paper.authors,
        "year": paper.year or "",
        "section": paper.section_id,
        "parent": paper.parent_id or "",
        "position": paper.position,
        "summary": paper.summary,
        "commentary": paper.commentary,
        **changes,
    }
    initial = [row for row in advice if row.get("id")]
    data = {
        **fields,
        "advice-TOTAL_FORMS": len(advice),
        "advice-INITIAL_FORMS": len(initial),
        "advice-MIN_NUM_FORMS": 0,
        "advice-MAX_NUM_FORMS": 1000,
        "works-TOTAL_FORMS": 0,
        "works-INITIAL_FORMS": 0,
        "works-MIN_NUM_FORMS": 0,
        "works-MAX_NUM_FORMS": 1000,
        "children-TOTAL_FORMS": 0,
        "children-INITIAL_FORMS": 0,
        "children-MIN_NUM_FORMS": 0,
        "children-MAX_NUM_FORMS": 0,
        "_save": "Save",
    }
    for index, row in enumerate(advice):
        for name in ("id", "position", "level", "part", "detail", "DELETE"):
            if name in row:
                data[f"advice-{index}-{name}"] = row[name]
        data[f"advice-{index}-paper"] = paper.pk
    return data


def rows(paper: Paper) -> list[dict]:
    return [
        {"id": a.pk, "position": a.position, "level": a.level, "part": a.part, "detail": a.detail}
        for a in paper.advice.order_by("position")
    ]


def parts_in_order(paper: Paper) -> list[str]:
    return list(paper.advice.order_by("position").values_list("part", flat=True))


@pytest.fixture
def paper_with_three_parts(db):
    paper = PaperFactory(slug="solu", title="Softmax Linear Units")
    for position, (level, part) in enumerate(
        [("deep", "Section 3"), ("skim", "Section 4"), ("skip", "Section 5")], start=1
    ):
        AdviceFactory(paper=paper, position=position, level=level, part=part)
    return paper


def test_staff_swap_two_parts_by_editing_their_positions(client_as_staff, paper_with_three_parts):
    paper = paper_with_three_parts
    advice = rows(paper)
    advice[0]["position"], advice[1]["position"] = 2, 1
    ids = {row["part"]: row["id"] for row in advice}

    response = client_as_staff.post(change_url(paper), change_form(paper, advice))

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert parts_in_order(paper) == ["Section 4", "Section 3", "Section 5"]
    # The rows themselves moved, so readers' ticks stay on the part they ticked.
    assert Advice.objects.get(part="Section 3").pk == ids["Section 3"]


def test_staff_add_and_remove_parts_in_the_inline(client_as_staff, paper_with_three_parts):
    paper = paper_with_three_parts
    advice = rows(paper)
    advice[2]["DELETE"] = "on"
    advice.append({"position": 4, "level": "skim_or_skip", "part": "Appendix C", "detail": ""})

    response = client_as_staff.post(change_url(paper), change_form(paper, advice))

    assert response.status_code == 302
    assert parts_in_order(paper) == ["Section 3", "Section 4", "Appendix C"]


def test_two_parts_at_one_position_are_refused_with_a_message(
    client_as_staff, paper_with_three_parts
):
    paper = paper_with_three_parts
    advice = rows(paper)
    advice[1]["position"] = 1

    response = client_as_staff.post(change_url(paper), change_form(paper, advice))

    assert response.status_code == 200
    assert "Please correct the duplicate data for position" in response.text
    assert parts_in_order(paper) == ["Section 3", "Section 4", "Section 5"]


def test_an_admin_edit_shows_on_the_public_pages_at_once(
    client, client_as_staff, paper_with_three_parts
):
    paper = paper_with_three_parts
    advice = rows(paper)
    advice[0]["level"] = "skim"
    form = change_form(paper, advice, summary="A fresh summary, written just now.")

    client_as_staff.post(change_url(paper), form)
    client.logout()

    detail = client.get(paper.get_absolute_url()).text
    assert "A fresh summary, written just now." in detail
    listing = client.get(reverse("paper-list")).text
    assert "2 skim · 1 skip" in listing


def test_the_paper_list_shows_section_priority_kind_and_advice_counts(
    client_as_staff, paper_with_three_parts
):
    response = client_as_staff.get(reverse("admin:catalogue_paper_changelist"))

    assert response.status_code == 200
    headers = [str(column["text"]).lower() for column in result_headers(response.context["cl"])]
    for label in ("section", "priority", "kind", "advice"):
        assert label in headers, headers
    assert "1 deep · 1 skim · 1 skip" in response.text


def test_the_paper_list_filters_by_tier_and_kind_and_searches_summaries(client_as_staff):
    tier_two = SectionFactory(priority=2, slug="key-concepts")
    PaperFactory(slug="induction-heads", section=tier_two, summary="Heads that copy.")
    PaperFactory(slug="microscope", kind="tool", summary="Neuron pictures.")
    url = reverse("admin:catalogue_paper_changelist")

    def shown(query: dict) -> set[str]:
        response = client_as_staff.get(url, query)
        return {paper.slug for paper in response.context["cl"].result_list}

    assert shown({"priority": "2"}) == {"induction-heads"}
    assert shown({"kind": "tool"}) == {"microscope"}
    assert shown({"q": "copy"}) == {"induction-heads"}
    assert shown({"q": "Paper number"}) == {"induction-heads", "microscope"}


def test_slugs_are_prepopulated_from_titles(client_as_staff):
    assert PaperAdmin.prepopulated_fields == {"slug": ["title"]}
    response = client_as_staff.get(reverse("admin:catalogue_paper_add"))
    assert "prepopulated" in response.text
    response = client_as_staff.get(reverse("admin:catalogue_section_add"))
    assert "prepopulated" in response.text


def test_sections_are_editable_by_staff(client_as_staff):
    section = SectionFactory(title="Bonus", slug="bonus", priority=4)
    url = reverse("admin:catalogue_section_change", args=[section.pk])
    data = {"title": "Bonus round", "slug": "bonus", "priority": 4, "position": 4, "intro": ""}

    response = client_as_staff.post(url, data)

    assert response.status_code == 302
    assert Section.objects.get(pk=section.pk).title == "Bonus round"


def test_nested_entries_are_reachable_from_their_parent(client_as_staff):
    parent = PaperFactory(slug="logit-lens", short_name="Logit Lens")
    child = PaperFactory(
        slug="embedding-space", section=parent.section, parent=parent, title="Embedding Space"
    )

    response = client_as_staff.get(change_url(parent))

    assert response.status_code == 200
    assert change_url(child) in response.text
    assert "Embedding Space" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/catalogue/paper/",
        "/admin/catalogue/paper/add/",
        "/admin/catalogue/section/",
    ],
)
def test_a_signed_in_reader_never_reaches_the_admin(client_as_reader, url):
    response = client_as_reader.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_signed_in_reader_cannot_post_to_the_admin(client_as_reader, paper):
    response = client_as_reader.post(change_url(paper), change_form(paper, rows(paper)))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert Paper.objects.get(pk=paper.pk).title == paper.title
