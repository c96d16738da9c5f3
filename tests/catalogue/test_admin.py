"""Staff keep the list current through the Django admin; nobody else gets in."""

import pytest
from django.contrib.admin.templatetags.admin_list import result_headers
from django.urls import reverse

from catalogue.admin import PaperAdmin
from catalogue.models import Advice, Paper, Section, Work
from tests.factories import (
    AdviceFactory,
    CitationFactory,
    PaperFactory,
    SectionFactory,
    WorkFactory,
)

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
        "citations-TOTAL_FORMS": 0,
        "citations-INITIAL_FORMS": 0,
        "citations-MIN_NUM_FORMS": 0,
        "citations-MAX_NUM_FORMS": 1000,
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
    data = {
        "curriculum": section.curriculum_id,
        "title": "Bonus round",
        "slug": "bonus",
        "priority": 4,
        "position": 4,
        "intro": "",
    }

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


# --- Catalogue staff stay out of readers' data ----------------------------------------------------


@pytest.fixture
def catalogue_staff(client):
    """Staff who may edit and delete the catalogue and nothing else."""
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    curator = UserFactory(username="curator", is_staff=True)
    curator.user_permissions.set(Permission.objects.filter(content_type__app_label="catalogue"))
    client.force_login(curator)
    return client


@pytest.fixture
def targeted_section(db):
    from groups.models import TierTarget
    from tests.factories import ReadingGroupFactory

    section = SectionFactory(title="Bonus", slug="bonus", priority=4)
    group = ReadingGroupFactory(name="Secret Society of Ada")
    TierTarget.objects.create(group=group, tier=section, due_on="2031-07-19")
    return section


def test_deleting_a_section_a_group_targets_is_refused_naming_no_group(
    catalogue_staff, targeted_section
):
    from groups.models import TierTarget

    url = reverse("admin:catalogue_section_delete", args=[targeted_section.pk])

    page = catalogue_staff.get(url).text
    catalogue_staff.post(url, {"post": "yes"})

    assert "cannot be deleted" in page
    assert "Secret Society" not in page and "2031" not in page and "Bonus:" not in page
    assert Section.objects.filter(pk=targeted_section.pk).exists()
    assert TierTarget.objects.filter(tier=targeted_section).exists()


def test_the_bulk_delete_of_sections_is_refused_the_same_way(catalogue_staff, targeted_section):
    from groups.models import TierTarget

    data = {"action": "delete_selected", "_selected_action": [targeted_section.pk]}
    page = catalogue_staff.post(reverse("admin:catalogue_section_changelist"), data).text
    catalogue_staff.post(reverse("admin:catalogue_section_changelist"), {**data, "post": "yes"})

    assert "cannot be deleted" in page and "Secret Society" not in page
    assert TierTarget.objects.filter(tier=targeted_section).exists()


def test_a_section_nobody_depends_on_can_still_be_deleted(catalogue_staff):
    section = SectionFactory(title="Empty", slug="empty", priority=4)
    url = reverse("admin:catalogue_section_delete", args=[section.pk])
    assert catalogue_staff.post(url, {"post": "yes"}).status_code == 302
    assert not Section.objects.filter(pk=section.pk).exists()


def test_the_database_keeps_a_groups_target_when_its_section_is_deleted(targeted_section):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        targeted_section.delete()


def test_deleting_an_entry_whose_part_a_plan_trimmed_is_refused_naming_no_reader(
    catalogue_staff, reader
):
    import datetime as dt

    from plans.models import ReadingPlan

    part = AdviceFactory(part="Appendix")
    plan = ReadingPlan.objects.create(
        reader=reader,
        hours_per_week=3,
        starts_on=dt.date(2026, 1, 5),
        counted_from=dt.date(2026, 1, 5),
    )
    plan.dropped.add(part)
    url = reverse("admin:catalogue_paper_delete", args=[part.paper.pk])

    page = catalogue_staff.get(url).text
    catalogue_staff.post(url, {"post": "yes"})

    assert "cannot be deleted" in page and "ada" not in page
    assert plan.dropped.filter(pk=part.pk).exists()


def advice_form(part: Advice, paper: Paper) -> dict:
    return {
        "paper": paper.pk,
        "key": part.key,
        "position": part.position,
        "level": part.level,
        "part": part.part,
        "detail": part.detail,
        "deep_link": "",
        "estimated_minutes": "",
    }


def test_a_ticked_part_cannot_be_moved_to_another_entry(catalogue_staff):
    from progress.models import PartTick
    from tests.factories import PartTickFactory

    tick = PartTickFactory(advice__part="Section 2")
    part, elsewhere = tick.advice, PaperFactory(slug="elsewhere")
    url = reverse("admin:catalogue_advice_change", args=[part.pk])

    response = catalogue_staff.post(url, advice_form(part, elsewhere))

    assert response.status_code == 200
    assert "cannot move to another entry" in response.text
    assert Advice.objects.get(pk=part.pk).paper_id == tick.advice.paper_id
    assert PartTick.objects.get(pk=tick.pk).advice.paper_id != elsewhere.pk


def test_a_part_nobody_ticked_can_still_move(catalogue_staff):
    part, elsewhere = AdviceFactory(), PaperFactory(slug="elsewhere")
    url = reverse("admin:catalogue_advice_change", args=[part.pk])

    response = catalogue_staff.post(url, advice_form(part, elsewhere))

    assert response.status_code == 302
    assert Advice.objects.get(pk=part.pk).paper_id == elsewhere.pk


def test_the_model_refuses_to_move_a_ticked_part_whatever_the_caller(db):
    from catalogue.models import PartInUse
    from tests.factories import PartTickFactory

    part = Advice.objects.get(pk=PartTickFactory().advice.pk)
    part.paper = PaperFactory(slug="elsewhere")

    with pytest.raises(PartInUse):
        part.save()


def test_staff_edit_a_shared_work_once_and_every_entry_citing_it_shows_the_change(
    client, client_as_staff
):
    first, second = PaperFactory(), PaperFactory()
    work = WorkFactory(paper=first, title="Toy Models of Superposition", url="https://e.org/toy")
    CitationFactory(entry=second, work=work)
    entry_form = client_as_staff.get(change_url(first)).text
    assert "citations-0-work" in entry_form  # the entry's citations, the work chosen by name

    data = {
        "title": "Toy Models of Superposition (2022)", "slug": work.slug, "kind": work.kind,
        "authors": "Nelson Elhage\n", "guests": "", "url": "https://e.org/toy",
    }  # fmt: skip
    response = client_as_staff.post(reverse("admin:catalogue_work_change", args=[work.pk]), data)

    assert response.status_code == 302
    client.logout()
    for entry in (first, second):
        assert "Toy Models of Superposition (2022)" in client.get(entry.get_absolute_url()).text


def test_a_work_still_cited_cannot_be_deleted_in_the_admin(client_as_staff):
    work = WorkFactory(title="Cited by an entry")

    url = reverse("admin:catalogue_work_delete", args=[work.pk])
    response = client_as_staff.post(url, {"post": "yes"})

    assert "Cannot delete" in response.text or "would require deleting" in response.text
    assert Work.objects.filter(pk=work.pk).exists()
