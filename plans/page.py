"""Everything the plan page and the calendar feed show, in a fixed number of queries."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from mireads.http import site_url
from plans import estimates, schedule, targets
from plans.followed import followed
from plans.forms import BudgetForm
from plans.models import ReadingPlan
from plans.pace import pace_for


def layout_for(reader, plan: ReadingPlan, now: dt.datetime | None = None):
    """(layout, pace, papers, dropped) for a reader with a plan: the entries still to read in
    every curriculum they follow, a work two of them cite once (plans/followed.py)."""
    now = now or timezone.now()
    found = followed(reader)
    papers = found.papers
    pace = pace_for(reader, plan.use_pace, found.entries)
    dropped = frozenset(plan.dropped.values_list("pk", flat=True)) if plan.pk else frozenset()
    since = dt.datetime.combine(plan.counted_from, dt.time(0), tzinfo=plan.zone)
    layout = schedule.lay_out(
        plan,
        papers,
        found.next_up,
        dropped=dropped,
        ticked_since=found.ticked_since(since),
        now=now,
        pace=pace.factor,
        pace_named=pace.scale,
    )
    layout.curricula = found.curricula
    return layout, pace, papers, dropped


def calendar_url(plan: ReadingPlan) -> str:
    """The feed's private address on the configured site (never the request's host), or ""."""
    token = plan.calendar_address_token
    return site_url(reverse("plans:feed", kwargs={"token": token})) if token else ""


def preview(reader, form: BudgetForm, now: dt.datetime | None = None) -> dict:
    """Before a plan is saved: what the budget in the form (or the defaults) would give, laid
    out as if saved now. Nothing is written."""
    values = (
        form.values()
        if form.is_bound and form.is_valid()
        else {
            "hours_per_week": form.initial["hours_per_week"],
            "reading_days": "".join(form.initial["days"]),
            "timezone": form.initial["timezone"],
            "use_pace": True,
        }
    )
    now = now or timezone.now()
    draft = ReadingPlan(reader=reader, **values)
    draft.starts_on = draft.counted_from = now.astimezone(draft.zone).date()
    layout, pace, papers, _dropped = layout_for(reader, draft, now)
    return {
        "draft": draft,
        "layout": layout,
        "coming": layout.weeks(2),
        "pace": pace,
        "left": estimates.time_left(papers, pace.scale),
    }


def plan_context(reader, now: dt.datetime | None = None, *, draft=None, **extra) -> dict:
    """The plan page: the budget form, and with a plan its sessions, tiers and feed; without
    one, a preview of the budget in `draft` (the GET of the form) or the defaults."""
    plan = ReadingPlan.objects.of_reader(reader)
    context = {
        "plan": plan,
        "defaults": estimates.defaults_table(),
    }
    if plan is None:
        form = extra.pop("form", None) or BudgetForm(draft or None)
        return {"form": form, **context, **preview(reader, form, now), **extra}
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
        "left": estimates.time_left(papers, pace.scale),
        "trimmed": len(dropped),
        "calendar_url": calendar_url(plan),
        **extra,
    }
