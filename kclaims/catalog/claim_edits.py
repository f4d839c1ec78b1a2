"""Change and undo claims: edit a claim's fields, remove it, unlink a paper, take a quote back, merge
two claims, record a literature search, check a quote against its article's snapshot.

Like every edit (see edit.py): under the catalog's lock, checked against the loaded catalog,
applied in round-trip mode (comments, key order and the gaps between claims kept), validated,
and written atomically, never over a file that changed since it was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kclaims.catalog.edit import (
    check_claim_fields,
    editing_claims,
    find_entry,
    flow_list,
    list_in,
    required_text,
)
from kclaims.catalog.files import load_catalog
from kclaims.catalog.writing import catalog_lock, flow_map
from kclaims.errors import BadInput
from kclaims.model import Claim, Evidence, Quote, Search
from kclaims.text import normalise_quote_text, shorten


@dataclass
class ClaimChanges:
    """What `edit_claim` is asked to change; None (or empty) leaves a field as it is."""

    statement: str | None = None
    kind: str | None = None
    add_topics: list[str] = field(default_factory=list)
    remove_topics: list[str] = field(default_factory=list)
    note: str | None = None  # "" removes the note

    def is_empty(self) -> bool:
        return (self.statement is None and self.kind is None and not self.add_topics and not self.remove_topics
                and self.note is None)


def edit_claim(root: Path, claim_id: str, changes: ClaimChanges) -> list[str]:
    """Change a claim's statement, kind, topics or note in place; returns what changed, one line each."""
    if changes.is_empty():
        raise BadInput("nothing to change: give --statement, --kind, --topic, --remove-topic or --note")
    with catalog_lock(root):
        catalog = load_catalog(root)
        claim = catalog.claim(claim_id)
        missing = [t for t in changes.remove_topics if t not in claim.topics]
        if missing:
            raise BadInput(f"claim {claim_id!r} has no topic {missing[0]!r} (its topics: {', '.join(claim.topics) or 'none'})")
        topics = [t for t in claim.topics if t not in changes.remove_topics]
        topics += [t for t in dict.fromkeys(changes.add_topics) if t not in topics]
        statement = required_text(changes.statement, "statement") if changes.statement is not None else claim.statement
        note = claim.note if changes.note is None else (changes.note.strip() or None)
        updated = Claim(claim.id, statement, changes.kind or claim.kind, topics, claim.made_in, claim.evidence,
                        claim.grade, note, claim.searched)
        check_claim_fields(updated)
        said = _differences(claim, updated)
        if not said:
            return []
        with editing_claims(catalog) as claims:
            entry = find_entry(claims, claim_id)
            entry["statement"] = updated.statement
            entry["kind"] = updated.kind
            if topics != claim.topics:
                entry["topics"] = flow_list(topics)
            if note is None:
                entry.pop("note", None)
            elif note != claim.note:
                entry["note"] = note
    return said


def _differences(old: Claim, new: Claim) -> list[str]:
    said = []
    if old.statement != new.statement:
        said.append(f"statement: {new.statement}")
    if old.kind != new.kind:
        said.append(f"kind: {old.kind} -> {new.kind}")
    if old.topics != new.topics:
        said.append(f"topics: {', '.join(new.topics) or 'none'}")
    if old.note != new.note:
        said.append("note removed" if new.note is None else "note added" if old.note is None else "note changed")
    return said


def remove_claim(root: Path, claim_id: str) -> Claim:
    """Take a claim out of claims.yaml; returns it (the sources it names stay)."""
    with catalog_lock(root):
        catalog = load_catalog(root)
        claim = catalog.claim(claim_id)
        with editing_claims(catalog) as claims:
            claims.remove(find_entry(claims, claim_id))
    return claim


def unlink_evidence(root: Path, claim_id: str, source_id: str) -> Evidence:
    """Remove the evidence link from a claim to a source; returns the link removed."""
    with catalog_lock(root):
        catalog = load_catalog(root)
        claim = catalog.claim(claim_id)
        index = next((i for i, e in enumerate(claim.evidence) if e.source == source_id), None)
        if index is None:
            linked = ", ".join(e.source for e in claim.evidence) or "none"
            raise BadInput(f"claim {claim_id!r} does not link {source_id!r} (it links: {linked})")
        with editing_claims(catalog) as claims:
            entry = find_entry(claims, claim_id)
            del entry["evidence"][index]
    return claim.evidence[index]


def remove_quote(root: Path, claim_id: str, source_id: str, text: str | None) -> list[Quote]:
    """Take back an article's words for a claim: the quote `text` (compared with spacing and
    typography ignored), or, without it, the article's only quote. Returns the quotes removed."""
    with catalog_lock(root):
        catalog = load_catalog(root)
        claim = catalog.claim(claim_id)
        indices = _quote_indices(claim, source_id, text)
        with editing_claims(catalog) as claims:
            made_in = find_entry(claims, claim_id)["made_in"]
            for index in reversed(indices):
                del made_in[index]
    return [claim.made_in[i] for i in indices]


def _quote_indices(claim: Claim, source_id: str, text: str | None) -> list[int]:
    mine = [i for i, q in enumerate(claim.made_in) if q.source == source_id]
    if not mine:
        raise BadInput(f"claim {claim.id!r} has no quote from {source_id!r}")
    if text is None:
        if len(mine) > 1:
            raise BadInput(f"claim {claim.id!r} has {len(mine)} quotes from {source_id!r}: say which, e.g. "
                           f"{shorten(claim.made_in[mine[0]].text, 60)!r}")
        return mine
    wanted = normalise_quote_text(text)
    found = [i for i in mine if normalise_quote_text(claim.made_in[i].text) == wanted]
    if not found:
        recorded = "; ".join(repr(shorten(claim.made_in[i].text, 50)) for i in mine)
        raise BadInput(f"claim {claim.id!r} has no such quote from {source_id!r} (recorded: {recorded})")
    return found


@dataclass
class Merged:
    """What `merge_claims` moved into the kept claim."""

    quotes: int = 0
    evidence: int = 0
    topics: list[str] = field(default_factory=list)
    searches: int = 0
    dropped: list[str] = field(default_factory=list)  # duplicates and conflicts left out, said why


def merge_claims(root: Path, keep_id: str, other_id: str) -> Merged:
    """Move another claim's quotes, evidence, topics, searches (and note and grade, where the kept
    claim has none) into `keep_id`, dropping duplicates, and remove the other claim. A paper linked
    by both keeps the kept claim's link; a different stance is reported as dropped."""
    if keep_id == other_id:
        raise BadInput("a claim cannot be merged into itself")
    with catalog_lock(root):
        catalog = load_catalog(root)
        keep, other = catalog.claim(keep_id), catalog.claim(other_id)
        merged = Merged()
        with editing_claims(catalog) as claims:
            kept, gone = find_entry(claims, keep_id), find_entry(claims, other_id)
            _merge_quotes(keep, other, kept, gone, merged)
            _merge_evidence(keep, other, kept, gone, merged)
            _merge_rest(keep, other, kept, gone, merged)
            claims.remove(gone)
    return merged


def _merge_quotes(keep: Claim, other: Claim, kept: Any, gone: Any, merged: Merged) -> None:
    have = {(q.source, normalise_quote_text(q.text)) for q in keep.made_in}
    for quote, item in zip(other.made_in, gone.get("made_in") or []):
        key = (quote.source, normalise_quote_text(quote.text))
        if key in have:
            merged.dropped.append(f"quote from {quote.source} (already recorded)")
            continue
        have.add(key)
        list_in(kept, "made_in").append(item)
        merged.quotes += 1


def _merge_evidence(keep: Claim, other: Claim, kept: Any, gone: Any, merged: Merged) -> None:
    linked = {e.source: e for e in keep.evidence}
    for link, item in zip(other.evidence, gone.get("evidence") or []):
        mine = linked.get(link.source)
        if mine is not None:
            why = "already linked" if mine.stance == link.stance else f"kept {mine.stance}, dropped {link.stance}"
            merged.dropped.append(f"link to {link.source} ({why})")
            continue
        list_in(kept, "evidence").append(item)
        merged.evidence += 1


def _merge_rest(keep: Claim, other: Claim, kept: Any, gone: Any, merged: Merged) -> None:
    merged.topics = [t for t in other.topics if t not in keep.topics]
    if merged.topics:
        kept["topics"] = flow_list(keep.topics + merged.topics)
    for item in gone.get("searched") or []:
        list_in(kept, "searched").append(item)
        merged.searches += 1
    if other.note:
        kept["note"] = f"{keep.note}\n\n{other.note}" if keep.note else other.note
    if other.grade and keep.grade is None:
        kept["grade"] = gone["grade"]
    elif other.grade:
        merged.dropped.append(f"the grade of {other.id} (the kept claim has its own)")


def record_findings(root: Path, claim_id: str, links: list[tuple[str, str]], search: Search) -> None:
    """What a person decided while screening a search for a claim, in one write: a link per chosen
    paper (source id, stance; a paper linked already keeps its link) and the search itself."""
    entry = {"on": search.on, "database": search.database, "query": search.query,
             "screened": search.screened, "relevant": search.relevant}
    with catalog_lock(root):
        catalog = load_catalog(root)
        claim = catalog.claim(claim_id)
        for source_id, _ in links:
            catalog.source(source_id)
        linked = {e.source for e in claim.evidence}
        with editing_claims(catalog) as claims:
            found = find_entry(claims, claim_id)
            for source_id, stance in links:
                if source_id not in linked:
                    list_in(found, "evidence").append({"source": source_id, "stance": stance})
                    linked.add(source_id)
            list_in(found, "searched").append(
                flow_map({key: value for key, value in entry.items() if value is not None}))
