"""An article's own numbered reference list, each entry's identifier, and the catalog source it names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kclaims.extract.article import SPACES, Article
from kclaims.extract.scoring import cue_table
from kclaims.literature.ids import Identifier, try_parse_identifier
from kclaims.literature.webpage.references import Block, entry_identifier, reference_list
from kclaims.model import Source


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of the article's own reference list."""

    marker: str | None
    text: str
    identifier: str | None  # normalised by kclaims.literature.ids: "PMC4810965", "pmid:…", "doi:…", a URL
    source: str | None = None  # the catalog source with that identifier, if there is one


_BRACKETED_REFERENCE = re.compile(r"^\s*\[(\d{1,3})\]:?\s+(\S.*)$")


def references_with_spans(article: Article, sources: Mapping[str, Source] | None
                           ) -> list[tuple[Reference, tuple[int, int]]]:
    """The article's reference list, each entry with the span of its line. The list is read by
    `kclaims.literature.webpage.references.reference_list`, the reader `source add --html` uses,
    from the article's lines; `[n] …` lines elsewhere that hold an identifier are entries too."""
    lines = _lines(article.text)
    blocks = [_block(article, start, end, line) for start, end, line in lines]
    known = _source_lookup(sources or {})
    found: dict[int, tuple[Reference, tuple[int, int]]] = {}
    for entry in reference_list(blocks, cue_table().is_boilerplate):
        found.setdefault(entry.block, (_reference(entry.marker, entry.text, entry.url, entry.identifier, known),
                                       lines[entry.block][:2]))
    for j, (start, end, line) in enumerate(lines):
        bracketed = _BRACKETED_REFERENCE.match(line)
        if j in found or not bracketed:
            continue
        url, identifier = entry_identifier(bracketed.group(2), blocks[j].links)
        if url or identifier:
            found[j] = (_reference(bracketed.group(1), bracketed.group(2), url, identifier, known), (start, end))
    return [found[j] for j in sorted(found)]


def _lines(text: str) -> list[tuple[int, int, str]]:
    lines, position = [], 0
    for line in text.split("\n"):
        lines.append((position, position + len(line), line))
        position += len(line) + 1
    return lines


def _block(article: Article, start: int, end: int, line: str) -> Block:
    links = tuple(link.url for link in article.links if start <= link.start < end) if article.links else ()
    return Block(line, heading=start in article.heading_lines, number=article.item_numbers.get(start), links=links)


def _reference(marker: str | None, text: str, url: str, paper: str | None, known: dict[Identifier, str]
               ) -> Reference:
    """The entry as a Reference: its identifier is the paper it names, else its address."""
    identifier = try_parse_identifier(paper) if paper else (try_parse_identifier(url) if url else None)
    return Reference(marker, SPACES.sub(" ", text).strip(), str(identifier) if identifier else None,
                     known.get(identifier) if identifier else None)


def _source_lookup(sources: Mapping[str, Source]) -> dict[Identifier, str]:
    lookup: dict[Identifier, str] = {}
    for source in sources.values():
        for given in (source.pmid and f"pmid:{source.pmid}", source.pmcid, source.doi and f"doi:{source.doi}",
                      source.url):
            parsed = try_parse_identifier(given) if given else None
            if parsed is not None:
                lookup.setdefault(parsed, source.id)
    return lookup
