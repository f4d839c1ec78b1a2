"""New sources for one catalog: ids by the rule, the same paper merged into one source, files written
in one transaction. The identifier, BibTeX and web-page routes all write through `SourceWriter`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kclaims.catalog.files import Catalog, parse_source
from kclaims.catalog.writing import CatalogWrites, new_source_bytes
from kclaims.catalog.source_file import is_empty, new_source_path, safe_source_path, set_key, source_yaml
from kclaims.errors import BadInput
from kclaims.literature.clean import printable_record
from kclaims.literature.results import SourceOutcome
from kclaims.literature.source_ids import new_source_id
from kclaims.model import Source
from kclaims.text import printable

if TYPE_CHECKING:
    from kclaims.literature.web_writer import WebWriter

# Fields a resolver fills; merging fills only the empty ones, a refresh replaces them.
RESOLVED_FIELDS = ("title", "authors", "year", "journal", "publisher", "date", "volume", "issue", "pages",
                   "pmid", "pmcid", "doi", "publication_types", "mesh", "population", "retracted")
MERGED_FIELDS = RESOLVED_FIELDS + ("site", "url", "kind", "key", "entry_type", "author_parts", "editor_parts", "extra")
DESCRIBED_FIELDS = ("kind", "authors", "year", "journal", "site", "publisher", "date", "volume", "issue", "pages")


def _description_keys(source: Source) -> list[str]:
    """What identifies a record that has no PMID, PMCID or DOI: its URL, or its title and year. Used
    only against sources already in the catalog, so importing the same .bib twice adds nothing new."""
    keys = [f"url:{source.url.rstrip('/')}"] if source.url else []
    if source.title:
        keys.append(f"title:{' '.join(re.findall(r'[a-z0-9]+', source.title.casefold()))}:{source.year or ''}")
    if not keys:  # neither: the whole record, so an import cut short (kill -9) and run again doubles nothing
        keys.append("record:" + repr([getattr(source, name) for name in DESCRIBED_FIELDS]))
    return keys


class SourceWriter:
    """New sources for one catalog: ids given by the rule, duplicates merged, files written on flush
    (web articles through `self.web`, which shares the ids taken)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.by_key: dict[str, str] = {}
        self.by_description: dict[str, str] = {}  # for records without identifiers: catalog sources only
        for source in catalog.sources.values():
            self._index(source)
            for key in _description_keys(source):
                self.by_description.setdefault(key, source.id)
        self.taken = set(catalog.sources) | _file_stems(catalog.sources_dir)
        self.new: dict[str, Source] = {}          # written on flush, in order
        self.texts: dict[str, tuple[Source, bytes]] = {}  # new source id -> (the source, its file's bytes)
        self.fills: dict[str, dict[str, Any]] = {}  # existing source id -> fields to fill
        self._web: WebWriter | None = None

    def add(self, given: str, record: Source, preferred_id: str | None = None,
            prepared: Made = None) -> SourceOutcome:
        """Add `record` as a new source, or merge it into the same paper already here. A record from
        `preparer` comes with what it made (`prepared`): used when the id it guessed is the id given."""
        if prepared is None:  # (`preparer` made its records printable, the key it prefers too)
            record = printable_record(record)
            preferred_id = printable(preferred_id) if preferred_id else preferred_id
        match = next((self.by_key[k] for k in sorted(record.study_keys()) if k in self.by_key), None)
        if match is None and not record.study_keys():
            match = next((self.by_description[k] for k in _description_keys(record) if k in self.by_description), None)
        if match is not None:
            return self._merge(given, match, record)
        source_id = new_source_id(record, self.taken, preferred_id)
        if prepared is not None and record.id == source_id:  # made for this id (a record read has none)
            source, made = record, prepared
        else:
            source = dataclasses.replace(record, id=source_id)
            try:
                made = _file_bytes(self.catalog.sources_dir, source)
            except BadInput as error:
                return SourceOutcome(given, "failed", None, f"cannot be stored: {error.message}")
        self.texts[source_id] = (source, made)
        self.taken.add(source_id)
        self.new[source_id] = source
        self._index(source)
        return SourceOutcome(given, "added", source_id, "")

    @property
    def web(self) -> WebWriter:
        """The writer of new web articles, made when first needed."""
        if self._web is None:
            from kclaims.literature.web_writer import WebWriter

            self._web = WebWriter(self.catalog, self.taken)
        return self._web

    def _merge(self, given: str, source_id: str, record: Source) -> SourceOutcome:
        if source_id in self.new:
            current = self.new[source_id]
            filled = _fillable(current, record)
            self.new[source_id] = dataclasses.replace(current, **filled)
            where = "added above"
        else:
            current = dataclasses.replace(self.catalog.sources[source_id], **self.fills.get(source_id, {}))
            filled = _fillable(current, record)
            self.fills.setdefault(source_id, {}).update(filled)
            where = "already in the catalog"
        self._index(dataclasses.replace(current, **filled))
        detail = f"the same paper as {source_id} ({where})"
        if filled:
            detail += f"; filled {', '.join(filled)}"
        return SourceOutcome(given, "merged", source_id, detail)

    def _index(self, source: Source) -> None:
        for key in source.study_keys():
            self.by_key.setdefault(key, source.id)

    def flush(self, writes: CatalogWrites) -> None:
        """Fill the merged files, then write the new ones and the web articles, all through `writes`
        (one transaction: if any write fails, `catalog_writes` puts back the ones before it).
        Fills go first: they are the writes that can be refused (a file edited meanwhile)."""
        sources_dir = self.catalog.sources_dir
        sources_dir.mkdir(exist_ok=True)
        for source_id, filled in self.fills.items():
            if not filled:
                continue
            path = safe_source_path(sources_dir, source_id)
            with writes.edit_yaml(path, partial(parse_source, path=path)) as document:
                for name, value in filled.items():
                    set_key(document, name, value)
        for source_id, source in self.new.items():
            path, (made_from, made) = new_source_path(sources_dir, source_id), self.texts[source_id]  # both refuse a name taken
            if made_from is source:  # not merged into since its file was made
                writes.new_source_file(path, made)
            else:
                writes.new_yaml(path, source_yaml(source))
        if self._web is not None:
            self._web.flush(writes)


# What `preparer` makes of a record besides the record made ready (printable, its retrieval date set,
# the id it would get if no other record took it first): its source file as bytes, or None when it
# could not be made (the writer then makes it, and says what is wrong with it, as it does for any record).
Made = bytes | None


def preparer(sources_dir: Path, taken: set[str], today: str) -> Callable[[Source], tuple[Source, Made]]:
    """The work of `SourceWriter.add` and `flush` for one new record that does not depend on the
    records before it, to be done in worker processes while a large file is read (see `read_bibtex`):
    each worker guesses ids against the catalog's and its own records' ids (`taken`, its own copy)."""
    def prepare(record: Source) -> tuple[Source, Made]:
        record = printable_record(record)
        source = dataclasses.replace(record, id=new_source_id(record, taken, record.key),
                                     retrieved=record.retrieved or today)
        taken.add(source.id)
        try:
            return source, _file_bytes(sources_dir, source)
        except BadInput:  # the writer will find it again and report it as it always does
            return source, None

    return prepare


def _file_bytes(sources_dir: Path, source: Source) -> bytes:
    """The bytes of `source`'s new file, checked to load as that source (BadInput if not)."""
    return new_source_bytes(new_source_path(sources_dir, source.id), source_yaml(source))


def _fillable(current: Source, record: Source) -> dict[str, Any]:
    """Fields of `record` that `current` lacks; a retraction is always taken."""
    filled: dict[str, Any] = {}
    for name in MERGED_FIELDS:
        new, old = getattr(record, name), getattr(current, name)
        if name == "retracted":
            if new and not old:
                filled[name] = True
        elif name == "population":
            if old == "unknown" and new != "unknown":
                filled[name] = new
        elif name == "kind":
            continue  # a person's or the first route's choice stands
        elif name == "extra":
            added = {field: text for field, text in new.items() if field not in old}
            if added:
                filled[name] = {**old, **added}
        elif is_empty(old) and not is_empty(new):
            filled[name] = new
    return filled


def _file_stems(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.name.split(".", 1)[0] for p in folder.iterdir()} | {p.stem for p in folder.iterdir()}
