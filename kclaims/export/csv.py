"""One row per claim for a spreadsheet or a script: RFC 4180 (CRLF, quoted where needed), UTF-8.

Lists inside a cell (topics, source ids) are joined with "; ". A statement that starts with
=, +, - or @ gets a leading apostrophe, so a spreadsheet shows it as text instead of running it
as a formula (CSV injection); ids and topics are slugs and cannot start that way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from kclaims.model import Grade, Source
from kclaims.catalog.query import ClaimRow
from kclaims.export.view import count_stance, one_line

COLUMNS = ("id", "statement", "kind", "topics", "verdict", "certainty", "grade_verdict", "grade_certainty",
           "grade_because", "articles", "papers_for", "papers_against", "sources")
LIST_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(text: str) -> str:
    """One line of catalog text for a cell, never read as a formula."""
    text = one_line(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def claim_cells(row: ClaimRow) -> list[str | int]:
    """The values of one row, in COLUMNS order."""
    claim, grade = row.claim, row.claim.grade
    source_ids = [q.source for q in claim.made_in] + [e.source for e in claim.evidence]
    return [
        claim.id,
        cell_text(claim.statement),
        claim.kind,
        LIST_SEPARATOR.join(claim.topics),
        row.strength.verdict,
        row.strength.certainty or "",
        (grade.verdict or "") if grade else "",
        (grade.certainty or "") if grade else "",
        cell_text(_grade_because(grade)) if grade else "",
        row.articles,
        count_stance(row, "supports"),
        count_stance(row, "contradicts"),
        LIST_SEPARATOR.join(dict.fromkeys(source_ids)),
    ]


def _grade_because(grade: Grade) -> str:
    """The curator's reason; an old rubric-1 grade (no verdict) says its label there, so the verdict
    column holds only verdicts."""
    return f"(rubric-1 label {grade.label}) {grade.because}" if grade.label else grade.because


def export_csv(rows: list[ClaimRow], sources: list[Source] | None = None) -> str:
    """A header and one row per claim; `sources` is accepted for the exporter signature and not used."""
    return "".join(csv_chunks(rows, sources))


def csv_chunks(rows: list[ClaimRow], sources: list[Source] | None = None) -> Iterator[str]:
    """`export_csv`'s text in pieces of ROWS_PER_PIECE rows."""
    return csv_text(COLUMNS, map(claim_cells, rows))


ROWS_PER_PIECE = 500


def csv_text(header: Sequence[str], records: Iterable[Sequence[object]]) -> Iterator[str]:
    """A header and the records as RFC 4180 text (CRLF, quoted where needed), a few hundred rows a piece."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerow(header)
    records = iter(records)
    while True:
        batch = list(islice(records, ROWS_PER_PIECE))
        writer.writerows(batch)
        yield buffer.getvalue()
        if len(batch) < ROWS_PER_PIECE:
            return
        buffer.seek(0)
        buffer.truncate()
