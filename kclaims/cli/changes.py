"""The commands that change and undo: claim edit, rm, unlink, unquote, merge; and `kclaims open`."""

import sys
from typing import Annotated, Optional

import typer

from kclaims.cli.app import app, claim_app
from kclaims.cli.options import CatalogOption, catalog_root, load_at
from kclaims.text import printable
from kclaims.vocabulary import CLAIM_KINDS

ClaimArgument = Annotated[str, typer.Argument(metavar="CLAIM", help="The claim's id.")]
SourceArgument = Annotated[str, typer.Argument(metavar="SOURCE", help="The source's id.")]


@claim_app.command("edit")
def claim_edit(
    claim_id: ClaimArgument,
    statement: Annotated[Optional[str], typer.Option("--statement", help="The new statement.", show_default=False)] = None,
    kind: Annotated[Optional[str], typer.Option(
        "--kind", "-k", help=f"The new kind: {', '.join(CLAIM_KINDS)}.", show_default=False)] = None,
    topic: Annotated[Optional[list[str]], typer.Option(
        "--topic", "-t", help="Add a topic (repeat for several).", show_default=False)] = None,
    remove_topic: Annotated[Optional[list[str]], typer.Option(
        "--remove-topic", help="Remove a topic (repeat for several).", show_default=False)] = None,
    note: Annotated[Optional[str], typer.Option(
        "--note", help="The new note ('' removes it).", show_default=False)] = None,
    catalog: CatalogOption = None,
) -> None:
    """Change a claim's statement, kind, topics or note, keeping its comments and place."""
    from kclaims.catalog.claim_edits import ClaimChanges, edit_claim

    changes = ClaimChanges(statement, kind, topic or [], remove_topic or [], note)
    said = edit_claim(catalog_root(catalog), claim_id, changes)
    for line in said:
        typer.echo(printable(f"{claim_id}: {line}"), err=True)
    if not said:
        typer.echo(f"{claim_id} already says that.", err=True)


@claim_app.command("rm")
def claim_rm(claim_id: ClaimArgument, catalog: CatalogOption = None) -> None:
    """Remove a claim, with its quotes and links (the sources stay)."""
    from kclaims.catalog.claim_edits import remove_claim

    claim = remove_claim(catalog_root(catalog), claim_id)
    typer.echo(f"Removed claim {claim_id} ({len(claim.made_in)} quotes, {len(claim.evidence)} links).", err=True)


@claim_app.command("unlink")
def claim_unlink(claim_id: ClaimArgument, source_id: SourceArgument, catalog: CatalogOption = None) -> None:
    """Remove a paper's evidence link from a claim."""
    from kclaims.catalog.claim_edits import unlink_evidence

    link = unlink_evidence(catalog_root(catalog), claim_id, source_id)
    typer.echo(f"Unlinked {source_id} ({link.stance}) from {claim_id}.", err=True)


@claim_app.command("unquote")
def claim_unquote(
    claim_id: ClaimArgument, source_id: SourceArgument,
    quote: Annotated[Optional[str], typer.Argument(
        metavar="[QUOTE]", help="The words to take back (not needed when the article has one quote for the claim).",
        show_default=False)] = None,
    catalog: CatalogOption = None,
) -> None:
    """Take back an article's words for a claim."""
    from kclaims.catalog.claim_edits import remove_quote

    removed = remove_quote(catalog_root(catalog), claim_id, source_id, quote)
    typer.echo(f"Removed {len(removed)} quote{'s' if len(removed) != 1 else ''} from {source_id} of {claim_id}.",
               err=True)


@claim_app.command("merge")
def claim_merge(
    keep_id: Annotated[str, typer.Argument(metavar="KEEP", help="The claim to keep.")],
    other_id: Annotated[str, typer.Argument(metavar="OTHER", help="The claim merged into KEEP and removed.")],
    catalog: CatalogOption = None,
) -> None:
    """Merge one claim into another: quotes, evidence, topics and searches combined, duplicates dropped
    (and said), then OTHER removed. `kclaims check` names near-duplicates worth merging."""
    from kclaims.catalog.claim_edits import merge_claims

    merged = merge_claims(catalog_root(catalog), keep_id, other_id)
    for line in merged.dropped:
        typer.echo(printable(f"dropped {line}"), err=True)
    topics = f", topics {', '.join(merged.topics)}" if merged.topics else ""
    typer.echo(f"Merged {other_id} into {keep_id}: {merged.quotes} quotes, {merged.evidence} links, "
               f"{merged.searches} searches{topics}; removed {other_id}.", err=True)


@app.command("open")
def open_source(
    source_id: SourceArgument,
    print_only: Annotated[bool, typer.Option("--print", help="Print the address instead of opening it.")] = False,
    catalog: CatalogOption = None,
) -> None:
    """Open a source's page in the browser (its DOI, PubMed, PMC page or URL), or print the address
    when --print is given, output is not a terminal, or there is no browser to open."""
    from kclaims.catalog.query import source_page
    from kclaims.errors import BadInput

    source = load_at(catalog).source(source_id)
    address = source_page(source)
    if address is None:
        raise BadInput(f"{source_id!r} has no DOI, PMID, PMCID or URL to open")
    if not print_only and sys.stdout.isatty():  # piped or scripted: the address is what is wanted
        import webbrowser

        try:
            if webbrowser.open(address):
                typer.echo(f"Opened {address}", err=True)
                return
        except webbrowser.Error:
            pass
    typer.echo(address)
