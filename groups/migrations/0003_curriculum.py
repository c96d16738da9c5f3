# Each reading group reads one curriculum (issue 25, point 5): every group made before reads the
# default one, the shipped list it has always read.

import django.db.models.deletion
from django.db import migrations, models

import catalogue.models


def every_group_reads_the_default_curriculum(apps, schema_editor):
    """Give every existing group the default curriculum (catalogue 0006 made it). Nothing is
    created here: without a default row there is nothing a group could have been reading, so a
    database with groups but no default curriculum is refused in one sentence."""
    Curriculum = apps.get_model("catalogue", "Curriculum")
    ReadingGroup = apps.get_model("groups", "ReadingGroup")
    default = Curriculum.objects.filter(is_default=True).first()
    if default is None:
        if ReadingGroup.objects.exists():
            raise RuntimeError(
                "Reading groups exist but no curriculum is the default: mark the shipped list "
                "as the default curriculum, then migrate again."
            )
        return
    ReadingGroup.objects.filter(curriculum=None).update(curriculum=default)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0009_works_shared"),
        ("groups", "0002_target_tier_protected"),
    ]

    operations = [
        migrations.AddField(
            model_name="readinggroup",
            name="curriculum",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reading_groups",
                to="catalogue.curriculum",
            ),
        ),
        migrations.RunPython(every_group_reads_the_default_curriculum, migrations.RunPython.noop),
        # The column becomes NOT NULL without a database default: altering to the model's field
        # with its callable default would make the schema editor call it, through today's
        # Curriculum model, while the migration runs. The state gets the model's field.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="readinggroup",
                    name="curriculum",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reading_groups",
                        to="catalogue.curriculum",
                    ),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="readinggroup",
                    name="curriculum",
                    field=models.ForeignKey(
                        default=catalogue.models.default_curriculum_id,
                        help_text="The list the group reads: its board, tiers and targets are "
                        "this list's.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reading_groups",
                        to="catalogue.curriculum",
                    ),
                ),
            ],
        ),
    ]
