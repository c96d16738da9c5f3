"""Notes are Markdown; render them so no reader-written text can run in the page, and so that no
text, however it is built, can make rendering slow.

Two bounds. Each text is rendered at most once per worker while it stays in a small cache keyed by
the text's digest, so a page showing twenty shared notes renders none of them again on the next
load. And one render has a budget of parser steps (calls of markdown-it's rules, which is what
pathological inputs such as long runs of unclosed brackets multiply): past it, the note is shown
as escaped plain text with a line saying so. Steps, not seconds, so the outcome for a given text
never depends on how busy the server is.
"""

import hashlib
import threading
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

# About 1-3 microseconds a step: a render stops well under a quarter of a second. Ordinary notes
# of the full 100,000 characters take a small fraction of this (plain prose: a few dozen steps).
STEP_BUDGET = 100_000
PLAIN_TEXT_NOTICE = (
    "This note is too intricate to format quickly (deeply nested or unclosed brackets, "
    "emphasis or tables), so it is shown as plain text."
)
# Renders kept per worker, by total size of text and HTML.
CACHE_BYTES = 24 * 1024 * 1024
# Bump when the output for a given text changes, so no cache keeps the old rendering.
RENDERER_VERSION = "2"


class _OverBudget(Exception):
    pass


_steps = threading.local()


def _counted(rule: Callable) -> Callable:
    def counted_rule(*args, **kwargs):
        left = getattr(_steps, "left", None)
        if left is not None:
            _steps.left = left - 1
            if left <= 0:
                raise _OverBudget
        return rule(*args, **kwargs)

    return counted_rule


# Every rule of every chain counts; skipToken (what makes unclosed brackets quadratic) calls them.
# Making tokens is the other cost (a table's rows make several each): every token pushed counts
# too. markdown-it's state classes are shared, so this counts only inside render() below.
def _counted_push(push: Callable) -> Callable:
    def counted_push(self, *args, **kwargs):
        left = getattr(_steps, "left", None)
        if left is not None:
            _steps.left = left - 1
            if left <= 0:
                raise _OverBudget
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
    """Sanitised HTML, or None if the parser ran out of steps."""
    _steps.left = STEP_BUDGET
    try:
        html = _parser.render(text)
    except _OverBudget:
        return None
    finally:
        _steps.left = None
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


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


def shown(text: str, *, stored: str, stored_for: int, version: int) -> SafeString:
    """`stored` HTML if it was rendered from this `version` of the text, else render() now."""
    if stored and stored_for == version:
        return mark_safe(stored)  # noqa: S308 - stored from render(), which sanitised it
    return render(text)


def is_formatted(text: str) -> bool:
    """False if `text` is over the budget and is shown as plain text."""
    return PLAIN_TEXT_NOTICE not in render(text)
