"""Entries finished per week, drawn as a small server-rendered SVG chart."""

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connections, router
from django.utils import timezone

from mireads.sql import convert_row
from progress import sql
from progress.models import ReadingEvent, Status

WEEKS = 12
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 360, 80, 6


@dataclass
class Week:
    start: dt.date
    finished: int
    x: int = 0
    y: int = 0
    height: int = 0


class Moment(NamedTuple):
    """One reading event, as the activity chart and the reader's pace (plans) need it."""

    paper_id: int
    to_status: str
    at: dt.datetime


MOVES = [Status.READING, Status.READ, Status.SKIMMED]


def moments(reader) -> list[Moment]:
    """The reader's events into reading, read or skimmed, in time order: one query that serves
    both the chart and the pace, which each asked for theirs before. Plain SQL (progress/sql.py):
    every first dashboard asks, and building the ORM query cost several times what it takes."""
    alias = router.db_for_read(ReadingEvent)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql.moments(alias, Moment._fields, len(MOVES)), [reader.pk, *MOVES])
        rows = cursor.fetchall()
    fields = [ReadingEvent._meta.get_field(name) for name in Moment._fields]
    return [Moment(*convert_row(row, fields, alias)) for row in rows]


def weekly_finished(
    reader, today: dt.date | None = None, events: list[Moment] | None = None
) -> list[Week]:
    """The last 12 weeks (Monday first), oldest first, with the entries finished in each
    (an entry finished twice in one day counts once that day). `events`: moments(reader), if
    the caller has them."""
    today = today or timezone.localdate()
    this_monday = today - dt.timedelta(days=today.weekday())
    first = this_monday - dt.timedelta(weeks=WEEKS - 1)
    finished_on = {
        (timezone.localtime(event.at).date(), event.paper_id)
        for event in (moments(reader) if events is None else events)
        if event.to_status in (Status.READ, Status.SKIMMED)
    }
    weeks = [Week(first + dt.timedelta(weeks=i), 0) for i in range(WEEKS)]
    for day, _ in finished_on:
        index = (day - first).days // 7
        if 0 <= index < WEEKS:
            weeks[index].finished += 1
    peak = max((w.finished for w in weeks), default=0) or 1
    bar = (CHART_WIDTH - BAR_GAP * (WEEKS - 1)) // WEEKS
    for i, week in enumerate(weeks):
        week.height = round((CHART_HEIGHT - 4) * week.finished / peak)
        week.x = i * (bar + BAR_GAP)
        week.y = CHART_HEIGHT - week.height
    return weeks


BAR_WIDTH = (CHART_WIDTH - BAR_GAP * (WEEKS - 1)) // WEEKS
