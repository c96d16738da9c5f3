"""The first-run hint on a new reader's dashboard: what the advice levels mean and where to
start. Shown until the reader does anything or closes it; closing it is kept with their dashboard
state, so it stays closed on every device."""

from progress.models import DashboardState
from progress.writes import writes_reader


def shows_first_run(reader, summary) -> bool:
    """Whether the dashboard greets this reader with the hint: nothing started or written yet,
    and not closed. No query when the page cache read the reader's DashboardState with its
    versions (progress.pagecache.versions reads every field of it), one otherwise."""
    if summary.started or any(e.paper.note_length for e in summary.entries.values()):
        return False  # a status, a tick or a note: no longer new
    try:
        return not reader.dashboard_state.hint_dismissed
    except DashboardState.DoesNotExist:
        return True


@writes_reader()
def dismiss_first_run(*, reader) -> None:
    """Close the hint for good; the write construct moves the dashboard's version on, so no
    cached page shows it again."""
    DashboardState.objects.filter(reader=reader).update(hint_dismissed=True)
