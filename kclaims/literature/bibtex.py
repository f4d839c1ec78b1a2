"""BibTeX and biblatex in: the only module that imports bibtexparser (v2).

`read_bibtex(text)` turns a .bib file into records (`Source` objects with an empty id) plus
warnings naming the line of anything that could not be read; it never drops an entry that
bibtexparser could read, including entries whose key repeats an earlier one. Each record keeps
its citation key exactly, its entry type, its names in parts, and every field kclaims has no
column for in `extra` (decoded to Unicode), so `export --format bibtex` gives the entry back.
Pure: no files, no network. (Writing is kclaims.export.bibtex.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kclaims.literature.ids import (
    find_identifiers,
    normalize_doi,
    normalize_pmcid,
    normalize_pmid,
    try_parse_identifier,
)
from kclaims.literature.latex import latex_to_text
from kclaims.literature.names import bibtex_names, short_names
from kclaims.model import Source
from kclaims.text import printable

if TYPE_CHECKING:
    from collections.abc import Callable

    from bibtexparser.library import Library
    from bibtexparser.model import Entry, ParsingFailedBlock

    Prepare = Callable[[Source], tuple[Source, Any]]  # see `read_bibtex`


@dataclass
class BibEntry:
    """One entry as read: its citation key, 1-based line (None if the parser gave none), the record it
    becomes (as the reader's `prepare` left it, where a worker process gave it one), and what else
    `prepare` made of it (None if nothing)."""

    key: str
    line: int | None
    record: Source
    prepared: Any = None


@dataclass
class BibRead:
    entries: list[BibEntry] = field(default_factory=list)
    warnings: list[tuple[int | None, str]] = field(default_factory=list)  # (line, message)


KINDS = {
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
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_MONTH_MACROS = {m[:3].lower(): m for m in MONTHS}
_CROSSREF_INHERITED = ("year", "date", "publisher", "editor", "volume", "address", "month", "organization",
                       "location", "series", "isbn")
# Mendeley writes its own type names, which BibTeX styles and Pandoc reject
_TYPE_ALIASES = {"book_section": "incollection", "web_page": "online", "conference_paper": "inproceedings",
                 "journal_article": "article", "magazine_article": "article", "newspaper_article": "article"}
_FIELD_NAME = re.compile(r"[a-z_][a-z0-9_:.-]*")
RETRACTED_NOTE = "Retracted publication"
# Fields that become a Source attribute (and are written back from it); every other field goes to `extra`.
_COLUMNS = frozenset({"title", "author", "editor", "year", "date", "month", "journal", "publisher", "volume",
                      "number", "pages", "doi", "pmid", "pmcid", "url", "crossref"})


# --- reading ---------------------------------------------------------------------------------


def read_bibtex(text: str, prepare: Prepare | None = None) -> BibRead:
    """Records and warnings from the text of a .bib file. A large file is read in pieces by worker
    processes (see `_read_in_pieces`), the records the same either way; there each record is also
    given to `prepare`, which returns the record to keep in its place and what else to keep with
    the entry (`BibEntry.prepared`)."""
    text = text.lstrip("\ufeff")
    starts = _piece_starts(text)
    read = _read_in_pieces(text, starts, prepare) if len(starts) > 1 else None
    return read if read is not None else _read_whole(text)


def _read_whole(text: str) -> BibRead:
    library = _parsed(text)
    result = BibRead()
    entries: list[tuple[Entry, bool]] = [(e, False) for e in library.entries]
    for block in library.failed_blocks:
        recovered, duplicate, warning = _failed(block)
        if recovered is not None:
            entries.append((recovered, duplicate))
        result.warnings.append((_line(block.start_line), warning))
    entries.sort(key=lambda pair: pair[0].start_line or 0)
    strings = _strings(library.strings)
    raw = {id(e): _raw_fields(e, strings) for e, _ in entries}
    by_key = {e.key.lower(): raw[id(e)] for e, duplicate in entries if not duplicate}
    for entry, _ in entries:
        fields = _with_parent(raw[id(entry)], by_key)
        result.entries.append(BibEntry(entry.key, _line(entry.start_line), record_from_fields(entry.entry_type, fields,
                                                                                               entry.key)))
    return result


def _parsed(text: str) -> Library:
    import logging

    import bibtexparser

    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # failures come back as failed blocks; the caller reports them
    try:  # no middleware: values come raw, so `#` concatenation and enclosing braces are ours to read
        return bibtexparser.parse_string(text, parse_stack=[])
    finally:
        logger.setLevel(level)


def _failed(block: ParsingFailedBlock) -> tuple[Entry | None, bool, str]:
    """A failed block's entry if it can still be read, whether it failed as a repeated key, and the warning."""
    from bibtexparser.model import DuplicateBlockKeyBlock, Entry

    recovered = getattr(block, "ignore_error_block", None)
    if isinstance(block, DuplicateBlockKeyBlock) and isinstance(recovered, Entry):
        return recovered, True, _repeated_key(block.key)
    if isinstance(recovered, Entry):  # e.g. a field given twice: the entry is still readable
        return recovered, False, f"{_first_line(block.error).split('. Note:')[0]}; imported with the first value"
    return None, False, f"could not read this entry, skipped: {_first_line(block.error)}"


def _repeated_key(key: str) -> str:
    return f"the key {key!r} was used before in this file; imported as a separate source"


# --- a large file, read in pieces ----------------------------------------------------------------
#
# bibtexparser reads a file from the top, block by block: between blocks it starts a new one at any
# `@type{` (or `@type(`), and inside a block it gives up at one that begins a line, to start anew
# there. Cut just before such a line, each piece reads as that part of the whole file reads, unless
# a block runs across the cut: then the piece before it ends in a block cut short, and the whole
# file is read again in one piece. So are files with
# @string macros or crossref fields, which reach across pieces. What remains is a key repeated in
# another piece, found here as bibtexparser finds it: the first one seen keeps the key.

_CUT = re.compile(r"\n(?=@\w*[ \t]*[{(])")
_REACHES_ACROSS = ("@string", "crossref")  # looked for in the lowercased text: a search ignoring case is 10x slower
PIECES_PER_WORKER = 2


def _piece_starts(text: str) -> list[int]:
    """Where each piece starts: one piece (0) unless the file is large enough for workers to read."""
    from kclaims.workers import worker_count

    workers = worker_count(text.count("\n@"))
    if workers < 2:
        return [0]
    lowered = text.lower()
    if any(word in lowered for word in _REACHES_ACROSS):
        return [0]
    starts = [0]
    for number in range(1, workers * PIECES_PER_WORKER):
        cut = _CUT.search(text, max(starts[-1], len(text) * number // (workers * PIECES_PER_WORKER)))
        if cut is None:
            break
        starts.append(cut.end())
    return starts


# One block of a piece, in the piece's order: (what, its 0-based line in the piece, its entry's line,
# key, record row, what `prepare` made of the record, warning), what being ENTRY (an entry with its
# key), REPEATED (its key came before), RECOVERED (read despite an error) or SKIPPED (unreadable: no
# entry, no record).
PieceBlock = tuple[str, "int | None", "int | None", str, "tuple | None", Any, "str | None"]
ENTRY, REPEATED, RECOVERED, SKIPPED = "entry", "repeated", "recovered", "skipped"


def _read_in_pieces(text: str, starts: list[int], prepare: Prepare | None = None) -> BibRead | None:
    """`_read_whole(text)` from the pieces starting at `starts`, read by worker processes; None if a
    block runs across a cut."""
    from kclaims.model import source_from_row
    from kclaims.workers import in_order_from_workers

    pieces = [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)])]
    lines_before = [_counted_lines(text, start) for start in starts]
    result, keys_seen = BibRead(), set()
    entries: list[tuple[int, bool, BibEntry]] = []  # (line for the order, recovered?, entry)

    def read_pieces(pieces: list[str]) -> list[list[PieceBlock]]:
        return [_piece_blocks(piece, prepare) for piece in pieces]

    with in_order_from_workers(read_pieces, pieces, worth_it_from=2, pieces=PIECES_PER_WORKER) as read:
        for number, blocks in enumerate(read):
            if number < len(pieces) - 1 and blocks and blocks[-1][0] == SKIPPED:
                return None  # a block cut short at the end of the piece: it may run on into the next
            offset = lines_before[number]
            for what, line, entry_line, key, row, prepared, warning in blocks:
                line, entry_line = _shifted(line, offset), _shifted(entry_line, offset)
                if what == ENTRY and key in keys_seen:
                    what, warning = REPEATED, _repeated_key(key)  # as bibtexparser has it: the first keeps it
                elif what == ENTRY:
                    keys_seen.add(key)
                if warning is not None:
                    result.warnings.append((_line(line), warning))
                if row is not None:
                    entries.append((entry_line or 0, what != ENTRY,
                                    BibEntry(key, _line(entry_line), source_from_row(row), prepared)))
    entries.sort(key=lambda entry: entry[:2])  # as `_read_whole` sorts: by line, each line's entries first
    result.entries = [entry for _, _, entry in entries]
    return result


def _piece_blocks(piece: str, prepare: Prepare | None) -> list[PieceBlock]:
    """A piece's entries and failed blocks, in its order, with each entry's record made (and prepared)."""
    from bibtexparser.model import Entry, ParsingFailedBlock

    from kclaims.model import source_to_row

    def made(entry: Entry) -> tuple[tuple, Any]:
        record, prepared = (_record(entry), None) if prepare is None else prepare(_record(entry))
        return source_to_row(record), prepared

    blocks: list[PieceBlock] = []
    for block in _parsed(piece).blocks:
        if isinstance(block, Entry):
            blocks.append((ENTRY, block.start_line, block.start_line, block.key, *made(block), None))
        elif isinstance(block, ParsingFailedBlock):
            recovered, repeated, warning = _failed(block)
            if recovered is None:
                blocks.append((SKIPPED, block.start_line, None, "", None, None, warning))
            else:
                blocks.append((REPEATED if repeated else RECOVERED, block.start_line, recovered.start_line,
                               recovered.key, *made(recovered), warning))
    return blocks


def _counted_lines(text: str, end: int) -> int:
    """Line breaks before `end` as bibtexparser counts them: not one after a backslash."""
    return text.count("\n", 0, end) - text.count("\\\n", 0, end)


def _shifted(line: int | None, offset: int) -> int | None:
    return None if line is None else line + offset


def _record(entry: Entry) -> Source:
    """An entry's record when the file has no @string macros and no crossref fields."""
    return record_from_fields(entry.entry_type, _raw_fields(entry, {}), entry.key)


def _line(start_line: int | None) -> int | None:
    return start_line + 1 if start_line is not None else None  # bibtexparser counts from 0


def _first_line(error: object) -> str:
    text = str(getattr(error, "abort_reason", "") or error).strip()
    return text.splitlines()[0] if text else "syntax error"


def _strings(blocks: list) -> dict[str, str]:
    """@string macros, each resolved against the ones before it (and the month names)."""
    strings: dict[str, str] = {}
    for block in blocks:
        if isinstance(block.value, str):
            strings[block.key.lower()] = evaluate(block.value, strings)
    return strings


def evaluate(value: str, strings: dict[str, str]) -> str:
    """A raw field value as its text: enclosing braces or quotes removed, macros resolved, `#` pieces joined."""
    return "".join(_piece(piece.strip(), strings) for piece in _split_top_level(value))


def _split_top_level(value: str) -> list[str]:
    if "#" not in value:
        return [value]
    pieces, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            pieces.append(value[start:index])
            start = index + 1
    return pieces + [value[start:]]


def _piece(piece: str, strings: dict[str, str]) -> str:
    if len(piece) >= 2 and (piece[0], piece[-1]) in (("{", "}"), ('"', '"')):
        return piece[1:-1]
    lowered = piece.lower()
    if lowered in strings:
        return strings[lowered]
    return _MONTH_MACROS.get(lowered, piece)


def _raw_fields(entry: Entry, strings: dict[str, str]) -> dict[str, str]:
    """Field name (lower-case) -> value as LaTeX text; the first of a repeated field."""
    fields: dict[str, str] = {}
    for item in entry.fields:
        name = item.key.lower()
        if name and name not in fields and isinstance(item.value, str):
            fields[name] = evaluate(item.value, strings)
    return fields


def _with_parent(fields: dict[str, str], by_key: dict[str, dict[str, str]]) -> dict[str, str]:
    """What a `crossref` parent in the same file lends: its date, publisher, ... and its title as booktitle."""
    crossref = fields.get("crossref", "").strip().lower()
    parent = by_key.get(crossref) if crossref else None  # an entry whose key is empty is no one's parent
    if parent is None or parent is fields:
        return fields
    fields = dict(fields)
    for name, value in parent.items():
        if name in _CROSSREF_INHERITED and name not in fields:
            fields[name] = value
    if "title" in parent and "booktitle" not in fields:
        fields["booktitle"] = parent["title"]
    return fields


def record_from_fields(entry_type: str, fields: dict[str, str], key: str | None = None) -> Source:
    """A record from one entry's fields (lower-case names, LaTeX values, macros resolved)."""
    entry_type = _TYPE_ALIASES.get(entry_type.lower(), entry_type.lower())
    kind = KINDS.get(entry_type, "other")
    year, date, date_kept = _year_and_date(fields)
    ids, used = _identifiers(fields)
    url = ids.pop("url", None)
    if kind == "other" and entry_type == "misc" and url and not ids and not _container(fields):
        kind = "web-article"
    publisher = next((fields[n] for n in ("publisher", "institution", "school", "organization") if fields.get(n)), None)
    authors = bibtex_names(fields["author"]) if fields.get("author") else []
    editors = bibtex_names(fields["editor"]) if fields.get("editor") else []
    issue_field = "number" if fields.get("number") else "issue"
    extra_skip = _COLUMNS | used | {issue_field} | ({"month"} if date_kept else set()) | {"date"}
    note = latex_to_text(fields.get("note"))
    return Source(
        id="",
        kind=kind,
        title=latex_to_text(fields.get("title")),
        authors=short_names(authors or editors),
        year=year,
        journal=latex_to_text(_container(fields)),
        site=latex_to_text(fields.get("organization")) if kind == "web-article" else None,
        publisher=latex_to_text(publisher),
        date=date,
        volume=latex_to_text(fields.get("volume")),
        issue=latex_to_text(fields.get(issue_field)),
        pages=_pages(fields.get("pages")),
        pmid=ids.get("pmid"),
        pmcid=ids.get("pmcid"),
        doi=ids.get("doi"),
        url=url,
        retracted=bool(note and note.endswith(RETRACTED_NOTE)),
        key=key,
        entry_type=entry_type,
        author_parts=authors,
        editor_parts=editors,
        extra=_extra(fields, extra_skip, date_kept),
    )


def _container(fields: dict[str, str]) -> str | None:
    return fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle")


def _extra(fields: dict[str, str], skip: set[str] | frozenset[str], date_kept: bool) -> dict[str, str]:
    extra: dict[str, str] = {}
    for name, value in fields.items():
        if name in skip or not _FIELD_NAME.fullmatch(name):  # AUTHOR+an annotations, "% title" (commented out)
            continue
        text = latex_to_text(value)
        if name == "note" and text and text.endswith(RETRACTED_NOTE):
            text = text[:-len(RETRACTED_NOTE)].rstrip(" .;") or None
        if text:
            extra[name] = text
    if not date_kept and fields.get("date"):
        extra["date"] = _plain(fields["date"])  # a range or season: kept as written
    return extra


def _identifiers(fields: dict[str, str]) -> tuple[dict[str, str], set[str]]:
    """PMID, PMCID, DOI and URL from the doi, pmid, pmcid, eprint, url and note fields, normalised;
    and the eprint fields used up (an arXiv eprint is not, and stays in `extra`)."""
    found: dict[str, str] = {}
    used: set[str] = set()

    def take(kind: str, value: str | None) -> bool:
        if value and kind not in found:
            found[kind] = value
            return True
        return False

    take("doi", normalize_doi(_plain(fields.get("doi", ""))) or _found_in(fields.get("doi", ""), "doi")
         or _doi_in_url(_plain(fields.get("doi", ""))))
    take("pmid", normalize_pmid(_plain(fields.get("pmid", ""))))
    take("pmcid", normalize_pmcid(_plain(fields.get("pmcid", ""))))
    eprint = _plain(fields.get("eprint", ""))
    eprint_type = _plain(fields.get("eprinttype", "") or fields.get("archiveprefix", "")).lower()
    if eprint and _eprint(eprint, eprint_type, take, found):
        used |= {"eprint", "eprinttype", "archiveprefix"}
    url = _plain(fields.get("url", ""))
    if url:
        identifier = try_parse_identifier(url)
        doi = _doi_in_url(url)
        if identifier is not None and identifier.kind != "url" and identifier.kind not in found:
            take(identifier.kind, identifier.value)
        elif doi and "doi" not in found:
            take("doi", doi)
        else:
            found["url"] = url
    for name in ("note", "annote", "howpublished", "extra"):
        for identifier in find_identifiers(_plain(fields.get(name, ""))):
            if identifier.kind != "url":
                take(identifier.kind, identifier.value)
    return found, used


def _eprint(eprint: str, eprint_type: str, take, found: dict[str, str]) -> bool:
    if eprint_type == "pubmed":
        return take("pmid", normalize_pmid(eprint)) or found.get("pmid") == normalize_pmid(eprint)
    if eprint_type in ("pmc", "pmcid", "pubmedcentral"):
        value = normalize_pmcid(eprint) or normalize_pmcid("PMC" + eprint)
        return take("pmcid", value) or found.get("pmcid") == value
    if eprint_type == "doi" or (not eprint_type and normalize_doi(eprint)):
        return take("doi", normalize_doi(eprint)) or found.get("doi") == normalize_doi(eprint)
    return False


_DOI_IN_URL = re.compile(r"^https?://[^/]*\bdoi\b[^/]*/(?:abs/|full/|pdf/)?(10\.[0-9]{4,9}/\S+)$", re.IGNORECASE)


def _doi_in_url(url: str) -> str | None:
    """A DOI written as a publisher's DOI URL (http://doi.acm.org/10.1145/..., dx.doi.org, doi.wiley.com)."""
    match = _DOI_IN_URL.match(url.strip())
    return normalize_doi(match.group(1)) if match else None


def _found_in(text: str, kind: str) -> str | None:
    return next((i.value for i in find_identifiers(_plain(text)) if i.kind == kind), None)


def _year_and_date(fields: dict[str, str]) -> tuple[int | None, str | None, bool]:
    """Year, ISO date (None when only the year is known) and whether `date`/`month` were used up."""
    date_field = _plain(fields.get("date", ""))
    match = re.fullmatch(r"(\d{4})(-\d{2}(-\d{2})?)?", date_field)
    if match and 1000 <= int(match.group(1)) <= 2999:
        year_field = re.search(r"\b(\d{4})\b", _plain(fields.get("year", "")))
        if not year_field or year_field.group(1) == match.group(1):
            month = _month(_plain(fields.get("month", "")))
            date = match.group(0) if match.group(2) else (f"{match.group(1)}-{month}" if month else None)
            return int(match.group(1)), date, True
    match = re.search(r"\b(\d{4})\b", _plain(fields.get("year", "")))
    if not match or not 1000 <= int(match.group(1)) <= 2999:
        return None, None, False
    year = match.group(1)
    month = _month(_plain(fields.get("month", "")))
    return int(year), f"{year}-{month}" if month else None, bool(month)


def _month(text: str) -> str | None:
    text = text.strip().lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return f"{int(text):02d}"
    return f"{list(_MONTH_MACROS).index(text[:3]) + 1:02d}" if text[:3] in _MONTH_MACROS else None


_SIMPLE_PAGES = re.compile(r"\s*([A-Za-z0-9.]+)(?:\s*-+\s*([A-Za-z0-9.]+))?\s*")


def _pages(value: str | None) -> str | None:
    simple = _SIMPLE_PAGES.fullmatch(value or "")
    if simple:  # "12--19": what the LaTeX decoder and the dash rule below give, without the decoder
        return "-".join(part for part in simple.groups() if part)
    text = latex_to_text(value)
    return re.sub(r"\s*[-\u2013\u2014]+\s*", "-", text) if text else None


def _plain(value: str) -> str:
    """An identifier field's value: braces and LaTeX escapes removed, nothing else decoded."""
    if not value:
        return ""
    text = re.sub(r"\\(url|href|detokenize|nolinkurl)\s*", "", printable(value or ""))
    text = re.sub(r"\\([_%&#$~])", r"\1", text).replace("{", "").replace("}", "")
    return text.strip()
