"""A bibliography file of any format kclaims reads, told apart by its content (not its name):
CSL-JSON, RIS, PubMed MEDLINE (.nbib) or BibTeX/biblatex; and its bytes decoded, whatever the
encoding (UTF-8 or UTF-16 with or without a byte-order mark, else the legacy encoding detected).
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kclaims.literature.bibtex import BibRead

if TYPE_CHECKING:
    from kclaims.literature.bibtex import Prepare

FORMATS = ("bibtex", "ris", "medline", "csl-json")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class LibraryText:
    text: str
    encoding: str
    warning: str | None = None


def decode(data: bytes) -> LibraryText:
    """The text of a file: by its byte-order mark, else UTF-16 told by its zero bytes, else UTF-8, else
    the encoding charset-normalizer finds most likely (with a warning naming it)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return LibraryText(data.decode(encoding, errors="replace"), encoding)
    sample = data[:4000]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return LibraryText(data.decode("utf-16-le", errors="replace"), "utf-16-le")
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        return LibraryText(data.decode("utf-16-be", errors="replace"), "utf-16-be")
    try:
        return LibraryText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as error:
        encoding = _detected(data) or "cp1252"
        return LibraryText(data.decode(encoding, errors="replace"), encoding,
                           f"not UTF-8 (byte {error.start}); read as {encoding}, the encoding it most likely has")


def _detected(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return best.encoding if best is not None else None


def detect_format(text: str) -> str:
    """bibtex | ris | medline | csl-json, from the first lines of `text`."""
    head = text.lstrip("\ufeff \t\r\n")
    if head[:1] in "[{" and not head.startswith("{\\"):
        try:
            json.loads(head)
            return "csl-json"
        except ValueError:
            pass
    if re.search(r"^TY  - ", head[:20000], re.MULTILINE):
        return "ris"
    if re.search(r"^PMID- ?\d", head[:20000], re.MULTILINE):
        return "medline"
    return "bibtex"


def read_library(text: str, format_name: str | None = None, prepare: Prepare | None = None) -> BibRead:
    """Records and warnings from a bibliography file's text, its format detected unless named. Where
    worker processes read it (a large BibTeX file), each record is also given to `prepare` there
    (see `read_bibtex`)."""
    format_name = format_name or detect_format(text)
    if format_name == "ris":
        from kclaims.literature.ris import read_ris

        return read_ris(text)
    if format_name == "medline":
        from kclaims.literature.medline import read_medline

        return read_medline(text)
    if format_name == "csl-json":
        from kclaims.literature.csljson import read_csl_json

        return read_csl_json(text)
    from kclaims.literature.bibtex import read_bibtex

    return read_bibtex(text, prepare)
