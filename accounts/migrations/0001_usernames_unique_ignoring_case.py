"""Usernames are unique whatever their case, in the database itself.

The sign-up form already refuses a name that differs from an existing one only in case, but two
sign-ups at the same moment both pass that check; only a unique index on LOWER(username) makes
one of them fail. SQLite and PostgreSQL both index expressions with this same statement.

Accounts made before the form's check may already clash. The oldest keeps its name; each later
one becomes "<name>-<id>" and is listed in the migration's output. Nothing else about them
changes: their password, email and data stay, and a password reset mail greets them by the new
name, so they can learn it.
"""

from django.db import migrations

INDEX = "accounts_user_username_lower_uniq"


def rename_case_clashes(apps, schema_editor):
    User = apps.get_model("auth", "User")
    max_length = User._meta.get_field("username").max_length
    taken = set()
    for user in User.objects.using(schema_editor.connection.alias).order_by("pk"):
        folded = user.username.lower()
        if folded not in taken:
            taken.add(folded)
            continue
        suffix = f"-{user.pk}"
        new = user.username[: max_length - len(suffix)] + suffix
        while new.lower() in taken:
            suffix += "x"
            new = user.username[: max_length - len(suffix)] + suffix
        print(f"\n  Username {user.username!r} (id {user.pk}) clashed in case: renamed {new!r}.")
        taken.add(new.lower())
        user.username = new
        user.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(rename_case_clashes, migrations.RunPython.noop, elidable=False),
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {INDEX} ON auth_user (LOWER(username))",
            f"DROP INDEX {INDEX}",
        ),
    ]
