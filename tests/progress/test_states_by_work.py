"""A status belongs to the reader and the work, a skip to one list's entry (issue 25, point 3):
one state per work whichever list's entry it is set from, a skip that says nothing about another
list, and a database made before that keeps what every list showed."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalogue.models import Citation, Paper
from progress import services
from progress.models import ReadingState, Status
from tests.factories import PaperFactory, UserFactory, WorkFactory
from tests.helpers import entries_citing_one_work, migrate, migrated_to

FRAMEWORK = "mathematical-framework"
SECOND = f"second-{FRAMEWORK}"


def _set(reader, slug: str, status: str) -> None:
    services.set_status(reader=reader, paper=Paper.objects.get(slug=slug), status=status)


def _shows(reader, slug: str) -> Status:
    return services.status_of(reader, Paper.objects.get(slug=slug))


def test_a_status_set_from_either_list_is_the_works_one_state(ada, further_list):
    further_list()
    _set(ada, SECOND, Status.READING)
    _set(ada, FRAMEWORK, Status.READ)

    (state,) = ReadingState.objects.filter(reader=ada)
    work = Citation.objects.main_work_id(Paper.objects.get(slug=FRAMEWORK))
    assert (state.work_id, state.status, state.paper.slug) == (work, Status.READ, FRAMEWORK)
    assert state.started_at is not None  # started from the second list, finished from the first
    assert _shows(ada, SECOND) == _shows(ada, FRAMEWORK) == Status.READ


def test_a_skip_in_one_list_leaves_the_works_reading_in_the_other(ada, further_list):
    further_list()
    _set(ada, FRAMEWORK, Status.READING)
    _set(ada, SECOND, Status.SKIPPED)

    assert _shows(ada, SECOND) == Status.SKIPPED
    assert _shows(ada, FRAMEWORK) == Status.READING


def test_reading_the_work_later_anywhere_shows_over_an_earlier_skip(ada, further_list):
    further_list()
    _set(ada, SECOND, Status.SKIPPED)
    assert _shows(ada, FRAMEWORK) == Status.UNREAD

    _set(ada, FRAMEWORK, Status.READ)

    assert _shows(ada, SECOND) == Status.READ
    # Taking the status back where the skip was made undoes the skip there too.
    _set(ada, SECOND, Status.READING)
    assert not ReadingState.objects.filter(reader=ada, status=Status.SKIPPED).exists()
    assert _shows(ada, FRAMEWORK) == Status.READING


@pytest.mark.django_db
def test_the_database_refuses_a_second_state_of_one_work():
    reader, work = UserFactory(), WorkFactory(paper=None)
    first, second = PaperFactory(), PaperFactory()
    for entry in (first, second):
        entry.citations.create(work=work, position=1, role="main")
    ReadingState.objects.create(reader=reader, paper=first, work=work, status=Status.READ)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReadingState.objects.create(reader=reader, paper=second, work=work, status=Status.READING)


BEFORE = [("catalogue", "0009_works_shared"), ("progress", "0012_notes_by_work")]
AFTER = [("catalogue", "0009_works_shared"), ("progress", "0014_events_by_work")]


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_states_by_work_keeps_what_every_list_showed():
    with migrated_to(BEFORE) as old:
        User = old.get_model("auth", "User")
        Paper_ = old.get_model("catalogue", "Paper")
        State = old.get_model("progress", "ReadingState")
        Event = old.get_model("progress", "ReadingEvent")
        now = timezone.now()
        day = timezone.timedelta(days=1)
        ada = User.objects.create(username="ada")
        work, entries, section = entries_citing_one_work(old, 3)
        loose = Paper_.objects.create(section=section, position=2, title="Loose", slug="loose")
        rows = [
            (entries[0], "read", now - 3 * day),
            (entries[1], "reading", now - day),  # the newest mark of the work: every list showed it
            (entries[2], "skipped", now - 2 * day),
            (loose, "read", now),
        ]
        for entry, status, at in rows:
            State.objects.create(reader=ada, paper=entry, status=status)
            State.objects.filter(paper=entry).update(updated_at=at)
            Event.objects.create(
                reader=ada, paper=entry, from_status="unread", to_status=status, at=at
            )

        new = migrate(AFTER)
        states = new.get_model("progress", "ReadingState").objects.order_by("paper__slug")
        assert [(s.paper.slug, s.work_id, s.status) for s in states] == [
            ("f2", work.pk, "reading"),
            ("f3", work.pk, "skipped"),
            ("loose", None, "read"),
        ]
        events = new.get_model("progress", "ReadingEvent").objects.order_by("paper__slug")
        assert [(e.paper.slug, e.work_id) for e in events] == [
            ("f1", work.pk),
            ("f2", work.pk),
            ("f3", work.pk),
            ("loose", None),
        ]
