"""The JSON contract users script against: `{"kclaims": SCHEMA_VERSION, "claims": [...], "sources": [...]}`.

Every `--json` output and `export --format json` serialise through `envelope` here.
Change a key only with a new SCHEMA_VERSION; docs/json.md lists the keys.
"""

from __future__ import annotations

import json
from typing import Any

from kclaims.grade import source_level
from kclaims.model import Evidence, Grade, Source
from kclaims.catalog.query import ClaimRow

SCHEMA_VERSION = 3  # 3: every --json in the envelope; `source show` claims as records; diff's changed_claims
# 2: rubric 2's strength {verdict, certainty, reasons}, appraisal keys


def claim_record(row: ClaimRow) -> dict[str, Any]:
    """One claim as the contract shapes it."""
    claim = row.claim
    return {
        "id": claim.id,
        "statement": claim.statement,
        "kind": claim.kind,
        "topics": list(claim.topics),
        "quotes": [{"source": q.source, "text": q.text} for q in claim.made_in],
        "evidence": [evidence_record(e) for e in claim.evidence],
        "strength": {"verdict": row.strength.verdict, "certainty": row.strength.certainty,
                     "reasons": list(row.strength.reasons)},
        "grade": grade_record(claim.grade) if claim.grade else None,
        "searched": [{"on": s.on, "database": s.database, "query": s.query, "screened": s.screened,
                      "relevant": s.relevant} for s in claim.searched],
        "note": claim.note,
    }


def evidence_record(item: Evidence) -> dict[str, Any]:
    """One link: source, stance, note, and the appraisal keys it records (indirect, certainty)."""
    record: dict[str, Any] = {"source": item.source, "stance": item.stance, "note": item.note}
    if item.indirect:
        record["indirect"] = list(item.indirect)
    if item.certainty:
        record["certainty"] = item.certainty
    return record


def grade_record(grade: Grade) -> dict[str, Any]:
    """A curator's grade: verdict, certainty and why; an old rubric-1 grade keeps its `label`."""
    if grade.label:
        return {"verdict": None, "certainty": None, "label": grade.label, "because": grade.because}
    return {"verdict": grade.verdict, "certainty": grade.certainty, "because": grade.because}


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
        "n": source.n,
        "risk_of_bias": source.risk_of_bias,
        "includes": list(source.includes),
    }


def document(rows: list[ClaimRow], sources: list[Source] | None) -> dict[str, Any]:
    """The parts of `export`, `list --json` and `show --json`; `sources` None leaves the key out."""
    out: dict[str, Any] = {"claims": [claim_record(r) for r in rows]}
    if sources is not None:
        out["sources"] = [source_record(s) for s in sources]
    return out


def export_json(rows: list[ClaimRow], sources: list[Source] | None) -> str:
    """The contract as indented UTF-8 JSON text ending in a newline."""
    return envelope(**document(rows, sources))


def export_sources_json(sources: list[Source], claims: list[ClaimRow] | None = None,
                        scorecard: dict | None = None) -> str:
    """`source list --json` and `source show --json`: the sources (and, for one source, the claims
    that name it, as claim records) in the same envelope."""
    out: dict[str, Any] = {"sources": [source_record(s) for s in sources]}
    if claims is not None:
        out["claims"] = [claim_record(r) for r in claims]
    if scorecard is not None:
        out["scorecard"] = scorecard  # an article's: kclaims.export.scorecard.scorecard_record
    return envelope(**out)


def envelope(**parts: Any) -> str:
    """Every command's --json: `{"kclaims": SCHEMA_VERSION, **parts}` as indented UTF-8 JSON text
    ending in a newline. A top-level `claims` is always claim records, `sources` source records."""
    return json.dumps({"kclaims": SCHEMA_VERSION, **parts}, ensure_ascii=False, indent=2) + "\n"


def search_record(database: str, query: str, total: int, hits: list[Any]) -> dict[str, Any]:
    """A search (`search --json`, `claim find --json`): the query as sent and each result as a source
    record (id empty, or the catalog's id when `in_catalog`) with its abstract."""
    results = []
    for hit in hits:
        record = source_record(hit.source)
        record.update({"id": hit.in_catalog, "in_catalog": hit.in_catalog is not None, "abstract": hit.abstract})
        results.append(record)
    return {"database": database, "query": query, "total": total, "results": results}
