"""A catalog read a chunk of claims at a time, from the cache: a report of 100,000 claims goes
through it without ever holding them all.

It opens when the cache vouches for claims.yaml as it is on disk (unchanged since its rows were
kept); source files the cache does not hold as they are (edited, new) are parsed and cached as it
opens. Otherwise (claims.yaml changed, or a changed source does not load) the caller loads the
catalog the usual way, which reads, checks and caches what changed. Sources stay packed and are made
each time one is looked at; claims are made a chunk at a time, with their labels (labels.py).
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kclaims.catalog import cache, cache_files
from kclaims.catalog.files import (CLAIM_CHUNK, CLAIMS_FILE, Catalog, cached_claim_ids, chunk_count, load_catalog,
                                   parse_source_files, source_file_keys, source_id_of)
from kclaims.catalog.labels import all_strengths, cached_strengths
from kclaims.catalog.query import ClaimRow
from kclaims.errors import NOTHING_WRITTEN, ConflictError
from kclaims.model import claim_from_row


@dataclass
class ClaimChunks:
    """claims.yaml's claims in chunks of CLAIM_CHUNK, in file order, each read from the cache when
    asked for, and every source (packed)."""

    store: cache.Store
    claims_path: str
    claims_stamp: cache.Stamp  # what claims.yaml's stamp was when its cached ids and chunks were checked
    count: int  # claims in all
    sources: cache.SourceTable
    source_stamps: dict[str, cache.Stamp | None]  # each source file's stamp, by source id (the labels depend on them)
    sources_stamp: str | None  # a digest of every source file's stamp (None if one is too new to trust)

    def __len__(self) -> int:
        return chunk_count(self.count)

    def rows(self, number: int, graded: dict[str, Any] | None = None) -> list[ClaimRow]:
        """The claims of chunk `number`, each with its strength: its kept label where it has one,
        else graded now, the label put in `graded` (by key) for `keep_labels`. Chunks may be read
        in worker processes: none of them writes the cache's shards, which chunks share. If the
        chunk is no longer cached as it was when the chunks opened, ConflictError (`_gone`)."""
        [packed] = self.store.claim_chunks([number], self.claims_stamp)
        if packed is None:
            raise self._gone(number)
        claims = [claim_from_row(row) for row in cache_files.unmarshal(packed)]
        first = number * CLAIM_CHUNK
        strengths = cached_strengths(self.store, claims, range(first, first + len(claims)), self.sources,
                                     {} if graded is None else graded, self.source_stamps)
        self.store.labels.forget()  # this chunk's shard: the next chunk's labels are in another
        return [ClaimRow(claim, strength) for claim, strength in zip(claims, strengths)]

    def _gone(self, number: int) -> ConflictError:
        """Why chunk `number` is not in the cache as it was: claims.yaml cached anew by a command run
        meanwhile (which saw it changed), or the cache file removed or damaged."""
        [entry] = self.store.claim_rows.get_many_once([str(number)])
        if entry is not None:
            return ConflictError(f"changed while the report was being made. {NOTHING_WRITTEN}: run the command again",
                                 self.claims_path)
        return ConflictError(f"removed or damaged while the report was being made (a cache file, which kclaims makes "
                             f"again). {NOTHING_WRITTEN}: run the command again",
                             self.store.claim_rows.location_of(str(number)))

    def keep_labels(self, graded: dict[str, Any]) -> None:
        """Keep the labels graded while the chunks were read (`rows`), for the next command."""
        if graded:
            for key, label in graded.items():
                self.store.labels.put(key, label)
            self.store.labels.save()

    def release_stamps(self) -> None:
        """Let go of the files' stamps once every chunk has been read (only the labels needed them):
        a report's summaries then have the memory they held."""
        self.source_stamps.clear()


def open_chunks(root: Path) -> ClaimChunks | None:
    """The catalog at `root` in chunks, or None when the cache cannot vouch for claims.yaml, or a
    source file the cache has not kept as it is now does not parse (the loaded catalog says why).
    Such files (edited, new) are parsed here and cached: one source edited in a catalog of 200,000
    costs its own parse, not a load of the whole catalog."""
    store = cache.open_store(root)
    claims_path = str(root / CLAIMS_FILE)
    ids = cached_claim_ids(store, claims_path)
    claims_stamp = store.stamps.get(CLAIMS_FILE)
    if ids is None or claims_stamp is None or not store.has_claim_chunks(chunk_count(len(ids)), claims_stamp):
        return None
    files = source_file_keys(root)
    kept = store.get_many(files, once=True)  # one pass: each shard is read once
    fresh = _parsed_now(store, [file for file, source in zip(files, kept) if source is None])
    if fresh is None:
        return None
    sources = cache.SourceTable(keep_unpacked=False)
    source_stamps: dict[str, cache.Stamp | None] = {}
    for (_, key), source in zip(files, kept):
        source_id = source_id_of(key)
        sources.add_packed(source_id, source if source is not None else fresh[key])
        source_stamps[source_id] = store.stamps[key]
    store.let_go_of_stamps(keep=CLAIMS_FILE)  # kept by source id instead, without the files' names
    return ClaimChunks(store, claims_path, claims_stamp, len(ids), sources, source_stamps,
                       _digest(list(source_stamps.values())))


def _parsed_now(store: cache.Store, files: list[tuple[str, str]]) -> dict[str, bytes] | None:
    """The files' packed rows by key, each parsed now and cached with the stamp it was read at;
    None if one does not parse."""
    fresh: dict[str, bytes] = {}
    stamps: dict[str, cache.Stamp] = {}
    for (_, key), (packed, stamp, problem) in zip(files, parse_source_files([path for path, _ in files])):
        if packed is None or stamp is None or problem is not None:
            return None
        fresh[key], stamps[key] = packed, stamp
    for key, packed in fresh.items():  # all parsed: cached
        store.put(key, packed, stamps[key])  # (not kept if it is too new to trust: `Store.put`)
    store.stamps.update(stamps)  # the stamps they were read at
    if fresh:
        store.rows.release()  # written now: the next command finds them cached
    return fresh


def _digest(stamps: list[cache.Stamp | None]) -> str | None:
    """What the files' stamps add up to, to key a value worked out from all of them; None if one
    was modified too recently for its stamp to tell a later edit apart."""
    newest = max((stamp for stamp in stamps if stamp is not None), key=cache.modified_ns, default=None)
    if newest is not None and cache.is_racy(newest):
        return None
    return hashlib.sha1(marshal.dumps(stamps)).hexdigest()


def chunks_or_catalog(root: Path) -> ClaimChunks | Catalog:
    """The catalog at `root` in chunks; when they cannot be opened (claims.yaml changed, or a changed
    source file does not load), the catalog is loaded (which reads, checks and caches what changed,
    or says what is wrong) and its labels kept, and then it is read in chunks after all, or, if
    claims.yaml is too new to cache yet, the loaded catalog is given instead."""
    chunks = open_chunks(root)
    if chunks is not None:
        return chunks
    all_strengths(load_catalog(root))  # graded and kept, so the chunks find each claim's label
    return open_chunks(root) or load_catalog(root)  # (loaded again only if a file is too new to cache)
