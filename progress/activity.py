"""Entries finished per week, drawn as a small server-rendered SVG chart."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from progress.models import Status

WEEKS = 12
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 360, 80, 6


@dataclass
class Week:
    start: dt.date
    finished: int
    x: int = 0
    y: int = 0
    height: int = 0


def weekly_finished(reader, today: dt.date | None = None) -> list[Week]:
    """The last 12 weeks (Monday first), oldest first, with the entries finished in each."""
    today = today or timezone.localdate()
    this_monday = today - dt.timedelta(days=today.weekday())
    first = this_monday - dt.timedelta(weeks=WEEKS - 1)
    rows = (
        reader.reading_events.filter(
            to_status__in=[Status.READ, Status.SKIMMED],
            at__date__gte=first,
        )
        .annotate(day=TruncDate("at"))
        .values("day")
        .annotate(n=Count("paper", distinct=True))
    )
    weeks = [Week(first + dt.timedelta(weeks=i), 0) for i in range(WEEKS)]
    for row in rows:
        index = (row["day"] - first).days // 7
        if 0 <= index < WEEKS:
            weeks[index].finished += row["n"]
    peak = max((w.finished for w in weeks), default=0) or 1
    bar = (CHART_WIDTH - BAR_GAP * (WEEKS - 1)) // WEEKS
    for i, week in enumerate(weeks):
        week.height = round((CHART_HEIGHT - 4) * week.finished / peak)
        week.x = i * (bar + BAR_GAP)
        week.y = CHART_HEIGHT - week.height
    return weeks


BAR_WIDTH = (CHART_WIDTH - BAR_GAP * (WEEKS - 1)) // WEEKS
