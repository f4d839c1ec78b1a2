"""Changing a catalog: the lock, edits that keep a person's layout (ruamel's round-trip mode),
new source files, and the transaction that puts every file of a command back if any write fails.

Every edit holds the catalog's lock, validates, refuses to overwrite a file changed since it was
read, and writes a temporary file renamed into place. New source files wait until the command's
writes are done, then go to disk together with one sync (see `CatalogWrites.commit`).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kclaims.catalog import atomic
from kclaims.catalog.files import LOCK_FILE, UTF8_BOM, check_source_data, decode_text, parse_source, read_catalog_file
from kclaims.errors import BadInput, ConflictError

if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedSeq

LOCK_TIMEOUT_SECONDS = 30
CHANGED_ON_DISK = "changed on disk while kclaims was editing it; nothing was written, run the command again"


@contextmanager
def catalog_lock(root: Path) -> Iterator[None]:
    """Hold the catalog's lock, so two kclaims processes never interleave read-modify-write."""
    from filelock import FileLock, Timeout

    try:
        with FileLock(str(root / LOCK_FILE), timeout=LOCK_TIMEOUT_SECONDS):
            yield
    except Timeout:
        raise BadInput(f"another kclaims process has held {root / LOCK_FILE} for "
                       f"{LOCK_TIMEOUT_SECONDS}s; try again, or delete the file if none is running") from None


def _round_trip() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments, key order, quoting and unknown keys survive
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a person's long lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


@contextmanager
def edit_yaml(path: Path, validate: Callable[[str], object]) -> Iterator[Any]:
    """Yield the round-trip document of `path` for changing in place; on exit, validate the new
    text, check the file did not change meanwhile, and write it atomically. Call under the lock."""
    original_bytes = read_catalog_file(path)[0]
    original = decode_text(original_bytes, path)
    yaml = _round_trip()
    _, sequence_indent, dash_offset = _guess_indent(original)
    if sequence_indent:  # keep the file's own list style: "- id" flush, or indented under its key
        offset = dash_offset or 0
        yaml.indent(mapping=2, sequence=max(sequence_indent, offset + 2), offset=offset)
    try:
        document = yaml.load(original)
    except Exception as error:  # ruamel's errors share no base class with a position we can rely on
        mark = getattr(error, "problem_mark", None)
        raise BadInput(f"cannot edit: {getattr(error, 'problem', None) or error}", path,
                       mark.line + 1 if mark else None) from None
    yield document
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    updated = buffer.getvalue()
    validate(updated)

    def unchanged() -> None:
        try:
            current = read_catalog_file(path)[0]
        except BadInput:
            current = None
        if current != original_bytes:
            raise ConflictError(CHANGED_ON_DISK, path)

    unchanged()  # before writing anything, and again right before the rename: an editor may save meanwhile
    bom = UTF8_BOM if original_bytes.startswith(UTF8_BOM) else b""
    atomic.write_atomically(path, bom + updated.encode("utf-8"), before_rename=unchanged)


def _guess_indent(text: str) -> tuple[Any, int | None, int | None]:
    from ruamel.yaml.util import load_yaml_guess_indent

    try:
        return load_yaml_guess_indent(text)
    except Exception:  # a guess only; the real load reports real errors
        return None, None, None


def write_text_atomically(path: Path, data: str | bytes) -> None:
    """Public form of the atomic write (text as UTF-8, or bytes), for exports and snapshots."""
    atomic.write_atomically(path, data)


def new_yaml_file(path: Path, data: dict) -> None:
    """Write a new source file `sources/<id>.yaml` from `data` (key order kept), after checking that
    it loads as a source; refuse if it exists. Call under the lock."""
    atomic.write_atomically(path, checked_new_source(path, data))


def checked_new_source(path: Path, data: dict) -> bytes:
    """The bytes of a new source file, once it is known to load as a source and `path` is free."""
    if os.path.lexists(path):  # a dangling symbolic link too: writing through it could land anywhere
        raise BadInput("already exists; choose another id or edit the file", path)
    return new_source_bytes(path, data)


def new_source_bytes(path: Path, data: dict) -> bytes:
    """The bytes of a new source file at `path`, once they are known to load as a source (BadInput if
    not); whether `path` is free is left to whoever writes them (`CatalogWrites.new_source_file`)."""
    from kclaims.catalog import plain_yaml

    # A file that would stop every command from loading the catalog is never written. The plain
    # writer's text reads back as `data` (every plain scalar in it reads as a string in both YAML
    # libraries; tests load its files back as the records they hold), so `data` is checked as a
    # source without parsing the text again; ruamel's text is parsed back.
    text = plain_yaml.dump(data, _is_flow_list, _reads_back_as_string)
    if text is None:
        text = round_trip_text(data)
        parse_source(text, path)
    else:
        check_source_data(data, path)
    return text.encode("utf-8")


def round_trip_text(data: dict) -> str:
    """`data` as ruamel's round-trip dumper writes it, with the catalog's layout."""
    buffer = io.StringIO()
    _round_trip().dump(data, buffer)
    return buffer.getvalue()


def _is_flow_list(value: Any) -> bool:
    flow_attributes = getattr(value, "fa", None)
    return bool(flow_attributes is not None and flow_attributes.flow_style())


_STRING_TAG = "tag:yaml.org,2002:str"
_RESOLVERS: tuple[frozenset[str] | None, Callable[[str], bool | None]] | None = None


def _reads_back_as_string(text: str) -> bool | None:
    """Whether `text`, written unquoted, reads back as a string: True or False when ruamel (which
    decides whether to quote it) and PyYAML (which loads the catalog) agree; None when they do not
    (`yes` is a string to ruamel's YAML 1.2 and true to PyYAML's 1.1). Only a text that starts
    with a character some implicit type starts with (a digit, `t`, `~`...) needs asking."""
    global _RESOLVERS
    if _RESOLVERS is None:
        _RESOLVERS = _implicit_resolvers()
    first_characters, ask = _RESOLVERS
    if first_characters is not None and text[:1] not in first_characters:
        return True
    return ask(text)


def _implicit_resolvers() -> tuple[frozenset[str] | None, Callable[[str], bool | None]]:
    """The first characters that matter (None: any may), and the question to ask about a text.
    Both libraries resolve a plain scalar by its first character to a list of (tag, pattern); no
    match means a string. The patterns are read from the libraries themselves, not copied."""
    import yaml

    typed_in_ruamel = _typed_patterns(_round_trip().resolver.versioned_resolver)
    typed_in_pyyaml = _typed_patterns(yaml.resolver.Resolver.yaml_implicit_resolvers)

    def ask(text: str) -> bool | None:
        in_ruamel, in_pyyaml = not _typed(typed_in_ruamel, text), not _typed(typed_in_pyyaml, text)
        return in_ruamel if in_ruamel == in_pyyaml else None

    starts = set(typed_in_ruamel) | set(typed_in_pyyaml)
    return (None if None in starts else frozenset(s for s in starts if s is not None)), ask


def _typed(patterns: dict[str | None, re.Pattern], text: str) -> bool:
    pattern = patterns.get(text[:1], patterns.get(None))
    return bool(pattern and pattern.match(text))


def _typed_patterns(resolvers: dict) -> dict[str | None, re.Pattern]:
    """Per first character (None: any other), one pattern matching every text a library reads as
    another type than string: its patterns for that character and for any, each with its flags."""
    def scoped(pattern: re.Pattern) -> str:
        flags = "".join(letter for letter, flag in (("i", re.I), ("m", re.M), ("s", re.S), ("x", re.X))
                        if pattern.flags & flag)
        return f"(?{flags}:{pattern.pattern})" if flags else f"(?:{pattern.pattern})"

    anywhere = [pattern for tag, pattern in resolvers.get(None, []) if tag != _STRING_TAG]
    combined: dict[str | None, re.Pattern] = {}
    for start, candidates in resolvers.items():
        patterns = [pattern for tag, pattern in candidates if tag != _STRING_TAG] + ([] if start is None else anywhere)
        if patterns:
            combined[start] = re.compile("|".join(scoped(pattern) for pattern in patterns))
    return combined


class CatalogWrites:
    """The files one command writes, under the catalog's lock (see `catalog_writes`): each file is
    remembered as it was before the command first touched it, so a failure part-way through (a
    refused edit, a full disk, Ctrl-C) puts every one back and the catalog is as it was.

    New source files wait in memory until `commit` writes them together with one sync to disk:
    an import of thousands of records would otherwise wait for the disk once per file."""

    def __init__(self) -> None:
        self._before: dict[Path, bytes | None] = {}
        self._new: dict[Path, bytes] = {}  # new files not yet on disk

    def write(self, path: Path, data: str | bytes) -> None:
        """Write `path` atomically (text as UTF-8, or bytes)."""
        self._remember(path)
        atomic.write_atomically(path, data)

    def new_yaml(self, path: Path, data: dict) -> None:
        """Add a new source file (see `new_yaml_file`), checked now and written on `commit`."""
        self.new_source_file(path, new_source_bytes(path, data))

    def new_source_file(self, path: Path, text: bytes) -> None:
        """`new_yaml` for a file whose bytes `new_source_bytes` has made already (SourceWriter, or a
        worker process): refused if `path` is taken (a dangling symbolic link too), else written on `commit`."""
        if path in self._new or os.path.lexists(path):
            raise BadInput("already exists; choose another id or edit the file", path)
        self._before.setdefault(path, None)  # `_remember` of a path known not to exist
        self._new[path] = text

    @contextmanager
    def edit_yaml(self, path: Path, validate: Callable[[str], object]) -> Iterator[Any]:
        """Edit `path` in place (see `edit_yaml`)."""
        self._remember(path)
        with edit_yaml(path, validate) as document:
            yield document

    def commit(self) -> None:
        """Write the new files that are waiting, all with one sync (see `atomic.write_new_files`)."""
        waiting, self._new = self._new, {}
        atomic.write_new_files(waiting)

    def _remember(self, path: Path) -> None:
        if path in self._new:  # written, then changed again: put the waiting files on disk first
            self.commit()
        if path not in self._before:
            self._before[path] = read_catalog_file(path)[0] if os.path.lexists(path) else None

    def roll_back(self) -> None:
        """Put every file written so far back as it was (remove the ones that were new)."""
        self._new = {}
        for path, data in reversed(self._before.items()):
            try:
                if data is None:
                    path.unlink(missing_ok=True)
                else:
                    atomic.write_atomically(path, data)
            except OSError:
                continue  # put back all that can be put back; the original error is the one to report


@contextmanager
def catalog_writes(root: Path) -> Iterator[CatalogWrites]:
    """Hold the catalog's lock and collect one command's writes: all of them stay, or (on any error,
    or Ctrl-C, inside the block or while the new files are written) none."""
    with catalog_lock(root):
        writes = CatalogWrites()
        try:
            yield writes
            writes.commit()
        except BaseException:
            writes.roll_back()
            raise


def flow_list(items: list[str]) -> CommentedSeq:
    """A list that round-trip YAML writes inline, like `[a, b]`."""
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def round_trip_value(value: Any) -> Any:
    """A plain dict or list (and what it holds) as round-trip containers, which can carry comments;
    flow-style lists and round-trip containers are kept as they are."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, (CommentedMap, CommentedSeq)):
        return value
    if isinstance(value, dict):
        return CommentedMap((key, round_trip_value(item)) for key, item in value.items())
    if isinstance(value, list):
        return CommentedSeq(round_trip_value(item) for item in value)
    return value


def flow_map(items: dict[str, Any]) -> Any:
    """A mapping that round-trip YAML writes inline, like `{on: '2026-11-30', database: pubmed}`."""
    from ruamel.yaml.comments import CommentedMap

    mapping = CommentedMap(items)
    mapping.fa.set_flow_style()
    return mapping
