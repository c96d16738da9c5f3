"""What changed in the list, in public: every edition newest first with its per-entry
differences, one entry's history, and an Atom feed of editions."""

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from catalogue.editions import word_diff
from catalogue.models import Edition, Level, Paper
from mireads.http import HtmxHttpRequest

LEVEL_LABELS = dict(Level.choices)


def readable(change: dict) -> dict:
    """One stored entry change with labels and word diffs ready for the template."""
    parts = []
    for part in change.get("parts", []):
        shown = dict(part)
        if "level" in part:
            shown["level_labels"] = [LEVEL_LABELS.get(v, v) for v in part["level"]]
        if "level_now" in part:
            shown["level_now_label"] = LEVEL_LABELS.get(part["level_now"], part["level_now"])
        for name in ("part_text", "detail_text"):
            if name in part:
                shown[name.removesuffix("_text") + "_diff"] = word_diff(*part[name])
                shown[name.removesuffix("_text") + "_sides"] = sides(word_diff(*part[name]))
        parts.append(shown)
    return {**change, "parts": parts}


def sides(runs: list[tuple[str, str]]) -> tuple[list, list]:
    """A word diff as its two sides, before (kept and struck) and after (kept and inserted),
    for showing side by side."""
    before = [(op, text) for op, text in runs if op != "ins"]
    after = [(op, text) for op, text in runs if op != "del"]
    return before, after


def _changes_of(edition: Edition) -> list[dict]:
    # An edition loaded by Django's loaddata has no content of its own: nothing to show.
    return edition.content.changes if hasattr(edition, "content") else []


def editions_with_changes(editions) -> list[tuple[Edition, list[dict]]]:
    """Each edition with its entry changes made readable (one query for all of them)."""
    return [(edition, [readable(c) for c in _changes_of(edition)]) for edition in editions]


@require_safe
def changes(request: HtmxHttpRequest) -> HttpResponse:
    """Every edition, newest first, with its note and what changed in each entry."""
    editions = Edition.objects.newest_first().select_related("content")
    return render(request, "catalogue/changes.html", {"editions": editions_with_changes(editions)})


@require_safe
def entry_changes(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One entry's changes edition by edition: before and after, part by part. `?since=N`
    (from a reader's "changed since you read it" mark) marks the editions after N."""
    paper = get_object_or_404(Paper, slug=slug)
    since = request.GET.get("since", "")
    since = int(since) if since.isdigit() else None
    found = []
    for edition, entries in editions_with_changes(
        Edition.objects.newest_first().select_related("content")
    ):
        for change in entries:
            if change["slug"] == slug:
                is_new = since is not None and edition.number > since
                found.append({"edition": edition, "change": change, "new": is_new})
    context = {"paper": paper, "found": found, "since": since}
    return render(request, "catalogue/entry_changes.html", context)


class EditionsFeed(Feed):
    """Atom: one item per edition, its note and how many entries changed."""

    feed_type = Atom1Feed
    title = "mireads: editions of the reading list"
    subtitle = "Each new edition of the list, with what changed."

    def link(self):
        return reverse("catalogue:changes")

    def items(self):
        return Edition.objects.newest_first().select_related("content")[:50]

    def item_title(self, edition):
        return f"Edition {edition.number}"

    def item_description(self, edition):
        changed = len(_changes_of(edition))
        note = edition.note or "No note."
        return f"{note} ({changed} entr{'y' if changed == 1 else 'ies'} changed.)"

    def item_link(self, edition):
        return edition.get_absolute_url()

    def item_guid(self, edition):
        return f"{reverse('catalogue:changes')}#edition-{edition.number}"

    def item_pubdate(self, edition):
        return edition.published_at

    def item_updateddate(self, edition):
        return edition.published_at


editions_feed = require_safe(EditionsFeed())
