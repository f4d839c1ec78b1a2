"""Putting a report on disk: all or nothing, with a one-line reason when it cannot be written."""

from __future__ import annotations

from pathlib import Path

from kclaims.catalog.files import write_text_atomically
from kclaims.errors import BadInput


def write_output(path: Path, data: str | bytes) -> None:
    """Write a report atomically (temporary file renamed into place), or raise BadInput saying why it cannot."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BadInput("is a folder; give a file name for the report", path)
    if not folder.is_dir():
        why = "is not a folder" if folder.exists() else "does not exist"
        raise BadInput(f"cannot write here: {folder} {why}", path)
    try:
        write_text_atomically(path, data)
    except OSError as error:
        raise BadInput(f"cannot write here: {error.strerror or error}", path) from None
