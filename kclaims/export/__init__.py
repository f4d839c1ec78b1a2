"""Exporters: each turns selected claims and their sources into a string; none writes files.

Every exporter has the signature `(rows: list[ClaimRow], sources: list[Source]) -> str` and is
registered in FORMATS by name, as "module:function", so only the chosen one is imported.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

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
SINCE_FORMATS = ("md", "html")  # the reports that can carry a "what changed since REV" section


def exporter(name: str) -> Callable[..., str]:
    """The export function registered for format `name` (KeyError if none)."""
    module_name, function = FORMATS[name].split(":")
    return getattr(importlib.import_module(module_name), function)
