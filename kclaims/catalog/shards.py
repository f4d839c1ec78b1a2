"""A cached mapping kept in many small files, so a change rewrites one of them, not all.

The keys are spread over SHARDS files (or as many as asked) by a stable hash (CRC-32 of the key),
or by the caller's rule (claim rows and labels: by chunk); each file is read
only when one of its keys is first asked for, and written back only if one of its values changed.
One edited source in a catalog of 20,000 then costs a write of 1/64 of the cache, and `show`
reads only the files that hold what it shows. Each file is written and checked like every cache
file (`cache.write_checked`, `cache.read_checked`): a damaged one reads as empty.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kclaims.catalog import cache_files

SHARDS = 64


def shard_of(key: str, count: int = SHARDS) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % count


class Shards:
    """key -> value, kept in `count` files named `<prefix>-NN.marshal`, each valid for `version`."""

    def __init__(self, prefix: Path, version: str, spread: Callable[[str], int] | None = None, count: int = SHARDS):
        self.prefix = prefix
        self.version = version
        self._spread = spread  # which shard holds a key, if not the hash's (one of `count`)
        self.count = count
        self._loaded: dict[int, dict[str, Any]] = {}
        self._dirty: set[int] = set()

    def shard_for(self, key: str) -> int:
        return shard_of(key, self.count) if self._spread is None else self._spread(key)

    def get(self, key: str) -> Any | None:
        return self._shard(self.shard_for(key)).get(key)

    def get_many(self, keys: list[str]) -> list[Any | None]:
        shard = self._shard
        if self._spread is not None:
            return [shard(self._spread(key)).get(key) for key in keys]
        crc32, count = zlib.crc32, self.count
        return [shard(crc32(key.encode("utf-8", "surrogatepass")) % count).get(key) for key in keys]

    def get_many_once(self, keys: list[str]) -> list[Any | None]:
        """`get_many` for a pass that reads each value once: every shard is read, its values taken and
        the shard let go, so a pass over a large cache holds one shard at a time, not all."""
        found: list[Any | None] = [None] * len(keys)
        for shard, indexes in self._each_shard_once(keys):
            for index in indexes:
                found[index] = shard.get(keys[index])
        return found

    def each_once(self, keys: list[str]) -> Iterator[Any | None]:
        """The values of `keys`, a shard at a time (in no set order), each shard let go before the next
        is read, so a check of every value holds one shard, not all of them."""
        for shard, indexes in self._each_shard_once(keys):
            yield from (shard.get(keys[index]) for index in indexes)

    def _each_shard_once(self, keys: list[str]) -> Iterator[tuple[dict[str, Any], list[int]]]:
        """Each shard holding some of `keys` (read now unless it was read already, and not kept), with
        the indexes of those keys."""
        wanted: dict[int, list[int]] = {}
        for index, key in enumerate(keys):
            wanted.setdefault(self.shard_for(key), []).append(index)
        for number, indexes in wanted.items():
            shard = self._loaded.get(number)
            yield (self._read(number) if shard is None else shard), indexes

    def forget(self) -> None:
        """Let go of the shards read so far, changed or not (nothing is written)."""
        self._loaded.clear()
        self._dirty.clear()

    def put(self, key: str, value: Any) -> None:
        number = self.shard_for(key)
        self._shard(number)[key] = value
        self._dirty.add(number)

    def load_all(self) -> None:
        for number in range(self.count):
            self._shard(number)

    def keys(self) -> Iterator[str]:
        """The keys of the shards read so far."""
        for shard in self._loaded.values():
            yield from shard

    def keep_only(self, wanted: set[str]) -> None:
        """Forget every key not in `wanted` (all shards are read first)."""
        self.load_all()
        for number, shard in self._loaded.items():
            gone = [key for key in shard if key not in wanted]
            for key in gone:
                del shard[key]
            if gone:
                self._dirty.add(number)

    def save(self) -> None:
        """Write the shards that changed. Never fails: a cache that cannot be written only costs speed."""
        for number in sorted(self._dirty):
            cache_files.write_checked(self._location(number), (self.version, self._loaded[number]))
        self._dirty.clear()

    def release(self) -> None:
        """Forget the shards read so far (saving changed ones first): their values are in use elsewhere
        or no longer needed, and a large catalog's rows should not be held twice."""
        self.save()
        self._loaded.clear()

    def _shard(self, number: int) -> dict[str, Any]:
        shard = self._loaded.get(number)
        if shard is None:
            shard = self._loaded[number] = self._read(number)
        return shard

    def _read(self, number: int) -> dict[str, Any]:
        try:
            version, entries = cache_files.read_checked(self._location(number))
        except Exception:  # missing, damaged, or from another kclaims: start again
            return {}
        return entries if version == self.version and isinstance(entries, dict) else {}

    def location_of(self, key: str) -> Path:
        """The file that holds `key`."""
        return self._location(self.shard_for(key))

    def _location(self, number: int) -> Path:
        return self.prefix.with_name(f"{self.prefix.name}-{number:02d}.marshal")
