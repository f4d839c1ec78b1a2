"""The JSON contract users script against: `{"kclaims": SCHEMA_VERSION, "claims": [...], "sources": [...]}`.

`list --json`, `show --json` and `export --format json` all serialise through these functions.
Change a key only with a new SCHEMA_VERSION; docs/json.md lists the keys.
"""

from __future__ import annotations

import json
from typing import Any

from kclaims.grade import source_level
from kclaims.model import Source
from kclaims.catalog.query import ClaimRow

SCHEMA_VERSION = 1


def claim_record(row: ClaimRow) -> dict[str, Any]:
    """One claim as the contract shapes it."""
    claim = row.claim
    return {
        "id": claim.id,
        "statement": claim.statement,
        "kind": claim.kind,
        "topics": list(claim.topics),
        "quotes": [{"source": q.source, "text": q.text} for q in claim.made_in],
        "evidence": [{"source": e.source, "stance": e.stance, "note": e.note} for e in claim.evidence],
        "strength": {"label": row.strength.label, "reasons": list(row.strength.reasons)},
        "grade": {"label": claim.grade.label, "because": claim.grade.because} if claim.grade else None,
        "note": claim.note,
    }


def source_record(source: Source) -> dict[str, Any]:
    """One source as the contract shapes it; `design` and `level` are for a clinical claim."""
    level = source_level(source)
    return {
        "id": source.id,
        "kind": source.kind,
        "title": source.title,
        "authors": list(source.authors),
        "year": source.year,
        "journal": source.journal or source.site,
        "pmid": source.pmid,
        "pmcid": source.pmcid,
        "doi": source.doi,
        "url": source.url,
        "design": level.design,
        "level": level.level,
        "retracted": source.retracted or level.design == "retracted",
    }


def document(rows: list[ClaimRow], sources: list[Source] | None) -> dict[str, Any]:
    """The versioned envelope; `sources` None leaves the key out (for `list --json`)."""
    out: dict[str, Any] = {"kclaims": SCHEMA_VERSION, "claims": [claim_record(r) for r in rows]}
    if sources is not None:
        out["sources"] = [source_record(s) for s in sources]
    return out


def export_json(rows: list[ClaimRow], sources: list[Source] | None) -> str:
    """The contract as indented UTF-8 JSON text ending in a newline."""
    return json.dumps(document(rows, sources), ensure_ascii=False, indent=2) + "\n"


def export_sources_json(sources: list[Source], claim_ids: list[str] | None = None) -> str:
    """`source list --json` and `source show --json`: the sources (and, for one source, the ids of
    the claims that name it) in the same envelope."""
    out: dict[str, Any] = {"kclaims": SCHEMA_VERSION, "sources": [source_record(s) for s in sources]}
    if claim_ids is not None:
        out["claims"] = claim_ids
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"
