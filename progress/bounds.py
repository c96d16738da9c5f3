"""How much history one reader keeps, whatever they do: the bounds that keep every request's work
(the dashboard, the group page, the exports) within a fixed multiple of an ordinary reader's.

- Status changes: at most MAX_EVENTS_PER_ENTRY events per entry. Past it, the oldest are folded
  away, except the entry's first, so "started" and the last moves stay. The activity chart and the
  pace read only the last weeks and the first start, so they are unchanged in practice.
- Note revisions: at most MAX_REVISIONS_PER_NOTE per note, and at most MAX_REVISION_CHARS of their
  text. Past either, the oldest are folded away; the latest revision (the note's own text) always
  stays.

Both are applied by every write that adds history (progress.services' status change and note
save, and the import), in the writer's transaction.
"""

from django.db.models import Sum
from django.db.models.functions import Length

from progress.models import NOTE_MAX_LENGTH, NoteRevision, ReadingEvent

MAX_EVENTS_PER_ENTRY = 20
MAX_REVISIONS_PER_NOTE = 50
# Five revisions of a note at the full 100,000 characters, or fifty of 10,000.
MAX_REVISION_CHARS = 500_000


def fold_events(reader, paper) -> int:
    """Fold away the entry's oldest events past the bound (the first one stays); how many went."""
    events = ReadingEvent.objects.filter(reader=reader, paper=paper)
    first = events.order_by("at", "id").values_list("pk", flat=True)[:1]
    kept = events.order_by("-at", "-id").values_list("pk", flat=True)[: MAX_EVENTS_PER_ENTRY - 1]
    return events.exclude(pk__in=first).exclude(pk__in=kept).delete()[0]


def fold_revisions(note) -> int:
    """Fold away the note's oldest revisions past the bounds (the latest stays); how many went."""
    if note.version < MAX_REVISION_CHARS // NOTE_MAX_LENGTH:
        return 0  # revisions are numbered up to the version: too few to reach either bound
    revisions = NoteRevision.objects.filter(note=note)
    sizes = list(
        revisions.order_by("-version")
        .annotate(chars=Length("text"))
        .values_list("pk", "chars")[: MAX_REVISIONS_PER_NOTE + 1]
    )
    kept, total = [], 0
    for pk, chars in sizes:
        total += chars
        if kept and (len(kept) >= MAX_REVISIONS_PER_NOTE or total > MAX_REVISION_CHARS):
            break
        kept.append(pk)
    if len(kept) == len(sizes) and len(sizes) <= MAX_REVISIONS_PER_NOTE:
        return 0
    return revisions.exclude(pk__in=kept).delete()[0]


def revision_chars(reader) -> int:
    """The text the reader's revisions hold, in characters (for tests and the bench)."""
    found = NoteRevision.objects.filter(note__reader=reader).aggregate(chars=Sum(Length("text")))
    return found["chars"] or 0
