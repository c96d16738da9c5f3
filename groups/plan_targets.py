"""What groups tell the reading plan: the tier targets of the reader's groups, and deriving
those targets from a weekly budget with the plan's estimates."""

import datetime as dt

from catalogue.models import Curriculum, Paper
from groups.models import TierTarget
from plans import schedule
from plans.targets import Target


def targets_for(reader) -> list[Target]:
    """Every tier target of every group the reader is in (one query)."""
    rows = TierTarget.objects.filter(group__memberships__reader=reader).select_related("group")
    return [Target(t.group.name, t.group.get_absolute_url(), t.tier_id, t.due_on) for t in rows]


def derived_targets(
    curriculum: Curriculum | None = None, *, hours_per_week: float, start: dt.date
) -> dict:
    """{tier: due date} for a group reading `curriculum` (the default one if none) for
    `hours_per_week` from `start`."""
    papers = list(Paper.objects.of(curriculum).in_reading_order().with_advice())
    dates = schedule.tier_dates(papers, hours_per_week=hours_per_week, start=start)
    tiers = {p.section.parent_id or p.section_id: p for p in papers}
    return {
        (tiers[pk].section.parent if tiers[pk].section.parent_id else tiers[pk].section): due
        for pk, due in dates.items()
    }
