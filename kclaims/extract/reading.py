"""Reading an article file (plain text, Markdown or HTML) into an `Article`."""

from __future__ import annotations

import re
from pathlib import Path

from kclaims.errors import BadInput
from kclaims.extract.article import FORMATS, HTML_SUFFIXES, MARKDOWN_SUFFIXES, Article
from kclaims.extract.html import html_to_text
from kclaims.extract.markdown import markdown_to_text


def read_article(path: Path, fmt: str = "auto") -> Article:
    """Read an article file (plain text, Markdown or HTML); BadInput if it is missing or not text."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInput("no such file", path) from None
    except IsADirectoryError:
        raise BadInput("is a folder, not an article file", path) from None
    except OSError as error:
        raise BadInput(f"cannot read: {error.strerror}", path) from None
    if fmt == "auto":
        fmt = _format_from_suffix(path.suffix.lower())
    return article_from_bytes(data, fmt, path)


def _format_from_suffix(suffix: str) -> str:
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    return "auto"


def article_from_bytes(data: bytes, fmt: str = "auto", where: Path | str | None = None) -> Article:
    """Decode and convert an article; `fmt` "auto" sniffs HTML, else takes plain text. HTML is
    decoded as `kclaims source add --html` decodes it (`webpage.decode_html`: byte-order mark,
    `<meta charset>`, UTF-8, else a guess); text and Markdown must be UTF-8."""
    from kclaims.literature.webpage import decode_html, looks_like_html

    if data.startswith(b"%PDF"):
        raise BadInput("is a PDF; save the article as text or HTML first", where)
    if fmt == "html" or (fmt == "auto" and looks_like_html(data)):
        text, _ = decode_html(data)
        _refuse_binary(text, where)
        return article_from_text(text, "html")
    _refuse_binary(data, where)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(f"is not UTF-8 text ({error.reason} at byte {error.start})", where) from None
    return article_from_text(text, fmt)


def _refuse_binary(data: bytes | str, where: Path | str | None) -> None:
    if (b"\x00" in data) if isinstance(data, bytes) else ("\x00" in data):
        raise BadInput("is not a text file (it holds binary data); give a .txt, .md or .html article", where)


def article_from_text(text: str, fmt: str = "auto") -> Article:
    """Convert decoded text; line ends are normalised to "\\n" first (offsets index the result)."""
    from kclaims.literature.webpage import looks_like_html

    if fmt not in FORMATS:
        raise BadInput(f"format {fmt!r} is not one of: {', '.join(FORMATS)}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "auto":
        fmt = "html" if looks_like_html(text[:1024].encode("utf-8", "replace")) else "text"
    if fmt == "html":
        return html_to_text(text)
    if fmt == "markdown":
        return markdown_to_text(text)
    return Article(text, "text", inserted=[match.span() for match in _GLUED_MARKER.finditer(text)])


# A superscript number that lost its markup in a text snapshot ("adults.1 Research"): a citation
# marker, not the article's words, so a recorded quote leaves it out.
_GLUED_MARKER = re.compile(r"(?<=[a-z][.!?])\d{1,3}(?:[,–-]\d{1,3})*(?=[ \t]+[\"“‘'(\[]?[A-Z])")
