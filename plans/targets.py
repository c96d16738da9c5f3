"""Target dates other apps set for a reader (a reading group's tier targets), for the plan page.

plans may not import groups, so groups registers a source here when it starts: a function
taking the reader and returning Target rows.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    source: str  # e.g. the group's name
    url: str
    tier_id: int
    due_on: dt.date


_sources: list[Callable] = []


def register(source: Callable) -> None:
    if source not in _sources:
        _sources.append(source)


def targets_for(reader) -> list[Target]:
    return [target for source in _sources for target in source(reader)]
