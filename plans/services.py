"""Writes to a reader's plan: one function per thing the reader does."""

import datetime as dt
import secrets

from catalogue.models import Level
from plans import estimates
from plans.models import ReadingPlan
from progress.writes import writes_reader

# The plan's reader: the write construct takes their lock first and moves their version on (the
# dashboard's time left follows the plan).
plan_write = writes_reader(lambda kwargs: kwargs["plan"].reader_id)


@writes_reader()
def save_plan(*, reader, today: dt.date, **fields) -> ReadingPlan:
    """Create or change the reader's budget; a new plan starts today."""
    plan = ReadingPlan.objects.of_reader(reader)
    if plan is None:
        plan = ReadingPlan(reader=reader, starts_on=today, counted_from=today)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    return plan


def _start_afresh(plan: ReadingPlan, today: dt.date, catch_up: float = 0) -> None:
    plan.counted_from = max(today, plan.starts_on)
    plan.catch_up_minutes = round(catch_up)
    plan.save(update_fields=["counted_from", "catch_up_minutes", "updated_at"])


@plan_write
def catch_up(*, plan: ReadingPlan, missed_minutes: float, today: dt.date) -> ReadingPlan:
    """Spread the missed time over the coming sessions."""
    _start_afresh(plan, today, catch_up=missed_minutes)
    return plan


@plan_write
def push_back(*, plan: ReadingPlan, today: dt.date) -> ReadingPlan:
    """Move everything later: the plan starts over from today with nothing owed."""
    _start_afresh(plan, today)
    return plan


@plan_write
def trim(*, plan: ReadingPlan, papers, missed_minutes: float, today: dt.date) -> list:
    """Drop skim-level parts, "skim or skip" ones first then "skim", in reading order, until
    the missed time is made up (or none are left); what is still owed moves later."""
    already = set(plan.dropped.values_list("pk", flat=True))
    dropping, saved = [], 0.0
    for level in (Level.SKIM_OR_SKIP, Level.SKIM):
        for paper in papers:
            if estimates.is_finished(paper):
                continue
            for advice in estimates.remaining_parts(paper, frozenset(already)):
                if saved >= missed_minutes:
                    break
                if advice.level == level:
                    dropping.append(advice)
                    saved += estimates.part_minutes(advice, paper.kind).minutes
    plan.dropped.add(*dropping)
    _start_afresh(plan, today)
    return dropping


@plan_write
def restore_trimmed(*, plan: ReadingPlan) -> None:
    """Put every trimmed part back in the plan."""
    plan.dropped.clear()


@plan_write
def rotate_calendar(*, plan: ReadingPlan) -> ReadingPlan:
    """A new secret feed address; the old one stops working."""
    plan.calendar_token = secrets.token_urlsafe(32)
    plan.save(update_fields=["calendar_token", "updated_at"])
    return plan


@plan_write
def revoke_calendar(*, plan: ReadingPlan) -> ReadingPlan:
    """No feed address at all until the reader makes a new one."""
    plan.calendar_token = None
    plan.save(update_fields=["calendar_token", "updated_at"])
    return plan
