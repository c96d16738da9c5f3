"""plans' one statement that bypasses the ORM, derived from the model (mireads/sql.py).

Whether the reader's time left follows their pace is asked by every first dashboard: building the
ORM query cost several times what the database takes to answer it (tests/plans/test_sql.py runs
it against its ORM twin).
"""

from mireads.sql import Select
from plans.models import ReadingPlan

USES_PACE = Select(ReadingPlan, where=("reader",), fields=("use_pace",))


def uses_pace(reader) -> bool:
    """Whether the reader's time left is scaled by their own pace: yes unless their plan turned
    it off (or they have no plan)."""
    found = USES_PACE.values([reader.pk])
    return True if found is None else found[0]
