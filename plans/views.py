"""The reading plan: the page, the budget, catching up, and the private calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from mireads.http import HtmxHttpRequest, site_url
from plans import calendar, services
from plans.forms import AdjustForm, BudgetForm
from plans.models import ReadingPlan
from plans.page import layout_for, plan_context
from plans.reader_pages import reader_time_left
from progress.summary import reader_papers

PAGE = "plans/plan.html"


def _plan(request) -> ReadingPlan:
    try:
        return request.user.reading_plan
    except ReadingPlan.DoesNotExist:
        raise Http404("You have no plan yet.") from None


def _today(plan: ReadingPlan):
    return timezone.now().astimezone(plan.zone).date()


def _answer(request: HtmxHttpRequest, said: str) -> HttpResponse:
    if request.htmx:
        return render(request, "plans/plan.html#plan", plan_context(request.user, said=said))
    messages.success(request, said)
    return redirect("plans:plan")


@never_cache
@require_safe
@login_required
def plan(request: HtmxHttpRequest) -> HttpResponse:
    """The reader's plan, or the form to make one."""
    context = plan_context(request.user, draft=request.GET if "preview" in request.GET else None)
    if request.htmx and request.htmx.target == "sessions":
        return render(request, "plans/plan.html#sessions", context)
    return render(request, PAGE, context)


@never_cache
@require_safe
@login_required
def time_left_line(request: HtmxHttpRequest) -> HttpResponse:
    """The dashboard's "time left" line alone: a status change or a tick swaps the dashboard's
    overview in without it (keeping those actions within their query budget), and the line
    then asks for itself."""
    papers = reader_papers(request.user)
    context = reader_time_left(request.user, papers, papers)
    return render(request, "plans/_overview_time_left.html", context)


@require_POST
@login_required
def set_budget(request: HtmxHttpRequest) -> HttpResponse:
    """Create or change the plan's budget."""
    form = BudgetForm(request.POST, instance=ReadingPlan.objects.of_reader(request.user))
    if not form.is_valid():
        context = plan_context(request.user, form=form)
        name = "plans/plan.html#plan" if request.htmx else PAGE
        return render(request, name, context, status=400)
    today = timezone.now().astimezone(form.instance.zone).date()
    services.save_plan(reader=request.user, today=today, **form.values())
    return _answer(request, "Plan saved.")


@require_POST
@login_required
def adjust(request: HtmxHttpRequest) -> HttpResponse:
    """Catch up, push back or trim, when the reader is behind."""
    plan = _plan(request)
    form = AdjustForm(request.POST)
    if not form.is_valid():
        return render(request, PAGE, plan_context(request.user), status=400)
    layout, _pace, papers, _dropped = layout_for(request.user, plan)
    action, today = form.cleaned_data["action"], _today(plan)
    if action == "catch-up":
        services.catch_up(plan=plan, missed_minutes=layout.missed_minutes, today=today)
        return _answer(request, "The missed time is spread over your next few sessions.")
    if action == "push-back":
        services.push_back(plan=plan, today=today)
        return _answer(request, "Everything moved later; the plan starts again from today.")
    missed = layout.missed_minutes
    dropped = services.trim(plan=plan, papers=papers, missed_minutes=missed, today=today)
    return _answer(request, f"{len(dropped)} skim-level parts left out of the plan.")


@require_POST
@login_required
def restore(request: HtmxHttpRequest) -> HttpResponse:
    """Put trimmed parts back."""
    services.restore_trimmed(plan=_plan(request))
    return _answer(request, "Trimmed parts are back in the plan.")


@require_POST
@login_required
def calendar_address(request: HtmxHttpRequest) -> HttpResponse:
    """Make a new secret feed address, or revoke it."""
    plan = _plan(request)
    if request.POST.get("action") == "revoke":
        services.revoke_calendar(plan=plan)
        return _answer(request, "The calendar address no longer works.")
    services.rotate_calendar(plan=plan)
    return _answer(request, "A new calendar address; the old one no longer works.")


@never_cache
@require_safe
def feed(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The plan's sessions as iCalendar, for whoever holds the secret address."""
    found = ReadingPlan.objects.by_calendar_token(token)
    if found is None:
        raise Http404("No such calendar.")
    layout = layout_for(found.reader, found)[0]
    sessions = layout.weeks(calendar.FEED_WEEKS)
    body = calendar.feed(found, sessions, absolute=site_url, stamp=timezone.now())
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
