"""The reader's own pace: how their reading time compares with the estimates.

Evidence is only what the reader read here: an entry they moved from reading to read or skimmed
on a later local day than they started it, within a day of starting (a longer gap says more about
the reader's week than their reading speed). An entry started and finished on the same day is
left out, and so is one marked Read straight from Unread (a same-moment start and finish): marking
papers read before joining is no reading speed. An entry the reader says they read before
(ReadingState.read_before) never counts: progress.activity.moments() leaves its events out. Each
counted entry gives a ratio: the time between the two events over the entry's estimate at its
advised depth. The pace is the median ratio, capped between 0.5x and 2x, and only once there are
at least three such entries. Readers can turn it off.
"""

import datetime as dt
import statistics
from dataclasses import dataclass

from django.utils import timezone

from catalogue.models import Paper
from plans import estimates
from progress import activity
from progress.models import Status

MIN_ENTRIES = 3
SLOWEST, FASTEST = 2.0, 0.5
LONGEST_SITTING = dt.timedelta(days=1)


@dataclass(frozen=True)
class Pace:
    factor: float = 1.0
    entries: int = 0
    active: bool = False
    turned_off: bool = False

    @property
    def scale(self) -> float | None:
        """The factor to scale estimates by, or None when the estimates stand as they are."""
        return self.factor if self.active else None

    @property
    def explanation(self) -> str:
        """One sentence for the plan page."""
        if self.turned_off:
            return "You turned your own pace off, so the plan uses the estimates as they are."
        if not self.active:
            return (
                f"Once you have read {MIN_ENTRIES} entries here, started one day and finished "
                f"the next, the plan scales the estimates by your own pace "
                f"({self.entries} so far). {self.rule}"
            )
        return (
            f"Your pace is {self.factor:.2g}x the estimates: the median over the {self.entries} "
            f"entries you read here, finished the day after starting them, kept between "
            f"{FASTEST}x and {SLOWEST}x. {self.rule}"
        )

    @property
    def rule(self) -> str:
        """What counts, for the plan page."""
        return (
            "Entries started and finished on the same day, marked read straight from unread, or "
            "marked \u201cI read this before\u201d never count."
        )


def ratios(events, minutes_by_paper: dict[int, float]) -> list[float]:
    """Reading time over estimate for each reading → finished pair finished on a later local
    day than it started, within a day of starting."""
    started: dict[int, dt.datetime] = {}
    found = []
    for event in events:  # in time order
        if event.to_status == Status.READING:
            started[event.paper_id] = event.at
        elif event.to_status in (Status.READ, Status.SKIMMED) and event.paper_id in started:
            took = event.at - started.pop(event.paper_id)
            estimate = minutes_by_paper.get(event.paper_id)
            if (
                estimate
                and dt.timedelta(0) < took <= LONGEST_SITTING
                and _days_apart(event.at - took, event.at)
            ):
                found.append(took.total_seconds() / 60 / estimate)
    return found


def _days_apart(start: dt.datetime, end: dt.datetime) -> bool:
    """Whether `end` falls on a later local day than `start` (the site's time zone)."""
    return timezone.localtime(end).date() > timezone.localtime(start).date()


def pace_for(reader, use_pace: bool = True, papers=None, events=None) -> Pace:
    """The reader's pace (two queries; one less for each of `papers` with their advice and
    `events`, progress.activity.moments(reader), given)."""
    if not use_pace:
        return Pace(turned_off=True)
    if events is None:
        events = activity.moments(reader)
    if papers is None:
        ids = {e.paper_id for e in events}
        papers = Paper.objects.filter(pk__in=ids).with_advice() if ids else []
    minutes = {p.pk: estimates.entry_minutes(p).minutes for p in papers}
    found = ratios(events, minutes)
    if len(found) < MIN_ENTRIES:
        return Pace(entries=len(found))
    factor = min(SLOWEST, max(FASTEST, statistics.median(found)))
    return Pace(factor=factor, entries=len(found), active=True)
