"""Human output for the CLI, drawn with rich. Only the CLI imports this module."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from kclaims.grade import source_level
from kclaims.model import Claim, Source
from kclaims.query import ClaimRow

LABEL_STYLES = {
    "strong": "bold green",
    "moderate": "green",
    "limited": "yellow",
    "preliminary": "dark_orange",
    "contested": "magenta",
    "contradicted": "red",
    "unsupported": "dim red",
}
STANCE_STYLES = {"supports": "green", "contradicts": "red", "mentions": "dim"}


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def label_text(label: str) -> Text:
    return Text(label, style=LABEL_STYLES.get(label, ""))


def claims_table(rows: list[ClaimRow]) -> None:
    """The `kclaims list` table."""
    console = _console()
    if not rows:
        Console(stderr=True).print("No claims match.")
        return
    table = Table(show_lines=False, pad_edge=False, expand=False)
    for name, options in (("id", {"style": "cyan", "no_wrap": True}), ("statement", {"ratio": 3}),
                          ("kind", {}), ("topics", {}), ("label", {"no_wrap": True}),
                          ("articles", {"justify": "right"}), ("papers", {"justify": "right"})):
        table.add_column(name, **options)
    for row in rows:
        claim = row.claim
        table.add_row(claim.id, Text(claim.statement), claim.kind, Text(", ".join(claim.topics)),
                      label_text(row.strength.label), str(row.articles), str(row.papers))
    console.print(table)
    Console(stderr=True).print(f"{len(rows)} claim(s)")


def claim_detail(row: ClaimRow, sources: Mapping[str, Source]) -> None:
    """The `kclaims show` view: statement, quotes by article, evidence, label and reasons."""
    claim = row.claim
    console = _console()
    console.print(Text.assemble((claim.id, "bold cyan"), "  ", (claim.kind, "dim"), "  ",
                                (", ".join(claim.topics), "dim")))
    console.print(Text(claim.statement, style="bold"))
    if claim.note:
        console.print(Text(f"Note: {claim.note}", style="italic"))
    console.print()
    console.print(Text.assemble("Evidence: ", label_text(row.strength.label)))
    if claim.grade:
        console.print(Text.assemble("Curator's grade: ", label_text(claim.grade.label), f" — {claim.grade.because}"))
    for reason in row.strength.reasons:
        console.print(Text(f"  • {reason}"))
    _print_quotes(console, claim, sources)
    _print_evidence(console, claim, sources)


def _print_quotes(console: Console, claim: Claim, sources: Mapping[str, Source]) -> None:
    console.print()
    console.print(Text("Made in", style="bold underline"))
    if not claim.made_in:
        console.print(Text("  no article recorded", style="dim"))
    by_source: dict[str, list[str]] = {}
    for quote in claim.made_in:
        by_source.setdefault(quote.source, []).append(quote.text)
    for source_id, texts in by_source.items():
        source = sources.get(source_id)
        title = source.title if source and source.title else "(unknown source)"
        console.print(Text.assemble("  ", (source_id, "cyan"), f"  {title}"))
        for text in texts:
            console.print(Text(f"    “{text}”", style="italic"))


def _print_evidence(console: Console, claim: Claim, sources: Mapping[str, Source]) -> None:
    console.print()
    console.print(Text("Evidence", style="bold underline"))
    if not claim.evidence:
        console.print(Text("  no paper linked", style="dim"))
        return
    table = Table(pad_edge=False, box=None, show_header=True)
    for name in ("stance", "source", "year", "design", "level", "note"):
        table.add_column(name)
    for item in claim.evidence:
        source = sources.get(item.source)
        level = source_level(source, claim.kind) if source else None
        table.add_row(Text(item.stance, style=STANCE_STYLES[item.stance]), Text(item.source, style="cyan"),
                      str(source.year or "") if source else "", level.design if level else "unknown source",
                      str(level.level) if level and level.level else "–", Text(item.note))
    console.print(table)


def sources_table(sources: list[Source]) -> None:
    """The `kclaims source list` table."""
    if not sources:
        Console(stderr=True).print("No sources yet.")
        return
    table = Table(pad_edge=False)
    for name in ("id", "kind", "year", "title", "identifiers", "level"):
        table.add_column(name, no_wrap=name in ("id", "kind"))
    for source in sources:
        level = source_level(source)
        table.add_row(Text(source.id, style="cyan"), source.kind, str(source.year or ""), Text(source.title or ""),
                      Text(_identifiers(source)), str(level.level) if level.level else "–")
    _console().print(table)


def _identifiers(source: Source) -> str:
    parts = [f"PMID {source.pmid}" if source.pmid else "", source.pmcid or "",
             f"doi:{source.doi}" if source.doi else ""]
    joined = " ".join(p for p in parts if p)
    return joined or (source.url or "")


def source_detail(source: Source, claims: list[Claim]) -> None:
    """The `kclaims source show` view."""
    console = _console()
    console.print(Text.assemble((source.id, "bold cyan"), "  ", (source.kind, "dim")))
    console.print(Text(source.title or "(no title)", style="bold"))
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
            console.print(Text.assemble((f"{name:>18}: ", "dim"), str(value)))
    if source.references:
        console.print(Text("        references:", style="dim"))
        for marker, target in source.references.items():
            console.print(Text(f"          [{marker}] {target}"))
    console.print()
    console.print(Text(f"Claims naming it ({len(claims)}):", style="bold"))
    for claim in claims:
        console.print(Text.assemble("  ", (claim.id, "cyan"), f"  {claim.statement}"))


__all__ = ["claims_table", "claim_detail", "sources_table", "source_detail", "escape"]
