"""The sources as CSL-JSON, the bibliography format Pandoc's citeproc, Zotero and Mendeley read.

Items follow the CSL-JSON schema (v1.0): only the schema's variables, no nulls, dates as
`date-parts`, names split into family and given where the catalog's PubMed-style "Anis NA"
allows it, else kept whole as a `literal` (an organisation, or a name we cannot split safely).
"""

from __future__ import annotations

import json
import re
from typing import Any

from kclaims.model import Source
from kclaims.catalog.query import ClaimRow
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
    item: dict[str, Any] = {"id": source.id, "type": CSL_TYPES.get(source.kind, "document")}
    where = source.journal or source.site
    text_fields = {
        "title": source.title, "container-title": where,
        "publisher": source.publisher if source.publisher != where else None,  # a clinic's site and its owner
        "volume": source.volume, "issue": source.issue, "page": source.pages, "DOI": source.doi,
        "PMID": source.pmid, "PMCID": source.pmcid, "URL": source.url,
    }
    item.update({key: one_line(value) for key, value in text_fields.items() if value})
    if source.authors:
        item["author"] = [csl_name(author) for author in source.authors]
    issued = csl_issued(source)
    if issued:
        item["issued"] = issued
    accessed = _DATE.match(source.retrieved or "")
    if accessed and source.url:
        item["accessed"] = {"date-parts": [[int(part) for part in accessed.groups() if part]]}
    if source.retracted:
        item["note"] = "Retracted publication."
    return item


def export_csl_json(rows: list[ClaimRow] | None, sources: list[Source]) -> str:
    """The sources (those the selected claims name) as a CSL-JSON array; claims themselves have no CSL form."""
    return json.dumps([csl_item(source) for source in sources], ensure_ascii=False, indent=2) + "\n"
