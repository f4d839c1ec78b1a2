"""The evidence rubric (rubric 2): a source's level, and a claim's verdict and GRADE certainty,
with every step that decided them.

A claim's evidence has two axes, as in GRADE: a verdict (which way the counted evidence points)
and a certainty (how much to trust it). Both are computed from the linked sources and a few
appraisal keys a curator records (`n`, `risk_of_bias`, `includes` on sources; `indirect` and
`certainty` on links; `searched` on claims). The tables below decide everything; docs/evidence.md
prints them (a test keeps it current). A verdict rates the evidence linked to a claim, not the
truth of the claim.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

from kclaims.model import Claim, Evidence, Source
from kclaims.vocabulary import CERTAINTIES

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
# what a study of each design is called in a reason ("2 RCTs")
DESIGN_NOUNS = {1: ("review", "reviews"), 2: ("RCT", "RCTs"), 3: ("controlled study", "controlled studies"),
                4: ("case series", "case series"), 5: ("narrative source", "narrative sources")}
NOT_EVIDENCE_KINDS = ("web-article",)
NOT_EVIDENCE_TYPES = ("Retraction of Publication", "Published Erratum")
RETRACTED_TYPE = "Retracted Publication"
INDIRECT_POPULATIONS = ("animal", "in-vitro")
MECHANISM_LEVEL_FOR_INDIRECT = 3
CLINICAL_LEVEL_FOR_INDIRECT = 5
NO_DESIGN = "no design type"

# the certainty a link starts from, by its design level, unless a review reports one for the outcome
START_TABLE: tuple[tuple[tuple[int, ...], str], ...] = (((1, 2), "high"), ((3,), "low"), ((4, 5), "very-low"))
START_BY_LEVEL = {level: start for levels, start in START_TABLE for level in levels}
IMPRECISE_BELOW = 400  # participants: GRADE's rule-of-thumb optimal information size for a continuous outcome

DOWNGRADE_TABLE: tuple[tuple[str, str], ...] = (
    ("risk of bias", "links marked `risk_of_bias: high` hold more than half of the body's participants "
                     "(counting links instead when any link of the body lacks `n`)"),
    ("indirectness", "every link of the body is `indirect` (population, intervention, comparator or outcome)"),
    ("imprecision", f"the body's links that record `n` hold fewer than {IMPRECISE_BELOW} participants in all "
                    "(not assessed, and said so, when none records `n`)"),
)
VERDICT_TABLE: tuple[tuple[str, str], ...] = (
    ("supported", "only supporting links count, or the supporting body is two or more steps more certain "
                  "(then one step down for inconsistency)"),
    ("contradicted", "only contradicting links count, or the contradicting body is two or more steps more "
                     "certain (then one step down for inconsistency)"),
    ("conflicting", "both directions count and their certainties are less than two steps apart; no certainty"),
    ("no-evidence-found", "nothing counts, and the claim records a literature search"),
    ("not-assessed", "nothing counts, and no search is recorded"),
)
VERDICT_WHEN = dict(VERDICT_TABLE)

# How GRADE shows a certainty, and the plain-language words its summaries use for a finding.
CERTAINTY_SYMBOLS = {"high": "⊕⊕⊕⊕", "moderate": "⊕⊕⊕◯", "low": "⊕⊕◯◯", "very-low": "⊕◯◯◯"}
CERTAINTY_WORDS = {"high": "high", "moderate": "moderate", "low": "low", "very-low": "very low"}
PLAIN_LANGUAGE = {"high": "the evidence shows", "moderate": "probably", "low": "may",
                  "very-low": "the evidence is very uncertain"}
STANCE_DIRECTION = {"supports": "supported", "contradicts": "contradicted"}
# Every verdict-and-certainty a claim can have, in the order reports list them: supported from the
# most certain down, then conflicting, contradicted from the least certain up, then nothing counted.
STRENGTH_KEYS = (tuple(f"supported-{c}" for c in CERTAINTIES) + ("conflicting",)
                 + tuple(f"contradicted-{c}" for c in reversed(CERTAINTIES)) + ("no-evidence-found", "not-assessed"))


def strength_key(verdict: str, certainty: str | None) -> str:
    """"supported-moderate", "conflicting": one word for a verdict and its certainty (CSS classes,
    map columns, sorting)."""
    return f"{verdict}-{certainty}" if certainty else verdict


def split_strength_key(key: str) -> tuple[str, str | None]:
    """The verdict and certainty a `strength_key` names."""
    for certainty in CERTAINTIES:
        if key.endswith("-" + certainty) and key[: -len(certainty) - 1] in STANCE_DIRECTION.values():
            return key[: -len(certainty) - 1], certainty
    return key, None


def _rubric_digest() -> str:
    """Changes whenever this module changes, so verdicts cached by an older rubric are not reused."""
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
    """A claim's computed verdict and certainty (None unless supported or contradicted), the
    reasons a reader can check, and any retracted sources it links."""

    verdict: str
    certainty: str | None
    reasons: list[str] = field(default_factory=list)
    retracted: list[str] = field(default_factory=list)
    # A contradicted claim's strongest counted study against it (`strongest_study`), which reports
    # name; kept with the label so they need not grade the claim again. None if not worked out.
    against: str | None = field(default=None, compare=False)
    key: str = field(init=False, repr=False, compare=False)  # `strength_key`: reports ask for it again and again

    def __post_init__(self) -> None:
        self.key = strength_key(self.verdict, self.certainty)

    def as_tuple(self) -> tuple[str, str | None, tuple[str, ...], tuple[str, ...], str | None]:
        """Plain values, for the cache."""
        return self.verdict, self.certainty, tuple(self.reasons), tuple(self.retracted), self.against

    @classmethod
    def from_tuple(cls, value: tuple) -> Strength:
        verdict, certainty, reasons, retracted, against = value
        return cls(verdict, certainty, list(reasons), list(retracted), against)


def design_name(level: int) -> str:
    return next(name for lvl, name, _ in DESIGN_TABLE if lvl == level)


def certainty_text(certainty: str | None, symbols: bool = True) -> str:
    """"⊕⊕⊕◯ moderate" (or "moderate" without symbols); "" for no certainty."""
    if certainty is None:
        return ""
    words = CERTAINTY_WORDS[certainty]
    return f"{CERTAINTY_SYMBOLS[certainty]} {words}" if symbols else words


def strength_text(verdict: str, certainty: str | None, symbols: bool = True) -> str:
    """A verdict and its certainty in one phrase: "supported, ⊕⊕◯◯ low"."""
    return f"{verdict}, {certainty_text(certainty, symbols)}" if certainty else verdict


def plain_language(verdict: str, certainty: str | None) -> str:
    """GRADE's plain-language wording for a verdict: "probably true", "may be false", ..."""
    if verdict == "supported" and certainty:
        return {"high": "The evidence shows this is true.", "moderate": "This is probably true.",
                "low": "This may be true.", "very-low": "The evidence is very uncertain whether this is true."}[certainty]
    if verdict == "contradicted" and certainty:
        return {"high": "The evidence shows this is not true.", "moderate": "This is probably not true.",
                "low": "This may not be true.",
                "very-low": "The evidence is very uncertain whether this is true."}[certainty]
    return {"conflicting": "The evidence points both ways.",
            "no-evidence-found": "A search found no study that tests this.",
            "not-assessed": "No study that tests this is linked yet."}.get(verdict, "")


def is_retracted(source: Source) -> bool:
    return source.retracted or RETRACTED_TYPE in source.publication_types


def source_level(source: Source, claim_kind: str | None = None) -> Level:
    """The evidence level of `source` for a claim of `claim_kind` (None: a clinical claim)."""
    return _level(is_retracted(source), source.kind, tuple(source.publication_types), source.design,
                  source.population, claim_kind)


@lru_cache(maxsize=4096)  # a catalog's sources share a few dozen such combinations: a report asks for each often
def _level(retracted: bool, kind: str, publication_types: tuple[str, ...], design: int | None, population: str,
           claim_kind: str | None) -> Level:
    if retracted:
        return Level(None, "retracted", "retracted publications count for nothing")
    if kind in NOT_EVIDENCE_KINDS:
        return Level(None, kind, "web articles are not evidence")
    notice = next((t for t in publication_types if t in NOT_EVIDENCE_TYPES), None)
    if notice:
        return Level(None, notice.lower(), f"a {notice} notice is not evidence")
    base = _design_level(design, publication_types)
    if population in INDIRECT_POPULATIONS:
        return _indirect(base, population, claim_kind)
    return base


def _design_level(design: int | None, publication_types: tuple[str, ...]) -> Level:
    if design is not None:
        return Level(design, design_name(design), "level set by hand in the source file")
    for level, name, types in DESIGN_TABLE:
        match = next((t for t in publication_types if t in types), None)
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
    """One counted link: the evidence entry, its source, the source's level, where it starts."""

    evidence: Evidence
    source: Source
    found: Level

    @property
    def level(self) -> int:
        return self.found.level or 0

    @property
    def start(self) -> str:
        return self.evidence.certainty or START_BY_LEVEL[self.level]

    def nouns(self) -> tuple[str, str]:
        """What this link is called in a reason, singular and plural: "RCT", "animal studies"."""
        if self.source.population in INDIRECT_POPULATIONS:
            return f"{self.source.population} study", f"{self.source.population} studies"
        return DESIGN_NOUNS.get(self.level, ("study", "studies"))

    def label(self) -> str:
        """"feder2014 (RCT, n=41)": what a reason names."""
        parts = [self.nouns()[0]] + ([f"n={self.source.n}"] if self.source.n else [])
        if self.source.risk_of_bias:
            parts.append(f"{self.source.risk_of_bias} risk of bias")
        if self.evidence.indirect:
            parts.append(f"indirect: {', '.join(self.evidence.indirect)}")
        return f"{self.source.id} ({', '.join(parts)})"


@dataclass(frozen=True, slots=True)
class Downgrade:
    """One step down: GRADE's domain, what the reason says of it, and the body's studies (the ones
    that caused it are among them: kclaims.export.bodies.caused_by picks them out)."""

    domain: str
    why: str
    source_ids: tuple[str, ...]


@dataclass(slots=True)
class Body:
    """One direction's counted evidence: the best-starting links that set its certainty (`body`),
    the other counted links, where it started and ended, each step down, and the links whose review
    reported the certainty."""

    stance: str
    start: str
    certainty: str
    body: list[str]
    others: list[str] = field(default_factory=list)
    downgrades: list[Downgrade] = field(default_factory=list)
    reported: list[str] = field(default_factory=list)

    @property
    def counted(self) -> list[str]:
        return self.body + self.others


LevelMemo = dict[tuple[str, bool], tuple[Level, frozenset[str]]]


def claim_strength(claim: Claim, sources: Mapping[str, Source], memo: LevelMemo | None = None) -> Strength:
    """Compute a claim's verdict and certainty from the evidence linked to it, with every step.
    Pass the same `memo` dict when grading many claims, so each source is assessed once per kind."""
    return _grade(claim, sources, memo)[0]


def evidence_bodies(claim: Claim, sources: Mapping[str, Source]) -> dict[str, Body]:
    """Each direction's counted evidence as data (what a Summary of Findings footnotes), with the
    step for inconsistency on the side that outweighed the other; the same decisions as the reasons."""
    return _grade(claim, sources, None)[1]


def _grade(claim: Claim, sources: Mapping[str, Source], memo: LevelMemo | None
           ) -> tuple[Strength, dict[str, Body]]:
    notes: list[str] = []
    retracted: list[str] = []
    counted = _counted_evidence(claim, sources, notes, retracted, {} if memo is None else memo)
    sides = {stance: _assess_body([c for c in counted if c.evidence.stance == stance])
             for stance in STANCE_DIRECTION}
    bodies = {stance: side[0] for stance, side in sides.items() if side is not None}
    verdict, certainty, decision = _decide(claim, bodies)
    if "inconsistency -1" in decision:
        winner = next(s for s, v in STANCE_DIRECTION.items() if v == verdict)
        loser = next(s for s in bodies if s != winner)
        bodies[winner].downgrades.append(Downgrade("inconsistency", decision.split(": ", 1)[1],
                                                   tuple(bodies[loser].body)))
    reasons = [decision] + [line for side in sides.values() if side is not None for line in side[1]]
    contradicting = bodies.get("contradicts")
    against = strongest_study(contradicting.body, sources, claim.kind) if verdict == "contradicted" and contradicting else None
    return Strength(verdict, certainty, reasons + notes, retracted, against), bodies


def strongest_study(source_ids: list[str], sources: Mapping[str, Source], kind: str) -> str | None:
    """The strongest of the given studies: the best design for a claim of this kind, then the most participants."""
    def rank(source_id: str) -> tuple[int, int, int]:
        source = sources.get(source_id)
        if source is None:
            return (9, 0, 0)
        level = source_level(source, kind).level or 9
        return (level, -(source.n or 0), source_ids.index(source_id))

    return min(source_ids, key=rank) if source_ids else None


def _decide(claim: Claim, bodies: dict[str, Body]) -> tuple[str, str | None, str]:
    """The verdict, its certainty and the one line that says why (step 4 of the rubric)."""
    certainties = {stance: body.certainty for stance, body in bodies.items()}
    if not certainties:
        if claim.searched:
            return "no-evidence-found", None, "no-evidence-found: " + "; ".join(s.describe() for s in claim.searched)
        if claim.evidence:  # linked, but nothing counts: the lines below say why each does not
            linked = (f"none of the {len(claim.evidence)} linked sources counts" if len(claim.evidence) > 1
                      else "the one linked source does not count")
            return "not-assessed", None, f"not-assessed: {linked} (why below), and no search is recorded"
        return "not-assessed", None, ("not-assessed: no study that supports or contradicts the claim is linked, "
                                      "and no search is recorded")
    if len(certainties) == 1:
        (stance, certainty), = certainties.items()
        verdict = STANCE_DIRECTION[stance]
        return verdict, certainty, f"{verdict}, {CERTAINTY_WORDS[certainty]}: only {stance_word(stance)} studies count"
    ranks = {stance: CERTAINTIES.index(c) for stance, c in certainties.items()}
    winner, loser = sorted(ranks, key=ranks.__getitem__)
    gap = ranks[loser] - ranks[winner]
    if gap < 2:
        return "conflicting", None, (
            f"conflicting: supporting evidence {CERTAINTY_WORDS[certainties['supports']]}, contradicting evidence "
            f"{CERTAINTY_WORDS[certainties['contradicts']]} (fewer than two steps apart)")
    certainty = _step_down(certainties[winner], 1)
    verdict = STANCE_DIRECTION[winner]
    return verdict, certainty, (
        f"{verdict}, {CERTAINTY_WORDS[certainty]}: {stance_word(winner)} evidence "
        f"({CERTAINTY_WORDS[certainties[winner]]}) is {gap} steps more certain than {stance_word(loser)} evidence "
        f"({CERTAINTY_WORDS[certainties[loser]]}); inconsistency -1")


def stance_word(stance: str) -> str:
    return {"supports": "supporting", "contradicts": "contradicting"}[stance]


def _step_down(certainty: str, steps: int) -> str:
    return CERTAINTIES[min(CERTAINTIES.index(certainty) + steps, len(CERTAINTIES) - 1)]


def _assess_body(links: list[_Counted]) -> tuple[Body, list[str]] | None:
    """The certainty of one direction's evidence (steps 2-3): its best-starting links, downgraded
    for risk of bias, indirectness and imprecision; None when the direction has no counted link."""
    if not links:
        return None
    best = min(CERTAINTIES.index(c.start) for c in links)
    body = [c for c in links if CERTAINTIES.index(c.start) == best]
    start = CERTAINTIES[best]
    side = stance_word(body[0].evidence.stance)
    reasons = [f"{side}: start {CERTAINTY_WORDS[start]}: {_describe_body(body)}"]
    reasons += [f"{side}: {c.source.id} is level {c.level}: {c.found.why}" for c in body
                if c.source.population in INDIRECT_POPULATIONS]
    reasons += [f"{side}: not in the body (starts lower): {c.label()}" for c in links if c not in body]
    reported = [c.source.id for c in body if c.evidence.certainty]
    found = Body(body[0].evidence.stance, start, start, [c.source.id for c in body],
                 [c.source.id for c in links if c not in body], reported=reported)
    if reported:
        reasons.append(f"{side}: risk of bias and imprecision: not downgraded, the review's reported certainty "
                       f"covers them ({', '.join(reported)})")
    steps = 0
    floor = len(CERTAINTIES) - 1
    for check in ([_indirectness] if reported else [_risk_of_bias, _indirectness, _imprecision]):
        down, why = check(body)
        if down and CERTAINTIES.index(start) + steps >= floor:  # no step below very low: none is taken
            domain, _, rest = why.partition(" -1: ")
            why = f"{domain}: would be -1, {CERTAINTY_WORDS[CERTAINTIES[floor]]} already, the floor: {rest}"
            down = 0
        if down:
            domain, _, rest = why.partition(" -1: ")
            found.downgrades.append(Downgrade(domain, rest, tuple(found.body)))
        steps += down
        reasons.append(f"{side}: {why}")
    found.certainty = _step_down(start, steps)
    if steps:
        reasons.append(f"{side}: {CERTAINTY_WORDS[start]} - {steps} = {CERTAINTY_WORDS[found.certainty]}")
    return found, reasons


def _describe_body(body: list[_Counted]) -> str:
    nouns = {c.nouns() for c in body}
    singular, plural = nouns.pop() if len(nouns) == 1 else ("study", "studies")
    head = f"{len(body)} {singular if len(body) == 1 else plural}"
    items = []
    for c in body:
        item = c.label()
        if c.evidence.certainty:
            item += f" certainty reported by the review: {CERTAINTY_WORDS[c.evidence.certainty]}"
        items.append(item)
    return f"{head}: {'; '.join(items)}"


def _risk_of_bias(body: list[_Counted]) -> tuple[int, str]:
    high = [c for c in body if c.source.risk_of_bias == "high"]
    if not high:
        return 0, "risk of bias: not downgraded, no study of the body is marked high"
    names = ", ".join(c.source.id for c in high)
    if all(c.source.n for c in body):
        held, total = sum(c.source.n or 0 for c in high), sum(c.source.n or 0 for c in body)
        share = f"{held} of {total} participants"
    else:
        held, total = len(high), len(body)
        share = f"{held} of {total} studies (counted by study: not every study records n)"
    if 2 * held > total:
        return 1, f"risk of bias -1: studies at high risk ({names}) hold {share}, more than half"
    return 0, f"risk of bias: not downgraded, studies at high risk ({names}) hold {share}, not more than half"


def _indirectness(body: list[_Counted]) -> tuple[int, str]:
    indirect = [c for c in body if c.evidence.indirect]
    if indirect and len(indirect) == len(body):
        ways = "; ".join(f"{c.source.id}: {', '.join(c.evidence.indirect)}" for c in indirect)
        return 1, f"indirectness -1: every study differs from the claim ({ways})"
    if indirect:
        direct = ", ".join(c.source.id for c in body if not c.evidence.indirect)
        return 0, f"indirectness: not downgraded, {direct} {'is' if ',' not in direct else 'are'} direct"
    return 0, "indirectness: not downgraded, every study is direct"


def _imprecision(body: list[_Counted]) -> tuple[int, str]:
    recorded = [c for c in body if c.source.n]
    if not recorded:
        return 0, "imprecision: not assessed, no study of the body records n"
    total = sum(c.source.n or 0 for c in recorded)
    unknown = len(body) - len(recorded)
    note = f"; {unknown} without n not counted" if unknown else ""
    if total < IMPRECISE_BELOW:
        return 1, f"imprecision -1: {total} participants (< {IMPRECISE_BELOW}){note}"
    return 0, f"imprecision: not downgraded, {total} participants (>= {IMPRECISE_BELOW}){note}"


def _assess(source: Source, claim_kind: str, memo: LevelMemo) -> tuple[Level, frozenset[str]]:
    key = (source.id, claim_kind == "mechanism")
    found = memo.get(key)
    if found is None:
        found = memo[key] = (source_level(source, claim_kind), frozenset(source.study_keys()))
    return found


def _counted_evidence(claim: Claim, sources: Mapping[str, Source], notes: list[str],
                      retracted: list[str], memo: LevelMemo) -> list[_Counted]:
    """Step 1: the links that count, each study once, a review's pooled trials inside the review."""
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
    return _inside_reviews(_one_per_study(candidates, notes), notes)


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


def _inside_reviews(counted: list[_Counted], notes: list[str]) -> list[_Counted]:
    """A study that a linked, counted review `includes` counts inside that review, not again, but
    only while that review itself stays counted. Links are decided in order of level, then link
    order: each once every review that includes it is decided; a loop (a review including a study
    that includes the review) is broken by deciding its first link, which stays counted."""
    order = sorted(counted, key=lambda c: c.level)  # stable: link order breaks ties
    includers = {id(c): [r for r in order if r is not c and c.source.id in r.source.includes
                         and r.source.id != c.source.id] for c in counted}
    kept: dict[int, bool] = {}
    inside: dict[int, str] = {}
    while len(kept) < len(order):
        ready = next((c for c in order if id(c) not in kept
                      and all(id(r) in kept for r in includers[id(c)])), None)
        if ready is None:  # only loops are left: the first undecided link stays counted
            ready = next(c for c in order if id(c) not in kept)
        review = next((r for r in includers[id(ready)] if kept.get(id(r))), None)
        kept[id(ready)] = review is None
        if review is not None:
            inside[id(ready)] = review.source.id
    for c in counted:
        if id(c) in inside:
            notes.append(f"counted inside {inside[id(c)]}: {c.source.id} ({c.evidence.stance}) "
                         "is one of the studies it pools")
    return [c for c in counted if kept[id(c)]]


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


def start_table_markdown() -> str:
    """Where a link's certainty starts, as docs/evidence.md shows it."""
    rows = ["| design level | starts at |", "|---|---|"]
    rows += [f"| {', '.join(map(str, levels))} | {certainty_text(start)} |" for levels, start in START_TABLE]
    rows.append("| a review's reported GRADE certainty for the outcome (`certainty` on the link) | that certainty |")
    return "\n".join(rows) + "\n"


def downgrade_table_markdown() -> str:
    """The three downgrades, as docs/evidence.md shows them."""
    rows = ["| down one step for | when |", "|---|---|"]
    rows += [f"| {name} | {when} |" for name, when in DOWNGRADE_TABLE]
    return "\n".join(rows) + "\n"


def verdict_table_markdown() -> str:
    """The verdicts, as docs/evidence.md shows them."""
    rows = ["| verdict | when |", "|---|---|"]
    rows += [f"| {verdict} | {when} |" for verdict, when in VERDICT_TABLE]
    return "\n".join(rows) + "\n"


def certainty_table_markdown() -> str:
    """GRADE's certainty levels with their symbols and plain-language words."""
    rows = ["| certainty | shown as | a report says |", "|---|---|---|"]
    rows += [f"| {CERTAINTY_WORDS[c]} | {CERTAINTY_SYMBOLS[c]} | {PLAIN_LANGUAGE[c]} |" for c in CERTAINTIES]
    return "\n".join(rows) + "\n"
