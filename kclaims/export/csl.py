"""The sources as CSL-JSON, the bibliography format Pandoc's citeproc, Zotero and Mendeley read.

Items follow the CSL-JSON schema (v1.0): only the schema's variables, no nulls, dates as
`date-parts`, names split into family and given where the catalog's PubMed-style "Anis NA"
allows it, else kept whole as a `literal` (an organisation, or a name we cannot split safely).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kclaims.model import Source
from kclaims.catalog.query import ClaimRow
from kclaims.export.json import JsonArray
from kclaims.export.view import one_line

# kclaims source kind -> CSL item type
CSL_TYPES = {
    "journal-article": "article-journal",
    "web-article": "webpage",
    "book": "book",
    "book-chapter": "chapter",
    "report": "report",
    "preprint": "article",
    "thesis": "thesis",
    "dataset": "dataset",
    "other": "document",
}
# BibTeX entry type (kept from an import) -> CSL item type, where it says more than the kind
CSL_ENTRY_TYPES = {
    "inproceedings": "paper-conference", "conference": "paper-conference", "incollection": "chapter",
    "inbook": "chapter", "proceedings": "book", "collection": "book", "patent": "patent",
    "unpublished": "manuscript", "software": "software", "online": "webpage", "misc": "document",
}
# a field kept in `extra` -> its CSL variable
CSL_EXTRA = {
    "abstract": "abstract", "address": "publisher-place", "location": "publisher-place", "series": "collection-title",
    "edition": "edition", "isbn": "ISBN", "issn": "ISSN", "keywords": "keyword", "note": "note",
    "language": "language", "shorttitle": "title-short", "type": "genre", "chapter": "chapter-number",
    "eventtitle": "event-title", "institution": "publisher", "school": "publisher", "organization": "publisher",
}
_PUBMED_NAME = re.compile(r"^(?P<family>\S.*?)\s+(?P<initials>[A-Z]{1,4})$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def csl_name(author: str) -> dict[str, str]:
    """'Anis NA' -> family Anis, given N. A.; 'Doe, Jane' -> family Doe, given Jane; else a literal."""
    author = one_line(author)
    if "," in author:
        family, _, given = author.partition(",")
        if family.strip() and given.strip():
            return {"family": family.strip(), "given": given.strip()}
    match = _PUBMED_NAME.match(author)
    if match:
        return {"family": match["family"], "given": " ".join(f"{letter}." for letter in match["initials"])}
    return {"literal": author}


def csl_parts(parts: dict[str, str]) -> dict[str, str]:
    """A name kept in parts as a CSL name: the particle as `non-dropping-particle` (BibTeX's "von")."""
    names = {"family": "family", "given": "given", "particle": "non-dropping-particle", "suffix": "suffix",
             "literal": "literal"}
    return {names[part]: one_line(value) for part, value in parts.items() if part in names and value}


def csl_issued(source: Source) -> dict[str, Any] | None:
    """The publication date as date-parts: the full `date` when it agrees with the year, else the year."""
    match = _DATE.match(source.date or "")
    if match and (source.year is None or int(match[1]) == source.year):
        return {"date-parts": [[int(part) for part in match.groups() if part]]}
    if source.year:
        return {"date-parts": [[source.year]]}
    return None


def csl_item(source: Source) -> dict[str, Any]:
    """One source as a CSL-JSON item; keys whose value is unknown are left out."""
    csl_type = CSL_ENTRY_TYPES.get(source.entry_type or "") if source.kind in ("other", "book", "book-chapter") \
        else None
    item: dict[str, Any] = {"id": source.id, "type": csl_type or CSL_TYPES.get(source.kind, "document")}
    where = source.journal or source.site
    text_fields = {
        "title": source.title, "container-title": where,
        "publisher": source.publisher if source.publisher != where else None,  # a clinic's site and its owner
        "volume": source.volume, "issue": source.issue, "page": source.pages, "DOI": source.doi,
        "PMID": source.pmid, "PMCID": source.pmcid, "URL": source.url,
    }
    item.update({key: one_line(value) for key, value in text_fields.items() if value})
    for name, variable in CSL_EXTRA.items():
        if source.extra.get(name) and variable not in item:
            item[variable] = one_line(source.extra[name])
    if source.author_parts:
        item["author"] = [csl_parts(name) for name in source.author_parts]
    elif source.authors and not source.editor_parts:
        item["author"] = [csl_name(author) for author in source.authors]
    if source.editor_parts:
        item["editor"] = [csl_parts(name) for name in source.editor_parts]
    issued = csl_issued(source)
    if issued:
        item["issued"] = issued
    accessed = _DATE.match(source.retrieved or "")
    if accessed and source.url:
        item["accessed"] = {"date-parts": [[int(part) for part in accessed.groups() if part]]}
    if source.retracted:
        item["note"] = "; ".join(n for n in (item.get("note"), "Retracted publication.") if n)
    return item


def export_csl_json(rows: list[ClaimRow] | None, sources: list[Source]) -> str:
    """The sources (those the selected claims name) as a CSL-JSON array; claims themselves have no CSL form."""
    return "".join(csl_json_chunks(rows, sources))


def csl_json_chunks(rows: list[ClaimRow] | None, sources: list[Source]) -> Iterator[str]:
    """`export_csl_json`'s text an item at a time."""
    yield from JsonArray(map(csl_item, sources)).chunks()
    yield "\n"
