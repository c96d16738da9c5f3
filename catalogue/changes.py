"""What changed in the list, in public: every edition newest first with its per-entry
differences, one entry's history, and an Atom feed of editions."""

import re
import uuid

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from catalogue.editions import word_diff
from catalogue.models import Curriculum, Edition, Level, Paper
from catalogue.pagecache import reads_query
from catalogue.views import published_curriculum
from mireads.http import HtmxHttpRequest, problem, site_url

LEVEL_LABELS = dict(Level.choices)
# Far more editions than the list will ever have, and short enough for int() to be cheap.
MAX_EDITION_DIGITS = 9


def is_edition_number(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²" and "٣", which int() refuses or reads."""
    return 0 < len(text) <= MAX_EDITION_DIGITS and text.isascii() and text.isdigit()


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


def scope(curriculum: Curriculum | None) -> dict:
    """What a changes page needs to know of the curriculum it shows: None is the default one at
    the addresses it always had (/changes/...), a curriculum is one under /lists/<slug>/."""
    if curriculum is None:
        return {
            "curriculum": None,
            "changes_url": reverse("catalogue:changes"),
            "feed_url": reverse("catalogue:changes-feed"),
        }
    return {
        "curriculum": curriculum,
        "changes_url": reverse("catalogue:curriculum-changes", args=[curriculum.slug]),
        "feed_url": reverse("catalogue:curriculum-changes-feed", args=[curriculum.slug]),
    }


def editions_of(curriculum: Curriculum | None):
    """One curriculum's editions, newest first, with their content (one query)."""
    return Edition.objects.of(curriculum).newest_first().select_related("content")


def changes_page(request: HtmxHttpRequest, curriculum: Curriculum | None) -> HttpResponse:
    editions = editions_with_changes(editions_of(curriculum))
    context = {"editions": editions, **scope(curriculum)}
    return render(request, "catalogue/changes.html", context)


@require_safe
def changes(request: HtmxHttpRequest) -> HttpResponse:
    """Every edition of the default curriculum, newest first, with its note and what changed
    in each entry."""
    return changes_page(request, None)


@require_safe
def curriculum_changes(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Every edition of one published curriculum, newest first, as /changes/ shows the default."""
    return changes_page(request, published_curriculum(slug))


def edition_number(text: str) -> int:
    """An edition's number as a query gives it (is_edition_number), else ValueError."""
    if not is_edition_number(text):
        raise ValueError(text)
    return int(text)


def entry_page(request: HtmxHttpRequest, curriculum: Curriculum | None, paper: Paper):
    """One entry's changes edition by edition in one curriculum: before and after, part by
    part. `?since=N` (from a reader's "changed since you read it" mark) marks the editions
    after N."""
    since = request.GET.get("since", "")
    if since and not is_edition_number(since):
        return problem(request, "“since” must be an edition number, such as 3.", status=400)
    since = int(since) if since else None
    found = []
    for edition, entries in editions_with_changes(editions_of(curriculum)):
        for change in entries:
            if change["slug"] == paper.slug:
                is_new = since is not None and edition.number > since
                found.append({"edition": edition, "change": change, "new": is_new})
    context = {"paper": paper, "found": found, "since": since, **scope(curriculum)}
    return render(request, "catalogue/entry_changes.html", context)


@require_safe
@reads_query(since=edition_number)
def entry_changes(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One entry's history in the default curriculum's editions."""
    return entry_page(request, None, get_object_or_404(Paper, slug=slug))


@require_safe
@reads_query(since=edition_number)
def curriculum_entry_changes(request: HtmxHttpRequest, slug: str, entry: str) -> HttpResponse:
    """One entry's history in the editions of the published curriculum it belongs to."""
    chosen = published_curriculum(slug)
    return entry_page(request, chosen, get_object_or_404(Paper.objects.of(chosen), slug=entry))


# XML 1.0 allows no C0 control but tab, LF and CR, nor U+FFFE/U+FFFF or a lone surrogate; one
# form feed in an edition note made every request for the feed a 500.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# The feed's ids (RFC 4287 §4.2.6: absolute, permanent) are UUIDs from the edition's number, so
# they are the same whichever host or port the feed was fetched through and name no database row.
FEED_NAMESPACE = uuid.UUID("0f6f5c1e-3a0b-4b7e-8f5d-6a2d9c4e7b13")


def xml_text(text: str) -> str:
    """`text` with every character XML 1.0 cannot carry dropped."""
    return NOT_IN_XML.sub("", text)


def feed_id(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, name)}"


class TextAtomFeed(Atom1Feed):
    """Atom with each entry's summary as type="text": an edition note is plain text, so markup a
    curator typed is shown as typed, never run by a feed reader."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


def is_default(curriculum: Curriculum | None) -> bool:
    return curriculum is None or curriculum.is_default


class EditionsFeed(Feed):
    """Atom: one item per edition of one curriculum, its note and how many entries changed.
    Links are on the configured site (MIREADS_SITE_URL), never the request's host.

    The default curriculum's feed keeps the title, ids and addresses it had before there were
    several curricula, whichever of its two addresses it is fetched from, so no subscriber sees
    its editions twice; another curriculum's feed names it in its title and ids.
    """

    feed_type = TextAtomFeed
    author_name = "The mireads editors"

    def get_object(self, request, slug: str | None = None) -> Curriculum | None:
        # None, at /changes/feed.atom: the default curriculum, read as a join (no query).
        return None if slug is None else published_curriculum(slug)

    def title(self, curriculum: Curriculum | None) -> str:
        if is_default(curriculum):
            return "mireads: editions of the reading list"
        return f"mireads: editions of {curriculum.title}"

    def subtitle(self, curriculum: Curriculum | None) -> str:
        named = "the list" if is_default(curriculum) else curriculum.title
        return f"Each new edition of {named}, with what changed."

    def link(self, curriculum: Curriculum | None) -> str:
        return site_url(scope(None if is_default(curriculum) else curriculum)["changes_url"])

    def feed_url(self, curriculum: Curriculum | None) -> str:
        return site_url(scope(None if is_default(curriculum) else curriculum)["feed_url"])

    def feed_guid(self, curriculum: Curriculum | None) -> str:
        return feed_id("editions" if is_default(curriculum) else f"editions:{curriculum.slug}")

    def items(self, curriculum: Curriculum):
        return editions_of(curriculum).select_related("curriculum")[:50]

    def item_title(self, edition):
        if edition.curriculum.is_default:
            return f"Edition {edition.number}"
        return f"{edition.curriculum.title}: edition {edition.number}"

    def item_description(self, edition):
        changed = len(_changes_of(edition))
        note = xml_text(edition.note) or "No note."
        return f"{note} ({changed} entr{'y' if changed == 1 else 'ies'} changed.)"

    def item_link(self, edition):
        return site_url(edition_url(edition))

    def item_guid(self, edition):
        if edition.curriculum.is_default:
            return feed_id(f"edition:{edition.number}")
        return feed_id(f"edition:{edition.curriculum.slug}:{edition.number}")

    def item_author_name(self, edition):
        return self.author_name

    def item_pubdate(self, edition):
        return edition.published_at

    def item_updateddate(self, edition):
        return edition.published_at


def edition_url(edition: Edition) -> str:
    """Where an edition is shown: the default curriculum's on /changes/, another's on its own
    changes page."""
    return edition.get_absolute_url()


editions_feed = require_safe(EditionsFeed())
