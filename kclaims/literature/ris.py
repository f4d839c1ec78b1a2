"""RIS in (Zotero, EndNote, Mendeley, most publishers): read with rispy, the well-kept parser, and
turned into the same records as BibTeX (kclaims.literature.bibtex), its tags kept under their BibTeX
names so `export --format bibtex` writes them. Pure: no files, no network.
"""

from __future__ import annotations

import re
from typing import Any

from kclaims.literature.bibtex import BibEntry, BibRead, record_from_fields
from kclaims.literature.names import comma_name, short_names

# RIS reference type -> BibTeX entry type (the RIS spec's types; the unknown ones become misc)
ENTRY_TYPES = {
    "JOUR": "article", "JFULL": "article", "MGZN": "article", "NEWS": "article", "EJOUR": "article",
    "ABST": "article", "INPR": "article", "BOOK": "book", "EBOOK": "book", "EDBOOK": "book", "CHAP": "incollection",
    "ECHAP": "incollection", "CONF": "inproceedings", "CPAPER": "inproceedings", "THES": "phdthesis",
    "RPRT": "techreport", "ELEC": "online", "WEB": "online", "BLOG": "online", "DATA": "dataset",
    "UNPB": "unpublished", "MANSCPT": "unpublished", "PAT": "patent", "COMP": "software", "STAND": "standard",
}
# rispy's key -> the BibTeX field it is kept as (values from lists are joined)
_FIELDS = {
    "abstract": "abstract", "notes_abstract": "abstract", "place_published": "address", "edition": "edition",
    "language": "language", "notes": "note", "keywords": "keywords", "issn": "issn", "tertiary_title": "series",
    "short_title": "shorttitle", "accession_number": "accession", "name_of_database": "database",
    "type_of_work": "type", "number_of_volumes": "volumes", "section": "chapter", "label": "label",
}
_CONTAINERS = ("secondary_title", "journal_name", "alternate_title3", "alternate_title1", "alternate_title2")


def read_ris(text: str) -> BibRead:
    """Records from the text of a RIS file; an entry rispy cannot read stops nothing but itself."""
    import rispy  # type: ignore[import-untyped]

    result = BibRead()
    for number, chunk in enumerate(_chunks(text), start=1):
        line, body = chunk
        try:
            items = rispy.loads(body)
        except Exception as error:  # rispy raises plain IOError/ValueError on a broken reference
            result.warnings.append((line, f"could not read this reference, skipped: {error}"))
            continue
        for item in items:
            key = _text(item.get("id")) or None
            result.entries.append(BibEntry(key or f"ris{number}", line, _record(item, key)))
    return result


def _chunks(text: str) -> list[tuple[int, str]]:
    """Each reference (TY ... ER) with its 1-based line, so one broken reference is reported alone."""
    chunks, start, lines = [], None, text.lstrip("\ufeff").splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^TY  -", line):
            start = index
        elif re.match(r"^ER  -", line) and start is not None:
            chunks.append((start + 1, "\n".join(lines[start:index + 1]) + "\n"))
            start = None
    return chunks


def _record(item: dict[str, Any], key: str | None):
    fields: dict[str, str] = {}
    for name, target in _FIELDS.items():
        value = _text(item.get(name))
        if value and target not in fields:
            fields[target] = value
    fields.update({k: v for k, v in _core(item).items() if v})
    entry_type = ENTRY_TYPES.get(str(item.get("type_of_reference", "")).upper(), "misc")
    record = record_from_fields(entry_type, {k: _braced(v) for k, v in fields.items()}, key)
    authors = [n for n in map(comma_name, item.get("authors") or item.get("first_authors") or []) if n]
    editors = [n for n in map(comma_name, item.get("secondary_authors") or item.get("editors") or []) if n] \
        if entry_type in ("book", "incollection", "inproceedings") else []
    record.author_parts, record.editor_parts = authors, editors
    record.authors = short_names(authors or editors)
    return record


def _core(item: dict[str, Any]) -> dict[str, str | None]:
    pages = "-".join(p for p in (_text(item.get("start_page")), _text(item.get("end_page"))) if p)
    date = _text(item.get("date")) or _text(item.get("publication_year")) or _text(item.get("year")) or ""
    year = re.match(r"\s*(\d{4})", date)
    month = re.match(r"\s*\d{4}/(\d{1,2})", date)
    urls = item.get("urls") or []
    return {
        "title": _text(item.get("title") or item.get("primary_title")),
        "journal" if item.get("type_of_reference") in ("JOUR", "MGZN", "NEWS", "EJOUR", "JFULL") else "booktitle":
            next((_text(item[c]) for c in _CONTAINERS if item.get(c)), None),
        "year": year.group(1) if year else None, "month": month.group(1) if month else None,
        "volume": _text(item.get("volume")), "number": _text(item.get("number")), "pages": pages or None,
        "publisher": _text(item.get("publisher")), "doi": _text(item.get("doi")),
        "url": _text(urls[0]) if urls else None,
    }


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v).strip() for v in value if str(v).strip()) if value else ""
    return str(value).strip() if value is not None else ""


def _braced(value: str) -> str:
    """RIS text is plain, not LaTeX: escape what the BibTeX reader would decode."""
    from kclaims.literature.latex import text_to_latex

    return text_to_latex(value) or ""
