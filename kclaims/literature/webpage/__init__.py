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
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from kclaims.errors import BadInput
from kclaims.literature.webpage.metadata import (
    PageMetadata,
)
from kclaims.literature.webpage.references import Citation, references_in_page
from kclaims.text import collapse_spaces, squash, strip_controls

HTML_TYPES = ("text/html", "application/xhtml+xml")


SAVE_FROM_BROWSER = "save the page from your browser and add it with --html FILE --url URL"


META_PRESCAN_BYTES = 65536  # pages declare their charset as late as byte 13,000 (fixtures README)


_BOM = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.IGNORECASE)




_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)




_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


# Text codecs no web page is written in: UTF-7 (decodes "+ADw-script" to markup, so WHATWG forbids it)
# and Python's codecs for escapes and host names.
_NOT_PAGE_ENCODINGS = frozenset({"utf-7", "idna", "punycode", "unicode-escape", "raw-unicode-escape"})


_LATIN1 = frozenset({"iso-8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii", "cp1252", "windows-1252",
                     "iso8859-1", "iso_8859-1"})


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


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """The page's text and the encoding used: a byte-order mark, else the charset the server
    `declared`, else a `<meta>` charset, else UTF-8, else a guess (charset_normalizer). A declared
    charset that cannot decode the bytes, or Latin-1 declared for valid UTF-8, is overruled."""
    for bom, encoding in _BOM:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), encoding
    for candidate in (declared, _meta_charset(data)):
        usable = _usable(candidate, data)
        if usable:
            return data.decode(usable), usable
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


def content_kind(content_type: str) -> str:
    """A content type as a message names it: "a PDF document", "an image (image/png)"."""
    if content_type == "application/pdf":
        return "a PDF document"
    if content_type.startswith("image/"):
        return f"an image ({content_type})"
    return f"{content_type!r}"


def binary_kind(data: bytes) -> str | None:
    """What a body is when its first bytes say it is no page at all (a PDF, an image, a ZIP)."""
    for magic, kind in ((b"%PDF-", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
                        (b"GIF8", "a GIF image"), (b"PK\x03\x04", "a ZIP archive")):
        if data.startswith(magic):
            return kind
    return None


def read_page(html: str, url: str) -> WebPage:
    """Metadata, main text and references of a page (decoded text) found at `url`.

    Raises BadInput when the page has no article text (e.g. one that needs JavaScript)."""
    _quiet_libraries()
    tree = _parse(html)
    meta = PageMetadata(tree, url)
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
        references=[_printable_citation(c) for c in references_in_page(tree, html, url)],
    )


def printable(text: str, multiline: bool = False) -> str:
    """`text` without what must not reach a YAML file (kclaims.text.strip_controls), every line break
    a newline when `multiline`, else every run of whitespace one space."""
    if multiline:
        return strip_controls(_LINE_BREAKS.sub("\n", text))
    return collapse_spaces(strip_controls(text))


def _printable_or_none(text: str | None) -> str | None:
    return (printable(text) or None) if text else None


def _printable_citation(citation: Citation) -> Citation:
    return Citation(_printable_or_none(citation.marker), printable(citation.url),
                    _printable_or_none(citation.identifier), printable(citation.text))


def snapshot_text(title: str | None, body: str) -> str:
    """The .txt snapshot: the title, then each paragraph, separated by blank lines."""
    paragraphs = [line.strip() for line in body.splitlines() if line.strip()]
    if title and paragraphs and squash(paragraphs[0]) == squash(title):
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


