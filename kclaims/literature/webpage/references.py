"""A web page's own reference list and the paper links in its text, each with its identifier."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from kclaims.literature.ids import normalize_doi, try_parse_identifier
from kclaims.literature.webpage.metadata import absolute_url
from kclaims.text import collapse_spaces, squash

REFERENCE_HEADINGS = frozenset({"sources", "source", "references", "reference", "citations", "bibliography",
                                "works cited", "literature", "literature cited", "quellen", "literatur",
                                "références", "referencias", "bibliografía", "источники", "литература"})


_MARKER = re.compile(r"^\s*\[?\(?(\d{1,3})[\].)]?\s*$")


_LEADING_MARKER = re.compile(r"^\s*(?:\[(\d{1,3})\]|(\d{1,3})[.)])\s*")


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
    listed = _reference_list(tree, url)
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
        target = absolute_url(url, ref.get("target") or "")
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
    match = _DOI_IN_PATH.search(urlsplit(url).path)
    doi = normalize_doi(match.group(1)) if match else None
    return f"doi:{doi}" if doi else None


def _reference_list(tree: Any, url: str) -> list[Citation]:
    """The entries under a "Sources" / "References" heading: list items, or paragraphs that start
    with a marker like [1] or 1."""
    heading = _reference_heading(tree)
    if heading is None:
        return []
    citations: list[Citation] = []
    for sibling in heading.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag in ("h1", "h2", "h3", "h4", "h5", "h6") or _is_heading_paragraph(sibling):
            break
        items = sibling.findall(".//li") if sibling.tag in ("ol", "ul") else [sibling]
        numbered = sibling.tag in ("ol", "ul")
        for position, item in enumerate(items, start=1):
            citation = _entry(item, url, position if numbered else None)
            if citation is None and not numbered:
                return citations
            if citation is not None:
                citations.append(citation)
    return citations


def _reference_heading(tree: Any) -> Any:
    for element in tree.iter("h1", "h2", "h3", "h4", "h5", "h6", "p", "strong", "b", "div"):
        if squash(element.text_content()).rstrip(":") in REFERENCE_HEADINGS:
            parent = element.getparent()
            if element.tag in ("strong", "b") and parent is not None and squash(parent.text_content()).rstrip(":") \
                    in REFERENCE_HEADINGS:
                return parent
            return element
    return None


def _is_heading_paragraph(element: Any) -> bool:
    return element.tag == "p" and len(element) == 1 and element[0].tag in ("strong", "b") and \
        squash(element.text_content()) == squash(element[0].text_content()) and len(element.text_content()) < 80


def _entry(item: Any, url: str, position: int | None) -> Citation | None:
    text = collapse_spaces(item.text_content())
    if not text:
        return None
    leading = _LEADING_MARKER.match(text)
    if leading is None and position is None:
        return None  # prose after the list ("Originally published at …") is not a reference
    marker = (leading.group(1) or leading.group(2)) if leading else str(position)
    hrefs = [absolute_url(url, a.get("href") or "") for a in item.iter("a")]
    links = [link for link in hrefs if link]
    if not links:
        links = re.findall(r"https?://[^\s<>\"']+", text)
    target = links[0].rstrip(".,;") if links else ""
    identifier = paper_identifier(target) if target else None
    if identifier is None:
        from kclaims.literature.ids import find_identifiers

        papers = [i for i in find_identifiers(text) if i.kind != "url"]
        identifier = str(papers[0]) if papers else None
    return Citation(marker, target, identifier, text[:300])
