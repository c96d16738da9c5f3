"""Existing parts get keys from their labels and every tick stays on its part (a migration test
from the layout before keys)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("catalogue", "0001_initial"), ("progress", "0003_reading_groups_move_to_groups")]
AFTER = [("catalogue", "0002_editions_keys_retired"), ("progress", "0004_editions_and_protect")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_ticks_stay_on_their_parts_when_parts_get_keys():
    old = migrate(BEFORE)
    User = old.get_model("auth", "User")
    Section = old.get_model("catalogue", "Section")
    Paper = old.get_model("catalogue", "Paper")
    Advice = old.get_model("catalogue", "Advice")
    PartTick = old.get_model("progress", "PartTick")
    reader = User.objects.create(username="ada")
    section = Section.objects.create(title="Tier", slug="tier", priority=1, position=1)
    paper = Paper.objects.create(section=section, position=1, title="SoLU", slug="solu")
    labels = ["Section 3", "Section 3", "", "A very long label that goes on and on"]
    parts = [
        Advice.objects.create(paper=paper, position=n, level="deep", part=label)
        for n, label in enumerate(labels, start=1)
    ]
    for part in parts:
        PartTick.objects.create(reader=reader, advice=part, done_at=timezone.now())

    try:
        new = migrate(AFTER)
        Advice = new.get_model("catalogue", "Advice")
        PartTick = new.get_model("progress", "PartTick")
        keys = dict(Advice.objects.values_list("pk", "key"))
        assert [keys[p.pk] for p in parts] == [
            "section-3", "section-3-2", "part", "a-very-long-label-that",
        ]  # fmt: skip
        ticks = PartTick.objects.order_by("advice_id")
        assert [(t.reader_id, t.advice_id) for t in ticks] == [(reader.pk, p.pk) for p in parts]
    finally:
        # Back to the latest migrations of every app, whatever going back unapplied.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
