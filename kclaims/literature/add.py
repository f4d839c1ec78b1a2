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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kclaims.catalog.files import Catalog, load_catalog, parse_source
from kclaims.catalog.writing import CatalogWrites, catalog_writes
from kclaims.catalog.source_file import is_empty, set_key
from kclaims.errors import BadInput
from kclaims.literature.ids import Identifier, parse_identifier
from kclaims.literature.results import SourceOutcome, SourcesResult
from kclaims.literature.writer import RESOLVED_FIELDS, SourceWriter, preparer
from kclaims.model import Source
from kclaims.text import shorten

if TYPE_CHECKING:
    from kclaims.literature.bibtex import BibRead, Prepare
    from kclaims.literature.resolve import Resolution
    from kclaims.literature.web_writer import PreparedPage

Progress = Callable[[int, int], None]


OFFLINE_PAGE = "a web page is not cached: --offline sends no request"




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
                progress: Progress | None = None) -> SourcesResult:
    """Resolve identifiers and write one source per paper; duplicates merge into one source.

    Everything is fetched and resolved before the first write, and the writes are one transaction:
    a failure (or Ctrl-C) anywhere leaves the catalog as it was."""
    from kclaims.literature.client import command_deadline
    from kclaims.literature.resolve import resolve
    from kclaims.literature.web import prepare_pages

    identifiers = parse_identifiers(texts)
    load_catalog(root)  # a broken catalog is reported before any request is sent
    with command_deadline():  # pages and lookups share the command's two minutes
        pages, page_requests = prepare_pages(identifiers, offline)  # web articles: fetched and read first
        resolution = resolve([i for i in identifiers if i.kind != "url"], refresh=refresh, offline=offline,
                             progress=progress)
    report = SourcesResult(requests=resolution.requests + page_requests, from_cache=resolution.from_cache)
    with catalog_writes(root) as writes:
        writer = SourceWriter(load_catalog(root))
        report.outcomes += [_add_one(writer, identifier, pages, resolution) for identifier in identifiers]
        writer.flush(writes)
    return report


def _add_one(writer: SourceWriter, identifier: Identifier, pages: dict[Identifier, PreparedPage],
             resolution: Resolution) -> SourceOutcome:
    if identifier.kind == "url":
        if identifier not in pages:
            return SourceOutcome(str(identifier), "failed", None, OFFLINE_PAGE)
        return writer.web.add(pages[identifier])
    record = resolution.records.get(identifier)
    if record is None:
        return SourceOutcome(str(identifier), "failed", None, resolution.failures.get(identifier, "not resolved"))
    return writer.add(str(identifier), dataclasses.replace(record, retrieved=dt.date.today().isoformat()))


def refresh_sources(root: Path, source_ids: list[str] | None = None, progress: Progress | None = None,
                    snapshot_only: bool = False) -> SourcesResult:
    """Resolve sources again, bypassing the cache, and update what changed (e.g. a retraction).

    With no ids, every source that has a PMID, PMCID or DOI. Fields a person set that the
    services do not know (design, note, references, url, kind) are left alone. A web article
    named by id is fetched again (kclaims.literature.web): the report says whether its text changed
    and warns of each catalog quote that no longer appears in it. `snapshot_only` re-reads the
    kept pages (sources/<id>.html) instead, without the network; with no ids, every kept page.

    Every page is fetched and every lookup answered before the first write, and the writes are one
    transaction: a page that cannot be had, a service that keeps failing or an edit refused part-way
    leaves every source as it was.
    """
    from kclaims.literature.client import command_deadline
    from kclaims.literature.resolve import Resolution, resolve
    from kclaims.literature.web import is_web_article, reread_pages

    catalog = load_catalog(root)
    targets = _refresh_targets(catalog, source_ids, snapshot_only)
    web = [s for s in targets if is_web_article(s) and (source_ids or snapshot_only)]
    report = SourcesResult()
    rest = [s for s in targets if s not in web]
    lookups = {} if snapshot_only else _lookups(rest, report, bool(source_ids))
    if snapshot_only:
        report.outcomes += [SourceOutcome(s.id, "failed", s.id, "not a web article with a saved page") for s in rest]
    with command_deadline():  # pages and lookups share the command's two minutes
        pages, report.requests = reread_pages(catalog, web, snapshot_only)
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


def _lookups(sources: list[Source], report: SourcesResult, named: bool) -> dict[str, Identifier]:
    """The identifier to look each source up by; a source named on the command line without one fails."""
    lookups: dict[str, Identifier] = {}
    for source in sources:
        identifier = _best_identifier(source)
        if identifier is not None:
            lookups[source.id] = identifier
        elif named:
            report.outcomes.append(SourceOutcome(source.id, "failed", source.id, "has no PMID, PMCID or DOI to look up"))
    return lookups


def _write_refreshed(catalog: Catalog, writes: CatalogWrites, report: SourcesResult,
                     pages: dict[str, PreparedPage | SourceOutcome],
                     snapshot_only: bool) -> None:
    from kclaims.literature.web import write_refreshed_page

    for source_id, prepared in pages.items():
        if isinstance(prepared, SourceOutcome):  # could not be re-read (no url, no saved page)
            report.outcomes.append(prepared)
            continue
        outcome, drift = write_refreshed_page(catalog, source_id, prepared, snapshot_only, writes)
        report.outcomes.append(outcome)
        report.warnings += drift


def _write_looked_up(catalog: Catalog, writes: CatalogWrites, report: SourcesResult, lookups: dict[str, Identifier],
                     resolution: Resolution) -> None:
    for source_id, identifier in lookups.items():
        record = resolution.records.get(identifier)
        if record is None:
            reason = resolution.failures.get(identifier, "not resolved")
            report.outcomes.append(SourceOutcome(str(identifier), "failed", source_id, reason))
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


def _refresh_one(writes: CatalogWrites, catalog: Catalog, current: Source, record: Source, given: str) -> SourceOutcome:
    changes = {}
    for name in RESOLVED_FIELDS:
        new, old = getattr(record, name), getattr(current, name)
        if is_empty(new) or new == old or not _service_may_change(name, old, new):
            continue
        changes[name] = new
    path = catalog.sources_dir / f"{current.id}.yaml"
    with writes.edit_yaml(path, lambda text: parse_source(text, path)) as document:
        for name, value in changes.items():
            set_key(document, name, value)
        set_key(document, "retrieved", dt.date.today().isoformat())
    if not changes:
        return SourceOutcome(given, "unchanged", current.id, "")
    described = "; ".join(_describe_change(name, getattr(current, name), value) for name, value in changes.items())
    return SourceOutcome(given, "updated", current.id, described)


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
    return "(empty)" if is_empty(value) else shorten(str(value), 60)


def import_bibtex(root: Path, path: Path, format_name: str | None = None) -> SourcesResult:
    """Add every entry of a bibliography file (BibTeX, RIS, MEDLINE or CSL-JSON, told by its content
    unless `format_name` names one) as a source, or merge it into the same paper already there."""
    from kclaims.literature.library import decode, detect_format

    decoded = decode(_read_bytes(path))
    format_name = format_name or detect_format(decoded.text)
    today = dt.date.today().isoformat()
    with catalog_writes(root) as writes:
        writer = SourceWriter(load_catalog(root))
        # A large BibTeX file is read by worker processes, which also make each new file's text
        prepare = preparer(writer.catalog.sources_dir, set(writer.taken), today)
        read = _read(decoded.text, format_name, prepare, path)
        report = SourcesResult(warnings=[f"{path}: {decoded.warning}"] if decoded.warning else [])
        report.warnings += [f"{path}:{line}: {message}" if line else f"{path}: {message}"
                            for line, message in read.warnings]
        for entry in read.entries:
            given = f"{path.name}:{entry.line} {entry.key}" if entry.line else f"{path.name} {entry.key}"
            record = entry.record if entry.record.retrieved else dataclasses.replace(entry.record, retrieved=today)
            report.outcomes.append(writer.add(given, record, preferred_id=entry.record.key, prepared=entry.prepared))
        writer.flush(writes)
    return report


def _read(text: str, format_name: str, prepare: Prepare, path: Path) -> BibRead:
    """The file's entries (at least one), or BadInput."""
    from kclaims.literature.library import read_library

    try:
        read = read_library(text, format_name, prepare)
    except ValueError as error:  # a CSL-JSON file that is not JSON after all
        raise BadInput(f"cannot read as {format_name}: {error}", path) from None
    if not read.entries:
        unreadable = f" ({len(read.warnings)} unreadable blocks)" if read.warnings else ""
        what = "BibTeX entries" if format_name == "bibtex" else f"{format_name} references"
        raise BadInput(f"no {what} found{unreadable}; is this a .bib, .ris, .nbib or CSL-JSON file?", path)
    return read


import_library = import_bibtex


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise BadInput(f"cannot read: {error.strerror}", path) from None
