"""The first-run hint on a new reader's dashboard: what the advice levels mean and where to
start. Shown until the reader does anything or closes it; closing it is kept with their dashboard
state, so it stays closed on every device."""

from django.db import transaction

from progress.models import DashboardState
from progress.pagecache import bump_dashboard


def shows_first_run(reader, summary) -> bool:
    """Whether the dashboard greets this reader with the hint: nothing started or written yet,
    and not closed. One query, and only for a reader who has started nothing: the DashboardState the
    page cache keeps on `reader` (progress.pagecache.versions) carries only what it reads."""
    if summary.started or any(e.paper.note_length for e in summary.entries.values()):
        return False  # a status, a tick or a note: no longer new
    return not DashboardState.objects.filter(reader=reader, hint_dismissed=True).exists()


@transaction.atomic
def dismiss_first_run(*, reader) -> None:
    """Close the hint for good; the dashboard's version moves on (taking the reader's lock
    first, as every write of theirs does), so no cached page shows it again."""
    bump_dashboard(reader=reader)
    DashboardState.objects.filter(reader=reader).update(hint_dismissed=True)
