"""Source ids (docs/sources.md): the first author's surname and the year, ASCII, lower-case
("zarate2006"); a BibTeX key kept as the id when usable; a letter or number added when taken.
An id is a file name (sources/<id>.yaml), so one that Windows reserves for a device (con, aux.x,
com1, ...) gets RESERVED_SUFFIX.
"""

from __future__ import annotations

import re

from kclaims.model import ID_PATTERN, Source, windows_safe
from kclaims.text import STOPWORDS, ascii_letters, ascii_text

MAX_BASE_LENGTH = 60
def new_source_id(record: Source, taken: set[str], preferred: str | None = None) -> str:
    """A readable id for `record` that is not in `taken` (see the module docstring)."""
    base = slugify(preferred) if preferred else ""
    if not base:
        base = _author_year(record)
    base = windows_safe(base)
    if base not in taken:
        return base
    candidates = [base + chr(c) for c in range(ord("b"), ord("z") + 1)] if base[-1].isdigit() else []
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _author_year(record: Source) -> str:
    word = ""
    if record.authors:
        word = ascii_letters(_surname(record.authors[0]))
    if not word and record.title:
        words = [ascii_letters(w) for w in record.title.split()]
        word = next((w for w in words if w and w not in STOPWORDS), "")
    word = (word or "source")[:40]
    return f"{word}{record.year}" if record.year else word


def _surname(author: str) -> str:
    """"De Vivo I" -> "De Vivo"; a group name -> its first word."""
    head, _, last = author.rpartition(" ")
    if head and re.fullmatch(r"[A-Z]{1,4}", last):
        return head
    return author.split()[0] if author.split() else ""


def slugify(key: str) -> str:
    """A citation key as a source id: "Schank:80" -> "schank-80"; "" if nothing usable is left."""
    text = ascii_text(key)
    text = re.sub(r"[^a-z0-9._-]+", "-", text)
    text = re.sub(r"^[^a-z0-9]+", "", text)[:MAX_BASE_LENGTH].rstrip("-._")
    return text if ID_PATTERN.fullmatch(text) else ""
