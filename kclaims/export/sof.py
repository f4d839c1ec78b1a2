"""A GRADE Summary of Findings: one table per topic, one row per claim, as Cochrane reviews print them.

Each row: the claim; the studies and participants counted (for and against); the certainty as
GRADE shows it (⊕⊕⊕◯) with a footnote for each step down naming the sources that caused it; GRADE's
plain-language statement; and a curator's grade beside the computed one, with its reason.
Three formats share `sof_tables`: `sof` (Markdown), `sof-html` (one self-contained page) and
`sof-csv` (one row per claim and topic, footnotes joined in a cell).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
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
    counted: list[str] = field(default_factory=list)  # the studies counted, both sides (for sof-csv)


@dataclass(slots=True)
class SofTable:
    topic: str
    rows: list[SofRow] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict, repr=False)  # a note's text -> its number

    def note(self, text: str) -> int:
        """The number of the footnote that says `text`, added if it is new."""
        number = self.numbers.get(text)
        if number is None:
            number = self.numbers[text] = len(self.notes) + 1
            self.notes.append(Note(number, text))
        return number


def sof_tables(rows: list[ClaimRow], sources: Mapping[str, Source], symbols: bool = True) -> list[SofTable]:
    """A table per topic (A to Z, claims without a topic last), footnotes numbered within each table."""
    tables = []
    for table, items in sof_tables_lazily(rows, sources, symbols):
        table.rows.extend(items)
        tables.append(table)
    return tables


def sof_tables_lazily(rows: list[ClaimRow], sources: Mapping[str, Source],
                      symbols: bool = True) -> Iterator[tuple[SofTable, Iterator[SofRow]]]:
    """`sof_tables` made as they are read: each table with its rows still to come (the table's `rows`
    stay empty; its `notes` fill as the rows are made). Read each table's rows before the next."""
    names = sources if isinstance(sources, Bibliography) else Bibliography(sources.values())
    for topic in topics_of(rows):
        table = SofTable(topic)
        yield table, (_sof_row(row, sources, names, table, symbols) for row in rows
                      if topic in (row.claim.topics or [NO_TOPIC]))


def _sof_row(row: ClaimRow, sources: Mapping[str, Source], names: Bibliography, table: SofTable,
             symbols: bool) -> SofRow:
    bodies = claim_bodies(row, sources)
    strength = row.strength
    numbers = [table.note(text) for body in _noted_bodies(bodies, strength.verdict)
               for text in _body_notes(body, row, sources, names)]
    if strength.certainty:
        certainty = strength_text(strength.verdict, strength.certainty, symbols)
    else:
        sides = [f"{stance_word(s)} {certainty_text(b.certainty, symbols)}" for s, b in bodies.items()]
        certainty = strength.verdict + (f" ({', '.join(sides)})" if sides else "")
    grade = row.claim.grade
    graded = f"{grade_title(grade, symbols)}, because {one_line(grade.because)}" if grade else ""
    return SofRow(row, _studies(bodies, sources), certainty, numbers,
                  plain_language(strength.verdict, strength.certainty), graded,
                  [i for body in bodies.values() for i in body.counted])


def _noted_bodies(bodies: Mapping[str, Body], verdict: str) -> list[Body]:
    """The bodies whose steps down the reported certainty rests on: the winning side's (its
    inconsistency step included) for a supported or contradicted claim; both for a conflicting one,
    which has no certainty of its own, only each side's."""
    winner = next((stance for stance, direction in STANCE_DIRECTION.items() if direction == verdict), None)
    if winner is None:
        return list(bodies.values())
    return [body for stance, body in bodies.items() if stance == winner]


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
    return "".join(sof_chunks(rows, sources))


def sof_chunks(rows: list[ClaimRow], sources: list[Source]) -> Iterator[str]:
    """`export_sof`'s text a table row at a time."""
    from kclaims.export.markdown import inline

    yield f"# {SOF_TITLE}\n\n{inline(SOF_INTRO)}"
    tables = 0
    for table, items in sof_tables_lazily(rows, Bibliography(sources)):
        tables += 1
        yield "\n\n"
        yield from _table_markdown(table, items)
    if not tables:
        yield "\n\nNo claims match."
    yield "\n"


def sof_table_markdown(table: SofTable, level: int = 2) -> list[str]:
    """One topic's table and its footnotes, as Markdown blocks."""
    return "".join(_table_markdown(table, table.rows, level)).split("\n\n")


def _table_markdown(table: SofTable, items: Iterable[SofRow], level: int = 2) -> Iterator[str]:
    """The heading, then the table a row at a time, then the footnotes (known once the rows are made)."""
    from kclaims.export.markdown import inline

    name = "No topic" if table.topic == NO_TOPIC else table.topic
    yield f"{'#' * level} {inline(name)}\n\n| " + " | ".join(SOF_HEADS) + " |\n|---|---|---|---|---|"
    for item in items:
        marks = note_marks(item.notes)
        cells = [f"{inline(item.row.claim.statement)} (`{item.row.claim.id}`)", item.studies,
                 inline(item.certainty) + (f" {marks}" if marks else ""), inline(item.meaning),
                 inline(item.grade) or "·"]
        yield "\n| " + " | ".join(cells) + " |"
    separator = "\n\n"
    for note in table.notes:
        yield f"{separator}- {str(note.number).translate(SUPERSCRIPTS)} {inline(note.text)}"
        separator = "\n"


# --- HTML -----------------------------------------------------------------------------------------


def export_sof_html(rows: list[ClaimRow], sources: list[Source]) -> str:
    """The Summary of Findings as one self-contained HTML page (the report's style and policy)."""
    return "".join(sof_html_chunks(rows, sources))


def sof_html_chunks(rows: list[ClaimRow], sources: list[Source]) -> Iterator[str]:
    """`export_sof_html`'s page a table row at a time."""
    from kclaims.export.html import document_chunks

    return document_chunks(SOF_TITLE, _sof_html_body(rows, sources), script=False)


def _sof_html_body(rows: list[ClaimRow], sources: list[Source]) -> Iterator[str]:
    from kclaims.export.html import esc

    yield f"<header><h1>{esc(SOF_TITLE)}</h1><p class=\"caveat\">{esc(SOF_INTRO)}</p></header>"
    tables = 0
    for table, items in sof_tables_lazily(rows, Bibliography(sources)):
        tables += 1
        name = "No topic" if table.topic == NO_TOPIC else table.topic
        yield (f'\n<section class="sof"><h2>{esc(name)}</h2><div class="scroll"><table><thead><tr>'
               + "".join(f"<th>{esc(h)}</th>" for h in SOF_HEADS) + "</tr></thead><tbody>")
        for item in items:
            yield "\n" + _sof_html_row(table, item)
        yield "\n</tbody></table></div>"
        if table.notes:
            yield '\n<ol class="notes">' + "".join(
                f'<li id="note-{esc(_slug(table.topic))}-{n.number}">{esc(n.text)}</li>' for n in table.notes) + "</ol>"
        yield "\n</section>"
    if not tables:
        yield '\n<p class="muted">No claims match.</p>'


def _sof_html_row(table: SofTable, item: SofRow) -> str:
    from kclaims.export.html import badge, esc
    from kclaims.grade import strength_key

    strength = item.row.strength
    marks = "".join(f'<sup><a href="#note-{esc(_slug(table.topic))}-{n}">{n}</a></sup>' for n in item.notes)
    return (f'<tr><td><a id="claim-{esc(item.row.claim.id)}"></a>{esc(item.row.claim.statement)} '
            f"<code>{esc(item.row.claim.id)}</code></td><td>{esc(item.studies)}</td>"
            f"<td>{badge(strength_key(strength.verdict, strength.certainty))}{_sides(item)}{marks}</td>"
            f"<td>{esc(item.meaning)}</td><td>{esc(item.grade) or '·'}</td></tr>")


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
    return "".join(sof_csv_chunks(rows, sources))


def sof_csv_chunks(rows: list[ClaimRow], sources: list[Source]) -> Iterator[str]:
    """`export_sof_csv`'s text a few hundred rows at a time."""
    from kclaims.export.csv import csv_text

    return csv_text(SOF_COLUMNS, _sof_csv_records(rows, Bibliography(sources)))


def _sof_csv_records(rows: list[ClaimRow], by_id: Bibliography) -> Iterator[list[object]]:
    from kclaims.export.csv import cell_text

    for table, items in sof_tables_lazily(rows, by_id, symbols=False):
        for item in items:
            row, grade = item.row, item.row.claim.grade
            yield [
                table.topic, row.claim.id, cell_text(row.claim.statement), len(item.counted),
                participants(item.counted, by_id) or "", row.strength.verdict,
                row.strength.certainty or "",
                cell_text(" | ".join(table.notes[n - 1].text for n in item.notes)), item.meaning,
                (grade.verdict or "") if grade else "", (grade.certainty or "") if grade else "",
                cell_text(grade.because) if grade else ""]
