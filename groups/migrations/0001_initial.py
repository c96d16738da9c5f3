# Reading groups moved here from the progress app. Their tables keep the names they were made
# with (see each model's Meta.db_table), so this migration changes the project state only: no
# table is created, renamed or copied, and every group, membership and target stays where it is.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ["readinggroup", "membership", "tiertarget"]


def content_types_follow(apps, schema_editor):
    """Admin permissions and any generic relation keep pointing at the same models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="progress", model__in=MOVED).update(app_label="groups")


def content_types_go_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="groups", model__in=MOVED).update(app_label="progress")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalogue', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('progress', '0002_reading_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ReadingGroup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('slug', models.SlugField(max_length=80, unique=True)),
                        ('description', models.TextField(blank=True, max_length=2000)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('invite_token', models.CharField(blank=True, max_length=64, null=True, unique=True)),
                        ('invite_expires_at', models.DateTimeField(blank=True, null=True)),
                        ('member_cap', models.PositiveSmallIntegerField(blank=True, help_text='Most members the group may have, facilitator included.', null=True)),
                    ],
                    options={
                        'db_table': 'progress_readinggroup',
                        'ordering': ['name', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('member_cap__isnull', True), ('member_cap__gte', 1), _connector='OR'), name='group_member_cap_positive')],
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('facilitator', 'Facilitator'), ('member', 'Member')], default='member', max_length=12)),
                        ('sharing', models.CharField(choices=[('nothing', 'Nothing (only that I am a member)'), ('progress', 'My progress (statuses and ticked parts)'), ('progress_and_notes', 'My progress and my notes')], default='nothing', max_length=20)),
                        ('joined_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('reader', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='group_memberships', to=settings.AUTH_USER_MODEL)),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='groups.readinggroup')),
                    ],
                    options={
                        'db_table': 'progress_membership',
                        'ordering': ['group', 'joined_at', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('group', 'reader'), name='one_membership_per_reader'), models.UniqueConstraint(condition=models.Q(('role', 'facilitator')), fields=('group',), name='one_facilitator_per_group'), models.CheckConstraint(condition=models.Q(('role__in', ['facilitator', 'member'])), name='membership_role_valid'), models.CheckConstraint(condition=models.Q(('sharing__in', ['nothing', 'progress', 'progress_and_notes'])), name='membership_sharing_valid')],
                    },
                ),
                migrations.CreateModel(
                    name='TierTarget',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('due_on', models.DateField()),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='targets', to='groups.readinggroup')),
                        ('tier', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalogue.section')),
                    ],
                    options={
                        'db_table': 'progress_tiertarget',
                        'ordering': ['group', 'tier__priority', 'tier__position'],
                        'constraints': [models.UniqueConstraint(fields=('group', 'tier'), name='one_target_per_group_tier')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_go_back),
    ]
