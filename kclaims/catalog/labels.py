"""Each claim's strength (verdict, certainty, reasons), cached per claim.

A claim's label depends on the claim and on the sources its evidence links, nothing else (see
grade.py); so it is kept with the stamp of claims.yaml, the stamps of those source files and the
rubric's version, and reused while all of them are unchanged. One edited source regrades only
the claims that cite it, and rewrites only the cache shards that hold their labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kclaims.catalog.cache import Stamp, Store, is_racy
from kclaims.catalog.files import CLAIMS_FILE, SOURCES_DIR, Catalog
from kclaims.grade import RUBRIC_VERSION, LevelMemo, Strength, claim_strength
from kclaims.model import Claim, Source


def all_strengths(catalog: Catalog) -> list[Strength]:
    """Every claim's strength, in catalog order: from the cache where nothing it depends on changed."""
    return strengths_of(catalog, range(len(catalog.claims)))


def strengths_of(catalog: Catalog, indexes: Sequence[int]) -> list[Strength]:
    """The strengths of the claims at `indexes` of `catalog.claims`, cached as `all_strengths`'s."""
    claims = [catalog.claims[index] for index in indexes]
    positions = catalog.claim_positions
    if catalog.store is None or len(positions) != len(catalog.claims):  # loaded with problems: nothing to trust
        memo: LevelMemo = {}
        return [claim_strength(claim, catalog.sources, memo) for claim in claims]
    strengths = cached_strengths(catalog.store, claims, [positions[index] for index in indexes], catalog.sources)
    catalog.store.labels.save()
    return strengths


def cached_strengths(store: Store, claims: Sequence[Claim], positions: Sequence[int],
                     sources: Mapping[str, Source], graded: dict[str, Any] | None = None,
                     source_stamps: Mapping[str, Stamp | None] | None = None) -> list[Strength]:
    """The strengths of `claims` (at `positions` in claims.yaml, all loaded from files the store has
    stamped): the kept label where nothing it depends on changed, else graded now and kept (the
    caller saves the store's labels), or, with `graded`, put there by key for the caller to keep.
    `source_stamps`: each source file's stamp by source id, where the caller keeps them so, not in
    the store by file."""
    memo: LevelMemo = {}  # a source's level, worked out once for all the claims that cite it
    stamps, labels = store.stamps, store.labels
    keep = labels.put if graded is None else graded.__setitem__
    claims_stamp = stamps.get(CLAIMS_FILE)
    keys = [str(position) for position in positions]
    strengths = []
    for claim, key, kept in zip(claims, keys, labels.get_many(keys)):
        linked = (tuple([source_stamps.get(item.source) for item in claim.evidence]) if source_stamps is not None
                  else tuple([stamps.get(f"{SOURCES_DIR}/{item.source}.yaml") for item in claim.evidence]))
        depends_on = (RUBRIC_VERSION, claims_stamp, linked)
        if kept is not None and kept[0] == depends_on:
            strengths.append(Strength.from_tuple(kept[1]))
            continue
        strength = claim_strength(claim, sources, memo)
        strengths.append(strength)
        if not is_racy(claims_stamp) and not any(is_racy(stamp) for stamp in depends_on[2]):
            keep(key, (depends_on, strength.as_tuple()))
    return strengths
