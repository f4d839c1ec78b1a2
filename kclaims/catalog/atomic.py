"""Writing one file so that it is never half written: a temporary file in the same folder, flushed
to disk and renamed over the file, removed again on any failure or stop."""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kclaims.catalog import temporaries
from kclaims.errors import BadInput, stop_signals_held

if TYPE_CHECKING:
    import threading


def write_atomically(path: Path, text: str | bytes, before_rename: Callable[[], None] | None = None) -> None:
    """Write to a temporary file in the same folder, then rename over `path`: never half a file. A
    symbolic link stays one: the file it points at is written. `before_rename` may still refuse."""
    write_blocks_atomically(path, [text.encode("utf-8") if isinstance(text, str) else text], before_rename)


def write_blocks_atomically(path: Path, blocks: Iterable[bytes], before_rename: Callable[[], None] | None = None) -> None:
    """`write_atomically` for a file made in pieces (a report streamed as it is made): each block goes
    to the temporary file as it comes; an error or a stop while they come leaves `path` as it was."""
    target = write_target(path)
    temporaries.remove_stale_temporaries(target.parent)
    created: list[str] = []
    try:
        with stop_signals_held():  # a SIGTERM between creating the file and noting it would strand it
            descriptor, temporary = tempfile.mkstemp(prefix=temporaries.temporary_prefix(target), suffix=".tmp",
                                                     dir=target.parent)
            created.append(temporary)
        with os.fdopen(descriptor, "wb") as handle:
            for block in blocks:
                handle.write(block)
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


def write_new_files(files: Mapping[Path, bytes]) -> None:
    """Write many new files, made durable together: each to a temporary file in its folder, then
    one sync of all of them, then each renamed into place (refusing a name taken meanwhile), then
    their folders synced. Two syncs in all, however many files. On any failure or stop the
    temporary files are removed; files already renamed are the caller's to remove (see
    `CatalogWrites.roll_back`). Until the first sync is done, no file has its final name, so a
    power cut leaves only temporary files, which the next write cleans up."""
    if not files:
        return
    batch = secrets.token_hex(4)  # the temporary names' random part, once for the batch
    created: list[str] = []
    renamed = 0
    try:
        for folder in {path.parent for path in files}:
            temporaries.remove_stale_temporaries(folder)
        # named before they exist: a stop right after one is created leaves nothing
        created += [f"{path.parent}{os.sep}{temporaries.temporary_prefix(path)}{batch}.tmp" for path in files]
        not_ours: list[str] = []
        try:
            _write_all_new(created, list(files.values()), not_ours)
        finally:
            for name in not_ours:  # a name another file had already: left alone
                created.remove(name)
        _sync(created)
        for temporary, path in zip(created, files):
            if os.path.lexists(path):
                raise BadInput("already exists; choose another id or edit the file", path)
            os.replace(temporary, path)
            renamed += 1
        _sync_folders({path.parent for path in files})
    except BaseException:
        for temporary in created[renamed:]:
            Path(temporary).unlink(missing_ok=True)
        raise


CREATING_THREADS = 4  # creating a file is the kernel's work: threads spread it over the cores
CREATED_ALONE = 200  # fewer files are created by this thread alone


def _write_all_new(names: list[str], contents: list[bytes], not_ours: list[str]) -> None:
    """`_write_new` for each name and its content, by a few threads. The first error stops them all
    and is raised here once every thread has stopped, as is a stop signal; each name found taken
    by another file is added to `not_ours`."""
    threads = 1 if len(names) < CREATED_ALONE else CREATING_THREADS
    if threads == 1:
        _create_some(names, contents, 0, 1, not_ours)
        return
    import threading

    stop, errors = threading.Event(), []

    def create(first: int) -> None:
        try:
            _create_some(names, contents, first, threads, not_ours, stop)
        except BaseException as error:  # raised in the command's thread below
            errors.append(error)
            stop.set()

    creating: list[threading.Thread] = []
    try:
        with stop_signals_held():  # a stop while they start would leave one creating on
            for first in range(threads):
                thread = threading.Thread(target=create, args=(first,), daemon=True)
                thread.start()
                creating.append(thread)
        for thread in creating:
            thread.join()
    finally:  # on a stop signal or an error too: no thread creates a file once this returns
        stop.set()
        with stop_signals_held():
            for thread in creating:
                thread.join()
    if errors:
        raise errors[0]


def _create_some(names: list[str], contents: list[bytes], first: int, step: int, not_ours: list[str],
                 stop: threading.Event | None = None) -> None:
    """`_write_new` for names[first::step], until `stop` (a threading.Event) is set."""
    for number in range(first, len(names), step):
        if stop is not None and stop.is_set():
            return
        try:
            _write_new(names[number], contents[number])
        except FileExistsError:
            not_ours.append(names[number])
            raise


def _write_new(name: str, data: bytes) -> None:
    """Create `name` (never over an existing file) holding `data`, as the user's umask allows 0o644."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(name, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)


def _sync(paths: list[str]) -> None:
    """Everything written to `paths` on disk: one `sync` where the system has it, else each file."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in paths:
        with open(path, "rb+") as handle:
            os.fsync(handle.fileno())


def _sync_folders(folders: set[Path]) -> None:
    """The new names in `folders` on disk (where folders can be opened and synced: not Windows)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    for folder in folders:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_target(path: Path) -> Path:
    """The file to replace for `path`: itself, or what its symbolic link points at."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if target is not path and not target.is_file():
        raise BadInput("is a symbolic link to a missing file or to something not a file; nothing was written", path)
    if os.path.lexists(target) and not stat.S_ISREG(os.lstat(target).st_mode):
        raise BadInput("exists and is not a regular file; nothing was written", path)
    return target
