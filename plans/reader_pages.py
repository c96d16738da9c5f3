"""What plans adds to the reader's pages that progress draws (the dashboard, the paper page):
the time left at the advised depth, at the reader's pace. Registered in PlansConfig.ready()."""

from plans import sql
from plans.estimates import time_left
from plans.pace import pace_for


def reader_time_left(reader, papers, shown, events=None) -> dict:
    """`time_left` over the entries `shown`, at the reader's pace unless they turned it off
    (two queries: the plan and the reading events, one when the page passes its `events`;
    `papers` carry the checklists)."""
    pace = pace_for(reader, sql.uses_pace(reader), papers, events=events)
    return {"time_left": time_left(shown, pace.scale)}
