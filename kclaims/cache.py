"""A derived, disposable cache of parsed catalog files, so an unchanged catalog loads fast.

Each entry is keyed by the file's path and checked against its size, modification time, inode
and change time; a stale entry is parsed again. Files modified within the last couple of seconds
are never cached (their mtime could still be equal after a second edit in the same clock tick).
The cache lives outside the catalog, under KCLAIMS_CACHE_DIR (default: the user's cache folder),
and can be deleted at any time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
RACY_SECONDS = 2.0


def cache_dir() -> Path:
    """Where kclaims keeps derived data (parsed catalogs, resolver answers)."""
    explicit = os.environ.get("KCLAIMS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kclaims"


def _stamp(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


class Store:
    """Parsed objects per file, valid while the file's stamp is unchanged."""

    def __init__(self, location: Path, entries: dict[str, tuple[Any, Any]]):
        self.location = location
        self.entries = entries
        self.seen: set[str] = set()
        self.dirty = False

    def get(self, path: Path) -> Any | None:
        key = str(path)
        self.seen.add(key)
        entry = self.entries.get(key)
        if entry is None or entry[0] != _stamp(path):
            return None
        return entry[1]

    def put(self, path: Path, value: Any) -> None:
        stamp = _stamp(path)
        if stamp is None or time.time() - stamp[1] / 1e9 < RACY_SECONDS:
            return
        self.entries[str(path)] = (stamp, value)
        self.dirty = True

    def save(self) -> None:
        """Write the cache if anything changed; forget files that no longer exist. Never fails."""
        gone = set(self.entries) - self.seen
        for key in gone:
            del self.entries[key]
        if not (self.dirty or gone):
            return
        try:
            self.location.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.location.parent, suffix=".tmp")
            with os.fdopen(descriptor, "wb") as handle:
                pickle.dump((FORMAT_VERSION, self.entries), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.location)
        except OSError:
            return  # a cache that cannot be written only costs speed


def open_store(root: Path) -> Store:
    """The cache for the catalog at `root`; empty when missing, unreadable or of another version."""
    digest = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    location = cache_dir() / f"catalog-{digest}.pickle"
    try:
        with open(location, "rb") as handle:
            version, entries = pickle.load(handle)
        if version != FORMAT_VERSION:
            entries = {}
    except Exception:  # missing, truncated or from an older kclaims: rebuild
        entries = {}
    return Store(location, entries)
