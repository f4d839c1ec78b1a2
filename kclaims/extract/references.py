"""An article's own numbered reference list, each entry's identifier, and the catalog source it names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kclaims.extract.article import SPACES, Article
from kclaims.extract.scoring import cue_table
from kclaims.extract.sentences import is_heading
from kclaims.literature.ids import Identifier, find_identifiers, try_parse_identifier
from kclaims.model import Source


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of the article's own reference list."""

    marker: str | None
    text: str
    identifier: str | None  # normalised by kclaims.literature.ids: "PMC4810965", "pmid:…", "doi:…", a URL
    source: str | None = None  # the catalog source with that identifier, if there is one


_REFERENCE_HEADING = re.compile(
    r"^\W*(sources|references|reference list|bibliography|works cited|citations|literature cited|"
    r"notes|footnotes|endnotes)\W*$", re.IGNORECASE)


_REFERENCE_LINE = re.compile(r"^\s*(?:\[(\d{1,3})\]:?|\^?(\d{1,3})[.)]|\(?(\d{1,3})\))\s+(\S.*)$")


_BRACKETED_REFERENCE = re.compile(r"^\s*\[(\d{1,3})\]:?\s+(\S.*)$")


_LOOKS_BIBLIOGRAPHIC = re.compile(r"\b(?:19|20)\d{2}[a-z]?\b|https?://|\bdoi\b", re.IGNORECASE)


def references_with_spans(article: Article, sources: Mapping[str, Source] | None
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
        if cue_table().is_boilerplate(line) or _REFERENCE_HEADING.match(line):
            break
        entry = _REFERENCE_LINE.match(line)
        if entry:
            numbered = True
            entries.append((j, (entry.group(1) or entry.group(2) or entry.group(3), entry.group(4))))
        elif not numbered and (_identifier(article, lines[j][0], lines[j][1], line)
                               or (_LOOKS_BIBLIOGRAPHIC.search(line) and not is_heading(line))):
            entries.append((j, (None, line)))
        else:
            break
    return entries


def _reference(article: Article, line: tuple[int, int, str], entry: tuple[str | None, str],
               known: dict[Identifier, str]) -> Reference:
    start, end, _ = line
    marker, text = entry
    identifier = _identifier(article, start, end, text)
    return Reference(marker, SPACES.sub(" ", text).strip(), str(identifier) if identifier else None,
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


def _source_lookup(sources: Mapping[str, Source]) -> dict[Identifier, str]:
    lookup: dict[Identifier, str] = {}
    for source in sources.values():
        for given in (source.pmid and f"pmid:{source.pmid}", source.pmcid, source.doi and f"doi:{source.doi}",
                      source.url):
            parsed = try_parse_identifier(given) if given else None
            if parsed is not None:
                lookup.setdefault(parsed, source.id)
    return lookup
