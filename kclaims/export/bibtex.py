"""BibTeX export: the sources of the selected claims, one entry each.

Each entry is keyed by the citation key it was imported with (exactly, so a manuscript's `[@Key]`
still resolves), else by the source id; its type is the one it was imported with, else the kind's.
Names go out in parts, titles with capitals and acronyms braced, every field kept from the import
written back, PMIDs and PMCIDs both as `pmid`/`pmcid` fields and the biblatex way (`eprinttype =
{pubmed}`), which citation-js and Zotero read; a retracted paper gets the note "Retracted
publication". Reading the export back gives the same records. The claims themselves are not BibTeX.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from kclaims.grade import is_retracted
from kclaims.literature.bibtex import RETRACTED_NOTE
from kclaims.literature.latex import text_to_latex
from kclaims.literature.names import bibtex_name
from kclaims.model import Source

ENTRY_TYPES = {
    "journal-article": "article", "book": "book", "book-chapter": "incollection", "report": "techreport",
    "thesis": "phdthesis", "web-article": "online", "preprint": "misc", "dataset": "misc", "other": "misc",
}
_CASE_PROTECTED = ("title", "booktitle", "series", "subtitle", "maintitle", "eventtitle", "shorttitle", "origtitle")
_VERBATIM = ("doi", "url", "file", "eprint", "date")  # read verbatim by biblatex: LaTeX escapes would corrupt them
FIELD_NAME = re.compile(r"[a-z_][a-z0-9_:.-]*")
_KEY_RE = re.compile(r"[^\s,{}()\"#%=\\~]+")  # what BibTeX, biber and Pandoc all accept as a key
_INITIALS_RE = re.compile(r"[A-Z]{1,4}")


def export_bibtex(rows: list, sources: list[Source] | None) -> str:
    """BibTeX text for `sources` (the claims in `rows` have no BibTeX form)."""
    return write_bibtex(list(sources or []))


def bibtex_chunks(rows: list, sources: list[Source] | None) -> Iterator[str]:
    """`export_bibtex`'s text an entry at a time."""
    return bibtex_entries(sources or [])


def write_bibtex(sources: list[Source]) -> str:
    """BibTeX text with one entry per source, in the order given; a key used twice goes out as the id."""
    return "".join(bibtex_entries(sources))


def bibtex_entries(sources: Iterable[Source]) -> Iterator[str]:
    """`write_bibtex` an entry at a time (each after the first starting with the blank line between them)."""
    used: set[str] = set()
    separator = ""
    for source in sources:
        key = source.key if source.key and _KEY_RE.fullmatch(source.key) and source.key.lower() not in used \
            else source.id
        used.add(key.lower())
        yield separator + _entry(source, key)
        separator = "\n"


def _entry(source: Source, key: str) -> str:
    entry_type = source.entry_type if source.entry_type and re.fullmatch(r"[a-z]+", source.entry_type) \
        else ENTRY_TYPES.get(source.kind, "misc")
    lines = [f"@{entry_type}{{{key},"]
    lines += [f"  {name} = {{{value}}}," for name, value in entry_fields(source)]
    return "\n".join(lines) + "\n}\n"


def entry_fields(source: Source) -> list[tuple[str, str]]:
    """(field, BibTeX value) for one source: its columns, then what `extra` kept."""
    extra = source.extra
    # an imported entry's own container field is in `extra`; a `journal` it had stays `journal`
    container = "booktitle" if source.kind == "book-chapter" and not source.entry_type else "journal"
    journal = source.journal or (source.site if source.kind != "web-article" else None)
    if journal in (extra.get("booktitle"), extra.get("journaltitle")):
        journal = None  # the field it came from is written below, under its own name
    publisher = source.publisher
    if publisher in (extra.get("institution"), extra.get("school"), extra.get("organization")):
        publisher = None
    values: list[tuple[str, str | None]] = [
        ("author", _names(source)),
        ("editor", " and ".join(bibtex_name(n) for n in source.editor_parts) or None),
        ("title", text_to_latex(source.title, protect_case=True)),
        (container, text_to_latex(journal)),
        ("organization", text_to_latex(source.site) if source.kind == "web-article" and "organization" not in extra
         else None),
        ("publisher", text_to_latex(publisher)),
        ("year", str(source.year) if source.year else None),
        ("date", text_to_latex(source.date) if source.date and source.date != str(source.year) else None),
        ("volume", text_to_latex(source.volume)),
        ("number", text_to_latex(source.issue)),
        ("pages", text_to_latex(source.pages).replace("-", "--") if source.pages else None),  # type: ignore[union-attr]
        ("doi", _verbatim(source.doi)),
        ("pmid", text_to_latex(source.pmid)),
        ("pmcid", text_to_latex(source.pmcid)),
        *_eprint(source),
        ("url", _verbatim(source.url)),
        ("urldate", text_to_latex(source.retrieved) if source.kind == "web-article" and source.url
         and "urldate" not in extra else None),
        ("note", _note(source)),
    ]
    written = {name for name, value in values if value}
    values += [(name, _extra_value(name, value)) for name, value in extra.items()
               if name not in written and name != "note" and FIELD_NAME.fullmatch(name)]
    return [(name, value) for name, value in values if value]


def _names(source: Source) -> str | None:
    if source.author_parts:
        return " and ".join(bibtex_name(n) for n in source.author_parts)
    if source.editor_parts:
        return None  # the authors shown for an edited book are its editors, written as `editor`
    return " and ".join(_bib_name(a) for a in source.authors) or None


def _bib_name(author: str) -> str:
    """ "Zarate CA" -> "Zarate, C. A."; a group name stays whole, in braces."""
    surname, _, last = author.rpartition(" ")
    if surname and _INITIALS_RE.fullmatch(last):
        return f"{{{text_to_latex(surname)}}}, {' '.join(c + '.' for c in last)}"
    return "{" + (text_to_latex(author) or "") + "}"


def _eprint(source: Source) -> list[tuple[str, str | None]]:
    if "eprint" in source.extra:
        return []
    if source.pmid:
        return [("eprint", source.pmid), ("eprinttype", "pubmed")]
    if source.pmcid:
        return [("eprint", source.pmcid), ("eprinttype", "pmc")]
    return []


def _note(source: Source) -> str | None:
    parts = [text_to_latex(source.extra.get("note")), RETRACTED_NOTE if is_retracted(source) else None]
    return ". ".join(p for p in parts if p) or None


def _extra_value(name: str, value: str) -> str | None:
    if name in _VERBATIM:
        return _verbatim(value)
    return text_to_latex(value, protect_case=name in _CASE_PROTECTED)


def _verbatim(text: str | None) -> str | None:
    """doi and url are read verbatim by biblatex, so LaTeX escapes would corrupt them; only a brace
    can break the entry, and in a URL or DOI it can be percent-encoded without changing its meaning."""
    return text.replace("{", "%7B").replace("}", "%7D") if text else None
