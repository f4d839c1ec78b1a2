"""BibTeX in and out: the only module that imports bibtexparser (v2).

`read_bibtex(text)` turns a .bib file into records (`Source` objects with an empty id) plus
warnings naming the line of anything that could not be read; it never drops an entry that
bibtexparser could read, including entries whose key repeats an earlier one. `write_bibtex`
turns sources into BibTeX text. Both are pure: no files, no network.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kclaims.grade import is_retracted
from kclaims.literature.ids import (
    find_identifiers,
    normalize_doi,
    normalize_pmcid,
    normalize_pmid,
    try_parse_identifier,
)
from kclaims.model import Source
from kclaims.text import printable

if TYPE_CHECKING:
    from bibtexparser.model import Entry


@dataclass
class BibEntry:
    """One entry as read: its citation key, 1-based line (None if the parser gave none), and the record it becomes."""

    key: str
    line: int | None
    record: Source


@dataclass
class BibRead:
    entries: list[BibEntry] = field(default_factory=list)
    warnings: list[tuple[int | None, str]] = field(default_factory=list)  # (line, message)


_KINDS = {
    "article": "journal-article",
    "book": "book", "mvbook": "book", "booklet": "book", "collection": "book", "mvcollection": "book",
    "proceedings": "book", "mvproceedings": "book", "reference": "book",
    "inbook": "book-chapter", "incollection": "book-chapter", "bookinbook": "book-chapter",
    "suppbook": "book-chapter", "suppcollection": "book-chapter", "inreference": "book-chapter",
    "techreport": "report", "report": "report", "manual": "report",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "online": "web-article", "electronic": "web-article", "www": "web-article", "webpage": "web-article",
    "dataset": "dataset", "data": "dataset",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CROSSREF_INHERITED = ("year", "date", "publisher", "editor", "volume", "address", "month", "organization")


# --- reading ---------------------------------------------------------------------------------


def read_bibtex(text: str) -> BibRead:
    """Records and warnings from the text of a .bib file."""
    import logging

    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock, Entry

    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # failures come back as failed blocks; the caller reports them
    try:
        library = bibtexparser.parse_string(text.lstrip("\ufeff"))
    finally:
        logger.setLevel(level)
    result = BibRead()
    entries: list[tuple[Entry, bool]] = [(e, False) for e in library.entries]
    for block in library.failed_blocks:
        line = _line(block.start_line)
        recovered = getattr(block, "ignore_error_block", None)
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(recovered, Entry):
            entries.append((recovered, True))
            result.warnings.append((line, f"the key {block.key!r} was used before in this file; "
                                          "imported as a separate source"))
        elif isinstance(recovered, Entry):  # e.g. a field given twice: the entry is still readable
            entries.append((recovered, False))
            result.warnings.append((line, f"{_first_line(block.error).split('. Note:')[0]}; "
                                          "imported with the first value"))
        else:
            result.warnings.append((line, f"could not read this entry, skipped: {_first_line(block.error)}"))
    entries.sort(key=lambda pair: pair[0].start_line or 0)
    by_key = {e.key.lower(): e for e, duplicate in entries if not duplicate}
    for entry, _ in entries:
        fields = _fields(entry, by_key)
        result.entries.append(BibEntry(entry.key, _line(entry.start_line), _record(entry.entry_type, fields)))
    return result


def _line(start_line: int | None) -> int | None:
    return start_line + 1 if start_line is not None else None  # bibtexparser counts from 0


def _first_line(error: object) -> str:
    text = str(getattr(error, "abort_reason", "") or error).strip()
    return text.splitlines()[0] if text else "syntax error"


def _fields(entry: Entry, by_key: dict[str, Entry]) -> dict[str, str]:
    """Field name (lower-case) -> raw value, with what a `crossref` parent adds."""
    fields: dict[str, str] = {}
    for item in entry.fields:
        name = item.key.lower().split("+", 1)[0]  # biblatex annotations: AUTHOR+an = {...}
        if name and name not in fields and isinstance(item.value, str):
            fields[name] = item.value
    parent = by_key.get(fields.get("crossref", "").strip().lower())
    if parent is not None and parent is not entry:
        for item in parent.fields:
            name = item.key.lower()
            if name in _CROSSREF_INHERITED and name not in fields and isinstance(item.value, str):
                fields[name] = item.value
            if name == "title" and "booktitle" not in fields and isinstance(item.value, str):
                fields["booktitle"] = item.value
    return fields


def _record(entry_type: str, fields: dict[str, str]) -> Source:
    kind = _KINDS.get(entry_type.lower(), "other")
    year, date = _year_and_date(fields)
    ids = _identifiers(fields)
    url = ids.pop("url", None)
    if kind == "other" and url and not (fields.get("journal") or fields.get("journaltitle")):
        kind = "web-article" if entry_type.lower() in ("misc",) and not ids else kind
    container = fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle")
    publisher = fields.get("publisher") or fields.get("institution") or fields.get("school") or fields.get("organization")
    return Source(
        id="",
        kind=kind,
        title=_text(fields.get("title")),
        authors=_people(fields.get("author") or fields.get("editor") or ""),
        year=year,
        journal=_text(container),
        site=_text(fields.get("organization")) if kind == "web-article" else None,
        publisher=_text(publisher),
        date=date,
        volume=_text(fields.get("volume")),
        issue=_text(fields.get("number") or fields.get("issue")),
        pages=_pages(fields.get("pages")),
        pmid=ids.get("pmid"),
        pmcid=ids.get("pmcid"),
        doi=ids.get("doi"),
        url=url,
    )


def _identifiers(fields: dict[str, str]) -> dict[str, str]:
    """PMID, PMCID, DOI and URL from the doi, pmid, pmcid, eprint, url and note fields, normalised."""
    found: dict[str, str] = {}

    def take(kind: str, value: str | None) -> None:
        if value and kind not in found:
            found[kind] = value

    take("doi", normalize_doi(_plain(fields.get("doi", ""))) or _found_in(fields.get("doi", ""), "doi"))
    take("pmid", normalize_pmid(_plain(fields.get("pmid", ""))))
    take("pmcid", normalize_pmcid(_plain(fields.get("pmcid", ""))))
    eprint = _plain(fields.get("eprint", ""))
    eprint_type = _plain(fields.get("eprinttype", "") or fields.get("archiveprefix", "")).lower()
    if eprint:
        if eprint_type == "pubmed":
            take("pmid", normalize_pmid(eprint))
        elif eprint_type in ("pmc", "pmcid", "pubmedcentral"):
            take("pmcid", normalize_pmcid(eprint) or normalize_pmcid("PMC" + eprint))
        elif eprint_type == "doi" or normalize_doi(eprint):
            take("doi", normalize_doi(eprint))
    url = _plain(fields.get("url", ""))
    if url:
        identifier = try_parse_identifier(url)
        if identifier is not None and identifier.kind != "url":
            take(identifier.kind, identifier.value)
        elif identifier is not None:
            take("url", identifier.value)
    for name in ("note", "annote", "howpublished", "extra"):
        for identifier in find_identifiers(_plain(fields.get(name, ""))):
            if identifier.kind != "url":
                take(identifier.kind, identifier.value)
    return found


def _found_in(text: str, kind: str) -> str | None:
    return next((i.value for i in find_identifiers(_plain(text)) if i.kind == kind), None)


def _year_and_date(fields: dict[str, str]) -> tuple[int | None, str | None]:
    date_field = _plain(fields.get("date", ""))
    match = re.match(r"(\d{4})(-\d{2}(-\d{2})?)?", date_field)
    if match and 1000 <= int(match.group(1)) <= 2999:
        return int(match.group(1)), match.group(0)
    match = re.search(r"\b(\d{4})\b", _plain(fields.get("year", "")))
    if not match or not 1000 <= int(match.group(1)) <= 2999:
        return None, None
    year = match.group(1)
    month = _month(_plain(fields.get("month", "")))
    return int(year), f"{year}-{month}" if month else None


def _month(text: str) -> str | None:
    text = text.strip().lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return f"{int(text):02d}"
    return f"{_MONTHS.index(text[:3]) + 1:02d}" if text[:3] in _MONTHS else None


def _pages(value: str | None) -> str | None:
    text = _text(value)
    return re.sub(r"\s*[-\u2013\u2014]+\s*", "-", text) if text else None


def _people(value: str) -> list[str]:
    """BibTeX names ("Zarate, Carlos A. and others") as "Surname Initials" ("Zarate CA")."""
    from bibtexparser.middlewares.names import (
        InvalidNameError,
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    people = []
    try:
        names = split_multiple_persons_names(value)
    except InvalidNameError:
        names = [value]
    for name in names:
        if name.strip().lower() == "others" or not name.strip():
            continue
        try:
            parts = parse_single_name_into_parts(name, strict=False)
        except InvalidNameError:
            people.append(_text(name) or "")
            continue
        surname = _text(" ".join(parts.von + parts.last + parts.jr)) or ""
        initials = "".join(_initials(_text(first) or "") for first in parts.first)
        people.append(f"{surname} {initials}".strip())
    return [p for p in people if p]


def _initials(given: str) -> str:
    return "".join(part[0] for part in re.split(r"[\s.\-~]+", given) if part and part[0].isalpha()).upper()


# A small LaTeX-to-Unicode decoder: accents, escaped specials, dashes and formatting commands.
# pylatexenc does more, but is a hundred times slower on a 2,700-entry file.
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
            "r": "\u030a", "d": "\u0323", "b": "\u0331"}
_LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
            "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ"}
_DROPPED = {"emph", "textit", "textbf", "textsc", "textrm", "texttt", "textsf", "textup", "textmd", "textnormal",
            "mathrm", "mathit", "mathbf", "mbox", "hbox", "url", "textsuperscript", "textsubscript",
            "ensuremath", "em", "it", "bf", "sc", "rm", "tt", "sf", "relax", "protect", "noopsort", "href"}
_ACCENT_RE = re.compile(r"""\\([`'^"~=.])\s*(?:\{\s*(\\?[A-Za-z]{1,2})\s*\}|(\\?[A-Za-z]))"""
                        r"""|\\([uvHckrdb])(?:\s*\{\s*(\\?[A-Za-z]{1,2})\s*\}|\s+(\\?[A-Za-z]))""")
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)\s*|\\([&%$#_{}~ ,;!/-])")


def _text(value: str | None) -> str | None:
    """Readable Unicode text from a BibTeX value: LaTeX accents decoded, braces and markup gone,
    terminal controls and bidi overrides dropped."""
    if value is None:
        return None
    text = printable(value)
    if "\\" in text:
        text = _ACCENT_RE.sub(_accent, text)
        text = _COMMAND_RE.sub(_command, text)
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("~", " ")
    text = text.replace("{", "").replace("}", "").replace("\x01", "{").replace("\x02", "}")
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text or None


def _accent(match: re.Match) -> str:
    mark = match.group(1) or match.group(4)
    letter = match.group(2) or match.group(3) or match.group(5) or match.group(6) or ""
    base = _LETTERS.get(letter[1:], letter[1:]) if letter.startswith("\\") else letter
    return unicodedata.normalize("NFC", base + _ACCENTS[mark])


def _command(match: re.Match) -> str:
    if match.group(2) is not None:
        symbol = match.group(2)
        return {"~": "~", " ": " ", ",": " ", ";": " ", "!": "", "/": "", "-": "",
                "{": "\x01", "}": "\x02"}.get(symbol, symbol)  # escaped braces survive brace removal
    name = match.group(1)
    if name in _LETTERS:
        return _LETTERS[name]
    if name in _DROPPED:
        return ""
    return name  # \TeX -> TeX: the name is the best guess at what is meant


def _plain(value: str) -> str:
    """An identifier field's value: braces and LaTeX escapes removed, nothing else decoded."""
    text = re.sub(r"\\(url|href|detokenize|nolinkurl)\s*", "", printable(value or ""))
    text = re.sub(r"\\([_%&#$~])", r"\1", text).replace("{", "").replace("}", "")
    return text.strip()


# --- writing ---------------------------------------------------------------------------------

_ENTRY_TYPES = {
    "journal-article": "article", "book": "book", "book-chapter": "incollection", "report": "techreport",
    "thesis": "phdthesis", "web-article": "online", "preprint": "misc", "dataset": "misc", "other": "misc",
}
_SPECIALS_RE = re.compile(r"([\\{}&%$#_])")
_INITIALS_RE = re.compile(r"[A-Z]{1,4}")


def write_bibtex(sources: list[Source]) -> str:
    """BibTeX text with one entry per source, keyed by the source id, in the order given."""
    from bibtexparser import Library, write_string
    from bibtexparser.model import Entry, Field

    library = Library()
    for source in sources:
        fields = [Field(name, value) for name, value in _entry_fields(source)]
        library.add(Entry(_ENTRY_TYPES.get(source.kind, "misc"), source.id, fields))
    return write_string(library) if sources else ""


def _entry_fields(source: Source) -> list[tuple[str, str]]:
    container = "booktitle" if source.kind == "book-chapter" else "journal"
    values: list[tuple[str, str | None]] = [
        ("author", " and ".join(_bib_name(a) for a in source.authors) or None),
        ("title", _escape(source.title)),
        (container, _escape(source.journal or (source.site if source.kind != "web-article" else None))),
        ("organization", _escape(source.site) if source.kind == "web-article" else None),
        ("publisher", _escape(source.publisher)),
        ("year", str(source.year) if source.year else None),
        ("date", _escape(source.date) if source.date and source.date != str(source.year) else None),
        ("volume", _escape(source.volume)),
        ("number", _escape(source.issue)),
        ("pages", _escape(source.pages.replace("-", "--")) if source.pages else None),
        ("doi", _verbatim(source.doi)),
        ("pmid", _escape(source.pmid)),
        ("pmcid", _escape(source.pmcid)),
        ("url", _verbatim(source.url)),
        ("urldate", _escape(source.retrieved) if source.kind == "web-article" and source.url else None),
        ("note", "Retracted publication" if is_retracted(source) else None),
    ]
    return [(name, value) for name, value in values if value]


def _bib_name(author: str) -> str:
    """ "Zarate CA" -> "Zarate, C. A."; a group name stays whole, in braces."""
    surname, _, last = author.rpartition(" ")
    if surname and _INITIALS_RE.fullmatch(last):
        return f"{_escape(surname)}, {' '.join(c + '.' for c in last)}"
    return "{" + (_escape(author) or "") + "}"


def _verbatim(text: str | None) -> str | None:
    """doi and url are read verbatim by biblatex, so LaTeX escapes would corrupt them; only a brace
    can break the entry, and in a URL or DOI it can be percent-encoded without changing its meaning."""
    return text.replace("{", "%7B").replace("}", "%7D") if text else None


def _escape(text: str | None) -> str | None:
    if not text:
        return None
    return _SPECIALS_RE.sub(lambda m: "\\textbackslash{}" if m.group(1) == "\\" else "\\" + m.group(1), text)
