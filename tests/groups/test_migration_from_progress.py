"""Reading groups moved from the progress app to their own: every row must come through."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from groups.models import Membership, ReadingGroup, TierTarget

# The project as it was when groups lived in progress (later migrations are unapplied).
BEFORE = [
    ("catalogue", "0001_initial"),
    ("progress", "0002_reading_groups"),
    ("contenttypes", "0002_remove_content_type_name"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate([*targets, ("groups", None)])
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_groups_memberships_invites_and_targets_survive_the_move_to_their_own_app():
    old = _migrate(BEFORE)
    User = old.get_model("auth", "User")
    Section = old.get_model("catalogue", "Section")
    OldGroup = old.get_model("progress", "ReadingGroup")
    OldMembership = old.get_model("progress", "Membership")
    OldTarget = old.get_model("progress", "TierTarget")
    ada = User.objects.create(username="ada")
    bo = User.objects.create(username="bo")
    tier = Section.objects.create(title="Tier", slug="tier", priority=1, position=1)
    club = OldGroup.objects.create(
        name="Circuits club", slug="circuits-club", invite_token="t0ken", member_cap=5
    )
    OldMembership.objects.create(group=club, reader=ada, role="facilitator", sharing="progress")
    OldMembership.objects.create(group=club, reader=bo, role="member", sharing="nothing")
    OldTarget.objects.create(group=club, tier=tier, due_on=dt.date(2027, 1, 31))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    group = ReadingGroup.objects.get(slug="circuits-club")
    assert (group.name, group.invite_token, group.member_cap) == ("Circuits club", "t0ken", 5)
    assert group.invite_works()
    members = {m.reader.username: (m.role, m.sharing) for m in Membership.objects.all()}
    assert members == {"ada": ("facilitator", "progress"), "bo": ("member", "nothing")}
    target = TierTarget.objects.get()
    assert (target.group, target.tier.slug, target.due_on) == (group, "tier", dt.date(2027, 1, 31))


@pytest.mark.django_db(transaction=True)
def test_admin_permissions_on_groups_follow_them_to_their_new_app():
    old = _migrate(BEFORE)
    ContentType = old.get_model("contenttypes", "ContentType")
    ContentType.objects.get_or_create(app_label="progress", model="readinggroup")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from django.contrib.contenttypes.models import ContentType as Current

    Current.objects.clear_cache()
    assert Current.objects.get_for_model(ReadingGroup).app_label == "groups"
    assert not Current.objects.filter(app_label="progress", model="readinggroup").exists()
