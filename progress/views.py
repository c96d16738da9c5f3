"""A reader's pages: the dashboard, status changes, checklists and notes.

Every query for reader data starts from request.user, so another reader's rows cannot be reached:
their URLs look exactly like URLs for entries that do not exist.
"""

import hashlib

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from catalogue import outline
from catalogue.models import Advice, Paper, Section
from progress import activity, markdown, services
from progress.forms import FilterForm, NoteForm, PartForm, RestoreForm, StatusForm
from progress.models import Status
from progress.summary import papers_for_reader, reader_papers, sections_of, summarise


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """The dashboard for a signed-in reader; a landing page that shows the list for visitors."""
    if request.user.is_authenticated:
        return dashboard(request)
    papers = list(Paper.objects.in_reading_order().with_advice())
    tiers = outline.build(Section.objects.all(), papers)
    return render(request, "progress/landing.html", {"tiers": tiers, "count": len(papers)})


def _filtered(entries, filters: dict) -> list[Paper]:
    text = filters.get("q", "").casefold()
    found = []
    for entry in entries:
        paper = entry.paper
        if "status" in filters and entry.status != filters["status"]:
            continue
        if "tier" in filters and paper.section.priority != filters["tier"]:
            continue
        if "kind" in filters and paper.kind != filters["kind"]:
            continue
        haystack = f"{paper.title} {paper.short_name} {paper.authors} {paper.summary}".casefold()
        if text and text not in haystack:
            continue
        found.append(paper)
    return found


def entry_cache_key(paper: Paper, csrf_secret: str) -> str:
    """A digest of everything one dashboard entry shows, for the template's {% cache %} tag.

    The CSRF secret is part of it because the entry's no-JavaScript forms carry a token made
    from it; the masked token in a cached entry stays valid for as long as the secret does.
    """
    checklist = tuple(
        (a.position, a.level, a.part, a.detail, a.done) for a in getattr(paper, "checklist", ())
    )
    shown = (
        paper.slug, paper.title, paper.short_name, paper.kind, paper.url, paper.status,
        paper.parts, paper.ticked, paper.note_length > 0, paper.advice_summary_text, checklist,
        csrf_secret,
    )  # fmt: skip
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


@never_cache
@login_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """Every entry in reading order with the reader's progress; filters narrow the list shown."""
    form = FilterForm(request.GET)
    filters = form.cleaned()
    papers = reader_papers(request.user)
    summary = summarise(papers)
    get_token(request)  # makes sure the secret exists before entries are keyed on it
    for paper in papers:
        paper.cache_key = entry_cache_key(paper, request.META["CSRF_COOKIE"])
    entries = [summary.entries[p.pk] for p in papers]
    shown = _filtered(entries, filters)
    # The whole region is keyed on its entries' keys (in order), the tiers' tallies and filters.
    region = [p.cache_key for p in shown] + [sorted(filters.items())]
    region += [(s.slug, s.title, s.priority, s.parent_id) for s in sections_of(papers)]
    region += [(s, t.done, t.total, t.entries, t.finished) for s, t in summary.by_section.items()]
    context = {
        "summary": summary,
        "form": form,
        "filtered": bool(filters),
        "shown_count": len(shown),
        "display": outline.build(sections_of(papers), shown) if filters else summary.tiers,
        "statuses": Status.choices,
        "entries_key": hashlib.blake2b(repr(region).encode(), digest_size=16).hexdigest(),
        "weeks": activity.weekly_finished(request.user),
        "bar_width": activity.BAR_WIDTH,
        "chart_height": activity.CHART_HEIGHT,
    }
    if request.htmx and request.htmx.target == "entries":
        return render(request, "progress/dashboard.html#entries", context)
    return render(request, "progress/dashboard.html", context)


def _back_to_dashboard(request: HttpRequest, paper: Paper) -> HttpResponseRedirect:
    """Where a no-JavaScript form returns to: the page it came from (Referer, sent for same-origin
    requests under our referrer policy), at the entry; home if that is missing or off-site."""
    target = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    # Not redirect(): it would try to reverse a Referer without "/" or "." ("0") as a view name.
    return HttpResponseRedirect(f"{target}#entry-{paper.slug}")


def _problem(request: HtmxHttpRequest, message: str, status: int) -> HttpResponse:
    """A refused action: an in-place message for htmx, a full page otherwise."""
    if not request.htmx:
        return render(request, "progress/problem.html", {"message": message}, status=status)
    response = render(request, "progress/problem.html#message", {"message": message}, status=status)
    return reswap(retarget(response, "#flash"), "innerHTML")


def _entry_response(
    request: HtmxHttpRequest, paper: Paper, fragment: str, announce: str, papers=None
) -> HttpResponse:
    """Re-render one entry's fragment plus, out of band, every counter it changes."""
    if papers is None:
        if fragment == "checklist":
            papers = reader_papers(request.user)
        else:
            papers = list(papers_for_reader(request.user))
    summary = summarise(papers)
    entry = summary.entries[paper.pk]
    context = {
        "summary": summary,
        "entry": entry,
        "paper": entry.paper,
        "groups": summary.groups_of(entry.paper),
        "announce": announce,
        "statuses": Status.choices,
    }
    return render(request, f"progress/dashboard.html#{fragment}-and-counters", context)


@require_POST
@login_required
def set_status(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Change how far the reader got with an entry."""
    # The whole list with this reader's state is read once, before the write: it finds the
    # entry (or 404s), and after the write it only needs this entry's new status patched in,
    # which keeps the action within its query budget.
    papers = list(papers_for_reader(request.user))
    paper = next((p for p in papers if p.slug == slug), None)
    if paper is None:
        raise Http404("No such entry.")
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _problem(request, "That is not a reading status; nothing was changed.", 400)
    status = Status(form.cleaned_data["status"])
    state = services.set_status(reader=request.user, paper=paper, status=status)
    paper.status, paper.started_at, paper.finished_at = (
        state.status,
        state.started_at,
        state.finished_at,
    )
    if request.htmx:
        announce = f"{paper.name}: {status.label.lower()}."
        return _entry_response(request, paper, "head", announce, papers=papers)
    return _back_to_dashboard(request, paper)


@require_POST
@login_required
def set_part(request: HtmxHttpRequest, slug: str, position: int) -> HttpResponse:
    """Tick or untick one advised part of an entry."""
    advice = get_object_or_404(
        Advice.objects.select_related("paper"), paper__slug=slug, position=position
    )
    form = PartForm(request.POST)
    form.is_valid()  # a boolean field cannot be invalid: absent means not done
    done = form.cleaned_data.get("done", False)
    services.set_part_done(reader=request.user, advice=advice, done=done)
    if request.htmx:
        said = "done" if done else "not done"
        announce = f"{advice.part} ({advice.paper.name}): {said}."
        return _entry_response(request, advice.paper, "checklist", announce)
    return _back_to_dashboard(request, advice.paper)


def _note_context(request: HttpRequest, paper: Paper, form: NoteForm | None = None, **extra):
    note = request.user.notes.for_paper(paper)
    if form is None:
        initial = {"text": note.text, "base_version": note.version} if note else {}
        form = NoteForm(initial={"text": "", "base_version": 0, **initial})
    rendered = markdown.render(note.text) if note else ""
    return {"paper": paper, "note": note, "form": form, "rendered": rendered, **extra}


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def note(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The reader's note on an entry: GET shows the editor, POST saves (autosave or submit)."""
    paper = get_object_or_404(Paper, slug=slug)
    if request.method == "GET":
        template = "progress/note.html#editor" if request.htmx else "progress/note.html"
        return render(request, template, _note_context(request, paper))
    form = NoteForm(request.POST)
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return _note_problem(request, paper, form, message, status=400)
    try:
        saved = services.save_note(
            reader=request.user,
            paper=paper,
            text=form.cleaned_data["text"],
            base_version=form.cleaned_data["base_version"],
        )
    except services.NoteConflict as conflict:
        return _note_problem(
            request,
            paper,
            form,
            "This note was changed somewhere else (another tab?) since you opened it. "
            "Both texts are below: nothing is lost.",
            status=409,
            current=conflict.current,
        )
    if request.htmx:
        return render(request, "progress/note.html#saved", {"paper": paper, "note": saved})
    return redirect("progress:note", slug=paper.slug)


def _note_problem(request, paper, form, message, status, current=None) -> HttpResponse:
    """Refuse a save but keep the typed text on screen; a conflict shows both versions."""
    context = {"form": form, "message": message, "current": current}
    if request.htmx:
        return render(
            request, "progress/note.html#problem", {"paper": paper, **context}, status=status
        )
    if current is not None:
        # Without JavaScript the next Save must be able to land: base it on the saved version,
        # whose text stays on screen here and in the revision history.
        data = request.POST.copy()
        data["base_version"] = current.version
        context["form"] = NoteForm(data)
    return render(
        request, "progress/note.html", _note_context(request, paper, **context), status=status
    )


@never_cache
@require_GET
@login_required
def note_revisions(request: HttpRequest, slug: str) -> HttpResponse:
    """The note's earlier versions, newest first (the last 50)."""
    paper = get_object_or_404(Paper, slug=slug)
    note = get_object_or_404(request.user.notes, paper=paper)
    revisions = note.revisions.order_by("-version")[:50]
    return render(
        request,
        "progress/note_revisions.html",
        {"paper": paper, "note": note, "revisions": revisions},
    )


@never_cache
@require_GET
@login_required
def note_revision(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """One earlier version of the note, rendered, with a button to restore it."""
    paper = get_object_or_404(Paper, slug=slug)
    note = get_object_or_404(request.user.notes, paper=paper)
    revision = get_object_or_404(note.revisions, version=version)
    return render(
        request,
        "progress/note_revision.html",
        {
            "paper": paper,
            "note": note,
            "revision": revision,
            "rendered": markdown.render(revision.text),
            "form": RestoreForm(initial={"base_version": note.version}),
        },
    )


@never_cache
@require_POST
@login_required
def restore_revision(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """Make an earlier version current again, as a new version."""
    paper = get_object_or_404(Paper, slug=slug)
    note = get_object_or_404(request.user.notes, paper=paper)
    get_object_or_404(note.revisions, version=version)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        return _problem(request, "The restore form was incomplete; nothing was changed.", 400)
    try:
        services.restore_revision(
            reader=request.user,
            paper=paper,
            version=version,
            base_version=form.cleaned_data["base_version"],
        )
    except services.NoteConflict:
        return _problem(
            request,
            "The note changed since this page was loaded; reload it and restore again.",
            409,
        )
    return redirect("progress:note", slug=paper.slug)
