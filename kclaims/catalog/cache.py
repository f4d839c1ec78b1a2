"""A derived, disposable cache of parsed catalog files, so an unchanged catalog loads fast.

Each entry is keyed by the file's path and checked against its size, modification time, inode
and change time; a stale entry is parsed again. Files modified within the last couple of seconds
are never cached (their mtime could still be equal after a second edit in the same clock tick).
The cache lives outside the catalog, under KCLAIMS_CACHE_DIR (default: the user's cache folder),
and can be deleted at any time.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import tempfile
import time
from pathlib import Path
from typing import Any

FORMAT_VERSION = 4


def _model_digest() -> str:
    # Cached rows are tuples in the order of the model's fields: a changed model.py must not
    # read rows written by the old one.
    model = Path(__file__).parent.parent / "model.py"
    return hashlib.sha1(model.read_bytes()).hexdigest()[:12]
RACY_SECONDS = 2.0


def cache_dir() -> Path:
    """Where kclaims keeps derived data (parsed catalogs, resolver answers)."""
    explicit = os.environ.get("KCLAIMS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kclaims"


def _stamp(path: str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


class Store:
    """Parsed rows (plain tuples) per file path, valid while the file's stamp is unchanged."""

    def __init__(self, location: Path, entries: dict[str, tuple[Any, Any]]):
        self.location = location
        self.entries = entries
        self.seen: set[str] = set()
        self.stamps: list[tuple[str, Any]] = []
        self.dirty = False
        self.racy = False

    def get(self, path: str, key: str) -> Any | None:
        """The value kept for the file at `path`, if unchanged; `key` names it within the catalog
        (relative, so `--catalog .` and `--catalog /abs/path` share entries)."""
        return self.get_many([(path, key)])[0]

    def get_many(self, files: list[tuple[str, str]]) -> list[Any | None]:
        """`get` for many (path, key) pairs at once: the same answers, in one tight loop, because a
        large catalog asks this 20,000 times on every command."""
        stat, entries, stamps, seen_add = os.stat, self.entries, self.stamps, self.seen.add
        found: list[Any | None] = []
        for path, key in files:
            seen_add(key)
            try:  # _stamp inlined: a function call per file costs ~0.05 s on 20,000 files
                st = stat(path)
                stamp: Any = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
            except OSError:
                stamp = None
            stamps.append((key, stamp))
            entry = entries.get(key)
            found.append(entry[1] if entry is not None and entry[0] == stamp else None)
        return found

    def put(self, path: str, key: str, value: Any) -> None:
        stamp = _stamp(path)
        if stamp is None or time.time() - stamp[1] / 1e9 < RACY_SECONDS:
            self.racy = True
            return
        self.entries[key] = (stamp, value)
        self.dirty = True

    def fingerprint(self) -> str | None:
        """A digest of every file's stamp seen so far; None while some file is too fresh to trust."""
        if self.racy:
            return None
        return hashlib.sha1(marshal.dumps((FORMAT_VERSION, self.stamps))).hexdigest()

    def derived_get(self, key: str, version: str) -> Any | None:
        """A value computed from the whole catalog, if it was stored for exactly these files."""
        fingerprint = self.fingerprint()
        if fingerprint is None:
            return None
        try:
            with open(self._derived_location(key), "rb") as handle:
                stored_fingerprint, stored_version, value = _unmarshal(handle.read())
        except Exception:
            return None
        return value if (stored_fingerprint, stored_version) == (fingerprint, version) else None

    def derived_put(self, key: str, version: str, value: Any) -> None:
        fingerprint = self.fingerprint()
        if fingerprint is not None:
            _write(self._derived_location(key), (fingerprint, version, value))

    def _derived_location(self, key: str) -> Path:
        return self.location.with_name(f"{self.location.stem}-{key}.marshal")

    def save(self) -> None:
        """Write the cache if anything changed; forget files that no longer exist. Never fails."""
        gone = set(self.entries) - self.seen
        for key in gone:
            del self.entries[key]
        if self.dirty or gone:
            _write(self.location, (_version(), self.entries))


def _write(location: Path, value: Any) -> None:
    try:
        location.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=location.parent, suffix=".tmp")
        with os.fdopen(descriptor, "wb") as handle:
            marshal.dump(value, handle)
        os.replace(temporary, location)
    except (OSError, ValueError):
        return  # a cache that cannot be written only costs speed


def _version() -> str:
    return f"{FORMAT_VERSION}-{_model_digest()}"


def _unmarshal(data: bytes) -> Any:
    # The cyclic garbage collector would scan the growing heap again and again while tens of
    # thousands of tuples are created; none of them can form a cycle, so pause it.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return marshal.loads(data)
    finally:
        if enabled:
            gc.enable()


def open_store(root: Path) -> Store:
    """The cache for the catalog at `root`; empty when missing, unreadable or of another version."""
    digest = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    location = cache_dir() / f"catalog-{digest}.marshal"
    try:
        with open(location, "rb") as handle:
            version, entries = _unmarshal(handle.read())
        if version != _version() or not isinstance(entries, dict):
            entries = {}
    except Exception:  # missing, truncated or from an older kclaims or Python: rebuild
        entries = {}
    return Store(location, entries)
