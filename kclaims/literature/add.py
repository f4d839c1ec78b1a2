"""Sources from identifiers and from BibTeX: add, refresh, import; the id rule; merging duplicates.

Every command here resolves (or parses) first and only then takes the catalog's lock and writes,
so a network failure leaves the catalog untouched. The same paper (same PMID, PMCID or DOI)
arriving twice, by any route, becomes one source: the second arrival only fills fields the first
left empty, and the report says so.

Source ids (docs/sources.md): the first author's surname and the year, ASCII, lower-case
("zarate2006"); without an author the first word of the title, without either "source". A
BibTeX entry keeps its citation key, lower-cased, with characters outside [a-z0-9._-] turned
into "-". When an id is taken by another source, letters b, c, ... z are appended to an id
ending in a digit ("zarate2006b"), otherwise (and after z) "-2", "-3", ... An id is given once
and never changed by a refresh.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kclaims.catalog.files import (
    Catalog,
    CatalogWrites,
    catalog_writes,
    flow_list,
    load_catalog,
    parse_source,
)
from kclaims.errors import BadInput
from kclaims.text import shorten
from kclaims.literature.ids import Identifier, parse_identifier
from kclaims.model import ID_PATTERN, SOURCE_KEYS, Invalid, Source, source_from_dict

Progress = Callable[[int, int], None]
OFFLINE_PAGE = "a web page is not cached: --offline sends no request"

# Fields a resolver fills; merging fills only the empty ones, a refresh replaces them.
RESOLVED_FIELDS = ("title", "authors", "year", "journal", "publisher", "date", "volume", "issue", "pages",
                   "pmid", "pmcid", "doi", "publication_types", "mesh", "population", "retracted")
MERGED_FIELDS = RESOLVED_FIELDS + ("site", "url", "kind")
KEY_ORDER = SOURCE_KEYS  # DESIGN.md's order
ALWAYS_WRITTEN = ("id", "kind", "title", "authors", "year", "pmid", "pmcid", "doi", "url", "publication_types",
                  "population", "design", "retracted", "retrieved", "references")
FLOW_LISTS = ("authors", "publication_types")
MAX_BASE_LENGTH = 60
_STOP_WORDS = frozenset("a an the of on in for and to with from by at is are as or its".split())
_FOLD = str.maketrans({"ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l",
                       "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "ı": "i"})


@dataclass
class Outcome:
    """What happened to one identifier or BibTeX entry."""

    given: str                 # the identifier as normalised, or "file.bib:12 key"
    action: str                # added | merged | unchanged | updated | failed
    source_id: str | None = None
    detail: str = ""           # the reason for a failure, or what a merge or refresh changed

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Report:
    """The outcome of `add_sources`, `refresh_sources` or `import_bibtex`."""

    outcomes: list[Outcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    requests: int = 0
    from_cache: int = 0

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    def as_dict(self) -> dict[str, Any]:
        return {"outcomes": [o.as_dict() for o in self.outcomes], "warnings": list(self.warnings),
                "requests": self.requests, "from_cache": self.from_cache}


# --- add -----------------------------------------------------------------------------------


def parse_identifiers(texts: list[str]) -> list[Identifier]:
    """Every text as an identifier; BadInput naming the first that is none (before any request)."""
    identifiers = []
    for text in texts:
        if text.strip():
            identifiers.append(parse_identifier(text))
    if not identifiers:
        raise BadInput("no identifiers given: name PMIDs, PMCIDs, DOIs or URLs, or --from-file FILE")
    return identifiers


def read_identifier_file(path: Path) -> list[str]:
    """Identifiers from a file, one a line; blank lines and lines starting with '#' are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise BadInput(f"cannot read: {error.strerror}", path) from None
    except UnicodeDecodeError:
        raise BadInput("not UTF-8 text", path) from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def add_sources(root: Path, texts: list[str], *, refresh: bool = False, offline: bool = False,
                progress: Progress | None = None) -> Report:
    """Resolve identifiers and write one source per paper; duplicates merge into one source.

    Everything is fetched and resolved before the first write, and the writes are one transaction:
    a failure (or Ctrl-C) anywhere leaves the catalog as it was."""
    from kclaims.literature.resolve import resolve
    from kclaims.literature.web import prepare_pages

    identifiers = parse_identifiers(texts)
    load_catalog(root)  # a broken catalog is reported before any request is sent
    pages, page_requests = prepare_pages(identifiers, offline)  # web articles: fetched and read first
    resolution = resolve([i for i in identifiers if i.kind != "url"], refresh=refresh, offline=offline,
                         progress=progress)
    report = Report(requests=resolution.requests + page_requests, from_cache=resolution.from_cache)
    with catalog_writes(root) as writes:
        writer = _Writer(load_catalog(root))
        report.outcomes += [_add_one(writer, identifier, pages, resolution) for identifier in identifiers]
        writer.flush(writes)
    return report


def _add_one(writer: _Writer, identifier: Identifier, pages: dict[Identifier, Any], resolution: Any) -> Outcome:
    if identifier.kind == "url":
        if identifier not in pages:
            return Outcome(str(identifier), "failed", None, OFFLINE_PAGE)
        return writer.web.add(pages[identifier])
    record = resolution.records.get(identifier)
    if record is None:
        return Outcome(str(identifier), "failed", None, resolution.failures.get(identifier, "not resolved"))
    return writer.add(str(identifier), dataclasses.replace(record, retrieved=dt.date.today().isoformat()))


# --- refresh -------------------------------------------------------------------------------


def refresh_sources(root: Path, source_ids: list[str] | None = None, progress: Progress | None = None,
                    snapshot_only: bool = False) -> Report:
    """Resolve sources again, bypassing the cache, and update what changed (e.g. a retraction).

    With no ids, every source that has a PMID, PMCID or DOI. Fields a person set that the
    services do not know (design, note, references, url, kind) are left alone. A web article
    named by id is fetched again (kclaims.web_sources): the report says whether its text changed
    and warns of each catalog quote that no longer appears in it. `snapshot_only` re-reads the
    kept pages (sources/<id>.html) instead, without the network; with no ids, every kept page.

    Every page is fetched and every lookup answered before the first write, and the writes are one
    transaction: a page that cannot be had, a service that keeps failing or an edit refused part-way
    leaves every source as it was.
    """
    from kclaims.literature.resolve import Resolution, resolve
    from kclaims.literature.web import is_web_article, reread_pages

    catalog = load_catalog(root)
    targets = _refresh_targets(catalog, source_ids, snapshot_only)
    web = [s for s in targets if is_web_article(s) and (source_ids or snapshot_only)]
    report = Report()
    pages, report.requests = reread_pages(catalog, web, snapshot_only)
    rest = [s for s in targets if s not in web]
    lookups = {} if snapshot_only else _lookups(rest, report, bool(source_ids))
    if snapshot_only:
        report.outcomes += [Outcome(s.id, "failed", s.id, "not a web article with a saved page") for s in rest]
    resolution = resolve(lookups.values(), refresh=True, progress=progress) if lookups else Resolution()
    report.requests += resolution.requests
    report.from_cache = resolution.from_cache
    with catalog_writes(root) as writes:
        catalog = load_catalog(root)
        _write_refreshed(catalog, writes, report, pages, snapshot_only)
        _write_looked_up(catalog, writes, report, lookups, resolution)
    return report


def _refresh_targets(catalog: Catalog, source_ids: list[str] | None, snapshot_only: bool) -> list[Source]:
    if source_ids:
        return [catalog.source(i) for i in dict.fromkeys(source_ids)]
    targets = list(catalog.sources.values())
    if snapshot_only:
        targets = [s for s in targets if (catalog.sources_dir / f"{s.id}.html").is_file()]
    return targets


def _lookups(sources: list[Source], report: Report, named: bool) -> dict[str, Identifier]:
    """The identifier to look each source up by; a source named on the command line without one fails."""
    lookups: dict[str, Identifier] = {}
    for source in sources:
        identifier = _best_identifier(source)
        if identifier is not None:
            lookups[source.id] = identifier
        elif named:
            report.outcomes.append(Outcome(source.id, "failed", source.id, "has no PMID, PMCID or DOI to look up"))
    return lookups


def _write_refreshed(catalog: Catalog, writes: CatalogWrites, report: Report, pages: dict[str, Any],
                     snapshot_only: bool) -> None:
    from kclaims.literature.web import write_refreshed_page

    for source_id, prepared in pages.items():
        if isinstance(prepared, Outcome):  # could not be re-read (no url, no saved page)
            report.outcomes.append(prepared)
            continue
        outcome, drift = write_refreshed_page(catalog, source_id, prepared, snapshot_only, writes)
        report.outcomes.append(outcome)
        report.warnings += drift


def _write_looked_up(catalog: Catalog, writes: CatalogWrites, report: Report, lookups: dict[str, Identifier],
                     resolution: Any) -> None:
    for source_id, identifier in lookups.items():
        record = resolution.records.get(identifier)
        if record is None:
            reason = resolution.failures.get(identifier, "not resolved")
            report.outcomes.append(Outcome(str(identifier), "failed", source_id, reason))
            continue
        report.outcomes.append(_refresh_one(writes, catalog, catalog.source(source_id), record, str(identifier)))


def _best_identifier(source: Source) -> Identifier | None:
    if source.pmid:
        return Identifier("pmid", source.pmid)
    if source.pmcid:
        return Identifier("pmcid", source.pmcid.upper())
    if source.doi:
        return Identifier("doi", source.doi.lower())
    return None


def _refresh_one(writes: CatalogWrites, catalog: Catalog, current: Source, record: Source, given: str) -> Outcome:
    changes = {}
    for name in RESOLVED_FIELDS:
        new, old = getattr(record, name), getattr(current, name)
        if _empty(new) or new == old or not _service_may_change(name, old, new):
            continue
        changes[name] = new
    path = catalog.sources_dir / f"{current.id}.yaml"
    with writes.edit_yaml(path, lambda text: parse_source(text, path)) as document:
        for name, value in changes.items():
            _set(document, name, value)
        _set(document, "retrieved", dt.date.today().isoformat())
    if not changes:
        return Outcome(given, "unchanged", current.id, "")
    described = "; ".join(_describe_change(name, getattr(current, name), value) for name, value in changes.items())
    return Outcome(given, "updated", current.id, described)


def _service_may_change(name: str, old: Any, new: Any) -> bool:
    """A refresh may add a retraction but never clear one, and fills a population only where none
    is known: a curator's judgement there outranks a service's MeSH headings."""
    if name == "retracted":
        return bool(new)
    if name == "population":
        return old == "unknown" and new != "unknown"
    return True


def _describe_change(name: str, old: Any, new: Any) -> str:
    if name == "retracted" and new:
        return "RETRACTED"
    if isinstance(new, list):
        added = [v for v in new if v not in (old or [])]
        removed = [v for v in old or [] if v not in new]
        parts = ([f"+{', '.join(added)}"] if added else []) + ([f"-{', '.join(removed)}"] if removed else [])
        return f"{name}: {' '.join(parts) or 'reordered'}"
    return f"{name}: {_short(old)} -> {_short(new)}"


def _short(value: Any) -> str:
    return "(empty)" if _empty(value) else shorten(str(value), 60)


# --- import --------------------------------------------------------------------------------


def import_bibtex(root: Path, path: Path) -> Report:
    """Add every entry of a .bib file as a source (or merge it into the same paper already there)."""
    from kclaims.literature.bibtex import read_bibtex

    text, encoding_warning = _read_bib(path)
    read = read_bibtex(text)
    if not read.entries:
        unreadable = f" ({len(read.warnings)} unreadable blocks)" if read.warnings else ""
        raise BadInput(f"no BibTeX entries found{unreadable}; is this a .bib file?", path)
    report = Report(warnings=[f"{path}: {encoding_warning}"] if encoding_warning else [])
    report.warnings += [f"{path}:{line}: {message}" if line else f"{path}: {message}" for line, message in read.warnings]
    today = dt.date.today().isoformat()
    with catalog_writes(root) as writes:
        writer = _Writer(load_catalog(root))
        for entry in read.entries:
            given = f"{path.name}:{entry.line} {entry.key}"
            record = dataclasses.replace(entry.record, retrieved=today)
            report.outcomes.append(writer.add(given, record, preferred_id=entry.key))
        writer.flush(writes)
    return report


def _read_bib(path: Path) -> tuple[str, str | None]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadInput(f"cannot read: {error.strerror}", path) from None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return data.decode("cp1252", errors="replace"), f"not UTF-8 (byte {error.start}); read as Windows-1252"


# --- writing new sources and merging duplicates ---------------------------------------------


def _description_keys(source: Source) -> list[str]:
    """What identifies a record that has no PMID, PMCID or DOI: its URL, or its title and year. Used
    only against sources already in the catalog, so importing the same .bib twice adds nothing new."""
    keys = [f"url:{source.url.rstrip('/')}"] if source.url else []
    if source.title:
        keys.append(f"title:{' '.join(re.findall(r'[a-z0-9]+', source.title.casefold()))}:{source.year or ''}")
    return keys


class _Writer:
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
        self.fills: dict[str, dict[str, Any]] = {}  # existing source id -> fields to fill
        self._web: Any = None

    def add(self, given: str, record: Source, preferred_id: str | None = None) -> Outcome:
        match = next((self.by_key[k] for k in sorted(record.study_keys()) if k in self.by_key), None)
        if match is None and not record.study_keys():
            match = next((self.by_description[k] for k in _description_keys(record) if k in self.by_description), None)
        if match is not None:
            return self._merge(given, match, record)
        try:
            source_id = new_source_id(record, self.taken, preferred_id)
            source = dataclasses.replace(record, id=source_id)
            source_from_dict(_plain_data(source))
        except Invalid as error:
            return Outcome(given, "failed", None, f"cannot be stored: {error.message}")
        self.taken.add(source_id)
        self.new[source_id] = source
        self._index(source)
        return Outcome(given, "added", source_id, "")

    @property
    def web(self) -> Any:
        """The writer of new web articles (kclaims.web_sources.WebWriter), made when first needed."""
        if self._web is None:
            from kclaims.literature.web import WebWriter

            self._web = WebWriter(self.catalog, self.taken)
        return self._web

    def _merge(self, given: str, source_id: str, record: Source) -> Outcome:
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
        return Outcome(given, "merged", source_id, detail)

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
            with writes.edit_yaml(path, lambda text, path=path: parse_source(text, path)) as document:
                for name, value in filled.items():
                    _set(document, name, value)
        for source_id, source in self.new.items():
            writes.new_yaml(safe_source_path(sources_dir, source_id), source_yaml(source))
        if self._web is not None:
            self._web.flush(writes)


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
        elif _empty(old) and not _empty(new):
            filled[name] = new
    return filled


def new_source_id(record: Source, taken: set[str], preferred: str | None = None) -> str:
    """A readable id for `record` that is not in `taken` (see the module docstring)."""
    base = slugify(preferred) if preferred else ""
    if not base:
        base = _author_year(record)
    if base not in taken:
        return base
    candidates = [base + chr(c) for c in range(ord("b"), ord("z") + 1)] if base[-1].isdigit() else []
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _author_year(record: Source) -> str:
    word = ""
    if record.authors:
        word = _fold(_surname(record.authors[0]))
    if not word and record.title:
        words = [_fold(w) for w in record.title.split()]
        word = next((w for w in words if w and w not in _STOP_WORDS), "")
    word = (word or "source")[:40]
    return f"{word}{record.year}" if record.year else word


def _surname(author: str) -> str:
    """"De Vivo I" -> "De Vivo"; a group name -> its first word."""
    head, _, last = author.rpartition(" ")
    if head and re.fullmatch(r"[A-Z]{1,4}", last):
        return head
    return author.split()[0] if author.split() else ""


def _fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: "Müller-Lüdenscheidt" -> "mullerludenscheidt"."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return re.sub(r"[^a-z0-9]", "", text.encode("ascii", "ignore").decode().lower())


def slugify(key: str) -> str:
    """A citation key as a source id: "Schank:80" -> "schank-80"; "" if nothing usable is left."""
    text = unicodedata.normalize("NFKD", key.translate(_FOLD)).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9._-]+", "-", text)
    text = re.sub(r"^[^a-z0-9]+", "", text)[:MAX_BASE_LENGTH].rstrip("-._")
    return text if ID_PATTERN.fullmatch(text) else ""


def safe_source_path(sources_dir: Path, source_id: str) -> Path:
    """sources/<id>.yaml, refusing any id that could name a file outside sources/."""
    path = sources_dir / f"{source_id}.yaml"
    if not ID_PATTERN.fullmatch(source_id) or path.resolve().parent != sources_dir.resolve():
        raise BadInput(f"refusing to write {source_id!r}: a source id must be a plain file name")
    return path


def _file_stems(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.name.split(".", 1)[0] for p in folder.iterdir()} | {p.stem for p in folder.iterdir()}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


# --- YAML shapes ---------------------------------------------------------------------------


def _plain_data(source: Source) -> dict[str, Any]:
    return {key: getattr(source, key) for key in KEY_ORDER}


def source_yaml(source: Source) -> dict[str, Any]:
    """The mapping written to sources/<id>.yaml: DESIGN.md's key order, empty optional keys left out."""
    data: dict[str, Any] = {}
    for key in KEY_ORDER:
        value = getattr(source, key)
        if key in ALWAYS_WRITTEN or not _empty(value):
            data[key] = _yaml_value(key, value)
    return data


def _yaml_value(key: str, value: Any) -> Any:
    if key in FLOW_LISTS:
        return flow_list(list(value))
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _set(document: Any, key: str, value: Any) -> None:
    """Set a key in a round-trip document, placing a new key where DESIGN.md's order puts it."""
    value = _yaml_value(key, value)
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
