"""A web page's own reference list and the paper links in its text, each with its identifier.

The reference list is read in one place for both readers of a page: `kclaims source add --html`
(lxml's tree, through `blocks_of_tree`) and `kclaims extract` (its own HTML, Markdown or text
reader, which makes the same `Block`s from its lines). `reference_list(blocks)` finds the heading
and reads the entries after it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from kclaims.literature.ids import normalize_doi, try_parse_identifier
from kclaims.literature.webpage.metadata import absolute_url
from kclaims.text import collapse_spaces, squash

REFERENCE_HEADINGS = frozenset({"sources", "source", "references", "reference", "reference list", "citations",
                                "bibliography", "works cited", "literature", "literature cited", "notes", "footnotes",
                                "endnotes", "quellen", "literatur", "références", "referencias", "bibliografía",
                                "источники", "литература"})


# A heading's trimmings: Wikipedia's "[edit]" link, a colon, numbering ("7. References").
_HEADING_TRIM = re.compile(r"\s*\[\s*edit(?:\s+source)?\s*\]\s*$|^[\W\d]+|\W+$", re.IGNORECASE)


# A marker standing alone: "1", "[1]", "1." or "(1)" (a number in its own <p> before its entry).
_MARKER = re.compile(r"^\s*\[?\(?(\d{1,3})[\].)]?\s*$")


# A marker opening an entry: "[1] ", "[1]: ", "1. ", "1) ", "(1) ", "^1. ", and "1 " before an address.
_LEADING_MARKER = re.compile(r"^\s*(?:\[(\d{1,3})\]:?|\^?\(?(\d{1,3})[.)]|(\d{1,3})(?=\s+https?://))\s+(?=\S)")


# Wikipedia's back-links before an entry: "^", or "^ a b c" for a note cited three times.
_BACKLINKS = re.compile(r"^\s*\^(?:\s+[a-z]{1,2}\b)*\s*")


_LOOKS_BIBLIOGRAPHIC = re.compile(r"\b(?:19|20)\d{2}[a-z]?\b|https?://|\bdoi\b", re.IGNORECASE)


_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "nav", "form", "button", "select"})


@dataclass(frozen=True, slots=True)
class Block:
    """A line of a page as a reader sees it: a heading, a list item or a paragraph."""

    text: str
    heading: bool = False  # an <h1>-<h6>
    number: int | None = None  # an <ol> item's number (its position, from the list's `start`)
    links: tuple[str, ...] = ()  # absolute http(s) addresses of the links in it


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a reference list: which block holds it, its marker, its words and what it names."""

    block: int
    marker: str | None
    text: str  # the words, the marker and Wikipedia's back-links left out
    url: str  # the first link (or address in the text), "" when there is none
    identifier: str | None  # "PMC…", "pmid:…", "doi:…" when the entry names a paper


_DOI_IN_PATH = re.compile(r"(10\.[0-9]{4,9}/[^\s?#&]+)")


@dataclass(frozen=True)
class Citation:
    """One entry of an article's references: a paper (identifier set) or another web page."""

    marker: str | None   # "12" for a link written [12] or (12), else None
    url: str
    identifier: str | None  # "PMC4810965", "pmid:16894061", "doi:10.1001/…" when the link names a paper
    text: str

    def as_dict(self) -> dict[str, str]:
        data = {"marker": self.marker, "id": self.identifier, "url": self.url}
        return {k: v for k, v in data.items() if v}


def references_in_page(tree: Any, html: str, url: str) -> list[Citation]:
    """The page's reference list, then the other links in its main text that name a paper."""
    listed = [Citation(e.marker, e.url, e.identifier, e.text[:300]) for e in reference_list(blocks_of_tree(tree, url))]
    found = list(listed)
    seen = {(c.marker, c.identifier or c.url) for c in found}
    papers = {c.identifier or c.url for c in found}
    for citation in _paper_links(html, url):
        key = (citation.marker, citation.identifier or citation.url)
        if key in seen or (citation.marker is None and key[1] in papers):
            continue  # the same paper again, or a link to an entry of the list above
        seen.add(key)
        papers.add(key[1])
        found.append(citation)
    return found


def _paper_links(html: str, url: str) -> list[Citation]:
    """Links in the main text (as trafilatura finds it) that name a paper."""
    from trafilatura import bare_extraction

    try:
        document = bare_extraction(html, url=url, include_links=True, include_comments=False, with_metadata=False)
    except Exception:  # references are a bonus: an odd page must not stop the command
        return []
    body = getattr(document, "body", None)
    if body is None:
        return []
    citations = []
    for ref in body.iter("ref"):
        target = _absolute(url, ref.get("target") or "")
        identifier = paper_identifier(target) if target else None
        if target and identifier:
            text = collapse_spaces("".join(ref.itertext()))
            match = _MARKER.match(text)
            citations.append(Citation(match.group(1) if match else None, target, identifier, text[:200]))
    return citations


def paper_identifier(url: str) -> str | None:
    """"PMC…", "pmid:…" or "doi:…" when `url` names a paper (PubMed, PMC, doi.org, or a DOI in
    a publisher's path like /lookup/doi/10.1136/bcr-2019-231237), else None."""
    identifier = try_parse_identifier(url)
    if identifier is not None and identifier.kind != "url":
        return str(identifier)
    try:
        path = urlsplit(url).path
    except ValueError:  # "http://[oops": not an address at all
        return None
    match = _DOI_IN_PATH.search(path)
    doi = normalize_doi(match.group(1)) if match else None
    return f"doi:{doi}" if doi else None


def is_reference_heading(text: str) -> bool:
    """Is this line the heading of a reference list? ("References", "SOURCES:", "References[edit]")"""
    return len(text) < 60 and squash(_HEADING_TRIM.sub("", text)) in REFERENCE_HEADINGS


def reference_list(blocks: Sequence[Block], ends_list: Callable[[str], bool] | None = None) -> list[Entry]:
    """The entries after each reference heading: list items and paragraphs, each with its marker
    (written "[1]" or "1.", standing alone in the block before, or an <ol> item's number). An
    unnumbered entry counts when it names a paper or looks bibliographic (a year, an address, a
    DOI), and only while no entry was numbered. The list ends at a heading, at a block that is no
    entry, or where `ends_list` says (boilerplate)."""
    entries: list[Entry] = []
    taken: set[int] = set()
    for i, block in enumerate(blocks):
        if i not in taken and is_reference_heading(block.text.strip()):
            for entry in _entries_after(blocks, i + 1, ends_list):
                taken.add(entry.block)
                entries.append(entry)
    return entries


def _entries_after(blocks: Sequence[Block], first: int, ends_list: Callable[[str], bool] | None) -> list[Entry]:
    entries: list[Entry] = []
    pending: str | None = None  # a marker in a block of its own, for the block after it
    numbered = False
    for j in range(first, len(blocks)):
        block = blocks[j]
        text = block.text.strip()
        if not text:
            continue
        if block.heading or is_reference_heading(text):
            break
        alone = _MARKER.match(text)
        if alone and pending is None:
            pending = alone.group(1)
            continue
        entry = _entry(j, block, text, pending)
        pending = None
        if entry.marker is None and (numbered or (ends_list is not None and ends_list(text)) or
                                     not (entry.identifier or _LOOKS_BIBLIOGRAPHIC.search(entry.text))):
            break  # a numbered entry may say "originally published in 1966"; prose after the list may not
        numbered = numbered or entry.marker is not None
        entries.append(entry)
    return entries


def _entry(index: int, block: Block, text: str, pending: str | None) -> Entry:
    text = _BACKLINKS.sub("", text)
    leading = _LEADING_MARKER.match(text)
    if leading:
        text = text[leading.end():]
    marker = pending or (leading and (leading.group(1) or leading.group(2) or leading.group(3))) or \
        (str(block.number) if block.number is not None else None)
    url, identifier = entry_identifier(text, block.links)
    return Entry(index, marker, collapse_spaces(text), url, identifier)


def entry_identifier(text: str, links: Sequence[str]) -> tuple[str, str | None]:
    """An entry's address (its first link, else the first address in its words) and the paper it
    names: the first of its links that names one, else the first PMID, PMCID or DOI in its words."""
    from kclaims.literature.ids import find_identifiers

    addresses = list(links) or [a.rstrip(".,;") for a in re.findall(r"https?://[^\s<>\"']+", text)]
    for address in addresses:
        identifier = paper_identifier(address)
        if identifier:
            return address, identifier
    papers = [i for i in find_identifiers(text) if i.kind != "url"]
    return (addresses[0] if addresses else ""), (str(papers[0]) if papers else None)


def blocks_of_tree(tree: Any, url: str) -> list[Block]:
    """A parsed page (lxml) as blocks in document order, as a reader sees its lines: headings,
    list items (with their <ol> numbers), paragraphs, and each run of inline content between
    them; scripts, styles, navigation and forms left out."""
    holders = _holding_blocks(tree)
    blocks: list[Block] = []
    line: list[Any] = []  # the pieces (strings, inline elements) of the line being gathered
    stack: list[Any] = [tree]
    while stack:
        item = stack.pop()
        if item is _END_OF_ELEMENT:
            _end_line(blocks, line, url)
            continue
        if isinstance(item, str):
            line.append(item)
            continue
        tag = item.tag if isinstance(item.tag, str) else None
        if tag is None or tag in _SKIPPED_TAGS:
            continue  # a comment, or what is not read; its tail was pushed on its own
        if tag not in _BLOCK_TAGS and item not in holders:
            line.append(item)
            continue
        _end_line(blocks, line, url)
        if tag in _HEADING_TAGS or tag == "li" or item not in holders:
            blocks.append(_block(item, tag, url))
            continue
        stack.append(_END_OF_ELEMENT)
        for child in reversed(item):
            if child.tail:
                stack.append(child.tail)
            stack.append(child)
        if item.text:
            stack.append(item.text)
    _end_line(blocks, line, url)
    return blocks


_END_OF_ELEMENT = object()  # on the stack after an element's children: its last line ends there


_BLOCK_TAGS = frozenset({*_HEADING_TAGS, "li", "p", "div", "dd", "dt", "dl", "td", "th", "tr", "table", "blockquote",
                         "section", "article", "main", "ol", "ul", "br", "body", "html", "figure", "figcaption",
                         "pre", "header", "footer", "aside", "details", "summary", "caption", "hr", "address"})


def _holding_blocks(tree: Any) -> set[Any]:
    """The elements with a block element inside them (one pass, each ancestor marked once)."""
    holders: set[Any] = set()
    for element in tree.iter(*_BLOCK_TAGS):
        parent = element.getparent()
        while parent is not None and parent not in holders:
            holders.add(parent)
            parent = parent.getparent()
    return holders


def _end_line(blocks: list[Block], line: list[Any], url: str) -> None:
    text = collapse_spaces("".join(p if isinstance(p, str) else p.text_content() for p in line))
    if text:
        links = tuple(link for p in line if not isinstance(p, str) for link in _links(p, url))
        blocks.append(Block(text, links=links))
    line.clear()


def _block(element: Any, tag: str, url: str) -> Block:
    text = collapse_spaces(element.text_content())
    if tag in _HEADING_TAGS:
        return Block(text, heading=True)
    return Block(text, number=_item_number(element) if tag == "li" else None, links=_links(element, url))


def _item_number(item: Any) -> int | None:
    """An <ol> item's number: its position, counted from the list's `start`; None in a <ul>."""
    parent = item.getparent()
    if parent is None or parent.tag != "ol":
        return None
    try:
        start = int(parent.get("start") or 1)
    except ValueError:
        start = 1
    return start + sum(1 for sibling in item.itersiblings(preceding=True) if sibling.tag == "li")


def _links(element: Any, url: str) -> tuple[str, ...]:
    """The element's links, made absolute; a link within the page (a back-link "#cite_ref-1") is not one."""
    hrefs = (a.get("href") or "" for a in element.iter("a"))
    return tuple(link for link in (_absolute(url, h) for h in hrefs if not h.strip().startswith("#")) if link)


def _absolute(base: str, href: str) -> str | None:
    try:
        return absolute_url(base, href)
    except ValueError:  # "http://[oops": a broken link is no link
        return None
