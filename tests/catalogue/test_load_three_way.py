"""load_catalogue applies the file: only what changed in it since the copy last applied, never
over a staff edit, and nothing at all when the file is unchanged."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue import fixture
from catalogue.models import Advice, CatalogueLoad, Paper
from tests.factories import PartTickFactory

pytestmark = pytest.mark.django_db

SHIPPED = fixture.FIXTURE_PATH.read_text(encoding="utf-8")


def records() -> list[dict]:
    return json.loads(SHIPPED)


def entry(rs: list[dict], slug: str) -> dict:
    return next(r for r in rs if r["model"] == "catalogue.paper" and r["fields"]["slug"] == slug)


def parts(rs: list[dict], slug: str) -> list[dict]:
    return [r for r in rs if r["model"] == "catalogue.advice" and r["fields"]["paper"] == [slug]]


def write(tmp_path: Path, rs: list[dict]) -> Path:
    path = tmp_path / "papers.json"
    path.write_text(json.dumps(rs, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load(path: Path | None = None, *args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_catalogue", *([str(path)] if path else []), *args, stdout=out)
    return out.getvalue()


def test_an_empty_database_gets_the_whole_file():
    output = load()

    assert Paper.objects.count() == 30
    assert "paper: 30 new" in output
    assert CatalogueLoad.objects.count() == 1


def test_an_unchanged_file_writes_nothing_and_says_so(real_catalogue):
    with CaptureQueriesContext(connection) as queries:
        output = load()

    assert "unchanged" in output
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_a_staff_edit_survives_a_restart_with_the_file_unchanged(real_catalogue):
    Advice.objects.filter(paper__slug="solu", position=1).update(detail="Staff wrote this.")

    output = load()  # what make run and make serve do on every start

    assert "unchanged" in output
    assert Advice.objects.get(paper__slug="solu", position=1).detail == "Staff wrote this."


def test_a_changed_file_applies_only_its_own_changes_and_keeps_staff_edits(
    real_catalogue, tmp_path
):
    Paper.objects.filter(slug="rome").update(summary="Staff summary.")
    rs = records()
    entry(rs, "solu")["fields"]["summary"] = "A file summary."

    output = load(write(tmp_path, rs))

    assert "paper: 0 new, 1 updated" in output
    assert Paper.objects.get(slug="solu").summary == "A file summary."
    assert Paper.objects.get(slug="rome").summary == "Staff summary."


def test_the_same_field_changed_both_ways_keeps_the_staff_edit_names_it_and_fails(
    real_catalogue, tmp_path
):
    Paper.objects.filter(slug="rome").update(summary="Staff summary.")
    rs = records()
    entry(rs, "rome")["fields"]["summary"] = "File summary."
    entry(rs, "solu")["fields"]["summary"] = "An unrelated file change."
    path = write(tmp_path, rs)

    with pytest.raises(CommandError) as failure:
        load(path)

    message = str(failure.value)
    assert "catalogue.paper rome, field 'summary'" in message
    assert '"File summary."' in message and '"Staff summary."' in message
    assert Paper.objects.get(slug="rome").summary == "Staff summary."
    assert Paper.objects.get(slug="solu").summary == "An unrelated file change."
    # The conflict stands until someone resolves it: the next start reports it again.
    with pytest.raises(CommandError, match="rome, field 'summary'"):
        load(path)


def test_take_file_takes_the_files_value_in_a_conflict(real_catalogue, tmp_path):
    Paper.objects.filter(slug="rome").update(summary="Staff summary.")
    rs = records()
    entry(rs, "rome")["fields"]["summary"] = "File summary."
    path = write(tmp_path, rs)

    load(path, "--take-file")

    assert Paper.objects.get(slug="rome").summary == "File summary."
    assert "unchanged" in load(path)


def test_exporting_resolves_a_conflict_in_favour_of_the_database(real_catalogue, tmp_path):
    Paper.objects.filter(slug="rome").update(summary="Staff summary.")
    rs = records()
    entry(rs, "rome")["fields"]["summary"] = "File summary."
    path = write(tmp_path, rs)
    with pytest.raises(CommandError):
        load(path)

    call_command("export_catalogue", str(path))
    load(path)

    assert Paper.objects.get(slug="rome").summary == "Staff summary."


def test_a_part_dropped_from_the_file_is_deleted_or_retired_if_a_reader_ticked_it(
    real_catalogue, reader, tmp_path
):
    solu = parts(records(), "solu")
    ticked = Advice.objects.get(paper__slug="solu", key=solu[0]["fields"]["key"])
    tick = PartTickFactory(reader=reader, advice=ticked)
    rs = [r for r in records() if r not in solu[:2]]

    output = load(write(tmp_path, rs))

    assert "1 removed, 1 retired" in output
    ticked.refresh_from_db()
    assert ticked.retired
    assert tick.__class__.objects.filter(pk=tick.pk).exists()
    assert not Advice.objects.filter(paper__slug="solu", key=solu[1]["fields"]["key"]).exists()


def test_reordering_and_rewording_parts_in_the_file_keeps_every_tick_on_its_part(
    real_catalogue, reader, tmp_path
):
    first = Advice.objects.get(paper__slug="solu", position=1)
    tick = PartTickFactory(reader=reader, advice=first)
    rs = records()
    one, two = parts(rs, "solu")[:2]
    one["fields"]["position"], two["fields"]["position"] = 2, 1
    one["fields"]["part"] = "Reworded"
    one["fields"]["level"] = "skim"

    load(write(tmp_path, rs))
    load(write(tmp_path, rs))  # and a reload

    tick.refresh_from_db()
    assert tick.advice_id == first.pk
    first.refresh_from_db()
    assert (first.position, first.part, first.level) == (2, "Reworded", "skim")


def test_a_staff_reorder_in_the_admin_survives_a_restart(real_catalogue, reader):
    first, second = Advice.objects.filter(paper__slug="solu").order_by("position")[:2]
    tick = PartTickFactory(reader=reader, advice=first)
    Advice.objects.filter(pk=first.pk).update(position=100)
    Advice.objects.filter(pk=second.pk).update(position=1)
    Advice.objects.filter(pk=first.pk).update(position=2)

    load()

    tick.refresh_from_db()
    assert tick.advice.part == first.part
    assert Advice.objects.get(pk=first.pk).position == 2
