"""CSL-JSON in: what kclaims itself exports, Zotero's CSL JSON and Better CSL JSON, Pandoc's. Each item
becomes the same record as a BibTeX entry would (kclaims.literature.bibtex): its `id` (or
`citation-key`) kept as the key, names in parts, CSL variables kept under their BibTeX names.
Pure: no files, no network.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kclaims.literature.bibtex import KINDS, BibEntry, BibRead
from kclaims.literature.ids import normalize_doi, normalize_pmcid, normalize_pmid
from kclaims.literature.names import short_names
from kclaims.model import NameParts, Source

# CSL item type -> BibTeX entry type
ENTRY_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "paper-conference": "inproceedings", "chapter": "incollection", "book": "book", "report": "techreport",
    "thesis": "phdthesis", "webpage": "online", "post-weblog": "online", "post": "online", "dataset": "dataset",
    "manuscript": "unpublished", "patent": "patent", "software": "software", "article": "misc",
}
# CSL variable -> the BibTeX field it is kept as in `extra`
_EXTRA = {
    "abstract": "abstract", "publisher-place": "address", "collection-title": "series", "edition": "edition",
    "ISBN": "isbn", "ISSN": "issn", "keyword": "keywords", "note": "note", "language": "language",
    "title-short": "shorttitle", "genre": "type", "number": "number", "chapter-number": "chapter",
    "event-title": "eventtitle", "collection-number": "seriesnumber", "number-of-pages": "pagetotal",
}
_TAGS = re.compile(r"</?(?:i|b|sup|sub|span)(?:\s[^>]*)?>")  # CSL's rich-text markup in titles


def read_csl_json(text: str) -> BibRead:
    """Records from a CSL-JSON array (or a `{"items": [...]}` object); BadInput-free: a non-item is a warning."""
    result = BibRead()
    data = json.loads(text.lstrip("\ufeff"))
    items = data.get("items", []) if isinstance(data, dict) else data
    for number, item in enumerate(items if isinstance(items, list) else [], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("type", ""), str):
            result.warnings.append((None, f"item {number} is not a CSL item, skipped"))
            continue
        key = _text(item.get("citation-key") or item.get("id")) or f"item{number}"
        result.entries.append(BibEntry(key, None, csl_record(item, key)))
    return result


def csl_record(item: dict[str, Any], key: str | None) -> Source:
    """One CSL item as a record."""
    entry_type = ENTRY_TYPES.get(str(item.get("type")), "misc")
    authors, editors = _names(item.get("author")), _names(item.get("editor"))
    year, date = _issued(item.get("issued"))
    extra = {field: _text(item.get(name)) for name, field in _EXTRA.items()}
    if entry_type in ("inproceedings", "incollection") and item.get("container-title"):
        extra["booktitle"] = _text(item["container-title"])
    kind = KINDS.get(entry_type, "other") if item.get("type") != "article" else "preprint"
    return Source(
        id="", kind=kind, title=_text(item.get("title")), authors=short_names(authors or editors), year=year,
        journal=_text(item.get("container-title")), publisher=_text(item.get("publisher")), date=date,
        volume=_text(item.get("volume")), issue=_text(item.get("issue")), pages=_pages(item.get("page")),
        pmid=normalize_pmid(_text(item.get("PMID"))), pmcid=normalize_pmcid(_text(item.get("PMCID"))),
        doi=normalize_doi(_text(item.get("DOI"))), url=_text(item.get("URL")) or None,
        retracted="Retracted publication" in _text(item.get("note")),
        retrieved=_iso(item.get("accessed")), key=key, entry_type=entry_type, author_parts=authors,
        editor_parts=editors, extra={name: value for name, value in extra.items() if value},
    )


def _names(value: Any) -> list[NameParts]:
    names = []
    for person in value if isinstance(value, list) else []:
        if not isinstance(person, dict):
            continue
        particle = " ".join(_text(person.get(p)) for p in ("dropping-particle", "non-dropping-particle")
                            if person.get(p))
        parts = {"family": _text(person.get("family")), "given": _text(person.get("given")), "particle": particle,
                 "suffix": _text(person.get("suffix")), "literal": _text(person.get("literal"))}
        if parts["literal"]:
            parts = {"literal": parts["literal"]}
        cleaned = {k: v for k, v in parts.items() if v}
        if cleaned.get("family") or cleaned.get("literal"):
            names.append(cleaned)
    return names


def _parts(date: Any) -> list[int]:
    """The first date-parts of a CSL date ({"date-parts": [[2015, "6", 13]]}, or {"raw": "2015-06-13"})."""
    if not isinstance(date, dict):
        return []
    parts = date.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list):
        return [int(p) for p in parts[0] if str(p).strip().isdigit()]
    match = re.match(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", str(date.get("raw") or date.get("literal") or ""))
    return [int(p) for p in match.groups() if p] if match else []


def _issued(date: Any) -> tuple[int | None, str | None]:
    parts = _parts(date)
    if not parts or not 1000 <= parts[0] <= 2999:
        return None, None
    iso = "-".join([str(parts[0])] + [f"{p:02d}" for p in parts[1:3] if 1 <= p <= 31])
    return parts[0], iso if len(parts) > 1 and parts[1] <= 12 else None


def _iso(date: Any) -> str | None:
    parts = _parts(date)
    return "-".join([str(parts[0])] + [f"{p:02d}" for p in parts[1:3]]) if parts else None


def _pages(value: Any) -> str | None:
    text = _text(value)
    return re.sub(r"\s*[-\u2013\u2014]+\s*", "-", text) if text else None


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value if _text(v))
    if value is None or isinstance(value, (dict, bool)):
        return ""
    return " ".join(_TAGS.sub("", str(value)).split())
