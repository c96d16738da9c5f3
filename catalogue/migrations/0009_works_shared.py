# Works are shared: the entry's side (paper, position, role) now lives on Citation.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0008_citations_from_works"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="work", name="work_unique_position"),
        migrations.RemoveConstraint(model_name="work", name="one_main_work_per_entry"),
        migrations.AlterModelOptions(name="work", options={"ordering": ["slug"]}),
        migrations.RemoveField(model_name="work", name="paper"),
        migrations.RemoveField(model_name="work", name="position"),
        migrations.RemoveField(model_name="work", name="role"),
        migrations.AlterField(
            model_name="work",
            name="slug",
            field=models.SlugField(
                help_text="Names the work in fixture files, for good.", max_length=120, unique=True
            ),
        ),
    ]
