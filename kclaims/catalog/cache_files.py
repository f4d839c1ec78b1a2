"""One cache file: a marshalled value behind a magic line and the SHA-256 of the value, so a
damaged file (a flipped byte, a truncated write) is rebuilt, never believed."""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

from kclaims.catalog.temporaries import remove_stale_temporaries, temporary_prefix

MAGIC = b"kclaims-cache\n"  # then the SHA-256 of the rest, then the marshalled value


def write_checked(location: Path, value: Any) -> None:
    """Write `value` to `location` atomically. Never fails: a cache that cannot be written only costs speed."""
    temporary = None
    try:
        payload = marshal.dumps(value)
        location.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(location.parent)
        descriptor, temporary = tempfile.mkstemp(prefix=temporary_prefix(location), suffix=".tmp", dir=location.parent)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(temporary, location)
    except (OSError, ValueError):
        if temporary:
            Path(temporary).unlink(missing_ok=True)


def read_checked(location: Path) -> Any:
    """The value in a cache file; ValueError if its checksum does not match (damaged: rebuild it)."""
    with open(location, "rb") as handle:
        data = handle.read()
    digest_end = len(MAGIC) + 32
    if not data.startswith(MAGIC) or hashlib.sha256(data[digest_end:]).digest() != data[len(MAGIC):digest_end]:
        raise ValueError(f"{location}: damaged cache file")
    return unmarshal(data[digest_end:])


def unmarshal(data: bytes) -> Any:
    """marshal.loads with the cyclic garbage collector paused: it would scan the growing heap again
    and again while tens of thousands of tuples are created, none of which can form a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return marshal.loads(data)
    finally:
        if enabled:
            gc.enable()
