"""Editions: the list published as numbered, immutable snapshots; bad input gets one sentence
and changes nothing."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalogue import editions, fixture
from catalogue.models import Advice, CatalogueLoad, Edition, Paper
from progress import services
from progress.models import PartTick, ReadingEvent
from tests.catalogue.test_fixture import snapshot

pytestmark = pytest.mark.django_db

SHIPPED = fixture.FIXTURE_PATH.read_text(encoding="utf-8")


def records() -> list[dict]:
    return json.loads(SHIPPED)


def write(tmp_path: Path, rs: list[dict]) -> Path:
    path = tmp_path / "papers.json"
    path.write_text(json.dumps(rs, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def solu_parts(rs: list[dict]) -> list[dict]:
    return [r for r in rs if r["model"] == "catalogue.advice" and r["fields"]["paper"] == ["solu"]]


def publish(note: str) -> str:
    out = StringIO()
    call_command("publish_edition", "--note", note, stdout=out)
    return out.getvalue()


def test_the_fixture_records_the_current_edition_and_loading_creates_it(real_catalogue):
    assert records()[0] == {
        "model": "catalogue.edition",
        "fields": {
            "number": 1,
            "note": "The list as first published.",
            "published_at": "2026-11-25T04:17:05Z",
        },
    }
    edition = Edition.objects.get()
    assert edition.number == 1
    assert "solu" in edition.content.snapshot["entries"]
    assert edition.content.changes == []


def test_publish_edition_numbers_the_next_edition_and_records_what_changed(real_catalogue):
    Advice.objects.filter(paper__slug="solu", position=1).update(level="skim")

    output = publish("SoLU's first part is now one to skim.")

    edition = Edition.objects.get(number=2)
    assert "Published edition 2 of " in output
    assert ": 1 entry changed" in output
    assert edition.note == "SoLU's first part is now one to skim."
    (change,) = edition.content.changes
    assert change["slug"] == "solu"
    assert change["parts"][0]["level"] == ["deep", "skim"]


def test_an_export_after_publishing_names_the_new_edition_and_round_trips(real_catalogue, tmp_path):
    Paper.objects.filter(slug="rome").update(summary="Edited.")
    publish("ROME's summary rewritten.")
    out = tmp_path / "papers.json"

    call_command("export_catalogue", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    call_command("load_catalogue", str(out), stdout=StringIO())

    assert exported[0]["fields"]["number"] == 2
    assert fixture.dumps() == out.read_text(encoding="utf-8")


def test_status_changes_and_ticks_record_the_edition_they_were_made_under(real_catalogue, reader):
    solu = Paper.objects.get(slug="solu")
    services.set_status(reader=reader, paper=solu, status="reading")
    Paper.objects.filter(slug="rome").update(summary="Edited.")
    publish("Second.")
    part = solu.advice.first()
    services.set_parts_done(reader=reader, paper=solu, shown={part.key}, done={part.key})

    assert ReadingEvent.objects.get(reader=reader).edition.number == 1
    assert PartTick.objects.get(reader=reader).edition.number == 2


def test_only_an_editions_note_can_be_corrected_in_the_admin_and_none_deleted(
    client, staff, real_catalogue
):
    client.force_login(staff)
    edition = Edition.objects.get()
    url = reverse("admin:catalogue_edition_change", args=[edition.pk])

    saved = client.post(url, {"note": "Corrected\x0cnote.", "number": 99, "published_at": "x"})
    delete = client.post(reverse("admin:catalogue_edition_delete", args=[edition.pk]))

    assert saved.status_code == 302
    edition.refresh_from_db()
    assert edition.note == "Corrected\x0cnote." and edition.number == 1
    assert delete.status_code == 403
    assert Edition.objects.filter(pk=edition.pk).exists()


def test_staff_publish_an_edition_from_the_admin(client, staff, real_catalogue):
    client.force_login(staff)
    Paper.objects.filter(slug="rome").update(summary="Edited.")
    url = reverse("admin:catalogue_edition_changelist")

    form = client.post(url, {"action": "publish_next"})
    done = client.post(
        url, {"action": "publish_next", "apply": "1", "note": "From the admin."}, follow=True
    )

    assert "Note for readers" in form.text
    assert "Published edition 2." in done.text
    assert Edition.objects.get(number=2).note == "From the admin."


def test_the_publish_page_previews_what_the_edition_will_announce(client, staff, real_catalogue):
    from tests.factories import AdviceFactory

    client.force_login(staff)
    solu = Paper.objects.get(slug="solu")
    AdviceFactory(paper=solu, key="probe", position=60, level="deep", part="Probe the MLPs")
    url = reverse("admin:catalogue_edition_changelist")

    form = " ".join(client.post(url, {"action": "publish_next"}).text.split())

    assert "What edition 2 will announce" in form
    preview = form.split('id="publish-preview"', 1)[1].split("</form>", 1)[0]
    assert ">SoLU</a>" in preview and "Probe the MLPs" in preview
    assert "Deeply engage with" in preview
    assert Edition.objects.latest_number() == 1  # a preview publishes nothing


def test_the_publish_page_says_when_there_is_nothing_to_announce(client, staff, real_catalogue):
    editions.publish(note="First.", require_changes=False)
    client.force_login(staff)
    url = reverse("admin:catalogue_edition_changelist")
    form = " ".join(client.post(url, {"action": "publish_next"}).text.split())
    assert "Nothing has changed since the last edition" in form


# --- Bad input: one clear sentence, nothing changed -------------------------------------------


def test_an_edition_note_over_500_characters_is_refused(real_catalogue):
    Paper.objects.filter(slug="rome").update(summary="Edited.")

    with pytest.raises(CommandError) as failure:
        publish("x" * 501)

    assert str(failure.value) == (
        "The note is 501 characters; an edition note is at most 500. Nothing was published."
    )
    assert Edition.objects.count() == 1


def test_publishing_with_nothing_changed_since_the_last_edition_is_refused(real_catalogue):
    with pytest.raises(CommandError) as failure:
        publish("Nothing really.")

    assert str(failure.value) == "Nothing has changed since edition 1. Nothing was published."
    assert Edition.objects.count() == 1


def test_the_admin_refuses_a_long_note_with_one_sentence(client, staff, real_catalogue):
    client.force_login(staff)
    Paper.objects.filter(slug="rome").update(summary="Edited.")
    url = reverse("admin:catalogue_edition_changelist")

    response = client.post(
        url, {"action": "publish_next", "apply": "1", "note": "x" * 501}, follow=True
    )

    assert "at most 500 characters; nothing was published." in response.text
    assert Edition.objects.count() == 1


def refused(tmp_path, rs) -> str:
    before = (snapshot(), CatalogueLoad.objects.count(), Edition.objects.count())
    with pytest.raises(CommandError) as failure:
        call_command("load_catalogue", str(write(tmp_path, rs)), stdout=StringIO())
    assert (snapshot(), CatalogueLoad.objects.count(), Edition.objects.count()) == before
    message = str(failure.value)
    assert message.endswith("Nothing was changed.")
    return message


def test_a_duplicate_part_key_within_an_entry_is_refused(real_catalogue, tmp_path):
    rs = records()
    one, two = solu_parts(rs)[:2]
    two["fields"]["key"] = one["fields"]["key"]

    message = refused(tmp_path, rs)

    assert f"field 'key': duplicate key {one['fields']['key']!r} within entry 'solu'" in message


def test_a_missing_part_key_is_refused(real_catalogue, tmp_path):
    rs = records()
    del solu_parts(rs)[0]["fields"]["key"]

    assert "field 'key': missing; every part needs a key" in refused(tmp_path, rs)


def test_a_part_key_moved_to_another_entry_is_refused(real_catalogue, tmp_path):
    rs = records()
    moved = solu_parts(rs)[0]
    moved["fields"]["paper"] = ["rome"]
    moved["fields"]["position"] = 99

    message = refused(tmp_path, rs)

    assert f"part {moved['fields']['key']!r} moved from entry 'solu' to entry 'rome'" in message


def test_a_fixture_behind_the_databases_edition_is_refused(real_catalogue, tmp_path):
    Paper.objects.filter(slug="rome").update(summary="Edited.")
    publish("Second.")
    rs = records()
    rs[1]["fields"]["title"] = "A change made on the old file"

    message = refused(tmp_path, rs)

    assert "The file is at edition 1 but the database is at edition 2" in message


def test_editions_snapshots_ignore_a_reorder_but_publishing_still_needs_a_change(
    real_catalogue,
):
    one, two = Advice.objects.filter(paper__slug="solu").order_by("position")[:2]
    Advice.objects.filter(pk=one.pk).update(position=100)
    Advice.objects.filter(pk=two.pk).update(position=1)
    Advice.objects.filter(pk=one.pk).update(position=2)

    edition = editions.publish(note="Reordered SoLU's parts.")

    assert edition.content.changes == []
