"""The JSON export names the curriculum of every record that names an entry or a tier, and the
import restores each by (curriculum, entry); older files, which name none, import as before
(issue 25, point 5)."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import portability
from catalogue import editions
from catalogue.models import Curriculum, Level, Paper
from plans import services as plan_services
from progress import services
from progress.models import is_following
from tests.accounts.test_portability import (
    DAY,
    at,
    document,
    entry,
    export_of,
    give_history,
    row_counts,
    upload,
)
from tests.factories import (
    AdviceFactory,
    CurriculumFactory,
    PaperFactory,
    SectionFactory,
    UserFactory,
    build_catalogue,
)

pytestmark = pytest.mark.django_db

DEFAULT = "opinionated-list-v1"


def further_curriculum(slug: str, entries: int = 2) -> list[Paper]:
    """A published curriculum besides the default one: one tier of `entries` entries, each with a
    part to read deeply and one to skim."""
    curriculum = CurriculumFactory(slug=slug, title=f"The {slug} list")
    tier = SectionFactory(curriculum=curriculum, slug=f"{slug}-tier", priority=1)
    papers = []
    for index in range(entries):
        paper = PaperFactory(section=tier, position=index + 1, slug=f"{slug}-entry-{index}")
        AdviceFactory(paper=paper, position=1, level=Level.DEEP, key="method")
        AdviceFactory(paper=paper, position=2, level=Level.SKIM, key="results")
        papers.append(paper)
    editions.publish(note="First", curriculum=curriculum)
    return papers


def a_reader_of_two_curricula(reader) -> tuple[list[Paper], list[Paper]]:
    """Rows on entries of the default curriculum and of a further one: statuses, events, every
    part ticked, notes with revisions; a plan trimming a part of each; a tier of each folded;
    the further one followed."""
    shipped, further = build_catalogue(3), further_curriculum("second")
    give_history(reader, shipped + further)
    plan = plan_services.save_plan(
        reader=reader,
        today=dt.date(2025, 3, 3),
        hours_per_week=Decimal("2"),
        reading_days="246",
        session_time=dt.time(20, 0),
        timezone="UTC",
        use_pace=True,
    )
    plan.dropped.add(shipped[0].advice.get(position=3), further[1].advice.get(key="results"))
    for paper in (shipped[1], further[0]):
        services.set_tier_folded(reader=reader, section=paper.section, folded=True)
    services.set_following(reader=reader, curriculum=further[0].section.curriculum, following=True)
    return shipped, further


def without_account_fields(exported: dict) -> dict:
    """The export less what differs from one account to another: when it was made, the
    username, and when the plan was saved (the import saves it anew)."""
    exported = json.loads(json.dumps(exported))
    del exported["exported_at"], exported["account"], exported["plan"]["updated_at"]
    return exported


def test_every_record_that_names_an_entry_or_a_tier_names_its_curriculum(client_as_reader, reader):
    shipped, further = a_reader_of_two_curricula(reader)
    exported = export_of(client_as_reader)

    assert exported["version"] == 2
    # The default curriculum first, then the others, each in its reading order.
    in_reading_order = Paper.objects.of().in_reading_order()
    assert [(e["curriculum"], e["slug"]) for e in exported["entries"]] == [
        *((DEFAULT, paper.slug) for paper in in_reading_order),
        *(("second", paper.slug) for paper in further),
    ]
    trimmed = shipped[0].advice.get(position=3).key
    assert exported["plan"]["dropped"] == [
        {"curriculum": DEFAULT, "slug": shipped[0].slug, "key": trimmed},
        {"curriculum": "second", "slug": further[1].slug, "key": "results"},
    ]
    assert exported["folded"] == [
        {"curriculum": DEFAULT, "tier": "tier-two"},
        {"curriculum": "second", "tier": "second-tier"},
    ]
    assert {"curriculum": "second", "following": True} in [
        {k: f[k] for k in ("curriculum", "following")} for f in exported["follows"]
    ]


def test_rows_in_two_curricula_survive_export_and_import_into_a_new_account_unchanged(
    client, reader
):
    a_reader_of_two_curricula(reader)
    client.force_login(reader)
    first = export_of(client)

    newcomer = UserFactory(username="newcomer")
    client.force_login(newcomer)
    response = upload(client, json.dumps(first))
    assert response.status_code == 200
    assert response.context["report"].unknown == []
    assert len(response.context["report"].updated) == 5
    assert row_counts(newcomer) == row_counts(reader)
    assert is_following(newcomer, Curriculum.objects.get(slug="second"))

    second = export_of(client)
    assert without_account_fields(second) == without_account_fields(first)


def test_an_export_from_before_curricula_still_imports_onto_the_same_entries(client, reader):
    """A version 1 file: no curriculum on any entry or trimmed part, folded tiers as slugs."""
    a_reader_of_two_curricula(reader)
    client.force_login(reader)
    current = export_of(client)
    old = json.loads(json.dumps(current))
    old["version"] = 1
    for record in old["entries"] + old["plan"]["dropped"]:
        del record["curriculum"]
    old["folded"] = [tier["tier"] for tier in old["folded"] if tier["curriculum"] == DEFAULT]
    del old["follows"]
    assert "curriculum" not in json.dumps({k: old[k] for k in ("entries", "plan", "folded")})

    newcomer = UserFactory(username="newcomer")
    client.force_login(newcomer)
    response = upload(client, json.dumps(old))
    assert response.status_code == 200
    assert response.context["report"].unknown == []
    assert row_counts(newcomer) == row_counts(reader)

    # The default curriculum's entries, and the further one's found by their slug.
    again = without_account_fields(export_of(client))
    expected = without_account_fields(current)
    assert again["entries"] == expected["entries"]
    assert again["plan"] == expected["plan"]
    assert again["folded"] == [{"curriculum": DEFAULT, "tier": "tier-two"}]


def test_a_version_1_file_written_by_hand_imports_as_it_always_did(client_as_reader, reader):
    paper = build_catalogue(1)[0]
    part = paper.advice.get(position=1)
    ticks = [{"key": part.key, "done_at": at(0).isoformat()}]
    response = upload(client_as_reader, document(entry(paper.slug, ticks=ticks)))
    assert response.status_code == 200
    assert response.context["report"].updated == [paper.name]
    assert list(reader.reading_states.values_list("paper__slug", flat=True)) == [paper.slug]
    assert list(reader.part_ticks.values_list("advice", flat=True)) == [part.pk]


def test_a_record_naming_an_unknown_curriculum_or_an_entry_not_in_it_is_skipped_and_named(
    client_as_reader, reader
):
    paper = build_catalogue(1)[0]
    further_curriculum("second")
    note = {"text": "Mine", "version": 1, "updated_at": at(0).isoformat(), "revisions": []}
    tick = [{"key": paper.advice.get(position=1).key, "done_at": at(0).isoformat()}]
    text = json.dumps(
        {
            **json.loads(document()),
            "version": 2,
            "entries": [
                entry(paper.slug, curriculum=DEFAULT),
                # A list this server does not have, and a list that has no such entry: nothing
                # of either record is written, not its status, tick or note.
                entry(paper.slug, curriculum="no-such-list", ticks=tick, note=note),
                entry(paper.slug, curriculum="second", ticks=tick, note=note),
            ],
        }
    )
    response = upload(client_as_reader, text)

    assert response.status_code == 200
    report = response.context["report"]
    assert report.updated == [paper.name]
    assert report.unknown == [f"{paper.slug} (in no-such-list)", f"{paper.slug} (in second)"]
    assert report.unknown_curricula == ["no-such-list"]
    page = response.content.decode()
    assert "2 unknown here" in page
    assert f"<code>{paper.slug} (in second)</code>" in page
    assert "Lists this server does not have at all: <code>no-such-list</code>" in page
    assert row_counts(reader) == {"states": 1, "events": 0, "ticks": 0, "notes": 0, "revisions": 0}


def test_one_slug_twice_needs_two_different_curricula_named(client_as_reader, paper):
    base = {**json.loads(document()), "version": 2}
    twice = [entry(paper.slug, curriculum=DEFAULT), entry(paper.slug)]
    response = upload(client_as_reader, json.dumps({**base, "entries": twice}))
    assert response.status_code == 400
    assert "entries[1].slug" in response.context["problems"][0]
    assert "appears twice (also entries[0])" in response.context["problems"][0]

    apart = [entry(paper.slug, curriculum=DEFAULT), entry(paper.slug, curriculum="second")]
    assert upload(client_as_reader, json.dumps({**base, "entries": apart})).status_code == 200


def test_a_curriculum_that_is_not_a_slug_is_a_problem_with_its_place(client_as_reader, paper):
    ticks = [{"key": paper.advice.first().key, "done_at": at(0).isoformat()}]
    text = document(entry(paper.slug, curriculum=7), entry("other", curriculum="", ticks=ticks))
    response = upload(client_as_reader, text)
    assert response.status_code == 400
    assert response.context["problems"] == [
        "entries[0].curriculum: is a number, expected text",
        "entries[1].curriculum: is empty",
    ]

    plan = {
        "hours_per_week": "2", "reading_days": "135", "session_time": "07:30", "timezone": "UTC",
        "use_pace": True, "starts_on": "2025-03-03", "counted_from": "2025-03-03",
        "catch_up_minutes": 0, "dropped": [{"curriculum": "", "slug": paper.slug, "key": "x"}],
    }  # fmt: skip
    for where, value, problem in [
        ("folded", [{"curriculum": ["x"], "tier": "tier-one"}], "folded[0].curriculum: is a list"),
        ("plan", plan, "plan.dropped[0].curriculum: is empty"),
    ]:
        bad = {**json.loads(document(entry(paper.slug))), where: value}
        response = upload(client_as_reader, json.dumps(bad))
        assert response.status_code == 400
        assert response.context["problems"][0].startswith(problem)
    assert not paper.reading_states.exists()


def test_a_file_of_a_newer_version_is_refused_naming_the_versions_read(client_as_reader):
    response = upload(client_as_reader, json.dumps({"schema": "mireads-export", "version": 3}))
    assert response.status_code == 400
    assert response.context["problems"] == [
        "This export is version 3; this server reads versions 1 and 2."
    ]


# --- Queries: constant in curricula and rows -----------------------------------------------------


def a_reader_of_many_curricula(reader, further: int, entries: int) -> None:
    """Rows on `entries` entries of the default curriculum and of each of `further` others, a
    trimmed part and a folded tier in each, every one followed."""
    papers = build_catalogue(entries)
    for index in range(further):
        papers += further_curriculum(f"list-{index}", entries)
    give_history(reader, papers)
    plan = plan_services.save_plan(
        reader=reader,
        today=dt.date(2025, 3, 3),
        hours_per_week=Decimal("2"),
        reading_days="246",
        session_time=dt.time(20, 0),
        timezone="UTC",
        use_pace=True,
    )
    for paper in papers[::entries]:
        plan.dropped.add(paper.advice.first())
        services.set_tier_folded(reader=reader, section=paper.section, folded=True)
        services.set_following(reader=reader, curriculum=paper.section.curriculum, following=True)


@pytest.mark.parametrize(("further", "entries"), [(1, 2), (3, 5)])
def test_the_json_export_takes_the_same_queries_however_many_curricula_and_rows(
    client_as_reader, reader, further, entries, django_assert_num_queries
):
    a_reader_of_many_curricula(reader, further, entries)
    # Session and user; the plan and its trimmed parts (2), the folded tiers (2), the follows;
    # the entries touched (4) and the entries; the default list counted (2); then, per 25
    # entries (here one chunk), the states, events, ticks, notes and revisions (5); the groups.
    with django_assert_num_queries(20):
        response = client_as_reader.get(reverse("accounts:export-json"))
        exported = json.loads(response.getvalue())
    assert len(exported["entries"]) == entries * (further + 1)


@pytest.mark.parametrize(("further", "entries"), [(1, 2), (3, 5)])
def test_an_import_takes_the_same_queries_however_many_curricula_and_rows(
    client_as_reader, reader, further, entries, django_assert_num_queries
):
    source = UserFactory(username="source")
    a_reader_of_many_curricula(source, further, entries)
    text = "".join(portability.export_json(source, exported_at=DAY))
    # Session and user; savepoint, the reader's dashboard version moved on and, on a first
    # write, their row made (5); the entries and their parts; the account's rows and the
    # entries' main works (5); the writes
    # (6); the plan saved and its trimmed parts set (5); the folded tiers (3); the curricula
    # followed, the account's choices, the new ones written (3); release.
    with django_assert_num_queries(33):
        response = upload(client_as_reader, text)
    assert len(response.context["report"].updated) == entries * (further + 1)
    assert row_counts(reader) == row_counts(source)
