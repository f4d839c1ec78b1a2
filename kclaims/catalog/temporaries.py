"""The temporary files atomic writes rename into place: their names, and the clean-up of ones a
killed process (kill -9, a power cut) left behind. Shared by the catalog's writes, the reports'
and the cache's own."""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

STALE_TEMPORARY_SECONDS = 3600  # a temporary file this old, or of a process that is gone, is a leftover
_TEMPORARY_NAME = re.compile(r"\..+\.(?:(\d+)-)?[a-z0-9_]{8}\.tmp")  # .NAME.PID-XXXXXXXX.tmp (PID-less: older kclaims)
_CLEANED: set[str] = set()  # folders already cleaned by this process


def temporary_prefix(path: Path) -> str:
    """The start of the name of a temporary file that will be renamed to `path`: hidden (so no
    listing takes it for a catalog file), and naming this process, so a leftover can be told from
    a write still under way."""
    return f".{path.name}.{os.getpid()}-"


def remove_stale_temporaries(folder: Path) -> None:
    """Delete the temporary files that writes killed part-way (kill -9, a power cut) left in
    `folder`: ones whose process is gone, or older than an hour. Once per folder per process."""
    if str(folder) in _CLEANED:
        return
    _CLEANED.add(str(folder))
    try:
        with os.scandir(folder) as entries:
            leftovers = [entry.path for entry in entries if _is_leftover(entry)]
    except OSError:
        return
    for leftover in leftovers:
        try:
            os.unlink(leftover)
        except OSError:
            continue  # gone already, or not ours to delete


def _is_leftover(entry: os.DirEntry) -> bool:
    match = _TEMPORARY_NAME.fullmatch(entry.name)
    if not match:
        return False
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    if time.time() - st.st_mtime > STALE_TEMPORARY_SECONDS:
        return True
    return match.group(1) is not None and not _running(int(match.group(1)))


def _running(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # Windows' os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or a name we cannot judge: leave it
    return True
