"""Lay out a reader's coming sessions from their plan and what is left of the list.

Nothing here is stored: the layout is worked out afresh from the reader's progress, so the plan
is never stale. Work goes in reading order with Next up first. A deep part (or a whole entry with
no parts) is kept whole: if it does not fit what is left of a session it starts the next one, and
only a part longer than a whole session is split. Skim-level parts fill sessions as they come.
"""

import datetime as dt
import math
from dataclasses import dataclass, field

from catalogue.models import Level
from plans import estimates
from plans.models import ReadingPlan

CATCH_UP_SESSIONS = 4  # missed time is spread over this many coming sessions
BEHIND_AFTER_MINUTES = 10  # less than this missed is not worth mentioning
MAX_SESSIONS = 3000


@dataclass
class Item:
    paper: object
    advice: object | None
    minutes: float
    piece: int = 1
    pieces: int = 1

    @property
    def label(self) -> str:
        name = self.advice.part if self.advice else "the whole entry"
        return f"{name} ({self.piece} of {self.pieces})" if self.pieces > 1 else name


@dataclass
class Session:
    date: dt.date
    starts: dt.datetime
    budget: float
    items: list[Item] = field(default_factory=list)
    used: float = 0

    @property
    def ends(self) -> dt.datetime:
        """When the session's reading is done: as long as what it holds, not the whole budget."""
        return self.starts + dt.timedelta(minutes=round(self.used))

    @property
    def minutes_text(self) -> str:
        return estimates.duration_text(self.used)

    @property
    def names(self) -> list[str]:
        """The entries this session works on, each once, in order."""
        return list(dict.fromkeys(item.paper.name for item in self.items))


@dataclass
class TierPlan:
    tier: object
    left: estimates.Minutes
    finish: dt.date | None
    target: object | None = None


@dataclass
class Layout:
    sessions: list[Session]
    tiers: list[TierPlan]
    finish: dt.date | None
    missed_minutes: float
    complete: bool
    # The curricula the plan covers (plans.followed), for the page to name.
    curricula: list = field(default_factory=list)

    @property
    def behind(self) -> bool:
        return self.missed_minutes >= BEHIND_AFTER_MINUTES

    @property
    def missed_text(self) -> str:
        return estimates.duration_text(self.missed_minutes)

    def weeks(self, count: int) -> list[Session]:
        if not self.sessions:
            return []
        until = self.sessions[0].date + dt.timedelta(weeks=count)
        return [s for s in self.sessions if s.date < until]


def session_dates(plan: ReadingPlan, since: dt.date):
    """Reading days from `since` on, forever."""
    day = since
    while True:
        if day.weekday() in plan.days:
            yield day
        day += dt.timedelta(days=1)


def _session(plan: ReadingPlan, day: dt.date, index: int, pace: float) -> Session:
    extra = plan.catch_up_minutes / CATCH_UP_SESSIONS if index < CATCH_UP_SESSIONS else 0
    starts = dt.datetime.combine(day, plan.session_time, tzinfo=plan.zone)
    # Missed time is counted in the reader's own minutes (planned less done at their pace), as
    # the budget is: scaling it by the pace again gave a slow reader more catch-up time than
    # they missed, and a finish date earlier than the plan before they fell behind.
    return Session(day, starts, plan.session_minutes + extra)


def _tier_of(paper):
    return paper.section.parent if paper.section.parent_id else paper.section


def chunks(papers, next_up, dropped: frozenset[int], pace: float) -> list[Item]:
    """What is left, in the order it will be read: Next up first, then reading order."""
    ordered = sorted(papers, key=lambda p: 0 if next_up is not None and p.pk == next_up.pk else 1)
    found = []
    for paper in ordered:
        if estimates.is_finished(paper):
            continue
        if not estimates._parts(paper):
            found.append(Item(paper, None, estimates.whole_entry_minutes(paper).minutes * pace))
        for advice in estimates.remaining_parts(paper, dropped):
            minutes = estimates.part_minutes(advice, paper.kind).minutes * pace
            if minutes > 0:  # a part that takes no time ("Skip everything else") is not reading
                found.append(Item(paper, advice, minutes))
    return found


def _place(items: list[Item], sessions) -> list[Session]:
    placed: list[Session] = []
    current = next(sessions)
    placed.append(current)

    def advance():
        nonlocal current
        current = next(sessions)
        placed.append(current)

    for item in items:
        whole = item.advice is None or item.advice.level == Level.DEEP
        room = current.budget - current.used
        too_long = item.minutes > current.budget
        # Kept whole: start afresh if it would not fit here, or (longer than any session) if
        # this session has begun on something else.
        if whole and current.used > 0 and (too_long or item.minutes > room + 0.01):
            advance()
        left, pieces = item.minutes, []
        while True:
            room = current.budget - current.used
            take = min(left, room) if left > room + 0.01 else left
            piece = Item(item.paper, item.advice, take)
            current.items.append(piece)
            current.used += take
            pieces.append(piece)
            left -= take
            if left <= 0.01:
                break
            advance()
        for n, piece in enumerate(pieces, 1):
            piece.piece, piece.pieces = n, len(pieces)
        if current.budget - current.used <= 0.01:
            advance()
    return [s for s in placed if s.items]


def missed(plan, papers, ticked_since: set[int], now: dt.datetime, pace: float) -> float:
    """Planned minutes of sessions already past since `counted_from`, less the work done since."""
    planned = 0.0
    for index, day in enumerate(session_dates(plan, plan.counted_from)):
        session = _session(plan, day, index, pace)
        if session.starts >= now:
            break
        planned += session.budget
    if not planned:
        return 0.0
    since = dt.datetime.combine(plan.counted_from, dt.time(0), tzinfo=plan.zone)
    done = 0.0
    for paper in papers:
        if estimates.is_finished(paper) and paper.finished_at and paper.finished_at >= since:
            done += estimates.entry_minutes(paper).minutes
            continue
        for advice in estimates._parts(paper):
            if advice.pk in ticked_since:
                done += estimates.part_minutes(advice, paper.kind).minutes
    return max(0.0, planned - done * pace)


def lay_out(
    plan, papers, next_up, *, dropped, ticked_since, now, pace: float, pace_named=None
) -> Layout:
    """The reader's coming sessions, tier finish dates and how far behind they are.
    `pace_named`: the pace factor the tiers' times left name (None: the estimates as they are)."""
    local_now = now.astimezone(plan.zone)
    behind_by = missed(plan, papers, ticked_since, now, pace)
    first = max(plan.counted_from, local_now.date())
    offset = sum(1 for d in _dates_between(plan, plan.counted_from, first))
    days = session_dates(plan, first)
    made = (_session(plan, next(days), offset + i, pace) for i in range(MAX_SESSIONS))
    sessions = (s for s in made if s.starts >= now)
    items = chunks(papers, next_up, dropped, pace)
    complete = True
    try:
        laid = _place(items, sessions) if items else []
    except StopIteration:
        laid, complete = [], False
    finish_of: dict[int, dt.date] = {}
    for session in laid:
        for item in session.items:
            finish_of[_tier_of(item.paper).pk] = session.date
    tiers: dict[int, TierPlan] = {}
    for paper in papers:
        tier = _tier_of(paper)
        blank = TierPlan(tier, estimates.Minutes(), finish_of.get(tier.pk))
        entry = tiers.setdefault(tier.pk, blank)
        entry.left = entry.left + estimates.entry_minutes_left(paper).scaled(pace_named)
    finish = laid[-1].date if laid else None
    return Layout(laid, list(tiers.values()), finish, behind_by, complete)


def _dates_between(plan, start: dt.date, end: dt.date):
    day = start
    while day < end:
        if day.weekday() in plan.days:
            yield day
        day += dt.timedelta(days=1)


def tier_dates(papers, *, hours_per_week: float, start: dt.date) -> dict[int, dt.date]:
    """When a group reading `hours_per_week` from `start` would finish each tier, at the advised
    depth by the same estimates (for every entry: a group target is for the whole list)."""
    per_day = hours_per_week * 60 / 7
    total, found = 0.0, {}
    for paper in papers:
        total += estimates.entry_minutes(paper).minutes
        found[_tier_of(paper).pk] = start + dt.timedelta(days=max(1, math.ceil(total / per_day)))
    return found
