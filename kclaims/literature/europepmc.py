"""Pure parser for Europe PMC's REST `search` answers (format=json, resultType=core).

One core result carries PubMed's publication types and MeSH headings beside the bibliographic
fields, so a DOI or PMCID query needs no second call. Europe PMC mixes JATS article types
("research-article", "review-article", "correction") into `pubTypeList`; those are dropped so
that publication types mean the same thing whichever service a record came from.
"""

from __future__ import annotations

import re
from typing import Any

from kclaims.grade import RETRACTED_TYPE
from kclaims.literature.pubmed import PayloadError, expand_pages, initials_of, population_from_mesh
from kclaims.model import Source

_JATS_TYPE = re.compile(r"[a-z][a-z-]*")
_KINDS_BY_SOURCE = {"PPR": "preprint", "HIR": "report", "NBK": "book"}


def parse_search(payload: Any) -> list[Source]:
    """Every result of a core search answer (the JSON already decoded), in answer order."""
    if not isinstance(payload, dict) or not isinstance(payload.get("resultList"), dict):
        raise PayloadError("Europe PMC did not answer with a search result list")
    results = payload["resultList"].get("result") or []
    return [_record(result) for result in results if isinstance(result, dict)]


def _record(result: dict) -> Source:
    journal_info = result.get("journalInfo") or {}
    journal = journal_info.get("journal") or {}
    publication_types = [t for t in _list(result, "pubTypeList", "pubType") if not _JATS_TYPE.fullmatch(t)]
    mesh = _unique(h.get("descriptorName") for h in _list(result, "meshHeadingList", "meshHeading")
                   if isinstance(h, dict))
    year = _year(result.get("pubYear") or journal_info.get("yearOfPublication"))
    book = result.get("bookOrReportDetails") or {}
    return Source(
        id="",
        kind=_KINDS_BY_SOURCE.get(str(result.get("source")), "journal-article"),
        title=_title(result.get("title")),
        authors=_authors(result),
        year=year,
        journal=_clean(journal.get("title")) or None,
        publisher=_clean(book.get("publisher")) or None,
        date=_clean(result.get("firstPublicationDate")) or (str(year) if year else None),
        volume=_clean(journal_info.get("volume")) or None,
        issue=_clean(journal_info.get("issue")) or None,
        pages=expand_pages(_clean(result.get("pageInfo")) or None),
        pmid=_clean(result.get("pmid")) or None,
        pmcid=_clean(result.get("pmcid")).upper() or None,
        doi=_clean(result.get("doi")).lower() or None,
        publication_types=publication_types,
        mesh=mesh,
        population=population_from_mesh(mesh),
        retracted=RETRACTED_TYPE in publication_types,
    )


def _authors(result: dict) -> list[str]:
    authors = []
    for author in _list(result, "authorList", "author"):
        if not isinstance(author, dict):
            continue
        surname = _clean(author.get("lastName"))
        if surname:
            initials = _clean(author.get("initials")) or initials_of(author.get("firstName"))
            authors.append(f"{surname} {initials}".strip())
        elif author.get("collectiveName") or author.get("fullName"):
            authors.append(_clean(author.get("collectiveName") or author.get("fullName")))
    return authors


def _list(result: dict, outer: str, inner: str) -> list:
    value = (result.get(outer) or {}).get(inner) if isinstance(result.get(outer), dict) else None
    return value if isinstance(value, list) else []


def _year(value: Any) -> int | None:
    text = str(value or "")
    return int(text[:4]) if re.match(r"\d{4}", text) else None


def _title(value: Any) -> str | None:
    text = _clean(re.sub(r"<[^>]+>", "", str(value or "")))
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    return text or None


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())


def _unique(values: Any) -> list[str]:
    out: list[str] = []
    for value in values:
        value = _clean(value)
        if value and value not in out:
            out.append(value)
    return out
