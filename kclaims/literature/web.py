"""Web articles as sources: add one by its URL (or from a saved page), fetch it again, re-read it.

A web article is three files: `sources/<id>.yaml` (citation metadata), `sources/<id>.txt` (the
main text, which `kclaims check` reads to prove quotes verbatim) and `sources/<id>.html` (the page
exactly as received, so the text can be extracted again and audited). Every page of a command is
fetched and read (through one HTTP session) before the catalog's lock is taken; the files are then
written under it, each source's YAML after its text, as one transaction with everything else the
command writes (`catalog.catalog_writes`): a failure part-way leaves every file as it was.

Source ids for web articles (docs/web-articles.md): the site's short name (the registered domain
without its suffix: www.healthline.com -> healthline; for a bare IP address the site name from the
page) and up to five content words of the title, folded to lower-case ASCII, joined by "-",
at most 60 characters: "healthline-15-tips-overcome-binge-eating". Taken ids get "-2", "-3", …
as for any source; an id is checked again before a file is named after it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kclaims.catalog.files import Catalog, load_catalog, parse_source, read_catalog_file, read_catalog_text
from kclaims.catalog.writing import CatalogWrites, catalog_writes
from kclaims.errors import BadInput, KclaimsError
from kclaims.literature.ids import Identifier, try_parse_identifier
from kclaims.literature.web_writer import WEB_KIND, PreparedPage, write_snapshot
from kclaims.model import Source
from kclaims.text import normalise_quote_text, shorten

if TYPE_CHECKING:
    from kclaims.literature.client import HttpClient
    from kclaims.literature.results import SourceOutcome, SourcesResult
    from kclaims.literature.webpage import WebPage

_PAGE_FIELDS = ("title", "site", "authors", "date", "updated", "language")


def fetch_and_read(url: str, client: HttpClient | None = None) -> PreparedPage:
    """Download `url` (through `client`, a `resolve.HttpClient`, when given) and read it.
    NetworkError (exit 3) when it cannot be had, BadInput (exit 2) when it is not an HTML page or
    holds no article text."""
    from kclaims.literature.client import fetch_page
    from kclaims.literature.webpage import decode_html, read_page

    fetched = fetch_page(url, client)
    html, _ = decode_html(fetched.data, fetched.charset)
    return PreparedPage(url, read_page(html, fetched.final_url), fetched.data, fetched.final_url)


@contextlib.contextmanager
def _web_client(needed: bool) -> Iterator[HttpClient | None]:
    """One HTTP session for every page of a command (so the per-host rate limit spaces them), or
    None when nothing is fetched (requests is then not even imported)."""
    if not needed:
        yield None
        return
    from kclaims.literature.client import web_client

    with web_client() as client:
        yield client


def read_saved_page(path: Path, url: str) -> PreparedPage:
    """Read a page saved from a browser (`--html FILE --url URL`); no network."""
    from kclaims.literature.webpage import decode_html, looks_like_html, read_page

    address = web_address(url)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadInput(f"cannot read: {error.strerror}", path) from None
    if not looks_like_html(data) and b"<" not in data[:4096]:
        raise BadInput("not an HTML page (save the page from the browser as 'Web Page, HTML only')", path)
    html, _ = decode_html(data)
    return PreparedPage(str(path), read_page(html, address), data, address)


def web_address(url: str) -> str:
    """`url` normalised if it is an http(s) address, else BadInput (exit 2)."""
    identifier = try_parse_identifier(url)
    if identifier is None or identifier.kind != "url":
        raise BadInput(f"--url {url!r} is not a web address like https://example.org/article")
    return identifier.value


def add_saved_page(root: Path, html_file: Path, url: str) -> SourcesResult:
    """Add a page saved to a file as a web-article source (see `read_saved_page`)."""
    from kclaims.literature.results import SourcesResult
    from kclaims.literature.writer import SourceWriter

    prepared = read_saved_page(html_file, url)
    load_catalog(root)
    report = SourcesResult()
    with catalog_writes(root) as writes:
        writer = SourceWriter(load_catalog(root))
        report.outcomes.append(writer.web.add(prepared))
        writer.flush(writes)
    return report


def is_web_article(source: Source) -> bool:
    """A web article with no PMID, PMCID or DOI: refreshed by fetching its page, not by a lookup."""
    return source.kind == WEB_KIND and not source.study_keys()


def reread_pages(catalog: Catalog, sources: list[Source],
                 snapshot_only: bool) -> tuple[dict[str, PreparedPage | SourceOutcome], int]:
    """Fetch each web article again (or, `snapshot_only`, read its kept page again, with no network),
    all before anything is written. Returns ({source id: PreparedPage, or a failed SourceOutcome when there
    is nothing to re-read}, requests sent). A page that cannot be had raises as `add` does, naming
    the source."""
    from kclaims.literature.results import SourceOutcome

    pages: dict[str, PreparedPage | SourceOutcome] = {}
    with _web_client(not snapshot_only and any(s.url for s in sources)) as client:
        for source in sources:
            try:
                pages[source.id] = _reread(catalog, source, snapshot_only, client)
            except _CannotRefresh as reason:
                pages[source.id] = SourceOutcome(source.url or source.id, "failed", source.id, str(reason))
            except KclaimsError as error:
                if error.path is None:
                    error.path = f"sources/{source.id}.yaml"
                raise
        return pages, client.requests if client is not None else 0


def write_refreshed_page(catalog: Catalog, source_id: str, prepared: PreparedPage, snapshot_only: bool,
                         writes: CatalogWrites) -> tuple[SourceOutcome, list[str]]:
    """Rewrite a re-read web article's snapshot (and kept page) and update its YAML, through
    `writes`; report whether the text changed and which catalog quotes no longer appear in it.
    Returns (outcome, warnings). Call under the catalog lock."""
    source = catalog.source(source_id)
    old_text = _read_snapshot(catalog.snapshot_path(source_id))
    drift = drifted_quotes(catalog, source_id, old_text, prepared.page.text)
    changes = _metadata_changes(source, prepared.page)
    yaml_path = catalog.sources_dir / f"{source_id}.yaml"
    write_snapshot(writes, yaml_path, prepared.page, None if snapshot_only else prepared.html)
    _update_yaml(writes, yaml_path, prepared.page, changes, retrieved=not snapshot_only)
    outcome = _refresh_outcome(source.url or source_id, source_id, old_text, prepared.page.text, changes, drift)
    return outcome, drift


class _CannotRefresh(Exception):
    pass


def _reread(catalog: Catalog, source: Source, snapshot_only: bool, client: HttpClient | None) -> PreparedPage:
    from kclaims.literature.webpage import decode_html, read_page

    html_path = catalog.sources_dir / f"{source.id}.html"
    if snapshot_only:
        if not html_path.is_file():
            raise _CannotRefresh(f"no saved page sources/{source.id}.html (it was added without one); "
                                 f"'kclaims source refresh {source.id}' fetches the page")
        data, _ = read_catalog_file(html_path)
        html, _ = decode_html(data)
        return PreparedPage(source.id, read_page(html, source.url or "http://localhost/"), data, source.url or "")
    if not source.url:
        raise _CannotRefresh("has no url to fetch; add the address to its url: line, or re-add the page with "
                             "'kclaims source add --html FILE --url URL'")
    return fetch_and_read(source.url, client)


def _read_snapshot(path: Path) -> str | None:
    try:
        return read_catalog_text(path)
    except BadInput:
        return None


def drifted_quotes(catalog: Catalog, source_id: str, old_text: str | None, new_text: str) -> list[str]:
    """One message per catalog quote of `source_id` that the new text no longer contains."""
    new = normalise_quote_text(new_text)
    old = normalise_quote_text(old_text) if old_text is not None else None
    messages = []
    for claim in catalog.claims:
        for quote in claim.made_in:
            if quote.source != source_id or normalise_quote_text(quote.text) in new:
                continue
            was = "" if old is None or normalise_quote_text(quote.text) in old else " (it was not in the old snapshot either)"
            messages.append(f"sources/{source_id}.txt: the quote of claim {claim.id!r} no longer appears{was}: "
                            f"{shorten(quote.text)!r}")
    return messages


def _metadata_changes(source: Source, page: WebPage) -> dict[str, Any]:
    found = {"title": page.title, "site": page.site, "authors": list(page.authors), "date": page.published}
    return {k: v for k, v in found.items() if v and v != getattr(source, k)}


def _update_yaml(writes: CatalogWrites, path: Path, page: WebPage, changes: dict[str, Any], retrieved: bool) -> None:
    from kclaims.catalog.source_file import set_key

    with writes.edit_yaml(path, lambda text: parse_source(text, path)) as document:
        for name, value in changes.items():
            set_key(document, name, value)
        if "date" in changes:
            set_key(document, "year", int(changes["date"][:4]))
        for key, value, after in (("updated", page.updated, "date"), ("language", page.language, "url")):
            if value and document.get(key) != value:
                _set_after(document, key, value, after)
        if page.references:
            _set_after(document, "cites", [c.as_dict() for c in page.references], "references")
        if retrieved:
            set_key(document, "retrieved", dt.date.today().isoformat())


def _set_after(document: Any, key: str, value: Any, after: str) -> None:
    if key in document:
        document[key] = value
        return
    keys = list(document)
    position = keys.index(after) + 1 if after in keys else len(keys)
    document.insert(position, key, value)


def _refresh_outcome(given: str, source_id: str, old_text: str | None, new_text: str, changes: dict[str, Any],
                     drift: list[str]) -> SourceOutcome:
    from kclaims.literature.results import SourceOutcome

    if old_text is None:
        text = "text saved (there was no snapshot before)"
    elif normalise_quote_text(old_text) == normalise_quote_text(new_text):
        text = "text unchanged"
    else:
        text = "TEXT CHANGED"
    parts = [text]
    if changes:
        parts.append("; ".join(f"{k}: {v}" for k, v in changes.items()))
    if drift:
        parts.append(f"{len(drift)} quote(s) of the catalog no longer appear in it")
    action = "updated" if changes or text != "text unchanged" else "unchanged"
    return SourceOutcome(given, action, source_id, "; ".join(parts))


def prepare_pages(identifiers: list[Identifier], offline: bool) -> tuple[dict[Identifier, PreparedPage], int]:
    """Fetch and read every web address among `identifiers` (before anything is written), through
    one HTTP session; with `offline`, none. Returns the pages and the number of requests sent."""
    pages: dict[Identifier, PreparedPage] = {}
    addresses = [] if offline else list(dict.fromkeys(i for i in identifiers if i.kind == "url"))
    with _web_client(bool(addresses)) as client:
        for identifier in addresses:
            pages[identifier] = fetch_and_read(identifier.value, client)  # every message names the address
        return pages, client.requests if client is not None else 0
