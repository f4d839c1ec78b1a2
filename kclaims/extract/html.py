"""HTML to text: the standard library's parser, boilerplate elements dropped, citation marks kept."""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser

from kclaims.extract.article import Article, Link, merged_spans

_DROPPED_TAGS = frozenset({"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template",
                           "svg", "iframe", "button", "select", "head", "menu", "dialog"})


_BLOCK_TAGS = frozenset({"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
                         "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "figure",
                         "figcaption", "hr", "br", "address", "caption", "summary", "details"})


_VOID_TAGS = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source",
                        "track", "wbr", "param"})


# Where a dropped element's end tag is missing, the start tags that end it anyway (besides the end
# of an element around it): what may not stand inside it.
_HEAD_CONTENT = frozenset({"title", "meta", "link", "style", "script", "base", "noscript", "template"})


_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "article", "main", "section", "blockquote",
                         "table", "ul", "ol", "pre", "figure"})


_ENDED_BY_MAIN = frozenset({"nav", "header", "footer", "aside", "form", "menu", "dialog"})


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


_SUPERSCRIPT_MARKER = re.compile(r"[\d\s,–-]+")


def _ends_dropped(dropped: str, tag: str) -> bool:
    """Does a `tag` start tag end an unclosed dropped element? (`main` is never inside a header,
    nav, aside or footer; a paragraph never inside a button or select; the body never in the head.)"""
    if dropped == "head":
        return tag not in _HEAD_CONTENT
    if dropped in ("button", "select"):
        return tag in _PARAGRAPHS
    return dropped in _ENDED_BY_MAIN and tag == "main"


class _TextCollector(HTMLParser):
    """Collects readable text: one line per block element, inline whitespace collapsed.

    It keeps its own stack of open elements, so that an end tag closes whatever was left open
    inside it: an unclosed `<nav>` ends with the element around it, an unclosed `<sup>` with
    its paragraph, instead of swallowing the rest of the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.open: list[str] = []  # open elements, outermost first (never a void one)
        self.open_count: dict[str, int] = defaultdict(int)
        self.skip_from: int | None = None  # where in `open` the outermost dropped element is
        self.pre = 0
        self.anchors: list[tuple[int, str]] = []  # open <a href> with the offset its text starts at
        self.links: list[Link] = []
        self.inserted: list[tuple[int, int]] = []  # the "[1]" written for <sup>1</sup>
        self.sup: list[str] | None = None
        self.lists: list[list[int] | None] = []  # open <ol> (the next item's number) and <ul>
        self.item_numbers: dict[int, int] = {}
        self.heading_lines: set[int] = set()

    def _last_char(self) -> str:
        return self.parts[-1][-1] if self.parts else "\n"

    def _emit(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.length += len(text)

    def newline(self) -> None:
        self._flush_sup()
        if self.parts and self.parts[-1].endswith(" "):
            self.parts[-1] = self.parts[-1][:-1]
            self.length -= 1
            if not self.parts[-1]:
                self.parts.pop()
        if self._last_char() != "\n":
            self._emit("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_from is not None and _ends_dropped(self.open[self.skip_from], tag):
            self._close(self.skip_from)
        if tag not in _VOID_TAGS:
            if tag in _DROPPED_TAGS and self.skip_from is None:
                self.skip_from = len(self.open)
            self.open.append(tag)
            self.open_count[tag] += 1
        if self.skip_from is not None:
            return
        if tag in _BLOCK_TAGS:
            self.newline()
        if tag == "pre":
            self.pre += 1
        elif tag in ("ol", "ul", "menu"):
            self.lists.append([_list_start(attrs)] if tag == "ol" else None)
        elif tag == "li":
            self._list_item(attrs)
        elif tag in _HEADING_TAGS:
            self.heading_lines.add(self.length)
        elif tag == "a":
            self.anchors.append((self.length, dict(attrs).get("href") or ""))
        elif tag == "sup":
            self._flush_sup()
            self.sup = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_from is None and tag in _BLOCK_TAGS:
            self.newline()

    def handle_endtag(self, tag: str) -> None:
        if not self.open_count[tag]:
            return  # a stray end tag, or a void element's
        index = len(self.open) - 1
        while self.open[index] != tag:  # what is passed over is closed too: linear overall
            index -= 1
        self._close(index)

    def _close(self, index: int) -> None:
        """Close the element at `index` in the stack and every element left open inside it."""
        while len(self.open) > index:
            tag = self.open.pop()
            self.open_count[tag] -= 1
            if self.skip_from is None:
                self._ended(tag)
            elif len(self.open) == self.skip_from:
                self.skip_from = None

    def _ended(self, tag: str) -> None:
        if tag == "sup":
            self._flush_sup()
        elif tag == "a" and self.anchors:
            start, href = self.anchors.pop()
            if href.startswith(("http://", "https://")) and self.length > start:
                self.links.append(Link(start, self.length, href))
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag in ("ol", "ul", "menu") and self.lists:
            self.lists.pop()
        if tag in _BLOCK_TAGS:
            self.newline()

    def _list_item(self, attrs: list[tuple[str, str | None]]) -> None:
        """Note the number of an <ol> item (its position, or its `value`) where its line starts."""
        counter = self.lists[-1] if self.lists else None
        if counter is None:
            return
        value = _number(dict(attrs).get("value"))
        counter[0] = value if value is not None else counter[0]
        self.item_numbers[self.length] = counter[0]
        counter[0] += 1

    def _flush_sup(self) -> None:
        """A superscript number becomes a marker like "[1]" (not the article's words); other
        superscripts stay as text."""
        if self.sup is None:
            return
        content, self.sup = "".join(self.sup).strip(), None
        if content and _SUPERSCRIPT_MARKER.fullmatch(content):
            start = self.length
            self._text(f"[{content}]")
            self.inserted.append((start, self.length))
        else:
            self._text(content)

    def handle_data(self, data: str) -> None:
        if self.skip_from is not None:
            return
        if self.sup is not None:
            self.sup.append(data)
            return
        self._text(data)

    def _text(self, data: str) -> None:
        if self.pre:
            self._emit(data)
            return
        collapsed = re.sub(r"\s+", " ", data)
        if collapsed.startswith(" ") and self._last_char() in " \n":
            collapsed = collapsed[1:]
        self._emit(collapsed)


def _list_start(attrs: list[tuple[str, str | None]]) -> int:
    start = _number(dict(attrs).get("start"))
    return 1 if start is None else start


def _number(value: str | None) -> int | None:
    return int(value.strip()) if value and value.strip().isdigit() and len(value.strip()) < 6 else None


def html_to_text(html: str) -> Article:
    """The readable text of an HTML page (one line per block), its links' spans in that text and
    the spans of the citation markers written for superscript numbers."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    collector.newline()
    return Article("".join(collector.parts), "html", collector.links, merged_spans(collector.inserted),
                   collector.item_numbers, collector.heading_lines)
