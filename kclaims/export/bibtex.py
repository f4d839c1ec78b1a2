"""BibTeX export: the sources of the selected claims, one entry each, keyed by source id.

Zotero, JabRef, Pandoc and biblatex read it; PMIDs and PMCIDs go in `pmid` and `pmcid` fields, a
retracted paper gets the note "Retracted publication". The claims themselves are not BibTeX.
"""

from __future__ import annotations

from kclaims.model import Source


def export_bibtex(rows: list, sources: list[Source] | None) -> str:
    """BibTeX text for `sources` (the claims in `rows` have no BibTeX form)."""
    from kclaims.literature.bibtex import write_bibtex

    return write_bibtex(list(sources or []))
