"""A reader's note moves from one list's entry to the work: one note per reader and work,
whichever list's entry it is written from. An entry citing no work keeps a note of its own.

Two notes one reader wrote on two entries citing the same work become one, losing nothing: the
text of the one saved last comes first, then the other's under a line naming its entry; every
revision of both is kept, renumbered in the order they were saved, and the joined text is the
newest revision.
"""

import django.db.models.deletion
from django.db import migrations, models


def notes_become_the_works(apps, schema_editor):
    Note = apps.get_model("progress", "Note")
    NoteRevision = apps.get_model("progress", "NoteRevision")
    Citation = apps.get_model("catalogue", "Citation")
    entries_of: dict[int, list[int]] = {}
    for entry_id, work_id in Citation.objects.filter(role="main").values_list("entry", "work"):
        entries_of.setdefault(work_id, []).append(entry_id)
    # Set-based: one UPDATE per work, then only the readers with two notes on one work.
    for work_id, entries in entries_of.items():
        Note.objects.filter(paper_id__in=entries).update(work_id=work_id)
    noted = Note.objects.filter(work__isnull=False)
    twice = noted.values("reader_id", "work_id").annotate(n=models.Count("pk")).filter(n__gt=1)
    by_work: dict[tuple, list] = {}
    for pair in list(twice):
        rows = noted.filter(reader_id=pair["reader_id"], work_id=pair["work_id"])
        by_work[(pair["reader_id"], pair["work_id"])] = list(
            rows.select_related("paper").order_by("-updated_at", "-pk")
        )
    for notes in by_work.values():
        kept, others = notes[0], notes[1:]
        texts = [kept.text] + [f"---\n\n*Written for {o.paper.title}:*\n\n{o.text}" for o in others]
        ids = [kept.pk, *(o.pk for o in others)]
        revisions = list(NoteRevision.objects.filter(note_id__in=ids).order_by("saved_at", "pk"))
        # Out of the way of the unique (note, version) first, then numbered in saving order.
        NoteRevision.objects.filter(note_id__in=ids).update(version=models.F("version") + 1_000_000)
        for number, revision in enumerate(revisions, start=1):
            NoteRevision.objects.filter(pk=revision.pk).update(note_id=kept.pk, version=number)
        version = len(revisions) + 1
        text = "\n\n".join(texts)
        NoteRevision.objects.create(
            note_id=kept.pk, version=version, text=text, saved_at=kept.updated_at
        )
        Note.objects.filter(pk__in=[o.pk for o in others]).delete()
        # Rendered again on its first showing (its rendering is of no version it has).
        Note.objects.filter(pk=kept.pk).update(
            text=text, version=version, rendered="", rendered_version=0,
            sitting_open=False,
        )  # fmt: skip
    # PostgreSQL checks the rows' deferred foreign keys now, not at the end of the migration:
    # the constraints that follow cannot be made while those checks are pending.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0009_works_shared"),
        ("progress", "0011_ticks_by_part"),
    ]

    operations = [
        migrations.AddField(
            model_name="note",
            name="work",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="catalogue.work",
            ),
        ),
        migrations.RunPython(notes_become_the_works, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="note",
            constraint=models.UniqueConstraint(
                condition=models.Q(work__isnull=False),
                fields=("reader", "work"),
                name="one_note_per_reader_work",
            ),
        ),
    ]
