"""The works the list names, as reference managers read them: BibTeX and CSL-JSON.

Every entry of the list holds one or more works (the main work and its companions). Each work
becomes one reference with a stable key made of its first author's family name, its year and the
first significant word of its title (`olah2020zoom`), so a key never changes while the work
stays the same, and two libraries that import the list agree on it.
"""

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote, urlencode

from catalogue.models import Level, Paper, Work, WorkKind, split_name

# Words a key skips when it looks for the first significant word of a title.
_STOP_WORDS = {
    "a", "an", "the", "of", "on", "in", "and", "for", "to", "toward", "towards", "with", "is",
    "are", "what", "how", "why", "we", "our", "its", "by", "at", "from", "into",
}  # fmt: skip
# Characters that mean something to BibTeX or LaTeX; escaped so admin-edited text cannot break an
# entry. A backslash, tilde or caret before a letter would be a command or an accent, so those
# become the commands that print them. Other characters, accents included, stay UTF-8.
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(char) for char in _BIBTEX_ESCAPES))
# A link is printed verbatim, so it is percent-encoded instead of escaped: only braces,
# backslashes and whitespace could end the field early or break the entry.
_URL_UNSAFE = re.compile(r"[{}\\\s]")
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

CSL_TYPES = {
    WorkKind.ARTICLE: "article-journal",
    WorkKind.CONFERENCE_PAPER: "paper-conference",
    WorkKind.PREPRINT: "article",
    WorkKind.BLOG_POST: "post-weblog",
    WorkKind.VIDEO: "motion_picture",
    WorkKind.NOTEBOOK: "software",
    WorkKind.CODE: "software",
    WorkKind.TOOL: "software",
    WorkKind.PODCAST: "broadcast",
    WorkKind.OTHER: "webpage",
}


def is_corporate(name: str) -> bool:
    """An organisation ("Anthropic") or a single-word pseudonym: BibTeX must not split it into
    given and family names, so it is braced whole."""
    return len(name.split()) == 1


def family_name(name: str) -> str:
    """ "Olah" for "Chris Olah", "El Showk" for "El Showk, Sheer" (a family name stored with
    its particle, as published)."""
    return name if is_corporate(name) else split_name(name)[1]


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def base_key(work: Work) -> str:
    """`olah2020zoom`: first author's family name, year, first significant title word."""
    author = _ascii_word(family_name(work.authors[0])) if work.authors else "anon"
    words = [_ascii_word(word) for word in re.split(r"[\s\-:/]+", work.title)]
    word = next((w for w in words if w and w not in _STOP_WORDS), "work")
    return f"{author or 'anon'}{work.year or ''}{word}"


def _suffix(n: int) -> str:
    """1 → a, 26 → z, 27 → aa: as many letters as the clash needs."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[rest] + letters
    return letters


def keys_for(works: Iterable[Work]) -> dict[int, str]:
    """Stable, unique keys: a clash gets a, b, c… in the list's order."""
    works = list(works)
    counts: dict[str, int] = {}
    for work in works:
        counts[base_key(work)] = counts.get(base_key(work), 0) + 1
    seen: dict[str, int] = {}
    keys = {}
    for work in works:
        key = base_key(work)
        if counts[key] > 1:
            seen[key] = seen.get(key, 0) + 1
            key += _suffix(seen[key])
        keys[work.pk] = key
    return keys


def works_of(paper: Paper) -> list[Work]:
    """The entry's works (prefetched), or, for an entry a curator has not described yet, one
    main work made from the entry's own fields, so that no entry is missing from an export."""
    works = paper.cited_works()
    if works:
        return works
    authors = [name.strip() for name in paper.authors.split(",") if name.strip()]
    kind = WorkKind.CODE if paper.kind == "codebase" else WorkKind.OTHER
    if paper.kind == "paper":
        kind = WorkKind.PREPRINT
    return [
        _cited(Work(pk=-paper.pk, slug=paper.slug, kind=kind, title=paper.title,
                    authors=authors, year=paper.year, url=paper.url))
    ]  # fmt: skip


def _cited(work: Work) -> Work:
    """A made-up main work carries a citation's role and position, as cited works do."""
    work.role, work.position = Work.Role.MAIN, 1
    return work


def _bib(value: str) -> str:
    # One line per field: BibTeX treats a blank line inside a value as the end of a paragraph.
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES[m.group()], " ".join(value.split()))


def _bib_url(url: str) -> str:
    return _URL_UNSAFE.sub(lambda match: f"%{ord(match.group()):02X}", url)


def _bib_authors(authors: list[str]) -> str:
    """BibTeX names; "El Showk, Sheer" stays in BibTeX's own "Family, Given" form, so a family
    name of two words is never split."""
    names = []
    for name in authors:
        if name == "et al.":
            names.append("others")
        elif is_corporate(name):
            names.append("{" + _bib(name) + "}")
        else:
            names.append(_bib(name))
    return " and ".join(names)


def advised_depth(paper: Paper) -> str:
    """What the list advises, in a few words: "2 parts to engage with deeply, 1 to skim"."""
    counts = [(level, sum(1 for a in paper.advice.all() if a.level == level)) for level in Level]
    said = [f"{n} {level.label.lower()}" for level, n in counts if n]
    return "; ".join(said) if said else "read it whole"


def _note(paper: Paper, work: Work, main_key: str) -> str:
    if work.role == Work.Role.COMPANION:
        return f"Companion to {main_key} on the mireads list ({paper.name})"
    tier = paper.section.parent or paper.section
    note = f"mireads reading list, priority {tier.priority} ({tier.title}): {paper.name}."
    # Only advice the list gives part by part is worth carrying into a library.
    if paper.advice.all():
        note += f" Advised: {advised_depth(paper)}"
    return note


def _bibtex_fields(work: Work) -> tuple[str, list[tuple[str, str]]]:
    fields = [("title", "{" + _bib(work.title) + "}")]
    if work.authors:
        fields.append(("author", _bib_authors(work.authors)))
    if work.kind == WorkKind.ARTICLE and work.venue:
        entry_type = "article"
        fields.append(("journal", _bib(work.venue)))
    elif work.kind == WorkKind.CONFERENCE_PAPER and (work.booktitle or work.venue):
        entry_type = "inproceedings"
        fields.append(("booktitle", _bib(work.booktitle or work.venue)))
    else:
        entry_type = "misc"
        if work.venue:
            fields.append(("howpublished", _bib(work.venue)))
    if work.volume:
        fields.append(("volume", _bib(work.volume)))
    if work.issue:
        fields.append(("number", _bib(work.issue)))
    if work.number and entry_type == "article":
        fields.append(("eid", _bib(work.number)))  # biblatex's article number
    elif work.number:
        fields.append(("number", _bib(work.number)))
    if work.pages:
        fields.append(("pages", _bib(work.pages.replace("\N{EN DASH}", "--"))))
    if work.publisher:
        fields.append(("publisher", _bib(work.publisher)))
    if work.year:
        fields.append(("year", str(work.year)))
    if work.month:
        fields.append(("month", MONTHS[work.month - 1]))
    if work.doi:
        # biblatex reads a DOI verbatim, as it reads a URL: escaping it would break the link.
        fields.append(("doi", _bib_url(work.doi)))
    if work.arxiv_id:
        fields.append(("eprint", work.arxiv_id))
        fields.append(("archivePrefix", "arXiv"))
        if work.arxiv_class:
            fields.append(("primaryClass", work.arxiv_class))
    if work.url:
        fields.append(("url", _bib_url(work.url)))
    return entry_type, fields


def _bibtex_note(paper: Paper, work: Work, main_key: str) -> str:
    note = _note(paper, work, main_key)
    if work.guests:
        note = (
            f"Guest: {', '.join(display for display in work.people[len(work.authors) :])}. {note}"
        )
    return note


def bibtex(papers: Iterable[Paper]) -> str:
    """One BibTeX entry per work, in reading order (each entry's main work first)."""
    papers = list(papers)
    keys = keys_for(work for paper in papers for work in works_of(paper))
    entries = []
    for paper in papers:
        main_key = next((keys[w.pk] for w in works_of(paper) if w.role == Work.Role.MAIN), "")
        for work in works_of(paper):
            entry_type, fields = _bibtex_fields(work)
            fields.append(("note", "{" + _bib(_bibtex_note(paper, work, main_key)) + "}"))
            body = ",\n".join(
                # A month is BibTeX's own macro (jan, feb…), the note is braced already.
                f"  {name} = {value}" if name in ("month", "note") else f"  {name} = {{{value}}}"
                for name, value in fields
            )
            entries.append(f"@{entry_type}{{{keys[work.pk]},\n{body}\n}}\n")
    return "\n".join(entries)


def _csl_name(name: str) -> dict:
    if is_corporate(name) or name == "et al.":
        return {"literal": name}
    given, family = split_name(name)
    return {"given": given, "family": family}


def _csl_names(names: list[str]) -> list[dict]:
    return [_csl_name(name) for name in names if name != "et al."]


def csl_item(work: Work, key: str, note: str) -> dict:
    """One CSL-JSON item, with the types and fields Zotero's own translators give such a work
    (Zotero's schema maps them back: broadcast -> podcast, article -> preprint, software ->
    computer program). A journal's or a conference's work keeps its arXiv id out of `number`,
    which styles print as an article number; only a preprint is numbered by arXiv."""
    kind = WorkKind(work.kind)
    item = {"id": key, "type": CSL_TYPES[kind], "title": work.title}
    # A podcast's hosts are its authors: Zotero imports an author as a podcast's primary
    # creator (podcaster), and processors without CSL 1.0.2's `host` still print them.
    if work.authors:
        item["author"] = _csl_names(work.authors)
    if work.guests:
        item["guest"] = _csl_names(work.guests)
    if work.year:
        parts = [work.year, work.month] if work.month else [work.year]
        item["issued"] = {"date-parts": [parts]}
    if kind == WorkKind.PODCAST:
        if work.venue:
            item["collection-title"] = work.venue
    elif work.booktitle or work.venue:
        item["container-title"] = work.booktitle or work.venue
    if kind == WorkKind.VIDEO:
        item["genre"] = "Video"
    # Zotero reads a broadcast with a publisher as a TV broadcast; a podcast names its series.
    publisher = "" if kind == WorkKind.PODCAST else work.publisher
    for name, value in (
        ("volume", work.volume), ("issue", work.issue), ("page", work.pages),
        ("publisher", publisher), ("DOI", work.doi), ("URL", work.url),
    ):  # fmt: skip
        if value:
            item[name] = value
    if work.number:
        item["number"] = work.number
    elif kind == WorkKind.PREPRINT and work.arxiv_id:
        item["number"] = f"arXiv:{work.arxiv_id}"
    item["note"] = note
    return item


def csl_json(papers: Iterable[Paper]) -> list[dict]:
    """CSL-JSON items (what Zotero and Pandoc read), one per work, in reading order."""
    papers = list(papers)
    keys = keys_for(work for paper in papers for work in works_of(paper))
    items = []
    for paper in papers:
        main_key = next((keys[w.pk] for w in works_of(paper) if w.role == Work.Role.MAIN), "")
        for work in works_of(paper):
            items.append(csl_item(work, keys[work.pk], _note(paper, work, main_key)))
    return items


# What Zotero calls each kind of work (its schema's item types).
ZOTERO_TYPES = {
    WorkKind.ARTICLE: "journalArticle",
    WorkKind.CONFERENCE_PAPER: "conferencePaper",
    WorkKind.PREPRINT: "preprint",
    WorkKind.BLOG_POST: "blogPost",
    WorkKind.VIDEO: "videoRecording",
    WorkKind.NOTEBOOK: "computerProgram",
    WorkKind.CODE: "computerProgram",
    WorkKind.TOOL: "computerProgram",
    WorkKind.PODCAST: "podcast",
    WorkKind.OTHER: "webpage",
}


def _inverted(name: str) -> str:
    """ "Olah, Chris": the form Highwire, Dublin Core and OpenURL readers split without guessing
    where a family name of two words begins."""
    if is_corporate(name):
        return name
    given, family = split_name(name)
    return f"{family}, {given}" if given else family


def _first_and_last_page(work: Work) -> tuple[str, str]:
    if work.pages:
        first, _, last = work.pages.replace("\N{EN DASH}", "-").partition("-")
        return first.strip(), last.strip()
    return work.number, ""  # an article number stands for the pages, as Distill and PNAS do


def meta_tags(work: Work) -> list[tuple[str, str]]:
    """The <meta> tags of a work's page, as (name, content).

    A journal article or a conference paper gets Highwire `citation_*` tags, which Zotero's
    Embedded Metadata import reads as that type. Any other work gets none of them (Zotero would
    save it as a journal article without a journal) but Dublin Core, whose DC.type names
    Zotero's own item type (preprint, podcast, videoRecording, computerProgram, blogPost).
    """
    kind = WorkKind(work.kind)
    date = f"{work.year}-{work.month:02d}" if work.year and work.month else str(work.year or "")
    if kind in (WorkKind.ARTICLE, WorkKind.CONFERENCE_PAPER):
        tags = [("citation_title", work.title)]
        tags += [("citation_author", _inverted(n)) for n in work.authors if n != "et al."]
        if work.date:
            tags.append(("citation_publication_date", work.date))
        if kind == WorkKind.ARTICLE and work.venue:
            tags.append(("citation_journal_title", work.venue))
        elif kind == WorkKind.CONFERENCE_PAPER and (work.booktitle or work.venue):
            tags.append(("citation_conference_title", work.booktitle or work.venue))
        first, last = _first_and_last_page(work)
        for name, value in (
            ("citation_volume", work.volume), ("citation_issue", work.issue),
            ("citation_firstpage", first), ("citation_lastpage", last),
            ("citation_publisher", work.publisher), ("citation_doi", work.doi),
            ("citation_arxiv_id", work.arxiv_id), ("citation_public_url", work.url),
        ):  # fmt: skip
            if value:
                tags.append((name, value))
        return tags
    tags = [("DC.type", ZOTERO_TYPES[kind]), ("DC.title", work.title)]
    tags += [("DC.creator", _inverted(n)) for n in work.authors if n != "et al."]
    tags += [("DC.contributor", _inverted(n)) for n in work.guests]
    for name, value in (
        ("DC.date", date), ("DC.publisher", work.publisher),
        ("DC.identifier", f"urn:doi:{work.doi}" if work.doi else ""),
        ("DC.identifier", work.url),
    ):  # fmt: skip
        if value:
            tags.append((name, value))
    return tags


def coins(work: Work) -> str:
    """The work as an OpenURL ContextObject (COinS), the form Zotero's COinS import reads: a
    page holding several of them lets Zotero save every one at once."""
    kind = WorkKind(work.kind)
    date = f"{work.year}-{work.month:02d}" if work.year and work.month else str(work.year or "")
    pairs = [("ctx_ver", "Z39.88-2004")]
    if kind == WorkKind.ARTICLE and work.venue:
        pairs += [("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"), ("rft.genre", "article"),
                  ("rft.atitle", work.title), ("rft.jtitle", work.venue)]  # fmt: skip
    elif kind == WorkKind.CONFERENCE_PAPER and (work.booktitle or work.venue):
        pairs += [("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"), ("rft.genre", "proceeding"),
                  ("rft.atitle", work.title),
                  ("rft.btitle", work.booktitle or work.venue)]  # fmt: skip
    else:
        pairs += [("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc"), ("rft.type", ZOTERO_TYPES[kind]),
                  ("rft.title", work.title)]  # fmt: skip
    pairs += [("rft.au", _inverted(n)) for n in work.authors if n != "et al."]
    first, last = _first_and_last_page(work)
    for name, value in (
        ("rft.date", date), ("rft.volume", work.volume), ("rft.issue", work.issue),
        ("rft.spage", first), ("rft.epage", last), ("rft.pub", work.publisher),
        ("rft_id", f"info:doi/{work.doi}" if work.doi else ""), ("rft_id", work.url),
    ):  # fmt: skip
        if value:
            pairs.append((name, value))
    return urlencode(pairs, quote_via=quote)
