"""The suite's one HTML parser: every element with its attributes, and the text of scripts and
styles. Tests that ask "what on this page could act or load?" read its elements."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

RAW_TEXT = {"script", "style"}


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str]]
    text: str = ""  # only for <script> and <style>
    values: dict[str, str] = field(init=False)

    def __post_init__(self):
        self.values = dict(self.attrs)


class Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[Element] = []
        self._open: Element | None = None

    def handle_starttag(self, tag, attrs):
        element = Element(tag, [(name, value or "") for name, value in attrs])
        self.elements.append(element)
        self._open = element if tag in RAW_TEXT else None

    def handle_endtag(self, tag):
        if tag in RAW_TEXT:
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open.text += data


def elements(html: str) -> list[Element]:
    """Every start tag in `html`, in document order."""
    parser = Markup()
    parser.feed(html)
    parser.close()
    return parser.elements
