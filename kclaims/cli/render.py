"""Human output for the CLI, drawn with rich. Only the CLI imports this module.

Long listings, and listings sent to a pipe or file, are printed as a plain aligned table
instead: rich takes about two milliseconds a row to lay out a table, so 10,000 claims would
take twenty seconds, and a pipe wants whole lines, not boxes wrapped at 80 columns.

Every field that came from a file or a service goes through `printable` (kclaims.text) before it
is shown: an imported title must not be able to move the cursor, retitle the window or reverse
the text around it.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kclaims.catalog.query import ClaimRow
from kclaims.grade import CERTAINTY_SYMBOLS, certainty_text, plain_language, source_level, strength_text
from kclaims.model import Claim, Evidence, Grade, Source
from kclaims.text import printable

if TYPE_CHECKING:
    from rich.box import Box
    from rich.console import Console
    from rich.text import Text

# rich is imported inside the functions that draw with it: a plain listing never needs it.

VERDICT_STYLES = {
    "supported": "green",
    "conflicting": "magenta",
    "contradicted": "red",
    "no-evidence-found": "dim",
    "not-assessed": "dim",
}
STANCE_STYLES = {"supports": "green", "contradicts": "red", "mentions": "dim"}


PIPED_WIDTH = 120  # for rich output sent to a pipe or file, where there is no terminal to measure


def _console() -> Console:
    from rich.console import Console

    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else PIPED_WIDTH
    console = Console(highlight=False, soft_wrap=False, width=width)
    console.on_broken_pipe = _reader_went_away  # type: ignore[method-assign]
    return console


def _reader_went_away() -> None:
    """`kclaims show ID | head -1`: the reader took what it wanted, which is success (rich's own
    handler exits 1); the error funnel silences stdout and exits 0."""
    raise BrokenPipeError


def _box() -> Box:
    from rich import box

    return box.SIMPLE_HEAD


def verdict_text(verdict: str) -> Text:
    from rich.text import Text

    return Text(verdict, style=VERDICT_STYLES.get(verdict, ""))


def can_show_symbols() -> bool:
    """Whether standard output can print GRADE's ⊕◯ symbols (else certainty is shown in words only)."""
    try:
        "".join(CERTAINTY_SYMBOLS.values()).encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def certainty_cell(certainty: str | None, symbols: bool) -> str:
    return certainty_text(certainty, symbols) or "-"


def grade_cell(grade: Grade | None, symbols: bool) -> str:
    """A curator's grade in a table cell: "supported ⊕⊕◯◯", "rubric-1: strong", or ""."""
    if grade is None:
        return ""
    if grade.label:
        return f"rubric-1: {grade.label}"
    mark = (CERTAINTY_SYMBOLS[grade.certainty] if symbols else certainty_text(grade.certainty, False)) \
        if grade.certainty else ""
    return f"{grade.verdict} {mark}".strip()


RICH_ROW_LIMIT = 300
CLAIM_COLUMNS = ("id", "statement", "kind", "topics", "verdict", "certainty", "curator", "articles", "papers")
ANSI_VERDICT_COLOURS = {"supported": "32", "conflicting": "35", "contradicted": "31", "no-evidence-found": "2",
                        "not-assessed": "2"}


def claims_table(rows: list[ClaimRow]) -> None:
    """The `kclaims list` table: rich in a terminal, plain aligned columns when long or piped."""
    if not rows:
        print("No claims match.", file=sys.stderr)
        return
    if sys.stdout.isatty() and len(rows) <= RICH_ROW_LIMIT:
        _rich_claims_table(rows)
    else:
        sys.stdout.write(plain_claims_table(rows, colour=_wants_colour()))
    print(f"{len(rows)} claim(s)", file=sys.stderr)


def _wants_colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def plain_claims_table(rows: list[ClaimRow], colour: bool = False, width: int | None = None) -> str:
    """Aligned columns, one line per claim; in a terminal the statement is cut to fit the width."""
    symbols = can_show_symbols()
    if width is None and sys.stdout.isatty():
        width = shutil.get_terminal_size().columns
    hidden = set(_columns_to_hide(width)) if width else set()
    if not any(r.claim.grade for r in rows):
        hidden.add("curator")
    columns = tuple(c for c in CLAIM_COLUMNS if c not in hidden)
    cells = [tuple(value for name, value in zip(CLAIM_COLUMNS, (
        r.claim.id, printable(r.claim.statement), r.claim.kind, ",".join(r.claim.topics), r.strength.verdict,
        certainty_cell(r.strength.certainty, symbols), printable(grade_cell(r.claim.grade, symbols)),
        str(r.articles), str(r.papers))) if name not in hidden) for r in rows]
    right = (len(columns) - 2, len(columns) - 1)
    paint = columns.index("verdict") if colour else None
    return plain_table(columns, cells, right=right, fit=(1, width), paint=paint)


def _paint(verdict: str, width: int, colour: bool) -> str:
    padded = verdict.ljust(width)
    code = ANSI_VERDICT_COLOURS.get(verdict)
    return f"\x1b[{code}m{verdict}\x1b[0m{padded[len(verdict):]}" if colour and code else padded


def _rich_claims_table(rows: list[ClaimRow], console: Console | None = None) -> None:
    from rich.table import Table
    from rich.text import Text

    console = console or _console()
    if console.width < NARROW_WIDTH:
        _stacked_claims(rows, console)
        return
    hidden = _rich_columns_to_hide(console.width)
    table = Table(show_lines=False, pad_edge=False, expand=True, box=_box())
    id_width = min(max(len(row.claim.id) for row in rows), 40)  # ids are copied: never wrapped
    for name, options in (("id", {"style": "cyan", "no_wrap": True, "min_width": id_width, "max_width": 40}),
                          ("statement", {"ratio": 5, "min_width": 20}), ("kind", {"no_wrap": True}),
                          ("topics", {"ratio": 2}), ("verdict", {"no_wrap": True}),
                          ("certainty", {"no_wrap": True}), ("curator", {"no_wrap": True}),
                          ("art.", {"justify": "right", "no_wrap": True}),
                          ("pap.", {"justify": "right", "no_wrap": True})):
        if name not in hidden:
            table.add_column(name, **options)
    symbols = can_show_symbols()
    for row in rows:
        claim = row.claim
        cells: dict[str, str | Text] = {
            "id": claim.id, "statement": Text(printable(claim.statement)), "kind": claim.kind,
            "topics": Text(" ".join(claim.topics)), "verdict": verdict_text(row.strength.verdict),
            "certainty": certainty_cell(row.strength.certainty, symbols),
            "curator": printable(grade_cell(claim.grade, symbols)), "art.": str(row.articles),
            "pap.": str(row.papers)}
        table.add_row(*(cell for name, cell in cells.items() if name not in hidden))
    console.print(table)
    note = "art. = articles that make the claim, pap. = papers linked to it, curator = a curator's grade"
    if hidden:
        note += f"; {' and '.join(hidden)} hidden in this narrow window (see --json, or widen it)"
    console.print(Text(note, style="dim"))


NARROW_WIDTH = 140  # below this a table has no room for the statement: each claim takes two lines


def _stacked_claims(rows: list[ClaimRow], console: Console) -> None:
    """Each claim as its id, verdict, certainty and curator's grade on one line, its statement below."""
    from rich.text import Text

    symbols = can_show_symbols()
    for row in rows:
        grade = grade_cell(row.claim.grade, symbols)
        console.print(Text.assemble((row.claim.id, "cyan"), "  ", verdict_text(row.strength.verdict),
                                    f"  {certainty_cell(row.strength.certainty, symbols)}",
                                    (f"  curator: {printable(grade)}" if grade else "", "dim")), no_wrap=True,
                      overflow="ellipsis")
        _indented(console, "    ", Text(printable(row.claim.statement)))


def _rich_columns_to_hide(width: int) -> tuple[str, ...]:
    """A terminal table keeps id, statement, verdict and certainty; the rest goes as it narrows."""
    if width >= 170:
        return ()
    if width >= 130:
        return ("topics",)
    return ("kind", "topics")


def _columns_to_hide(width: int) -> tuple[str, ...]:
    if width >= 150:
        return ()
    if width >= 100:
        return ("topics",)
    return ("kind", "topics")


def claim_detail(row: ClaimRow, sources: Mapping[str, Source]) -> None:
    """The `kclaims show` view: statement, verdict and certainty with every step, quotes, evidence."""
    from rich.text import Text

    claim = row.claim
    console = _console()
    console.print(Text.assemble((claim.id, "bold cyan"), "  ", (claim.kind, "dim"), "  ",
                                (", ".join(claim.topics), "dim")))
    console.print(Text(printable(claim.statement), style="bold"))
    if claim.note:
        console.print(Text(f"Note: {printable(claim.note, multiline=True)}", style="italic"))
    console.print()
    symbols = can_show_symbols()
    strength = row.strength
    console.print(Text.assemble("Verdict: ", verdict_text(strength.verdict),
                                f", certainty {certainty_cell(strength.certainty, symbols)}" if strength.certainty
                                else "", f". {plain_language(strength.verdict, strength.certainty)}"))
    if claim.grade:
        console.print(Text.assemble("Curator's grade: ", _grade_phrase(claim.grade, symbols),
                                    f" — {printable(claim.grade.because)}"))
    console.print(Text("How it was reached:", style="dim"))
    for reason in strength.reasons:
        _indented(console, "  • ", Text(printable(reason)))
    _print_quotes(console, claim, sources)
    _print_evidence(console, claim, sources)


def _grade_phrase(grade: Grade, symbols: bool) -> str:
    if grade.label:
        return f"{grade.label} (a rubric-1 label: run kclaims check)"
    return strength_text(grade.verdict or "", grade.certainty, symbols)


def _print_quotes(console: Console, claim: Claim, sources: Mapping[str, Source]) -> None:
    from rich.text import Text

    console.print()
    console.print(Text("Made in", style="bold underline"))
    if not claim.made_in:
        console.print(Text("  no article recorded", style="dim"))
    by_source: dict[str, list[str]] = {}
    for quote in claim.made_in:
        by_source.setdefault(quote.source, []).append(quote.text)
    for source_id, texts in by_source.items():
        source = sources.get(source_id)
        title = printable(source.title) if source and source.title else "(unknown source)"
        _indented(console, "  ", Text.assemble((source_id, "cyan"), f"  {title}"))
        for text in texts:
            _indented(console, "    ", Text(f"“{printable(text)}”", style="italic"))


def _indented(console: Console, lead: str, text: Text) -> None:
    """Print `text` after `lead`, with wrapped lines indented under the text, not the lead."""
    from rich.padding import Padding

    console.print(Padding(text, (0, 0, 0, len(lead)), expand=False) if not lead.strip() else _bullet(lead, text))


def _bullet(lead: str, text: Text) -> object:
    from rich.table import Table

    grid = Table.grid()
    grid.add_column(width=len(lead), no_wrap=True)
    grid.add_column()
    grid.add_row(lead, text)
    return grid


def _print_evidence(console: Console, claim: Claim, sources: Mapping[str, Source]) -> None:
    from rich.table import Table
    from rich.text import Text

    console.print()
    console.print(Text("Papers linked", style="bold underline"))
    if not claim.evidence:
        console.print(Text("  no paper linked", style="dim"))
        return
    table = Table(pad_edge=False, box=None, show_header=True)
    for name in ("stance", "source", "year", "design", "level", "n", "appraisal", "note"):
        table.add_column(name)
    for item in claim.evidence:
        source = sources.get(item.source)
        level = source_level(source, claim.kind) if source else None
        table.add_row(Text(item.stance, style=STANCE_STYLES[item.stance]), Text(item.source, style="cyan"),
                      str(source.year or "") if source else "", printable(level.design) if level else "unknown source",
                      str(level.level) if level and level.level else "–",
                      str(source.n) if source and source.n else "", Text(printable(_appraisal(item, source))),
                      Text(printable(item.note)))
    console.print(table)


def _appraisal(item: Evidence, source: Source | None) -> str:
    """What the curator recorded about this link and paper: indirectness, a review's certainty, bias."""
    parts = [f"indirect: {', '.join(item.indirect)}"] if item.indirect else []
    if item.certainty:
        parts.append(f"review certainty: {certainty_text(item.certainty, False)}")
    if source and source.risk_of_bias:
        parts.append(f"{source.risk_of_bias} risk of bias")
    if source and source.includes:
        parts.append(f"pools {len(source.includes)} catalog source(s)")
    return "; ".join(parts)


SOURCE_COLUMNS = ("id", "kind", "year", "level", "identifiers", "title")


def sources_table(sources: list[Source]) -> None:
    """The `kclaims source list` table: rich in a terminal, plain aligned columns when piped."""
    if not sources:
        print("No sources yet.", file=sys.stderr)
        return
    cells = [(s.id, s.kind, str(s.year or ""), _level_cell(s), printable(_identifiers(s)), printable(s.title or ""))
             for s in sources]
    if sys.stdout.isatty():
        _rich_sources_table(cells)
    else:
        sys.stdout.write(plain_table(SOURCE_COLUMNS, cells, right=(2, 3)))
    print(f"{len(sources)} source(s)", file=sys.stderr)


def _level_cell(source: Source) -> str:
    level = source_level(source).level
    return str(level) if level else "–"


def _rich_sources_table(cells: Sequence[tuple[str, ...]], console: Console | None = None) -> None:
    from rich.table import Table

    console = console or _console()
    table = Table(pad_edge=False, expand=True, box=_box())
    narrow = console.width < 110
    for name in SOURCE_COLUMNS:
        if narrow and name in ("kind", "identifiers"):
            continue
        options: dict[str, Any] = {"no_wrap": name in ("kind", "year", "level"),
                                   "justify": "right" if name in ("year", "level") else "left"}
        if name in ("id", "identifiers", "title"):
            options.update(overflow="fold", ratio={"id": 2, "identifiers": 2, "title": 4}[name], min_width=12)
        table.add_column(name, **options)
    for row in cells:
        table.add_row(*(cell for name, cell in zip(SOURCE_COLUMNS, row)
                        if not (narrow and name in ("kind", "identifiers"))))
    console.print(table)
    if narrow:
        from rich.text import Text

        console.print(Text("kind and identifiers hidden in this narrow window (see --json, or widen it)", style="dim"))


PLAIN_COLUMN_CAP = 200  # characters: a longer cell is printed whole, but no column is padded wider


def plain_table(headers: tuple[str, ...], cells: Sequence[tuple[str, ...]], right: tuple[int, ...] = (),
                fit: tuple[int, int | None] | None = None, paint: int | None = None) -> str:
    """Aligned columns separated by two spaces, one line per row: for pipes, files and long lists.
    `fit` = (column, width) cuts that column so lines fit the width; `paint` colours that column's labels.
    A column is never padded wider than PLAIN_COLUMN_CAP, so one huge cell lengthens its own line
    only, not every line of the table."""
    widths = [min(PLAIN_COLUMN_CAP, max(len(name), *(len(row[i]) for row in cells))) for i, name in enumerate(headers)]
    if fit and (fit_width := fit[1]):
        column = fit[0]
        others = sum(w for i, w in enumerate(widths) if i != column) + 2 * (len(widths) - 1)
        widths[column] = max(20, min(widths[column], fit_width - others))
    cut = fit[0] if fit and fit[1] else None

    def cell_text(i: int, cell: str, width: int, is_header: bool) -> str:
        if i == cut and len(cell) > width:
            cell = cell[: width - 1] + "…"
        if i == paint and not is_header:
            return _paint(cell, width, True)
        return cell.rjust(width) if i in right else cell.ljust(width)

    def line(row: tuple[str, ...], is_header: bool = False) -> str:
        return "  ".join(cell_text(i, c, w, is_header) for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    return "\n".join([line(headers, True), *(line(row) for row in cells)]) + "\n"


def _identifiers(source: Source) -> str:
    parts = [f"PMID {source.pmid}" if source.pmid else "", source.pmcid or "",
             f"doi:{source.doi}" if source.doi else ""]
    joined = " ".join(p for p in parts if p)
    return joined or (source.url or "")


def source_detail(source: Source, claims: list[Claim]) -> None:
    """The `kclaims source show` view."""
    from rich.text import Text

    console = _console()
    console.print(Text.assemble((source.id, "bold cyan"), "  ", (source.kind, "dim")))
    console.print(Text(printable(source.title or "(no title)"), style="bold"))
    level = source_level(source)
    fields = [
        ("authors", ", ".join(source.authors)), ("year", source.year), ("journal", source.journal),
        ("site", source.site), ("publisher", source.publisher), ("date", source.date), ("pmid", source.pmid),
        ("pmcid", source.pmcid), ("doi", source.doi), ("url", source.url),
        ("publication types", ", ".join(source.publication_types)), ("population", source.population),
        ("design", level.design), ("level", f"{level.level if level.level else '–'} ({level.why})"),
        ("retracted", "yes" if source.retracted else ""), ("retrieved", source.retrieved), ("note", source.note),
    ]
    for name, value in fields:
        if value not in (None, ""):
            _indented(console, f"{name:>18}: ", Text(printable(str(value), multiline=name == "note")))
    if source.references:
        console.print(Text("        references:", style="dim"))
        for marker, target in source.references.items():
            console.print(Text(printable(f"          [{marker}] {target}")))
    console.print()
    console.print(Text(f"Claims naming it ({len(claims)}):", style="bold"))
    for claim in claims:
        _indented(console, "  ", Text.assemble((claim.id, "cyan"), f"  {printable(claim.statement)}"))


