"""Read a saved web page: what a citation needs, the article's main text, and the papers it cites.

Pure: bytes or text in, a `WebPage` record out; no network, no files. This is the only module
that imports the extraction library (trafilatura, chosen by measurement: docs/web-articles.md),
and it imports it only when a page is read, so `kclaims --version` stays fast.

- Main text: trafilatura (navigation, adverts, share buttons, cookie banners, comments and
  teasers left out), one paragraph per block, blank lines between them, the title first.
- Metadata, first found wins: JSON-LD (the article object: headline, author, datePublished,
  dateModified, publisher, inLanguage), OpenGraph and `article:` meta tags, other meta tags
  (author, date, parsely-pub-date, DC), `<title>`, `<html lang>`, `<link rel=canonical>`; the
  date, when no tag gives one, from htmldate (trafilatura's date finder).
- Dates are YYYY-MM-DD as the publisher's clock showed them: a UTC timestamp in JSON-LD
  (2019-10-18T22:04Z) gives way to the same instant written with the local offset elsewhere in
  the page (Sat, 19 Oct 2019 00:04 +0200 -> 2019-10-19).
- Every string kept (metadata, references, text) is stripped of what does not belong in a YAML file
  or on a terminal: lone surrogates (from JSON-LD escapes like "\\ud800"), control characters
  (escape sequences, BEL; the text keeps its line breaks and tabs), bidirectional overrides, stray
  byte-order marks. Dates outside the years 1000-2999 are dropped as nonsense.
- References: the article's own list (a "Sources"/"References" heading followed by numbered
  items) and every link in the main text that names a paper (PubMed, PMC, doi.org, or a DOI
  in a publisher's link), with its marker when the link text is a number like "12" or "[12]".
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from kclaims.errors import BadInput
from kclaims.literature.ids import normalize_doi, try_parse_identifier

HTML_TYPES = ("text/html", "application/xhtml+xml")
SAVE_FROM_BROWSER = "save the page from your browser and add it with --html FILE --url URL"
PLAUSIBLE_YEARS = range(1000, 3000)  # what a source's `year` may be (kclaims.model)
META_PRESCAN_BYTES = 65536  # pages declare their charset as late as byte 13,000 (fixtures README)
ARTICLE_TYPES = ("Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
                 "OpinionNewsArticle", "TechArticle", "ScholarlyArticle", "MedicalScholarlyArticle",
                 "MedicalWebPage", "Report", "SocialMediaPosting", "LiveBlogPosting")
REFERENCE_HEADINGS = frozenset({"sources", "source", "references", "reference", "citations", "bibliography",
                                "works cited", "literature", "literature cited", "quellen", "literatur",
                                "références", "referencias", "bibliografía", "источники", "литература"})
CREDENTIALS = frozenset("ma ms msc bsc ba bs phd md do rd rdn ld ldn rn np pa pharmd dnp mph drph cde cpt cscs "
                        "facp facs mba jd psyd lcsw lpc dc dpm ibclc ccc-slp cnm mft lmft aprn fnp-bc".split())
_BOM = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.IGNORECASE)
_CDATA = re.compile(r"(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_MARKER = re.compile(r"^\s*\[?\(?(\d{1,3})[\].)]?\s*$")
_LEADING_MARKER = re.compile(r"^\s*(?:\[(\d{1,3})\]|(\d{1,3})[.)])\s*")
_DOI_IN_PATH = re.compile(r"(10\.[0-9]{4,9}/[^\s?#&]+)")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—·:]\s+")
# C0 and C1 controls but tab and newline, bidirectional embeddings, overrides and isolates, the BOM
# (a zero-width no-break space nobody means mid-text), and surrogates, which only a JSON escape can
# put in a str and which no file can hold.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Text codecs no web page is written in: UTF-7 (decodes "+ADw-script" to markup, so WHATWG forbids it)
# and Python's codecs for escapes and host names.
_NOT_PAGE_ENCODINGS = frozenset({"utf-7", "idna", "punycode", "unicode-escape", "raw-unicode-escape"})
_LATIN1 = frozenset({"iso-8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii", "cp1252", "windows-1252",
                     "iso8859-1", "iso_8859-1"})


@dataclass(frozen=True)
class Citation:
    """One entry of an article's references: a paper (identifier set) or another web page."""

    marker: str | None   # "12" for a link written [12] or (12), else None
    url: str
    identifier: str | None  # "PMC4810965", "pmid:16894061", "doi:10.1001/…" when the link names a paper
    text: str

    def as_dict(self) -> dict[str, str]:
        data = {"marker": self.marker, "id": self.identifier, "url": self.url}
        return {k: v for k, v in data.items() if v}


@dataclass
class WebPage:
    """What kclaims keeps of a web article."""

    url: str                        # where the page was read from
    canonical_url: str | None       # what the page says its own address is
    title: str | None
    site: str | None
    authors: list[str] = field(default_factory=list)
    published: str | None = None    # YYYY-MM-DD
    updated: str | None = None
    language: str | None = None
    text: str = ""                  # the snapshot: title, then the main text, paragraphs apart
    references: list[Citation] = field(default_factory=list)


# --- bytes to text ----------------------------------------------------------------------------


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """The page's text and the encoding used: a byte-order mark, else the charset the server
    `declared`, else a `<meta>` charset, else UTF-8, else a guess (charset_normalizer). A declared
    charset that cannot decode the bytes, or Latin-1 declared for valid UTF-8, is overruled."""
    for bom, encoding in _BOM:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), encoding
    for candidate in (declared, _meta_charset(data)):
        encoding = _usable(candidate, data)
        if encoding:
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace"), encoding


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:META_PRESCAN_BYTES])
    return match.group(1).decode("ascii", "replace") if match else None


def _usable(name: str | None, data: bytes) -> str | None:
    encoding = text_encoding(name)
    if encoding is None:
        return None
    if encoding in {codecs.lookup(n).name for n in ("latin-1", "ascii", "cp1252")}:
        if _is_utf8_with_non_ascii(data):
            return "utf-8"  # a server default contradicted by the bytes themselves
        encoding = "cp1252"  # WHATWG: "iso-8859-1" and "ascii" labels mean windows-1252
    try:
        data.decode(encoding)
    except (UnicodeError, LookupError):
        return "latin-1" if encoding == "cp1252" else None
    return encoding


def text_encoding(name: str | None) -> str | None:
    """Python's name for the text encoding a charset label names, or None for an unknown label and
    for codecs that are not text encodings (rot13, base64, hex, zlib: a page cannot be in those)."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_ENCODINGS:
        return None
    return info.name


def _is_utf8_with_non_ascii(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(b > 127 for b in data)


def looks_like_html(data: bytes) -> bool:
    """True when the first bytes look like markup (for a server that names no content type)."""
    head = data[:1024].lstrip().lower()
    for bom, _ in _BOM:
        head = head.removeprefix(bom)
    return head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<!--", b"<body", b"<meta"))


# --- reading a page ---------------------------------------------------------------------------


def read_page(html: str, url: str) -> WebPage:
    """Metadata, main text and references of a page (decoded text) found at `url`.

    Raises BadInput when the page has no article text (e.g. one that needs JavaScript)."""
    _quiet_libraries()
    tree = _parse(html)
    meta = _Metadata(tree, url)
    text = printable(_main_text(html, url), multiline=True)
    if not text.strip():
        raise BadInput(f"found no article text in {url} (a page that needs JavaScript, or not an article?); "
                       f"{SAVE_FROM_BROWSER}")
    title = _printable_or_none(meta.title())
    return WebPage(
        url=url, canonical_url=_printable_or_none(meta.canonical()), title=title,
        site=_printable_or_none(meta.site()), authors=[a for a in map(printable, meta.authors()) if a],
        published=_printable_or_none(meta.published(html)), updated=_printable_or_none(meta.updated()),
        language=_printable_or_none(meta.language()), text=snapshot_text(title, text),
        references=[_printable_citation(c) for c in _references(tree, html, url)],
    )


def printable(text: str, multiline: bool = False) -> str:
    """`text` without what must not reach a YAML file or a terminal (see the module docstring);
    `multiline` keeps line breaks (as newlines) and tabs, else every run of whitespace is one space."""
    if multiline:
        return _UNPRINTABLE.sub("", _LINE_BREAKS.sub("\n", text))
    return " ".join(_UNPRINTABLE.sub("", text).split())


def _printable_or_none(text: str | None) -> str | None:
    return (printable(text) or None) if text else None


def _printable_citation(citation: Citation) -> Citation:
    return Citation(_printable_or_none(citation.marker), printable(citation.url),
                    _printable_or_none(citation.identifier), printable(citation.text))


def snapshot_text(title: str | None, body: str) -> str:
    """The .txt snapshot: the title, then each paragraph, separated by blank lines."""
    paragraphs = [line.strip() for line in body.splitlines() if line.strip()]
    if title and paragraphs and _squash(paragraphs[0]) == _squash(title):
        paragraphs = paragraphs[1:]
    return "\n\n".join(([title] if title else []) + paragraphs) + "\n"


def _quiet_libraries() -> None:
    # The core never prints: these libraries log warnings about odd pages to stderr otherwise.
    for name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _parse(html: str) -> Any:
    from lxml import etree
    from lxml import html as lxml_html

    source = _XML_DECLARATION.sub("", html, count=1)  # lxml refuses text that declares an encoding
    try:
        return lxml_html.document_fromstring(source or "<html></html>")
    except (etree.ParserError, ValueError):
        return lxml_html.document_fromstring("<html></html>")


def _main_text(html: str, url: str) -> str:
    import trafilatura

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True,
                               include_links=False, with_metadata=False, deduplicate=False)
    if not text:  # short pages: the recall-oriented settings keep more
        text = trafilatura.extract(html, url=url, include_comments=False, favor_recall=True)
    return text or ""


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- metadata ---------------------------------------------------------------------------------


class _Metadata:
    """The page's structured data, read once; each field asks its sources in order."""

    def __init__(self, tree: Any, url: str):
        self.tree = tree
        self.url = url
        self.meta = _meta_tags(tree)
        self.objects = _json_ld_objects(tree)
        self.article = _pick_article(self.objects)

    def title(self) -> str | None:
        for value in (self.meta.get("og:title"), self.meta.get("twitter:title"), _text(self.article.get("headline")),
                      self._document_title()):
            if value and value.strip():
                return _clean(value)
        return None

    def _document_title(self) -> str | None:
        element = self.tree.find(".//title")
        if element is None or not element.text_content().strip():
            return None
        return strip_site_name(_clean(element.text_content()), self.site(), self.url)

    def site(self) -> str | None:
        publisher = self.article.get("publisher")
        for value in (self.meta.get("og:site_name"), _name(publisher), self.meta.get("application-name")):
            if value and value.strip():
                return _clean(value)
        return None

    def authors(self) -> list[str]:
        found = _people(self.article.get("author")) or _people(self.article.get("author"), organisations=True)
        if not found:
            for key in ("author", "article:author", "parsely-author", "dc.creator", "citation_author", "byl"):
                value = self.meta.get(key)
                if value and not value.startswith(("http://", "https://")):
                    return split_authors(value)
        return found

    def published(self, html: str) -> str | None:
        values = [_text(self.article.get("datePublished"))]
        values += [self.meta.get(k) for k in ("article:published_time", "og:published_time", "datepublished",
                                              "parsely-pub-date", "pub_date", "publishdate", "date", "dc.date",
                                              "dc.date.issued", "dcterms.date", "citation_publication_date",
                                              "sailthru.date")]
        found = _first_date([v for v in values if v], self._all_dates())
        return found or self._guessed_date(html)

    def updated(self) -> str | None:
        values = [_text(self.article.get("dateModified"))]
        values += [self.meta.get(k) for k in ("article:modified_time", "og:updated_time", "datemodified",
                                              "last-modified", "dcterms.modified")]
        return _first_date([v for v in values if v], self._all_dates())

    def _all_dates(self) -> list[dt.datetime]:
        stamps = []
        for value in list(self.meta.values()) + [_text(o.get(k)) for o in self.objects
                                                  for k in ("datePublished", "dateModified")]:
            parsed = _parse_datetime(value) if value else None
            if isinstance(parsed, dt.datetime) and parsed.tzinfo is not None:
                stamps.append(parsed)
        return stamps

    def _guessed_date(self, html: str) -> str | None:
        from htmldate import find_date

        try:
            found = find_date(html, url=self.url, extensive_search=False, original_date=True)
        except Exception:  # a heuristic only: an odd page must not stop the command
            return None
        return found if _plausible(found) else None

    def language(self) -> str | None:
        root = self.tree
        for value in (root.get("lang"), root.get("{http://www.w3.org/XML/1998/namespace}lang"), root.get("xml:lang"),
                      self.meta.get("content-language"), _text(self.article.get("inLanguage")),
                      (self.meta.get("og:locale") or "").replace("_", "-")):
            if value and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value.strip()):
                return value.strip()
        return None

    def canonical(self) -> str | None:
        for link in self.tree.iter("link"):
            if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
                return _absolute(self.url, link.get("href"))
        value = self.meta.get("og:url")
        return _absolute(self.url, value) if value else None


def _meta_tags(tree: Any) -> dict[str, str]:
    """`<meta>` name/property/itemprop/http-equiv (lower-cased) -> content; the first one wins."""
    tags: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or element.get("http-equiv")
        content = element.get("content")
        if key and content and content.strip():
            tags.setdefault(key.strip().lower(), content.strip())
    for element in tree.xpath("//*[@itemprop='datePublished' or @itemprop='dateModified'][@datetime]"):
        tags.setdefault(element.get("itemprop").lower(), element.get("datetime"))
    return tags


def _json_ld_objects(tree: Any) -> list[dict]:
    objects: list[dict] = []
    for script in tree.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"):
        text = _CDATA.sub("", script.text_content())
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            continue
        _collect(data, objects)
    return objects


def _collect(data: Any, into: list[dict]) -> None:
    if isinstance(data, list):
        for item in data:
            _collect(item, into)
    elif isinstance(data, dict):
        into.append(data)
        if "@graph" in data:
            _collect(data["@graph"], into)


def _types(obj: dict) -> list[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return [str(v).rsplit("/", 1)[-1] for v in values if v]


def _pick_article(objects: list[dict]) -> dict:
    for wanted in (ARTICLE_TYPES, ("WebPage",)):
        for obj in objects:
            if any(t in wanted for t in _types(obj)):
                return obj
    return {}


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        return _text(value[0])
    if isinstance(value, dict):
        return _text(value.get("@value") or value.get("name"))
    return None


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _text(value.get("name"))
    return value if isinstance(value, str) else None


def _people(value: Any, organisations: bool = False) -> list[str]:
    """Author names from a JSON-LD `author` (a name, a Person, or a list); organisations only when
    asked (a clinic that signs its own blog is its author; a newspaper beside its writer is not)."""
    items = value if isinstance(value, list) else [value] if value else []
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            if any(t.endswith("Organization") for t in _types(item)) != organisations:
                continue
            item = _text(item.get("name"))
        if isinstance(item, str) and item.strip() and not item.startswith(("http://", "https://")):
            names += [n for n in split_authors(item) if n not in names]
    return names


def split_authors(byline: str) -> list[str]:
    """Names from a byline: "By Rachael Link, MS, RD and Jo Doe" -> ["Rachael Link", "Jo Doe"]."""
    byline = re.sub(r"^\s*(by|von|par|por)\s+", "", _clean(byline), flags=re.IGNORECASE)
    names: list[str] = []
    for part in re.split(r"\s*(?:;|,|&|\||\band\b|\bund\b)\s*", byline):
        part = part.strip(" .")
        if not part or part.replace(".", "").casefold() in CREDENTIALS:
            continue
        if part not in names:
            names.append(part)
    return names


def strip_site_name(title: str, site: str | None, url: str) -> str:
    """"Article title | Site" -> "Article title", when the part cut off names the site or its host."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    host = re.sub(r"[^a-z0-9]", "", (urlsplit(url).hostname or "").casefold())
    names = {re.sub(r"[^a-z0-9]", "", (site or "").casefold())} - {""}

    def names_site(part: str) -> bool:
        folded = re.sub(r"[^a-z0-9]", "", part.casefold())
        return bool(folded) and (folded in names or folded in host)

    if names_site(parts[-1]):
        return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
    if names_site(parts[0]):
        return parts[-1] if len(parts) == 2 else title
    return title


def _clean(text: str) -> str:
    return " ".join(text.split())


def _absolute(base: str, href: str) -> str | None:
    url = urljoin(base, href.strip())
    return url if urlsplit(url).scheme in ("http", "https") else None


# --- dates ------------------------------------------------------------------------------------


def _parse_datetime(value: str) -> dt.datetime | dt.date | None:
    value = value.strip()
    try:
        return dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        pass
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    try:
        return email.utils.parsedate_to_datetime(value)  # "Sat, 19 Oct 2019 00:04:00 +0200"
    except (TypeError, ValueError, IndexError):
        return None


def _plausible(date: str | None) -> bool:
    return bool(date) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date or "") is not None and \
        int((date or "")[:4]) in PLAUSIBLE_YEARS


def _first_date(values: list[str], stamps: list[dt.datetime]) -> str | None:
    for value in values:
        parsed = _parse_datetime(value)
        if parsed is None or parsed.year not in PLAUSIBLE_YEARS:
            continue
        if isinstance(parsed, dt.datetime):
            return _local_date(parsed, stamps).isoformat()
        return parsed.isoformat()
    return None


def _local_date(moment: dt.datetime, stamps: list[dt.datetime]) -> dt.date:
    """The date of `moment`; for a UTC time, the date the same instant has where the page states a
    local offset for it (the publisher's calendar, not Greenwich's)."""
    if moment.tzinfo is not None and moment.utcoffset() == dt.timedelta(0):
        for other in stamps:
            if other.utcoffset() != dt.timedelta(0) and abs((other - moment).total_seconds()) < 60:
                return other.date()
    return moment.date()


# --- references -------------------------------------------------------------------------------


def _references(tree: Any, html: str, url: str) -> list[Citation]:
    listed = _reference_list(tree, url)
    found = list(listed)
    seen = {(c.marker, c.identifier or c.url) for c in found}
    papers = {c.identifier or c.url for c in found}
    for citation in _paper_links(html, url):
        key = (citation.marker, citation.identifier or citation.url)
        if key in seen or (citation.marker is None and key[1] in papers):
            continue  # the same paper again, or a link to an entry of the list above
        seen.add(key)
        papers.add(key[1])
        found.append(citation)
    return found


def _paper_links(html: str, url: str) -> list[Citation]:
    """Links in the main text (as trafilatura finds it) that name a paper."""
    from trafilatura import bare_extraction

    try:
        document = bare_extraction(html, url=url, include_links=True, include_comments=False, with_metadata=False)
    except Exception:  # references are a bonus: an odd page must not stop the command
        return []
    body = getattr(document, "body", None)
    if body is None:
        return []
    citations = []
    for ref in body.iter("ref"):
        target = _absolute(url, ref.get("target") or "")
        identifier = paper_identifier(target) if target else None
        if target and identifier:
            text = _clean("".join(ref.itertext()))
            match = _MARKER.match(text)
            citations.append(Citation(match.group(1) if match else None, target, identifier, text[:200]))
    return citations


def paper_identifier(url: str) -> str | None:
    """"PMC…", "pmid:…" or "doi:…" when `url` names a paper (PubMed, PMC, doi.org, or a DOI in
    a publisher's path like /lookup/doi/10.1136/bcr-2019-231237), else None."""
    identifier = try_parse_identifier(url)
    if identifier is not None and identifier.kind != "url":
        return str(identifier)
    match = _DOI_IN_PATH.search(urlsplit(url).path)
    doi = normalize_doi(match.group(1)) if match else None
    return f"doi:{doi}" if doi else None


def _reference_list(tree: Any, url: str) -> list[Citation]:
    """The entries under a "Sources" / "References" heading: list items, or paragraphs that start
    with a marker like [1] or 1."""
    heading = _reference_heading(tree)
    if heading is None:
        return []
    citations: list[Citation] = []
    for sibling in heading.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag in ("h1", "h2", "h3", "h4", "h5", "h6") or _is_heading_paragraph(sibling):
            break
        items = sibling.findall(".//li") if sibling.tag in ("ol", "ul") else [sibling]
        numbered = sibling.tag in ("ol", "ul")
        for position, item in enumerate(items, start=1):
            citation = _entry(item, url, position if numbered else None)
            if citation is None and not numbered:
                return citations
            if citation is not None:
                citations.append(citation)
    return citations


def _reference_heading(tree: Any) -> Any:
    for element in tree.iter("h1", "h2", "h3", "h4", "h5", "h6", "p", "strong", "b", "div"):
        if _squash(element.text_content()).rstrip(":") in REFERENCE_HEADINGS:
            parent = element.getparent()
            if element.tag in ("strong", "b") and parent is not None and _squash(parent.text_content()).rstrip(":") \
                    in REFERENCE_HEADINGS:
                return parent
            return element
    return None


def _is_heading_paragraph(element: Any) -> bool:
    return element.tag == "p" and len(element) == 1 and element[0].tag in ("strong", "b") and \
        _squash(element.text_content()) == _squash(element[0].text_content()) and len(element.text_content()) < 80


def _entry(item: Any, url: str, position: int | None) -> Citation | None:
    text = _clean(item.text_content())
    if not text:
        return None
    leading = _LEADING_MARKER.match(text)
    if leading is None and position is None:
        return None  # prose after the list ("Originally published at …") is not a reference
    marker = (leading.group(1) or leading.group(2)) if leading else str(position)
    links = [_absolute(url, a.get("href") or "") for a in item.iter("a")]
    links = [link for link in links if link]
    if not links:
        links = re.findall(r"https?://[^\s<>\"']+", text)
    target = links[0].rstrip(".,;") if links else ""
    identifier = paper_identifier(target) if target else None
    if identifier is None:
        from kclaims.literature.ids import find_identifiers

        papers = [i for i in find_identifiers(text) if i.kind != "url"]
        identifier = str(papers[0]) if papers else None
    return Citation(marker, target, identifier, text[:300])
