"""What changed in a catalog between a git revision and the working tree: `kclaims diff`.

Both catalogs are graded by this kclaims, so a verdict that moved moved because the catalog did;
each changed claim says why (a source linked or unlinked, an appraisal changed, a retraction, a
curator's grade, a search recorded). When the catalog shares its repository with kclaims and the
rubric itself changed since the revision, the result says so (`rubric_before`): verdicts of that
revision as its own kclaims computed them may differ from "before" here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from kclaims.catalog.files import Catalog
from kclaims.catalog.history import DEFAULT_REVISION, load_revision, resolve_revision, rubric_at
from kclaims.grade import RUBRIC_VERSION, LevelMemo, Strength, claim_strength, is_retracted
from kclaims.model import Claim, Evidence, Source

# the source fields the rubric reads: a change to one is a change of appraisal
APPRAISAL_FIELDS = ("n", "risk_of_bias", "includes", "design", "population", "publication_types", "kind")
IDENTITY_FIELDS = ("doi", "pmid", "pmcid")


@dataclass(frozen=True, slots=True)
class ClaimChange:
    """One claim that was added, removed or changed: its verdict and certainty before and after, and why."""

    claim: str
    statement: str
    change: str  # added | removed | changed
    verdict_before: str | None
    certainty_before: str | None
    verdict_after: str | None
    certainty_after: str | None
    why: tuple[str, ...] = ()

    @property
    def moved(self) -> bool:
        return (self.verdict_before, self.certainty_before) != (self.verdict_after, self.certainty_after)


@dataclass(slots=True)
class CatalogChanges:
    """`kclaims diff`: the revision compared, the claims that changed, the sources added, removed and renamed."""

    revision: str
    commit: str
    claims: list[ClaimChange] = field(default_factory=list)
    sources_added: list[str] = field(default_factory=list)
    sources_removed: list[str] = field(default_factory=list)
    sources_renamed: list[tuple[str, str]] = field(default_factory=list)  # (before, after)
    rubric_before: str | None = None  # set only when the rubric differs from this kclaims'
    problems_before: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.claims or self.sources_added or self.sources_removed or self.sources_renamed)

    def as_dict(self) -> dict:
        """Plain JSON values, for `kclaims diff --json`."""
        record = asdict(self)
        del record["claims"]  # a top-level `claims` is claim records in every --json: these are changes
        record["changed_claims"] = [{**asdict(c), "why": list(c.why), "moved": c.moved} for c in self.claims]
        record["sources_renamed"] = [{"before": b, "after": a} for b, a in self.sources_renamed]
        record["rubric_now"] = RUBRIC_VERSION
        return record


def diff_catalog(current: Catalog, revision: str = DEFAULT_REVISION) -> CatalogChanges:
    """Compare the catalog at `revision` (read through git) with `current` (the working tree)."""
    commit, _ = resolve_revision(current.root, revision)
    before = load_revision(current.root, revision)
    changes = compare(before, current, revision, commit)
    rubric = rubric_at(current.root, revision)
    if rubric is not None and rubric != RUBRIC_VERSION:
        changes.rubric_before = rubric
    changes.problems_before = [str(p) for p in before.problems]
    return changes


def compare(before: Catalog, after: Catalog, revision: str = "", commit: str = "") -> CatalogChanges:
    """What changed from `before` to `after`: pure, for tests and for any two loaded catalogs."""
    changes = CatalogChanges(revision, commit)
    old_ids, new_ids = set(before.sources), set(after.sources)
    renamed = _renames(before, after, old_ids - new_ids, new_ids - old_ids)
    changes.sources_renamed = sorted(renamed.items())
    changes.sources_removed = sorted(old_ids - new_ids - set(renamed))
    changes.sources_added = sorted(new_ids - old_ids - set(renamed.values()))
    old_claims = {c.id: c for c in before.claims}
    new_claims = {c.id: c for c in after.claims}
    memo_before: LevelMemo = {}
    memo_after: LevelMemo = {}
    for claim in after.claims:
        now = claim_strength(claim, after.sources, memo_after)
        old = old_claims.get(claim.id)
        if old is None:
            changes.claims.append(_change(claim, "added", None, now, ()))
            continue
        then = claim_strength(old, before.sources, memo_before)
        why = tuple(_why(old, claim, before, after, renamed))
        if why or (then.verdict, then.certainty) != (now.verdict, now.certainty):
            changes.claims.append(_change(claim, "changed", then, now, why or ("a linked source's record changed",)))
    for claim in before.claims:
        if claim.id not in new_claims:
            changes.claims.append(_change(claim, "removed", claim_strength(claim, before.sources, memo_before), None, ()))
    return changes


def _change(claim: Claim, change: str, then: Strength | None, now: Strength | None, why: tuple[str, ...]) -> ClaimChange:
    return ClaimChange(claim.id, claim.statement, change, then.verdict if then else None,
                       then.certainty if then else None, now.verdict if now else None,
                       now.certainty if now else None, why)


def _renames(before: Catalog, after: Catalog, gone: set[str], new: set[str]) -> dict[str, str]:
    """A removed source and an added one that share a DOI, PMID or PMCID: the same study, renamed."""
    keys = {key: source_id for source_id in sorted(new) for key in _identity(after.sources[source_id])}
    renamed: dict[str, str] = {}
    for source_id in sorted(gone):
        match = next((keys[k] for k in _identity(before.sources[source_id]) if k in keys), None)
        if match and match not in renamed.values():
            renamed[source_id] = match
    return renamed


def _identity(source: Source) -> list[str]:
    return [f"{name}:{getattr(source, name).lower()}" for name in IDENTITY_FIELDS if getattr(source, name)]


def _why(old: Claim, new: Claim, before: Catalog, after: Catalog, renamed: dict[str, str]) -> list[str]:
    """Every change to what decides the claim's verdict and certainty, in words."""
    reasons = _link_changes(old, new, renamed)
    back = {now_id: was_id for was_id, now_id in renamed.items()}
    for evidence in new.evidence:
        was = before.sources.get(back.get(evidence.source, evidence.source))
        now = after.sources.get(evidence.source)
        if was is not None and now is not None:
            reasons += _source_changes(was, now)
    if old.kind != new.kind:
        reasons.append(f"kind changed: {old.kind} -> {new.kind}")
    if old.searched != new.searched:
        reasons.append(f"searches recorded: {len(old.searched)} -> {len(new.searched)}")
    if old.grade != new.grade:
        reasons.append("curator's grade " + ("added" if old.grade is None else "removed" if new.grade is None
                                             else "changed"))
    if old.statement != new.statement:
        reasons.append("statement reworded")
    return list(dict.fromkeys(reasons))


def _link_changes(old: Claim, new: Claim, renamed: dict[str, str]) -> list[str]:
    back = {after: before for before, after in renamed.items()}
    old_links = {(e.source, e.stance): e for e in old.evidence}
    new_links = {(back.get(e.source, e.source), e.stance): e for e in new.evidence}
    reasons = []
    for key, link in new_links.items():
        if key not in old_links:
            reasons.append(f"linked: {link.source} {link.stance}")
        elif _appraisal(old_links[key]) != _appraisal(link):
            reasons.append(f"appraisal changed: the {link.stance} link to {link.source} "
                           f"({_appraisal_text(old_links[key])} -> {_appraisal_text(link)})")
        if key[0] != link.source:
            reasons.append(f"source renamed: {key[0]} -> {link.source}")
    reasons += [f"unlinked: {link.source} {link.stance}" for key, link in old_links.items() if key not in new_links]
    return reasons


def _appraisal(link: Evidence) -> tuple:
    return tuple(link.indirect), link.certainty


def _appraisal_text(link: Evidence) -> str:
    parts = ([f"indirect: {', '.join(link.indirect)}"] if link.indirect else []) + (
        [f"certainty {link.certainty}"] if link.certainty else [])
    return "; ".join(parts) or "none recorded"


def _source_changes(was: Source, now: Source) -> list[str]:
    if is_retracted(was) != is_retracted(now):
        return [f"{'retracted' if is_retracted(now) else 'no longer retracted'}: {now.id}"]
    changed = [name for name in APPRAISAL_FIELDS if getattr(was, name) != getattr(now, name)]
    if not changed:
        return []
    details = ", ".join(f"{name} {_value(getattr(was, name))} -> {_value(getattr(now, name))}" for name in changed)
    return [f"appraisal changed: {now.id} ({details})"]


def _value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return "none" if value is None else str(value)


def diff_at(root: Path, revision: str = DEFAULT_REVISION) -> CatalogChanges:
    """Load the working tree's catalog at `root` and compare it with `revision`."""
    from kclaims.catalog.files import load_catalog

    return diff_catalog(load_catalog(root), revision)
