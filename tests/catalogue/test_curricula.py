"""A curriculum is a concept of its own (issue 25, point 1, the part built so far): the shipped
list is the default curriculum, a database made before curricula keeps everything in it, each
curriculum says how its sections are ordered and is published and numbered on its own, and
/lists/ shows every published one to anyone."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from catalogue import editions
from catalogue.models import DEFAULT_CURRICULUM, Curriculum, Edition, Ordering, Section
from tests.factories import AdviceFactory, CurriculumFactory, PaperFactory, SectionFactory

BEFORE = [
    ("catalogue", "0005_work_volume_issue_publisher_guests"),
    ("progress", "0009_reading_state_read_before"),
]
AFTER = [("catalogue", "0006_curricula"), ("progress", "0009_reading_state_read_before")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_curricula_keeps_every_section_edition_and_readers_data():
    old = _migrate(BEFORE)
    try:
        User = old.get_model("auth", "User")
        Section_ = old.get_model("catalogue", "Section")
        Paper_ = old.get_model("catalogue", "Paper")
        Advice_ = old.get_model("catalogue", "Advice")
        Edition_ = old.get_model("catalogue", "Edition")
        Load = old.get_model("catalogue", "CatalogueLoad")
        State = old.get_model("progress", "ReadingState")
        Tick = old.get_model("progress", "PartTick")
        Note = old.get_model("progress", "Note")
        now = timezone.now()
        reader = User.objects.create(username="ada")
        tier = Section_.objects.create(title="Tier", slug="tier", priority=1, position=1)
        paper = Paper_.objects.create(section=tier, position=1, title="SoLU", slug="solu")
        part = Advice_.objects.create(paper=paper, position=1, level="deep", part="All", key="all")
        Edition_.objects.create(number=1, note="First", published_at=now)
        Load.objects.create(sha256="x", applied=[], loaded_at=now)
        State.objects.create(reader=reader, paper=paper, status="read")
        Tick.objects.create(reader=reader, advice=part, done_at=now)
        Note.objects.create(reader=reader, paper=paper, text="Kept", updated_at=now)

        new = _migrate(AFTER)
        Curriculum_ = new.get_model("catalogue", "Curriculum")
        shipped = Curriculum_.objects.get()
        assert (shipped.slug, shipped.is_default, shipped.ordering) == (
            DEFAULT_CURRICULUM,
            True,
            "tiers",
        )
        for name in ("Section", "Edition", "CatalogueLoad"):
            rows = new.get_model("catalogue", name).objects.values_list("curriculum", flat=True)
            assert list(rows) == [shipped.pk], name
        assert new.get_model("progress", "ReadingState").objects.get().status == "read"
        assert new.get_model("progress", "PartTick").objects.get().advice_id == part.pk
        assert new.get_model("progress", "Note").objects.get().text == "Kept"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_shipped_list_loads_as_the_default_curriculum(real_catalogue):
    shipped = Curriculum.objects.get()
    assert shipped.is_default and shipped.slug == DEFAULT_CURRICULUM
    assert shipped.author == "Neel Nanda"
    assert set(Section.objects.values_list("curriculum", flat=True)) == {shipped.pk}
    assert list(Edition.objects.values_list("curriculum", "number")) == [(shipped.pk, 1)]


@pytest.mark.django_db
def test_only_one_curriculum_can_be_the_default():
    Curriculum.objects.default()
    with pytest.raises(IntegrityError), transaction.atomic():
        CurriculumFactory(is_default=True)


@pytest.mark.django_db
def test_sections_are_not_held_to_four_tiers_but_rank_from_one():
    stages = CurriculumFactory(ordering=Ordering.STAGES)
    section = SectionFactory(curriculum=stages, priority=7, title="Write up")
    section.full_clean()
    assert str(section) == "Stage 7: Write up"
    with pytest.raises(IntegrityError), transaction.atomic():
        SectionFactory(curriculum=stages, priority=0)


@pytest.mark.django_db
def test_each_ordering_names_its_sections_its_own_way():
    tiers = Curriculum.objects.default()
    topics = CurriculumFactory(ordering=Ordering.TOPICS)
    assert str(SectionFactory(curriculum=tiers, priority=2, title="Core")) == "Priority 2: Core"
    assert str(SectionFactory(curriculum=topics, priority=2, title="SAEs")) == "SAEs"


def _published(**fields) -> Curriculum:
    curriculum = CurriculumFactory(**fields)
    section = SectionFactory(curriculum=curriculum, priority=1, title=f"{curriculum.title} one")
    paper = PaperFactory(section=section, title=f"Paper of {curriculum.title}")
    AdviceFactory(paper=paper, level="deep", part="Section 2")
    editions.publish(note="First", curriculum=curriculum)
    return curriculum


@pytest.mark.django_db
def test_each_curriculum_is_published_and_numbered_on_its_own():
    first = _published(title="First list")
    second = _published(title="Second list")
    PaperFactory(section=first.sections.get(), title="Added later")

    call_command("publish_edition", "--curriculum", first.slug, "--note", "One more")

    assert list(first.editions.values_list("number", flat=True)) == [2, 1]
    assert list(second.editions.values_list("number", flat=True)) == [1]
    added = first.editions.get(number=2).content.changes
    assert [change["name"] for change in added] == ["Added later"]


@pytest.mark.django_db
def test_publishing_an_unknown_curriculum_says_which_exist_and_publishes_nothing():
    known = _published(title="Known list")
    with pytest.raises(CommandError, match=rf"no curriculum 'nope' \(known: .*{known.slug}"):
        call_command("publish_edition", "--curriculum", "nope", "--note", "x")
    assert Edition.objects.count() == 1


@pytest.mark.django_db
def test_lists_shows_every_published_curriculum_and_never_a_draft(client):
    published = _published(title="Concrete steps", author="A guide writer", year=2023)
    draft = CurriculumFactory(title="Half-made list")
    SectionFactory(curriculum=draft)

    page = client.get("/lists/")
    assert page.status_code == 200
    assert "Concrete steps" in page.text and "A guide writer, 2023" in page.text
    assert "Half-made list" not in page.text
    assert client.get(published.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_a_curriculum_page_shows_its_own_sections_in_its_own_words(client):
    stages = _published(title="Getting started", ordering=Ordering.STAGES)
    section = SectionFactory(curriculum=stages, priority=2, title="Replicate a paper")
    PaperFactory(section=section, title="IOI", important=True)
    other = _published(title="Another list")
    editions.publish(note="Stage two", curriculum=stages)

    html = client.get(stages.get_absolute_url()).text

    assert "Stage 2" in html and "Replicate a paper" in html
    assert "Priority" not in html
    assert "Most important" in html
    assert "Paper of Getting started" in html
    assert f"Paper of {other.title}" not in html


def test_the_default_curriculum_page_lists_the_shipped_tiers(client, real_catalogue):
    html = client.get(f"/lists/{DEFAULT_CURRICULUM}/").text
    for rank in range(1, 5):
        assert f"Priority {rank}" in html
    assert "A Mathematical Framework" in html


@pytest.mark.parametrize("size", [2, 8])
@pytest.mark.django_db
def test_the_lists_pages_take_the_same_queries_at_any_size(client, size, django_assert_num_queries):
    made = [_published(title=f"List {n}") for n in range(size)]
    for curriculum in made:
        for n in range(size):
            PaperFactory(section=curriculum.sections.get(), title=f"{curriculum.title} {n}")

    with django_assert_num_queries(LISTS_QUERIES):
        assert client.get("/lists/").status_code == 200
    with django_assert_num_queries(CURRICULUM_QUERIES):
        assert client.get(made[-1].get_absolute_url()).status_code == 200


# The catalogue version (the page cache's key), then the page's own queries.
LISTS_QUERIES = 2
CURRICULUM_QUERIES = 7
