"""Putting a report on disk: all or nothing, with a one-line reason when it cannot be written."""

from __future__ import annotations

import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from kclaims.catalog import atomic
from kclaims.errors import BadInput
from kclaims.export import batched, encoded

_SPECIAL_FILES = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                  (stat.S_ISSOCK, "a socket"))


def write_output(path: Path, data: str | bytes) -> None:
    """Write a report atomically (temporary file renamed into place), or raise BadInput saying why it cannot.

    A symlink is written through: its target gets the report and the link stays a link. A path that
    is not a regular file (a FIFO, a device, a socket) is refused, never replaced."""
    _write_blocks(path, [data.encode("utf-8") if isinstance(data, str) else data])


def write_chunks(path: Path, chunks: Iterable[str | bytes]) -> None:
    """Write a report's pieces (an exporter's `..._chunks`) as they are made to a temporary file beside
    `path`, then flush it to disk and rename it over `path`: all or nothing, as `write_output`. An
    error or a stop (Ctrl-C, SIGTERM) before the rename removes the temporary file and leaves
    whatever `path` held untouched; an error raised while making the pieces goes up as it is."""
    _write_blocks(path, encoded(batched(chunks)))


def _write_blocks(path: Path, blocks: Iterable[bytes]) -> None:
    target = _checked_target(path)
    try:
        atomic.write_blocks_atomically(target, _made(blocks))
    except _MakingFailed as failed:
        raise failed.error from None  # the exporter's own error, not the file system's
    except OSError as error:
        raise BadInput(f"cannot write here: {error.strerror or error}", path) from None


class _MakingFailed(Exception):
    """An OSError raised while making the pieces, told apart from one of the file system."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


def _made(blocks: Iterable[bytes]) -> Iterator[bytes]:
    iterator = iter(blocks)
    while True:
        try:
            block = next(iterator)
        except StopIteration:
            return
        except OSError as error:
            raise _MakingFailed(error) from error
        yield block


def _checked_target(path: Path) -> Path:
    """The file to write for `path` (see `_write_target`), in a folder that exists; BadInput if not."""
    target = _write_target(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise BadInput("is a folder; give a file name for the report", path)
    if not folder.is_dir():
        why = "is not a folder" if folder.exists() else "does not exist"
        raise BadInput(f"cannot write here: {folder} {why}", path)
    return target


def _write_target(path: Path) -> Path:
    """`path`, or the file its symlinks lead to; BadInput if that is neither absent nor a regular file."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=False)
        except (OSError, RuntimeError):  # a loop of links
            raise BadInput("is a symlink that leads nowhere (a loop); give a file name for the report", path) from None
    else:
        target = path
    try:
        mode = target.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # a new file; the caller says if its folder is missing
        return target
    except OSError as error:
        raise BadInput(f"cannot write here: {error.strerror or error}", path) from None
    for test, what in _SPECIAL_FILES:
        if test(mode):
            raise BadInput(f"is {what}, not a regular file; kclaims writes reports only to files "
                           "(leave out --output to print to standard output)", path)
    return target
