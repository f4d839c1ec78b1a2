"""One claim and the sources it names, read from the cache alone: `show` at 100,000 claims reads
the list of ids, one chunk of claim rows and the shards of a few sources, not the whole catalog.

Anything not in the cache as it is on disk (claims.yaml changed, a linked source edited or never
loaded) sends the caller to the full load, which reads, checks and caches everything.
"""

from __future__ import annotations

from pathlib import Path

from kclaims.catalog import cache
from kclaims.catalog.files import (CLAIMS_FILE, SOURCES_DIR, Catalog, cached_claim_ids, cached_claim_row,
                                   load_catalog)
from kclaims.model import Claim, claim_from_row


def load_claim(root: Path, claim_id: str) -> Catalog:
    """A catalog holding the claim `claim_id` and the sources it names (the whole catalog when the
    cache cannot answer, or when there is no such claim: the full load's error names close ids)."""
    store = cache.open_store(root)
    claims_path = str(root / CLAIMS_FILE)
    ids = cached_claim_ids(store, claims_path)
    if ids is not None and claim_id in ids:
        position = ids.index(claim_id)
        row = cached_claim_row(store, position)
        if row is not None:
            claim = claim_from_row(row)
            sources = _cached_sources(store, root, claim)
            if sources is not None:
                return Catalog(root=root, claims=[claim], sources=sources, claim_positions=[position], store=store)
    return load_catalog(root)


def _cached_sources(store: cache.Store, root: Path, claim: Claim) -> cache.SourceTable | None:
    """The sources `claim` names, from the cache; None if one of them is not cached as it is now."""
    ids = sorted(claim.source_ids())
    files = [(str(root / SOURCES_DIR / f"{source_id}.yaml"), f"{SOURCES_DIR}/{source_id}.yaml") for source_id in ids]
    table = cache.SourceTable()
    for source_id, (_, key), packed in zip(ids, files, store.get_many(files)):
        if packed is not None:
            table.add_packed(source_id, packed)
        elif store.stamps.get(key) is not None:  # on disk but not cached as it is: the full load parses it
            return None
    return table
