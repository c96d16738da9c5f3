"""Read an annotated reading list from the text its author wrote it in.

Two shapes are read: plain text with `•` bullets and indentation (the shipped list's own source,
../shared/seed/), and Markdown with `-`/`*` bullets, `#` headings, `**bold**` for the curator's
"most important" mark and `[text](url)` links (a task list's boxes, "- [x]", are read as plain
bullets: ticked or not is the writer's own progress, not the list's). Headings become sections
("Priority 2: ..." a tier of rank 2, any other heading a topic or stage; a heading under another
a subsection), top-level bullets entries, nested bullets nested entries (when they start with a
link) or commentary, and the bullet groups "Deeply engage with:", "Skim:", "Skim or skip:" and
"Skip:" advised parts.

Two rules hold throughout. Nothing is dropped: every non-blank line ends up in exactly one place
(the list's title or intro, a section's heading or intro, an entry, an advice heading, a part or
its detail, commentary, or `unplaced` with the reason). Nothing is guessed: advice said only in a
sentence, a work named without a link, a bold word that may or may not be the "most important"
mark, all stay where the text put them and are also listed in `to_confirm` for a curator.

This module knows nothing about the database: `parse` returns frozen dataclasses, `match_known`
pairs entries with works the caller already knows, `summary` and `report` describe the result.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

# The values of catalogue.models.Level; a test keeps the two in step without importing Django here.
LEVELS = ("deep", "skim", "skim_or_skip", "skip")
LEVEL_NAMES = {
    "deep": "deeply engage with",
    "skim": "skim",
    "skim_or_skip": "skim or skip",
    "skip": "skip",
}
ADVICE_HEADINGS = {name: level for level, name in LEVEL_NAMES.items()}

# A reading list is a few hundred lines; a file far larger, or a line far longer, is something
# else (and the Markdown patterns need not be fed pathological lines).
MAX_BYTES = 2_000_000
MAX_LINE = 20_000
TAB_WIDTH = 4


class ListTextError(ValueError):
    """The file cannot be read as a reading list at all; the message is one sentence."""


@dataclass(frozen=True)
class Line:
    """One line of the source: its number (from 1), its text as written (Markdown and links
    kept) without the bullet, and how deep it sits below the entry or part that owns it
    (1 = directly under)."""

    number: int
    text: str
    depth: int = 0


@dataclass(frozen=True)
class ParsedPart:
    """A part the list advises at one level, under one of the four advice headings."""

    level: str
    label: str
    detail: tuple[Line, ...]
    link: str | None
    line: int
    note: str = ""  # the rest of the part's own line after its label


@dataclass(frozen=True)
class ParsedEntry:
    """An entry: a work the list names, with its advice, commentary and nested entries."""

    title: str
    links: tuple[str, ...]
    important: bool
    parts: tuple[ParsedPart, ...]
    commentary: tuple[Line, ...]
    children: tuple[ParsedEntry, ...]
    line: int
    note: str = ""  # the rest of the entry's own line after its title
    headings: tuple[Line, ...] = ()  # the advice heading lines its parts were under


@dataclass(frozen=True)
class ParsedSection:
    """A tier (rank given) or a topic or stage section, with its subsections and entries."""

    title: str
    rank: int | None
    kind: str  # "tier" or "topic"
    children: tuple[ParsedSection, ...]
    entries: tuple[ParsedEntry, ...]
    line: int | None  # None only for the one untitled section of a list without headings
    intro: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Unplaced:
    """A line the parser could not put anywhere, and why."""

    line_number: int
    text: str
    reason: str


@dataclass(frozen=True)
class ToConfirm:
    """A line that was placed, but says something a curator should decide on."""

    line_number: int
    text: str
    reason: str


@dataclass(frozen=True)
class ParsedList:
    """The whole list: sections in order, and what a curator must look at."""

    sections: tuple[ParsedSection, ...]
    unplaced: tuple[Unplaced, ...]
    to_confirm: tuple[ToConfirm, ...]
    intro: tuple[Line, ...] = ()
    title: Line | None = None  # a Markdown document title: one top heading above all others
    format: str = "text"  # "text" or "markdown"

    def all_sections(self) -> Iterator[ParsedSection]:
        """Every section, each followed by its subsections, in the list's order."""

        def walk(sections: Iterable[ParsedSection]) -> Iterator[ParsedSection]:
            for section in sections:
                yield section
                yield from walk(section.children)

        return walk(self.sections)

    def all_entries(self) -> Iterator[ParsedEntry]:
        """Every entry in reading order, each followed by its nested entries."""

        def walk(entries: Iterable[ParsedEntry]) -> Iterator[ParsedEntry]:
            for entry in entries:
                yield entry
                yield from walk(entry.children)

        for section in self.all_sections():
            yield from walk(section.entries)


# --- Reading the file -------------------------------------------------------------------------


def decode(data: bytes, name: str = "The file") -> str:
    """The text of an uploaded or read file, or ListTextError if it is not text at all."""
    if not data.strip():
        raise ListTextError(f"{name} is empty.")
    if len(data) > MAX_BYTES:
        raise ListTextError(
            f"{name} is {len(data):,} bytes, more than the {MAX_BYTES:,} a reading list needs."
        )
    if b"\x00" in data:
        raise ListTextError(f"{name} holds binary data, not text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ListTextError(
            f"{name} is not UTF-8 text (the byte at offset {error.start} is not valid UTF-8)."
        ) from None


def read_file(path: Path | str) -> ParsedList:
    """Parse the list in the file at `path`; ListTextError if it cannot be read as one."""
    path = Path(path)
    name = f"{path.name}"
    if not path.is_file():
        raise ListTextError(f"{name} does not exist or is not a file.")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ListTextError(f"{name} cannot be read ({error.strerror}).") from None
    return parse(decode(data, name))


# --- Lines ----------------------------------------------------------------------------------

MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
BULLET = re.compile(
    r"^(?P<indent>\s*)(?:(?P<glyph>[•◦▪‣○●■□·])\s*|(?P<mark>[-*+]|\d{1,3}[.)])(?:\s+|$))(?P<text>.*)$"
)
TASK_BOX = re.compile(r"^\[[ xX]\]\s+")
# "Priority 2: Title", "Priority 2 - Title", "Priority 2"; not "Priority 2 of mine is ...".
TIER = re.compile(r"^priority\s+(\d{1,3})(?:\s*[:.\-\u2013\u2014]\s*(.*)|\s*)$", re.IGNORECASE)
MD_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
BARE_URL = re.compile(r"\bhttps?://[^\s<>()\[\]]+")
BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
EMPHASIS = re.compile(r"(?<![*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?![*\w])")
DASH = re.compile(r"\s+[-\u2013\u2014]\s+")  # a hyphen, en dash or em dash between spaces


@dataclass
class _Raw:
    number: int
    indent: int
    kind: str  # "heading", "bullet", "text", "rule"
    text: str
    level: int = 0  # a heading's level, 1 the highest


@dataclass
class _Node:
    raw: _Raw
    children: list[_Node]


def _classify(number: int, line: str) -> _Raw:
    line = line.expandtabs(TAB_WIDTH).rstrip()
    indent = len(line) - len(line.lstrip())
    if heading := MD_HEADING.match(line):
        return _Raw(number, indent, "heading", heading.group(2).strip(), len(heading.group(1)))
    if RULE.match(line):
        return _Raw(number, indent, "rule", line.strip())
    if bullet := BULLET.match(line):
        # A task list's box ("- [x] ...") is the writer's own progress, not the list's content.
        text = TASK_BOX.sub("", bullet.group("text").strip())
        return _Raw(number, len(bullet.group("indent")), "bullet", text)
    return _Raw(number, indent, "text", line.strip())


def plain(text: str) -> str:
    """Text without Markdown's marks: links become their text, bold and emphasis their words."""
    text = MD_LINK.sub(lambda m: m.group(1), text)
    text = AUTOLINK.sub(lambda m: m.group(1), text)
    text = BOLD.sub(lambda m: m.group(2), text)
    text = EMPHASIS.sub(lambda m: m.group(1), text)
    text = text.replace("`", "")
    return " ".join(text.split())


def links_in(text: str) -> tuple[str, ...]:
    """The links a line carries, in order, each once: Markdown links, <autolinks>, bare URLs."""
    found: list[str] = []
    for match in MD_LINK.finditer(text):
        found.append(match.group(2))
    rest = MD_LINK.sub(" ", text)
    for match in AUTOLINK.finditer(rest):
        found.append(match.group(1))
    rest = AUTOLINK.sub(" ", rest)
    for match in BARE_URL.finditer(rest):
        found.append(match.group(0).rstrip(".,;:!?'\""))
    return tuple(dict.fromkeys(found))


def _tier(text: str) -> tuple[int, str] | None:
    match = TIER.match(plain(text).strip("* "))
    if not match:
        return None
    rank, title = int(match.group(1)), (match.group(2) or "").strip().rstrip(":").strip()
    return rank, title or f"Priority {rank}"


def _looks_like_heading(text: str) -> bool:
    """A plain-text line short enough, and unfinished enough, to be a heading."""
    words = plain(text).split()
    return 0 < len(words) <= 12 and not plain(text).endswith((".", ",", ";", "!"))


def _advice_heading(text: str) -> tuple[str, str] | None:
    """(level, the text after the colon) for "Skim:", "Deeply engage with: ..." and the like."""
    cleaned = plain(text)
    match = re.match(r"^([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$", cleaned)
    if not match:
        return None
    level = ADVICE_HEADINGS.get(" ".join(match.group(1).lower().split()))
    return (level, match.group(2).strip()) if level else None


def _starts_with_link(text: str) -> bool:
    return bool(re.match(r"^(?:\*\*|__)?\s*\[", text.strip()))


# --- What a line says that a curator should check -----------------------------------------------

ADVICE_IN_PROSE = re.compile(
    r"\b(deep(?:ly)?[ -]engag\w*|engag\w* deeply|skim\w*|skip(?:s|ped|ping)?\b|"
    r"read (?:it |this |them )?closely|worth reading)",
    re.IGNORECASE,
)
COMPANION_WORDS = re.compile(
    r"\b(walkthrough|video|blog post|colab|notebook|podcast|tutorial|slides|lecture)\b",
    re.IGNORECASE,
)
QUOTED = re.compile(r"[“\"]([^”\"]{3,120})[”\"]")
IS_A_WORK = re.compile(
    r"^(.{3,100}?) is an? (?:[\w-]+ ){0,3}?(?:paper|post|article|essay|survey|video|talk|book|"
    r"tutorial|walkthrough|codebase|library)\b"
)


def _title_case(text: str) -> bool:
    words = re.findall(r"[A-Za-z][\w'\u2019-]*", text)
    long_words = [word for word in words if len(word) >= 4]
    return len(words) >= 2 and bool(long_words) and all(w[0].isupper() for w in long_words)


def _companion(text: str) -> str | None:
    """The name of a work a commentary line seems to introduce without a link, if it does."""
    text = plain(text)
    head = DASH.split(text, maxsplit=1)
    # "Branch Specialisation - networks learn...": a short or title-case name, then a dash.
    if (
        len(head) == 2
        and head[0][:1].isupper()
        and (len(head[0].split()) <= 4 or _title_case(head[0]))
        and len(head[0].split()) <= 10
    ):
        return head[0]
    if (match := IS_A_WORK.match(text)) and _title_case(match.group(1)):
        return match.group(1)
    for quoted in QUOTED.findall(text):
        if _title_case(quoted):
            return quoted.strip()
    if match := COMPANION_WORDS.search(text):
        return match.group(1)
    return None


# --- Building the list ------------------------------------------------------------------------


@dataclass
class _SectionBuilder:
    raw: _Raw | None
    level: int
    title: str
    rank: int | None
    intro: list[Line]
    bullets: list[_Raw]
    children: list[_SectionBuilder]


class _Parser:
    def __init__(self, text: str):
        if "\x00" in text:
            raise ListTextError("The text holds binary data, not text.")
        text = text.removeprefix("\ufeff")
        if not text.strip():
            raise ListTextError("The text is empty.")
        lines = text.splitlines()
        for number, line in enumerate(lines, start=1):
            if len(line) > MAX_LINE:
                raise ListTextError(
                    f"Line {number} is {len(line):,} characters long, more than the "
                    f"{MAX_LINE:,} a line of a reading list needs."
                )
        self.raws = [
            _classify(number, line) for number, line in enumerate(lines, start=1) if line.strip()
        ]
        self.unplaced: list[Unplaced] = []
        self.to_confirm: list[ToConfirm] = []
        self.markdown = any(raw.kind == "heading" for raw in self.raws)
        if not self.markdown:
            self._find_plain_headings()
        if not any(raw.kind in ("heading", "bullet") for raw in self.raws):
            raise ListTextError(
                "The text has no heading and no bullet, so there is no list in it to read."
            )

    def _find_plain_headings(self) -> None:
        """In plain text a heading is an unindented line that names a tier ("Priority 2: ...") or
        is short, does not end a sentence, and has bullets (or a tier) right after it."""
        tier_open = False
        for index, raw in enumerate(self.raws):
            if raw.kind != "text" or raw.indent:
                continue
            following = self.raws[index + 1] if index + 1 < len(self.raws) else None
            if _tier(raw.text):
                raw.kind, raw.level, tier_open = "heading", 1, True
            elif (
                following
                and (
                    following.kind == "bullet"
                    or (following.kind == "text" and not following.indent and _tier(following.text))
                )
                and _looks_like_heading(raw.text)
            ):
                raw.kind, raw.level = "heading", 2 if tier_open else 1

    def _unplace(self, raw: _Raw, reason: str) -> None:
        self.unplaced.append(Unplaced(raw.number, raw.text, reason))

    def _confirm(self, number: int, text: str, reason: str) -> None:
        self.to_confirm.append(ToConfirm(number, text, reason))

    def run(self) -> ParsedList:
        headings = [raw for raw in self.raws if raw.kind == "heading"]
        document_title = None
        if self.markdown and len(headings) > 1:
            top = headings[0]
            if all(other.level > top.level for other in headings[1:]):
                document_title = top
        intro: list[Line] = []
        roots: list[_SectionBuilder] = []
        stack: list[_SectionBuilder] = []
        current: _SectionBuilder | None = None
        for raw in self.raws:
            if raw is document_title:
                continue
            if raw.kind == "heading":
                tier = _tier(raw.text)
                title = tier[1] if tier else plain(raw.text).rstrip(":").strip()
                current = _SectionBuilder(
                    raw, raw.level, title, tier[0] if tier else None, [], [], []
                )
                while stack and stack[-1].level >= raw.level:
                    stack.pop()
                (stack[-1].children if stack else roots).append(current)
                stack.append(current)
            elif raw.kind == "rule":
                self._unplace(raw, "A horizontal rule: it separates parts of the page, no more.")
            elif current is None:
                if raw.kind == "bullet" and headings:
                    self._unplace(
                        raw,
                        "A bullet before the first section heading, so under no section of the "
                        "list.",
                    )
                elif raw.kind == "bullet":
                    current = _SectionBuilder(None, 1, "", None, [], [raw], [])
                    roots.append(current)
                    self._confirm(
                        raw.number,
                        raw.text,
                        "The list has no headings: its entries are in one untitled section, "
                        "to be named.",
                    )
                else:
                    intro.append(Line(raw.number, raw.text))
            elif raw.kind == "bullet" or (raw.indent and current.bullets):
                current.bullets.append(raw)
            elif not current.bullets:
                current.intro.append(Line(raw.number, raw.text))
            else:
                where = f"“{current.title}”" if current.title else "the list"
                self._unplace(
                    raw,
                    f"Prose after the entries of {where}, outside any bullet, so not part of "
                    "any entry.",
                )
        sections = tuple(self._section(builder) for builder in roots)
        order = {id(u): i for i, u in enumerate(self.unplaced)}
        return ParsedList(
            sections=sections,
            unplaced=tuple(sorted(self.unplaced, key=lambda u: (u.line_number, order[id(u)]))),
            to_confirm=tuple(sorted(self.to_confirm, key=lambda c: c.line_number)),
            intro=tuple(intro),
            title=Line(document_title.number, plain(document_title.text))
            if document_title
            else None,
            format="markdown" if self.markdown else "text",
        )

    def _section(self, builder: _SectionBuilder) -> ParsedSection:
        entries = []
        for node in _tree(builder.bullets):
            entry = self._top_level(node)
            if entry:
                entries.append(entry)
        return ParsedSection(
            title=builder.title,
            rank=builder.rank,
            kind="tier" if builder.rank is not None else "topic",
            children=tuple(self._section(child) for child in builder.children),
            entries=tuple(entries),
            line=builder.raw.number if builder.raw else None,
            intro=tuple(builder.intro),
        )

    def _unplace_tree(self, node: _Node, reason: str) -> None:
        self._unplace(node.raw, reason)
        for child in node.children:
            self._unplace_tree(child, reason)

    def _top_level(self, node: _Node) -> ParsedEntry | None:
        raw = node.raw
        if raw.kind != "bullet":
            self._unplace_tree(node, "Prose between entries, under no bullet.")
            return None
        if not plain(raw.text):
            self._unplace(raw, "An empty bullet.")
            for child in node.children:
                self._unplace_tree(child, "Under an empty bullet, so under no entry.")
            return None
        if _advice_heading(raw.text):
            self._unplace(raw, "An advice heading outside any entry, so it advises nothing.")
            for child in node.children:
                self._unplace_tree(child, "Under an advice heading outside any entry.")
            return None
        return self._entry(node)

    def _entry(self, node: _Node) -> ParsedEntry:
        raw = node.raw
        title, note, important, stray_bold = _entry_title(raw.text)
        if stray_bold:
            self._confirm(
                raw.number,
                raw.text,
                f"Bold text (“{stray_bold}”) that is not the entry's title: mark the entry most "
                "important if that is what it means.",
            )
        if note:
            self._check_prose(raw.number, raw.text, note)
        remark = re.search(r"\(([^()]*)\)\s*$", title)
        if remark and (COMPANION_WORDS.search(remark.group(1)) or remark.group(1).startswith("+")):
            self._confirm(
                raw.number,
                raw.text,
                f"The title's remark (“{remark.group(1)}”) may name a companion work without a "
                "link: add it as a second work, with its link, if it is one.",
            )
        content = _Content()
        self._content(node.children, 1, content)
        return ParsedEntry(
            title=title,
            links=links_in(raw.text),
            important=important,
            parts=tuple(content.parts),
            commentary=tuple(content.commentary),
            children=tuple(content.children),
            line=raw.number,
            note=note,
            headings=tuple(content.headings),
        )

    def _content(self, nodes: list[_Node], depth: int, content: _Content) -> None:
        for node in nodes:
            raw = node.raw
            advice = _advice_heading(raw.text) if raw.kind == "bullet" else None
            if advice:
                self._advice_group(node, *advice, content)
            elif raw.kind == "bullet" and _starts_with_link(raw.text):
                content.children.append(self._entry(node))
            else:
                content.commentary.append(Line(raw.number, raw.text, depth))
                self._check_prose(raw.number, raw.text, raw.text)
                self._check_companion(raw.number, raw.text)
                self._content(node.children, depth + 1, content)

    def _advice_group(self, node: _Node, level: str, inline: str, content: _Content) -> None:
        raw = node.raw
        if not inline and not node.children:
            self._unplace(
                raw,
                f"An advice heading (“{LEVEL_NAMES[level].capitalize()}”) with nothing under "
                "it, so it names no part.",
            )
            return
        if inline:
            label, note = _part_label(inline)
            self._check_part_links(raw)
            content.parts.append(
                ParsedPart(level, label, (), _first(links_in(raw.text)), raw.number, note)
            )
        else:
            content.headings.append(Line(raw.number, plain(raw.text)))
        for child in node.children:
            nested = _advice_heading(child.raw.text) if child.raw.kind == "bullet" else None
            if nested:
                self._advice_group(child, *nested, content)
                continue
            label, note = _part_label(child.raw.text)
            self._check_part_links(child.raw)
            content.parts.append(
                ParsedPart(
                    level=level,
                    label=label,
                    detail=tuple(_flatten(child.children, 1)),
                    link=_first(links_in(child.raw.text)),
                    line=child.raw.number,
                    note=note,
                )
            )

    def _check_part_links(self, raw: _Raw) -> None:
        links = links_in(raw.text)
        if len(links) > 1:
            self._confirm(
                raw.number,
                raw.text,
                f"A part's line with {len(links)} links: the first is kept as the part's link, "
                "the others only in its text.",
            )

    def _check_prose(self, number: int, text: str, said: str) -> None:
        if match := ADVICE_IN_PROSE.search(plain(said)):
            self._confirm(
                number,
                text,
                f"Advice given in a sentence (“{match.group(0)}”), not under an advice "
                "heading: add it as a part if that is what it advises.",
            )

    def _check_companion(self, number: int, text: str) -> None:
        if links_in(text):
            self._confirm(
                number,
                text,
                "A link inside commentary: make it a nested entry if it names a work of its own.",
            )
        elif name := _companion(text):
            self._confirm(
                number,
                text,
                f"May name a companion work (“{name}”) without a link: add it as a nested entry, "
                "with its link, if it is one.",
            )


@dataclass
class _Content:
    """What an entry's nested lines make, gathered while walking them."""

    parts: list[ParsedPart] = field(default_factory=list)
    commentary: list[Line] = field(default_factory=list)
    children: list[ParsedEntry] = field(default_factory=list)
    headings: list[Line] = field(default_factory=list)


def _tree(raws: list[_Raw]) -> list[_Node]:
    """Nest lines by indentation: a line belongs to the nearest bullet above it indented less."""
    roots: list[_Node] = []
    stack: list[_Node] = []
    for raw in raws:
        node = _Node(raw, [])
        while stack and stack[-1].raw.indent >= raw.indent:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        if raw.kind == "bullet":
            stack.append(node)
    return roots


def _flatten(nodes: list[_Node], depth: int) -> Iterator[Line]:
    for node in nodes:
        yield Line(node.raw.number, node.raw.text, depth)
        yield from _flatten(node.children, depth + 1)


def _first(links: tuple[str, ...]) -> str | None:
    return links[0] if links else None


def _entry_title(text: str) -> tuple[str, str, bool, str]:
    """(title, the rest of the line, marked most important, bold text that is not the title).
    The title is the entry's leading link text or bold text, else the line up to a dash."""
    text = text.strip()
    important = False
    head, tail = text, ""
    bold = re.match(r"^(\*\*|__)(?=\S)(.+?)(?<=\S)\1(.*)$", text)
    if bold:
        important, head, tail = True, bold.group(2), bold.group(3)
    link = MD_LINK.match(head.strip())
    if link:
        if BOLD.fullmatch(link.group(1).strip()):
            important = True
        title, rest = plain(link.group(1)), head.strip()[link.end() :] + tail
        unexplained = rest
    elif bold:
        title, rest = plain(head), tail
        unexplained = rest
    else:
        title, _, rest = _split_dash(plain(head))
        unexplained = text
    stray = next((m.group(2) for m in BOLD.finditer(unexplained)), "")
    note = plain(rest).strip().lstrip("-\u2013\u2014:,;").strip()
    return title.rstrip(":").strip(), note, important, plain(stray)


def _split_dash(text: str) -> tuple[str, str, str]:
    parts = DASH.split(text, maxsplit=1)
    return (parts[0], "-", parts[1]) if len(parts) == 2 else (text, "", "")


def _part_label(text: str) -> tuple[str, str]:
    """A part's label is its line up to the first dash, colon or full stop; the rest is a note."""
    text = plain(text)
    match = re.search(
        r"\s+[-\u2013\u2014]\s+|:\s+|(?<=[a-z0-9)\]])\.\s+|,\s+(?=esp(?:ecially|\.)?\b)", text
    )
    if match:
        label, note = text[: match.start()], text[match.end() :]
    else:
        label, note = text, ""
    return label.strip().rstrip(".:").strip(), note.strip()


def parse(text: str) -> ParsedList:
    """Read an annotated reading list (plain text with • bullets, or Markdown) into sections,
    entries and advised parts; ListTextError if it cannot be read as a list at all."""
    return _Parser(text).run()


# --- Matching entries with works already known ------------------------------------------------


@dataclass(frozen=True)
class Match:
    """Which known work an entry names: `by` is "link", "title", "ambiguous" or "" (none)."""

    entry: ParsedEntry
    key: Hashable | None
    by: str


ARXIV = re.compile(
    r"^(?:export\.)?arxiv\.org/(?:abs|pdf)/"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z.\-]*/\d{7})(?:v\d+)?(?:\.pdf)?/?$",
    re.IGNORECASE,
)


def normalise_url(url: str) -> str:
    """A link as a key: scheme and host in lower case, no `www.`, no trailing slash, http as
    https; every arXiv abs/pdf link to any version of a paper as `arxiv:<id>`."""
    url = url.strip()
    match = re.match(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<host>[^/?#]*)(?P<rest>.*)$", url)
    if not match:
        return url
    host = match.group("host").lower().removeprefix("www.")
    rest = match.group("rest")
    if arxiv := ARXIV.match(host + rest):
        return f"arxiv:{arxiv.group('id').lower()}"
    if rest.endswith("#"):  # an empty fragment points nowhere new
        rest = rest[:-1]
    if rest.endswith("/") and "?" not in rest and "#" not in rest:
        rest = rest.rstrip("/")
    return f"https://{host}{rest}"


PLAIN_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def normalise_title(title: str) -> str:
    """A title as a key: case folded, whitespace collapsed, typographic quotes made plain."""
    title = unicodedata.normalize("NFKC", title)
    title = title.translate(PLAIN_QUOTES)
    return " ".join(title.casefold().split())


def _title_candidates(title: str) -> list[str]:
    """The title as written, then without a trailing remark in brackets ("(fairly short)")."""
    candidates = [title]
    stripped = re.sub(r"\s*\([^()]*\)\s*$", "", title)
    if stripped and stripped != title:
        candidates.append(stripped)
    return candidates


def match_known(
    parsed: ParsedList, known: Iterable[tuple[Hashable, Iterable[str], Iterable[str]]]
) -> list[Match]:
    """For every entry in reading order, the known work it names: by one of its links if any
    matches, else by its exact title (see normalise_title), else none. `known` holds
    (key, titles, urls) for each work; an entry that matches two keys is "ambiguous"."""
    by_url: dict[str, set] = {}
    by_title: dict[str, set] = {}
    for key, titles, urls in known:
        for url in urls:
            if url:
                by_url.setdefault(normalise_url(url), set()).add(key)
        for title in titles:
            if title:
                by_title.setdefault(normalise_title(title), set()).add(key)
    matches = []
    for entry in parsed.all_entries():
        keys: set = set()
        for link in entry.links:
            keys |= by_url.get(normalise_url(link), set())
        how = "link"
        if not keys:
            how = "title"
            for candidate in _title_candidates(entry.title):
                keys = by_title.get(normalise_title(candidate), set())
                if keys:
                    break
        if len(keys) == 1:
            matches.append(Match(entry, next(iter(keys)), how))
        else:
            matches.append(Match(entry, None, "ambiguous" if keys else ""))
    return matches


# --- Describing the result --------------------------------------------------------------------


def summary(parsed: ParsedList) -> dict[str, int]:
    """How many sections, entries and parts (by level) the list made."""
    sections = list(parsed.all_sections())
    top = {id(section) for section in parsed.sections}
    entries = list(parsed.all_entries())
    top_entries = sum(len(section.entries) for section in sections)
    counts = {
        "sections": len(sections),
        "tiers": sum(1 for section in sections if section.kind == "tier"),
        "subsections": sum(1 for section in sections if id(section) not in top),
        "entries": len(entries),
        "nested_entries": len(entries) - top_entries,
        "important": sum(1 for entry in entries if entry.important),
        "parts": sum(len(entry.parts) for entry in entries),
    }
    for level in LEVELS:
        counts[level] = sum(1 for e in entries for part in e.parts if part.level == level)
    counts["unplaced"] = len(parsed.unplaced)
    counts["to_confirm"] = len(parsed.to_confirm)
    return counts


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def report(parsed: ParsedList) -> list[str]:
    """What the list made, then every line it could not place and every line to confirm,
    each with its line number: the lines a curator reads before reviewing the draft."""
    n = summary(parsed)
    by_level = ", ".join(f"{n[level]} {LEVEL_NAMES[level]}" for level in LEVELS)
    lines = [
        f"Read as {'Markdown' if parsed.format == 'markdown' else 'plain text'}: "
        f"{_plural(n['sections'], 'section', 'sections')} ({n['tiers']} tiers, "
        f"{n['subsections']} subsections), "
        f"{_plural(n['entries'], 'entry', 'entries')} ({n['nested_entries']} nested, "
        f"{n['important']} marked most important), "
        f"{_plural(n['parts'], 'advised part', 'advised parts')} ({by_level}).",
        f"Lines it could not place: {n['unplaced']}.",
    ]
    lines += [
        f"  line {u.line_number}: {_short(u.text)}\n      {u.reason}" for u in parsed.unplaced
    ]
    lines.append(f"Lines to confirm: {n['to_confirm']}.")
    lines += [
        f"  line {c.line_number}: {_short(c.text)}\n      {c.reason}" for c in parsed.to_confirm
    ]
    return lines


def as_json(parsed: ParsedList, *, slug: str, title: str, source: str) -> dict:
    """The parsed list as plain data, sections, entries and parts in the list's order."""
    return {"slug": slug, "title": title, "source": source, "list": asdict(parsed)}
