"""A GRADE Summary of Findings: one table per topic, one row per claim, as Cochrane reviews print them.

Each row: the claim; the studies and participants counted (for and against); the certainty as
GRADE shows it (⊕⊕⊕◯) with a footnote for each step down naming the sources that caused it; GRADE's
plain-language statement; and a curator's grade beside the computed one, with its reason.
Three formats share `sof_tables`: `sof` (Markdown), `sof-html` (one self-contained page) and
`sof-csv` (one row per claim and topic, footnotes joined in a cell).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from kclaims.catalog.query import ClaimRow
from kclaims.export.bodies import caused_by, claim_bodies, participants
from kclaims.export.view import NO_TOPIC, Bibliography, grade_title, one_line, topics_of
from kclaims.grade import (
    STANCE_DIRECTION,
    Body,
    Downgrade,
    certainty_text,
    plain_language,
    stance_word,
    strength_text,
)
from kclaims.model import Source

SOF_TITLE = "Summary of findings"
SOF_INTRO = ("One table per topic, one row per claim, as GRADE's Summary of Findings tables print an outcome: the "
             "studies and participants counted, the certainty of the evidence (⊕⊕⊕⊕ high, ⊕⊕⊕◯ moderate, ⊕⊕◯◯ low, "
             "⊕◯◯◯ very low) with a note for each step down, and what it means in plain language. A claim with "
             "several topics is in each of their tables. A verdict rates the evidence linked to a claim, not the "
             "truth of the claim.")
SOF_HEADS = ("claim", "studies (participants)", "verdict and certainty", "what it means", "curator's grade")
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True, slots=True)
class Note:
    """A footnote: a step down (or a certainty a review reported), and the sources behind it."""

    number: int
    text: str


@dataclass(slots=True)
class SofRow:
    row: ClaimRow
    studies: str
    certainty: str  # "supported, ⊕⊕⊕◯ moderate"; a verdict without one, with each side's when conflicting
    notes: list[int]
    meaning: str
    grade: str  # "supported, ⊕⊕◯◯ low, because ..." or ""


@dataclass(slots=True)
class SofTable:
    topic: str
    rows: list[SofRow] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def sof_tables(rows: list[ClaimRow], sources: Mapping[str, Source], symbols: bool = True) -> list[SofTable]:
    """A table per topic (A to Z, claims without a topic last), footnotes numbered within each table."""
    names = Bibliography(sources.values())
    tables = []
    for topic in topics_of(rows):
        table = SofTable(topic)
        for row in rows:
            if topic in (row.claim.topics or [NO_TOPIC]):
                table.rows.append(_sof_row(row, sources, names, table.notes, symbols))
        tables.append(table)
    return tables


def _sof_row(row: ClaimRow, sources: Mapping[str, Source], names: Bibliography, notes: list[Note],
             symbols: bool) -> SofRow:
    bodies = claim_bodies(row, sources)
    strength = row.strength
    numbers = [_note(notes, text) for body in _noted_bodies(bodies, strength.verdict)
               for text in _body_notes(body, row, sources, names)]
    if strength.certainty:
        certainty = strength_text(strength.verdict, strength.certainty, symbols)
    else:
        sides = [f"{stance_word(s)} {certainty_text(b.certainty, symbols)}" for s, b in bodies.items()]
        certainty = strength.verdict + (f" ({', '.join(sides)})" if sides else "")
    grade = row.claim.grade
    graded = f"{grade_title(grade, symbols)}, because {one_line(grade.because)}" if grade else ""
    return SofRow(row, _studies(bodies, sources), certainty, numbers,
                  plain_language(strength.verdict, strength.certainty), graded)


def _noted_bodies(bodies: Mapping[str, Body], verdict: str) -> list[Body]:
    """The bodies whose steps down the reported certainty rests on: the winning side's (its
    inconsistency step included) for a supported or contradicted claim; both for a conflicting one,
    which has no certainty of its own, only each side's."""
    winner = next((stance for stance, direction in STANCE_DIRECTION.items() if direction == verdict), None)
    if winner is None:
        return list(bodies.values())
    return [body for stance, body in bodies.items() if stance == winner]


def _note(notes: list[Note], text: str) -> int:
    for note in notes:
        if note.text == text:
            return note.number
    notes.append(Note(len(notes) + 1, text))
    return len(notes)


def _studies(bodies: Mapping[str, Body], sources: Mapping[str, Source]) -> str:
    """"4 studies (450): 3 for (292), 1 against (158)"; "none counted"."""
    if not bodies:
        return "none counted"
    parts = []
    for stance, body in bodies.items():
        people = participants(body.counted, sources)
        side = "for" if stance == "supports" else "against"
        parts.append(f"{len(body.counted)} {side}" + (f" ({people})" if people else ""))
    every = [i for body in bodies.values() for i in body.counted]
    people = participants(every, sources)
    head = f"{len(every)} {'study' if len(every) == 1 else 'studies'}" + (f" ({people})" if people else "")
    return head if len(bodies) == 1 else f"{head}: {', '.join(parts)}"


def _body_notes(body: Body, row: ClaimRow, sources: Mapping[str, Source], names: Bibliography) -> list[str]:
    side = stance_word(body.stance)
    notes = [_downgrade_note(side, d, row, sources, names) for d in body.downgrades]
    if body.reported:
        notes.append(f"{side.capitalize()} evidence: certainty as reported by the review "
                     f"({_cite(body.reported, names)}); not downgraded again for risk of bias or imprecision.")
    return notes


def _downgrade_note(side: str, downgrade: Downgrade, row: ClaimRow, sources: Mapping[str, Source],
                    names: Bibliography) -> str:
    who = caused_by(downgrade, row, sources)
    return (f"{downgrade.domain.capitalize()}, down one step ({side} evidence): {downgrade.why}. "
            f"Caused by {_cite(list(who), names) or 'the body as a whole'}.")


def _cite(source_ids: list[str], names: Bibliography) -> str:
    return ", ".join(f"{names.name(i)} ({i})" if names.name(i) != i else i for i in source_ids)


def note_marks(numbers: list[int]) -> str:
    """Footnote marks as superscripts: "¹ ²"."""
    return " ".join(str(n).translate(SUPERSCRIPTS) for n in numbers)


# --- Markdown -------------------------------------------------------------------------------------


def export_sof(rows: list[ClaimRow], sources: list[Source]) -> str:
    """The Summary of Findings as GitHub-flavoured Markdown, ending in a newline."""
    from kclaims.export.markdown import inline

    by_id = {s.id: s for s in sources}
    parts = [f"# {SOF_TITLE}", inline(SOF_INTRO)]
    tables = sof_tables(rows, by_id)
    if not tables:
        parts.append("No claims match.")
    for table in tables:
        parts += sof_table_markdown(table)
    return "\n\n".join(parts) + "\n"


def sof_table_markdown(table: SofTable, level: int = 2) -> list[str]:
    """One topic's table and its footnotes, as Markdown blocks."""
    from kclaims.export.markdown import inline

    name = "No topic" if table.topic == NO_TOPIC else table.topic
    lines = ["| " + " | ".join(SOF_HEADS) + " |", "|---|---|---|---|---|"]
    for item in table.rows:
        marks = note_marks(item.notes)
        cells = [f"{inline(item.row.claim.statement)} (`{item.row.claim.id}`)", item.studies,
                 inline(item.certainty) + (f" {marks}" if marks else ""), inline(item.meaning),
                 inline(item.grade) or "·"]
        lines.append("| " + " | ".join(cells) + " |")
    parts = [f"{'#' * level} {inline(name)}", "\n".join(lines)]
    if table.notes:
        parts.append("\n".join(f"- {str(n.number).translate(SUPERSCRIPTS)} {inline(n.text)}" for n in table.notes))
    return parts


# --- HTML -----------------------------------------------------------------------------------------


def export_sof_html(rows: list[ClaimRow], sources: list[Source]) -> str:
    """The Summary of Findings as one self-contained HTML page (the report's style and policy)."""
    from kclaims.export.html import badge, document, esc
    from kclaims.grade import strength_key

    body = [f"<header><h1>{esc(SOF_TITLE)}</h1><p class=\"caveat\">{esc(SOF_INTRO)}</p></header>"]
    for table in sof_tables(rows, {s.id: s for s in sources}):
        name = "No topic" if table.topic == NO_TOPIC else table.topic
        body.append(f'<section class="sof"><h2>{esc(name)}</h2><div class="scroll"><table><thead><tr>'
                    + "".join(f"<th>{esc(h)}</th>" for h in SOF_HEADS) + "</tr></thead><tbody>")
        for item in table.rows:
            strength = item.row.strength
            marks = "".join(f'<sup><a href="#note-{esc(_slug(table.topic))}-{n}">{n}</a></sup>' for n in item.notes)
            body.append(f'<tr><td><a id="claim-{esc(item.row.claim.id)}"></a>{esc(item.row.claim.statement)} '
                        f"<code>{esc(item.row.claim.id)}</code></td><td>{esc(item.studies)}</td>"
                        f"<td>{badge(strength_key(strength.verdict, strength.certainty))}{_sides(item)}{marks}</td>"
                        f"<td>{esc(item.meaning)}</td><td>{esc(item.grade) or '·'}</td></tr>")
        body.append("</tbody></table></div>")
        if table.notes:
            body.append('<ol class="notes">' + "".join(
                f'<li id="note-{esc(_slug(table.topic))}-{n.number}">{esc(n.text)}</li>' for n in table.notes) + "</ol>")
        body.append("</section>")
    if len(body) == 1:
        body.append('<p class="muted">No claims match.</p>')
    return document(SOF_TITLE, "\n".join(body), script=False)


def _sides(item: SofRow) -> str:
    """What the badge does not say: each side's certainty, for a claim that has none of its own."""
    from kclaims.export.html import esc

    extra = item.certainty[len(item.row.strength.verdict):].strip() if not item.row.strength.certainty else ""
    return f" {esc(extra)}" if extra else ""


def _slug(topic: str) -> str:
    return "none" if topic == NO_TOPIC else topic


# --- CSV ------------------------------------------------------------------------------------------

SOF_COLUMNS = ("topic", "id", "statement", "studies", "participants", "verdict", "certainty", "downgrades",
               "meaning", "grade_verdict", "grade_certainty", "grade_because")


def export_sof_csv(rows: list[ClaimRow], sources: list[Source]) -> str:
    """One row per claim and topic (RFC 4180, as `csv`); each row's footnotes joined in `downgrades`."""
    from kclaims.export.csv import cell_text

    by_id = {s.id: s for s in sources}
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerow(SOF_COLUMNS)
    for table in sof_tables(rows, by_id, symbols=False):
        notes = {n.number: n.text for n in table.notes}
        for item in table.rows:
            row, grade = item.row, item.row.claim.grade
            bodies = claim_bodies(row, by_id)
            counted = [i for body in bodies.values() for i in body.counted]
            writer.writerow([
                table.topic, row.claim.id, cell_text(row.claim.statement), len(counted),
                participants(counted, by_id) or "", row.strength.verdict,
                row.strength.certainty or "",
                cell_text(" | ".join(notes[n] for n in item.notes)), item.meaning,
                (grade.verdict or "") if grade else "", (grade.certainty or "") if grade else "",
                cell_text(grade.because) if grade else ""])
    return buffer.getvalue()
