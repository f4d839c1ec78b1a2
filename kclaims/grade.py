"""The evidence rubric: a source's level, a claim's label, and the reasons behind both.

Two small tables decide everything; docs/evidence.md prints them (a test keeps it current).
A label rates the evidence linked to a claim, not the truth of the claim.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kclaims.model import Claim, Evidence, Source

# level, design, the PubMed publication types that place a source there (first match wins)
DESIGN_TABLE: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "systematic review or meta-analysis", ("Meta-Analysis", "Systematic Review")),
    (2, "randomized controlled trial", ("Randomized Controlled Trial",)),
    (3, "other controlled or observational clinical study", (
        "Clinical Trial", "Clinical Trial, Phase I", "Clinical Trial, Phase II",
        "Clinical Trial, Phase III", "Clinical Trial, Phase IV", "Controlled Clinical Trial",
        "Pragmatic Clinical Trial", "Adaptive Clinical Trial", "Equivalence Trial", "Clinical Study",
        "Observational Study", "Comparative Study")),
    (4, "case report, case series, uncontrolled open-label study", ("Case Reports",)),
    (5, "narrative review, editorial, comment, letter, expert opinion, or no design type", (
        "Review", "Editorial", "Comment", "Letter", "News")),
)
NOT_EVIDENCE_KINDS = ("web-article",)
NOT_EVIDENCE_TYPES = ("Retraction of Publication", "Published Erratum")
RETRACTED_TYPE = "Retracted Publication"
INDIRECT_POPULATIONS = ("animal", "in-vitro")
MECHANISM_LEVEL_FOR_INDIRECT = 3
CLINICAL_LEVEL_FOR_INDIRECT = 5
NO_DESIGN = "no design type"

# label, when it applies; checked in this order by `_decide_label`
LABEL_TABLE: tuple[tuple[str, str], ...] = (
    ("unsupported", "nothing counts: the claim rests on the articles' word alone"),
    ("contradicted", "only contradicting sources count"),
    ("contested", "the best contradicting source is at least as strong as the best supporting one"),
    ("strong", "two or more supporting sources at level 1-2, at least one of them level 1"),
    ("moderate", "one supporting level-1 source, or two or more at level 2"),
    ("limited", "one supporting level-2 source, or any at level 3"),
    ("preliminary", "only level 4-5 sources support it"),
)
LABEL_WHEN = dict(LABEL_TABLE)


def _rubric_digest() -> str:
    """Changes whenever this module changes, so labels cached by an older rubric are not reused."""
    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:12]


RUBRIC_VERSION = _rubric_digest()


@dataclass(frozen=True, slots=True)
class Level:
    """Where one source stands as evidence for one kind of claim; `level` None means it does not count."""

    level: int | None
    design: str
    why: str


@dataclass(slots=True)
class Strength:
    """A claim's computed label, the reasons a reader can check, and any retracted sources it links."""

    label: str
    reasons: list[str] = field(default_factory=list)
    retracted: list[str] = field(default_factory=list)


def design_name(level: int) -> str:
    return next(name for lvl, name, _ in DESIGN_TABLE if lvl == level)


def is_retracted(source: Source) -> bool:
    return source.retracted or RETRACTED_TYPE in source.publication_types


def source_level(source: Source, claim_kind: str | None = None) -> Level:
    """The evidence level of `source` for a claim of `claim_kind` (None: a clinical claim)."""
    if is_retracted(source):
        return Level(None, "retracted", "retracted publications count for nothing")
    if source.kind in NOT_EVIDENCE_KINDS:
        return Level(None, source.kind, "web articles are not evidence")
    notice = next((t for t in source.publication_types if t in NOT_EVIDENCE_TYPES), None)
    if notice:
        return Level(None, notice.lower(), f"a {notice} notice is not evidence")
    base = _design_level(source)
    if source.population in INDIRECT_POPULATIONS:
        return _indirect(base, source.population, claim_kind)
    return base


def _design_level(source: Source) -> Level:
    if source.design is not None:
        return Level(source.design, design_name(source.design), "level set by hand in the source file")
    for level, name, types in DESIGN_TABLE:
        match = next((t for t in source.publication_types if t in types), None)
        if match:
            return Level(level, name, f"publication type {match}")
    return Level(5, NO_DESIGN, "no design among its publication types")


def _indirect(base: Level, population: str, claim_kind: str | None) -> Level:
    if claim_kind == "mechanism":
        why = f"{population} study: direct evidence for a mechanism claim"
        return Level(MECHANISM_LEVEL_FOR_INDIRECT, base.design, why)
    return Level(CLINICAL_LEVEL_FOR_INDIRECT, base.design, f"{population} study: indirect for a clinical claim")


@dataclass(slots=True)
class _Counted:
    evidence: Evidence
    source: Source
    found: Level

    @property
    def level(self) -> int:
        return self.found.level or 0


LevelMemo = dict[tuple[str, bool], tuple[Level, frozenset[str]]]


def claim_strength(claim: Claim, sources: Mapping[str, Source], memo: LevelMemo | None = None) -> Strength:
    """Compute a claim's label from the evidence linked to it, with the reasons that decided it.
    Pass the same `memo` dict when grading many claims, so each source is assessed once per kind."""
    notes: list[str] = []
    retracted: list[str] = []
    counted = _counted_evidence(claim, sources, notes, retracted, {} if memo is None else memo)
    supports = [c for c in counted if c.evidence.stance == "supports"]
    contradicts = [c for c in counted if c.evidence.stance == "contradicts"]
    label = _decide_label([c.level for c in supports], [c.level for c in contradicts])
    reasons = [f"{label}: {LABEL_WHEN[label]}"]
    reasons += [_describe(c) for c in supports + contradicts]
    reasons += _weaker_contradictions(label, supports, contradicts)
    reasons += notes
    return Strength(label, reasons, retracted)


def _assess(source: Source, claim_kind: str, memo: LevelMemo) -> tuple[Level, frozenset[str]]:
    key = (source.id, claim_kind == "mechanism")
    found = memo.get(key)
    if found is None:
        found = memo[key] = (source_level(source, claim_kind), frozenset(source.study_keys()))
    return found


def _counted_evidence(claim: Claim, sources: Mapping[str, Source], notes: list[str],
                      retracted: list[str], memo: LevelMemo) -> list[_Counted]:
    candidates: list[tuple[_Counted, frozenset[str]]] = []
    for item in claim.evidence:
        source = sources.get(item.source)
        if source is None:
            notes.append(f"not counted: {item.source} is not in the catalog")
            continue
        if is_retracted(source):
            retracted.append(source.id)
            notes.append(f"RETRACTED: {_cite(source)} is retracted and counts for nothing")
            continue
        if item.stance == "mentions":
            notes.append(f"not counted: {_cite(source)} only mentions the claim")
            continue
        level, study_keys = _assess(source, claim.kind, memo)
        if level.level is None:
            notes.append(f"not counted: {_cite(source)}: {level.why}")
            continue
        candidates.append((_Counted(item, source, level), study_keys | {f"id:{source.id}"}))
    return _one_per_study(candidates, notes)


def _one_per_study(candidates: list[tuple[_Counted, frozenset[str]]], notes: list[str]) -> list[_Counted]:
    """Count each study once (same id, PMID, PMCID or DOI), by its best-placed record."""
    counted: list[_Counted] = []
    seen: dict[str, str] = {}  # study key -> source id counted for it
    for candidate, keys in sorted(candidates, key=lambda pair: pair[0].level):  # stable: link order breaks ties
        twin = next((seen[k] for k in keys if k in seen), None)
        if twin is not None:
            notes.append(f"counted once: {candidate.source.id} ({candidate.evidence.stance}) is the same study as {twin}")
            continue
        seen.update(dict.fromkeys(keys, candidate.source.id))
        counted.append(candidate)
    order = {id(c): i for i, (c, _) in enumerate(candidates)}
    return sorted(counted, key=lambda c: order[id(c)])


def _decide_label(supporting: list[int], contradicting: list[int]) -> str:
    """Apply LABEL_TABLE in order to the levels of the counted supporting and contradicting sources."""
    if not supporting and not contradicting:
        return "unsupported"
    if not supporting:
        return "contradicted"
    best_support = min(supporting)
    if contradicting and min(contradicting) <= best_support:
        return "contested"
    level_1 = supporting.count(1)
    level_2 = supporting.count(2)
    if level_1 + level_2 >= 2 and level_1 >= 1:
        return "strong"
    if level_1 >= 1 or level_2 >= 2:
        return "moderate"
    if level_2 == 1 or 3 in supporting:
        return "limited"
    return "preliminary"


def _weaker_contradictions(label: str, supports: list[_Counted], contradicts: list[_Counted]) -> list[str]:
    if label in ("contested", "contradicted") or not contradicts:
        return []
    best = min(c.level for c in supports)
    return [f"weaker contradiction: {c.source.id} (level {c.level}) does not outweigh the best support "
            f"(level {best})" for c in contradicts]


def _describe(counted: _Counted) -> str:
    found = counted.found
    return (f"{counted.evidence.stance}: {_cite(counted.source)}, level {found.level}, "
            f"{found.design} ({found.why})")


def _cite(source: Source) -> str:
    surname = source.first_author_surname()
    if surname and source.year:
        return f"{source.id} ({surname} {source.year})"
    return source.id


def design_table_markdown() -> str:
    """The level table as Markdown, as docs/evidence.md shows it."""
    rows = ["| level | design | publication types |", "|---|---|---|"]
    rows += [f"| {lvl} | {name} | {'; '.join(types)} |" for lvl, name, types in DESIGN_TABLE]
    rows.append(f"| – | not evidence | kind {', '.join(NOT_EVIDENCE_KINDS)}; {', '.join(NOT_EVIDENCE_TYPES)}; "
                f"{RETRACTED_TYPE} (or `retracted: true`) |")
    return "\n".join(rows) + "\n"


def label_table_markdown() -> str:
    """The label table as Markdown, as docs/evidence.md shows it."""
    rows = ["| label | when |", "|---|---|"]
    rows += [f"| {label} | {when} |" for label, when in LABEL_TABLE]
    return "\n".join(rows) + "\n"
