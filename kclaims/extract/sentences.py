"""Sentences and words: splitting blocks at sentence ends, tokens and crude stems."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kclaims.extract import cues
from kclaims.extract.article import SPACES
from kclaims.text import STOPWORDS


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str  # the article's words, whitespace collapsed
    start: int
    end: int


_LIST_MARKER = re.compile(r"[ \t]*(?:[-*•·‣◦▪–]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])[ \t]+")


_ENDS_SENTENCE = re.compile(r"[.!?:;…\"”’)\]]\s*$")


# A number glued to the stop after a word ("adults.1 Research") is a superscript marker that lost its
# markup in a text snapshot: it ends the sentence with it.
# A boundary starts only where a run of stops starts, and takes the whole run at once: otherwise a
# run of n dots not followed by a new sentence is tried from each of its n positions, n steps each.
_BOUNDARY = re.compile(
    r"(?<![.!?…])(?P<stop>[.!?…]++)[\"'”’)\]]*(?:[ \t]?\[[\d,\s–-]+\])*[¹²³⁴⁵⁶⁷⁸⁹⁰]*"
    r"(?:(?<=[a-z][.!?])\d{1,3}(?:[,–-]\d{1,3})*)?(?P<gap>\s+)"
    r"(?=[\"“‘'(\[]?[A-Z0-9])"
)


_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs al dr mr mrs ms prof fig figs no nos approx ca st jr sr inc ltd co eq vol pp ed eds "
    "dept univ est min max mt ft jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


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
        if open_start is not None and (_LIST_MARKER.match(line) or is_heading(stripped)):
            blocks.append((open_start, start - 1))
            open_start = None
        if open_start is None:
            open_start = start
        if _ENDS_SENTENCE.search(stripped) or is_heading(stripped) or len(stripped) < 40:
            blocks.append((open_start, end))
            open_start = None
    if open_start is not None:
        blocks.append((open_start, len(text)))
    return blocks


def is_heading(line: str) -> bool:
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
    if not stripped or is_heading(stripped):
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
            piece = SPACES.sub(" ", piece)
        pieces.append(Sentence(piece, start, end))


_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")


_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s", "ly")


_SUFFIX_MIN_REST = {"s": 3, "ly": 5}


STEM_CACHE: dict[str, str] = {}


def stem(word: str) -> str:
    """A crude, predictable stem: plural, -ing, -ed, -ly, -ation and a final 'e' dropped, a final
    'y' after a consonant made 'i' (so "cookie", "cookies" and "study", "studies" meet). -ly goes
    only after five letters: "likely" is not "like", "rapidly" is "rapid"."""
    cached = STEM_CACHE.get(word)
    if cached is not None:
        return cached
    result = word[:-2] if word.endswith("'s") else word
    for suffix in _SUFFIXES:
        if result.endswith(suffix) and len(result) - len(suffix) >= _SUFFIX_MIN_REST.get(suffix, 4):
            if suffix == "s" and result[-2] in "su":
                break
            result = result[: -len(suffix)] + ("i" if suffix in ("ies", "ied") else "")
            break
    if result.endswith("e") and len(result) > 4:
        result = result[:-1]
    elif result.endswith("y") and len(result) > 3 and result[-2] not in "aeiouy":
        result = result[:-1] + "i"
    if len(STEM_CACHE) < 200_000:
        STEM_CACHE[word] = result
    return result


def words(text: str) -> list[str]:
    """Lower-cased word tokens, typographic apostrophes made plain."""
    return _TOKEN.findall(text.lower().replace("’", "'"))


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry content: no stop words, no one- or two-letter words."""
    return {stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 2}
