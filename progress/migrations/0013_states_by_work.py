"""A reader's status moves from one list's entry to the work: one state per reader and work,
whichever list's entry it was set from; a skip stays one list's decision on one entry.

Where a reader had states on several entries citing one work, every list already showed the
one set last (progress.coverage.newest): that row is kept as the work's, the others go. Their
status-change events are all kept. Skipped rows stay on their entries, as they were.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def states_become_the_works(apps, schema_editor):
    ReadingState = apps.get_model("progress", "ReadingState")
    Citation = apps.get_model("catalogue", "Citation")
    # Set-based (one UPDATE per work, then only the readers with two marks of one work), so
    # millions of rows take seconds, not a statement each.
    entries_of: dict[int, list[int]] = {}
    for entry_id, work_id in Citation.objects.filter(role="main").values_list("entry", "work"):
        entries_of.setdefault(work_id, []).append(entry_id)
    for work_id, entries in entries_of.items():
        ReadingState.objects.filter(paper_id__in=entries).update(work_id=work_id)
    marks = ReadingState.objects.exclude(status="skipped").filter(work__isnull=False)
    twice = marks.values("reader_id", "work_id").annotate(n=models.Count("pk")).filter(n__gt=1)
    for pair in list(twice):
        rows = marks.filter(reader_id=pair["reader_id"], work_id=pair["work_id"])
        newest = rows.order_by("-updated_at", "-pk").values_list("pk", flat=True)[0]
        rows.exclude(pk=newest).delete()  # older marks of a work whose newest is kept
    # PostgreSQL checks the rows' deferred foreign keys now, not at the end of the migration:
    # the constraints that follow cannot be made while those checks are pending.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0009_works_shared"),
        ("progress", "0012_notes_by_work"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="readingstate",
            name="one_state_per_reader_paper",
        ),
        migrations.AddField(
            model_name="readingstate",
            name="work",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="catalogue.work",
            ),
        ),
        migrations.RunPython(states_become_the_works, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="readingstate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "skipped")),
                fields=("reader", "paper"),
                name="one_skip_per_reader_entry",
            ),
        ),
        migrations.AddConstraint(
            model_name="readingstate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "skipped"), _negated=True),
                fields=("reader", "paper"),
                name="one_state_per_reader_paper",
            ),
        ),
        migrations.AddConstraint(
            model_name="readingstate",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("status", "skipped"), _negated=True), ("work__isnull", False)
                ),
                fields=("reader", "work"),
                name="one_state_per_reader_work",
            ),
        ),
    ]
