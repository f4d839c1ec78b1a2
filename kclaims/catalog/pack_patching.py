"""The sources' pack made again from the last one after a few source files changed (edited, added,
removed): the first report after an edit reads the changed files and copies the rest of the last
pack, without holding the sources or reading the cache's rows.

Worker processes list the sources folder (runs of it each, as `cache.folder_digest` does) and look
each file up in the last pack: a file whose stamp the pack holds is unchanged. The changed files
are parsed and cached; each goes where the report's order puts it (found by halving the last pack's
order), and the names that need a letter are worked out again for the blocks of the order they
leave or join (a block: the sources whose names start with the same word, which all those sharing a
name do, whatever their years: a site called "Clinic 2020" with no year reads as "Clinic" of 2020).
The records are then copied in the new order. The pack made is what making it from every
source would give (the tests hold it to that).
"""

from __future__ import annotations

import marshal
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Protocol

from kclaims.catalog import cache, source_pack
from kclaims.catalog.files import SOURCES_DIR, is_source_file_name, parse_source_files
from kclaims.catalog.source_pack import Record, SourcePack
from kclaims.model import Source, source_from_row

MOST_CHANGED = 1000  # more changed files than this (or than 5% of the sources): the pack is made from every source


class Arranger(Protocol):
    """How a report orders its bibliography and names its sources (export/view.py `ReportArranger`):
    the catalog patches the pack, the report knows the order."""

    rules: str  # a digest of the rules: a pack is kept for them

    def cited(self, source: Source) -> tuple:
        """What orders and names a source: its short name, its year and its id (in that order)."""

    def order_key(self, cited: tuple) -> tuple:
        """Where a source goes in the order, from what `cited` gave; its first item is its block (sources
        sharing a name share it)."""

    def lettered(self, in_order: list[tuple]) -> dict[str, str]:
        """The names that need a letter, by source id, of sources in the order."""


class SourceDoesNotLoad(Exception):
    """A source file that changed does not parse: the loaded catalog says why."""


@dataclass
class _Compared:
    """A run of the folder's listing looked up in the last pack: the files it holds as they are
    (summed, and their places), and the names of the others."""

    unchanged: cache.FilesSum = field(default_factory=cache.FilesSum)
    places: list[int] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def patched_pack(root: Path, store: cache.Store, last: SourcePack, arranger: Arranger,
                 key_for: Callable[[str], object]) -> tuple[SourcePack, str] | None:
    """The sources' pack made from `last` and the source files that changed since, opened, with the
    digest of the files' names and stamps it holds (`key_for` makes its key). None where patching
    is not worth it (too many changes) or the pack cannot be kept (a file too new to trust, a cache
    that cannot be written). SourceDoesNotLoad if a changed file does not parse."""
    compared = _compared(str(root / SOURCES_DIR), last)
    if compared is None:
        return None
    sums, kept, changed = compared
    if len(changed) > min(MOST_CHANGED, len(last) // 20 + 1) or kept.count(0) > MOST_CHANGED:
        return None
    parsed = cache.FilesSum()
    added = _parsed(root, store, changed, parsed)
    digest = cache.digest_of([*sums, parsed])
    if digest is None:
        return None
    key = key_for(digest)
    records = _patched_order(last, kept, added, arranger)
    count = kept.count(1) + len(added)
    if not source_pack.write_pack(store.pack_location, key, records, count, when_written=last.close):
        return None
    pack = SourcePack.open(store.pack_location, key)
    return None if pack is None else (pack, digest)


def _compared(folder: str, last: SourcePack) -> tuple[list[cache.FilesSum], bytearray, list[str]] | None:
    """The unchanged files summed (a sum a run), a byte per place of `last` (1: its file is
    unchanged), and the names of the files that changed or are new; None if the folder cannot be
    listed, or changed while it was (the workers' runs of the listing could then miss a file or
    meet one twice)."""
    expected = len(last)
    before = cache.folder_stamp(folder)
    with cache.in_listing_runs(partial(_runs_compared, folder, last, expected), expected) as found:
        runs = found()
    if cache.folder_stamp(folder) != before or cache.is_racy(before):
        return None
    kept, changed = bytearray(expected), []
    for run in runs:
        for place in run.places:
            kept[place] = 1
        changed += run.changed
    if len(set(changed)) != len(changed):  # (a file met twice: the listing moved under the workers)
        return None
    return [run.unchanged for run in runs], kept, changed


def _runs_compared(folder: str, last: SourcePack, expected: int, shares: list[int]) -> list[_Compared]:
    """These shares of the folder's listing looked up in the last pack (in the first share's result)."""
    results = [_Compared() for _ in shares]
    found = results[0]
    try:
        for name, stamp, _ in cache.stamps_in_run(folder, is_source_file_name, expected, shares):
            kept = last.stamp_and_place(name[:-len(".yaml")])
            if kept is not None and kept[0] == stamp:
                found.unchanged.add(name, stamp)
                found.places.append(kept[1])
            else:
                found.changed.append(name)
    except OSError:  # the folder could not be listed, or a file is gone since it was listed
        found.unchanged.missing = True
    return results


def _parsed(root: Path, store: cache.Store, names: list[str], files: cache.FilesSum) -> list[Record]:
    """The changed files parsed and cached, as records (no name yet), each summed with the stamp it
    was read at."""
    records: list[Record] = []
    for name, (packed, stamp, problem) in zip(names, parse_source_files([str(root / SOURCES_DIR / n) for n in names])):
        if packed is None or stamp is None or problem is not None:
            raise SourceDoesNotLoad(name)
        store.put(f"{SOURCES_DIR}/{name}", packed, stamp)  # (not kept if it is too new to trust: `Store.put`)
        files.add(name, stamp)
        records.append((name[:-len(".yaml")], stamp, "", packed))
    if records:
        store.rows.release()  # written now: the next command finds them cached
    return records


def _patched_order(last: SourcePack, kept: bytearray, added: list[Record], arranger: Arranger) -> Iterator[Record]:
    """The kept records of `last` and the `added` ones in the order, each with its name: worked out
    again in the blocks that lost or gained a source, kept elsewhere."""
    key_at = _keys_of(last, arranger)
    added_keyed = sorted((arranger.order_key(arranger.cited(_source(record))), record) for record in added)
    blocks = {key[:1] for key, _ in added_keyed}
    dropped = kept.find(0)
    while dropped != -1:
        blocks.add(key_at(dropped)[:1])
        dropped = kept.find(0, dropped + 1)
    names = _block_names(last, kept, added_keyed, blocks, key_at, arranger)
    insert_at = [_first_after(last, key, key_at) for key, _ in added_keyed]
    waiting = iter(zip(insert_at, added_keyed))
    upcoming = next(waiting, None)
    for place, record in enumerate(last.records_in_order(0, len(last))):
        while upcoming is not None and upcoming[0] <= place:
            yield _named(upcoming[1][1], names)
            upcoming = next(waiting, None)
        if kept[place]:
            yield _named(record, names)
    while upcoming is not None:
        yield _named(upcoming[1][1], names)
        upcoming = next(waiting, None)


def _keys_of(last: SourcePack, arranger: Arranger) -> Callable[[int], tuple]:
    """The order key of the source at a place of the last pack (worked out once per place asked)."""
    known: dict[int, tuple] = {}

    def key_at(place: int) -> tuple:
        key = known.get(place)
        if key is None:
            key = known[place] = arranger.order_key(arranger.cited(last.at(place)[0]))
        return key

    return key_at


def _first_after(last: SourcePack, key: tuple, key_at: Callable[[int], tuple]) -> int:
    """The first place of the last pack whose source does not go before `key` (the order is sorted
    by its keys): a source of that key goes just before it."""
    return bisect_left(range(len(last)), key, key=key_at)


def _block_places(last: SourcePack, block: tuple, key_at: Callable[[int], tuple]) -> range:
    """The places of the last pack whose sources are in `block` (the first item of their keys)."""
    places = range(len(last))

    def block_at(place: int) -> tuple:
        return key_at(place)[:1]

    return range(bisect_left(places, block, key=block_at), bisect_right(places, block, key=block_at))


def _block_names(last: SourcePack, kept: bytearray, added_keyed: list[tuple[tuple, Record]], blocks: set[tuple],
                 key_at: Callable[[int], tuple], arranger: Arranger) -> dict[str, str]:
    """The lettered name (or "") of every source in the blocks that changed, as the whole new order
    gives them: sources sharing a name are all in one block."""
    names: dict[str, str] = {}
    for block in blocks:
        members = [(key_at(place), arranger.cited(last.at(place)[0]))
                   for place in _block_places(last, block, key_at) if kept[place]]
        members += [(key, arranger.cited(_source(record))) for key, record in added_keyed if key[:1] == block]
        members.sort(key=lambda member: member[0])
        lettered = arranger.lettered([cited for _, cited in members])
        names.update((cited[2], lettered.get(cited[2], "")) for _, cited in members)
    return names


def _named(record: Record, names: dict[str, str]) -> Record:
    source_id, stamp, name, packed = record
    return source_id, stamp, names.get(source_id, name), packed


def _source(record: Record) -> Source:
    return source_from_row(marshal.loads(record[3]))
