"""Exporters: each turns selected claims and their sources into text; none writes files.

Every exporter has the signature `(rows: list[ClaimRow], sources: list[Source]) -> str` and is
registered in FORMATS by name, as "module:function", so only the chosen one is imported. Its
streaming form, registered in STREAMS, takes the same arguments and yields the same text in pieces
as they are made, so a report of 100,000 claims goes to its file or pipe without ever being held
whole; the exporter is the pieces joined. (A format registered only in FORMATS is written whole.)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

FORMATS: dict[str, str] = {
    "json": "kclaims.export.json:export_json",
    "md": "kclaims.export.markdown:export_markdown",
    "html": "kclaims.export.html:export_html",
    "csv": "kclaims.export.csv:export_csv",
    "csl-json": "kclaims.export.csl:export_csl_json",
    "bibtex": "kclaims.export.bibtex:export_bibtex",
    "sof": "kclaims.export.sof:export_sof",
    "sof-html": "kclaims.export.sof:export_sof_html",
    "sof-csv": "kclaims.export.sof:export_sof_csv",
}
STREAMS: dict[str, str] = {
    "json": "kclaims.export.json:json_chunks",
    "md": "kclaims.export.markdown:markdown_chunks",
    "html": "kclaims.export.html:html_chunks",
    "csv": "kclaims.export.csv:csv_chunks",
    "csl-json": "kclaims.export.csl:csl_json_chunks",
    "bibtex": "kclaims.export.bibtex:bibtex_chunks",
    "sof": "kclaims.export.sof:sof_chunks",
    "sof-html": "kclaims.export.sof:sof_html_chunks",
    "sof-csv": "kclaims.export.sof:sof_csv_chunks",
}
BATCH_CHARACTERS = 1 << 16  # what a streamed export hands the file or pipe at a time
SINCE_FORMATS = ("md", "html")  # the reports that can carry a "what changed since REV" section
CLAIMS_ONLY_FORMATS = ("csv",)  # they write no source: the sources need not be read for them


def exporter(name: str) -> Callable[..., str]:
    """The export function registered for format `name` (KeyError if none)."""
    return _load(FORMATS[name])


def exporter_chunks(name: str) -> Callable[..., Iterator[str]]:
    """The streaming export function of format `name`: its text in pieces (KeyError if no such format).
    A format without a streaming form yields its whole text as one piece."""
    if name in STREAMS:
        return _load(STREAMS[name])
    whole = exporter(name)

    def one_piece(*args: Any, **kwargs: Any) -> Iterator[str]:
        yield whole(*args, **kwargs)

    return one_piece


def _load(where: str) -> Callable:
    module_name, function = where.split(":")
    return getattr(importlib.import_module(module_name), function)


def batched(chunks: Iterable[str | bytes], size: int = BATCH_CHARACTERS) -> Iterator[str | bytes]:
    """The pieces joined into batches of about `size` characters: a few large writes instead of
    many small ones, and never more than a batch held. A piece may be bytes, text already encoded
    as UTF-8 (a report's sections read back from a spool file); text and bytes are never joined
    together, each batch is of one kind."""
    batch: list = []
    kind: type = str
    length = 0
    for chunk in chunks:
        if type(chunk) is not kind and batch:
            yield kind().join(batch)
            batch, length = [], 0
        kind = type(chunk)
        batch.append(chunk)
        length += len(chunk)
        if length >= size:
            yield kind().join(batch)
            batch, length = [], 0
    if batch:
        yield kind().join(batch)


def encoded(pieces: Iterable[str | bytes]) -> Iterator[bytes]:
    """The pieces (as `batched` gives them) as UTF-8 bytes."""
    for piece in pieces:
        yield piece if isinstance(piece, bytes) else piece.encode("utf-8")
