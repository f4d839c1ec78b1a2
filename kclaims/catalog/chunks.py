"""A catalog read a chunk of claims at a time, from the cache: a report of 100,000 claims goes
through it without ever holding them all.

It opens when the cache vouches for claims.yaml as it is on disk (unchanged since its rows were
kept). Otherwise (claims.yaml changed, or a changed source does not load) the caller loads the
catalog the usual way, which reads, checks and caches what changed. Claims are made a chunk at a
time, with their labels (labels.py). The sources are read one at a time from the sources' pack
(source_pack.py) kept for the source files as they are now, found by the digest of their names and
stamps; without one, every source is read from the cache and held packed (files the cache does not
hold as they are, edited or new, are parsed and cached as it opens), and the caller, which knows
the report's order, makes the pack (`ClaimChunks.write_pack`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kclaims.catalog import cache, cache_files, source_pack
from kclaims.catalog.files import (CLAIM_CHUNK, CLAIMS_FILE, SOURCES_DIR, Catalog, chunk_count, is_source_file_name,
                                   load_catalog, parse_source_files, source_file_keys, source_id_of)
from kclaims.catalog.labels import all_strengths, cached_strengths
from kclaims.catalog.pack_patching import Arranger, SourceDoesNotLoad, patched_pack
from kclaims.catalog.query import ClaimRow
from kclaims.catalog.source_pack import DamagedPack, SourcePack
from kclaims.errors import NOTHING_WRITTEN, ConflictError
from kclaims.model import Source, claim_from_row


@dataclass
class ClaimChunks:
    """claims.yaml's claims in chunks of CLAIM_CHUNK, in file order, each read from the cache when
    asked for, and every source: read from the sources' pack when one is kept for the files as they
    are (`pack`), else held packed until the caller makes the pack (`write_pack`)."""

    store: cache.Store
    claims_path: str
    claims_stamp: cache.Stamp  # what claims.yaml's stamp was when its cached ids and chunks were checked
    count: int  # claims in all
    sources: Mapping[str, Source]  # a SourcePack, or a cache.SourceTable of every source packed
    source_stamps: Mapping[str, cache.Stamp | None]  # each source file's stamp, by source id (the labels depend on them)
    sources_stamp: str | None  # a digest of the source files' names and stamps (None if one is too new to trust)
    pack: SourcePack | None = None

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
        return _damaged(self.store.claim_rows.location_of(str(number)))

    def pack_gone(self) -> ConflictError:
        """The sources' pack was found damaged while the report was read from it: it is deleted (unless
        another command has made a new one since), so the next command makes it again."""
        location = self.store.pack_location
        if self.pack is not None and self.pack.is_the_file_at_its_location():
            with contextlib.suppress(OSError):
                os.unlink(location)
        return _damaged(location)

    def keep_labels(self, graded: dict[str, Any]) -> None:
        """Keep the labels graded while the chunks were read (`rows`), for the next command."""
        if graded:
            for key, label in graded.items():
                self.store.labels.put(key, label)
            self.store.labels.save()

    def write_pack(self, arranged_by: str, records: Iterable[source_pack.Record]) -> bool:
        """Keep every source as the records give them (each source's id, stamp, lettered name and packed
        row, in a report's order, worked out by the caller by `arranged_by`'s rules) and read them from
        that pack from now on, letting go of those held. False (nothing changes) where the files'
        stamps cannot key it or it cannot be written."""
        if self.sources_stamp is None:
            return False
        key = _pack_key(self.sources_stamp, arranged_by)
        if not source_pack.write_pack(self.store.pack_location, key, records, len(self.sources)):
            return False
        pack = SourcePack.open(self.store.pack_location, key)
        if pack is None:
            return False
        self.sources, self.source_stamps, self.pack = pack, pack.stamps, pack
        return True

    def packed(self, source_id: str) -> bytes:
        """A source's packed row, while every source is held (`cache.SourceTable`)."""
        assert isinstance(self.sources, cache.SourceTable)
        return self.sources.packed(source_id)

    def release_stamps(self) -> None:
        """Let go of the files' stamps once every chunk has been read (only the labels needed them):
        a report's summaries then have the memory they held. (A pack holds none.)"""
        if isinstance(self.source_stamps, dict):
            self.source_stamps.clear()


def _damaged(location: Path) -> ConflictError:
    return ConflictError(f"removed or damaged while the report was being made (a cache file, which kclaims makes "
                         f"again). {NOTHING_WRITTEN}: run the command again", location)


def _pack_key(digest: str, arranged_by: str) -> tuple[str, str, str]:
    """What a sources' pack is kept for: the files (their digest), the rules that ordered it, and
    the cache's format (its rows are the model's fields, in order)."""
    return cache.version(), digest, arranged_by


def open_chunks(root: Path, arranger: Arranger) -> ClaimChunks | None:
    """The catalog at `root` in chunks, or None when the cache cannot vouch for claims.yaml, or a
    source file the cache has not kept as it is now does not parse (the loaded catalog says why).
    The sources come from the pack kept for the files' names and stamps as they are now and for the
    `arranger`'s rules; else from the last pack patched with the few files that changed since
    (pack_patching.py, which parses and caches them); else they are read from the cache and held,
    and files it does not hold as they are (edited, new) are parsed here and cached: one source
    edited in a catalog of 200,000 costs its own parse, not a load of the whole catalog."""
    store = cache.open_store(root)
    claims_path = str(root / CLAIMS_FILE)
    [claims_stamp] = cache.stamps_of([claims_path])
    count = store.claim_count(claims_stamp) if claims_stamp is not None else None
    if claims_stamp is None or count is None or not store.has_claim_chunks(chunk_count(count), claims_stamp):
        return None
    store.stamps[CLAIMS_FILE] = claims_stamp  # (what the claims' labels were kept for)
    digest = cache.folder_digest(str(root / SOURCES_DIR), is_source_file_name, source_pack.count_in(store.pack_location))
    if digest is not None:
        found = SourcePack.open(store.pack_location, _pack_key(digest, arranger.rules))
        if found is None:  # sources changed since the last report: its pack made again from them
            try:
                found, digest = _patched(root, store, arranger) or (None, digest)
            except SourceDoesNotLoad:
                return None
        if found is not None:
            return ClaimChunks(store, claims_path, claims_stamp, count, found, found.stamps, digest, found)
    return _held(store, root, claims_path, claims_stamp, count)


def _patched(root: Path, store: cache.Store, arranger: Arranger) -> tuple[SourcePack, str] | None:
    """The last report's pack made again with the source files that changed since (pack_patching.py),
    if it was kept by this kclaims for the same rules and patching it is worth it."""
    version = cache.version()
    last = SourcePack.open_matching(store.pack_location, lambda made_for: isinstance(made_for, tuple)
                                    and len(made_for) == 3 and made_for[0] == version and made_for[2] == arranger.rules)
    if last is None:
        return None
    try:
        return patched_pack(root, store, last, arranger, lambda digest: _pack_key(digest, arranger.rules))
    except DamagedPack:  # the last pack damaged: the sources are read from the cache, and a pack made of them
        return None
    finally:
        last.close()


def _held(store: cache.Store, root: Path, claims_path: str, claims_stamp: cache.Stamp, count: int) -> ClaimChunks | None:
    """The chunks with every source read from the cache (parsed and cached where it does not hold the
    file as it is) and held packed; None if one does not parse."""
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
    digest = cache.names_digest([key[len(SOURCES_DIR) + 1:] for _, key in files], list(source_stamps.values()))
    return ClaimChunks(store, claims_path, claims_stamp, count, sources, source_stamps, digest)


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


def chunks_or_catalog(root: Path, arranger: Arranger) -> ClaimChunks | Catalog:
    """The catalog at `root` in chunks; when they cannot be opened (claims.yaml changed, or a changed
    source file does not load), the catalog is loaded (which reads, checks and caches what changed,
    or says what is wrong) and its labels kept, and then it is read in chunks after all, or, if
    claims.yaml is too new to cache yet, the loaded catalog is given instead."""
    chunks = open_chunks(root, arranger)
    if chunks is not None:
        return chunks
    all_strengths(load_catalog(root))  # graded and kept, so the chunks find each claim's label
    return open_chunks(root, arranger) or load_catalog(root)  # (loaded again only if a file is too new to cache)
