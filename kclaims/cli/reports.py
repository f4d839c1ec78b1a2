"""`kclaims check`, `export` and `map`: what the catalog says, in the formats readers use."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from kclaims.cli.app import app
from kclaims.cli.options import (
    ArticleFilterOption,
    CertaintyOption,
    VerdictOption,
    CatalogOption,
    KindOption,
    SortOption,
    SourceFilterOption,
    TextOption,
    TopicOption,
    catalog_root,
    claim_filter,
    load_at,
    print_chunks,
    print_plain,
)
from kclaims.errors import ExitCode
from kclaims.text import printable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from kclaims.catalog.chunks import ClaimChunks
    from kclaims.catalog.files import Catalog
    from kclaims.catalog.query import ClaimFilter

    from rich.status import Status

BIBLIOGRAPHY_FORMATS = ("bibtex", "csl-json")  # they hold the sources only


@app.command("check")
def check(catalog: CatalogOption = None, json: Annotated[bool, typer.Option(
        "--json", help="Print the problems as JSON (docs/json.md's envelope with problems: [{path, line, "
                       "message}]) instead of lines.")] = False,
) -> None:
    """Check the catalog: bad values, unknown ids, duplicates, quotes that drifted, retracted support.

    Prints one `file:line: problem` per problem. Exit code 1 if there is any, 0 if the catalog is clean.
    """
    from kclaims.catalog.check import check_catalog

    problems = check_catalog(catalog_root(catalog))
    if json:
        from kclaims.export.json import envelope

        print_plain(envelope(problems=[{"path": str(p.path), "line": p.line, "message": p.message}
                                       for p in problems]))
    else:
        for problem in problems:
            typer.echo(printable(str(problem)))
        typer.echo(f"{len(problems)} problem(s) found." if problems else "The catalog is clean.", err=True)
    raise typer.Exit(int(ExitCode.PROBLEMS_FOUND if problems else ExitCode.OK))


@app.command("export")
def export(
    format: Annotated[Optional[str], typer.Option(
        "--format", "-f", metavar="FORMAT", help="Output format: json, md (Markdown report), html (one self-contained page), csv, "
                               "csl-json (for Zotero and Pandoc), bibtex, sof (a GRADE Summary of Findings; "
                               "sof-html, sof-csv). See docs/reports.md. Default: from the --output file's "
                               "extension (.json, .md, .html, .csv, .bib, .csl.json), else json (the contract).",
        show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", dir_okay=False,
                                                   help="Write to this file instead of standard output.")] = None,
    catalog: CatalogOption = None, topic: TopicOption = None, kind: KindOption = None,
    verdict: VerdictOption = None, certainty: CertaintyOption = None,
    source: SourceFilterOption = None, article: ArticleFilterOption = None, text: TextOption = None,
    sort: SortOption = "catalog",
    since: Annotated[Optional[str], typer.Option(
        "--since", metavar="REV", help="md and html: add what changed since this git revision (as kclaims diff).",
        show_default=False)] = None,
) -> None:
    """Export the claims (all, or those the filters select) with their sources.

    Without filters every source of the catalog is exported; with filters, the sources the
    selected claims quote or cite.
    """
    from kclaims.errors import BadInput
    from kclaims.export import FORMATS, SINCE_FORMATS

    format = format or format_for(output)
    if format not in FORMATS:
        raise BadInput(f"--format {format!r} is not one of: {', '.join(FORMATS)}")
    if since is not None and format not in SINCE_FORMATS:
        raise BadInput(f"--since goes with --format {' or '.join(SINCE_FORMATS)}, not {format}")
    wanted = claim_filter(topic, kind, verdict, certainty, source, text, article)
    with progress("Loading the catalog") as step:
        root = catalog_root(catalog)
        loaded: Catalog | ClaimChunks
        if format == "md" and wanted.is_empty() and sort == "catalog" and since is None:
            from kclaims.catalog.chunks import chunks_or_catalog
            from kclaims.export.view import ReportArranger

            loaded = chunks_or_catalog(root, ReportArranger())  # the whole report: a chunk of claims at a time
        else:
            from kclaims.catalog.files import load_catalog

            loaded = load_catalog(root)
        step("Grading the claims")
        chunks, claims, sources = _report(loaded, format, wanted, sort, since, step)
        if output is not None:
            from kclaims.export.output import write_chunks

            step(f"Writing {claims} claims as {format}")
            write_chunks(output, chunks)
    if output is None:
        print_chunks(chunks)  # after the progress line is gone, which would mix with the report on a terminal
        return
    what = f"{sources} sources" if format in BIBLIOGRAPHY_FORMATS else f"{claims} claims"
    typer.echo(f"Wrote {what} to {output}", err=True)


def _report(loaded: "Catalog | ClaimChunks", format: str, wanted: "ClaimFilter", sort: str, since: str | None,
            step: "Callable[[str], None]") -> "tuple[Iterator[str] | Iterator[str | bytes], int, int]":
    """The report's pieces as they are made, and how many claims and sources it holds."""
    from kclaims.catalog.files import Catalog
    from kclaims.catalog.query import select_claims, sources_for_export
    from kclaims.export import CLAIMS_ONLY_FORMATS, exporter_chunks

    if not isinstance(loaded, Catalog):
        from kclaims.export.streamed import markdown_from_chunks

        return markdown_from_chunks(loaded), loaded.count, len(loaded.sources)
    rows = select_claims(loaded, wanted, sort)
    sources = [] if format in CLAIMS_ONLY_FORMATS else sources_for_export(loaded, rows, wanted)
    changes: dict[str, Any] = {}
    if since is not None:
        from kclaims.catalog.changes import diff_catalog

        step(f"Comparing with {since}")
        changes["since"] = diff_catalog(loaded, since)
    return exporter_chunks(format)(rows, sources, **changes), len(rows), len(sources)


SUFFIX_FORMATS = {".csl.json": "csl-json", ".json": "json", ".md": "md", ".markdown": "md", ".html": "html",
                  ".htm": "html", ".csv": "csv", ".bib": "bibtex"}


def format_for(output: Optional[Path]) -> str:
    """The export format an output file's name asks for (SUFFIX_FORMATS); json, the contract, for
    any other name or no file."""
    name = output.name.lower() if output is not None else ""
    return next((name_format for suffix, name_format in SUFFIX_FORMATS.items() if name.endswith(suffix)), "json")


@app.command("map")
def evidence_map(
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", dir_okay=False,
        help="Write the map to FILE.svg or FILE.png (PNG needs matplotlib). Default: SVG on standard output.")] = None,
    catalog: CatalogOption = None, topic: TopicOption = None, kind: KindOption = None,
    verdict: VerdictOption = None, certainty: CertaintyOption = None,
    source: SourceFilterOption = None, text: TextOption = None,
) -> None:
    """Draw the evidence map: the claims' topics against their verdict and certainty, one dot per claim."""
    from kclaims.catalog.query import select_claims
    from kclaims.export.evidence_map import build_map, render_for, render_svg

    if output is None and sys.stdout.isatty():
        from kclaims.errors import BadInput

        raise BadInput("the map is an SVG image: write it to a file with --output map.svg (or .png), "
                       "or pipe it: kclaims map > map.svg")
    emap = build_map(select_claims(load_at(catalog), claim_filter(topic, kind, verdict, certainty, source, text)))
    if output is None:
        sys.stdout.write(render_svg(emap))
        return
    from kclaims.export.output import write_output

    write_output(output, render_for(emap, output.suffix))
    typer.echo(f"Wrote the evidence map of {emap.claim_count} claims to {output}", err=True)


class progress:  # noqa: N801 - used as `with progress(...) as step`, like a function
    """Say on stderr what a long command is doing, when stderr is a terminal; silent otherwise."""

    def __init__(self, first: str) -> None:
        self.first = first
        self.status: "Status | None" = None

    def __enter__(self) -> "Callable[[str], None]":
        if sys.stderr.isatty():  # checked before importing rich: piped and scripted runs stay lean
            from rich.console import Console

            self.status = Console(stderr=True).status(f"{self.first}…")
            self.status.__enter__()
        return self.step

    def step(self, message: str) -> None:
        if self.status is not None:
            self.status.update(f"{message}…")

    def __exit__(self, *exc: Any) -> None:
        if self.status is not None:
            self.status.__exit__(*exc)
