"""A curriculum is a concept of its own (issue 25, point 1, the part built so far): the shipped
list is the default curriculum, a database made before curricula keeps everything in it, each
curriculum says how its sections are ordered and is published and numbered on its own, and
/lists/ shows every published one to anyone."""

import copy
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from catalogue import editions, fixture
from catalogue.models import (
    DEFAULT_CURRICULUM,
    Advice,
    CatalogueLoad,
    Citation,
    Curriculum,
    Edition,
    Ordering,
    Paper,
    Section,
    Work,
)
from tests.factories import AdviceFactory, CurriculumFactory, PaperFactory, SectionFactory
from tests.helpers import migrate as _migrate

BEFORE = [
    ("catalogue", "0005_work_volume_issue_publisher_guests"),
    ("progress", "0009_reading_state_read_before"),
]
AFTER = [("catalogue", "0006_curricula"), ("progress", "0009_reading_state_read_before")]


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


# --- Further curricula from their own files ------------------------------------------------------


def _second_list(slug: str = "getting-started", **work) -> list[dict]:
    """A further curriculum's file: its record, its first edition, one stage, one entry citing
    A Mathematical Framework (which the shipped list cites too) with one part to skim."""
    entry = f"{slug}-framework"
    return [
        {
            "model": "catalogue.curriculum",
            "fields": {
                "slug": slug,
                "title": "Getting started",
                "author": "A guide writer",
                "year": 2023,
                "source_url": "",
                "description": "Time-boxed stages.",
                "ordering": "stages",
                "position": 2,
            },
        },
        {
            "model": "catalogue.edition",
            "fields": {"number": 1, "note": "First", "published_at": "2026-12-01T00:00:00Z"},
        },
        {
            "model": "catalogue.section",
            "fields": {
                "title": "Learn the basics",
                "slug": f"{slug}-basics",
                "priority": 1,
                "position": 1,
                "parent": None,
                "intro": "",
            },
        },
        {
            "model": "catalogue.paper",
            "fields": {
                "section": [f"{slug}-basics"],
                "parent": None,
                "position": 1,
                "title": "A Mathematical Framework for Transformer Circuits",
                "slug": entry,
                "kind": "paper",
                "url": "https://transformer-circuits.pub/2021/framework/index.html",
                "important": True,
            },
        },
        {
            "model": "catalogue.work",
            "fields": {
                "slug": work.get("work_slug", f"{slug}-framework-work"),
                "kind": "article",
                "title": "A Mathematical Framework for Transformer Circuits",
                "authors": ["Nelson Elhage"],
                "year": 2021,
                "url": work.get(
                    "url", "https://transformer-circuits.pub/2021/framework/index.html"
                ),
                "arxiv_id": work.get("arxiv_id", ""),
            },
        },
        {
            "model": "catalogue.citation",
            "fields": {
                "entry": [entry],
                "work": [work.get("work_slug", f"{slug}-framework-work")],
                "position": 1,
                "role": "main",
            },
        },
        {
            "model": "catalogue.advice",
            "fields": {
                "paper": [entry],
                "key": "overview",
                "position": 1,
                "level": "skim",
                "part": "The overview",
            },
        },
    ]


def _write(tmp_path, records, name="getting-started.json"):
    path = tmp_path / name
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    return path


def _catalogue_rows() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Curriculum, Section, Paper, Advice, Work, Edition, CatalogueLoad)
    )


def test_a_second_curriculum_loads_from_its_file_and_leaves_the_first_as_it_was(
    real_catalogue, tmp_path, client
):
    def page(url: str) -> str:
        return re.sub(r'nonce="[^"]+"', "", client.get(url).text)

    before = page("/papers/")

    report = fixture.load_file(_write(tmp_path, _second_list()))

    second = Curriculum.objects.get(slug="getting-started")
    assert (second.is_default, second.ordering, report.edition) == (False, "stages", 1)
    assert list(second.editions.values_list("number", flat=True)) == [1]
    assert Edition.objects.of().count() == 1  # the shipped list's own editions are untouched
    assert page("/papers/") == before  # the reading list shows the shipped list only
    page = client.get("/lists/getting-started/").text
    assert "Stage 1" in page and "Learn the basics" in page and "Most important" in page
    lists = client.get("/lists/").text
    assert "Getting started" in lists and "Extremely Opinionated" in lists


def test_a_curriculum_file_reloaded_unchanged_writes_nothing_and_exports_as_it_loads(
    real_catalogue, tmp_path
):
    path = _write(tmp_path, _second_list())
    fixture.load_file(path)
    exported = fixture.dumps(Curriculum.objects.get(slug="getting-started"))
    path.write_text(exported, encoding="utf-8")
    fixture.load_file(path)
    rows = _catalogue_rows()

    assert fixture.load_file(path).unchanged
    assert _catalogue_rows() == rows
    assert fixture.dumps(Curriculum.objects.get(slug="getting-started")) == exported
    assert json.loads(exported)[0]["model"] == "catalogue.curriculum"


def test_a_staff_edit_to_a_further_curriculum_survives_its_reload(real_catalogue, tmp_path):
    path = _write(tmp_path, _second_list())
    fixture.load_file(path)
    # As a curator works: the file as exported, loaded, then edited on both sides.
    path.write_text(fixture.dumps(Curriculum.objects.get(slug="getting-started")), "utf-8")
    fixture.load_file(path)
    Paper.objects.filter(slug="getting-started-framework").update(short_name="Framework")
    records = json.loads(path.read_text(encoding="utf-8"))
    entry = next(r for r in records if r["model"] == "catalogue.paper")
    entry["fields"]["summary"] = "The paper that set out how to read a transformer."

    report = fixture.load_file(_write(tmp_path, records))

    assert not report.conflicts

    entry = Paper.objects.get(slug="getting-started-framework")
    assert entry.short_name == "Framework"
    assert entry.summary.startswith("The paper that set out")


def test_a_slug_another_curriculum_uses_is_refused_naming_it(real_catalogue, tmp_path):
    records = _second_list()
    records[2]["fields"]["slug"] = "what-is-mech-interp"
    records[3]["fields"]["section"] = ["what-is-mech-interp"]
    rows = _catalogue_rows()

    with pytest.raises(fixture.CatalogueError, match="already a section of curriculum"):
        fixture.load_file(_write(tmp_path, records))
    assert _catalogue_rows() == rows


def test_two_files_cannot_publish_one_curriculum(real_catalogue, tmp_path):
    fixture.load_file(_write(tmp_path, _second_list()))
    copy = _second_list()
    for record in copy[2:]:
        for name in ("slug",):
            if name in record["fields"]:
                record["fields"][name] = "copy-" + record["fields"][name]
    rows = _catalogue_rows()

    with pytest.raises(fixture.CatalogueError, match="two curricula cannot share a slug"):
        fixture.load_file(_write(tmp_path, copy, name="copy.json"))
    assert _catalogue_rows() == rows


def test_a_cycle_of_nested_entries_is_refused_and_nothing_is_loaded(real_catalogue, tmp_path):
    records = json.loads(fixture.FIXTURE_PATH.read_text(encoding="utf-8"))
    by_slug = {r["fields"].get("slug"): r for r in records if r["model"] == "catalogue.paper"}
    child = next(r for r in by_slug.values() if r["fields"]["parent"])
    parent = by_slug[child["fields"]["parent"][0]]
    parent["fields"]["parent"] = [child["fields"]["slug"]]
    rows = _catalogue_rows()

    with pytest.raises(fixture.CatalogueError, match="is a cycle"):
        fixture.load_file(_write(tmp_path, records, name="papers.json"))
    assert _catalogue_rows() == rows


def test_a_work_whose_identifiers_name_two_known_works_is_refused_naming_both(
    real_catalogue, tmp_path
):
    # The Framework's link with Toy Models' arXiv id: two works the shipped list knows.
    records = _second_list(arxiv_id="2209.10652")
    rows = _catalogue_rows()

    with pytest.raises(fixture.CatalogueError) as refused:
        fixture.load_file(_write(tmp_path, records))
    message = str(refused.value)
    assert "Toy Models of Superposition" in message
    assert "A Mathematical Framework" in message
    assert "one work cannot be two" in message
    assert _catalogue_rows() == rows


def test_load_catalogue_loads_the_shipped_list_and_every_curriculum_file(db, tmp_path, monkeypatch):
    folder = tmp_path / "curricula"
    folder.mkdir()
    _write(folder, _second_list())
    monkeypatch.setattr(fixture, "CURRICULA_DIR", folder)

    call_command("load_catalogue", stdout=StringIO())

    assert list(Curriculum.objects.published().default_first().values_list("slug", flat=True)) == [
        DEFAULT_CURRICULUM,
        "getting-started",
    ]


def test_an_entry_of_a_further_curriculum_has_its_own_page_in_its_own_words(
    real_catalogue, tmp_path, client
):
    fixture.load_file(_write(tmp_path, _second_list()))

    page = client.get("/papers/getting-started-framework/")

    assert page.status_code == 200
    assert 'href="/lists/getting-started/"' in page.text  # the crumbs name its curriculum
    crumbs = re.sub(r"\s+", " ", page.text.split('class="crumbs"')[1].split("</p>")[0])
    assert "Stage 1 · Learn the basics" in crumbs
    assert "Priority" not in crumbs


def test_marking_an_entry_most_important_is_announced_in_the_next_edition(real_catalogue, client):
    Paper.objects.filter(slug="ioi").update(important=True)
    editions.publish(note="IOI is the one to read first.")

    html = client.get("/changes/").text

    assert "now marked <strong>most important</strong>" in html
    assert html.count("most important") == 1  # no other entry is said to have changed


def test_a_drafts_entries_have_no_public_page_until_it_is_published(real_catalogue, client):
    draft = CurriculumFactory(title="Half-made list")
    entry = PaperFactory(section=SectionFactory(curriculum=draft), title="Not yet announced")

    assert client.get(entry.get_absolute_url()).status_code == 404
    editions.publish(note="First", curriculum=draft)
    assert client.get(entry.get_absolute_url()).status_code == 200


# --- Shared works (docs/curricula.md, step 1) -----------------------------------------------------


@pytest.mark.parametrize(
    ("link", "known"),
    [
        ({}, "mathematical-framework"),
        ({"work_slug": "framework-2021"}, "mathematical-framework"),
        ({"url": "https://arxiv.org/pdf/2209.10652"}, "toy-models-of-superposition"),
        ({"url": "https://arxiv.org/abs/2209.10652v2"}, "toy-models-of-superposition"),
    ],
)
def test_a_further_curriculum_citing_a_known_work_links_to_it_rather_than_copying_it(
    real_catalogue, tmp_path, link, known
):
    works = Work.objects.count()

    report = fixture.load_file(_write(tmp_path, _second_list(**link)))

    assert Work.objects.count() == works
    citation = Citation.objects.get(entry__slug="getting-started-framework")
    assert citation.work.slug == known
    assert sorted(citation.work.citations.values_list("entry__slug", flat=True)) == sorted(
        [known, "getting-started-framework"]
    )
    assert "cited rather than copied" in str(report) and known in str(report)
    # Reloading the file as it is, and as exported, writes nothing.
    assert fixture.load_file(_write(tmp_path, _second_list(**link))).unchanged


def test_a_work_no_longer_cited_goes_and_one_still_cited_elsewhere_stays(real_catalogue, tmp_path):
    path = _write(tmp_path, _second_list())
    fixture.load_file(path)
    own = _second_list(slug="getting-started", url="https://example.org/own-work")
    own[4]["fields"]["slug"] = own[5]["fields"]["work"][0] = "own-work"
    fixture.load_file(_write(tmp_path, own))
    assert Work.objects.filter(slug="own-work").exists()
    # As a curator works: the file as exported, then the work and its citation taken out.
    exported = json.loads(fixture.dumps(Curriculum.objects.get(slug="getting-started")))
    fixture.load_file(_write(tmp_path, exported))
    dropped = [r for r in exported if r["model"] not in ("catalogue.work", "catalogue.citation")]

    report = fixture.load_file(_write(tmp_path, dropped))

    assert not Work.objects.filter(slug="own-work").exists()
    assert report.removed.get("work") == 1
    # The shipped list's Framework, cited by the second list before, stays.
    assert Work.objects.filter(slug="mathematical-framework").exists()


def _old_format(records: list[dict]) -> list[dict]:
    """The shipped file as it was before works were shared: each work record carried its entry,
    position and role (what migration 0008 turned into a work and a citation)."""
    works = {r["fields"]["slug"]: r["fields"] for r in records if r["model"] == "catalogue.work"}
    old = []
    for record in records:
        if record["model"] == "catalogue.work":
            continue
        if record["model"] != "catalogue.citation":
            old.append(record)
            continue
        cited = record["fields"]
        fields = {k: v for k, v in works[cited["work"][0]].items() if k != "slug"}
        head = {"paper": cited["entry"], "position": cited["position"], "role": cited["role"]}
        old.append({"model": "catalogue.work", "fields": {**head, **fields}})
    return old


SHARED_BEFORE = [("catalogue", "0006_curricula"), ("progress", "0009_reading_state_read_before")]
SHARED_AFTER = [
    ("catalogue", "0009_works_shared"),
    ("progress", "0009_reading_state_read_before"),
]


def _fill_old(apps, records: list[dict]) -> None:
    """Write the old-format records as the loader of the day did, with the load applied."""
    Curriculum_ = apps.get_model("catalogue", "Curriculum")
    Section_ = apps.get_model("catalogue", "Section")
    Paper_ = apps.get_model("catalogue", "Paper")
    Advice_ = apps.get_model("catalogue", "Advice")
    Work_ = apps.get_model("catalogue", "Work")
    Edition_ = apps.get_model("catalogue", "Edition")
    Load = apps.get_model("catalogue", "CatalogueLoad")
    shipped, _ = Curriculum_.objects.get_or_create(
        slug=DEFAULT_CURRICULUM,
        defaults={"title": "The shipped list", "is_default": True, "ordering": "tiers",
                  "source_file": "fixtures/papers.json"},
    )  # fmt: skip
    sections, papers = {}, {}
    for record in records:
        fields = dict(record["fields"])
        model = record["model"]
        if model == "catalogue.edition":
            Edition_.objects.create(curriculum=shipped, **fields)
        elif model == "catalogue.section":
            parent = fields.pop("parent")
            sections[fields["slug"]] = Section_.objects.create(
                curriculum=shipped, parent=parent and sections[parent[0]], **fields
            )
        elif model == "catalogue.paper":
            section, parent = fields.pop("section"), fields.pop("parent")
            papers[fields["slug"]] = Paper_.objects.create(
                section=sections[section[0]], parent=parent and papers[parent[0]], **fields
            )
        elif model == "catalogue.advice":
            Advice_.objects.create(paper=papers[fields.pop("paper")[0]], **fields)
        elif model == "catalogue.work":
            Work_.objects.create(paper=papers[fields.pop("paper")[0]], **fields)
    Load.objects.create(curriculum=shipped, sha256="old", applied=records, loaded_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_shared_works_keeps_its_works_and_readers_data_and_its_base():
    new_file = json.loads(fixture.FIXTURE_PATH.read_text(encoding="utf-8"))
    old = _migrate(SHARED_BEFORE)
    try:
        _fill_old(old, _old_format(new_file))
        User = old.get_model("auth", "User")
        reader = User.objects.create(username="ada")
        Paper_ = old.get_model("catalogue", "Paper")
        framework = Paper_.objects.get(slug="mathematical-framework")
        part = old.get_model("catalogue", "Advice").objects.filter(paper=framework).first()
        now = timezone.now()
        old.get_model("progress", "ReadingState").objects.create(
            reader=reader, paper=framework, status="read"
        )
        old.get_model("progress", "PartTick").objects.create(
            reader=reader, advice=part, done_at=now
        )
        old.get_model("progress", "Note").objects.create(
            reader=reader, paper=framework, text="Kept", updated_at=now
        )
        works_before = old.get_model("catalogue", "Work").objects.count()

        new = _migrate(SHARED_AFTER)
        Work_ = new.get_model("catalogue", "Work")
        Citation_ = new.get_model("catalogue", "Citation")
        assert Work_.objects.count() == works_before == Citation_.objects.count()
        curves = Citation_.objects.filter(entry__slug="curve-detectors").order_by("position")
        assert [(c.work.slug, c.role) for c in curves] == [
            ("curve-detectors", "main"),
            ("curve-detectors-2", "companion"),
        ]
        assert new.get_model("progress", "ReadingState").objects.get().status == "read"
        assert new.get_model("progress", "PartTick").objects.get().advice_id == part.pk
        assert new.get_model("progress", "Note").objects.get().text == "Kept"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    # The base was rewritten: the shipped file in its new format is the file last applied.
    report = fixture.load_file()
    assert (report.created, report.updated, report.removed, report.retired) == ({}, {}, {}, {})
    assert not report.conflicts
    assert Work.objects.count() == works_before


@pytest.mark.django_db(transaction=True)
def test_works_that_share_an_identity_become_one_when_migrated():
    old = _migrate(SHARED_BEFORE)
    try:
        shipped = old.get_model("catalogue", "Curriculum").objects.create(
            slug=DEFAULT_CURRICULUM, title="The shipped list", is_default=True
        )
        tier = old.get_model("catalogue", "Section").objects.create(
            curriculum=shipped, title="T", slug="t", priority=1, position=1
        )
        Paper_ = old.get_model("catalogue", "Paper")
        Work_ = old.get_model("catalogue", "Work")
        first = Paper_.objects.create(section=tier, position=1, title="Toy", slug="toy")
        second = Paper_.objects.create(section=tier, position=2, title="Toy again", slug="toy-2b")
        Work_.objects.create(paper=first, position=1, kind="preprint", title="Toy Models",
                             arxiv_id="2209.10652")  # fmt: skip
        Work_.objects.create(paper=second, position=1, kind="preprint", title="Toy Models",
                             url="https://arxiv.org/pdf/2209.10652v2")  # fmt: skip

        new = _migrate(SHARED_AFTER)
        work = new.get_model("catalogue", "Work").objects.get()
        assert work.slug == "toy"
        cited = new.get_model("catalogue", "Citation").objects.filter(work=work)
        assert sorted(cited.values_list("entry__slug", flat=True)) == ["toy", "toy-2b"]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_an_entry_page_says_which_other_curricula_cite_its_work_and_what_each_advises(
    real_catalogue, tmp_path, client
):
    assert "In other curricula" not in client.get("/papers/mathematical-framework/").text

    fixture.load_file(_write(tmp_path, _second_list()))

    page = client.get("/papers/mathematical-framework/").text
    other = re.search(r'<section class="cited-elsewhere".*?</section>', page, re.S).group()
    assert 'href="/lists/getting-started/"' in other and "Getting started" in other
    assert "1 skim" in other and "marked most important" in other
    # A draft curriculum is seen only in admin, here too.
    draft = [r for r in _second_list("draft-list") if r["model"] != "catalogue.edition"]
    fixture.load_file(_write(tmp_path, draft, name="draft.json"))
    page = client.get("/papers/mathematical-framework/").text
    assert "/lists/getting-started/" in page and "/lists/draft-list/" not in page


@pytest.mark.parametrize("curricula", [1, 4])
def test_the_other_curricula_on_an_entry_page_take_the_same_queries_at_any_number(
    real_catalogue, tmp_path, client, curricula, django_assert_num_queries
):
    for n in range(curricula):
        fixture.load_file(_write(tmp_path, _second_list(f"list-{n}"), name=f"list-{n}.json"))
    client.get("/papers/mathematical-framework/")  # warm what is cached once per process
    from catalogue import pagecache

    pagecache.bump()

    with django_assert_num_queries(ENTRY_PAGE_QUERIES):
        page = client.get("/papers/mathematical-framework/").text

    assert page.count('href="/lists/list-') == curricula


# The entry page's queries (tests/catalogue/test_pages.py) and one for the other curricula.
ENTRY_PAGE_QUERIES = 6 + 1


def test_a_file_naming_a_known_work_by_its_slug_cites_it_and_leaves_its_fields_alone(
    real_catalogue, tmp_path
):
    framework = Work.objects.get(slug="mathematical-framework")
    records = _second_list(work_slug="mathematical-framework")

    report = fixture.load_file(_write(tmp_path, records))

    assert "cited rather than copied" in str(report)
    kept = Work.objects.get(slug="mathematical-framework")
    assert (kept.authors, kept.venue) == (framework.authors, framework.venue)
    assert kept.citations.count() == 2


def test_a_known_works_slug_with_another_works_identifiers_is_refused_in_one_sentence(
    real_catalogue, tmp_path
):
    records = _second_list(work_slug="ioi")  # IOI's slug, the Framework's link
    rows = _catalogue_rows()

    with pytest.raises(fixture.CatalogueError) as refused:
        fixture.load_file(_write(tmp_path, records))

    message = str(refused.value)
    assert "'ioi' is the known work" in message and "A Mathematical Framework" in message
    assert message.count(". ") == 0 and message.endswith("one work cannot be two.")
    assert _catalogue_rows() == rows


def test_a_part_advised_twice_in_one_curriculum_is_refused_naming_both_entries(
    real_catalogue, tmp_path
):
    # A second entry of the same curriculum citing the same work advises the same part again.
    records = _second_list()
    entry, citation, advice = (
        next(r for r in records if r["model"] == model)
        for model in ("catalogue.paper", "catalogue.citation", "catalogue.advice")
    )
    again = copy.deepcopy([entry, citation, advice])
    again[0]["fields"].update(slug="getting-started-framework-again", position=2)
    again[1]["fields"]["entry"] = ["getting-started-framework-again"]
    again[2]["fields"]["paper"] = ["getting-started-framework-again"]
    rows = _catalogue_rows()

    with pytest.raises(fixture.CatalogueError) as refused:
        fixture.load_file(_write(tmp_path, records + again))
    message = str(refused.value)
    assert "getting-started-framework-again" in message and "'overview'" in message
    assert "already advised in this curriculum by entry 'getting-started-framework'" in message
    assert _catalogue_rows() == rows


def test_two_curricula_may_advise_the_same_part_at_different_depths(real_catalogue, tmp_path):
    framework_part = Advice.objects.filter(paper__slug="mathematical-framework").first()
    records = _second_list()
    advice = next(r for r in records if r["model"] == "catalogue.advice")
    advice["fields"]["key"] = framework_part.key

    fixture.load_file(_write(tmp_path, records))

    levels = Advice.objects.filter(key=framework_part.key, paper__title__startswith="A Math")
    assert sorted(levels.values_list("level", flat=True)) == sorted([framework_part.level, "skim"])


def test_a_curriculums_file_carries_every_field_but_the_databases_own():
    names = {field.name for field in Curriculum._meta.concrete_fields}
    assert set(fixture.CURRICULUM_FIELDS) == names - {"id", "is_default", "source_file"}
    assert fixture.CURRICULUM_FIELDS[:2] == ["slug", "title"]  # the file's order stays the model's
