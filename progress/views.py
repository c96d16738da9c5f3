"""A reader's pages: the dashboard, status changes, checklists and notes.

Every query for reader data starts from request.user, so another reader's rows cannot be reached:
their URLs look exactly like URLs for entries that do not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalogue import outline
from catalogue import views as catalogue_views
from catalogue.models import Curriculum, Paper, Section
from mireads.http import HtmxHttpRequest, problem, safe_url
from progress import changes, coverage, hints, markdown, pagecache, services
from progress import dashboard as board
from progress.forms import NoteForm, PartsForm, RestoreForm, StatusForm
from progress.models import Note, Status, followed_ids, is_following
from progress.summary import counted as recount
from progress.summary import list_version, reader_paper, summarise


@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    """The dashboard for a signed-in reader; a landing page that shows the list for visitors."""
    if request.user.is_authenticated:
        return pagecache.cached_dashboard(request, dashboard)
    papers = list(Paper.objects.of().in_reading_order().with_advice())
    tiers = outline.build(Section.objects.of(), papers)
    return render(request, "progress/landing.html", {"tiers": tiers, "count": len(papers)})


@never_cache
@login_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """Every entry in reading order with the reader's progress; filters narrow the list shown."""
    asked = request.GET.get("list", "")
    shelf = board.Shelf.of(request.user, asked) if asked else None
    if asked and shelf is None:
        return _not_followed(request, asked)
    if shelf is not None and shelf.chosen is None:
        context = board.all_context(request.user, shelf)
        return board.with_token(request, render(request, "progress/all_followed.html", context))
    context = board.context(request.user, request.GET, shelf)
    if request.htmx and request.htmx.target == "entries":
        return board.with_token(
            request, render(request, "progress/dashboard.html#entries", context)
        )
    context["first_run"] = hints.shows_first_run(request.user, context["summary"])
    return board.with_token(request, render(request, "progress/dashboard.html", context))


def _not_followed(request: HtmxHttpRequest, asked: str) -> HttpResponse:
    """A `?list=` the reader does not follow: its page, to follow it there, if it is one."""
    curriculum = Curriculum.objects.readable().named(asked)
    if curriculum is None:
        return problem(request, f"There is no list “{asked[:80]}” to show.", 404)
    messages.info(request, f"You do not follow {curriculum.title}: follow it to read it there.")
    return redirect(curriculum)


def _reader_list(request: HtmxHttpRequest, slug: str) -> tuple[Paper, list[Paper]]:
    """The entry `slug` and its curriculum's list with the reader's record: the default
    curriculum's from the kept list, another's read for it; 404 for neither."""
    papers = board.reader_list(request.user)
    paper = next((p for p in papers if p.slug == slug), None)
    if paper is None:
        papers = board.entry_list(request.user, slug)
        paper = next((p for p in papers if p.slug == slug), None)
    if paper is None:
        raise Http404("No such entry.")
    return paper, papers


def _back_to_dashboard(request: HttpRequest, paper: Paper) -> HttpResponseRedirect:
    """Where a no-JavaScript form returns to: the page it came from (Referer, sent for same-origin
    requests under our referrer policy), at the entry; home if that is missing or off-site."""
    target = safe_url(request, request.headers.get("Referer", "")) or reverse("home")
    # Not redirect(): it would try to reverse a Referer without "/" or "." ("0") as a view name.
    return HttpResponseRedirect(f"{target}#entry-{paper.slug}")


def _on_paper(request: HttpRequest) -> bool:
    """Whether an action came from the paper page, whose fragments differ from the dashboard's."""
    return request.POST.get("on") == "paper"


def _entry_response(
    request: HtmxHttpRequest,
    paper: Paper,
    partials: tuple[str, str],
    announce: str,
    papers: list[Paper],
) -> HttpResponse:
    """Re-render one entry's fragment plus, out of band, every counter it changes.

    `partials`: the full names of the fragment on the dashboard and on the paper page, so a
    search for either finds this call.
    """
    partial = partials[1] if _on_paper(request) else partials[0]
    summary = summarise(papers)
    entry = summary.entries[paper.pk]
    context = {
        "summary": summary,
        "entry": entry,
        "paper": entry.paper,
        "groups": summary.groups_of(entry.paper),
        "announce": announce,
        "statuses": Status.choices,
        "on_paper": _on_paper(request),
        # The entry's head is the same for every reader with the entry in this state: rendered
        # once, kept with a placeholder for the form token, which with_token() fills in.
        "head_key": board.entry_cache_key(entry.paper),
        "csrf_placeholder": board.csrf_placeholder(),
        # The later apps' fragments (plans' time left), which ask for their own data when it is
        # not in this context, so a status change costs no query of theirs.
        "reader_fragments": board.READER_PAGE_FRAGMENTS,
    }
    return board.with_token(request, render(request, partial, context))


@require_POST
@login_required
def set_status(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Change how far the reader got with an entry."""
    # The whole list with this reader's state is read once, before the write: it finds the
    # entry (or 404s), and after the write it only needs this entry's new status patched in,
    # which keeps the action within its query budget.
    paper, papers = _reader_list(request, slug)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return problem(request, "That is not a reading status; nothing was changed.", 400)
    status = Status(form.cleaned_data["status"])
    # Shown another list's reading, the reader chose this status here: it is marked even if the
    # entry's own row says so already.
    restate = status != paper.status and status == getattr(paper, "own_status", paper.status)
    state = services.set_status(reader=request.user, paper=paper, status=status, restate=restate)
    _patch_state(paper, state)
    if request.htmx:
        announce = f"{paper.name}: {status.label.lower()}."
        partials = (
            "progress/dashboard.html#head-and-counters",
            "progress/_workbench.html#paper-head",
        )
        return _entry_response(request, paper, partials, announce, papers)
    return _back_to_dashboard(request, paper)


@require_POST
@login_required
def read_before(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Say the reader read an entry before (not here), or take it back: marked Read, and never
    counted in their pace (plans.pace)."""
    paper, papers = _reader_list(request, slug)
    choice = request.POST.get("read_before")
    if choice not in ("1", "0"):
        return problem(
            request, "Say whether you read it before (1) or not (0); nothing was changed.", 400
        )
    before = choice == "1"
    state = services.set_read_before(reader=request.user, paper=paper, read_before=before)
    _patch_state(paper, state)
    if request.htmx:
        announce = f"{paper.name}: {'read before' if before else 'read here'}."
        partials = (
            "progress/dashboard.html#head-and-counters",
            "progress/_workbench.html#paper-head",
        )
        return _entry_response(request, paper, partials, announce, papers)
    return _back_to_dashboard(request, paper)


@require_POST
@login_required
def set_parts(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Keep exactly the ticked parts of an entry: the checklist is one form, so one Save (or,
    with JavaScript, each change) sends every box, and two ticks with one Save keep both."""
    # As in set_status: the list with this reader's state, read once before the write, finds the
    # entry and its current parts; after it only this entry's ticks and status are patched in.
    paper, papers = _reader_list(request, slug)
    form = PartsForm(request.POST)
    if not form.is_valid():
        return problem(request, "Those are not parts of this entry; nothing was changed.", 400)
    shown, done = form.cleaned_data["shown"], form.cleaned_data["done"]
    state = services.set_parts_done(
        reader=request.user, paper=paper, shown=shown, done=done, parts=paper.checklist
    )
    if request.htmx:
        _patch_ticks(paper, shown, done, state)
        announce = f"{paper.name}: {paper.ticked} of {paper.parts} parts done."
        partials = (
            "progress/dashboard.html#checklist-and-counters",
            "progress/_workbench.html#paper-checklist",
        )
        return _entry_response(request, paper, partials, announce, papers)
    return _back_to_dashboard(request, paper)


def _patch_ticks(paper: Paper, shown: set[str], done: set[str], state) -> None:
    """The entry as the checklist save left it: its shown parts ticked as sent, the rest as read
    before, its counts again, and its status if the first tick started it."""
    for advice in paper.checklist:
        if advice.key in shown:
            advice.done = advice.key in done
    _patch_state(paper, state)


def _patch_state(paper: Paper, state) -> None:
    """The entry as a write left it: its status and dates (`state`, if the write made one), and
    its counts and progress again. It writes nothing."""
    if state is not None:
        paper.status, paper.started_at = state.status, state.started_at
        paper.finished_at, paper.read_before = state.finished_at, state.read_before
    recount([paper])


@never_cache
@require_safe
@login_required
def checklist(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """An entry's checklist and note slot, which the dashboard loads when the reader opens the
    entry, so the page carries 30 summaries rather than 30 forms; without JavaScript the link in
    their place leads to the paper page, which has both."""
    paper = reader_paper(request.user, slug)
    if paper is None or getattr(paper, "elsewhere", False):  # the record may carry into it
        paper = next((p for p in _reader_list(request, slug)[1] if p.slug == slug), None)
    if not request.htmx:
        return redirect(f"{paper.get_absolute_url()}#checklist-{paper.slug}")
    changes.mark([paper], changes.for_reader(request.user, at=list_version([paper])))
    context = {"paper": paper, "statuses": Status.choices}
    return render(request, "progress/dashboard.html#entry-parts", context)


FOLDS = {"fold": True, "open": False}


@require_POST
@login_required
def fold(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Fold a tier of the dashboard away, or open it again; the reader's choice is kept."""
    section = get_object_or_404(Section.objects.readable().top_level(), slug=slug)
    if request.POST.get("fold") not in FOLDS:
        return problem(request, "Say fold or open; nothing was changed.", 400)
    folded = FOLDS[request.POST["fold"]]
    services.set_tier_folded(reader=request.user, section=section, folded=folded)
    if not request.htmx:
        target = safe_url(request, request.headers.get("Referer", "")) or reverse("home")
        return HttpResponseRedirect(f"{target}#{section.slug}")
    curriculum = section.curriculum  # the tier's own dashboard answers
    shelf = None if curriculum.is_default else board.Shelf([curriculum], curriculum)
    context = board.context(request.user, {}, shelf)
    verb = "folded away" if folded else "opened"
    context.update(tier=board.tier_of(context, section), announce=f"{section}: {verb}.")
    response = render(request, "progress/dashboard.html#tier-and-announce", context)
    return board.with_token(request, response)


@require_POST
@login_required
def dismiss_hint(request: HtmxHttpRequest) -> HttpResponse:
    """Close the first-run hint on the dashboard, for good."""
    hints.dismiss_first_run(reader=request.user)
    if request.htmx:
        return HttpResponse("")
    return redirect("home")


@require_safe
def paper_list(request: HtmxHttpRequest) -> HttpResponse:
    """The public list; signed in, each entry also shows the reader's status (one query more)."""
    context = catalogue_views.list_context()
    if request.user.is_authenticated:
        # The newer of an entry's skip and its work's state set from it wins, as on the dashboard.
        rows = request.user.reading_states.order_by("updated_at", "pk")
        statuses = dict(rows.values_list("paper_id", "status"))
        for paper in context["papers"]:
            status = statuses.get(paper.pk, Status.UNREAD)
            paper.status_label = "" if status == Status.UNREAD else Status(status).label
    return render(request, "catalogue/paper_list.html", context)


@require_safe
def curricula_page(request: HtmxHttpRequest) -> HttpResponse:
    """Every published curriculum; signed in, the ones the reader follows are marked."""
    if not request.user.is_authenticated:
        return catalogue_views.curricula(request)
    context = catalogue_views.curricula_context()
    followed = followed_ids(request.user, context["curricula"])
    for curriculum in context["curricula"]:
        curriculum.followed = curriculum.pk in followed
    return render(request, "catalogue/curricula.html", context)


@require_safe
def curriculum_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A curriculum's page; signed in, it also says how much of it the reader's record already
    covers (whether or not they follow it), marks each entry covered or partly covered, and
    offers to follow it or stop."""
    context = catalogue_views.curriculum_context(slug)
    if request.user.is_authenticated:
        found = coverage.coverage(request.user, context["curriculum"], context["papers"])
        covered = {entry.paper.pk: entry for entry in found.entries}
        for paper in context["papers"]:
            paper.status_label = covered[paper.pk].label
        context["coverage"] = found.tally
        context["following"] = is_following(request.user, context["curriculum"])
        return render(request, "progress/curriculum.html", context)
    return render(request, "catalogue/curriculum.html", context)


FOLLOWS = {"follow": True, "unfollow": False}


@require_POST
@login_required
def follow(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Follow a published curriculum, or stop following it; unfollowing deletes nothing."""
    curriculum = catalogue_views.published_curriculum(slug)
    if request.POST.get("follow") not in FOLLOWS:
        return problem(request, "Say follow or unfollow; nothing was changed.", 400)
    following = FOLLOWS[request.POST["follow"]]
    services.set_following(reader=request.user, curriculum=curriculum, following=following)
    verb = "You follow" if following else "You no longer follow"
    messages.success(request, f"{verb} {curriculum.title}.")
    return redirect(curriculum)


@never_cache
@require_safe
def paper_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """An entry's page. Signed in, it is the reader's workbench: status, the checklist in place
    of the advice, and the note editor, from the same fragments as the dashboard's entries."""
    if not request.user.is_authenticated:
        return catalogue_views.paper_detail(request, slug)
    context = catalogue_views.paper_context(slug)
    papers = board.reader_list(request.user)
    work = next((p for p in papers if p.pk == context["paper"].pk), None)
    if work is None:  # an entry of another curriculum: its list, with the reader's record
        papers = board.entry_list(request.user, slug)
        work = next((p for p in papers if p.pk == context["paper"].pk), None)
    summarise(papers)  # sets the advice summary the status line shows
    changes.mark(papers, changes.for_reader(request.user, at=list_version(papers)))
    if work is None:  # not in the reading order (retired): the public page only
        return render(request, "catalogue/paper_detail.html", context)
    context.update(_note_context(request, context["paper"]))
    context.update(work=work, statuses=Status.choices, **board.extras(request.user, papers, [work]))
    return render(request, "progress/paper.html", context)


def _own_note(request: HttpRequest, slug: str) -> tuple[Paper, Note]:
    """The entry and the reader's own note on it; 404 if either is missing."""
    paper = get_object_or_404(Paper, slug=slug)
    note = request.user.notes.for_paper(paper)
    if note is None:
        raise Http404("No note on this entry.")
    return paper, note


def _note_context(request: HttpRequest, paper: Paper, form: NoteForm | None = None, **extra):
    note = request.user.notes.for_paper(paper)
    if form is None:
        initial = {"text": note.text, "base_version": note.version} if note else {}
        form = NoteForm(initial={"text": "", "base_version": 0, **initial})
    rendered = note.html() if note else ""
    return {"paper": paper, "note": note, "form": form, "rendered": rendered, **extra}


CONFLICT = (
    "This note was changed somewhere else (another tab?) since you opened it. "
    "Both texts are below: nothing is lost."
)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def note(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The reader's note on an entry: GET shows the editor, POST saves (autosave or submit)."""
    paper = get_object_or_404(Paper, slug=slug)
    if request.method != "POST":
        template = "progress/note.html#editor" if request.htmx else "progress/note.html"
        return render(request, template, _note_context(request, paper))
    form = NoteForm(request.POST)
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return _note_problem(request, paper, form, message, status=400)
    try:
        saved = _save_note(request, paper, form.cleaned_data)
    except services.NoteConflict as conflict:
        current = conflict.current
        if not _already_saved(current, form.cleaned_data):
            return _note_problem(request, paper, form, CONFLICT, status=409, current=current)
        saved = current
    if request.htmx:
        return render(request, "progress/note.html#saved", {"paper": paper, "note": saved})
    # Without JavaScript the reader goes back to the page they saved from (the paper page, say).
    messages.success(request, f"Your note is saved (version {saved.version}).")
    back = safe_url(request, request.headers.get("Referer", ""))
    return redirect(back or reverse("progress:note", args=[paper.slug]))


def _already_saved(current, data: dict) -> bool:
    """A save retried after its answer was lost (a dropped connection, a timeout): the note holds
    exactly its text, one version past its base, so the first attempt landed. It is answered as
    saved rather than as a conflict showing the same text twice."""
    return (
        current is not None
        and current.text == data["text"]
        and current.version == data["base_version"] + 1
    )


def _save_note(request: HtmxHttpRequest, paper: Paper, data: dict):
    """Save the note. Only the editor's autosaves (sent by its textarea) fold into one revision
    per sitting: a Save the reader presses, or the text kept after a conflict with another tab,
    is a revision of its own, so no tab's saved text ever leaves the history."""
    return services.save_note(
        reader=request.user,
        paper=paper,
        text=data["text"],
        base_version=data["base_version"],
        fold=bool(request.htmx) and request.htmx.trigger == f"note-text-{paper.slug}",
        end_sitting=data["sitting"] == "end",
    )


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
@require_safe
@login_required
def note_revisions(request: HttpRequest, slug: str) -> HttpResponse:
    """The note's earlier versions, newest first (the last 50)."""
    paper, note = _own_note(request, slug)
    context = {"paper": paper, "note": note, "revisions": note.revisions.newest_first()[:50]}
    return render(request, "progress/note_revisions.html", context)


@never_cache
@require_safe
@login_required
def note_revision(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """One earlier version of the note, rendered, with a button to restore it."""
    paper, note = _own_note(request, slug)
    revision = get_object_or_404(note.revisions, version=version)
    context = {
        "paper": paper,
        "note": note,
        "revision": revision,
        "rendered": markdown.render(revision.text),
        "form": RestoreForm(initial={"base_version": note.version}),
    }
    return render(request, "progress/note_revision.html", context)


@never_cache
@require_POST
@login_required
def restore_revision(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """Make an earlier version current again, as a new version."""
    paper, note = _own_note(request, slug)
    get_object_or_404(note.revisions, version=version)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        return problem(request, "The restore form was incomplete; nothing was changed.", 400)
    base_version = form.cleaned_data["base_version"]
    try:
        services.restore_revision(
            reader=request.user, paper=paper, version=version, base_version=base_version
        )
    except services.NoteConflict:
        message = "The note changed since this page was loaded; reload it and restore again."
        return problem(request, message, 409)
    return redirect("progress:note", slug=paper.slug)


@require_POST
@login_required
def changes_seen(request: HtmxHttpRequest) -> HttpResponse:
    """The reader has seen the changes up to the current edition: the marks go away."""
    services.mark_changes_seen(reader=request.user)
    return redirect("home")
