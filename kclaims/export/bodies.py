"""The bodies of evidence behind a claim's certainty, as a Summary of Findings and a scorecard use
them: grade.py's decisions as data (`grade.evidence_bodies`), and who caused each step down.
"""

from __future__ import annotations

from collections.abc import Mapping

from kclaims.catalog.query import ClaimRow
from kclaims.grade import Body, Downgrade, evidence_bodies, strongest_study
from kclaims.model import Source


def claim_bodies(row: ClaimRow, sources: Mapping[str, Source]) -> dict[str, Body]:
    """The counted evidence of each direction that has any ("supports", "contradicts"), with the
    steps down grade.py took (and inconsistency, when one side outweighed the other)."""
    return evidence_bodies(row.claim, sources)


def caused_by(downgrade: Downgrade, row: ClaimRow, sources: Mapping[str, Source]) -> tuple[str, ...]:
    """The sources that caused a step down: those marked at high risk, the indirect links, the links
    whose participants fell short (those recording n), or the studies of the outweighed side."""
    links = {e.source: e for e in row.claim.evidence}
    ids = downgrade.source_ids
    if downgrade.domain == "risk of bias":
        return tuple(i for i in ids if i in sources and sources[i].risk_of_bias == "high")
    if downgrade.domain == "indirectness":
        return tuple(i for i in ids if i in links and links[i].indirect)
    if downgrade.domain == "imprecision":
        return tuple(i for i in ids if i in sources and sources[i].n)
    return ids


def participants(source_ids: list[str], sources: Mapping[str, Source]) -> int | None:
    """The participants the given studies record in all; None when none records n."""
    recorded = [sources[i].n or 0 for i in source_ids if i in sources and sources[i].n]
    return sum(recorded) if recorded else None


def strongest(source_ids: list[str], sources: Mapping[str, Source], row: ClaimRow) -> str | None:
    """The strongest of the given studies: the best design for this claim's kind, then the most participants."""
    return strongest_study(source_ids, sources, row.claim.kind)

