# Reading groups moved to the groups app (groups/migrations/0001_initial.py). Their tables stay
# as they are: this removes them from the progress app's state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('groups', '0001_initial'),
        ('progress', '0002_reading_groups'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='TierTarget'),
                migrations.DeleteModel(name='Membership'),
                migrations.DeleteModel(name='ReadingGroup'),
            ],
        ),
    ]
