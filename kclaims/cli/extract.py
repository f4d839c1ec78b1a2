"""`kclaims extract`: propose an article's claims and citations, then review or apply them."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from kclaims.cli.app import app
from kclaims.cli.options import ArticleFormatOption, CatalogOption, catalog_root, print_plain
from kclaims.cli.review import INTERRUPTED, outcome_line, review_proposals
from kclaims.extract import cues as _cues
from kclaims.text import printable

if TYPE_CHECKING:
    from kclaims.extract.article import Article
    from kclaims.extract.extraction import Extraction

EXTRACT_EPILOG = ("The review reads answers until the last proposal, 'q', or the end of input; what was "
                  "accepted stays written, and the exit code is 0. Ctrl-C stops it the same way but exits "
                  f"with {INTERRUPTED}.")


@app.command("extract", epilog=EXTRACT_EPILOG)
def extract_claims(
    article: Annotated[Optional[Path], typer.Argument(
        metavar="[ARTICLE]", dir_okay=False, show_default=False,
        help="The article: a .txt, .md or .html file ('-' reads standard input, with --json or --apply). "
             "Default: the text snapshot of --source (sources/ID.txt).")] = None,
    source: Annotated[Optional[str], typer.Option(
        "--source", "-s", help="The article's source id in the catalog: quotes are recorded under it. "
                               "Needed unless --json.", show_default=False)] = None,
    format: ArticleFormatOption = "auto",
    apply: Annotated[bool, typer.Option(
        "--apply", help="Accept every proposal scoring at least --threshold without asking.")] = False,
    threshold: Annotated[float, typer.Option(
        "--threshold", help="With --apply: the lowest score accepted.")] = _cues.APPLY_THRESHOLD,
    min_score: Annotated[float, typer.Option(
        "--min-score", help="Propose only sentences scoring at least this (lower it to see more).")] = _cues.MIN_SCORE,
    catalog: CatalogOption = None,
    json: Annotated[bool, typer.Option(
        "--json", help="Print the proposals and the reference list as JSON and write nothing.")] = False,
) -> None:
    """Propose the claims an article makes and the papers it cites; you accept, edit or skip each.

    Each proposal is a sentence of the article with its score and the cues that fired (see
    docs/extract.md), the catalog claim it restates (or `new`), and its citation markers. Nothing
    is written until you accept: `m` records the sentence as the article's words for the matched
    claim, `n` makes a new claim of it. The article's reference list is shown at the end, with
    the command that adds each paper. Add the article itself first (`kclaims source add URL` or
    `kclaims source new`) and pass its id with --source.
    """
    from kclaims.catalog.files import load_catalog
    from kclaims.extract.extraction import extract
    from kclaims.extract.index import ClaimIndex
    from kclaims.extract.review import ReviewSession, snapshot_article

    _check_extract_options(json, apply, source)
    root = catalog_root(catalog)
    loaded = load_catalog(root)
    if source:
        loaded.source(source)
    path = article if article is not None else snapshot_article(loaded, source)
    text = _read_article(path, format, interactive=not (json or apply))
    model = ClaimIndex(loaded.claims)
    extraction = extract(text, loaded.claims, loaded.sources, min_score=min_score, model=model)
    if json:
        _print_extraction(extraction)
        return
    assert source is not None
    session = ReviewSession(root, source, text, extraction, model)
    _say_found(extraction)
    interrupted = None
    if apply:
        for outcome in session.apply(threshold):
            typer.echo(outcome_line(outcome), err=True)
    else:
        interrupted = review_proposals(session)
    _say_summary(session.counts())
    if interrupted is not None:
        raise typer.Exit(interrupted)
    _say_references(extraction)


def _check_extract_options(json: bool, apply: bool, source: str | None) -> None:
    from kclaims.errors import BadInput

    if json and apply:
        raise BadInput("--json only prints the proposals and writes nothing: drop --apply or --json")
    if not json and not source:
        raise BadInput("--source ID is needed to record the article's words: the article's id in the catalog "
                       "(add it with 'kclaims source add URL' or 'kclaims source new'), or use --json")


def _print_extraction(extraction: "Extraction") -> None:
    from kclaims.export.json import envelope
    from kclaims.extract.extraction import as_json

    print_plain(envelope(**as_json(extraction)))


def _read_article(path: Path, fmt: str, interactive: bool) -> "Article":
    from kclaims.errors import BadInput
    from kclaims.extract.reading import article_from_bytes, read_article

    if str(path) != "-":
        return read_article(path, fmt)
    if interactive:
        raise BadInput("an article on standard input leaves no way to answer questions: give a file, "
                       "or use --json or --apply")
    return article_from_bytes(sys.stdin.buffer.read(), fmt, "<stdin>")


def _say_found(extraction: "Extraction") -> None:
    matched = sum(1 for c in extraction.candidates if c.match)
    typer.echo(f"Read {extraction.sentences} sentences: {len(extraction.candidates)} proposed "
               f"({matched} restate a catalog claim), {len(extraction.references)} references.", err=True)
    for duplicate in extraction.duplicates:
        typer.echo(f"near-duplicates: {duplicate.keep} and {duplicate.other} say nearly the same thing; "
                   f"to merge them: {duplicate.command()}", err=True)


def _say_summary(counts: dict[str, int]) -> None:
    said = ", ".join(f"{n} {action}" for action, n in counts.items() if n)
    typer.echo(f"Done: {said or 'nothing accepted'}. Run 'kclaims check' to confirm the catalog is clean.", err=True)


def _say_references(extraction: "Extraction") -> None:
    for reference in extraction.references:
        marker = f"[{reference.marker}] " if reference.marker else ""
        if reference.source:
            advice = f"already in the catalog as {reference.source}"
        elif reference.identifier:
            advice = f"add it with: kclaims source add {reference.identifier}"
        else:
            advice = "no identifier found; add it by hand with: kclaims source new"
        typer.echo(printable(f"reference {marker}{reference.text}: {advice}"), err=True)
