"""Fixtures/papers.json loads by natural key, reloads in place, exports byte for byte,
and a broken file changes nothing."""

import copy
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalogue import fixture
from catalogue.models import Advice, Paper, Section
from progress.models import Note, PartTick, ReadingState
from tests.factories import NoteFactory, PartTickFactory, ReadingStateFactory

pytestmark = pytest.mark.django_db

SHIPPED = fixture.FIXTURE_PATH.read_text(encoding="utf-8")


def shipped_records() -> list[dict]:
    return json.loads(SHIPPED)


def snapshot() -> dict:
    """Every catalogue row with its primary key: what 'the database is unchanged' means here."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Section, Paper, Advice)
    }


def record(records: list[dict], model: str, slug: str) -> dict:
    return next(
        r for r in records if r["model"] == f"catalogue.{model}" and r["fields"]["slug"] == slug
    )


def advice_record(records: list[dict], slug: str, position: int) -> dict:
    return next(
        r
        for r in records
        if r["model"] == "catalogue.advice"
        and r["fields"]["paper"] == [slug]
        and r["fields"]["position"] == position
    )


def write(tmp_path: Path, records: list[dict]) -> Path:
    path = tmp_path / "papers.json"
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


# --- Natural keys -----------------------------------------------------------------------------


def test_the_fixture_holds_no_numeric_keys():
    for item in shipped_records():
        assert "pk" not in item
        fields = item["fields"]
        for name in ("section", "parent", "paper"):
            assert fields.get(name) is None or isinstance(fields[name][0], str), item


def test_every_row_is_found_by_its_natural_key(real_catalogue):
    solu = Paper.objects.get_by_natural_key("solu")
    assert solu.natural_key() == ("solu",)
    assert Section.objects.get_by_natural_key("language-models").natural_key() == (
        "language-models",
    )
    second = Advice.objects.get(paper=solu, position=2)
    advice = Advice.objects.get_by_natural_key("solu", second.key)
    assert advice.natural_key() == ("solu", second.key)
    assert advice.paper == solu
    assert advice == second


# --- Loading ----------------------------------------------------------------------------------


def test_load_catalogue_fills_an_empty_database():
    call_command("load_catalogue")

    assert Section.objects.count() == 7
    assert Paper.objects.count() == 30
    assert Advice.objects.count() == sum(
        1 for r in shipped_records() if r["model"] == "catalogue.advice"
    )


def test_djangos_loaddata_reads_the_fixture_into_empty_and_populated_databases():
    call_command("loaddata", str(fixture.FIXTURE_PATH), verbosity=0)
    before = snapshot()

    call_command("loaddata", str(fixture.FIXTURE_PATH), verbosity=0)

    assert snapshot() == before
    assert fixture.dumps() == SHIPPED


def test_reloading_updates_rows_in_place_and_keeps_readers_progress(
    real_catalogue, reader, tmp_path
):
    solu = Paper.objects.get(slug="solu")
    deep_part = Advice.objects.get(paper=solu, position=1)
    state = ReadingStateFactory(reader=reader, paper=solu)
    tick = PartTickFactory(reader=reader, advice=deep_part)
    note = NoteFactory(reader=reader, paper=solu, text="Lateral inhibition!")
    before = snapshot()
    records = shipped_records()
    record(records, "paper", "solu")["fields"]["summary"] = "An edited summary."
    advice_record(records, "solu", 1)["fields"]["detail"] = "An edited detail."

    call_command("load_catalogue", str(write(tmp_path, records)))

    after = snapshot()
    assert {m: [r["id"] for r in rows] for m, rows in after.items()} == {
        m: [r["id"] for r in rows] for m, rows in before.items()
    }
    solu.refresh_from_db()
    deep_part.refresh_from_db()
    assert solu.summary == "An edited summary."
    assert deep_part.detail == "An edited detail."
    assert ReadingState.objects.get(pk=state.pk).paper_id == solu.pk
    assert PartTick.objects.get(pk=tick.pk).advice_id == deep_part.pk
    assert Note.objects.get(pk=note.pk).paper_id == solu.pk
    assert Note.objects.get(pk=note.pk).text == "Lateral inhibition!"


def test_reloading_the_same_file_reports_it_unchanged_and_writes_nothing(real_catalogue):
    report = fixture.load_file()

    assert report.unchanged
    assert report.created == {}
    assert report.updated == {}
    assert "unchanged" in str(report)


# --- Export -----------------------------------------------------------------------------------


def test_load_then_export_reproduces_the_fixture_byte_for_byte(tmp_path):
    out = tmp_path / "exported.json"

    call_command("load_catalogue")
    call_command("export_catalogue", str(out))

    assert out.read_bytes() == fixture.FIXTURE_PATH.read_bytes()


def test_export_writes_an_edit_back_in_the_same_format(real_catalogue, tmp_path):
    Paper.objects.filter(slug="rome").update(short_name="ROME (edited)")
    out = tmp_path / "exported.json"

    call_command("export_catalogue", str(out))

    expected = shipped_records()
    record(expected, "paper", "rome")["fields"]["short_name"] = "ROME (edited)"
    assert out.read_text(encoding="utf-8") == (
        json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    )


# --- Bad input: a clear message, and nothing changed ------------------------------------------


def broken(change) -> list[dict]:
    """The shipped list with one early, valid edit and then `change`: if loading were not one
    transaction, the early edit would survive the failure."""
    records = copy.deepcopy(shipped_records())
    record(records, "paper", "circuits-zoom-in")["fields"]["title"] = "Should never be saved"
    change(records)
    return records


def add_paper(records: list[dict], **fields) -> None:
    new = copy.deepcopy(record(records, "paper", "building-blocks"))
    new["fields"].update({"slug": "a-new-entry", "position": 99, **fields})
    records.append(new)


BROKEN = {
    "unknown level": (
        lambda rs: advice_record(rs, "solu", 3)["fields"].update(level="browse"),
        ["catalogue.advice solu #3", "field 'level'", "'browse'"],
    ),
    "duplicate slug": (
        lambda rs: add_paper(rs, slug="rome"),
        ["catalogue.paper rome", "field 'slug'", "duplicate"],
    ),
    "missing section": (
        lambda rs: add_paper(rs, section=["no-such-tier"]),
        ["catalogue.paper a-new-entry", "field 'section'", "no-such-tier"],
    ),
    "missing parent": (
        lambda rs: add_paper(rs, parent=["no-such-entry"]),
        ["catalogue.paper a-new-entry", "field 'parent'", "no-such-entry"],
    ),
    "link that is not http(s)": (
        lambda rs: record(rs, "paper", "rome")["fields"].update(url="javascript:alert(1)"),
        ["catalogue.paper rome", "field 'url'", "http(s)"],
    ),
    "ftp link": (
        lambda rs: record(rs, "paper", "rome")["fields"].update(url="ftp://example.org/rome.pdf"),
        ["catalogue.paper rome", "field 'url'"],
    ),
    "invalid value caught by model validation": (
        lambda rs: record(rs, "paper", "rome")["fields"].update(kind="blog"),
        ["catalogue.paper rome", "field 'kind'", "'blog'"],
    ),
    "unknown field": (
        lambda rs: record(rs, "paper", "rome")["fields"].update(colour="red"),
        ["catalogue.paper rome", "colour"],
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_fixture_names_record_and_field_and_changes_nothing(
    case, real_catalogue, tmp_path
):
    change, expected = BROKEN[case]
    before = snapshot()
    path = write(tmp_path, broken(change))

    with pytest.raises(CommandError) as failure:
        call_command("load_catalogue", str(path))

    message = str(failure.value)
    for words in expected:
        assert words in message
    assert message.endswith("Nothing was changed.")
    assert snapshot() == before
    assert fixture.dumps() == SHIPPED


def test_malformed_json_names_the_place_and_changes_nothing(real_catalogue, tmp_path):
    before = snapshot()
    path = tmp_path / "papers.json"
    path.write_text(SHIPPED.replace('"slug": "solu"', '"slug": "solu",,', 1), encoding="utf-8")

    with pytest.raises(CommandError) as failure:
        call_command("load_catalogue", str(path))

    line = SHIPPED[: SHIPPED.index('"slug": "solu"')].count("\n") + 1
    assert "is not valid JSON" in str(failure.value)
    assert f"line {line}" in str(failure.value)
    assert snapshot() == before


def test_a_broken_fixture_leaves_an_empty_database_empty(tmp_path):
    path = write(tmp_path, broken(BROKEN["unknown level"][0]))

    with pytest.raises(fixture.CatalogueError):
        fixture.load_file(path)

    assert snapshot() == {"Section": [], "Paper": [], "Advice": []}


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_catalogue", str(tmp_path / "nowhere.json"))


def test_an_entry_cannot_be_its_own_parent(real_catalogue, tmp_path):
    path = write(
        tmp_path, broken(lambda rs: record(rs, "paper", "rome")["fields"].update(parent=["rome"]))
    )

    with pytest.raises(CommandError, match=r"catalogue\.paper rome.*field 'parent'"):
        call_command("load_catalogue", str(path))
