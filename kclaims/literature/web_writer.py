"""New web-article sources: an id from the site and title, duplicates by URL, and the three files
(sources/<id>.html, .txt, .yaml) written in the command's one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kclaims.catalog.files import Catalog
from kclaims.catalog.writing import CatalogWrites
from kclaims.literature.ids import try_parse_identifier
from kclaims.literature.clean import printable_record
from kclaims.model import Invalid, Source, source_from_dict

if TYPE_CHECKING:
    from kclaims.literature.results import SourceOutcome
    from kclaims.literature.webpage import WebPage

WEB_KIND = "web-article"


ID_WORDS = 5


MAX_ID_LENGTH = 60


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "or", "ne", "go"})


_HOST_PREFIXES = ("www.", "www2.", "m.", "amp.", "mobile.")


@dataclass
class PreparedPage:
    """A page read and ready to be written: what was given, the record, and the bytes to keep."""

    given: str
    page: WebPage
    html: bytes
    read_from: str       # the URL after redirects (or the one given with --html)


@dataclass
class _NewArticle:
    source: Source
    page: WebPage
    html: bytes


class WebWriter:
    """New web-article sources for one catalog (under its lock): ids and duplicates when a page is
    added, the three files of each when flushed (see `flush`)."""

    def __init__(self, catalog: Catalog, taken: set[str]):
        self.catalog = catalog
        self.taken = taken
        self.by_url = {s.url: s.id for s in catalog.sources.values() if s.url}
        self.by_study = {key: s.id for s in catalog.sources.values() for key in s.study_keys()}
        self.planned: dict[str, _NewArticle] = {}

    def add(self, prepared: PreparedPage) -> SourceOutcome:
        """Plan a new source for a read page (nothing is written until `flush`); the outcome says
        what will be added, or why not (already in the catalog, or not storable)."""
        from kclaims.literature.results import SourceOutcome

        page = prepared.page
        address = page.canonical_url or prepared.read_from
        duplicate = self._duplicate(prepared, address)
        if duplicate is not None:
            return duplicate
        source = dataclasses.replace(self._record(page, address), id=web_source_id(page, address, self.taken))
        try:
            source_from_dict(web_source_yaml(source, page))
        except Invalid as error:
            return SourceOutcome(prepared.given, "failed", None, f"cannot be stored: {error.message}")
        self.taken.add(source.id)
        self.by_url[address] = source.id
        self.planned[source.id] = _NewArticle(source, page, prepared.html)
        return SourceOutcome(prepared.given, "added", source.id, describe_added(page, source, set(self.by_study)))

    def _duplicate(self, prepared: PreparedPage, address: str) -> SourceOutcome | None:
        from kclaims.literature.results import SourceOutcome

        for candidate in (address, prepared.read_from, prepared.given):
            if candidate in self.by_url:
                existing = self.by_url[candidate]
                where = "added above" if existing in self.planned else "already in the catalog"
                return SourceOutcome(prepared.given, "unchanged", existing,
                               f"{where} as {existing}; 'kclaims source refresh {existing}' fetches it again")
        return None

    def flush(self, writes: CatalogWrites) -> None:
        """Write each planned source's .html, .txt and then .yaml through `writes` (one transaction
        with the rest of the command). Call under the catalog lock."""
        from kclaims.catalog.source_file import safe_source_path

        for article in self.planned.values():
            yaml_path = safe_source_path(self.catalog.sources_dir, article.source.id)
            write_snapshot(writes, yaml_path, article.page, article.html)
            writes.new_yaml(yaml_path, web_source_yaml(article.source, article.page))
        self.planned.clear()

    def _record(self, page: WebPage, address: str) -> Source:
        references: dict[str, str] = {}
        for citation in page.references:
            key = _study_key(citation.identifier)
            if citation.marker and key in self.by_study:
                references.setdefault(citation.marker, self.by_study[key])
        return printable_record(Source(
            id="web", kind=WEB_KIND, title=page.title, authors=list(page.authors),
            year=int(page.published[:4]) if page.published else None, site=page.site, date=page.published,
            url=address, population="unknown", retrieved=dt.date.today().isoformat(), references=references))


def describe_added(page: WebPage, source: Source, known: set[str]) -> str:
    """One line for the report: what was found, and the command that adds the papers it cites
    (those whose PMID, PMCID or DOI is not among the `known` study keys)."""
    parts = [f"{source.title or '(no title)'!r}"]
    parts += [p for p in (source.site, source.date) if p]
    detail = ", ".join(parts) + f"; {len(page.text.split())} words of text"
    papers = list(dict.fromkeys(c.identifier for c in page.references if c.identifier))
    missing = [p for p in papers if _study_key(p) not in known]
    if papers:
        in_catalog = len(papers) - len(missing)
        detail += f"; cites {len(papers)} paper(s)" + (f", {in_catalog} already in the catalog" if in_catalog else "")
        if missing:
            detail += f"; add them with: kclaims source add {' '.join(missing)}"
    return detail


def _study_key(identifier: str | None) -> str | None:
    parsed = try_parse_identifier(identifier) if identifier else None
    if parsed is None or parsed.kind == "url":
        return None
    return f"{parsed.kind}:{parsed.value}"


def web_source_id(page: WebPage, address: str, taken: set[str]) -> str:
    """A readable, unused id for a web article (see the module docstring)."""
    from kclaims.literature.source_ids import new_source_id
    from kclaims.text import STOPWORDS, ascii_letters

    words = [ascii_letters(w) for w in re.split(r"[\s/_-]+", page.title or "")]
    words = [w for w in words if w and w not in STOPWORDS][:ID_WORDS]
    base = "-".join(w for w in [site_slug(address, page.site)] + words if w)[:MAX_ID_LENGTH].strip("-")
    record = Source(id="web", kind=WEB_KIND, title=page.title or "page",
                    year=int(page.published[:4]) if page.published else None)
    return new_source_id(record, taken, base or None)


def site_slug(url: str, site: str | None) -> str:
    """"https://www.healthline.com/x" -> "healthline"; for an IP address, the site name's first words."""
    from urllib.parse import urlsplit

    from kclaims.text import ascii_letters

    host = (urlsplit(url).hostname or "").lower()
    try:
        ipaddress.ip_address(host)
        host = ""
    except ValueError:
        pass
    if host and host != "localhost":
        for prefix in _HOST_PREFIXES:
            host = host.removeprefix(prefix)
        labels = host.split(".")
        if len(labels) > 1:
            labels = labels[:-1]
        if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
            labels = labels[:-1]
        return re.sub(r"[^a-z0-9-]", "", labels[-1])
    return "-".join(w for w in (ascii_letters(w) for w in (site or "").split()[:2]) if w)


def write_snapshot(writes: CatalogWrites, yaml_path: Path, page: WebPage, html: bytes | None) -> None:
    """Write sources/<id>.html (unless `html` is None) and sources/<id>.txt through `writes`."""
    yaml_path.parent.mkdir(exist_ok=True)
    if html is not None:
        writes.write(yaml_path.with_suffix(".html"), html)
    writes.write(yaml_path.with_suffix(".txt"), page.text.encode("utf-8"))


def web_source_yaml(source: Source, page: WebPage) -> dict[str, Any]:
    """The source's YAML mapping: the usual keys, plus `updated` after `date`, `language` after
    `url`, and `cites` (the article's own reference list) after `references`."""
    from kclaims.catalog.source_file import source_yaml

    extras = {"date": ("updated", page.updated), "url": ("language", page.language),
              "references": ("cites", [c.as_dict() for c in page.references])}
    data: dict[str, Any] = {}
    for key, value in source_yaml(source).items():
        data[key] = value
        if key in extras and extras[key][1]:
            data[extras[key][0]] = extras[key][1]
    return data
