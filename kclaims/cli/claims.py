"""`kclaims init`, `list`, `show` and the `claim` commands: add, quote, link, grade."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from kclaims.cli.app import app, claim_app
from kclaims.vocabulary import CERTAINTIES, INDIRECTNESS, VERDICTS
from kclaims.cli.options import (
    ArticleFilterOption,
    one_of,
    StanceOption,
    CertaintyOption,
    VerdictOption,
    CatalogOption,
    JsonOption,
    KindOption,
    SortOption,
    SourceFilterOption,
    TextOption,
    TopicOption,
    UncheckedOption,
    catalog_root,
    claim_filter,
    load_at,
    print_chunks,
    print_plain,
)


@app.command("init")
def init(directory: Annotated[Path, typer.Argument(metavar="[DIR]", help="Folder for the new catalog (made if missing).")] = Path(".")) -> None:
    """Create an empty catalog: claims.yaml and a sources/ folder."""
    from kclaims.catalog.files import init_catalog

    root = init_catalog(directory)
    typer.echo(f"Created an empty catalog in {root}. Next: kclaims source new, then kclaims claim add.", err=True)


@app.command("list")
def list_claims(
    catalog: CatalogOption = None, topic: TopicOption = None, kind: KindOption = None,
    verdict: VerdictOption = None, certainty: CertaintyOption = None,
    source: SourceFilterOption = None, article: ArticleFilterOption = None, text: TextOption = None,
    sort: SortOption = "catalog", json: JsonOption = False,
) -> None:
    """List claims with their verdict and certainty, how many articles make each and how many papers bear on it."""
    from kclaims.catalog.query import select_claims

    rows = select_claims(load_at(catalog), claim_filter(topic, kind, verdict, certainty, source, text, article), sort)
    if json:
        from kclaims.export.json import json_chunks

        print_chunks(json_chunks(rows, None))  # a record at a time: 10,000 claims are 18 MB of JSON
        return
    from kclaims.cli import render

    render.claims_table(rows)


@app.command("show")
def show(
    claim_id: Annotated[str, typer.Argument(metavar="ID", help="The claim's id (see kclaims list).")],
    catalog: CatalogOption = None, json: JsonOption = False,
) -> None:
    """Show one claim: its verdict and certainty with every step that decided them, each article's words,
    and the papers for and against."""
    from kclaims.catalog.one_claim import load_claim
    from kclaims.catalog.query import claim_row, linked_sources

    loaded = load_claim(catalog_root(catalog), claim_id)
    row = claim_row(loaded, claim_id)
    if json:
        from kclaims.export.json import export_json

        print_plain(export_json([row], linked_sources(loaded, [row])))
        return
    from kclaims.cli import render

    render.claim_detail(row, loaded.sources)


@claim_app.command("add")
def claim_add(
    claim_id: Annotated[str, typer.Argument(metavar="ID", help="New claim id: a short slug like nmda-antagonism.")],
    statement: Annotated[str, typer.Argument(metavar="STATEMENT", help="One neutral sentence, e.g. 'Ketamine blocks NMDA receptors.'")],
    kind: Annotated[str, typer.Option("--kind", "-k", help="mechanism, efficacy, safety, dosing or background.")],
    topic: Annotated[Optional[list[str]], typer.Option(
        "--topic", "-t", help="A topic of the claim, e.g. ptsd (repeat for several).", show_default=False)] = None,
    from_source: Annotated[Optional[str], typer.Option("--from", help="Id of the article that makes the claim.")] = None,
    quote: Annotated[Optional[str], typer.Option("--quote", help="The article's exact words (needs --from).")] = None,
    unchecked: UncheckedOption = False,
    catalog: CatalogOption = None,
) -> None:
    """Add a claim, optionally with the article that makes it and its exact words (checked against
    the article's text snapshot, sources/ID.txt, when it has one)."""
    from kclaims.catalog.edit import add_claim
    from kclaims.errors import BadInput
    from kclaims.model import Claim, Quote

    if bool(from_source) != bool(quote):
        raise BadInput("--from and --quote go together: the article's id and its exact words")
    made_in = [Quote(from_source, quote)] if from_source and quote else []
    claim = Claim(id=claim_id, statement=statement, kind=kind, topics=topic or [], made_in=made_in)
    add_claim(catalog_root(catalog), claim, checked=not unchecked)
    typer.echo(f"Added claim {claim_id}.", err=True)


@claim_app.command("quote")
def claim_quote(
    claim_id: Annotated[str, typer.Argument(metavar="CLAIM", help="The claim's id.")],
    source_id: Annotated[str, typer.Argument(metavar="SOURCE", help="The article's source id.")],
    quote: Annotated[str, typer.Argument(metavar="QUOTE", help="The article's exact words for the claim.")],
    unchecked: UncheckedOption = False,
    catalog: CatalogOption = None,
) -> None:
    """Record another article's exact words for an existing claim.

    The words are checked against the article's text snapshot (sources/ID.txt) at once, spacing and
    typographic quotes ignored: words that are not there are refused (exit 2) with the nearest
    passage. A source without a snapshot cannot be checked and is recorded as given.
    """
    from kclaims.catalog.edit import add_quote

    added = add_quote(catalog_root(catalog), claim_id, source_id, quote, checked=not unchecked)
    typer.echo(f"Added the quote from {source_id} to {claim_id}." if added else "That quote is already recorded.",
               err=True)


@claim_app.command("link")
def claim_link(
    claim_id: Annotated[str, typer.Argument(metavar="CLAIM", help="The claim's id.")],
    source_id: Annotated[str, typer.Argument(metavar="SOURCE", help="The paper's source id.")],
    stance: StanceOption,
    note: Annotated[str, typer.Option("--note", help="What the paper found, in a sentence.")] = "",
    indirect: Annotated[Optional[list[str]], typer.Option(
        "--indirect", metavar="WAY", help=f"How the paper differs from the claim: {one_of(INDIRECTNESS)} "
                                          "(repeat for several).", show_default=False)] = None,
    certainty: Annotated[Optional[str], typer.Option(
        "--certainty", help=f"The GRADE certainty a review itself reports for this outcome: {one_of(CERTAINTIES)}.",
        show_default=False)] = None,
    catalog: CatalogOption = None,
) -> None:
    """Link a paper to a claim as evidence. Linking it again replaces the link: its stance, note,
    --indirect and --certainty become what this command gives."""
    from kclaims.catalog.edit import link_evidence

    replaced = link_evidence(catalog_root(catalog), claim_id, source_id, stance, note, indirect, certainty)
    if replaced is None:
        typer.echo(f"Linked {source_id} to {claim_id} ({stance}).", err=True)
    else:
        typer.echo(f"Replaced the link of {source_id} to {claim_id}: {replaced.stance} -> {stance}.", err=True)


@claim_app.command("grade")
def claim_grade(
    claim_id: Annotated[str, typer.Argument(metavar="CLAIM", help="The claim's id.")],
    verdict: Annotated[str, typer.Argument(metavar="VERDICT", help=f"The curator's verdict: {one_of(VERDICTS)}.")],
    because: Annotated[str, typer.Option("--because", help="Why (required), e.g. the review's own GRADE rating.")],
    certainty: Annotated[Optional[str], typer.Option(
        "--certainty", help=f"The curator's certainty: {one_of(CERTAINTIES)}.", show_default=False)] = None,
    catalog: CatalogOption = None,
) -> None:
    """Record a curator's verdict and certainty, and why; shown beside the computed ones, never instead."""
    from kclaims.catalog.edit import set_grade
    from kclaims.export.view import grade_title
    from kclaims.grade import strength_text

    previous = set_grade(catalog_root(catalog), claim_id, verdict, certainty, because)
    replaced = f" (replaces {grade_title(previous, symbols=False)}: {previous.because})" if previous else ""
    typer.echo(f"Graded {claim_id} {strength_text(verdict, certainty, symbols=False)}.{replaced}", err=True)
