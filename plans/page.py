"""Everything the plan page and the calendar feed show, in a fixed number of queries."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from mireads.http import site_url
from plans import estimates, schedule, targets
from plans.forms import BudgetForm
from plans.models import ReadingPlan
from plans.pace import pace_for
from progress.models import PartTick
from progress.summary import reader_papers, summarise


def _ticked_since(reader, plan: ReadingPlan) -> set[int]:
    since = dt.datetime.combine(plan.counted_from, dt.time(0), tzinfo=plan.zone)
    return set(
        PartTick.objects.filter(reader=reader, done_at__gte=since).values_list(
            "advice_id", flat=True
        )
    )


def layout_for(reader, plan: ReadingPlan, now: dt.datetime | None = None):
    """(layout, pace, papers) for a reader with a plan."""
    now = now or timezone.now()
    papers = reader_papers(reader)
    summary = summarise(papers)
    pace = pace_for(reader, plan.use_pace, papers)
    dropped = frozenset(plan.dropped.values_list("pk", flat=True))
    layout = schedule.lay_out(
        plan,
        papers,
        summary.next_up.paper if summary.next_up else None,
        dropped=dropped,
        ticked_since=_ticked_since(reader, plan),
        now=now,
        pace=pace.factor,
    )
    return layout, pace, papers, dropped


def calendar_url(plan: ReadingPlan) -> str:
    """The feed's private address on the configured site (never the request's host), or ""."""
    token = plan.calendar_address_token
    return site_url(reverse("plans:feed", kwargs={"token": token})) if token else ""


def plan_context(reader, now: dt.datetime | None = None, **extra) -> dict:
    """The plan page: the budget form, and with a plan its sessions, tiers and feed."""
    plan = ReadingPlan.objects.of_reader(reader)
    context = {
        "plan": plan,
        "defaults": estimates.defaults_table(),
    }
    if plan is None:
        return {"form": BudgetForm(), **context, **extra}
    plan.reader = reader  # the calendar address is signed with the reader's session auth hash
    layout, pace, papers, dropped = layout_for(reader, plan, now)
    found = targets.targets_for(reader)
    for tier in layout.tiers:
        tier.targets = [t for t in found if t.tier_id == tier.tier.pk]
    return {
        "form": BudgetForm(instance=plan),
        **context,
        "layout": layout,
        "coming": layout.weeks(4),
        "pace": pace,
        "left": estimates.time_left(papers, pace.factor),
        "trimmed": len(dropped),
        "calendar_url": calendar_url(plan),
        **extra,
    }
