"""A derived, disposable cache of parsed catalog files, so an unchanged catalog loads fast.

Each entry is keyed by the file's path and checked against its size, modification time, inode
and change time; a stale entry is parsed again. Files modified within the last couple of seconds
are never cached (their mtime could still be equal after a second edit in the same clock tick).
The cache lives outside the catalog, under KCLAIMS_CACHE_DIR (default: the user's cache folder),
and can be deleted at any time. Each cache file carries a SHA-256 checksum of its contents: a
damaged one (a flipped byte, a truncated write) is rebuilt, never believed.

The rows, claims.yaml's rows (by chunk, in shards of their own) and the per-claim labels
(labels.py) are kept in shards (shards.py): a change rewrites the few small files that hold what
changed. Also here, because the cache is only right if they
are: reading a file together with the stamp it had *before* it was read, and the sources table
whose cached entries stay packed until used. (The temporary files of atomic writes are
temporaries.py's; checked cache files are cache_files.py's; the sources' pack, kept beside the
shards for a report, is source_pack.py's.)
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import re
import stat
import struct
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

from kclaims.catalog.shards import Shards
from kclaims.errors import BadInput
from kclaims.model import Source, source_from_row, source_to_row
from kclaims.workers import in_workers

FORMAT_VERSION = 12  # 6: sharded rows and per-claim labels; 7: claim rows packed in chunks; 8: labels by chunk; 9: labels keep the strongest study against; 10: claim rows in shards of their own, stamps packed; 11: a stamp keeps a 128-bit inode whole; 12: each chunk of claim rows says how many claims there are
# claims.yaml's rows are cached in chunks of this many claims (`show` reads one chunk, not 100,000
# rows), kept by position in shards of their own (a report's worker reads the chunk it makes, not
# a shard of sources), and their labels likewise: a pass over the claims reads each shard once
CLAIM_CHUNK = 1000
Stamp = bytes  # size, modification time, inode and change time, packed (`_STAMP`): 80 bytes held, not 190 for a tuple
# the inode in two halves: Windows gives 128-bit ones on ReFS; a size of -1 is a file that could not
# be looked at, where stamps travel packed
_STAMP = struct.Struct("<qqQQq")
_LOW_64 = (1 << 64) - 1


def _model_digest() -> str:
    # Cached rows are tuples in the order of the model's fields: a changed model.py must not
    # read rows written by the old one.
    model = Path(__file__).parent.parent / "model.py"
    return hashlib.sha1(model.read_bytes()).hexdigest()[:12]
RACY_SECONDS = 2.0


def cache_dir() -> Path:
    """Where kclaims keeps derived data (parsed catalogs, resolver answers): KCLAIMS_CACHE_DIR, else
    the user cache folder the OS expects (platformdirs: $XDG_CACHE_HOME/kclaims or ~/.cache/kclaims
    on Linux, ~/Library/Caches/kclaims on macOS, %LOCALAPPDATA%\\kclaims\\Cache on Windows)."""
    explicit = os.environ.get("KCLAIMS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kclaims", appauthor=False))


def stamp_of(st: os.stat_result) -> Stamp:
    """What a cache entry is checked against: a file whose stamp is unchanged has unchanged bytes."""
    return _STAMP.pack(st.st_size, st.st_mtime_ns, st.st_ino & _LOW_64, st.st_ino >> 64, st.st_ctime_ns)


def modified_ns(stamp: Stamp) -> int:
    """The file's modification time in the stamp, in nanoseconds since the epoch."""
    return int(_STAMP.unpack(stamp)[1])


class SourceTable(Mapping[str, Source]):
    """Sources by id. Cached sources stay packed (marshal bytes) until first looked at: listing
    claims whose verdicts are cached never needs them, and unpacking 20,000 costs a tenth of a second."""

    RECENT = 256  # without keep_unpacked: at most this many sources made lately are kept (a claim asks for its own again)

    def __init__(self, keep_unpacked: bool = True) -> None:
        self._items: dict[str, Source | bytes] = {}
        self._keep = keep_unpacked  # False: made again when asked for later, so a pass over all holds a few
        self._recent: dict[str, Source] = {}

    def add(self, source: Source) -> None:
        self._items[source.id] = source

    def add_packed(self, source_id: str, packed: bytes) -> None:
        self._items[source_id] = packed

    def packed(self, source_id: str) -> bytes:
        """The source's row (`model.source_to_row`) as marshal bytes, as the cache keeps it."""
        item = self._items[source_id]
        return item if isinstance(item, bytes) else marshal.dumps(source_to_row(item))

    def __getitem__(self, source_id: str) -> Source:
        item = self._items[source_id]
        return self._unpacked(source_id, item) if isinstance(item, bytes) else item

    def _unpacked(self, source_id: str, item: bytes) -> Source:
        if self._keep:
            source = self._items[source_id] = source_from_row(marshal.loads(item))
            return source
        recent = self._recent.get(source_id)
        if recent is not None:
            return recent
        if len(self._recent) >= self.RECENT:
            self._recent.clear()  # (not one at a time: a dict whose first entries keep going slows down)
        source = self._recent[source_id] = source_from_row(marshal.loads(item))
        return source

    def get(self, source_id: str, default: Source | None = None) -> Source | None:  # type: ignore[override]
        item = self._items.get(source_id)  # (one lookup: a report asks this 300,000 times)
        if item is None:
            return default
        return self._unpacked(source_id, item) if isinstance(item, bytes) else item

    def __contains__(self, source_id: object) -> bool:
        return source_id in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def read_stamped(path: Path | str, limit: int) -> tuple[bytes, Stamp]:
    """The bytes of a regular file (through a symbolic link) and its stamp, taken *before* reading
    (see `Store.put`). A folder, FIFO or device is refused without waiting on it, and so is a file
    over `limit` bytes; any of these, or a file that cannot be opened, is BadInput."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)  # non-blocking: opening a FIFO must not wait for a writer
    except OSError as error:
        dangling = isinstance(error, FileNotFoundError) and os.path.islink(path)
        raise BadInput("cannot read: a symbolic link to a missing file" if dangling
                       else f"cannot read: {error.strerror or error}", path) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise BadInput(f"cannot read: {_file_kind(status.st_mode)}, not a regular file", path)
        data = _read_at_most(descriptor, limit + 1) if status.st_size <= limit else b""
        if status.st_size > limit or len(data) > limit:
            size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
            raise BadInput(f"larger than {size}, the most kclaims reads from one file", path)
        return data, stamp_of(status)
    except OSError as error:
        raise BadInput(f"cannot read: {error.strerror or error}", path) from None
    finally:
        os.close(descriptor)


def _read_at_most(descriptor: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(descriptor, min(limit - size, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a file"


class Store:
    """Parsed rows (plain tuples) per catalog file, valid while the file's stamp is unchanged, and
    each claim's label (see `labels.py`); both kept in shards (see `shards.py`), so a change
    rewrites only the shards it touches."""

    def __init__(self, prefix: Path):
        self.prefix = prefix
        self.rows = Shards(prefix.with_name(f"{prefix.name}-rows"), version())
        self.labels = Shards(prefix.with_name(f"{prefix.name}-labels"), version(), _label_shard, CHUNK_SHARDS)
        self.claim_rows = Shards(prefix.with_name(f"{prefix.name}-claims"), version(), _claim_chunk_shard, CHUNK_SHARDS)
        self.seen: set[str] = set()
        self.stamps: dict[str, Stamp | None] = {}  # key -> the stamp it had when it was looked up
        self.listed_all = False  # every file of the catalog was looked up: the others are gone

    def get(self, path: str, key: str) -> Any | None:
        """The value kept for the file at `path`, if unchanged; `key` names it within the catalog
        (relative, so `--catalog .` and `--catalog /abs/path` share entries)."""
        return self.get_many([(path, key)])[0]

    def get_many(self, files: list[tuple[str, str]], once: bool = False) -> list[Any | None]:
        """`get` for many (path, key) pairs at once: the same answers, in one tight loop, because a
        large catalog asks this 20,000 times on every command. `once`: each value is wanted once,
        and the shards are let go as they are read (`Shards.get_many_once`)."""
        stamps, seen_add = self.stamps, self.seen.add
        keys = [key for _, key in files]
        found: list[Any | None] = []
        with _looking_at([path for path, _ in files]) as stamped:
            entries = self.rows.get_many_once(keys) if once else self.rows.get_many(keys)  # while they look
            for key, entry, stamp in zip(keys, entries, stamped()):
                seen_add(key)
                if entry is not None and entry[0] == stamp:
                    stamps[key] = entry[0]  # (the kept stamp, equal: the one just made is let go)
                    found.append(entry[1])
                else:
                    stamps[key] = stamp
                    found.append(None)
        return found

    def let_go_of_stamps(self, keep: str) -> None:
        """Forget the files looked up so far, their stamps and that they were seen, but `keep`'s: for a
        caller that keeps what it needs of them and will not `save` the rows."""
        kept = self.stamps.get(keep)
        self.stamps.clear()
        self.seen.clear()
        self.stamps[keep] = kept

    def put(self, key: str, value: Any, stamp: Stamp) -> None:
        """Keep `value`, parsed from a file whose stamp was `stamp` *before* it was read: a file
        replaced while it was parsed then no longer matches, so it is parsed again next time."""
        self.seen.add(key)
        if not is_racy(stamp):
            self.rows.put(key, (stamp, value))

    def save(self) -> None:
        """Write the shards that changed; forget files that no longer exist. Never fails."""
        if self.listed_all:
            self.rows.keep_only(self.seen)
        self.rows.release()  # what was read from the rows is in the catalog now
        self.claim_rows.release()
        self.labels.save()

    def claim_chunks(self, numbers: range | list[int], stamp: Stamp | None) -> list[bytes | None]:
        """The packed claim rows of chunks `numbers` of claims.yaml (each shard read once, not kept), where
        they were kept from the file as it was at `stamp` (the stamp its cached ids were checked with)."""
        entries = self.claim_rows.get_many_once([str(number) for number in numbers])
        return [entry[1] if entry is not None and entry[0] == stamp else None for entry in entries]

    def claim_count(self, stamp: Stamp) -> int | None:
        """How many claims claims.yaml holds, if its rows were kept from the file at `stamp` (read from
        the first chunk's shard, without the claims' ids)."""
        [entry] = self.claim_rows.get_many_once(["0"])
        return entry[2] if entry is not None and entry[0] == stamp else None

    def has_claim_chunks(self, count: int, stamp: Stamp | None) -> bool:
        """Whether chunks 0 to `count` - 1 are all kept as `claim_chunks` would give them; no more than
        one shard is held at a time."""
        return all(entry is not None and entry[0] == stamp
                   for entry in self.claim_rows.each_once([str(number) for number in range(count)]))

    def put_claim_chunks(self, chunks: list[bytes], stamp: Stamp, claims: int) -> None:
        """Keep claims.yaml's packed rows, a chunk each, read from the file at `stamp` (see `put`), and
        how many `claims` they hold (with each: a file of none keeps an empty chunk to say so); chunks
        kept for a longer file are let go."""
        if is_racy(stamp):
            return
        chunks = chunks or [marshal.dumps([])]
        for number, packed in enumerate(chunks):
            self.claim_rows.put(str(number), (stamp, packed, claims))
        self.claim_rows.keep_only({str(number) for number in range(len(chunks))})

    @property
    def pack_location(self) -> Path:
        """Where the sources' pack is kept (source_pack.py): every source, in a report's order."""
        return self.prefix.with_name(f"{self.prefix.name}-sources.pack")


# From this many files, worker processes look at them while the command reads the cache's shards:
# at 200,000 files, 0.7 s of stat calls and 0.5 s of shards, of the 4 s a warm `list` of 100,000
# claims took. Below it, forking the workers costs about what they save.
STAMPED_BY_WORKERS = 50_000


STAMP_GROUP = 1000  # files a worker hands the stamps of over together
_NO_STAMP = _STAMP.pack(-1, 0, 0, 0, 0)  # a file that could not be looked at, handed over


@contextlib.contextmanager
def _looking_at(paths: list[str]) -> Iterator[Callable[[], Iterable[Stamp | None]]]:
    """Each file's stamp (`stamps_of`), looked at by worker processes from STAMPED_BY_WORKERS files on
    while the block goes on; the block gets a function giving them, in order. The workers hand them
    over joined, a group of files at a time, not as 200,000 objects to unpickle."""
    if len(paths) < STAMPED_BY_WORKERS:
        yield lambda: stamps_of(paths)
        return
    groups = [paths[start:start + STAMP_GROUP] for start in range(0, len(paths), STAMP_GROUP)]
    with in_workers(packed_stamps_of, groups, worth_it_from=STAMPED_BY_WORKERS // STAMP_GROUP) as packed:
        size = _STAMP.size
        yield lambda: (None if stamp == _NO_STAMP else stamp for joined in packed()
                       for stamp in (joined[start:start + size] for start in range(0, len(joined), size)))


# What a folder's files add up to (`folder_digest`): each file's name and stamp hashed, the hashes
# added, so neither the order the files are met in nor how they are shared out changes it
_FOLDER_SHARES = 8  # the folder's listing is cut into this many runs of entries (a worker takes a few)
_SUM_MODULUS = 1 << 128


def folder_digest(folder: str, wanted: Callable[[str], bool], expected: int | None = None) -> str | None:
    """A digest of the names and stamps of the files in `folder` whose names are `wanted`, without
    holding their names: each process that looks at them (worker processes from STAMPED_BY_WORKERS
    files on) lists the folder itself and takes its runs of the listing. `expected`: about how many
    entries the folder has (else they are counted first). None if a file could not be looked at,
    or was modified too recently for its stamp to tell a later edit apart (`is_racy`): then nothing
    worked out from the files may be kept for it. Equal to `names_digest` of the same files; a folder
    changed while it is listed gives a digest of no state it was in, which nothing was kept for."""
    before = folder_stamp(folder)
    if expected is None:
        try:
            with os.scandir(folder) as entries:
                expected = sum(1 for _ in entries)
        except OSError:
            expected = 0
    with in_listing_runs(partial(_shares_summed, folder, wanted, expected), expected) as summed:
        digest = digest_of(summed())
    after = folder_stamp(folder)  # files added, removed or renamed while the workers listed it: no digest
    return digest if before == after and not is_racy(before) else None


def folder_stamp(folder: str) -> Stamp | None:
    """The folder's own stamp: it changes as files are added, removed or renamed in it."""
    try:
        return stamp_of(os.stat(folder))
    except FileNotFoundError:
        return _NO_STAMP  # (no folder: no files, and a digest of none)
    except OSError:
        return None


def names_digest(names: list[str], stamps: list[Stamp | None]) -> str | None:
    """`folder_digest` of files whose names and stamps are at hand."""
    total = FilesSum()
    for name, stamp in zip(names, stamps):
        total.add(name, stamp)
    return digest_of([total])


class FilesSum:
    """Files summed for `folder_digest` (`digest_of`): how many, their hashes added, the newest
    modification time, and whether one could not be looked at."""

    def __init__(self) -> None:
        self.count, self.total, self.newest, self.missing = 0, 0, 0, False

    def add(self, name: str, stamp: Stamp | None) -> None:
        if stamp is None:
            self.missing = True
            return
        self.count += 1
        self.total += _file_hash(name, stamp)
        self.newest = max(self.newest, modified_ns(stamp))


def _file_hash(name: str, stamp: Stamp) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8", "surrogatepass") + b"\0" + stamp, digest_size=16).digest(),
                          "little")


def _shares_summed(folder: str, wanted: Callable[[str], bool], expected: int, shares: list[int]) -> list[FilesSum]:
    """The files of these shares of the folder's listing (`stamps_in_run`), summed in one pass (in
    the first share's sum; the others' are empty)."""
    sums = [FilesSum() for _ in shares]
    found, file_hash = sums[0], _file_hash
    count = total = newest = 0
    try:
        for name, stamp, modified in stamps_in_run(folder, wanted, expected, shares):
            count += 1  # (`FilesSum.add` inlined: 200,000 files)
            total += file_hash(name, stamp)
            if modified > newest:
                newest = modified
    except OSError:
        found.missing = True
    found.count, found.total, found.newest = count, total, newest
    return sums


def stamps_in_run(folder: str, wanted: Callable[[str], bool], expected: int,
                  shares: list[int]) -> Iterator[tuple[str, Stamp, int]]:
    """The name, stamp and modification time (ns) of each file whose name is `wanted` in these
    consecutive shares of the folder's listing (`_FOLDER_SHARES` of them): share k is its entries
    from k * expected / _FOLDER_SHARES on, up to the next share's start, the last share to the end.
    No folder: no files. OSError if the folder cannot be listed, or a file is gone since it was
    listed or cannot be looked at."""
    starts = [share * expected // _FOLDER_SHARES for share in range(_FOLDER_SHARES)] + [None]
    prefix, stat, pack, low = os.path.join(folder, ""), os.stat, _STAMP.pack, _LOW_64
    try:
        entries = os.scandir(folder)
    except FileNotFoundError:
        return
    with entries:
        for entry in islice(entries, starts[shares[0]], starts[shares[-1] + 1]):
            name = entry.name
            if wanted(name):
                st = stat(prefix + name)  # (`stamp_of` inlined: 200,000 files)
                stamp = pack(st.st_size, st.st_mtime_ns, st.st_ino & low, st.st_ino >> 64, st.st_ctime_ns)
                yield name, stamp, st.st_mtime_ns


def in_listing_runs(function: Callable[[list[int]], list[Any]],
                    expected: int) -> contextlib.AbstractContextManager[Callable[[], list[Any]]]:
    """`function` of a few consecutive shares of a folder's listing (see `stamps_in_run`), in worker
    processes from STAMPED_BY_WORKERS entries on: its results, a list per share."""
    shares = list(range(_FOLDER_SHARES))
    return in_workers(function, shares, worth_it_from=2 if expected >= STAMPED_BY_WORKERS else _FOLDER_SHARES + 1)


def digest_of(sums: list[FilesSum]) -> str | None:
    """What the files summed add up to (see `folder_digest`)."""
    if any(found.missing for found in sums):
        return None
    newest = max((found.newest for found in sums), default=0)
    if time.time() - newest / 1e9 < RACY_SECONDS:
        return None
    count = sum(found.count for found in sums)
    total = sum(found.total for found in sums) % _SUM_MODULUS
    return hashlib.sha1(f"{count}:{total:032x}".encode()).hexdigest()


def packed_stamps_of(groups: list[list[str]]) -> list[bytes]:
    """`stamps_of` each group of files, joined (a file that cannot be looked at as `_NO_STAMP`)."""
    return [b"".join(_NO_STAMP if stamp is None else stamp for stamp in stamps_of(group)) for group in groups]


def stamps_of(paths: list[str]) -> list[Stamp | None]:
    """Each file's stamp (None if it cannot be looked at)."""
    stat, pack, low = os.stat, _STAMP.pack, _LOW_64
    stamps: list[Stamp | None] = []
    for path in paths:
        try:  # stamp_of inlined: a function call per file costs ~0.05 s on 20,000 files
            st = stat(path)
            stamps.append(pack(st.st_size, st.st_mtime_ns, st.st_ino & low, st.st_ino >> 64, st.st_ctime_ns))
        except OSError:
            stamps.append(None)
    return stamps


# Claim rows and labels are kept by chunk, in this many shards each: up to 256,000 claims, a chunk to
# a shard, so a report's worker reads the rows and labels of the chunk it makes and no other's.
CHUNK_SHARDS = 256


def _claim_chunk_shard(key: str) -> int:
    """Claim rows are kept by chunk number."""
    return int(key) % CHUNK_SHARDS


def _label_shard(key: str) -> int:
    """Labels are kept by claim position: a chunk of claims to a shard (see CLAIM_CHUNK)."""
    return int(key) // CLAIM_CHUNK % CHUNK_SHARDS


def is_racy(stamp: Stamp | None) -> bool:
    """Whether a file was modified too recently for its stamp to tell a later edit apart."""
    return stamp is not None and time.time() - modified_ns(stamp) / 1e9 < RACY_SECONDS


def open_store(root: Path) -> Store:
    """The cache for the catalog at `root`; empty when missing, unreadable or of another version.
    Marks it used (for `prune_catalog_caches`), and prunes the others once a day."""
    digest = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    folder = cache_dir()
    store = Store(folder / f"catalog-{digest}")
    _mark_used(store.rows.location_of("claims.yaml"))  # the shard every load reads
    if prune_due(folder, "catalogs"):
        prune_catalog_caches(folder, keep=digest)
    return store


def version() -> str:
    """The cache's format and the model's: what every cache file is kept for."""
    return f"{FORMAT_VERSION}-{_model_digest()}"


# --- pruning: the cache stays bounded ------------------------------------------------------

UNUSED_CATALOG_DAYS = 60           # a catalog's row cache not read for this long is deleted (moved, gone, forgotten)
CATALOG_CACHE_BYTES = 512 * 2**20  # then the least recently used catalogs' caches go until all fit in this
PRUNE_EVERY_SECONDS = 24 * 3600    # pruning looks at every cache file: once a day is enough
_CATALOG_FILE = re.compile(r"catalog-([0-9a-f]{16})(?:-.+)?\.(?:marshal|pack)")


def _mark_used(location: Path) -> None:
    """Touch a cache file read this day at most once: its modification time is its last use."""
    try:
        if time.time() - location.stat().st_mtime > PRUNE_EVERY_SECONDS:
            os.utime(location)
    except OSError:
        return


def prune_due(folder: Path, name: str, every: float = PRUNE_EVERY_SECONDS) -> bool:
    """True at most once per `every` seconds per `name` (a marker file's age), and marks it done."""
    marker = folder / f".pruned-{name}"
    try:
        if marker.exists() and time.time() - marker.stat().st_mtime < every:
            return False
        folder.mkdir(parents=True, exist_ok=True)
        marker.touch()
        return True
    except OSError:
        return False


def prune_catalog_caches(folder: Path, keep: str = "", now: float | None = None,
                         unused_days: float = UNUSED_CATALOG_DAYS, max_bytes: int = CATALOG_CACHE_BYTES) -> list[str]:
    """Delete the row caches (and sources' packs) of catalogs not used for `unused_days`, then of
    the least recently used ones until the rest fit in `max_bytes`; never the catalog `keep` (a
    digest). Returns the digests deleted. Never fails: a file that cannot be deleted stays."""
    now = time.time() if now is None else now
    groups: dict[str, list[tuple[str, os.stat_result]]] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                match = _CATALOG_FILE.fullmatch(entry.name)
                if match and entry.is_file(follow_symlinks=False):
                    groups.setdefault(match.group(1), []).append((entry.path, entry.stat(follow_symlinks=False)))
    except OSError:
        return []
    used = {digest: max(st.st_mtime for _, st in files) for digest, files in groups.items()}
    size = {digest: sum(st.st_size for _, st in files) for digest, files in groups.items()}
    doomed = [d for d in groups if d != keep and now - used[d] > unused_days * 86400]
    total = sum(size[d] for d in groups if d not in doomed)
    for digest in sorted((d for d in groups if d != keep and d not in doomed), key=lambda d: used[d]):
        if total <= max_bytes:
            break
        doomed.append(digest)
        total -= size[digest]
    for digest in doomed:
        for path, _ in groups[digest]:
            with contextlib.suppress(OSError):
                os.unlink(path)
    return sorted(doomed)
