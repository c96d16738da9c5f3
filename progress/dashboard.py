"""What the dashboard shows: the reader's entries, the filters over them, and the cache keys.

The template caches each entry and the whole list region under digests of everything they show,
so a key can never name stale markup: change anything shown and the key changes with it.
"""

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

from catalogue import outline
from catalogue.models import Curriculum, Paper
from catalogue.outline import sections_of
from progress import activity, changes, coverage
from progress.forms import FilterForm
from progress.fragments import Shows, digest
from progress.models import DashboardState, Status, followed_curricula
from progress.summary import (
    Entry,
    Summary,
    counted,
    list_version,
    reader_papers,
    reader_papers_of,
    summarise,
)

# Apps that come after progress (plans) add to the reader's pages through these, so progress
# never imports them: each takes (reader, papers, shown, events=) and returns context values.
READER_PAGE_EXTRAS: list = []
# ...and draw what they add through their own templates: each slot of a reader's page (the
# dashboard's overview, the paper page's workbench) includes the template names registered for it,
# in the order the apps registered them. The names are the other apps' templates, so progress's
# templates never name them.
READER_PAGE_FRAGMENTS: dict[str, list[str]] = {"overview": [], "workbench": []}


def add_fragment(slot: str, template_name: str) -> None:
    """Have the reader's pages include `template_name` in `slot` (its context is the page's)."""
    if template_name not in READER_PAGE_FRAGMENTS[slot]:
        READER_PAGE_FRAGMENTS[slot].append(template_name)


def extras(reader, papers: list[Paper], shown: list[Paper], events=None) -> dict:
    """What the registered apps add for this reader; `shown`: the entries the page is about;
    `events`: activity.moments(reader), when the page has read them already."""
    found: dict = {"reader_fragments": READER_PAGE_FRAGMENTS}
    for extra in READER_PAGE_EXTRAS:
        found.update(extra(reader, papers, shown, events=events))
    return found


def matches(entry: Entry, filters: dict) -> bool:
    """Whether one entry passes the dashboard's filters (status, tier, kind, text)."""
    paper = entry.paper
    if "status" in filters and entry.status != filters["status"]:
        return False
    if "tier" in filters and paper.section.priority != filters["tier"]:
        return False
    if "kind" in filters and paper.kind != filters["kind"]:
        return False
    text = filters.get("q", "").casefold()
    # The reader's own note and the advised parts are searched too: that is often where the
    # word a reader remembers is.
    parts = " ".join(f"{a.part} {a.detail}" for a in getattr(paper, "checklist", ()))
    note = getattr(paper, "note_text", "")
    haystack = (
        f"{paper.title} {paper.short_name} {paper.authors} {paper.summary} {parts} {note}"
    ).casefold()
    return not text or text in haystack


# What one entry's cached markup shows (progress/dashboard.html#entry-body and
# progress/_workbench.html#head, which read it as `paper.shown`): the markup is rendered from these
# names alone and its key is their values' digest, so a field shown there is named here, once.
ENTRY = Shows(
    "progress.dashboard.ENTRY",
    (
        "slug", "name", "get_absolute_url", "get_kind_display", "url", "status_label",
        "advice_summary_text", "changed_since", "parts", "ticked", "has_note", "status",
        "n_deep", "start_with", "read_before", "carried_from",
    ),
)  # fmt: skip


def entry_cache_key(paper: Paper) -> str:
    """Give an entry its declared view (`shown`) and its key (`cache_key`), and return the key.

    The entry's no-JavaScript forms carry no token of their own in the cache, only the
    placeholder that with_token() swaps for this response's, so one rendering serves every
    session: a reader who just signed in finds the entries already rendered.
    """
    paper.shown = ENTRY.view(paper)
    paper.cache_key = ENTRY.key(paper)
    return paper.cache_key


def rendered_entries(papers: list[Paper]) -> None:
    """Give each entry the markup the template's {% cache %} tag keeps for it, found with one
    lookup for all of them (`rendered`, None when it is not kept): 30 tags each asking the cache
    cost more than the page's other caching together. The tag still renders and keeps the rest."""
    keys = {make_template_fragment_key("dashboard-entry", [p.cache_key]): p for p in papers}
    found = caches["default"].get_many(list(keys))
    for key, paper in keys.items():
        paper.rendered = mark_safe(found[key]) if key in found else None  # noqa: S308 (ours)


# What the cached list region shows of each tier and subsection besides its entries
# (progress/dashboard.html#tier, #group-progress, #fold): tests/progress/test_fragments.py fails
# when the template reads a name of a section or tally that is not declared here.
SECTION = Shows(
    "progress.dashboard.SECTION", ("slug", "title", "priority", "rank_label", "parent_id")
)
TALLY = Shows("progress.dashboard.TALLY", ("percent", "entries_text", "entries", "complete"))


def region_key(
    papers: list[Paper], shown: list[Paper], filters: dict, summary: Summary, folded: set[str]
) -> str:
    """The list region's key: its entries' keys in order, the filters, the tiers folded away,
    and what it shows of every section and its tally."""
    region = [p.cache_key for p in shown] + [sorted(filters.items()), sorted(folded)]
    region += [SECTION.values(s) for s in sections_of(papers)]
    region += [(pk, TALLY.values(t)) for pk, t in summary.by_section.items()]
    return digest(region)


def folded_tiers(reader) -> set[str]:
    """The slugs of the tiers this reader folded away (one query, none if already loaded)."""
    try:
        return set(reader.dashboard_state.folded)
    except DashboardState.DoesNotExist:
        return set()


def arrange(display: list, summary: Summary, *, folded: set[str], filtered: bool) -> None:
    """Give each tier and subsection its whole tally, and each tier its fold state.

    A filter narrows the entries shown, never the bars: they stay the reader's whole tier. A
    filter also opens folded tiers: what the reader asked for is never hidden.
    """
    for tier in display:
        for group in [tier, *tier.subgroups]:
            group.tally = summary.by_section[group.section.pk]
        tier.folded = not filtered and tier.section.slug in folded


@functools.cache
def csrf_placeholder() -> str:
    """What the cached dashboard markup holds where a form's token goes: the same in every
    process (the cache is shared), and made from the secret key, so no entry's text can hold it."""
    return (
        "csrf-"
        + salted_hmac("progress.dashboard.csrf-placeholder", "", algorithm="sha256").hexdigest()
    )


def with_token(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The response with this request's form token (masked afresh, as {% csrf_token %} does)
    in place of every placeholder the cached markup holds."""
    field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">'
    response.content = response.content.replace(csrf_placeholder().encode(), field.encode())
    return response


# What `?list=` says for the view of every curriculum the reader follows.
ALL = "all"


def list_value(curriculum: Curriculum | None) -> str:
    """What `?list=` says for the dashboard of `curriculum` (None: of all the reader follows):
    empty for the default curriculum's, whose address is the dashboard's own."""
    if curriculum is None:
        return ALL
    return "" if curriculum.is_default else curriculum.slug


def list_query(curriculum: Curriculum | None) -> str:
    """The query string of the dashboard of `curriculum` (None: of all the reader follows):
    "?list=<slug>", "?list=all", or empty for the default curriculum's. Every link and form
    to one list's dashboard (the switcher, "All I follow", Clear) is made here, so the
    address is spelled once."""
    value = list_value(curriculum)
    return f"?list={value}" if value else ""


@dataclass(frozen=True)
class Choice:
    """One link of the dashboard's switcher: a followed curriculum's (None: "All I follow")."""

    curriculum: Curriculum | None
    query: str
    current: bool

    @property
    def title(self) -> str:
        return "All I follow" if self.curriculum is None else self.curriculum.title


@dataclass(frozen=True)
class Shelf:
    """The curricula a reader follows, and which of them the dashboard shows (None: all)."""

    followed: list[Curriculum]
    chosen: Curriculum | None

    @classmethod
    def of(cls, reader, asked: str = "") -> "Shelf | None":
        """The reader's shelf with `asked` (a `?list=` value) chosen: one query. None when
        `asked` names no curriculum they follow."""
        followed = followed_curricula(reader)
        if asked == ALL:
            return cls(followed, None) if len(followed) > 1 else None
        if asked:
            chosen = next((c for c in followed if c.slug == asked), None)
            return cls(followed, chosen) if chosen else None
        # The default curriculum, unless the reader stopped following it.
        return cls(followed, followed[0] if followed else Curriculum.objects.default())

    @property
    def switcher(self) -> bool:
        """More than one to choose between."""
        return len(self.followed) > 1

    @property
    def query(self) -> str:
        """The `?list=` that keeps this view (empty for the default curriculum's)."""
        return list_query(self.chosen)

    @property
    def param(self) -> str:
        """The `list` value that keeps this view, for a form's hidden field (empty: none)."""
        return list_value(self.chosen)

    @property
    def choices(self) -> list[Choice]:
        """The switcher's links: each followed curriculum, then "All I follow"."""
        chosen = self.chosen.pk if self.chosen else None
        links = [Choice(c, list_query(c), c.pk == chosen) for c in self.followed]
        return [*links, Choice(None, list_query(None), self.chosen is None)]


def _reaches_beyond(papers: list[Paper]) -> bool:
    """Whether the reader's record reaches beyond the default curriculum alone (the `elsewhere`
    column reader_papers() reads with their rows)."""
    return bool(papers) and bool(getattr(papers[0], "elsewhere", False))


def reader_list(
    reader, curriculum: Curriculum | None = None, papers: list[Paper] | None = None
) -> list[Paper]:
    """One curriculum's (None: the default one's) entries with the reader's record laid over
    them, counted: the default curriculum's from the kept list (one query) and, only for a
    reader whose record reaches beyond it, four more to carry their reading over; another's in
    six."""
    if curriculum is None or curriculum.is_default:
        papers = reader_papers(reader) if papers is None else papers
        if not _reaches_beyond(papers):
            return papers
    else:
        papers = reader_papers_of(reader, [curriculum])
    coverage.carry(reader, papers)
    return counted(papers)


def entry_list(reader, slug: str) -> list[Paper]:
    """The list, with the reader's record, of a further curriculum holding the entry `slug`
    (a readable one: published): [] when there is none."""
    curriculum = Curriculum.objects.readable().holding(slug)
    if curriculum is None or curriculum.is_default:
        return []
    return reader_list(reader, curriculum)


def context(reader, asked: Mapping, shelf: Shelf | None = None) -> dict:
    """Everything the dashboard template needs for this reader under the filters `asked` (the
    request's query: its bad values are ignored), for the curriculum the shelf chose (the
    default one's when no shelf is given). The filter form offers that curriculum's own tiers,
    taken from its entries' sections: no query of its own."""
    papers = None
    if shelf is None:
        # A reader who never chose what to follow and read only the default curriculum follows
        # it alone: their shelf costs no query.
        papers = reader_papers(reader)
        if papers and not _reaches_beyond(papers):
            default = papers[0].section.curriculum
            shelf = Shelf([default], default)
        else:
            shelf = Shelf.of(reader)
    if papers is not None and not shelf.chosen.is_default:
        papers = None  # the reader stopped following the default curriculum
    papers = reader_list(reader, shelf.chosen, papers)
    summary = summarise(papers)
    form = FilterForm(asked, tiers=[tier.section for tier in summary.tiers])
    filters = form.cleaned()
    reader_changes = changes.for_reader(reader, at=list_version(papers))
    events = activity.moments(reader)
    weeks = activity.weekly_finished(reader, events=events)
    changes.mark(papers, reader_changes)
    for paper in papers:
        entry_cache_key(paper)
    shown = [p for p in papers if matches(summary.entries[p.pk], filters)]
    rendered_entries(shown)
    display = outline.build(sections_of(papers), shown) if filters else summary.tiers
    folded = set() if filters else folded_tiers(reader)  # a filter opens every tier anyway
    arrange(display, summary, folded=folded, filtered=bool(filters))
    return {
        "summary": summary,
        "reader_changes": reader_changes,
        "filtered": bool(filters),
        "shown_count": len(shown),
        "display": display,
        "statuses": Status.choices,
        "csrf_placeholder": csrf_placeholder(),
        "entries_key": region_key(papers, shown, filters, summary, folded),
        # An empty chart says nothing: it appears with the first entry finished.
        "weeks": [w for w in weeks if any(week.finished for week in weeks)],
        "bar_width": activity.BAR_WIDTH,
        "chart_height": activity.CHART_HEIGHT,
        "shelf": shelf,
        "form": form,
        **extras(reader, papers, papers, events),
    }


@dataclass(frozen=True)
class Followed:
    """One followed curriculum on the "All I follow" view: its tally and where to read it."""

    curriculum: Curriculum
    tally: object
    query: str


def all_context(reader, shelf: Shelf) -> dict:
    """The "All I follow" view: every followed curriculum's progress, and one Next up over
    them all, a work cited by several counted once (where it comes first). Six queries whatever
    the numbers of curricula and entries."""
    papers = reader_papers_of(reader, shelf.followed)
    record = coverage.carry(reader, papers)
    counted(papers)
    each = []
    for curriculum in shelf.followed:
        own = [p for p in papers if p.section.curriculum_id == curriculum.pk]
        each.append(Followed(curriculum, summarise(own).overall, list_query(curriculum)))
    seen, once = set(), []
    for paper in papers:
        if record.work_of(paper.pk) not in seen:
            seen.add(record.work_of(paper.pk))
            once.append(paper)
    summary = summarise(once)
    for paper in once:
        paper.list_title = paper.section.curriculum.title
    return {"shelf": shelf, "summary": summary, "each": each, "statuses": Status.choices}


def tier_of(context: dict, section) -> outline.Group | None:
    """One tier of a dashboard context, for answering a fold with that tier alone (None when
    the tier holds no entries, so the dashboard does not show it)."""
    return next((tier for tier in context["display"] if tier.section.pk == section.pk), None)
