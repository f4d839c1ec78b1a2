"""Change and remove sources entered or added before: `source edit` and `source rm`.

A source file is edited in round-trip mode (comments and key order kept; a new key goes where the
source-file format puts it) and must load as a source before it is written, the loader's rules
exactly. Removing a source refuses while a claim quotes or links it, unless forced.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kclaims.catalog.edit import editing_claims, find_entry
from kclaims.catalog.files import Catalog, load_catalog, parse_source
from kclaims.catalog.writing import catalog_lock, edit_yaml, flow_list
from kclaims.catalog.source_file import set_key
from kclaims.errors import BadInput
from kclaims.model import Invalid, SOURCE_KEYS, Source, source_from_dict

EDITABLE_KEYS = tuple(key for key in SOURCE_KEYS if key not in ("id", "references", "mesh"))
SNAPSHOT_SUFFIXES = (".txt", ".html")


def person_name(text: str) -> str:
    """An author as the catalog writes them ("Zarate CA"), from "Zarate, Carlos A." or as written."""
    family, comma, given = text.partition(",")
    if not comma:
        return " ".join(text.split())
    initials = "".join(part[0].upper() for part in re.split(r"[\s.\-]+", given) if part and part[0].isalpha())
    return f"{' '.join(family.split())} {initials}".strip()


def checked_source(data: dict[str, Any], catalog: Catalog | None = None) -> Source:
    """`data` as a Source by the loader's rules (BadInput naming the key otherwise); with a
    catalog, its `includes` must name sources of it."""
    try:
        source = source_from_dict(data)
    except Invalid as error:
        key = f"{error.where[0]}: " if error.where and not error.message.startswith("'") else ""
        raise BadInput(f"{key}{error.message}") from None
    if catalog is not None:
        unknown = [i for i in source.includes if i not in catalog.sources or i == source.id]
        if unknown:
            raise BadInput(f"'includes' names {unknown[0]!r}, which is not another source of the catalog")
    return source


def edit_source(root: Path, source_id: str, changes: dict[str, Any], unset: list[str]) -> list[str]:
    """Set keys of sources/<id>.yaml (`changes`) and remove others (`unset`); returns the keys changed.
    A new date sets the year too, unless a year is given; new authors drop the names in parts
    (`author_parts`, from a bibliography file), which were the old authors', unless those are given too."""
    for key in [*changes, *unset]:
        if key not in EDITABLE_KEYS:
            raise BadInput(f"{key!r} is not a key `source edit` changes (one of: {', '.join(EDITABLE_KEYS)})")
    if not changes and not unset:
        raise BadInput("nothing to change: give the keys to set as options, or --unset KEY")
    with catalog_lock(root):
        catalog = load_catalog(root)
        current = catalog.source(source_id)
        data = {key: getattr(current, key) for key in SOURCE_KEYS}
        data.update(changes)
        for key in unset:
            data[key] = None
        if "date" in changes and "year" not in changes and changes["date"]:
            data["year"] = str(changes["date"])[:4]
        if (data.get("authors") or []) != current.authors and "author_parts" not in changes:
            data["author_parts"] = None  # the names in parts were the old authors': exports would keep them
        updated = checked_source({k: v for k, v in data.items() if v is not None}, catalog)
        changed = [key for key in SOURCE_KEYS if getattr(updated, key) != getattr(current, key)]
        if changed:
            path = catalog.sources_dir / f"{source_id}.yaml"
            with edit_yaml(path, lambda text: parse_source(text, path)) as document:
                for key in changed:
                    _put(document, key, getattr(updated, key))
    return changed


def _put(document: Any, key: str, value: Any) -> None:
    if value in (None, "", [], {}) and key not in ("retracted",):
        document.pop(key, None)
    else:
        set_key(document, key, value)
        if isinstance(value, list):  # written inline, as `authors: [..]` is
            document[key] = flow_list(list(value))


@dataclass
class Removal:
    """What `remove_source` did: the files removed and the links and quotes taken out first."""

    files: list[str] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)  # claim ids whose link to it went
    unquoted: list[str] = field(default_factory=list)  # claim ids whose quotes from it went


def users_of(catalog: Catalog, source_id: str) -> tuple[list[str], list[str], list[str]]:
    """Claims linking the source, claims quoting it, and sources whose `includes` name it."""
    linked = [c.id for c in catalog.claims if any(e.source == source_id for e in c.evidence)]
    quoted = [c.id for c in catalog.claims if any(q.source == source_id for q in c.made_in)]
    including = [s.id for s in catalog.sources.values() if source_id in s.includes]
    return linked, quoted, including


def remove_source(root: Path, source_id: str, force: bool = False) -> Removal:
    """Remove sources/<id>.yaml and its snapshots. Refused while a claim links or quotes the source
    (naming them) unless `force`, which first takes those links and quotes out of claims.yaml.
    Refused while another source's `includes` names it."""
    with catalog_lock(root):
        catalog = load_catalog(root)
        catalog.source(source_id)
        linked, quoted, including = users_of(catalog, source_id)
        if including:
            raise BadInput(f"{source_id!r} is in the 'includes' of {', '.join(including)}: "
                           f"remove it there first (kclaims source edit ID --includes ...)")
        if (linked or quoted) and not force:
            parts = [f"linked by {', '.join(linked)}" if linked else "", f"quoted by {', '.join(quoted)}" if quoted else ""]
            raise BadInput(f"{source_id!r} is {' and '.join(p for p in parts if p)}; "
                           f"unlink it first, or pass --force to take those out too")
        removal = Removal(unlinked=linked, unquoted=quoted)
        if linked or quoted:
            with editing_claims(catalog) as claims:
                for claim_id in sorted(set(linked) | set(quoted)):
                    _drop_source(find_entry(claims, claim_id), source_id)
        for suffix in (*SNAPSHOT_SUFFIXES, ".yaml"):  # the record last: a failure leaves it findable
            path = catalog.sources_dir / f"{source_id}{suffix}"
            if os.path.lexists(path):
                path.unlink()
                removal.files.append(f"sources/{path.name}")
    return removal


def _drop_source(entry: Any, source_id: str) -> None:
    for key in ("made_in", "evidence"):
        items = entry.get(key) or []
        for index in reversed(range(len(items))):
            if isinstance(items[index], dict) and items[index].get("source") == source_id:
                del items[index]


def today() -> str:
    return dt.date.today().isoformat()
