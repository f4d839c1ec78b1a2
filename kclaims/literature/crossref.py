"""Pure parser for Crossref REST answers: one work (`/works/{doi}`) or a list (`/works?filter=`).

Crossref has no PubMed publication types or MeSH, so a record from here has an empty
`publication_types` and an `unknown` population. Retraction comes from Crossref's update
relations: a work whose `updated-by` holds a retraction or withdrawal notice is retracted; a work
that is itself such a notice (`update-to`) gets the PubMed type "Retraction of Publication", so
the rubric treats it as a notice, not as evidence.
"""

from __future__ import annotations

import re
from typing import Any

from kclaims.literature.pubmed import PayloadError, initials_of
from kclaims.model import Source

RETRACTION_UPDATES = ("retraction", "partial_retraction", "withdrawal", "removal")
RETRACTION_NOTICE_TYPE = "Retraction of Publication"
_KINDS = {
    "journal-article": "journal-article",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-chapter": "book-chapter",
    "book-section": "book-chapter",
    "book-part": "book-chapter",
    "report": "report",
    "report-component": "report",
    "dissertation": "thesis",
    "dataset": "dataset",
}


def parse_work_list(payload: Any) -> list[Source]:
    """Every work of a `/works` list answer (the JSON already decoded)."""
    message = _message(payload)
    items = message.get("items")
    if not isinstance(items, list):
        raise PayloadError("Crossref's answer has no 'items' list")
    return [parse_work(item) for item in items if isinstance(item, dict)]


def parse_work_answer(payload: Any) -> Source:
    """The work of a `/works/{doi}` answer (the JSON already decoded)."""
    return parse_work(_message(payload))


def _message(payload: Any) -> dict:
    if not isinstance(payload, dict) or not isinstance(payload.get("message"), dict):
        raise PayloadError("Crossref did not answer with a JSON message")
    return payload["message"]


def parse_work(work: dict) -> Source:
    """One Crossref work object as a record."""
    kind = _kind(work)
    year, date = _issued(work)
    return Source(
        id="",
        kind=kind,
        title=_first(work.get("title")),
        authors=_authors(work.get("author")),
        year=year,
        journal=_first(work.get("container-title")),
        publisher=_clean(work.get("publisher")) or None,
        date=date,
        volume=_clean(work.get("volume")) or None,
        issue=_clean(work.get("issue")) or None,
        pages=_clean(work.get("page")).replace("\u2013", "-") or _clean(work.get("article-number")) or None,
        doi=_clean(work.get("DOI")).lower() or None,
        publication_types=[RETRACTION_NOTICE_TYPE] if _is_notice(work) else [],
        retracted=_is_retracted(work),
    )


def _kind(work: dict) -> str:
    if work.get("type") == "posted-content" and work.get("subtype") in (None, "preprint"):
        return "preprint"
    return _KINDS.get(str(work.get("type")), "other")


def _issued(work: dict) -> tuple[int | None, str | None]:
    for key in ("issued", "published", "published-print", "published-online", "created"):
        parts = ((work.get(key) or {}).get("date-parts") or [[None]])[0]
        if parts and isinstance(parts[0], int):
            return parts[0], "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts[:3]))
    return None, None


def _authors(authors: Any) -> list[str]:
    names = []
    for author in authors if isinstance(authors, list) else []:
        if not isinstance(author, dict):
            continue
        family = _clean(author.get("family"))
        if family:
            names.append(f"{family} {initials_of(author.get('given'))}".strip())
        elif author.get("name"):
            names.append(_clean(author["name"]))
    return names


def _is_retracted(work: dict) -> bool:
    return any(_update_type(u) in RETRACTION_UPDATES for u in work.get("updated-by") or [])


def _is_notice(work: dict) -> bool:
    return any(_update_type(u) in RETRACTION_UPDATES for u in work.get("update-to") or [])


def _update_type(update: Any) -> str:
    return str(update.get("type", "")).lower().replace("-", "_") if isinstance(update, dict) else ""


def _first(values: Any) -> str | None:
    if isinstance(values, list):
        values = values[0] if values else None
    text = _clean(re.sub(r"<[^>]+>", "", str(values or "")))
    return text or None


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())
