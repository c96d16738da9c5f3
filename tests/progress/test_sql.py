"""Every statement that bypasses the ORM still matches its model, and follows it when it changes.

Each statement is run against its ORM twin; then a field is added to the real model (column and
all) and the change a maintainer would make either just works or fails with a sentence naming
what to change.
"""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.utils import timezone

from catalogue import sql as catalogue_sql
from catalogue.models import CatalogueVersion
from catalogue.pagecache import SINGLETON, catalogue_version
from mireads.sql import Compiled, Insert
from plans import sql as plans_sql
from progress import activity, services, summary
from progress import sql as progress_sql
from progress.models import DashboardState, PartTick, ReadingEvent, ReadingState, Status
from progress.pagecache import versions
from progress.writes import lock_reader
from tests.factories import AdviceFactory, PaperFactory, UserFactory

pytestmark = pytest.mark.django_db


@contextmanager
def added_field(model, name: str, field: models.Field):
    """`model` with one more field, in the class and in its table, for the length of the block:
    what a maintainer's new field and its migration do."""
    field.set_attributes_from_name(name)
    field.contribute_to_class(model, name)
    model._meta._expire_cache()
    with connection.schema_editor() as editor:
        editor.add_field(model, field)
    try:
        yield field
    finally:
        with connection.schema_editor() as editor:
            editor.remove_field(model, field)
        model._meta.local_fields.remove(field)
        model._meta._expire_cache()
        if hasattr(model, name):
            delattr(model, name)


def _row(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


# --- Each statement against its ORM twin -----------------------------------------------------


def test_the_locked_state_read_gives_the_row_the_orm_gives(reader, paper):
    services.set_status(reader=reader, paper=paper, status=Status.READ)
    (mine,) = progress_sql.LOCKED_STATES.instances([reader.pk, paper.pk, None])
    orm = ReadingState.objects.get(reader=reader, paper=paper)
    assert [getattr(mine, f.attname) for f in ReadingState._meta.concrete_fields] == [
        getattr(orm, f.attname) for f in ReadingState._meta.concrete_fields
    ]
    assert mine.get_deferred_fields() == set()


def test_the_event_insert_writes_the_row_the_orm_would_with_the_current_edition(reader, paper):
    services.set_status(reader=reader, paper=paper, status=Status.READING)
    event = ReadingEvent.objects.get(reader=reader, paper=paper)
    assert (event.from_status, event.to_status, event.edition_id) == ("unread", "reading", None)
    assert abs(event.at - timezone.now()) < dt.timedelta(seconds=5)


def test_the_tick_insert_and_delete_match_the_orm(reader, paper):
    advice = paper.advice.get()
    key = {advice.key}
    services.set_parts_done(reader=reader, paper=paper, shown=key, done=key)
    services.set_parts_done(reader=reader, paper=paper, shown=key, done=key)  # twice: one tick
    assert list(PartTick.objects.filter(reader=reader).values_list("advice_id", flat=True)) == [
        advice.pk
    ]
    services.set_parts_done(reader=reader, paper=paper, shown=key, done=set())
    assert not PartTick.objects.filter(reader=reader).exists()


def test_the_state_update_changes_exactly_the_named_fields(reader, paper):
    services.set_status(reader=reader, paper=paper, status=Status.READING)
    before = _row(ReadingState, ReadingState.objects.get(reader=reader).pk)
    services.set_status(reader=reader, paper=paper, status=Status.READ)
    after = _row(ReadingState, before["id"])
    assert after["status"] == "read" and after["finished_at"] is not None
    assert after["started_at"] == before["started_at"]


def test_the_moments_read_gives_what_the_orm_gives(reader, paper):
    for status in (Status.READING, Status.READ, Status.UNREAD, Status.SKIMMED):
        services.set_status(reader=reader, paper=paper, status=status)
    orm = list(
        ReadingEvent.objects.filter(reader=reader, to_status__in=activity.MOVES)
        .order_by("at", "id")
        .values_list(*activity.Moment._fields)
    )
    assert [tuple(m) for m in activity.moments(reader)] == orm


def test_the_versions_read_gives_the_catalogue_version_and_the_whole_dashboard_row(reader):
    lock_reader(reader)
    DashboardState.objects.filter(reader=reader).update(folded=["priority-1"], version=41)
    reader = type(reader).objects.get(pk=reader.pk)
    assert versions(reader) == f"{catalogue_version()}.41"
    assert reader.dashboard_state.folded == ["priority-1"]


def test_a_reader_with_no_dashboard_row_reads_version_zero(reader):
    catalogue_version()
    assert versions(reader).endswith(".0")


def test_the_catalogue_version_read_matches_the_orm():
    catalogue_version()
    orm = CatalogueVersion.objects.values_list("epoch", "version").get(pk=SINGLETON)
    assert tuple(catalogue_sql.VERSION.values([SINGLETON])) == orm


def test_the_pace_switch_read_matches_the_plan(reader):
    from plans.models import ReadingPlan

    assert plans_sql.uses_pace(reader) is True  # no plan: pace on
    today = dt.date(2026, 1, 5)
    ReadingPlan.objects.create(
        reader=reader, hours_per_week=3, starts_on=today, counted_from=today, use_pace=False
    )
    assert plans_sql.uses_pace(reader) is False


def test_the_compiled_reader_query_gives_what_the_orm_gives(reader, paper):
    services.set_status(reader=reader, paper=paper, status=Status.READING)
    part = paper.advice.get()
    services.set_parts_done(reader=reader, paper=paper, shown={part.key}, done={part.key})
    catalogue_version()
    assert summary._reader_rows(reader) == [tuple(r) for r in summary._reader_rows_query(reader)]


# --- What a maintainer changes ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_field_with_a_default_added_to_events_and_ticks_just_works():
    reader, paper = UserFactory(), PaperFactory()
    advice = AdviceFactory(paper=paper)
    with (
        added_field(ReadingEvent, "mood", models.CharField(max_length=10, default="calm")),
        added_field(PartTick, "weight_seen", models.PositiveSmallIntegerField(default=3)),
    ):
        services.set_status(reader=reader, paper=paper, status=Status.READ)
        services.set_parts_done(reader=reader, paper=paper, shown={advice.key}, done={advice.key})
        assert ReadingEvent.objects.values_list("mood", flat=True).get() == "calm"
        assert PartTick.objects.values_list("weight_seen", flat=True).get() == 3


@pytest.mark.django_db(transaction=True)
def test_a_field_without_a_default_fails_with_a_sentence_naming_it():
    with (
        added_field(ReadingEvent, "mood", models.CharField(max_length=10)),
        pytest.raises(ImproperlyConfigured, match=r"ReadingEvent\.mood has no default"),
    ):
        progress_sql.EVENT.field_list()


@pytest.mark.django_db(transaction=True)
def test_a_field_added_to_the_dashboard_row_is_read_as_the_row_holds_it():
    reader = UserFactory()
    with added_field(DashboardState, "tour_seen", models.BooleanField(default=False)):
        lock_reader(reader)
        DashboardState.objects.filter(reader=reader).update(tour_seen=True)
        catalogue_version()
        versions(reader)
        assert reader.dashboard_state.tour_seen is True


@pytest.mark.django_db(transaction=True)
def test_a_field_added_to_the_reading_state_is_loaded_by_a_write_with_no_query_later(
    django_assert_num_queries,
):
    reader, paper = UserFactory(), PaperFactory()
    with added_field(ReadingState, "bookmarked", models.BooleanField(default=False)):
        services.set_status(reader=reader, paper=paper, status=Status.READING)
        ReadingState.objects.update(bookmarked=True)
        state = services.set_status(reader=reader, paper=paper, status=Status.READ)
        with django_assert_num_queries(0):
            assert state.bookmarked is True


def test_a_compiled_query_finds_its_parameter_however_often_it_is_used(reader, other_reader):
    ReadingState.objects.create(reader=reader, paper=PaperFactory(), status=Status.READ)

    def twice(who):
        return ReadingState.objects.filter(
            models.Q(reader_id=who) | models.Q(reader_id=who, status="x")
        ).values_list("reader_id", "status")

    query = Compiled(twice, arity=1)
    assert query.rows(reader.pk, alias="default") == [(reader.pk, "read")]
    assert query.rows(other_reader.pk, alias="default") == []


def test_a_compiled_query_that_drops_its_parameter_fails_with_a_sentence():
    query = Compiled(lambda who: ReadingState.objects.values_list("status"), arity=1)
    with pytest.raises(ImproperlyConfigured, match="does not use its parameter"):
        query.rows(1, alias="default")


def test_the_reader_rows_query_uses_the_reader_everywhere_it_names_them(reader):
    slots = summary._READER_ROWS.compiled("default")[2]
    assert slots.count(0) >= 3  # status, note and ticks each join on the reader


def test_an_insert_of_a_model_takes_every_column_but_the_id():
    names = {f.name for f in progress_sql.TICKS.field_list()}
    assert names == {f.name for f in PartTick._meta.concrete_fields if not f.primary_key}
    assert isinstance(progress_sql.TICKS, Insert)
