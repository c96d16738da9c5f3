"""The plan covers every curriculum the reader follows, counting a shared work once (issue 25,
point 5): the time left and the sessions count what is still to read in each followed list, a work
two lists cite once at the deeper advice, a record made for another list covering an entry here,
a skip only in its own list; the page names the lists it covers; following and unfollowing change
the plan; the queries stay fixed however many lists are followed."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Curriculum, Level
from plans import estimates, services
from plans.models import ReadingPlan
from plans.page import layout_for
from progress import services as progress_services
from progress.models import Follow, Status, followed_ids
from tests.factories import (
    AdviceFactory,
    CitationFactory,
    CurriculumFactory,
    EditionFactory,
    PaperFactory,
    PartTickFactory,
    ReadingEventFactory,
    ReadingStateFactory,
    SectionFactory,
    WorkFactory,
)

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 3, 2)
LONDON = zoneinfo.ZoneInfo("Europe/London")


def _plan(reader, **fields) -> ReadingPlan:
    values = {
        "hours_per_week": Decimal(3),
        "reading_days": "024",
        "timezone": "Europe/London",
        "starts_on": MONDAY,
        "counted_from": MONDAY,
        **fields,
    }
    return ReadingPlan.objects.create(reader=reader, **values)


def _at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def _published(slug: str, title: str | None = None) -> Curriculum:
    """A further curriculum with an edition (so readers can follow it)."""
    curriculum = CurriculumFactory(slug=slug, title=title or f"The {slug} list")
    EditionFactory(curriculum=curriculum, number=1)
    return curriculum


def _entry(curriculum=None, *, minutes=(), level=Level.DEEP, work=None, **fields):
    """An entry of `curriculum` (the default one if None) with one advised part per minutes
    given, at `level`, citing `work` as its main work if given (else a work of its own)."""
    section = SectionFactory(**({"curriculum": curriculum} if curriculum else {}))
    paper = PaperFactory(section=section, **fields)
    for position, each in enumerate(minutes, 1):
        AdviceFactory(
            paper=paper, position=position, level=level, estimated_minutes=each, key=f"p{position}"
        )
    if work is None:
        WorkFactory(paper=paper)
    else:
        CitationFactory(entry=paper, work=work)
    return paper


def _main_work(paper):
    return paper.citations.get().work


def _follow(reader, curriculum, following=True):
    progress_services.set_following(reader=reader, curriculum=curriculum, following=following)


def _planned(reader, plan=None):
    """(the entries the plan counts, the time left at the advised depth, the layout)."""
    plan = plan or _plan(reader)
    layout, _pace, papers, _dropped = layout_for(reader, plan, now=_at(MONDAY))
    return papers, estimates.time_left(papers), layout


def _names_in_sessions(layout) -> list[str]:
    """The entries the sessions work on, each once, in order."""
    return list(dict.fromkeys(name for session in layout.sessions for name in session.names))


# 1. Every followed curriculum, a shared work once ----------------------------------------------


def test_the_time_left_and_the_sessions_count_every_curriculum_the_reader_follows(reader):
    _entry(minutes=[45], title="In the shipped list")
    second = _published("second")
    _entry(second, minutes=[30], title="In the second list")
    _follow(reader, second)

    _papers, left, layout = _planned(reader)

    assert left.minutes == 75
    assert _names_in_sessions(layout) == ["In the shipped list", "In the second list"]


def test_a_curriculum_the_reader_does_not_follow_adds_nothing_to_the_plan(reader):
    _entry(minutes=[45], title="In the shipped list")
    _entry(_published("second"), minutes=[30], title="In the second list")

    _papers, left, layout = _planned(reader)

    assert left.minutes == 45
    assert _names_in_sessions(layout) == ["In the shipped list"]


def test_a_work_two_followed_lists_cite_is_planned_once_at_the_deeper_advice(reader):
    deep = _entry(minutes=[45, 45], title="Deeply, in the shipped list")
    second = _published("second")
    _entry(second, minutes=[15], level=Level.SKIM, work=_main_work(deep), title="Skimmed there")
    _follow(reader, second)

    papers, left, layout = _planned(reader)

    assert [p.title for p in papers] == ["Deeply, in the shipped list"]
    assert left.minutes == 90
    assert _names_in_sessions(layout) == ["Deeply, in the shipped list"]


def test_the_deeper_advice_wins_whichever_list_gives_it(reader):
    skim = _entry(minutes=[15], level=Level.SKIM, title="Skimmed in the shipped list")
    second = _published("second")
    _entry(second, minutes=[45, 45], work=_main_work(skim), title="Deeply, in the second list")
    _follow(reader, second)

    papers, left, _layout = _planned(reader)

    assert [p.title for p in papers] == ["Deeply, in the second list"]
    assert left.minutes == 90


def test_an_entry_read_for_another_list_is_not_left_to_read(reader):
    shipped = _entry(minutes=[45], title="Read for the shipped list")
    ReadingStateFactory(reader=reader, paper=shipped, status=Status.READ, finished_at=None)
    second = _published("second")
    _entry(second, minutes=[30], work=_main_work(shipped), title="Cited again")
    _entry(second, minutes=[20], title="New to the reader")
    _follow(reader, second)

    _papers, left, layout = _planned(reader)

    assert left.minutes == 20
    assert _names_in_sessions(layout) == ["New to the reader"]


def test_a_work_read_in_a_list_the_reader_no_longer_follows_still_counts_as_read(reader):
    third = _published("third")
    elsewhere = _entry(third, minutes=[45])
    ReadingStateFactory(reader=reader, paper=elsewhere, status=Status.SKIMMED, finished_at=None)
    _entry(minutes=[30], work=_main_work(elsewhere), title="Skimmed already, elsewhere")
    _entry(minutes=[20], title="Still to read")

    _papers, left, layout = _planned(reader)

    assert left.minutes == 20
    assert _names_in_sessions(layout) == ["Still to read"]


def test_a_part_read_deeply_for_one_list_covers_a_skim_of_it_in_another_but_not_the_reverse(
    reader,
):
    deep = _entry(minutes=[45])
    second = _published("second")
    skim = _entry(second, minutes=[15], level=Level.SKIM, work=_main_work(deep))
    _entry(second, minutes=[10], title="Keeps the second list busy")
    _follow(reader, second)
    # Ticked skimming in the second list: a skim never satisfies "deeply engage" in the first.
    PartTickFactory(reader=reader, advice=skim.advice.get())
    plan = _plan(reader)
    _papers, left, _layout = _planned(reader, plan)
    assert left.minutes == 45 + 10
    # Ticked deeply in the first: the skim in the second is covered too, and nothing of it left.
    PartTickFactory(reader=reader, advice=deep.advice.get())
    _papers, left, _layout = _planned(reader, plan)
    assert left.minutes == 10


def test_a_skip_counts_only_in_its_own_list(reader):
    skipped = _entry(minutes=[45], title="Skipped in the shipped list")
    ReadingStateFactory(reader=reader, paper=skipped, status=Status.SKIPPED, finished_at=None)
    second = _published("second")
    _entry(second, minutes=[30], work=_main_work(skipped), title="Asked for in the second list")
    _follow(reader, second)

    _papers, left, layout = _planned(reader)

    assert left.minutes == 30
    assert _names_in_sessions(layout) == ["Asked for in the second list"]


def test_work_done_for_another_list_counts_against_the_missed_time(reader):
    shipped = _entry(minutes=[60])
    second = _published("second")
    there = _entry(second, minutes=[60], work=_main_work(shipped))
    _entry(minutes=[600])
    plan = _plan(reader)  # 60-minute sessions; by Friday morning two were missed
    PartTickFactory(reader=reader, advice=there.advice.get(), done_at=_at(MONDAY + dt.timedelta(3)))
    friday = _at(MONDAY + dt.timedelta(4))

    layout, *_ = layout_for(reader, plan, now=friday)

    assert layout.missed_minutes == 60


def test_the_calendar_feed_covers_every_followed_curriculum(client, reader):
    _entry(minutes=[45], title="In the shipped list")
    second = _published("second")
    _entry(second, minutes=[30], title="In the second list")
    _follow(reader, second)
    today = dt.date.today()
    plan = _plan(reader, counted_from=today, starts_on=today)
    services.rotate_calendar(plan=plan)

    body = client.get(reverse("plans:feed", kwargs={"token": plan.calendar_address_token}))

    events = icalendar.Calendar.from_ical(body.content).walk("VEVENT")
    summaries = " ".join(str(event["SUMMARY"]) for event in events)
    assert "In the shipped list" in summaries and "In the second list" in summaries


# 2. The page names the curricula it covers -----------------------------------------------------


def _page(client) -> str:
    return " ".join(client.get(reverse("plans:plan")).content.decode().split())


def test_the_plan_page_names_and_links_every_curriculum_it_covers(client_as_reader, reader):
    _plan(reader, counted_from=timezone.localdate(), starts_on=timezone.localdate())
    _entry(minutes=[45])
    second = _published("second", "A second list")
    third = _published("third", "A third list")
    _entry(second, minutes=[30])
    _entry(third, minutes=[30])
    _follow(reader, second)
    _follow(reader, third)
    default = Curriculum.objects.default()

    page = _page(client_as_reader)

    assert "It covers the 3 lists you follow" in page
    for curriculum in (default, second, third):
        link = reverse("curriculum", kwargs={"slug": curriculum.slug})
        assert f'<a href="{link}">{curriculum.title}</a>' in page
    assert "you would finish every list you follow around" in page


def test_with_only_the_default_curriculum_followed_the_page_names_it_and_reads_as_before(
    client_as_reader, reader
):
    _plan(reader, counted_from=timezone.localdate(), starts_on=timezone.localdate())
    _entry(minutes=[45])
    _published("second", "A second list")
    default = Curriculum.objects.default()

    page = _page(client_as_reader)

    link = reverse("curriculum", kwargs={"slug": default.slug})
    assert f'It covers the list you follow, <a href="{link}">{default.title}</a>.' in page
    assert "A second list" not in page
    assert "you would finish the whole list around" in page


def test_the_preview_names_the_curricula_it_would_cover(client_as_reader, reader):
    _entry(minutes=[45])
    second = _published("second", "A second list")
    _entry(second, minutes=[30])
    _follow(reader, second)

    page = _page(client_as_reader)

    assert 'id="preview"' in page and "It covers the 2 lists you follow" in page
    assert "A second list" in page


def test_each_tier_row_names_its_curriculum_when_several_are_followed(client_as_reader, reader):
    _plan(reader, counted_from=timezone.localdate(), starts_on=timezone.localdate())
    _entry(minutes=[45])
    second = _published("second", "A second list")
    _entry(second, minutes=[30])
    _follow(reader, second)

    page = _page(client_as_reader)

    table = page.split('class="tiers-table"')[1].split("</table>")[0]
    assert "A second list" in table and Curriculum.objects.default().title in table


# 3. Following and unfollowing ------------------------------------------------------------------


def test_following_a_curriculum_adds_its_entries_and_unfollowing_takes_them_out(reader):
    _entry(minutes=[45], title="In the shipped list")
    second = _published("second")
    _entry(second, minutes=[30], title="In the second list")
    plan = _plan(reader)
    assert _planned(reader, plan)[1].minutes == 45

    _follow(reader, second)
    _papers, left, layout = _planned(reader, plan)
    assert left.minutes == 75 and "In the second list" in _names_in_sessions(layout)

    _follow(reader, second, following=False)
    _papers, left, layout = _planned(reader, plan)
    assert left.minutes == 45 and "In the second list" not in _names_in_sessions(layout)


def test_unfollowing_the_default_curriculum_takes_its_entries_out_of_the_plan(reader):
    _entry(minutes=[45], title="In the shipped list")
    second = _published("second")
    _entry(second, minutes=[30], title="In the second list")
    _follow(reader, second)
    _follow(reader, Curriculum.objects.default(), following=False)

    _papers, left, layout = _planned(reader)

    assert left.minutes == 30
    assert _names_in_sessions(layout) == ["In the second list"]


def test_a_reader_who_follows_nothing_is_told_there_is_nothing_to_plan(client_as_reader, reader):
    _plan(reader, counted_from=timezone.localdate(), starts_on=timezone.localdate())
    _entry(minutes=[45])
    _follow(reader, Curriculum.objects.default(), following=False)

    page = _page(client_as_reader)

    assert "You follow no list, so there is nothing to plan" in page
    assert f'<a href="{reverse("curricula")}">choose one to follow</a>' in page
    assert "Nothing left to plan." in page


def test_the_plan_covers_exactly_the_curricula_the_reader_follows(reader):
    """The plan asks whom a reader follows in its own query: it agrees with followed_ids."""
    from progress.models import followed_curricula

    lists = [_published(f"list-{n}") for n in range(3)]
    CurriculumFactory(slug="draft")  # no edition: never planned, even if a row says followed
    Follow.objects.create(
        reader=reader, curriculum=Curriculum.objects.get(slug="draft"), changed_at=timezone.now()
    )
    _follow(reader, lists[0])
    _follow(reader, lists[1])
    _follow(reader, lists[1], following=False)
    everything = [Curriculum.objects.default(), *lists]

    for default_followed in (True, False):
        _follow(reader, everything[0], following=default_followed)
        found = {c.pk for c in followed_curricula(reader)}
        assert found == followed_ids(reader, everything)


# 4. Fixed queries ------------------------------------------------------------------------------


def _lists(reader, followed: int, entries: int) -> None:
    """`followed` curricula the reader follows (the default and followed-1 more) of `entries`
    entries each, some citing one another's works, with statuses and ticks in each."""
    curricula = [None, *(_published(f"list-{n}") for n in range(1, followed))]
    shared = None
    for curriculum in curricula:
        if curriculum is not None:
            _follow(reader, curriculum)
        for n in range(entries):
            paper = _entry(curriculum, minutes=[30, 15], work=shared if n == 0 else None)
            shared = shared or _main_work(paper)
            if n == 1:
                ReadingStateFactory(reader=reader, paper=paper, status=Status.READING)
            if n == 2:
                PartTickFactory(reader=reader, advice=paper.advice.first())


PLAN_PAGE_QUERIES = 9  # session, user, plan, curricula, entries, parts, events, trimmed, targets
FEED_QUERIES = 6  # plan by token, curricula, entries, parts, events, trimmed


@pytest.mark.parametrize(("followed", "entries"), [(1, 3), (3, 8)])
def test_the_plan_page_and_feed_take_the_same_queries_however_many_lists_are_followed(
    client_as_reader, reader, followed, entries, django_assert_num_queries
):
    _lists(reader, followed, entries)
    plan = _plan(reader, counted_from=timezone.localdate(), starts_on=timezone.localdate())
    services.rotate_calendar(plan=plan)
    client_as_reader.get(reverse("plans:plan"))  # the session's first request settles it

    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        page = client_as_reader.get(reverse("plans:plan"))
    assert page.status_code == 200
    assert f"{followed} list" in page.content.decode() or followed == 1
    client_as_reader.logout()
    token = plan.calendar_address_token
    with django_assert_num_queries(FEED_QUERIES):
        assert (
            client_as_reader.get(reverse("plans:feed", kwargs={"token": token})).status_code == 200
        )


@pytest.mark.parametrize(("followed", "entries"), [(1, 3), (3, 8)])
def test_the_preview_and_the_time_left_line_take_the_same_queries_however_many_lists_are_followed(
    client_as_reader, reader, followed, entries, django_assert_num_queries
):
    _lists(reader, followed, entries)
    client_as_reader.get(reverse("plans:plan"))

    with django_assert_num_queries(PLAN_PAGE_QUERIES - 2):  # no plan: nothing trimmed, no targets
        assert client_as_reader.get(reverse("plans:plan")).status_code == 200
    line = reverse("plans:time-left")
    with django_assert_num_queries(6):  # as before: the dashboard's own list
        assert client_as_reader.get(line, headers={"HX-Request": "true"}).status_code == 200


def test_the_dashboards_time_left_takes_the_same_queries_however_many_lists_are_followed(
    reader, django_assert_num_queries
):
    from plans.reader_pages import reader_time_left
    from progress.summary import reader_papers

    for followed, entries in [(1, 3), (3, 8)]:
        _lists(reader, followed, entries)
        papers = reader_papers(reader)
        with django_assert_num_queries(2):  # the plan's pace setting, the reading events
            assert reader_time_left(reader, papers, papers)["time_left"].minutes > 0


def test_the_pace_reads_a_shared_work_finished_in_the_list_the_plan_does_not_keep(reader):
    shipped = _entry(minutes=[45, 45])
    second = _published("second")
    _follow(reader, second)
    shared = None
    for n in range(3):
        there = _entry(second, minutes=[60], work=_main_work(shipped) if n == 0 else None)
        shared = shared or there
        start = _at(MONDAY - dt.timedelta(days=10 - 2 * n), hour=20)
        done = start + dt.timedelta(hours=12)
        ReadingEventFactory(reader=reader, paper=there, to_status=Status.READING, at=start)
        ReadingEventFactory(reader=reader, paper=there, to_status=Status.READ, at=done)
        ReadingStateFactory(
            reader=reader, paper=there, status=Status.READ, started_at=start, finished_at=done
        )

    _layout, pace, papers, _dropped = layout_for(reader, _plan(reader), now=_at(MONDAY))

    assert shared not in papers  # the shipped list's deeper entry stands for the work
    assert pace.active and pace.entries == 3
