"""Turn a list read from its own text (catalogue.listtext) into a draft curriculum.

`to_records` makes the fixture records of catalogue.fixture's format for a new curriculum with no
edition record, so the loader makes it a DRAFT: seen only in admin until
`manage.py publish_edition --curriculum SLUG` publishes it. `import_text` reads, checks and loads
it in one transaction: all of it or nothing.

Works already known are matched by link (catalogue.identity: DOI, arXiv id or canonical link),
else by exact title (listtext.match_known). A work is one row whoever cites it, so a matched
entry cites the known work (a catalogue.citation record naming its slug) instead of copying it,
and takes the known entry's title; the report names the known entry each one was matched to.

Nothing is guessed: an entry the text names without a link and with no exact title match gets no
work at all, and a link's kind is read from its host only where the host says it (arXiv is a
preprint, YouTube a video...); any other host is "other" for the curator to set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from catalogue import fixture, listtext
from catalogue.identity import (
    IdentifierError,
    Identity,
    IdentityConflict,
    WorkIndex,
    identity_of,
    normalise_arxiv,
    normalise_doi,
)
from catalogue.models import (
    Citation,
    Curriculum,
    Kind,
    Ordering,
    Paper,
    Section,
    Work,
    WorkKind,
    part_keys,
)

# The fields of a work that say what it is (not where it sits in a list): what a match copies.
BIBLIOGRAPHIC = [
    "kind", "title", "authors", "year", "month", "venue", "booktitle", "doi", "arxiv_id",
    "arxiv_class", "url", "volume", "issue", "number", "pages", "publisher", "guests",
]  # fmt: skip
# The entry's own fields that describe its work, copied from a matched known entry.
ENTRY_BIBLIOGRAPHIC = ["kind", "authors", "year"]

SLUG_LENGTH = 60  # a readable slug; the model allows 100, and a prefix may be added
TITLE_LENGTH = Paper._meta.get_field("title").max_length
SHORT_NAME_LENGTH = Paper._meta.get_field("short_name").max_length
PART_LENGTH = 300
SECTION_TITLE_LENGTH = Section._meta.get_field("title").max_length
UNTITLED = "Untitled section"


class ListImportError(ValueError):
    """The list cannot become a curriculum; the message is one sentence naming the record."""


# --- What is known already --------------------------------------------------------------------


@dataclass(frozen=True)
class KnownWork:
    """A work an entry of some curriculum names: which entry and work, the titles it is known
    by, its links and identifiers, and the fields a match copies."""

    entry: str  # the known entry's slug
    curriculum: str
    position: int  # the work's position in its entry; 0 for an entry with no work row
    main: bool
    titles: tuple[str, ...]
    work: dict  # BIBLIOGRAPHIC fields; empty for an entry with no work row
    entry_fields: dict  # ENTRY_BIBLIOGRAPHIC fields and the entry's url
    work_slug: str = ""  # the shared work's slug, which a match cites rather than copies

    @property
    def key(self) -> tuple[str, int]:
        return (self.entry, self.position)


def known_works() -> list[KnownWork]:
    """Every work of every curriculum (the default's first), and every entry with no work row,
    as the importer matches against them. Three queries."""
    papers = {
        paper.pk: paper
        for paper in Paper.objects.select_related("section__curriculum").order_by(
            "-section__curriculum__is_default", "section__curriculum__position", "pk"
        )
    }
    works: dict[int, list[Work]] = {}
    for citation in Citation.objects.select_related("work").order_by("entry", "position"):
        work = citation.work
        work.role, work.position = citation.role, citation.position
        works.setdefault(citation.entry_id, []).append(work)
    known = []
    for paper in papers.values():
        entry_fields = {name: getattr(paper, name) for name in ENTRY_BIBLIOGRAPHIC}
        entry_fields["url"] = paper.url
        curriculum = paper.section.curriculum.slug
        own = works.get(paper.pk, [])
        if not own:
            titles = _titles(paper.title, paper.short_name)
            known.append(KnownWork(paper.slug, curriculum, 0, True, titles, {}, entry_fields))
        for work in own:
            main = work.role == Work.Role.MAIN
            titles = _titles(paper.title, paper.short_name, work.title) if main else (work.title,)
            known.append(
                KnownWork(
                    paper.slug,
                    curriculum,
                    work.position,
                    main,
                    titles,
                    {name: getattr(work, name) for name in BIBLIOGRAPHIC},
                    entry_fields,
                    work.slug,
                )
            )
    return known


def _titles(*titles: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(title for title in titles if title))


def _identity_parts(doi: str = "", arxiv_id: str = "", url: str = "") -> Iterable[Identity]:
    """Each identifier alone, so that one a known work holds wrongly costs only that key."""
    for given in ({"doi": doi}, {"arxiv_id": arxiv_id}, {"url": url}):
        if any(given.values()):
            try:
                yield identity_of(**given)
            except (IdentifierError, IdentityConflict):
                continue


def _index(known: list[KnownWork]) -> WorkIndex:
    """The known works by every key they are known by. A key two known works share (a work one
    curriculum copied from another) stays with the first: the default curriculum's."""
    by_key = {item.key: item for item in known}
    index: WorkIndex = WorkIndex(describe=lambda key: f"{by_key[key].entry}")
    for item in known:
        work = item.work
        url = work.get("url") or (item.entry_fields.get("url") if item.main else "")
        for identity in _identity_parts(work.get("doi", ""), work.get("arxiv_id", ""), url or ""):
            try:
                index.add(item.key, identity)
            except IdentityConflict:
                continue
    return index


def _by_title(known: list[KnownWork]) -> list[tuple]:
    """Main works as match_known takes them; a title two known works share (one curriculum's
    copy of another's work) names the first, the default curriculum's."""
    claimed: set[str] = set()
    found = []
    for item in known:
        if not item.main:
            continue
        titles = [t for t in item.titles if listtext.normalise_title(t) not in claimed]
        claimed |= {listtext.normalise_title(t) for t in titles}
        found.append((item.key, titles, ()))
    return found


# --- Reading an entry's links -----------------------------------------------------------------


HOST_KINDS = [
    # (host or host suffix, the work's kind, the entry's kind)
    ("arxiv.org", WorkKind.PREPRINT, Kind.PAPER),
    ("export.arxiv.org", WorkKind.PREPRINT, Kind.PAPER),
    ("ar5iv.org", WorkKind.PREPRINT, Kind.PAPER),
    ("ar5iv.labs.arxiv.org", WorkKind.PREPRINT, Kind.PAPER),
    ("doi.org", WorkKind.ARTICLE, Kind.PAPER),
    ("dx.doi.org", WorkKind.ARTICLE, Kind.PAPER),
    ("distill.pub", WorkKind.ARTICLE, Kind.PAPER),
    ("youtube.com", WorkKind.VIDEO, Kind.VIDEO),
    ("m.youtube.com", WorkKind.VIDEO, Kind.VIDEO),
    ("youtu.be", WorkKind.VIDEO, Kind.VIDEO),
    ("vimeo.com", WorkKind.VIDEO, Kind.VIDEO),
    ("colab.research.google.com", WorkKind.NOTEBOOK, Kind.CODEBASE),
    ("github.com", WorkKind.CODE, Kind.CODEBASE),
    ("gitlab.com", WorkKind.CODE, Kind.CODEBASE),
    ("lesswrong.com", WorkKind.BLOG_POST, Kind.POST),
    ("alignmentforum.org", WorkKind.BLOG_POST, Kind.POST),
    ("greaterwrong.com", WorkKind.BLOG_POST, Kind.POST),
    ("medium.com", WorkKind.BLOG_POST, Kind.POST),
    ("substack.com", WorkKind.BLOG_POST, Kind.POST),
    ("podcasts.apple.com", WorkKind.PODCAST, Kind.PODCAST),
    ("open.spotify.com", WorkKind.PODCAST, Kind.PODCAST),
]


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower().removeprefix("www.")


def kinds_of(url: str) -> tuple[str, str]:
    """(the work's kind, the entry's kind) a link's host says: an arXiv link is a preprint, a
    doi.org or Distill link an article, YouTube a video, Colab a notebook, GitHub code, LessWrong
    or a Substack a blog post; any other host "other" (and the entry a paper, the default)."""
    host = _host(url)
    for known, work_kind, entry_kind in HOST_KINDS:
        if host == known or host.endswith("." + known):
            return work_kind.value, entry_kind.value
    if urlsplit(url).path.endswith(".ipynb"):
        return WorkKind.NOTEBOOK.value, Kind.CODEBASE.value
    return WorkKind.OTHER.value, Kind.PAPER.value


def _web_link(url: str) -> bool:
    return url.startswith(("https://", "http://")) and bool(_host(url)) and len(url) <= 500


def _arxiv_of(url: str) -> str:
    try:
        return normalise_arxiv(url) if "arxiv" in _host(url) else ""
    except IdentifierError:
        return ""


def _doi_of(url: str) -> str:
    if _host(url) not in ("doi.org", "dx.doi.org"):
        return ""
    try:
        normalise_doi(url)
    except IdentifierError:
        return ""
    return unquote(urlsplit(url).path[1:])  # the DOI as the link spells it


def _entry_identity(entry: listtext.ParsedEntry) -> tuple[Identity, str, str, str]:
    """(identity, url, DOI, arXiv id) of the work an entry names: its first link, with the arXiv
    and DOI links on its own line (a paper's page and its arXiv or DOI link name one work; a
    video or code link beside them is a companion and names another). IdentityConflict when
    these name two different works; a link that is not a web link gives no identity."""
    links = [link for link in entry.links if _web_link(link)]
    if not links:
        return Identity(), "", "", ""
    url = links[0]
    arxiv = next((found for link in links if (found := _arxiv_of(link))), "")
    doi = next((found for link in links if (found := _doi_of(link))), "")
    arxiv_links = {found for link in links if (found := _arxiv_of(link))}
    if len(arxiv_links) > 1:
        first, second = sorted(arxiv_links)
        raise IdentityConflict(
            f"The work '{entry.title}' has arXiv ids {first} and {second}, which name two "
            "different arXiv papers: one work cannot be two."
        )
    try:
        identity = identity_of(doi=doi, arxiv_id=arxiv, url=url, work=entry.title)
    except IdentifierError:
        return Identity(), url, "", ""
    return identity, url, doi, arxiv


# --- Records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Matched:
    """An entry of the text matched to a known work."""

    line: int
    title: str
    entry: str  # the known entry's slug
    curriculum: str
    by: str  # "link" or "title"
    slug: str  # the new entry's slug


@dataclass
class Made:
    """What to_records made, for the report."""

    records: list[dict] = field(default_factory=list)
    matched: list[Matched] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Slugs:
    """Slugs unique across the database and the file: the title's, else the curriculum's slug
    before it, else that with -2, -3."""

    def __init__(self, prefix: str, taken: Iterable[str]):
        self.prefix = prefix
        self.taken = set(taken)

    def make(self, title: str) -> str:
        base = _short_slug(title) or "untitled"
        for candidate in (base, f"{self.prefix}-{base}"[:100]):
            if candidate not in self.taken:
                break
        else:
            n = 2
            while f"{candidate}-{n}" in self.taken:
                n += 1
            candidate = f"{candidate}-{n}"
        self.taken.add(candidate)
        return candidate


def _short_slug(title: str) -> str:
    slug = ""
    for word in slugify(title).split("-"):
        if slug and len(slug) + 1 + len(word) > SLUG_LENGTH:
            break
        slug = f"{slug}-{word}" if slug else word[:SLUG_LENGTH]
    return slug


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _lines(lines: Iterable[listtext.Line]) -> str:
    return "\n".join("  " * max(line.depth - 1, 0) + line.text for line in lines)


def to_records(
    parsed: listtext.ParsedList,
    *,
    slug: str,
    title: str,
    known: list[KnownWork] | None = None,
    taken_sections: Iterable[str] = (),
    taken_entries: Iterable[str] = (),
    position: int = 1,
) -> Made:
    """Fixture records for a DRAFT curriculum (no edition record) made from `parsed`.

    Sections keep the text's order (a tier its rank; a topic the next rank), entries theirs, with
    nested entries under their parent (one level deep, as the schema allows: a deeper one goes
    under its top-level ancestor, and the report says so). Each entry with a link or a match has
    one main work. Refused with ListImportError: a part advised twice in one entry, and
    identifiers that name two different works (an entry's own links, or links that name two
    known works)."""
    known = known or []
    made = Made()
    builder = _Builder(
        made,
        known,
        listtext.match_known(parsed, _by_title(known)),
        entry_slugs=_Slugs(slug, taken_entries),
    )
    if parsed.title is not None and parsed.title.text != title:
        made.notes.append(
            f"line {parsed.title.number}: the text's own title, “{parsed.title.text}”; the "
            f"curriculum is titled “{title}” (change it in admin if the text's is better)."
        )
    ranked = any(section.rank is not None for section in parsed.sections)
    made.records.append(
        {
            "model": fixture.CURRICULUM,
            "fields": {
                "slug": slug,
                "title": title,
                "author": "",
                "year": None,
                "source_url": "",
                "description": _lines(parsed.intro),
                "ordering": (Ordering.TIERS if ranked else Ordering.TOPICS).value,
                "position": position,
            },
        }
    )
    section_slugs = _Slugs(slug, taken_sections)
    rank = 0
    for top_position, section in enumerate(parsed.sections, start=1):
        if section.rank is not None:
            rank = section.rank
        elif ranked:
            rank = max(rank, 1)  # a heading without a rank in a list of tiers: this tier
        else:
            rank += 1
        parent = _section(made, section, section_slugs, rank, top_position, None)
        builder.entries(section, parent)
        for sub_position, child in enumerate(section.children, start=1):
            builder.entries(child, _section(made, child, section_slugs, rank, sub_position, parent))
    _order_sections_first(made)
    return made


def _order_sections_first(made: Made) -> None:
    """Sections before entries, so a subsection's entries never precede their section; entries
    keep the text's order among themselves (reading order is the records', not the file's)."""
    order = {fixture.CURRICULUM: 0, "catalogue.section": 1}
    made.records.sort(key=lambda record: order.get(record["model"], 2))


def _section(
    made: Made,
    section: listtext.ParsedSection,
    slugs: _Slugs,
    rank: int,
    position: int,
    parent: str | None,
) -> str:
    name = section.title or UNTITLED
    if not section.title:
        made.notes.append(
            f"The list has no headings: its entries are in one section named “{UNTITLED}”; "
            "rename it in admin."
        )
    slug = slugs.make(name)
    made.records.append(
        {
            "model": "catalogue.section",
            "fields": {
                "title": _clip(name, SECTION_TITLE_LENGTH),
                "slug": slug,
                "priority": rank,
                "position": position,
                "parent": [parent] if parent else None,
                "intro": _lines(section.intro),
            },
        }
    )
    return slug


class _Builder:
    """Makes the records of entries, their main works and their parts, matching each entry with
    a known work: by its links first, else by its exact title."""

    def __init__(self, made: Made, known: list[KnownWork], titled, *, entry_slugs: _Slugs):
        self.made = made
        self.index = _index(known)
        self.by_key = {item.key: item for item in known}
        self.by_title = {id(match.entry): match.key for match in titled}
        self.slugs = entry_slugs

    def entries(self, section: listtext.ParsedSection, section_slug: str) -> None:
        for position, entry in enumerate(section.entries, start=1):
            parent = self.entry(entry, section_slug, None, position)
            for child_position, child in enumerate(self.nested(entry), start=1):
                self.entry(child, section_slug, parent, child_position)

    def nested(self, entry: listtext.ParsedEntry) -> list[listtext.ParsedEntry]:
        """An entry's nested entries, those nested deeper brought up to one level."""
        found = []
        for child in entry.children:
            found.append(child)
            for deeper in self.nested(child):
                self.made.notes.append(
                    f"line {deeper.line}: “{deeper.title}” is nested two levels deep; it is "
                    f"nested under “{entry.title}” instead, as entries nest one level only."
                )
                found.append(deeper)
        return found

    def match(
        self, entry: listtext.ParsedEntry, identity: Identity
    ) -> tuple[KnownWork | None, str]:
        key = self.index.find(identity, name=entry.title) if identity else None
        if key is not None:
            return self.by_key[key], "link"
        key = self.by_title.get(id(entry))
        return (self.by_key[key], "title") if key is not None else (None, "")

    def entry(
        self, entry: listtext.ParsedEntry, section_slug: str, parent: str | None, position: int
    ) -> str:
        identity, url, doi, arxiv = _entry_identity(entry)
        match, how = self.match(entry, identity)
        slug = self.slugs.make(entry.title)
        name = entry.title
        fields = {
            "section": [section_slug],
            "parent": [parent] if parent else None,
            "position": position,
            "title": _clip(name, TITLE_LENGTH),
            "short_name": "",
            "slug": slug,
            "kind": Kind.PAPER.value,
            "url": url,
            "authors": "",
            "year": None,
            "summary": "",
            "commentary": "\n".join(
                text for text in (entry.note, _lines(entry.commentary)) if text
            ),
            "important": entry.important,
            "retired": False,
            "estimated_minutes": None,
        }
        work = None
        if url:
            work_kind, fields["kind"] = kinds_of(url)
            work = {
                "kind": work_kind, "title": fields["title"], "authors": [], "year": None,
                "month": None, "venue": "", "booktitle": "", "doi": doi, "arxiv_id": arxiv,
                "arxiv_class": "", "url": url, "volume": "", "issue": "", "number": "",
                "pages": "", "publisher": "", "guests": [],
            }  # fmt: skip
        if match is not None:
            self.made.matched.append(
                Matched(entry.line, name, match.entry, match.curriculum, how, slug)
            )
            if match.main:  # the known entry is this work's: its kind, authors, year and link
                fields.update({field: match.entry_fields[field] for field in ENTRY_BIBLIOGRAPHIC})
                fields["url"] = url or match.entry_fields["url"]
            known_title = match.work.get("title") or match.titles[0]
            fields["title"] = known_title
            if listtext.normalise_title(known_title) != listtext.normalise_title(name):
                fields["short_name"] = _clip(name, SHORT_NAME_LENGTH)
            if match.work:
                work = {field: match.work[field] for field in BIBLIOGRAPHIC}
                work["url"] = work["url"] or url
        if len(name) > (SHORT_NAME_LENGTH if fields["short_name"] else TITLE_LENGTH):
            # Clipped to fit: the name as the text gives it stays in full in the commentary.
            fields["commentary"] = "\n".join(filter(None, [name, fields["commentary"]]))
        self.made.records.append({"model": "catalogue.paper", "fields": fields})
        if match is not None and match.work_slug:
            # A known work is one row whoever cites it: cite it, never copy it.
            work, work_slug = None, match.work_slug
        else:
            work_slug = slug
        if work is not None:
            self.made.records.append({"model": "catalogue.work", "fields": {"slug": slug, **work}})
        if work is not None or (match is not None and match.work_slug):
            self.made.records.append(
                {
                    "model": "catalogue.citation",
                    "fields": {"entry": [slug], "work": [work_slug], "position": 1, "role": "main"},
                }
            )
        _parts(self.made, entry, slug)
        return slug


def _parts(made: Made, entry: listtext.ParsedEntry, slug: str) -> None:
    seen: dict[str, int] = {}
    labels = []
    for part in entry.parts:
        label = part.label or f"Part on line {part.line}"
        said = listtext.normalise_title(label)
        if said in seen:
            raise ListImportError(
                f"Line {part.line}: the entry “{entry.title}” (line {entry.line}) advises the "
                f"part “{label}” twice (first on line {seen[said]}); a part is advised once, "
                "at one level."
            )
        seen[said] = part.line
        labels.append(label)
    for position, (part, label, key) in enumerate(
        zip(entry.parts, labels, part_keys(labels), strict=True), start=1
    ):
        detail = "\n".join(text for text in (part.note, _lines(part.detail)) if text)
        link = part.link if part.link and _web_link(part.link) else ""
        if len(label) > PART_LENGTH:
            detail = "\n".join(filter(None, [label, detail]))
        made.records.append(
            {
                "model": "catalogue.advice",
                "fields": {
                    "paper": [slug],
                    "key": key,
                    "position": position,
                    "level": part.level,
                    "part": _clip(label, PART_LENGTH),
                    "detail": detail,
                    "deep_link": link,
                    "estimated_minutes": None,
                    "retired": False,
                },
            }
        )


# --- Loading ------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import made, and every line a curator should look at."""

    slug: str
    title: str
    parsed: listtext.ParsedList
    made: Made
    loaded: bool = False

    def counts(self) -> dict[str, int]:
        records = self.made.records
        papers = [r["fields"] for r in records if r["model"] == "catalogue.paper"]
        sections = [r["fields"] for r in records if r["model"] == "catalogue.section"]
        advice = [r["fields"] for r in records if r["model"] == "catalogue.advice"]
        counts = {
            "sections": len(sections),
            "subsections": sum(1 for s in sections if s["parent"]),
            "entries": len(papers),
            "nested": sum(1 for p in papers if p["parent"]),
            "important": sum(1 for p in papers if p["important"]),
            "works": sum(1 for r in records if r["model"] == "catalogue.work"),
            "parts": len(advice),
            "matched": len(self.made.matched),
        }
        for level in listtext.LEVELS:
            counts[level] = sum(1 for a in advice if a["level"] == level)
        return counts

    def lines(self) -> list[str]:
        n = self.counts()
        by_level = ", ".join(
            f"{n[level]} {listtext.LEVEL_NAMES[level]}" for level in listtext.LEVELS
        )
        verb = "Made" if self.loaded else "Would make"
        lines = [
            f"{verb} the draft curriculum “{self.title}” ({self.slug}), not published: "
            f"{n['sections']} sections ({n['subsections']} subsections), {n['entries']} "
            f"entries ({n['nested']} nested, {n['important']} marked most important), "
            f"{n['works']} works, {n['parts']} advised parts ({by_level}).",
            f"Matched to works already known: {n['matched']}.",
        ]
        lines += [
            f"  line {m.line}: {_clip(m.title, 60)} → {m.entry} ({m.curriculum}), by {m.by}"
            for m in self.made.matched
        ]
        lines += self.made.notes
        lines += listtext.report(self.parsed)
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _check_slug(slug: str) -> None:
    existing = Curriculum.objects.filter(slug=slug).first()
    if existing is not None:
        raise ListImportError(
            f"catalogue.curriculum {slug}: field 'slug': a curriculum “{existing.title}” already "
            "has this slug; two curricula cannot share a slug, so choose another."
        )


def plan(parsed: listtext.ParsedList, *, slug: str, title: str) -> ImportReport:
    """The records and report for `parsed`, read against the database without writing to it."""
    _check_slug(slug)
    try:
        made = to_records(
            parsed,
            slug=slug,
            title=title,
            known=known_works(),
            taken_sections=Section.objects.values_list("slug", flat=True),
            taken_entries=Paper.objects.values_list("slug", flat=True),
            position=(Curriculum.objects.aggregate(n=Max("position"))["n"] or 0) + 1,
        )
    except IdentityConflict as error:
        raise ListImportError(str(error)) from None
    return ImportReport(slug, title, parsed, made)


def import_parsed(parsed: listtext.ParsedList, *, slug: str, title: str) -> ImportReport:
    """Make the draft curriculum in one transaction: all of it, or (ListImportError) nothing."""
    with transaction.atomic():
        report = plan(parsed, slug=slug, title=title)
        try:
            fixture.load(report.made.records, source="")
        except fixture.CatalogueError as error:
            raise ListImportError(str(error)) from None
    report.loaded = True
    return report


def import_text(text: str, *, slug: str, title: str) -> ImportReport:
    """Read `text` (plain text with • bullets, or Markdown) and make it a draft curriculum."""
    try:
        parsed = listtext.parse(text)
    except listtext.ListTextError as error:
        raise ListImportError(str(error)) from None
    return import_parsed(parsed, slug=slug, title=title)


def import_bytes(data: bytes, *, slug: str, title: str, name: str = "The file") -> ImportReport:
    """As import_text, from an uploaded or read file's bytes."""
    try:
        text = listtext.decode(data, name)
    except listtext.ListTextError as error:
        raise ListImportError(str(error)) from None
    return import_text(text, slug=slug, title=title)
