"""How long the list's advice takes: each advised part and entry at its advised depth.

The rule (also explained on the plan page):

- A part's time is what the curator set on it (`Advice.estimated_minutes`). Where the curator set
  none, it is the default for its level and its entry's kind below, and it is labelled an
  estimate. Parts the list says to skip cost nothing, whatever is set on them.
- An entry's time is the sum of its current advised parts. An entry with no advised parts takes
  the curator's time for the whole entry (`Paper.estimated_minutes`) or else the default for its
  kind, again labelled an estimate.
- Time left counts only what is not done: an entry marked read, skimmed or skipped has none left;
  otherwise its unticked parts are left.

The defaults are deliberately round: a deep part of a paper is a focused sitting of about 45
minutes, skimming one is a quarter of an hour, and "skim or skip" is a short look. Long-form
kinds (series, videos, podcasts, bodies of work) take longer per part; posts and tools less.
"""

from dataclasses import dataclass

from catalogue.models import Kind, Level
from progress.models import Status

# Minutes per advised part, by the entry's kind and the part's level. Skip is always 0.
DEFAULT_PART_MINUTES: dict[str, dict[str, int]] = {
    Kind.PAPER: {Level.DEEP: 45, Level.SKIM: 15, Level.SKIM_OR_SKIP: 10},
    Kind.POST: {Level.DEEP: 25, Level.SKIM: 10, Level.SKIM_OR_SKIP: 5},
    Kind.SERIES: {Level.DEEP: 60, Level.SKIM: 20, Level.SKIM_OR_SKIP: 10},
    Kind.CODEBASE: {Level.DEEP: 60, Level.SKIM: 20, Level.SKIM_OR_SKIP: 10},
    Kind.TOOL: {Level.DEEP: 40, Level.SKIM: 15, Level.SKIM_OR_SKIP: 5},
    Kind.VIDEO: {Level.DEEP: 60, Level.SKIM: 20, Level.SKIM_OR_SKIP: 10},
    Kind.PODCAST: {Level.DEEP: 60, Level.SKIM: 20, Level.SKIM_OR_SKIP: 10},
    Kind.BODY_OF_WORK: {Level.DEEP: 90, Level.SKIM: 30, Level.SKIM_OR_SKIP: 15},
}
# Minutes for a whole entry that has no advised parts, by kind.
DEFAULT_ENTRY_MINUTES: dict[str, int] = {
    Kind.PAPER: 60,
    Kind.POST: 30,
    Kind.SERIES: 120,
    Kind.CODEBASE: 90,
    Kind.TOOL: 45,
    Kind.VIDEO: 60,
    Kind.PODCAST: 60,
    Kind.BODY_OF_WORK: 180,
}
FALLBACK_ENTRY_MINUTES = 60


@dataclass(frozen=True)
class Minutes:
    """A time in minutes, and whether any of it is a default rather than the curator's."""

    minutes: float = 0
    estimate: bool = False
    # The reader's own pace this time is scaled by, when it is (None: the estimates as they are),
    # so that every place showing the time can name it.
    pace: float | None = None

    def __add__(self, other: "Minutes") -> "Minutes":
        pace = self.pace if self.pace is not None else other.pace
        return Minutes(self.minutes + other.minutes, self.estimate or other.estimate, pace)

    def scaled(self, factor: float | None) -> "Minutes":
        """This time at the reader's pace; None leaves it as it is (and names no pace)."""
        if factor is None:
            return self
        return Minutes(self.minutes * factor, self.estimate, factor)

    @property
    def pace_text(self) -> str:
        """E.g. "0.8x"."""
        return f"{self.pace:.2g}x" if self.pace is not None else ""

    @property
    def text(self) -> str:
        """E.g. "3 h 20 min", "45 min", "nothing"; rounded to 5 minutes past the first hour."""
        return duration_text(self.minutes)


def duration_text(minutes: float) -> str:
    minutes = round(minutes)
    if minutes <= 0:
        return "nothing"
    if minutes < 60:
        return f"{minutes} min"
    minutes = 5 * round(minutes / 5)
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def part_minutes(advice, kind: str) -> Minutes:
    """One advised part at its advised depth."""
    if advice.level == Level.SKIP:
        return Minutes(0, False)
    curated = getattr(advice, "estimated_minutes", None)
    if curated is not None:
        return Minutes(curated, False)
    by_level = DEFAULT_PART_MINUTES.get(kind, DEFAULT_PART_MINUTES[Kind.PAPER])
    return Minutes(by_level.get(advice.level, 0), True)


def whole_entry_minutes(paper) -> Minutes:
    """An entry with no advised parts, read as a whole."""
    curated = getattr(paper, "estimated_minutes", None)
    if curated is not None:
        return Minutes(curated, False)
    return Minutes(DEFAULT_ENTRY_MINUTES.get(paper.kind, FALLBACK_ENTRY_MINUTES), True)


def _parts(paper) -> list:
    """The entry's current parts: the reader's checklist when loaded, else its prefetched advice."""
    checklist = getattr(paper, "checklist", None)
    return list(checklist) if checklist is not None else list(paper.advice.all())


def entry_minutes(paper) -> Minutes:
    """A whole entry at its advised depth, done or not."""
    parts = _parts(paper)
    if not parts:
        return whole_entry_minutes(paper)
    return sum((part_minutes(a, paper.kind) for a in parts), Minutes())


def remaining_parts(paper, dropped: frozenset[int] = frozenset()) -> list:
    """The parts of an unfinished entry still to do: unticked, not skip, not trimmed away."""
    return [
        advice
        for advice in _parts(paper)
        if not getattr(advice, "done", False)
        and advice.level != Level.SKIP
        and advice.pk not in dropped
    ]


def is_finished(paper) -> bool:
    """Settled under the one progress rule (progress.summary): read, skimmed or skipped."""
    progress = getattr(paper, "progress", None)
    if progress is not None:
        return progress.settled
    return getattr(paper, "status", Status.UNREAD) in Status.finished()


def entry_minutes_left(paper, dropped: frozenset[int] = frozenset()) -> Minutes:
    """What is left of one entry at its advised depth (reads the reader's checklist)."""
    if is_finished(paper):
        return Minutes()
    parts = _parts(paper)
    if not parts:
        return whole_entry_minutes(paper)
    left = remaining_parts(paper, dropped)
    return sum((part_minutes(a, paper.kind) for a in left), Minutes())


def time_left(papers, pace: float | None = None) -> Minutes:
    """Time left at the advised depth over these entries, scaled by the reader's pace.

    `papers`: entries carrying the reader's state and checklist, as from
    progress.summary.reader_papers(reader) (or one entry from the paper page's workbench).
    Pass `pace` from plans.pace.Pace.scale (None while there is no pace to apply).
    """
    return sum((entry_minutes_left(p) for p in papers), Minutes()).scaled(pace)


def defaults_table() -> list[tuple[str, int, int, int, int]]:
    """(kind, deep, skim, skim or skip, whole entry) in minutes, for the plan page."""
    return [
        (
            Kind(kind).label,
            parts[Level.DEEP],
            parts[Level.SKIM],
            parts[Level.SKIM_OR_SKIP],
            DEFAULT_ENTRY_MINUTES[kind],
        )
        for kind, parts in DEFAULT_PART_MINUTES.items()
    ]
