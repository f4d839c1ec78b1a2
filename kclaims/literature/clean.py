"""Cleaning what a service, a page or a file sent before it is stored: every route that writes a
source (identifiers, BibTeX, web pages) passes its records through here."""

from __future__ import annotations

import dataclasses
from typing import Any

from kclaims.model import Source
from kclaims.text import printable


def printable_record(record: Source) -> Source:
    """`record` with terminal controls and bidi overrides taken out of every text field (see
    kclaims.text.printable): what a service or a file sent is stored as it would read, not as bytes
    a terminal would act on. A field left empty by it becomes empty."""
    changed: dict[str, Any] = {}
    for item in dataclasses.fields(record):
        value = getattr(record, item.name)
        if isinstance(value, str):
            clean: Any = printable(value, multiline=item.name == "note")
            clean = clean if clean or item.default is dataclasses.MISSING or item.default == "" else item.default
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            clean = [c for c in (printable(v) for v in value) if c]
        elif isinstance(value, dict):
            clean = {printable(k): printable(v) for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
            clean = clean if len(clean) == len(value) else value
        else:
            continue
        if clean != value:
            changed[item.name] = clean
    return dataclasses.replace(record, **changed) if changed else record
