"""Notes are Markdown; render them so no reader-written text can run in the page, and so that no
text, however it is built, can make rendering slow or its HTML large.

A note is rendered when it is saved (and imported) and its HTML stored with it (Note.rendered),
marked with the renderer's version: pages show the stored HTML, and one whose mark is missing or
old is rendered once more and stored again (groups/board.py), never on every load.

Three bounds on one render. A budget of parser steps (calls of markdown-it's rules and tokens
pushed, which is what pathological inputs such as long runs of unclosed brackets multiply): past
it, the note is shown as escaped plain text with a line saying so. Steps, so that for a given text
the outcome does not depend on how busy the server is. A deadline in seconds behind it, for a
machine so slow that the budget takes too long. And a size: HTML larger than MAX_HTML_CHARS (link-
heavy notes grow about nine times) is shown as plain text too. The measured worst figure, 0.45
CPU seconds for a 100,000-character note, is WORST_RENDER_SECONDS below.

Each text is also kept at most once per worker in a small cache keyed by the text's digest.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import nh3
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

# Raw HTML is off in the parser, and nh3 then keeps only these tags and attributes, so no
# script, event handler, hx-* attribute or style can survive, whatever the Markdown says.
# maxNesting bounds how deep blocks and inline markup may nest (quotes in lists in quotes...).
_parser = MarkdownIt(
    "commonmark", {"html": False, "linkify": False, "typographer": False, "maxNesting": 20}
)
_parser.enable("table").enable("strikethrough")
_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "em",
    "strong", "del", "s", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th",
    "td",
}  # fmt: skip
# No <img>: a note must never make the page load anything from another host.
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_SCHEMES = {"http", "https", "mailto"}

# About 1-6 microseconds a step (links and autolinks cost the most). A full-length note of prose
# with a link, emphasis and code in every paragraph takes about 74,000 steps; plain prose a few
# dozen.
STEP_BUDGET = 100_000
# The backstop behind the budget, checked every DEADLINE_EVERY steps: past it the note is shown as
# plain text. Only a machine several times slower than ours reaches it within the budget.
DEADLINE_SECONDS = 1.0
DEADLINE_EVERY = 256
# The HTML of a note of the full 100,000 characters stays under this unless it is mostly links
# (each "[a](b)" grows to about 50 characters once sanitised): then it is shown as plain text, so a
# page showing a note never carries more than this for it.
MAX_HTML_CHARS = 400_000
# The slowest render measured over the worst notes we could build (WORST_NOTES in
# tests/security/test_bounded_work.py, 100,000 characters each), in CPU seconds on the project's
# shared 2-core machine: 0.40-0.45 s, for "<http://a.io> " repeated (about 92,000 steps, then HTML
# over MAX_HTML_CHARS, so plain text) and 19 nested quotes per line; tables 0.32-0.34 s, links
# 0.26-0.28 s; an ordinary note well under 0.01 s. Wall-clock time on that machine under a load of
# 5 was up to 2.5 times more, which is what the deadline cuts off. A test fails if any worst note
# takes more than twice this. It is paid once per save or import, never per page load.
WORST_RENDER_SECONDS = 0.45
PLAIN_TEXT_NOTICE = (
    "This note is too intricate to format quickly (deeply nested or unclosed brackets, "
    "emphasis, tables or a great many links), so it is shown as plain text."
)
# Renders kept per worker, by total size of text and HTML.
CACHE_BYTES = 24 * 1024 * 1024
# Bump when the output for a given text changes, so no cache keeps the old rendering.
RENDERER_VERSION = "2"


class _OverBudget(Exception):
    pass


_steps = threading.local()


def _step() -> None:
    """Count one step of the render in progress (none outside render()); stop it past the budget
    or the deadline."""
    left = getattr(_steps, "left", None)
    if left is not None:
        _steps.left = left - 1
        if left <= 0:
            raise _OverBudget
        if left % DEADLINE_EVERY == 0 and time.perf_counter() > _steps.deadline:
            raise _OverBudget


def _counted(rule: Callable) -> Callable:
    def counted_rule(*args, **kwargs):
        _step()
        return rule(*args, **kwargs)

    return counted_rule


# Every rule of every chain counts; skipToken (what makes unclosed brackets quadratic) calls them.
# Making tokens is the other cost (a table's rows make several each): every token pushed counts
# too. markdown-it's state classes are shared, so this counts only inside render() below.
def _counted_push(push: Callable) -> Callable:
    def counted_push(self, *args, **kwargs):
        _step()
        return push(self, *args, **kwargs)

    return counted_push


StateBlock.push = _counted_push(StateBlock.push)
StateInline.push = _counted_push(StateInline.push)

_rulers = (_parser.core.ruler, _parser.block.ruler, _parser.inline.ruler, _parser.inline.ruler2)
for _ruler in _rulers:
    for _rule in _ruler.__rules__:
        _rule.fn = _counted(_rule.fn)
    _ruler.__cache__ = None


class _Renders:
    """A least-recently-used map from a text's digest to its HTML, bounded in bytes."""

    def __init__(self, capacity: int):
        self.capacity, self.size = capacity, 0
        self.items: OrderedDict[bytes, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: bytes) -> str | None:
        with self.lock:
            html = self.items.get(key)
            if html is not None:
                self.items.move_to_end(key)
            return html

    def put(self, key: bytes, html: str, text_length: int) -> None:
        cost = len(html) + text_length
        if cost > self.capacity:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = html
            self.size += len(html)
            while self.size > self.capacity:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped)


_renders = _Renders(CACHE_BYTES)


def _markdown(text: str) -> str | None:
    """Sanitised HTML, or None if the parser ran out of steps or time, or the HTML is too large."""
    _steps.left, _steps.deadline = STEP_BUDGET, time.perf_counter() + DEADLINE_SECONDS
    try:
        html = _parser.render(text)
    except _OverBudget:
        return None
    finally:
        _steps.left = None
    if len(html) > MAX_HTML_CHARS:  # before sanitising, so nh3's work is bounded too
        return None
    html = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return html if len(html) <= MAX_HTML_CHARS else None


def _plain(text: str) -> str:
    return f'<p class="note-plain-notice"><em>{PLAIN_TEXT_NOTICE}</em></p>' + linebreaks(
        escape(text)
    )


def render(text: str) -> SafeString:
    """Markdown to sanitised HTML: no raw HTML, scripts or handlers; only http(s)/mailto links.

    Past the step budget, escaped plain text with a notice. Cached by the text's digest.
    """
    key = hashlib.blake2b(f"{RENDERER_VERSION}\0{text}".encode(), digest_size=20).digest()
    html = _renders.get(key)
    if html is None:
        html = _markdown(text)
        if html is None:
            html = _plain(text)
        _renders.put(key, html, len(text))
    return mark_safe(html)  # noqa: S308 - nh3 has sanitised it, or it is escaped plain text


# Stored renderings begin with this mark, so one made by an older renderer (a sanitiser fix, a
# new extension) is known and made again. An HTML comment: nh3 drops any the note contains, so no
# text can forge it.
STORED_MARK = f"<!-- mireads markdown {RENDERER_VERSION} -->"


def for_storing(text: str) -> str:
    """The rendering to store with a note (Note.rendered): render(text) with the mark."""
    return STORED_MARK + render(text)


def is_current(stored: str, *, stored_for: int, version: int) -> bool:
    """Whether a stored rendering is of this `version` of the note and by this renderer."""
    return stored_for == version and stored.startswith(STORED_MARK)


def shown(text: str, *, stored: str, stored_for: int, version: int) -> SafeString:
    """`stored` HTML if it is current (see is_current), else render() now."""
    if is_current(stored, stored_for=stored_for, version=version):
        # Stored from for_storing(), which nh3 sanitised.
        return mark_safe(stored.removeprefix(STORED_MARK))  # noqa: S308
    return render(text)


def is_formatted(text: str) -> bool:
    """False if `text` is over the budget and is shown as plain text."""
    return PLAIN_TEXT_NOTICE not in render(text)
