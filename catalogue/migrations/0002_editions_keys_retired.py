"""Editions, the applied-load record, retiring, and a stable key for every advised part.

Existing parts get their keys from their labels (slugified, made unique within the entry in
position order): the same rule catalogue.models.part_keys applies, copied here so that this
migration keeps meaning what it meant. Rows keep their ids, so readers' ticks stay on them.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.text import slugify


def part_keys(labels):
    keys = []
    for label in labels:
        base = ""
        for word in slugify(label).split("-"):
            if base and len(base) + 1 + len(word) > 24:
                break
            base = f"{base}-{word}" if base else word[:24]
        base = base or "part"
        key, n = base, 2
        while key in keys:
            key, n = f"{base}-{n}", n + 1
        keys.append(key)
    return keys


def give_parts_keys(apps, schema_editor):
    Advice = apps.get_model("catalogue", "Advice")
    by_paper = {}
    for advice in Advice.objects.order_by("paper_id", "position", "id"):
        by_paper.setdefault(advice.paper_id, []).append(advice)
    for parts in by_paper.values():
        for advice, key in zip(parts, part_keys(a.part for a in parts), strict=True):
            advice.key = key
            advice.save(update_fields=["key"])


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='CatalogueLoad',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sha256', models.CharField(help_text='Of the file as read.', max_length=64)),
                ('applied', models.JSONField(help_text='The records as applied; a field left in conflict keeps its earlier value.')),
                ('conflicts', models.PositiveIntegerField(default=0)),
                ('loaded_at', models.DateTimeField()),
            ],
            options={
                'ordering': ['-loaded_at', '-id'],
                'get_latest_by': ['loaded_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Edition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(unique=True)),
                ('note', models.CharField(blank=True, max_length=500)),
                ('published_at', models.DateTimeField()),
            ],
            options={
                'ordering': ['-number'],
            },
        ),
        migrations.AddField(
            model_name='advice',
            name='key',
            field=models.SlugField(default='', help_text="Names this part for good, whatever its position, wording or level: readers' ticks point at it. Unique within the entry; never reuse one."),
            preserve_default=False,
        ),
        migrations.RunPython(give_parts_keys, migrations.RunPython.noop),
        migrations.AddField(
            model_name='advice',
            name='retired',
            field=models.BooleanField(default=False, help_text="No longer advised; readers' ticks on it are kept."),
        ),
        migrations.AddField(
            model_name='paper',
            name='retired',
            field=models.BooleanField(default=False, help_text='Off the list, dashboards and totals; readers keep their progress and notes.'),
        ),
        migrations.AddConstraint(
            model_name='advice',
            constraint=models.UniqueConstraint(fields=('paper', 'key'), name='advice_unique_key'),
        ),
        migrations.CreateModel(
            name='EditionContent',
            fields=[
                ('edition', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='content', serialize=False, to='catalogue.edition')),
                ('snapshot', models.JSONField()),
                ('changes', models.JSONField(default=list)),
            ],
        ),
        migrations.AddConstraint(
            model_name='edition',
            constraint=models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='edition_number_from_1'),
        ),
    ]
