"""A reader's tick moves from one curriculum's advice to a part of the work: (work, key), with
the depth it was read at. Ticks two curricula's entries hold on the same part become one, the
deepest (so every part that was satisfied stays satisfied); the advice it keeps is the one that
deepest tick was made for. Ticks of an entry that cites no work stay its own.
"""

import django.db.models.deletion
from django.db import migrations, models

# Frozen here on purpose: a migration must not change when catalogue.models.DEPTH does.
DEPTH = {"skip": 0, "skim_or_skip": 1, "skim": 2, "deep": 3}


def ticks_become_parts(apps, schema_editor):
    PartTick = apps.get_model("progress", "PartTick")
    Advice = apps.get_model("catalogue", "Advice")
    Citation = apps.get_model("catalogue", "Citation")
    mains = dict(Citation.objects.filter(role="main").values_list("entry_id", "work_id"))
    # Set-based (one UPDATE per advised part, then only the readers with two ticks on one part),
    # so millions of ticks take seconds, not a statement each.
    for pk, paper_id, key, level in Advice.objects.values_list("pk", "paper_id", "key", "level"):
        PartTick.objects.filter(advice_id=pk).update(
            work_id=mains.get(paper_id), key=key, depth=DEPTH[level]
        )
    ticks = PartTick.objects.filter(work__isnull=False)
    twice = ticks.values("reader_id", "work_id", "key").annotate(n=models.Count("pk"))
    for part in list(twice.filter(n__gt=1)):
        rows = ticks.filter(reader_id=part["reader_id"], work_id=part["work_id"], key=part["key"])
        # The deepest reading is the part's (the first made at that depth); the others go.
        deepest = rows.order_by("-depth", "done_at", "pk").values_list("pk", flat=True)[0]
        rows.exclude(pk=deepest).delete()
    # PostgreSQL checks the rows' deferred foreign keys now, not at the end of the migration:
    # the constraints that follow cannot be made while those checks are pending.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0009_works_shared"),
        ("progress", "0010_follows"),
    ]

    operations = [
        migrations.AddField(
            model_name="parttick",
            name="work",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="catalogue.work",
            ),
        ),
        migrations.AddField(
            model_name="parttick",
            name="key",
            field=models.SlugField(default="", max_length=50),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="parttick",
            name="depth",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.RunPython(ticks_become_parts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="parttick",
            name="depth",
            field=models.PositiveSmallIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="parttick",
            constraint=models.UniqueConstraint(
                condition=models.Q(work__isnull=False),
                fields=("reader", "work", "key"),
                name="one_tick_per_reader_work_part",
            ),
        ),
        migrations.AddConstraint(
            model_name="parttick",
            constraint=models.CheckConstraint(
                condition=~models.Q(key=""), name="part_tick_key_given"
            ),
        ),
        migrations.AddConstraint(
            model_name="parttick",
            constraint=models.CheckConstraint(
                condition=models.Q(depth__in=[0, 1, 2, 3]), name="part_tick_depth_valid"
            ),
        ),
    ]
