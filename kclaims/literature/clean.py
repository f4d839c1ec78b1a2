"""Cleaning what a service, a page or a file sent before it is stored: every route that writes a
source (identifiers, BibTeX, web pages) passes its records through here."""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

from kclaims.model import Source
from kclaims.text import printable


def printable_record(record: Source) -> Source:
    """`record` with terminal controls and bidi overrides taken out of every text field (see
    kclaims.text.printable): what a service or a file sent is stored as it would read, not as bytes
    a terminal would act on. A field left empty by it becomes empty."""
    changed: dict[str, Any] = {}
    for name, default in _source_fields():
        value = getattr(record, name)
        if value is None or isinstance(value, (bool, int)):
            continue
        if isinstance(value, str):
            clean: Any = printable(value, multiline=name == "note")
            clean = clean if clean or default is dataclasses.MISSING or default == "" else default
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            clean = [c for c in (printable(v) for v in value) if c]
        elif isinstance(value, dict):
            clean = {printable(k): printable(v) for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
            clean = clean if len(clean) == len(value) else value
        else:
            continue
        if clean != value:
            changed[name] = clean
    return dataclasses.replace(record, **changed) if changed else record


@cache
def _source_fields() -> tuple[tuple[str, Any], ...]:
    return tuple((item.name, item.default) for item in dataclasses.fields(Source))
