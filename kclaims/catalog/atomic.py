"""Writing one file so that it is never half written: a temporary file in the same folder, flushed
to disk and renamed over the file, removed again on any failure or stop."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kclaims.catalog import cache
from kclaims.errors import BadInput


def write_atomically(path: Path, text: str | bytes, before_rename: Callable[[], None] | None = None) -> None:
    """Write to a temporary file in the same folder, then rename over `path`: never half a file. A
    symbolic link stays one: the file it points at is written. `before_rename` may still refuse."""
    target = write_target(path)
    cache.remove_stale_temporaries(target.parent)
    created: list[str] = []
    try:
        with stop_signals_held():  # a SIGTERM between creating the file and noting it would strand it
            descriptor, temporary = tempfile.mkstemp(prefix=cache.temporary_prefix(target), suffix=".tmp",
                                                     dir=target.parent)
            created.append(temporary)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        if before_rename is not None:
            before_rename()
        os.replace(temporary, target)
    except BaseException:
        for leftover in created:
            Path(leftover).unlink(missing_ok=True)
        raise


@contextmanager
def stop_signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP until the block ends (where the platform can), so a stop
    lands after it, never halfway through."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_target(path: Path) -> Path:
    """The file to replace for `path`: itself, or what its symbolic link points at."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if target is not path and not target.is_file():
        raise BadInput("is a symbolic link to a missing file or to something not a file; nothing was written", path)
    if os.path.lexists(target) and not stat.S_ISREG(os.lstat(target).st_mode):
        raise BadInput("exists and is not a regular file; nothing was written", path)
    return target
