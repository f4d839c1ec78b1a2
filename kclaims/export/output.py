"""Putting a report on disk: all or nothing, with a one-line reason when it cannot be written."""

from __future__ import annotations

import stat
from pathlib import Path

from kclaims.catalog.writing import write_text_atomically
from kclaims.errors import BadInput

_SPECIAL_FILES = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                  (stat.S_ISSOCK, "a socket"))


def write_output(path: Path, data: str | bytes) -> None:
    """Write a report atomically (temporary file renamed into place), or raise BadInput saying why it cannot.

    A symlink is written through: its target gets the report and the link stays a link. A path that
    is not a regular file (a FIFO, a device, a socket) is refused, never replaced."""
    target = _write_target(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise BadInput("is a folder; give a file name for the report", path)
    if not folder.is_dir():
        why = "is not a folder" if folder.exists() else "does not exist"
        raise BadInput(f"cannot write here: {folder} {why}", path)
    try:
        write_text_atomically(target, data)
    except OSError as error:
        raise BadInput(f"cannot write here: {error.strerror or error}", path) from None


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
