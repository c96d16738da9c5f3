# Works are shared: an entry cites a work through Citation, and a work gets a slug of its own.
# This migration adds both; 0008 fills them from Work.paper/position/role and merges works that
# share an identity; 0009 drops the old columns. (Three steps, so that PostgreSQL never alters a
# table in the transaction that wrote its rows.)

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0006_curricula"),
    ]

    operations = [
        migrations.CreateModel(
            name="Citation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField(help_text="Order among the entry's works.")),
                (
                    "role",
                    models.CharField(
                        choices=[("main", "Main work"), ("companion", "Companion")],
                        default="main",
                        max_length=10,
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="citations",
                        to="catalogue.paper",
                    ),
                ),
                (
                    "work",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="citations",
                        to="catalogue.work",
                    ),
                ),
            ],
            options={
                "ordering": ["entry", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("entry", "position"), name="citation_unique_position"),
                    models.UniqueConstraint(
                        condition=models.Q(("role", "main")), fields=("entry",), name="one_main_citation_per_entry"
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="work",
            name="slug",
            field=models.SlugField(max_length=120, null=True),
        ),
    ]
