"""Candidate claims and citations from an article's text, for a person to accept, edit or skip.

The core is pure: `extract(article, claims, sources)` takes text and the catalog and returns
proposals; nothing here prints, prompts or writes, except `ReviewSession` (and `apply_proposals`),
which writes accepted proposals through `kclaims.edit`.

How it works (docs/extract.md has the tables and the measured quality):

1. Text: plain text as read; Markdown with its markup blanked out (same length, so offsets still
   point into the file); HTML decoded as `webpage.decode_html` decodes it, then through the
   standard library's parser, scripts, styles, navigation, headers, footers, asides and forms
   dropped, an element left unclosed ending with the element around it. The citation markers
   written in ("[1]" for a superscript or footnote mark) are `Article.inserted`: shown in
   proposals, never recorded in a quote.
2. Sentences: lines are blocks (hard-wrapped lines are joined), headings and list markers are
   set aside, and blocks split at sentence-ending punctuation that is not an abbreviation.
3. Score: the weights of the cue groups in `extract_cues` that fire (reported findings, hedges,
   mechanism and efficacy verbs, ...), plus the catalog's subject and vocabulary and citation
   markers, less penalties; boilerplate (calls to action, bylines, share buttons) is never proposed.
4. Match: a word index over every claim's statement and quotes short-lists claims; rapidfuzz
   scores the short list (an exact quote inside the sentence scores 100).
5. Citations: [1], [1,2], [1-3], (Author, 2004; Other et al., 2008), superscripts; the
   reference list under a SOURCES / References heading, identifiers parsed by `kclaims.ids`.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from kclaims.extract import cues
from kclaims.catalog.check import normalise_quote_text
from kclaims.errors import BadInput
from kclaims.literature.ids import Identifier, find_identifiers, try_parse_identifier
from kclaims.model import CLAIM_KINDS, ID_PATTERN, Claim, Quote, Source

FORMATS = ("auto", "text", "markdown", "html")
# A quote this long that differs from the sentence by a few characters still counts as verbatim.
NEAR_VERBATIM_MIN_CHARS = 30
NEAR_VERBATIM_SCORE = 90.0
NEAR_VERBATIM_COVER = 0.7  # share of a quote's (idf-weighted) words a sentence needs before rapidfuzz looks
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})


# --- data ------------------------------------------------------------------------------------


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

    def own_words(self, start: int, end: int) -> str:
        """The article's words in text[start:end], whitespace collapsed, the inserted spans left out."""
        piece = _without_spans(self.text, self.inserted, start, end) if self.inserted else self.text[start:end]
        return _SPACES.sub(" ", piece).strip()

    def own_text(self) -> str:
        """The whole text without the inserted spans: what a quote must be found in."""
        return _without_spans(self.text, self.inserted, 0, len(self.text)) if self.inserted else self.text


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str  # the article's words, whitespace collapsed
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Match:
    claim: str
    score: float  # 0-100


@dataclass(slots=True)
class Candidate:
    """A proposed claim sentence: why it was proposed, what it restates, what it cites."""

    sentence: str
    start: int
    end: int
    score: float
    cues: list[str]
    match: Match | None
    citations: list[str]
    kind: str  # guessed, for a new claim
    quote: str  # what accepting records: the sentence without the markers kclaims inserted


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of the article's own reference list."""

    marker: str | None
    text: str
    identifier: str | None  # normalised by kclaims.ids: "PMC4810965", "pmid:…", "doi:…", a URL
    source: str | None = None  # the catalog source with that identifier, if there is one


@dataclass(slots=True)
class Extraction:
    candidates: list[Candidate]
    references: list[Reference]
    sentences: int  # how many sentences were read


# --- reading -------------------------------------------------------------------------------


def read_article(path: Path, fmt: str = "auto") -> Article:
    """Read an article file (plain text, Markdown or HTML); BadInput if it is missing or not text."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInput("no such file", path) from None
    except IsADirectoryError:
        raise BadInput("is a folder, not an article file", path) from None
    except OSError as error:
        raise BadInput(f"cannot read: {error.strerror}", path) from None
    if fmt == "auto":
        fmt = _format_from_suffix(path.suffix.lower())
    return article_from_bytes(data, fmt, path)


def _format_from_suffix(suffix: str) -> str:
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    return "auto"


def article_from_bytes(data: bytes, fmt: str = "auto", where: Path | str | None = None) -> Article:
    """Decode and convert an article; `fmt` "auto" sniffs HTML, else takes plain text. HTML is
    decoded as `kclaims source add --html` decodes it (`webpage.decode_html`: byte-order mark,
    `<meta charset>`, UTF-8, else a guess); text and Markdown must be UTF-8."""
    from kclaims.literature.webpage import decode_html, looks_like_html

    if data.startswith(b"%PDF"):
        raise BadInput("is a PDF; save the article as text or HTML first", where)
    if fmt == "html" or (fmt == "auto" and looks_like_html(data)):
        text, _ = decode_html(data)
        _refuse_binary(text, where)
        return article_from_text(text, "html")
    _refuse_binary(data, where)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(f"is not UTF-8 text ({error.reason} at byte {error.start})", where) from None
    return article_from_text(text, fmt)


def _refuse_binary(data: bytes | str, where: Path | str | None) -> None:
    if (b"\x00" if isinstance(data, bytes) else "\x00") in data:
        raise BadInput("is not a text file (it holds binary data); give a .txt, .md or .html article", where)


def article_from_text(text: str, fmt: str = "auto") -> Article:
    """Convert decoded text; line ends are normalised to "\\n" first (offsets index the result)."""
    from kclaims.literature.webpage import looks_like_html

    if fmt not in FORMATS:
        raise BadInput(f"format {fmt!r} is not one of: {', '.join(FORMATS)}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "auto":
        fmt = "html" if looks_like_html(text[:1024].encode("utf-8", "replace")) else "text"
    if fmt == "html":
        return html_to_text(text)
    if fmt == "markdown":
        return markdown_to_text(text)
    return Article(text, "text")


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
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


# --- HTML ----------------------------------------------------------------------------------

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
        if tag in _BLOCK_TAGS:
            self.newline()

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


def html_to_text(html: str) -> Article:
    """The readable text of an HTML page (one line per block), its links' spans in that text and
    the spans of the citation markers written for superscript numbers."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    collector.newline()
    return Article("".join(collector.parts), "html", collector.links, _merged(collector.inserted))


# --- Markdown ------------------------------------------------------------------------------

_MD_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((\S+?)(?:\s+\"[^\"\n]*\")?\)")
_MD_REFLINK = re.compile(r"\[([^\]\n]+)\]\[([^\]\n]*)\]")
_MD_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")
_MD_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_MD_LINE_MARKUP = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>+[ \t]?|[-*+][ \t]+)", re.MULTILINE)
_MD_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$", re.MULTILINE)
_MD_RULE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S))|((?<=\S)(?:\*\*|__)|(?<=\S)[*_](?!\w))")
_MD_CODE_TICKS = re.compile(r"`+")
_MD_TAG = re.compile(r"</?[a-zA-Z][^>\n]*>")


class _Markup:
    """Markdown's replacements, each the length of what it replaces; remembers the spans it wrote
    that are not the article's words (blanked markup, "[1]" for a footnote mark)."""

    def __init__(self) -> None:
        self.inserted: list[tuple[int, int]] = []
        self.links: list[Link] = []

    def blank(self, match: re.Match[str]) -> str:
        self.inserted.append(match.span())
        return re.sub(r"[^\n]", " ", match.group(0))

    def _keep(self, match: re.Match[str], kept: str, tail: str = "") -> str:
        """`kept` (the article's words) moved to the match's start, then `tail` and padding."""
        self.inserted.append((match.start() + len(kept), match.end()))
        replaced = kept + tail
        return replaced + " " * (len(match.group(0)) - len(replaced))

    def link(self, match: re.Match[str]) -> str:
        anchor = match.group(1)
        self.links.append(Link(match.start(), match.start() + len(anchor), match.group(2)))
        return self._keep(match, anchor)

    def reference_link(self, match: re.Match[str]) -> str:
        """`[words][3]` reads as "words[3]": a numbered reference link is a citation marker."""
        anchor, label = match.group(1), match.group(2)
        return self._keep(match, anchor, f"[{label}]" if label.isdigit() else "")

    def footnote(self, match: re.Match[str]) -> str:
        return self._keep(match, "", f"[{match.group(1)}]")

    def autolink(self, match: re.Match[str]) -> str:
        self.inserted += [(match.start(), match.start() + 1), (match.end() - 1, match.end())]
        return f" {match.group(1)} "


def markdown_to_text(markdown: str) -> Article:
    """Markdown with its markup replaced by spaces, so the text keeps the file's offsets;
    links keep their text (and are returned with their URL), footnote marks become [n]."""
    markup = _Markup()
    text = _MD_FENCE.sub(markup.blank, markdown)
    text = _MD_IMAGE.sub(markup.blank, text)
    text = _MD_LINK.sub(markup.link, text)
    text = _MD_REFLINK.sub(markup.reference_link, text)
    text = _MD_FOOTNOTE.sub(markup.footnote, text)
    text = _MD_AUTOLINK.sub(markup.autolink, text)
    for pattern in (_MD_RULE, _MD_LINE_MARKUP, _MD_CLOSING_HASHES, _MD_EMPHASIS, _MD_CODE_TICKS, _MD_TAG):
        text = pattern.sub(markup.blank, text)
    return Article(text, "markdown", markup.links, _merged(markup.inserted))


# --- sentences -----------------------------------------------------------------------------

_LIST_MARKER = re.compile(r"[ \t]*(?:[-*•·‣◦▪–]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])[ \t]+")
_ENDS_SENTENCE = re.compile(r"[.!?:;…\"”’)\]]\s*$")
# A boundary starts only where a run of stops starts, and takes the whole run at once: otherwise a
# run of n dots not followed by a new sentence is tried from each of its n positions, n steps each.
_BOUNDARY = re.compile(
    r"(?<![.!?…])(?P<stop>[.!?…]++)[\"'”’)\]]*(?:[ \t]?\[[\d,\s–-]+\])*[¹²³⁴⁵⁶⁷⁸⁹⁰]*(?P<gap>\s+)"
    r"(?=[\"“‘'(\[]?[A-Z0-9])"
)
_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs al dr mr mrs ms prof fig figs no nos approx ca st jr sr inc ltd co eq vol pp ed eds "
    "dept univ est min max mt ft jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_SPACES = re.compile(r"\s+")
_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")


def split_sentences(text: str) -> list[Sentence]:
    """Every sentence of the text, with its offsets; headings and list markers are left out."""
    sentences: list[Sentence] = []
    for start, end in _blocks(text):
        sentences.extend(_split_block(text, start, end))
    return sentences


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of paragraphs: each line, with hard-wrapped lines joined and headings kept apart."""
    blocks: list[tuple[int, int]] = []
    open_start: int | None = None
    position = 0
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        stripped = line.strip()
        if not stripped:
            if open_start is not None:
                blocks.append((open_start, start - 1))
                open_start = None
            continue
        if open_start is not None and (_LIST_MARKER.match(line) or _is_heading(stripped)):
            blocks.append((open_start, start - 1))
            open_start = None
        if open_start is None:
            open_start = start
        if _ENDS_SENTENCE.search(stripped) or _is_heading(stripped) or len(stripped) < 40:
            blocks.append((open_start, end))
            open_start = None
    if open_start is not None:
        blocks.append((open_start, len(text)))
    return blocks


def _is_heading(line: str) -> bool:
    """A short line without sentence-ending punctuation, in Title Case or all capitals."""
    if _ENDS_SENTENCE.search(line):
        return False
    words = _WORD_RE.findall(line)
    if not words or len(words) > cues.HEADING_MAX_WORDS:
        return False
    long_words = [w for w in words if len(w) > 3]
    capitalised = sum(1 for w in long_words if w[0].isupper() or w[0].isdigit())
    return not long_words or capitalised / len(long_words) >= 0.6


def _split_block(text: str, start: int, end: int) -> list[Sentence]:
    marker = _LIST_MARKER.match(text, start, end)
    if marker:
        start = marker.end()
    block = text[start:end]
    stripped = block.strip()
    if not stripped or _is_heading(stripped):
        return []
    pieces: list[Sentence] = []
    piece_start = 0
    for boundary in _BOUNDARY.finditer(block):
        if boundary.group("stop") == "." and _is_abbreviation(block, boundary.start("stop")):
            continue
        cut = boundary.start("gap")
        _add_sentence(pieces, text, start + piece_start, start + cut)
        piece_start = boundary.end()
    _add_sentence(pieces, text, start + piece_start, end)
    return pieces


def _is_abbreviation(block: str, dot: int) -> bool:
    before = _WORD_BEFORE.search(block, max(0, dot - 12), dot)
    if not before:
        return False
    word = before.group(1)
    return (len(word) == 1 and word.isupper()) or word.lower().rstrip(".") in _ABBREVIATIONS


def _add_sentence(pieces: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        piece = text[start:end]
        if "  " in piece or "\n" in piece or "\t" in piece or "\u00a0" in piece:
            piece = _SPACES.sub(" ", piece)
        pieces.append(Sentence(piece, start, end))


# --- words -----------------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s", "ly")
_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    """A crude, predictable stem: plural, -ing, -ed, -ly, -ation and a final 'e' dropped."""
    cached = _STEMS.get(word)
    if cached is not None:
        return cached
    result = word[:-2] if word.endswith("'s") else word
    for suffix in _SUFFIXES:
        if result.endswith(suffix) and len(result) - len(suffix) >= (3 if suffix == "s" else 4):
            if suffix == "s" and result[-2] in "su":
                break
            result = result[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    if result.endswith("e") and len(result) > 4:
        result = result[:-1]
    if len(_STEMS) < 200_000:
        _STEMS[word] = result
    return result


def words(text: str) -> list[str]:
    """Lower-cased word tokens, typographic apostrophes made plain."""
    return _TOKEN.findall(text.lower().replace("’", "'"))


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry content: no stop words, no one- or two-letter words."""
    return {stem(w) for w in words(text) if w not in cues.STOPWORDS and len(w) > 2}


# --- the catalog as a model: vocabulary, subject, match index ------------------------------


class CatalogModel:
    """What extraction learns from a catalog: its subject, its vocabulary, its topics, and an
    index of every claim's statement and quotes for matching."""

    def __init__(self, claims: list[Claim]):
        self.claims = {claim.id: claim for claim in claims}
        statements = [content_stems(c.statement) for c in claims]
        counts: dict[str, int] = defaultdict(int)
        for stems in statements:
            for s in stems:
                counts[s] += 1
        threshold = max(2, math.ceil(cues.SUBJECT_MIN_SHARE * len(claims)))
        self.subject = {s for s, n in counts.items() if n >= threshold}
        topic_words = {stem(w) for c in claims for t in c.topics for w in t.split("-") if len(w) > 2}
        self.vocabulary = (set(counts) | topic_words) - self.subject
        self.topics = sorted({t for c in claims for t in c.topics})
        self.topic_stems = {t: tuple(stem(w) for w in t.split("-")) for t in self.topics}
        self._index_texts(claims)

    def _index_texts(self, claims: list[Claim]) -> None:
        self.texts: list[tuple[str, str, bool]] = []  # (claim id, text, is a quote)
        for claim in claims:
            self.texts.append((claim.id, claim.statement, False))
            self.texts.extend((claim.id, q.text, True) for q in claim.made_in)
        self.folded = [_fold(text) for _, text, _ in self.texts]
        self.is_quote = [quote for _, _, quote in self.texts]
        stems = [content_stems(text) for _, text, _ in self.texts]
        df: dict[str, int] = defaultdict(int)
        for text_stems in stems:
            for s in text_stems:
                df[s] += 1
        total = max(1, len(self.texts))
        self.idf = {s: math.log(1 + total / n) for s, n in df.items()}
        self.unknown_idf = math.log(1 + total)  # a word no claim uses
        common = total / 2
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, text_stems in enumerate(stems):
            for s in text_stems:
                if df[s] <= common:
                    self.postings[s].append(i)
        self.inverse_norms = [1.0 / (sum(self.idf[s] for s in text_stems if df[s] <= common) or 1.0)
                              for text_stems in stems]

    def match(self, sentence: str, stems: set[str]) -> Match | None:
        """The claim this sentence most likely restates, with a 0-100 score, or None below the threshold."""
        best = self.best(sentence, stems, floor=cues.MATCH_THRESHOLD)
        return best if best is not None and best.score >= cues.MATCH_THRESHOLD else None

    def best(self, sentence: str, stems: set[str], floor: float = 0.0) -> Match | None:
        """The best-scoring claim whatever its score (None if no claim shares a content word).

        Score: 100 when one of the claim's quotes is in the sentence word for word; a rapidfuzz
        partial ratio of 90-99 when one nearly is; else the idf-weighted word overlap, as the
        geometric mean of how much of the claim text the sentence covers and how much of the
        sentence the claim text covers (0-100)."""
        idf, postings = self.idf, self.postings
        overlap = [0.0] * len(self.texts)
        touched: set[int] = set()
        sentence_norm = 0.0
        for s in stems:
            weight = idf.get(s)
            if weight is None:
                sentence_norm += self.unknown_idf
                continue
            sentence_norm += weight
            docs = postings.get(s)
            if docs:
                touched.update(docs)
                for i in docs:
                    overlap[i] += weight
        if not touched:
            return None
        inverse_norms, is_quote = self.inverse_norms, self.is_quote
        least_cover = (floor / 100) ** 2  # the word score is at most 100 * sqrt(cover)
        inverse_sentence = 1.0 / (sentence_norm or 1.0)
        best, best_score = -1, -1.0
        folded: str | None = None
        for i in touched:
            o = overlap[i]
            cover = o * inverse_norms[i]
            if cover < least_cover:
                continue
            share = o * inverse_sentence
            score = 100.0 * (cover * (share if share < 1.0 else 1.0)) ** 0.5
            if cover >= NEAR_VERBATIM_COVER and is_quote[i]:  # most of the quote's words are there
                folded = folded if folded is not None else _fold(sentence)
                verbatim = self._verbatim(i, folded)
                score = verbatim if verbatim > score else score
            if score > best_score:
                best, best_score = i, score
        if best < 0:
            return None
        return Match(self.texts[best][0], round(best_score, 1))

    def _verbatim(self, i: int, folded: str) -> float:
        """100 if the quote is in the sentence; 90-99 if nearly (rapidfuzz); else 0."""
        quote = self.folded[i]
        if quote in folded:
            return 100.0
        if len(quote) < NEAR_VERBATIM_MIN_CHARS:
            return 0.0
        from rapidfuzz import fuzz

        return min(fuzz.partial_ratio(quote, folded, score_cutoff=NEAR_VERBATIM_SCORE), 99.0)


def _fold(text: str) -> str:
    """Case, typography and spacing ignored: how a quote is found inside a sentence."""
    return normalise_quote_text(text).casefold()


# --- scoring -------------------------------------------------------------------------------


class _CueTable:
    """The cue and penalty phrases as stem tuples, indexed by their first stem."""

    def __init__(self) -> None:
        self.groups = {name: (weight, kind) for name, weight, kind, _ in cues.CUE_GROUPS}
        self.groups.update({name: (weight, None) for name, weight, _ in cues.PENALTIES})
        self.penalty_names = {name for name, _, _ in cues.PENALTIES}
        entries = [(name, phrase) for name, _, _, phrases in cues.CUE_GROUPS for phrase in phrases]
        entries += [(name, phrase) for name, _, phrases in cues.PENALTIES for phrase in phrases]
        entries += [(BOILERPLATE, phrase) for phrase in cues.BOILERPLATE if words(phrase)]
        self.boilerplate_symbols = tuple(p for p in cues.BOILERPLATE if not words(p))
        # first stem -> [(the phrase's stems, group, phrase)]
        self.by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = defaultdict(list)
        for name, phrase in entries:
            stems = tuple(stem(w) for w in words(phrase))
            self.by_first[stems[0]].append((stems, name, phrase))
        for entries_here in self.by_first.values():
            entries_here.sort(key=lambda entry: -len(entry[0]))  # longest first

    def is_boilerplate(self, line: str) -> bool:
        stems = [stem(w) for w in words(line)]
        return BOILERPLATE in self.fired(stems) or any(symbol in line for symbol in self.boilerplate_symbols)

    def fired(self, stems: list[str]) -> dict[str, list[str]]:
        """Group -> the phrases of that group found in the sentence. Longer phrases win: a
        phrase overlapping one already found in its group ("been shown to" after "has been
        shown") is not listed again."""
        found: dict[str, list[str]] = {}
        covered: dict[str, int] = {}  # group -> the first token after its last match
        by_first = self.by_first
        for i, first in enumerate(stems):
            for phrase_stems, group, phrase in by_first.get(first, ()):
                size = len(phrase_stems)
                if size > 1 and tuple(stems[i:i + size]) != phrase_stems:
                    continue
                if covered.get(group, 0) > i:
                    continue
                covered[group] = i + size
                phrases = found.setdefault(group, [])
                if phrase not in phrases:
                    phrases.append(phrase)
        return {group: found[group] for group in (*self.groups, BOILERPLATE) if group in found}


BOILERPLATE = "boilerplate"
_TABLE: _CueTable | None = None


def _cue_table() -> _CueTable:
    global _TABLE
    if _TABLE is None:
        _TABLE = _CueTable()
    return _TABLE


@dataclass(slots=True)
class _Scored:
    score: float
    cues: list[str]
    kind_votes: dict[str, float]
    stems: set[str]
    all_stems: list[str]
    citations: list[str]


def score_sentence(sentence: str, model: CatalogModel) -> _Scored | None:
    """The sentence's score and the cues that fired; None for boilerplate and fragments."""
    table = _cue_table()
    tokens = words(sentence)
    if len(tokens) < cues.MIN_WORDS:
        return None
    cache = _STEMS
    stems = [cache[w] if w in cache else stem(w) for w in tokens]
    matched = table.fired(stems)
    if BOILERPLATE in matched or any(symbol in sentence for symbol in table.boilerplate_symbols):
        return None
    score, fired, votes = 0.0, [], defaultdict(float)
    for group, phrases in matched.items():
        if group in table.penalty_names:
            continue
        weight, kind = table.groups[group]
        score += weight
        fired.extend(f"{group}: {p}" for p in phrases)
        if kind:
            votes[kind] += len(phrases)
    content = {s for w, s in zip(tokens, stems) if w not in cues.STOPWORDS and len(w) > 2}
    score += _catalog_cues(tokens, stems, content, model, fired)
    citations = find_citations(sentence)
    if citations:
        score += cues.CITATION_WEIGHT
        fired.append("citation: " + ", ".join(citations))
    for group, phrases in matched.items():
        if group in table.penalty_names:
            score += table.groups[group][0]
            fired.extend(f"{group}: {p}" for p in phrases)
    if sentence.rstrip().endswith("?"):
        score += cues.QUESTION_WEIGHT
        fired.append("question")
    return _Scored(round(score, 2), fired, dict(votes), content, stems, citations)


def _catalog_cues(tokens: list[str], stems: list[str], content: set[str], model: CatalogModel,
                  fired: list[str]) -> float:
    score = 0.0
    surface = dict(zip(stems, tokens))
    subject = sorted(content & model.subject)
    if subject:
        score += cues.SUBJECT_WEIGHT
        fired.append("subject: " + ", ".join(surface[s] for s in subject))
    known = sorted(content & model.vocabulary)
    if known:
        score += min(cues.VOCABULARY_CAP, cues.VOCABULARY_WEIGHT * len(known))
        fired.append("catalog words: " + ", ".join(surface[s] for s in known))
    return score


# --- citations -------------------------------------------------------------------------------

_NUMBERED = re.compile(r"\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]")
_AUTHOR_YEAR = re.compile(
    r"\(((?:[A-Z][A-Za-z'’-]+(?:\s+(?:et\s+al\.?|and|&)\s*(?:[A-Z][A-Za-z'’-]+)?)?,?\s+(?:19|20)\d{2}[a-z]?"
    r"(?:;\s*)?)+)\)"
)
_SUPERSCRIPTS = re.compile(r"(?<=[\w.,;:)\]”’\"])([¹²³⁴⁵⁶⁷⁸⁹⁰]+(?:[,–-][¹²³⁴⁵⁶⁷⁸⁹⁰]+)*)")
_ANY_SUPERSCRIPT = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]")
_SUPERSCRIPT_DIGITS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")


def find_citations(sentence: str) -> list[str]:
    """Citation markers in a sentence: numbers of [1], [1,2], [2-4] and superscripts; the
    author-year citations of (Cook and Wellman, 2004; Lui et al., 2008)."""
    found: list[str] = []
    if "[" in sentence:
        for match in _NUMBERED.finditer(sentence):
            found.extend(_expand_numbers(match.group(1)))
    if _ANY_SUPERSCRIPT.search(sentence):
        for match in _SUPERSCRIPTS.finditer(sentence):
            found.extend(_expand_numbers(match.group(1).translate(_SUPERSCRIPT_DIGITS)))
    if "(" in sentence:
        for match in _AUTHOR_YEAR.finditer(sentence):
            found.extend(part.strip() for part in match.group(1).split(";") if part.strip())
    return list(dict.fromkeys(found))


def _expand_numbers(text: str) -> list[str]:
    numbers: list[str] = []
    for part in re.split(r"\s*,\s*", text.strip()):
        low, dash, high = _range(part)
        if dash and low.isdigit() and high.isdigit() and 0 < int(high) - int(low) < 50:
            numbers.extend(str(n) for n in range(int(low), int(high) + 1))
        elif part.isdigit():
            numbers.append(str(int(part)))
    return numbers


def _range(part: str) -> tuple[str, str, str]:
    match = re.fullmatch(r"(\d+)\s*([–-])\s*(\d+)", part)
    return (match.group(1), match.group(2), match.group(3)) if match else (part, "", "")


# --- the reference list ----------------------------------------------------------------------

_REFERENCE_HEADING = re.compile(
    r"^\W*(sources|references|reference list|bibliography|works cited|citations|literature cited|"
    r"notes|footnotes|endnotes)\W*$", re.IGNORECASE)
_REFERENCE_LINE = re.compile(r"^\s*(?:\[(\d{1,3})\]:?|\^?(\d{1,3})[.)]|\(?(\d{1,3})\))\s+(\S.*)$")
_BRACKETED_REFERENCE = re.compile(r"^\s*\[(\d{1,3})\]:?\s+(\S.*)$")
_LOOKS_BIBLIOGRAPHIC = re.compile(r"\b(?:19|20)\d{2}[a-z]?\b|https?://|\bdoi\b", re.IGNORECASE)


def find_references(article: Article, sources: dict[str, Source] | None = None) -> list[Reference]:
    """The article's reference list: numbered entries under a SOURCES/References heading (or
    anywhere as "[n] ..." lines with an identifier), each with its identifier and known source."""
    return [reference for reference, _ in _references_with_spans(article, sources)]


def _references_with_spans(article: Article, sources: dict[str, Source] | None
                           ) -> list[tuple[Reference, tuple[int, int]]]:
    lines = _lines(article.text)
    known = _source_lookup(sources or {})
    found: dict[int, tuple[Reference, tuple[int, int]]] = {}
    for i, (_, _, line) in enumerate(lines):
        if _REFERENCE_HEADING.match(line.strip()):
            for j, entry in _section(article, lines, i + 1):
                found.setdefault(j, (_reference(article, lines[j], entry, known), lines[j][:2]))
    for j, (start, end, line) in enumerate(lines):
        bracketed = _BRACKETED_REFERENCE.match(line)
        if j not in found and bracketed and _identifier(article, start, end, line):
            entry = (bracketed.group(1), bracketed.group(2))
            found[j] = (_reference(article, lines[j], entry, known), (start, end))
    return [found[j] for j in sorted(found)]


def _lines(text: str) -> list[tuple[int, int, str]]:
    lines, position = [], 0
    for line in text.split("\n"):
        lines.append((position, position + len(line), line))
        position += len(line) + 1
    return lines


def _section(article: Article, lines: list[tuple[int, int, str]], first: int
             ) -> list[tuple[int, tuple[str | None, str]]]:
    """Entries after a reference heading, until a line that is neither an entry nor blank."""
    entries: list[tuple[int, tuple[str | None, str]]] = []
    numbered = False
    for j in range(first, len(lines)):
        line = lines[j][2].strip()
        if not line:
            continue
        if _cue_table().is_boilerplate(line) or _REFERENCE_HEADING.match(line):
            break
        entry = _REFERENCE_LINE.match(line)
        if entry:
            numbered = True
            entries.append((j, (entry.group(1) or entry.group(2) or entry.group(3), entry.group(4))))
        elif not numbered and (_identifier(article, lines[j][0], lines[j][1], line)
                               or (_LOOKS_BIBLIOGRAPHIC.search(line) and not _is_heading(line))):
            entries.append((j, (None, line)))
        else:
            break
    return entries


def _reference(article: Article, line: tuple[int, int, str], entry: tuple[str | None, str],
               known: dict[Identifier, str]) -> Reference:
    start, end, _ = line
    marker, text = entry
    identifier = _identifier(article, start, end, text)
    return Reference(marker, _SPACES.sub(" ", text).strip(), str(identifier) if identifier else None,
                     known.get(identifier) if identifier else None)


def _identifier(article: Article, start: int, end: int, text: str) -> Identifier | None:
    """The first identifier in the entry's text, else in the links it holds (HTML, Markdown)."""
    found = find_identifiers(text)
    if found:
        return found[0]
    for link in article.links:
        if start <= link.start < end:
            parsed = try_parse_identifier(link.url)
            if parsed:
                return parsed
    return None


def _source_lookup(sources: dict[str, Source]) -> dict[Identifier, str]:
    lookup: dict[Identifier, str] = {}
    for source in sources.values():
        for given in (source.pmid and f"pmid:{source.pmid}", source.pmcid, source.doi and f"doi:{source.doi}",
                      source.url):
            parsed = try_parse_identifier(given) if given else None
            if parsed is not None:
                lookup.setdefault(parsed, source.id)
    return lookup


# --- extraction ------------------------------------------------------------------------------


def extract(article: Article, claims: list[Claim], sources: dict[str, Source] | None = None,
            min_score: float = cues.MIN_SCORE, model: CatalogModel | None = None) -> Extraction:
    """Propose the article's claim sentences (each matched to a catalog claim or `new`) and its references."""
    model = model or CatalogModel(claims)
    sentences = split_sentences(article.text)
    references = _references_with_spans(article, sources)
    listed = sorted(span for _, span in references)
    listed_starts = [start for start, _ in listed]
    candidates = []
    for sentence in sentences:
        if listed and _inside(sentence.start, listed, listed_starts):
            continue  # an entry of the reference list, not a claim
        scored = score_sentence(sentence.text, model)
        if scored is None or scored.score < min_score:
            continue
        match = model.match(sentence.text, scored.stems)
        candidates.append(Candidate(
            sentence=sentence.text, start=sentence.start, end=sentence.end, score=scored.score, cues=scored.cues,
            match=match, citations=scored.citations,
            kind=_guess_kind(scored.kind_votes, model.claims.get(match.claim) if match else None),
            quote=article.own_words(sentence.start, sentence.end) if article.inserted else sentence.text))
    return Extraction(candidates, [reference for reference, _ in references], len(sentences))


def _inside(position: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect.bisect_right(starts, position) - 1
    return i >= 0 and spans[i][0] <= position < spans[i][1]


def _guess_kind(votes: dict[str, float], matched: Claim | None) -> str:
    if matched is not None:
        return matched.kind
    if not votes:
        return "background"
    return max(CLAIM_KINDS, key=lambda kind: (votes.get(kind, 0.0), -CLAIM_KINDS.index(kind)))


def guess_topics(sentence: str, model: CatalogModel) -> list[str]:
    """The catalog's topics whose every word is in the sentence ("chronic-pain": chronic and pain)."""
    stems = {stem(w) for w in words(sentence)}
    return [topic for topic, topic_stems in model.topic_stems.items() if stems.issuperset(topic_stems)]


def as_json(extraction: Extraction) -> dict[str, Any]:
    """The `kclaims extract --json` document (docs/extract.md lists the keys)."""
    return {
        "candidates": [
            {"sentence": c.sentence, "start": c.start, "end": c.end, "score": c.score, "cues": c.cues,
             "match": {"claim": c.match.claim, "score": c.match.score} if c.match else None,
             "citations": c.citations}
            for c in extraction.candidates
        ],
        "references": [{"marker": r.marker, "text": r.text, "identifier": r.identifier}
                       for r in extraction.references],
    }


def covered(quote: str, sentences: list[str]) -> bool:
    """Does a quote fall inside one of the sentences, or inside a run of consecutive ones (a quote
    may cross a sentence boundary)? Compared after `normalise_quote_text`, case kept."""
    wanted = normalise_quote_text(quote)
    normalised = [normalise_quote_text(s) for s in sentences]
    if any(wanted in s for s in normalised):
        return True
    for i in range(len(normalised)):
        joined = normalised[i]
        for j in range(i + 1, min(i + 4, len(normalised))):
            joined += " " + normalised[j]
            if wanted in joined:
                return True
    return False


# --- accepting proposals ---------------------------------------------------------------------

NOT_IN_ARTICLE = "those words are not in the article word for word"


@dataclass(frozen=True, slots=True)
class Outcome:
    action: str  # "new claim" | "quoted" | "already recorded" | "skipped"
    claim: str | None
    sentence: str  # the words recorded (or that would have been)
    detail: str = ""


OUTCOME_ACTIONS = ("new claim", "quoted", "already recorded", "skipped")


def suggest_claim_id(sentence: str, taken: set[str], model: CatalogModel | None = None) -> str:
    """A new claim id from the sentence's first content words, e.g. 'blocks-nmda-receptors'."""
    subject = model.subject if model else set()
    kept = [w for w in words(sentence) if w not in cues.STOPWORDS and len(w) > 2 and stem(w) not in subject]
    base = "-".join(re.sub(r"[^a-z0-9]", "", w) for w in kept[:5]).strip("-")[:60].rstrip("-") or "claim"
    candidate, n = base, 2
    while candidate in taken or not ID_PATTERN.fullmatch(candidate):
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def snapshot_article(catalog: Any, source_id: str | None) -> Path:
    """The article to read when no file is given: the source's text snapshot (sources/ID.txt)."""
    if not source_id:
        raise BadInput("give the article's file, or --source ID to read that source's text snapshot")
    path: Path = catalog.snapshot_path(source_id)
    if not path.is_file():
        raise BadInput(f"source {source_id!r} has no text snapshot ({path}); give the article's file")
    return path


class ReviewSession:
    """Accepting an extraction's proposals for the source the article is, one at a time (a
    person's review) or all above a score (`apply`). Each acceptance is written at once through
    `kclaims.edit` and returns an `Outcome`; nothing here prompts or prints.

    What is recorded is always the article's own words: the candidate's `quote` (its sentence
    without the citation markers kclaims wrote in), or words the reviewer chose, which must be
    in the article as read and, when the source has a text snapshot, in the snapshot too (so
    `kclaims check` stays clean)."""

    def __init__(self, root: Path, source_id: str, article: Article, extraction: Extraction,
                 model: CatalogModel):
        self.root = root
        self.source_id = source_id
        self.candidates = extraction.candidates
        self.model = model
        self.outcomes: list[Outcome] = []
        self.taken = set(model.claims)
        self._recorded = [(claim.id, _fold(quote.text)) for claim in model.claims.values()
                          for quote in claim.made_in if quote.source == source_id]
        self._article = normalise_quote_text(article.own_text())
        self._snapshot = _normalised_snapshot(root / "sources" / f"{source_id}.txt")

    def already_recorded(self, candidate: Candidate) -> str | None:
        """The claim that already quotes this source with words inside (or around) the candidate's."""
        folded = _fold(candidate.quote)
        for claim_id, quote in self._recorded:
            if quote in folded or folded in quote:
                return claim_id
        return None

    def unreviewed(self, first: int) -> int:
        """How many proposals from index `first` on are still to be decided (not yet recorded)."""
        return sum(1 for candidate in self.candidates[first:] if not self.already_recorded(candidate))

    def quote_problem(self, quote: str) -> str | None:
        """Why these words cannot be recorded as the article's (not in it word for word, or not in
        the source's snapshot), or None."""
        wanted = normalise_quote_text(quote)
        if not wanted or wanted not in self._article:
            return NOT_IN_ARTICLE
        if self._snapshot is not None and wanted not in self._snapshot:
            return f"not verbatim in sources/{self.source_id}.txt, so 'kclaims check' would flag it"
        return None

    def quote_ok(self, quote: str) -> bool:
        return self.quote_problem(quote) is None

    def is_claim(self, claim_id: str) -> bool:
        return claim_id in self.taken

    def suggest_id(self, quote: str) -> str:
        return suggest_claim_id(quote, self.taken, self.model)

    def suggest_topics(self, quote: str) -> list[str]:
        return guess_topics(quote, self.model)

    def accept_match(self, candidate: Candidate) -> Outcome:
        """Record the candidate's words for the claim it restates."""
        if candidate.match is None:
            raise BadInput("this proposal restates no catalog claim; make it a new claim instead")
        return self.accept_quote(candidate.match.claim, candidate.quote)

    def accept_quote(self, claim_id: str, quote: str) -> Outcome:
        """Record the article's words for an existing claim."""
        from kclaims.catalog.edit import add_quote

        problem = self.quote_problem(quote)
        if problem:
            return self._done(Outcome("skipped", claim_id, quote, problem))
        added = add_quote(self.root, claim_id, self.source_id, quote)
        return self._done(Outcome("quoted" if added else "already recorded", claim_id, quote))

    def accept_new(self, candidate: Candidate, quote: str, claim_id: str, statement: str, kind: str,
                   topics: list[str]) -> Outcome:
        """Add a new claim the article makes in these words (`candidate.quote` unless edited)."""
        from kclaims.catalog.edit import add_claim

        problem = self.quote_problem(quote)
        if problem:
            return self._done(Outcome("skipped", claim_id, quote, problem))
        add_claim(self.root, Claim(id=claim_id, statement=statement or quote, kind=kind, topics=topics,
                                   made_in=[Quote(self.source_id, quote)]))
        self.taken.add(claim_id)
        return self._done(Outcome("new claim", claim_id, quote))

    def _done(self, outcome: Outcome) -> Outcome:
        if outcome.action in ("new claim", "quoted") and outcome.claim:
            self._recorded.append((outcome.claim, _fold(outcome.sentence)))
        self.outcomes.append(outcome)
        return outcome

    def counts(self) -> dict[str, int]:
        """How many proposals ended each way, in the order of OUTCOME_ACTIONS."""
        return {action: sum(1 for o in self.outcomes if o.action == action) for action in OUTCOME_ACTIONS}

    def apply(self, threshold: float = cues.APPLY_THRESHOLD) -> list[Outcome]:
        """Accept every proposal scoring at least `threshold`: a matched one becomes a quote of its
        claim, a new one a new claim (id from its words, kind and topics guessed, statement = its
        words, for a curator to reword). Words this source is already quoted with are left alone."""
        for candidate in self.candidates:
            if candidate.score < threshold:
                continue
            recorded = self.already_recorded(candidate)
            if recorded:
                self._done(Outcome("already recorded", recorded, candidate.quote))
            elif candidate.match:
                self.accept_match(candidate)
            else:
                quote = candidate.quote
                self.accept_new(candidate, quote, self.suggest_id(quote), quote, candidate.kind,
                                self.suggest_topics(quote))
        return self.outcomes


def _normalised_snapshot(path: Path) -> str | None:
    try:
        return normalise_quote_text(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def apply_proposals(root: Path, source_id: str, article: Article, extraction: Extraction,
                    threshold: float = cues.APPLY_THRESHOLD, model: CatalogModel | None = None) -> list[Outcome]:
    """`ReviewSession.apply` for the catalog at `root` (loaded here when no model is given)."""
    if model is None:
        from kclaims.catalog.files import load_catalog

        model = CatalogModel(load_catalog(root).claims)
    return ReviewSession(root, source_id, article, extraction, model).apply(threshold)
