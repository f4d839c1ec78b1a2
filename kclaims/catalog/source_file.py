"""The source-file format: which keys sources/<id>.yaml holds, in which order, and how values are written.

Every route that writes a source (identifiers, web pages, BibTeX, `source new`) goes through here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kclaims.catalog.writing import flow_list
from kclaims.errors import BadInput
from kclaims.model import ID_PATTERN, SOURCE_KEYS, Source

KEY_ORDER = SOURCE_KEYS  # DESIGN.md's order


ALWAYS_WRITTEN = ("id", "kind", "title", "authors", "year", "pmid", "pmcid", "doi", "url", "publication_types",
                  "population", "design", "retracted", "retrieved", "references")


FLOW_LISTS = ("authors", "publication_types")


def safe_source_path(sources_dir: Path, source_id: str) -> Path:
    """sources/<id>.yaml, refusing any id that could name a file outside sources/."""
    path = new_source_path(sources_dir, source_id)
    if path.is_symlink() and path.resolve().parent != sources_dir.resolve():
        raise BadInput(f"refusing to write {source_id!r}: a source id must be a plain file name")
    return path


def new_source_path(sources_dir: Path, source_id: str) -> Path:
    """sources/<id>.yaml for a file not there yet: `safe_source_path` without looking at the disk,
    for writers that refuse a name already taken (a symbolic link too) when they create the file."""
    if not ID_PATTERN.fullmatch(source_id):
        raise BadInput(f"refusing to write {source_id!r}: a source id must be a plain file name")
    return sources_dir / f"{source_id}.yaml"


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def plain_data(source: Source) -> dict[str, Any]:
    return {key: getattr(source, key) for key in KEY_ORDER}


def source_yaml(source: Source) -> dict[str, Any]:
    """The mapping written to sources/<id>.yaml: DESIGN.md's key order, empty optional keys left out."""
    data: dict[str, Any] = {}
    for key in KEY_ORDER:
        value = getattr(source, key)
        if key in ALWAYS_WRITTEN or not is_empty(value):
            data[key] = yaml_value(key, value)
    return data


def yaml_value(key: str, value: Any) -> Any:
    if key in FLOW_LISTS:
        return flow_list(list(value))
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def set_key(document: Any, key: str, value: Any) -> None:
    """Set a key in a round-trip document, placing a new key where DESIGN.md's order puts it."""
    value = yaml_value(key, value)
    if key in document:
        document[key] = value
        return
    position = len(document)
    later = KEY_ORDER[KEY_ORDER.index(key) + 1:] if key in KEY_ORDER else ()
    for index, existing in enumerate(document):
        if existing in later:
            position = index
            break
    document.insert(position, key, value)
