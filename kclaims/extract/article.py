"""An article's text as kclaims reads it: the words, its links, and the spans kclaims inserted."""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field

FORMATS = ("auto", "text", "markdown", "html")


HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink in the extracted text: its anchor text spans [start, end)."""

    start: int
    end: int
    url: str


@dataclass(slots=True)
class Article:
    """An article's text as kclaims reads it; offsets in proposals index `text`."""

    text: str
    format: str  # "text" | "markdown" | "html"
    links: list[Link] = field(default_factory=list)
    # Spans of `text` that are not the article's words: the "[1]" written for a superscript or a
    # footnote mark, blanked Markdown markup. Sorted, disjoint. Never part of a recorded quote.
    inserted: list[tuple[int, int]] = field(default_factory=list)
    # What the HTML reader knew of the lines: where an <ol> item starts (offset -> its number), and
    # which lines are <h1>-<h6> headings (their offsets). Read by the reference list.
    item_numbers: dict[int, int] = field(default_factory=dict)
    heading_lines: set[int] = field(default_factory=set)

    def own_words(self, start: int, end: int) -> str:
        """The article's words in text[start:end], whitespace collapsed, the inserted spans left out."""
        piece = _without_spans(self.text, self.inserted, start, end) if self.inserted else self.text[start:end]
        return SPACES.sub(" ", piece).strip()

    def own_text(self) -> str:
        """The whole text without the inserted spans: what a quote must be found in."""
        return _without_spans(self.text, self.inserted, 0, len(self.text)) if self.inserted else self.text


def merged_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif end > start:
            merged.append((start, end))
    return merged


def _without_spans(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """text[start:end] with the spans left out; a span that parted two words, or held a line
    break, leaves a space."""
    i = max(0, bisect.bisect_right(spans, (start, math.inf)) - 1)
    pieces: list[str] = []
    position = start
    while i < len(spans) and spans[i][0] < end:
        left, right = max(spans[i][0], position), min(spans[i][1], end)
        i += 1
        if right <= position:
            continue
        pieces.append(text[position:left])
        before, after = text[left - 1:left], text[right:right + 1]
        if "\n" in text[left:right] or (before.isalnum() and after.isalnum()):
            pieces.append(" ")
        position = right
    pieces.append(text[position:end])
    return "".join(pieces)


SPACES = re.compile(r"\s+")
