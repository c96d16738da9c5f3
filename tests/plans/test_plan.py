"""The reading plan: estimates, pace, the layout of sessions, falling behind, the calendar feed,
group targets, and the pages."""

import datetime as dt
import re
import zoneinfo
from decimal import Decimal

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Kind, Level
from plans import calendar, estimates, schedule, services
from plans.models import ReadingPlan
from plans.pace import pace_for
from plans.page import layout_for
from progress.models import Status
from progress.summary import reader_papers
from tests.factories import (
    AdviceFactory,
    MembershipFactory,
    PaperFactory,
    PartTickFactory,
    ReadingEventFactory,
    ReadingGroupFactory,
    ReadingStateFactory,
    SectionFactory,
    build_catalogue,
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


# 1. Time ---------------------------------------------------------------------------------------


def test_an_unset_part_takes_the_default_for_its_level_and_kind_labelled_an_estimate():
    part = AdviceFactory(level=Level.DEEP, paper__kind=Kind.POST)
    assert estimates.part_minutes(part, Kind.POST) == estimates.Minutes(25, True)


def test_a_curated_part_time_is_not_an_estimate_and_skip_parts_cost_nothing():
    curated = AdviceFactory(level=Level.SKIM, estimated_minutes=7)
    skipped = AdviceFactory(level=Level.SKIP, estimated_minutes=30)
    assert estimates.part_minutes(curated, Kind.PAPER) == estimates.Minutes(7, False)
    assert estimates.part_minutes(skipped, Kind.PAPER).minutes == 0


def test_an_entry_without_parts_takes_its_curated_time_or_its_kind_default():
    assert estimates.entry_minutes(PaperFactory(estimated_minutes=20)).minutes == 20
    assert estimates.entry_minutes(PaperFactory(kind=Kind.VIDEO)).minutes == 60


def test_time_left_counts_only_unticked_parts_of_unfinished_entries(reader):
    paper = PaperFactory()
    done = AdviceFactory(paper=paper, level=Level.DEEP)
    AdviceFactory(paper=paper, level=Level.SKIM)
    PartTickFactory(reader=reader, advice=done)
    finished = PaperFactory(section=paper.section)
    AdviceFactory(paper=finished)
    ReadingStateFactory(reader=reader, paper=finished, status=Status.READ)
    left = estimates.time_left(reader_papers(reader))
    assert left == estimates.Minutes(15, True)
    assert left.text == "15 min"


# 2. Pace ---------------------------------------------------------------------------------------


def _finish(reader, paper, minutes: float, start: dt.datetime) -> None:
    """Started at a quarter to midnight on `start`'s day and finished `minutes` later: read here, on
    two days (the pace counts nothing started and finished on one day; tests/plans/test_pace.py)."""
    start = start.replace(hour=23, minute=45)
    ReadingEventFactory(reader=reader, paper=paper, to_status=Status.READING, at=start)
    ReadingEventFactory(
        reader=reader,
        paper=paper,
        from_status=Status.READING,
        to_status=Status.READ,
        at=start + dt.timedelta(minutes=minutes),
    )


def test_pace_waits_for_three_finished_entries(reader):
    for n in range(2):
        _finish(reader, PaperFactory(estimated_minutes=60), 90, _at(MONDAY + dt.timedelta(n)))
    pace = pace_for(reader)
    assert not pace.active and pace.factor == 1.0
    assert "3 entries" in pace.explanation


def test_pace_is_the_median_ratio_robust_to_an_outlier_and_capped(reader):
    for n, took in enumerate([90, 90, 60, 1400]):
        _finish(reader, PaperFactory(estimated_minutes=60), took, _at(MONDAY + dt.timedelta(n)))
    assert pace_for(reader).factor == pytest.approx(1.5)
    slow = pace_for(reader)
    assert slow.active and slow.entries == 4
    for n in range(5):
        _finish(reader, PaperFactory(estimated_minutes=10), 600, _at(MONDAY + dt.timedelta(9 + n)))
    assert pace_for(reader).factor == 2.0


def test_pace_can_be_turned_off(reader):
    for n in range(3):
        _finish(reader, PaperFactory(estimated_minutes=60), 90, _at(MONDAY + dt.timedelta(n)))
    assert pace_for(reader, use_pace=False).factor == 1.0
    assert "turned" in pace_for(reader, use_pace=False).explanation


def test_days_between_starting_and_finishing_say_nothing_about_pace(reader):
    for _ in range(3):
        _finish(reader, PaperFactory(estimated_minutes=60), 3 * 24 * 60, _at(MONDAY))
    assert not pace_for(reader).active


# 3. Budget and layout --------------------------------------------------------------------------


def test_sessions_follow_reading_order_with_next_up_first_and_keep_deep_parts_whole(reader):
    tier = SectionFactory()
    first = PaperFactory(section=tier, position=1)
    AdviceFactory(paper=first, level=Level.DEEP, estimated_minutes=40)
    AdviceFactory(paper=first, level=Level.DEEP, estimated_minutes=40)
    second = PaperFactory(section=tier, position=2)
    AdviceFactory(paper=second, level=Level.SKIM, estimated_minutes=30)
    plan = _plan(reader)  # 60-minute sessions on Monday, Wednesday, Friday
    layout, *_ = layout_for(reader, plan, now=_at(MONDAY))
    sessions = layout.sessions
    assert [s.date for s in sessions[:3]] == [
        MONDAY,
        MONDAY + dt.timedelta(2),
        MONDAY + dt.timedelta(4),
    ]
    assert [(i.paper, i.minutes) for i in sessions[0].items] == [(first, 40)]
    assert [(i.paper, i.minutes) for i in sessions[1].items] == [(first, 40), (second, 20)]
    assert sessions[2].items[0].label.endswith("(2 of 2)")
    assert layout.finish == MONDAY + dt.timedelta(4)
    assert layout.tiers[0].finish == MONDAY + dt.timedelta(4)


def test_a_deep_part_longer_than_a_session_is_split(reader):
    paper = PaperFactory()
    AdviceFactory(paper=paper, level=Level.DEEP, estimated_minutes=150)
    layout, *_ = layout_for(reader, _plan(reader), now=_at(MONDAY))
    assert [i.label.split(" (")[1] for s in layout.sessions for i in s.items] == [
        "1 of 3)",
        "2 of 3)",
        "3 of 3)",
    ]


def test_next_up_goes_first_even_when_it_is_later_in_the_list(reader):
    tier = SectionFactory()
    skimmed = PaperFactory(section=tier, position=1)
    AdviceFactory(paper=skimmed, level=Level.SKIM_OR_SKIP)
    deep = PaperFactory(section=tier, position=2)
    AdviceFactory(paper=deep, level=Level.DEEP)
    layout, *_ = layout_for(reader, _plan(reader), now=_at(MONDAY))
    assert layout.sessions[0].items[0].paper == deep


def test_the_pace_scales_the_sessions(reader):
    paper = PaperFactory()
    AdviceFactory(paper=paper, level=Level.DEEP, estimated_minutes=30)
    layout = schedule.lay_out(
        _plan(reader),
        reader_papers(reader),
        None,
        dropped=frozenset(),
        ticked_since=set(),
        now=_at(MONDAY),
        pace=2.0,
    )
    assert layout.sessions[0].items[0].minutes == 60


# 4. Behind without guilt -----------------------------------------------------------------------


def _behind(reader):
    tier = SectionFactory()
    for position in range(1, 4):
        paper = PaperFactory(section=tier, position=position)
        AdviceFactory(paper=paper, level=Level.DEEP, estimated_minutes=60)
        AdviceFactory(paper=paper, level=Level.SKIM_OR_SKIP, estimated_minutes=30)
        AdviceFactory(paper=paper, level=Level.SKIM, estimated_minutes=30)
    return _plan(reader)


def test_a_missed_session_shows_the_missed_time(reader):
    plan = _behind(reader)
    layout, *_ = layout_for(reader, plan, now=_at(MONDAY + dt.timedelta(3)))
    assert layout.behind and layout.missed_minutes == 120


def test_work_done_since_the_start_counts_against_the_missed_time(reader):
    plan = _behind(reader)
    part = reader_papers(reader)[0].checklist[0]
    PartTickFactory(reader=reader, advice=part, done_at=_at(MONDAY, 20))
    layout, *_ = layout_for(reader, plan, now=_at(MONDAY + dt.timedelta(3)))
    assert layout.missed_minutes == 60


def test_catch_up_spreads_the_missed_time_over_the_next_sessions(reader):
    plan = _behind(reader)
    today = MONDAY + dt.timedelta(3)
    services.catch_up(plan=plan, missed_minutes=120, today=today)
    layout, *_ = layout_for(reader, plan, now=_at(today))
    assert not layout.behind
    assert [s.budget for s in layout.sessions[:5]] == [90, 90, 90, 90, 60]


def test_push_back_moves_everything_later(reader):
    plan = _behind(reader)
    today = MONDAY + dt.timedelta(3)
    before, *_ = layout_for(reader, plan, now=_at(today))
    services.push_back(plan=plan, today=today)
    after, *_ = layout_for(reader, plan, now=_at(today))
    assert not after.behind
    assert after.finish == before.finish  # nothing was owed in the layout itself
    assert after.sessions[0].date == MONDAY + dt.timedelta(4)  # the next reading day


def test_trim_drops_skim_or_skip_parts_before_skim_parts(reader):
    plan = _behind(reader)
    papers = reader_papers(reader)
    dropped = services.trim(plan=plan, papers=papers, missed_minutes=120, today=MONDAY)
    assert [a.level for a in dropped] == [Level.SKIM_OR_SKIP] * 3 + [Level.SKIM]
    services.restore_trimmed(plan=plan)
    assert not plan.dropped.exists()


def test_the_behind_notice_has_no_streaks_ranks_or_failure_words(client_as_reader, reader):
    _behind(reader)
    page = client_as_reader.get(reverse("plans:plan")).content.decode()
    assert "Life happens" in page
    assert "Catch up" in page and "Push back" in page and "Trim" in page
    assert not re.search(r"\b(streaks?|ranks?|ranking|failed|overdue|late)\b", page, re.I)
    assert 'class="error' not in page and "danger" not in page


# 5. Calendar feed ------------------------------------------------------------------------------


def _feed(client, plan):
    return client.get(reverse("plans:feed", kwargs={"token": plan.calendar_address_token}))


def test_the_feed_has_one_event_per_session_in_the_readers_time_zone(client, reader):
    paper = PaperFactory(title="Zoom In, with a comma; and a semicolon")
    AdviceFactory(paper=paper, level=Level.DEEP, estimated_minutes=100, part="Läs allt")
    plan = _plan(
        reader, timezone="America/New_York", counted_from=dt.date.today(), starts_on=dt.date.today()
    )
    services.rotate_calendar(plan=plan)
    response = _feed(client, plan)
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content
    assert b"\r\n" in body and all(len(line) <= 75 for line in body.split(b"\r\n"))
    parsed = icalendar.Calendar.from_ical(body)
    events = [c for c in parsed.walk("VEVENT")]
    assert len(events) == 2
    start = events[0].decoded("DTSTART")
    assert str(start.tzinfo) == "America/New_York" and start.hour == 19
    assert "Zoom In, with a comma; and a semicolon" in str(events[0]["SUMMARY"])
    assert "Läs allt (1 of 2)" in str(events[0]["DESCRIPTION"])
    assert paper.get_absolute_url() in str(events[0]["DESCRIPTION"])


def test_a_rotated_or_revoked_feed_address_answers_404(client, reader):
    plan = _plan(reader)
    services.rotate_calendar(plan=plan)
    old = plan.calendar_address_token
    services.rotate_calendar(plan=plan)
    assert client.get(reverse("plans:feed", kwargs={"token": old})).status_code == 404
    assert _feed(client, plan).status_code == 200
    services.revoke_calendar(plan=plan)
    assert client.get(reverse("plans:feed", kwargs={"token": old})).status_code == 404


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    folded = calendar.fold("DESCRIPTION:" + "é" * 100)
    assert all(len(line.encode()) <= 75 for line in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + "é" * 100


# 6. Groups -------------------------------------------------------------------------------------


def test_a_facilitator_derives_tier_dates_from_weekly_hours(client_as_reader, reader):
    build_catalogue(4, parts_per_entry=2)  # per entry: 45 deep + 15 skim = 1 hour
    group = ReadingGroupFactory()
    MembershipFactory(group=group, reader=reader, role="facilitator")
    url = reverse("groups:targets-derive", kwargs={"slug": group.slug})
    response = client_as_reader.post(url, {"hours_per_week": "7", "start": "2026-03-02"})
    assert response.status_code == 302
    dates = {t.tier.slug: t.due_on for t in group.targets.all()}
    assert dates == {"tier-one": dt.date(2026, 3, 4), "tier-two": dt.date(2026, 3, 6)}


def test_a_member_sees_their_plan_against_the_groups_targets(client_as_reader, reader):
    papers = build_catalogue(2)
    group = ReadingGroupFactory(name="Circuits club")
    MembershipFactory(group=group, reader=reader)
    group.targets.create(tier=papers[0].section, due_on=dt.date(2026, 5, 1))
    _plan(reader)
    page = client_as_reader.get(reverse("plans:plan")).content.decode()
    assert "Circuits club" in page and "1 May 2026" in page


# 7. Pages, HTMX and queries --------------------------------------------------------------------


def test_setting_a_budget_without_javascript_redirects_to_the_plan(client_as_reader, reader):
    build_catalogue(2)
    data = {
        "hours_per_week": "4",
        "days": ["1", "3"],
        "session_time": "07:30",
        "timezone": "Europe/Paris",
        "use_pace": "on",
    }
    response = client_as_reader.post(reverse("plans:budget"), data)
    assert response.status_code == 302
    plan = reader.reading_plan
    assert plan.reading_days == "13" and plan.session_minutes == 120
    page = client_as_reader.get(reverse("plans:plan")).content.decode()
    assert "The next four weeks" in page


def test_setting_a_budget_with_htmx_answers_the_plan_fragment(client_as_reader):
    data = {"hours_per_week": "2", "days": ["5"], "session_time": "10:00", "timezone": "UTC"}
    response = client_as_reader.post(reverse("plans:budget"), data, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith('<div id="plan">') and "<html" not in body
    assert "Plan saved." in body


def test_a_bad_budget_gets_one_clear_sentence_and_saves_nothing(client_as_reader, reader):
    data = {"hours_per_week": "500", "days": [], "session_time": "10:00", "timezone": "Mars/Base"}
    response = client_as_reader.post(reverse("plans:budget"), data)
    assert response.status_code == 400
    assert "Choose at least one reading day." in response.content.decode()
    assert not ReadingPlan.objects.exists()


def test_the_sessions_fragment_is_the_sessions_only(client_as_reader, reader):
    build_catalogue(2)
    _plan(reader)
    response = client_as_reader.get(
        reverse("plans:plan"), headers={"HX-Request": "true", "HX-Target": "sessions"}
    )
    assert response.content.decode().strip().startswith('<section id="sessions"')


def test_the_plan_page_needs_a_sign_in(client):
    assert client.get(reverse("plans:plan")).status_code == 302


@pytest.mark.parametrize("entries", [4, 40])
def test_the_plan_page_and_feed_take_a_fixed_number_of_queries(
    client_as_reader, reader, entries, django_assert_max_num_queries
):
    build_catalogue(entries)
    plan = _plan(reader, counted_from=timezone.localdate(), starts_on=timezone.localdate())
    services.rotate_calendar(plan=plan)
    with django_assert_max_num_queries(12):
        assert client_as_reader.get(reverse("plans:plan")).status_code == 200
    with django_assert_max_num_queries(8):
        assert _feed(client_as_reader, plan).status_code == 200


def test_a_bad_budget_sent_by_htmx_answers_the_plan_fragment_with_the_problem(client_as_reader):
    data = {"hours_per_week": "0", "days": ["1"], "session_time": "10:00", "timezone": "UTC"}
    response = client_as_reader.post(reverse("plans:budget"), data, headers={"HX-Request": "true"})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.strip().startswith('<div id="plan">')
    assert "greater than or equal to 0.5" in body


def test_the_time_left_partial_labels_defaults_as_estimates():
    from django.template.loader import render_to_string

    text = render_to_string("plans/_time_left.html", {"left": estimates.Minutes(95, True)})
    assert "1 h 35 min left at the advised depth" in text and "(estimate)" in text
    curated = render_to_string("plans/_time_left.html", {"left": estimates.Minutes(30, False)})
    assert "(estimate)" not in curated


def test_deriving_targets_from_nonsense_hours_changes_nothing(client_as_reader, reader):
    build_catalogue(2)
    group = ReadingGroupFactory()
    MembershipFactory(group=group, reader=reader, role="facilitator")
    url = reverse("groups:targets-derive", kwargs={"slug": group.slug})
    response = client_as_reader.post(url, {"hours_per_week": "-3", "start": "2026-03-02"})
    assert response.status_code == 400
    assert not group.targets.exists()


def test_only_the_facilitator_can_derive_targets(client_as_reader, reader):
    group = ReadingGroupFactory()
    MembershipFactory(group=group, reader=reader)
    url = reverse("groups:targets-derive", kwargs={"slug": group.slug})
    response = client_as_reader.post(url, {"hours_per_week": "3", "start": "2026-03-02"})
    assert response.status_code == 404


def test_a_feed_across_a_clock_change_keeps_sessions_at_the_readers_local_time(reader):
    paper = PaperFactory()
    AdviceFactory(paper=paper, level=Level.DEEP, estimated_minutes=60 * 12)
    plan = _plan(reader, starts_on=dt.date(2026, 3, 16), counted_from=dt.date(2026, 3, 16))
    layout, *_ = layout_for(reader, plan, now=_at(dt.date(2026, 3, 16)))
    body = calendar.feed(plan, layout.sessions, absolute=lambda u: u, stamp=timezone.now())
    parsed = icalendar.Calendar.from_ical(body)
    starts = [e.decoded("DTSTART") for e in parsed.walk("VEVENT")]
    assert {s.hour for s in starts} == {19}
    assert {s.utcoffset() for s in starts} == {dt.timedelta(0), dt.timedelta(hours=1)}
    assert len(parsed.walk("DAYLIGHT")) == 1


def test_the_dashboard_and_the_paper_page_show_the_time_left_at_the_advised_depth(
    client, real_catalogue
):
    from tests.factories import UserFactory

    reader = UserFactory(username="timeleft")
    client.force_login(reader)
    dashboard = " ".join(client.get("/").content.decode().split())
    assert "left at the advised depth" in dashboard and "(estimate)" in dashboard
    page = " ".join(client.get("/papers/solu/").content.decode().split())
    assert "left at the advised depth" in page


# 6. The reader's first hour, round three (issue 26) ---------------------------------------------


def test_a_part_that_takes_no_time_is_never_laid_out_as_reading(reader, real_catalogue):
    plan = _plan(reader, hours_per_week=Decimal(20))
    layout, *_ = layout_for(reader, plan, now=_at(MONDAY))
    laid = [
        (i.paper.slug, i.advice.part, i.advice.level)
        for s in layout.sessions
        for i in s.items
        if i.advice
    ]
    parts = [(slug, part) for slug, part, _ in laid]
    assert ("logit-lens", "Why early unembedding makes sense") in parts
    assert ("logit-lens", "Skip everything else") not in parts
    assert Level.SKIP not in {level for _, _, level in laid}


def test_a_calendar_event_lasts_as_long_as_its_session_holds(client, reader):
    paper = PaperFactory()
    AdviceFactory(paper=paper, level=Level.DEEP, estimated_minutes=25)
    plan = _plan(reader)  # 60-minute sessions
    services.rotate_calendar(plan=plan)
    body = _feed(client, plan).content
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    took = event.decoded("DTEND") - event.decoded("DTSTART")
    assert took == dt.timedelta(minutes=25)


def test_catching_up_a_slow_readers_missed_time_never_finishes_before_the_plan_did(reader):
    plan = _behind(reader)
    planned, *_ = layout_for(reader, plan, now=_at(MONDAY))  # before falling behind
    today = MONDAY + dt.timedelta(3)
    for n in range(3):  # a slow reader: twice the estimates
        _finish(reader, PaperFactory(estimated_minutes=60), 120, _at(MONDAY - dt.timedelta(9 - n)))
    behind, *_ = layout_for(reader, plan, now=_at(today))
    services.catch_up(plan=plan, missed_minutes=behind.missed_minutes, today=today)
    caught_up, pace, *_ = layout_for(reader, plan, now=_at(today))
    assert pace.factor == 2.0
    assert caught_up.finish >= planned.finish


def test_time_zones_are_offered_by_region(client_as_reader):
    page = client_as_reader.get(reverse("plans:plan")).content.decode()
    europe = page.index('<optgroup label="Europe">')
    assert europe < page.index('<option value="Europe/London">London</option>')
    assert page.index('<optgroup label="Asia">') < page.index('value="Asia/Tokyo"')
    assert 'value="Europe/London">Europe/London<' not in page


def test_the_first_visit_to_the_plan_previews_it_before_anything_is_saved(client_as_reader):
    paper = PaperFactory(short_name="Toy Models")
    AdviceFactory(paper=paper, level=Level.DEEP, estimated_minutes=45)
    page = " ".join(client_as_reader.get(reverse("plans:plan")).content.decode().split())
    assert "Preview: 3 hours a week on Monday, Wednesday, Friday" in page
    assert "45 min left at the advised depth" in page and "Toy Models" in page
    asked = client_as_reader.get(
        reverse("plans:plan"),
        {"preview": "1", "hours_per_week": "1", "days": ["5"], "session_time": "09:00",
         "timezone": "Asia/Tokyo"},
    )  # fmt: skip
    assert "Preview: 1 hour a week on Saturday" in " ".join(asked.content.decode().split())
    assert not ReadingPlan.objects.exists()


def test_time_left_names_the_readers_pace_with_a_link_to_why(client_as_reader, reader):
    paper = PaperFactory()
    AdviceFactory(paper=paper, level=Level.DEEP, estimated_minutes=60)
    for n in range(3):
        _finish(reader, PaperFactory(estimated_minutes=60), 30, _at(MONDAY + dt.timedelta(n)))
    dashboard = " ".join(client_as_reader.get("/").content.decode().split())
    # Four entries of an hour each, at twice the estimated speed.
    named = '<a href="/plan/#pace">at your pace, 0.5x</a>'
    assert f"2 h left at the advised depth, {named}" in dashboard
    plan = client_as_reader.get(reverse("plans:plan")).content.decode()
    assert 'id="pace"' in plan and "at your pace, 0.5x" in plan


def test_an_estimate_has_no_stray_space_before_the_full_stop(client_as_reader):
    AdviceFactory(paper=PaperFactory(), level=Level.DEEP)
    page = client_as_reader.get(reverse("plans:plan")).content.decode()
    assert "(estimate)</span></span>." in page and "(estimate) ." not in " ".join(page.split())


def test_the_time_left_line_comes_back_on_its_own_after_a_status_change(client_as_reader):
    paper = PaperFactory(slug="toy")
    AdviceFactory(paper=paper, level=Level.DEEP, estimated_minutes=45)
    AdviceFactory(paper=PaperFactory(section=paper.section), level=Level.DEEP, estimated_minutes=20)
    htmx = {"HX-Request": "true"}
    answer = client_as_reader.post("/entries/toy/status/", {"status": "read"}, headers=htmx)
    swapped = answer.content.decode()
    assert 'id="time-left-line"' in swapped and 'hx-get="/plan/time-left/"' in swapped
    line = client_as_reader.get(reverse("plans:time-left"), headers=htmx).content.decode()
    assert "20 min left at the advised depth" in line and 'id="time-left-line"' in line


@pytest.mark.parametrize("entries", [4, 40])
def test_the_preview_and_the_time_left_line_take_a_fixed_number_of_queries(
    client_as_reader, reader, entries, django_assert_max_num_queries
):
    build_catalogue(entries)
    with django_assert_max_num_queries(12):
        assert client_as_reader.get(reverse("plans:plan")).status_code == 200
    with django_assert_max_num_queries(8):
        line = client_as_reader.get(reverse("plans:time-left"), headers={"HX-Request": "true"})
    assert "left at the advised depth" in line.content.decode()
