"""What changed since a revision, as `kclaims diff` prints it and as a report's section (`--since REV`)."""

from __future__ import annotations

from kclaims.catalog.changes import CatalogChanges, ClaimChange
from kclaims.grade import strength_text

NOTHING = "nothing"


def claim_anchor(change: ClaimChange) -> str | None:
    """Where a report shows the claim: none for a removed one."""
    return None if change.change == "removed" else f"claim-{change.claim}"


def _state(verdict: str | None, certainty: str | None, symbols: bool) -> str:
    return strength_text(verdict, certainty, symbols) if verdict else NOTHING


def change_phrase(change: ClaimChange, symbols: bool = True) -> str:
    """"changed ptsd-relief: supported, ⊕⊕⊕◯ moderate -> conflicting (linked: null2021 contradicts)"."""
    before = _state(change.verdict_before, change.certainty_before, symbols)
    after = _state(change.verdict_after, change.certainty_after, symbols)
    moved = f"{before} -> {after}" if change.moved else f"{after} (unchanged)"
    why = f" ({'; '.join(change.why)})" if change.why else ""
    return f"{change.change} {change.claim}: {moved}{why}"


def headline(changes: CatalogChanges) -> str:
    """One sentence: what is compared and how much changed."""
    moved = sum(1 for c in changes.claims if c.change == "changed" and c.moved)
    counts = [f"{sum(1 for c in changes.claims if c.change == kind)} claims {kind}" for kind in ("added", "removed", "changed")]
    sources = (f"{len(changes.sources_added)} sources added, {len(changes.sources_removed)} removed, "
               f"{len(changes.sources_renamed)} renamed")
    return (f"Since {changes.revision} ({changes.commit[:12]}): {', '.join(counts)} ({moved} changed verdict or "
            f"certainty); {sources}.")


RUBRIC_NOTE = ("The rubric (kclaims/grade.py) changed since then: both sides are graded by today's rubric, so a "
               "verdict that moved only because the rubric changed is not listed.")


def changes_lines(changes: CatalogChanges, symbols: bool = True) -> list[str]:
    """The changes as plain lines (`kclaims diff`)."""
    lines = [headline(changes)]
    if changes.rubric_before:
        lines.append(RUBRIC_NOTE)
    lines += [change_phrase(c, symbols) for c in changes.claims]
    lines += [f"source renamed: {before} -> {after}" for before, after in changes.sources_renamed]
    lines += [f"source added: {s}" for s in changes.sources_added]
    lines += [f"source removed: {s}" for s in changes.sources_removed]
    lines += [f"not read at {changes.revision}: {p}" for p in changes.problems_before]
    return lines
