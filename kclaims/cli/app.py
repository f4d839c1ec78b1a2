"""The `kclaims` command line: parse arguments, call the core, render the result. No logic here.

Heavy modules (rich, the YAML libraries, requests) are imported inside the commands that need
them, so `kclaims --version` starts as fast as Typer itself.
"""


import gc
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from kclaims import __version__
from kclaims.errors import ExitCode, KclaimsError

TRACEBACK_ENV = "KCLAIMS_TRACEBACK"


class _ErrorFunnel(TyperGroup):
    """The one place that turns a core error into `path:line: message` on stderr and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KclaimsError as error:
            if _wants_traceback(ctx):
                raise
            typer.echo(str(error) if error.path else f"error: {error.message}", err=True)
            raise typer.Exit(int(error.exit_code)) from None
        except OSError as error:
            if _wants_traceback(ctx):
                raise
            where = f"{error.filename}: " if error.filename else ""
            typer.echo(f"{where}{error.strerror or error}", err=True)
            raise typer.Exit(int(ExitCode.BAD_INPUT)) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt, EOFError):
            raise
        except Exception as error:  # a bug: say so in one line, keep the traceback for --traceback
            if _wants_traceback(ctx) or getattr(error, "exit_code", None) is not None:
                raise
            typer.echo(f"internal error: {type(error).__name__}: {error} (rerun with --traceback and report it)",
                       err=True)
            raise typer.Exit(int(ExitCode.INTERNAL)) from None


def _wants_traceback(ctx: Any) -> bool:
    return bool(ctx.params.get("traceback") or os.environ.get(TRACEBACK_ENV))


app = typer.Typer(
    cls=_ErrorFunnel,
    name="kclaims",
    help="Organise the claims articles make and the evidence behind them: quotes, sources, labels, reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # plain click help: reflowed paragraphs, and no rich import for --help
    context_settings={"help_option_names": ["-h", "--help"]},
)
claim_app = typer.Typer(help="Add claims, their quotes, their evidence and a curator's grade.", no_args_is_help=True,
                        rich_markup_mode=None)
source_app = typer.Typer(help="List, show and add the sources: articles and papers.", no_args_is_help=True,
                         rich_markup_mode=None)
app.add_typer(claim_app, name="claim")
app.add_typer(source_app, name="source")


# --- options declared once ---------------------------------------------------------------------

CatalogOption = Annotated[Optional[Path], typer.Option(
    "--catalog", "-C", envvar="KCLAIMS_CATALOG", file_okay=False,
    help="Catalog folder (holds claims.yaml). Default: the nearest folder upward from here that has one.",
    show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]
TopicOption = Annotated[Optional[list[str]], typer.Option(
    "--topic", "-t", help="Only claims with this topic (repeat for any of several).", show_default=False)]
KindOption = Annotated[Optional[list[str]], typer.Option(
    "--kind", "-k", help="Only claims of this kind: mechanism, efficacy, safety, dosing, background.",
    show_default=False)]
LabelOption = Annotated[Optional[list[str]], typer.Option(
    "--label", "-l", help="Only claims with this computed label, e.g. strong, unsupported.", show_default=False)]
SourceFilterOption = Annotated[Optional[list[str]], typer.Option(
    "--source", "-s", help="Only claims that quote or link this source id.", show_default=False)]
TextOption = Annotated[Optional[str], typer.Option(
    "--text", help="Only claims whose statement or quotes contain this text (any case).", show_default=False)]


BIBLIOGRAPHY_FORMATS = ("bibtex", "csl-json")  # they hold the sources only


class SortKey(str, Enum):
    catalog = "catalog"
    id = "id"
    label = "label"
    kind = "kind"
    articles = "articles"
    papers = "papers"
    statement = "statement"


SortOption = Annotated[SortKey, typer.Option(
    "--sort", help="Order: as in the catalog, or by id, label (strongest first), kind, articles, papers, statement.")]


class Stance(str, Enum):
    supports = "supports"
    contradicts = "contradicts"
    mentions = "mentions"


def _catalog_root(catalog: Path | None) -> Path:
    from kclaims.catalog.files import find_catalog

    return find_catalog(catalog)


def _load(catalog: Path | None) -> Any:
    from kclaims.catalog.files import load_catalog

    return load_catalog(_catalog_root(catalog))


def _filter(topic: list[str] | None, kind: list[str] | None, label: list[str] | None,
            source: list[str] | None, text: str | None) -> Any:
    from kclaims.model import CLAIM_KINDS, LABELS
    from kclaims.catalog.query import ClaimFilter

    _check_choices("--kind", kind, CLAIM_KINDS)
    _check_choices("--label", label, LABELS)
    return ClaimFilter(topics=topic or [], kinds=kind or [], labels=label or [], sources=source or [], text=text)


def _check_choices(option: str, given: list[str] | None, allowed: tuple[str, ...]) -> None:
    from kclaims.errors import BadInput

    for value in given or []:
        if value not in allowed:
            raise BadInput(f"{option} {value!r} is not one of: {', '.join(allowed)}")


def _print_json(text: str) -> None:
    sys.stdout.write(text)


# --- top-level commands -------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kclaims {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    traceback: Annotated[bool, typer.Option(
        "--traceback", help=f"Show the Python traceback on errors, for developers (or set {TRACEBACK_ENV}=1).")] = False,
) -> None:
    """Organise the claims articles make and the evidence behind them.

    Exit codes: 0 ok, 1 `check` found problems, 2 bad input or usage, 3 network failure,
    70 a bug in kclaims, 130 stopped by Ctrl-C.
    """


@app.command("init")
def init(directory: Annotated[Path, typer.Argument(metavar="[DIR]", help="Folder for the new catalog (made if missing).")] = Path(".")) -> None:
    """Create an empty catalog: claims.yaml and a sources/ folder."""
    from kclaims.catalog.files import init_catalog

    root = init_catalog(directory)
    typer.echo(f"Created an empty catalog in {root}. Next: kclaims source new, then kclaims claim add.", err=True)


@app.command("list")
def list_claims(
    catalog: CatalogOption = None, topic: TopicOption = None, kind: KindOption = None, label: LabelOption = None,
    source: SourceFilterOption = None, text: TextOption = None, sort: SortOption = SortKey.catalog,
    json: JsonOption = False,
) -> None:
    """List claims with their evidence label, how many articles make each and how many papers bear on it."""
    from kclaims.catalog.query import select_claims

    rows = select_claims(_load(catalog), _filter(topic, kind, label, source, text), sort.value)
    if json:
        from kclaims.export.json import export_json

        _print_json(export_json(rows, None))
        return
    from kclaims.cli import render

    render.claims_table(rows)


@app.command("show")
def show(
    claim_id: Annotated[str, typer.Argument(metavar="ID", help="The claim's id (see kclaims list).")],
    catalog: CatalogOption = None, json: JsonOption = False,
) -> None:
    """Show one claim: each article's words, the papers for and against, and why it got its label."""
    from kclaims.catalog.query import ClaimRow, linked_sources
    from kclaims.grade import claim_strength

    loaded = _load(catalog)
    claim = loaded.claim(claim_id)
    row = ClaimRow(claim, claim_strength(claim, loaded.sources))
    if json:
        from kclaims.export.json import export_json

        _print_json(export_json([row], linked_sources(loaded, [row])))
        return
    from kclaims.cli import render

    render.claim_detail(row, loaded.sources)


@app.command("check")
def check(catalog: CatalogOption = None, json: Annotated[bool, typer.Option(
        "--json", help="Print the problems as JSON ({\"problems\": [{path, line, message}]}) instead of lines.")] = False,
) -> None:
    """Check the catalog: bad values, unknown ids, duplicates, quotes that drifted, retracted support.

    Prints one `file:line: problem` per problem. Exit code 1 if there is any, 0 if the catalog is clean.
    """
    from kclaims.catalog.check import check_catalog

    problems = check_catalog(_catalog_root(catalog))
    if json:
        import json as json_module

        records = [{"path": str(p.path), "line": p.line, "message": p.message} for p in problems]
        _print_json(json_module.dumps({"problems": records}, indent=2) + "\n")
    else:
        for problem in problems:
            typer.echo(str(problem))
        typer.echo(f"{len(problems)} problem(s) found." if problems else "The catalog is clean.", err=True)
    raise typer.Exit(int(ExitCode.PROBLEMS_FOUND if problems else ExitCode.OK))


@app.command("export")
def export(
    format: Annotated[str, typer.Option(
        "--format", "-f", metavar="FORMAT", help="Output format: json, md (Markdown report), html (one self-contained page), csv, "
                               "csl-json (for Zotero and Pandoc), bibtex. See docs/reports.md.")] = "json",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", dir_okay=False,
                                                   help="Write to this file instead of standard output.")] = None,
    catalog: CatalogOption = None, topic: TopicOption = None, kind: KindOption = None, label: LabelOption = None,
    source: SourceFilterOption = None, text: TextOption = None, sort: SortOption = SortKey.catalog,
) -> None:
    """Export the claims (all, or those the filters select) with their sources.

    Without filters every source of the catalog is exported; with filters, the sources the
    selected claims quote or cite.
    """
    from kclaims.errors import BadInput
    from kclaims.export import FORMATS, exporter
    from kclaims.catalog.query import select_claims, sources_for_export

    if format not in FORMATS:
        raise BadInput(f"--format {format!r} is not one of: {', '.join(FORMATS)}")
    wanted = _filter(topic, kind, label, source, text)
    with _progress("Loading the catalog") as step:
        loaded = _load(catalog)
        step("Grading the claims")
        rows = select_claims(loaded, wanted, sort.value)
        step(f"Writing {len(rows)} claims as {format}")
        sources = sources_for_export(loaded, rows, wanted)
        text_out = exporter(format)(rows, sources)
    if output is None:
        _print_json(text_out)
        return
    from kclaims.export.view import write_output

    write_output(output, text_out)
    what = f"{len(sources)} sources" if format in BIBLIOGRAPHY_FORMATS else f"{len(rows)} claims"
    typer.echo(f"Wrote {what} to {output}", err=True)


# --- claim commands -----------------------------------------------------------------------------


@claim_app.command("add")
def claim_add(
    claim_id: Annotated[str, typer.Argument(metavar="ID", help="New claim id: a short slug like nmda-antagonism.")],
    statement: Annotated[str, typer.Argument(metavar="STATEMENT", help="One neutral sentence, e.g. 'Ketamine blocks NMDA receptors.'")],
    kind: Annotated[str, typer.Option("--kind", "-k", help="mechanism, efficacy, safety, dosing or background.")],
    topic: Annotated[Optional[list[str]], typer.Option(
        "--topic", "-t", help="A topic of the claim, e.g. ptsd (repeat for several).", show_default=False)] = None,
    from_source: Annotated[Optional[str], typer.Option("--from", help="Id of the article that makes the claim.")] = None,
    quote: Annotated[Optional[str], typer.Option("--quote", help="The article's exact words (needs --from).")] = None,
    catalog: CatalogOption = None,
) -> None:
    """Add a claim, optionally with the article that makes it and its exact words."""
    from kclaims.catalog.edit import add_claim
    from kclaims.errors import BadInput
    from kclaims.model import Claim, Quote

    if bool(from_source) != bool(quote):
        raise BadInput("--from and --quote go together: the article's id and its exact words")
    made_in = [Quote(from_source, quote)] if from_source and quote else []
    claim = Claim(id=claim_id, statement=statement, kind=kind, topics=topic or [], made_in=made_in)
    add_claim(_catalog_root(catalog), claim)
    typer.echo(f"Added claim {claim_id}.", err=True)


@claim_app.command("quote")
def claim_quote(
    claim_id: Annotated[str, typer.Argument(metavar="CLAIM", help="The claim's id.")],
    source_id: Annotated[str, typer.Argument(metavar="SOURCE", help="The article's source id.")],
    quote: Annotated[str, typer.Argument(metavar="QUOTE", help="The article's exact words for the claim.")],
    catalog: CatalogOption = None,
) -> None:
    """Record another article's exact words for an existing claim."""
    from kclaims.catalog.edit import add_quote

    added = add_quote(_catalog_root(catalog), claim_id, source_id, quote)
    typer.echo(f"Added the quote from {source_id} to {claim_id}." if added else "That quote is already recorded.",
               err=True)


@claim_app.command("link")
def claim_link(
    claim_id: Annotated[str, typer.Argument(metavar="CLAIM", help="The claim's id.")],
    source_id: Annotated[str, typer.Argument(metavar="SOURCE", help="The paper's source id.")],
    stance: Annotated[Stance, typer.Option("--stance", help="Does the paper support, contradict or only mention it?")],
    note: Annotated[str, typer.Option("--note", help="What the paper found, in a sentence.")] = "",
    catalog: CatalogOption = None,
) -> None:
    """Link a paper to a claim as evidence (again to change the stance or note)."""
    from kclaims.catalog.edit import link_evidence

    new = link_evidence(_catalog_root(catalog), claim_id, source_id, stance.value, note)
    typer.echo(f"{'Linked' if new else 'Updated the link of'} {source_id} to {claim_id} ({stance.value}).", err=True)


@claim_app.command("grade")
def claim_grade(
    claim_id: Annotated[str, typer.Argument(metavar="CLAIM", help="The claim's id.")],
    label: Annotated[str, typer.Argument(metavar="LABEL", help="strong, moderate, limited, preliminary, contested, contradicted or unsupported.")],
    because: Annotated[str, typer.Option("--because", help="Why (required), e.g. the review's own GRADE certainty.")],
    catalog: CatalogOption = None,
) -> None:
    """Record a curator's grade; it is shown beside the computed label, never instead of it."""
    from kclaims.catalog.edit import set_grade

    previous = set_grade(_catalog_root(catalog), claim_id, label, because)
    replaced = f" (replaces {previous.label}: {previous.because})" if previous else ""
    typer.echo(f"Graded {claim_id} {label}.{replaced}", err=True)


# --- source commands ----------------------------------------------------------------------------


@source_app.command("list")
def source_list(catalog: CatalogOption = None, json: JsonOption = False) -> None:
    """List the catalog's sources with their kind, year, identifiers and evidence level."""
    loaded = _load(catalog)
    sources = [loaded.sources[k] for k in sorted(loaded.sources)]
    if json:
        from kclaims.export.json import export_sources_json

        _print_json(export_sources_json(sources))
        return
    from kclaims.cli import render

    render.sources_table(sources)


@source_app.command("show")
def source_show(
    source_id: Annotated[str, typer.Argument(metavar="ID", help="The source's id.")],
    catalog: CatalogOption = None, json: JsonOption = False,
) -> None:
    """Show one source: its metadata, evidence level, and the claims that quote or cite it."""
    loaded = _load(catalog)
    source = loaded.source(source_id)
    claims = [c for c in loaded.claims if source_id in c.source_ids()]
    if json:
        from kclaims.export.json import export_sources_json

        _print_json(export_sources_json([source], [c.id for c in claims]))
        return
    from kclaims.cli import render

    render.source_detail(source, claims)


@source_app.command("new")
def source_new(
    source_id: Annotated[str, typer.Argument(metavar="ID", help="New source id, e.g. clinic-blog-2020 or zarate2006.")],
    title: Annotated[str, typer.Option("--title", help="The article's title.")],
    url: Annotated[Optional[str], typer.Option("--url", help="Where the article is.")] = None,
    site: Annotated[Optional[str], typer.Option("--site", help="Site or publisher name.")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="Publication date, YYYY-MM-DD (or YYYY-MM, YYYY).")] = None,
    author: Annotated[Optional[list[str]], typer.Option("--author", help="An author (repeat for several).")] = None,
    kind: Annotated[str, typer.Option("--kind", help="web-article, journal-article, book, report, ...")] = "web-article",
    catalog: CatalogOption = None,
) -> None:
    """Enter a source by hand (no network): by default a web article with its url, title, site and date."""
    from kclaims.catalog.edit import new_source, validate_new_id

    year = _year_of(date) if date else None
    fields = {"id": validate_new_id(source_id), "kind": kind, "title": title, "authors": author or [],
              "year": year, "site": site, "date": date, "url": url, "population": "unknown"}
    source = new_source(_catalog_root(catalog), fields)
    typer.echo(f"Added source {source.id} (sources/{source.id}.yaml).", err=True)


# --- source commands from identifiers (issue 4: add, refresh, import) ----------------------------

PROGRESS_AFTER = 5  # identifiers; fewer resolve too fast for a bar to help
RefreshCacheOption = Annotated[bool, typer.Option(
    "--refresh", help="Ask the services again even for identifiers answered before (ignore the cache).")]
OfflineOption = Annotated[bool, typer.Option(
    "--offline", help="Send no request: use only answers cached by earlier runs.")]


def _progress_callback(stack: Any) -> Any:
    """A progress(done, total) callback that draws a rich bar on stderr once there is enough to do."""
    state: dict[str, Any] = {}

    def progress(done: int, total: int) -> None:
        if total <= PROGRESS_AFTER:
            return
        if "bar" not in state:
            from rich.console import Console
            from rich.progress import Progress

            bar = stack.enter_context(Progress(console=Console(stderr=True), transient=True))
            state["bar"], state["task"] = bar, bar.add_task("Resolving identifiers", total=total)
        state["bar"].update(state["task"], completed=done, total=total)

    return progress


def _render_report(report: Any, json: bool) -> None:
    """Each outcome and warning on stderr (or the report as JSON on stdout), then a summary; exit 2
    when nothing at all succeeded."""
    if json:
        import json as json_module

        _print_json(json_module.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        for warning in report.warnings:
            typer.echo(f"warning: {warning}", err=True)
        for outcome in report.outcomes:
            target = f" {outcome.source_id}" if outcome.source_id and outcome.action != "failed" else ""
            detail = f": {outcome.detail}" if outcome.detail else ""
            typer.echo(f"{outcome.action}{target} <- {outcome.given}{detail}", err=True)
    counts = ", ".join(f"{report.count(a)} {a}" for a in ("added", "merged", "updated", "unchanged", "failed")
                       if report.count(a))
    network = (f" ({report.requests} requests, {report.from_cache} answered from the cache)"
               if report.requests or report.from_cache else "")
    typer.echo(f"{counts or 'nothing to do'}{network}.", err=True)
    if report.outcomes and report.count("failed") == len(report.outcomes):
        raise typer.Exit(int(ExitCode.BAD_INPUT))


@source_app.command("add")
def source_add(
    identifiers: Annotated[Optional[list[str]], typer.Argument(
        metavar="ID...", help="PMIDs (16894061), PMCIDs (PMC4810965), DOIs (10.1001/archpsyc.63.8.856), "
                              "PubMed, PMC and doi.org URLs, or the URL of a web article.", show_default=False)] = None,
    from_file: Annotated[Optional[Path], typer.Option(
        "--from-file", dir_okay=False, help="Also read identifiers from this file, one a line ('#' starts a comment).",
        show_default=False)] = None,
    html: Annotated[Optional[Path], typer.Option(
        "--html", dir_okay=False, help="Add a web article from a page saved in your browser (needs --url).",
        show_default=False)] = None,
    url: Annotated[Optional[str], typer.Option(
        "--url", help="With --html: the address the saved page came from.", show_default=False)] = None,
    refresh: RefreshCacheOption = False, offline: OfflineOption = False,
    catalog: CatalogOption = None, json: JsonOption = False,
) -> None:
    """Add papers by identifier (metadata from PubMed, Europe PMC or Crossref) and web articles by URL.

    One source per paper: an identifier of a paper already in the catalog fills what its source
    lacks instead of adding a second one. Identifiers that cannot be resolved are listed with the
    reason; the others are still added. A web article is downloaded and kept as three files:
    sources/ID.yaml (title, site, authors, dates), ID.txt (its main text, which `kclaims check`
    reads to prove quotes) and ID.html (the page as received). Exit code 3 if a service keeps
    failing or a page cannot be had, 2 if a URL is malformed or not an HTML page (nothing is
    written in either case).
    """
    from contextlib import ExitStack

    from kclaims.errors import BadInput
    from kclaims.literature.add import add_sources, read_identifier_file

    if refresh and offline:
        raise BadInput("--refresh asks the services again and --offline forbids it: choose one")
    if html is not None or url is not None:
        from kclaims.literature.web import add_saved_page

        if html is None or url is None or identifiers or from_file:
            raise BadInput("--html FILE and --url URL go together, without other identifiers: "
                           "the saved page and the address it came from")
        _render_report(add_saved_page(_catalog_root(catalog), html, url), json)
        return
    texts = list(identifiers or []) + (read_identifier_file(from_file) if from_file else [])
    root = _catalog_root(catalog)
    with ExitStack() as stack:
        report = add_sources(root, texts, refresh=refresh, offline=offline, progress=_progress_callback(stack))
    _render_report(report, json)


@source_app.command("refresh")
def source_refresh(
    source_ids: Annotated[Optional[list[str]], typer.Argument(
        metavar="[ID...]", help="Source ids to look up again (default: every source with a PMID, PMCID or DOI).",
        show_default=False)] = None,
    snapshot_only: Annotated[bool, typer.Option(
        "--snapshot-only", help="For web articles: extract the text again from the kept page (sources/ID.html), "
                                "without the network. Without ids: every kept page.")] = False,
    catalog: CatalogOption = None, json: JsonOption = False,
) -> None:
    """Look sources up again, ignoring the cache, and say what changed (a retraction, a new PMCID...).

    Only fields the services provide are updated; design, note, references, url and kind stay as written.
    A web article named by its id is downloaded again: its snapshot is replaced, and you are told
    whether the text changed and which quotes of the catalog no longer appear in it. Every page is
    fetched and every paper looked up before anything is written: if one page cannot be had or a
    service keeps failing, nothing is written.
    """
    from contextlib import ExitStack

    from kclaims.literature.add import refresh_sources

    root = _catalog_root(catalog)
    with ExitStack() as stack:
        report = refresh_sources(root, source_ids or None, progress=_progress_callback(stack),
                                 snapshot_only=snapshot_only)
    _render_report(report, json)


@source_app.command("import")
def source_import(
    bib_file: Annotated[Path, typer.Argument(metavar="FILE.bib", dir_okay=False,
                                             help="A BibTeX or biblatex file, e.g. exported from Zotero or JabRef.")],
    catalog: CatalogOption = None, json: JsonOption = False,
) -> None:
    """Import every entry of a .bib file as a source (no network).

    Ids come from the citation keys. An entry for a paper already in the catalog (same DOI, PMID
    or PMCID) fills what its source lacks instead of adding a second one. What cannot be read is
    named with its line.
    """
    from kclaims.literature.add import import_bibtex

    report = import_bibtex(_catalog_root(catalog), bib_file)
    _render_report(report, json)


# --- report commands (issue 5: map) -------------------------------------------------------------


@app.command("map")
def evidence_map(
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", dir_okay=False,
        help="Write the map to FILE.svg or FILE.png (PNG needs matplotlib). Default: SVG on standard output.")] = None,
    catalog: CatalogOption = None, topic: TopicOption = None, kind: KindOption = None, label: LabelOption = None,
    source: SourceFilterOption = None, text: TextOption = None,
) -> None:
    """Draw the evidence map: the claims' topics against their evidence labels, one dot per claim."""
    from kclaims.export.evidence_map import build_map, render_for, render_svg
    from kclaims.catalog.query import select_claims

    emap = build_map(select_claims(_load(catalog), _filter(topic, kind, label, source, text)))
    if output is None:
        sys.stdout.write(render_svg(emap))
        return
    from kclaims.export.view import write_output

    write_output(output, render_for(emap, output.suffix))
    typer.echo(f"Wrote the evidence map of {emap.claim_count} claims to {output}", err=True)


class _progress:  # noqa: N801 - used as `with _progress(...) as step`, like a function
    """Say on stderr what a long command is doing, when stderr is a terminal; silent otherwise."""

    def __init__(self, first: str) -> None:
        self.first = first
        self.status: Any = None

    def __enter__(self) -> Any:
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


# --- extraction commands (issue 6: extract) -----------------------------------------------------

from kclaims.extract import cues as _cues  # noqa: E402 - plain tables, no imports: cheap at start-up


class ArticleFormat(str, Enum):
    auto = "auto"
    text = "text"
    markdown = "markdown"
    html = "html"


REVIEW_KEYS = "m = add as a quote to the matched claim, n = new claim, e = edit, s = skip, q = quit"
LEAVE_KEYS = "'-' skips this proposal, 'q' quits"
INTERRUPTED = int(ExitCode.INTERRUPTED)
EXTRACT_EPILOG = ("The review reads answers until the last proposal, 'q', or the end of input; what was "
                  "accepted stays written, and the exit code is 0. Ctrl-C stops it the same way but exits "
                  f"with {INTERRUPTED}.")


class _Quit(Exception):
    """The reviewer answered q."""


@app.command("extract", epilog=EXTRACT_EPILOG)
def extract_claims(
    article: Annotated[Optional[Path], typer.Argument(
        metavar="[ARTICLE]", dir_okay=False, show_default=False,
        help="The article: a .txt, .md or .html file ('-' reads standard input, with --json or --apply). "
             "Default: the text snapshot of --source (sources/ID.txt).")] = None,
    source: Annotated[Optional[str], typer.Option(
        "--source", "-s", help="The article's source id in the catalog: quotes are recorded under it. "
                               "Needed unless --json.", show_default=False)] = None,
    format: Annotated[ArticleFormat, typer.Option(
        "--format", "-f", help="How to read the file; auto goes by its suffix and sniffs HTML.")] = ArticleFormat.auto,
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
    from kclaims.extract.extraction import CatalogModel, ReviewSession, extract, snapshot_article

    _check_extract_options(json, apply, source)
    root = _catalog_root(catalog)
    loaded = load_catalog(root)
    if source:
        loaded.source(source)
    path = article if article is not None else snapshot_article(loaded, source)
    text = _read_article(path, format.value, interactive=not (json or apply))
    model = CatalogModel(loaded.claims)
    extraction = extract(text, loaded.claims, loaded.sources, min_score=min_score, model=model)
    if json:
        _print_extraction(extraction)
        return
    assert source is not None
    session = ReviewSession(root, source, text, extraction, model)
    _say_found(extraction)
    interrupted = False
    if apply:
        for outcome in session.apply(threshold):
            typer.echo(_outcome_line(outcome), err=True)
    else:
        interrupted = _review(session)
    _say_summary(session.counts())
    if interrupted:
        raise typer.Exit(INTERRUPTED)
    _say_references(extraction)


def _check_extract_options(json: bool, apply: bool, source: str | None) -> None:
    from kclaims.errors import BadInput

    if json and apply:
        raise BadInput("--json only prints the proposals and writes nothing: drop --apply or --json")
    if not json and not source:
        raise BadInput("--source ID is needed to record the article's words: the article's id in the catalog "
                       "(add it with 'kclaims source add URL' or 'kclaims source new'), or use --json")


def _print_extraction(extraction: Any) -> None:
    import json

    from kclaims.extract.extraction import as_json

    _print_json(json.dumps(as_json(extraction), ensure_ascii=False, indent=2) + "\n")


def _read_article(path: Path, fmt: str, interactive: bool) -> Any:
    from kclaims.errors import BadInput
    from kclaims.extract.extraction import article_from_bytes, read_article

    if str(path) != "-":
        return read_article(path, fmt)
    if interactive:
        raise BadInput("an article on standard input leaves no way to answer questions: give a file, "
                       "or use --json or --apply")
    return article_from_bytes(sys.stdin.buffer.read(), fmt, "<stdin>")


def _say_found(extraction: Any) -> None:
    matched = sum(1 for c in extraction.candidates if c.match)
    typer.echo(f"Read {extraction.sentences} sentences: {len(extraction.candidates)} proposed "
               f"({matched} restate a catalog claim), {len(extraction.references)} references.", err=True)


def _outcome_line(outcome: Any) -> str:
    sentence = outcome.sentence if len(outcome.sentence) <= 70 else outcome.sentence[:69] + "…"
    target = f" {outcome.claim}" if outcome.claim else ""
    detail = f" ({outcome.detail})" if outcome.detail else ""
    return f"{outcome.action}{target}: {sentence!r}{detail}"


def _say_summary(counts: dict[str, int]) -> None:
    said = ", ".join(f"{n} {action}" for action, n in counts.items() if n)
    typer.echo(f"Done: {said or 'nothing accepted'}. Run 'kclaims check' to confirm the catalog is clean.", err=True)


def _say_references(extraction: Any) -> None:
    for reference in extraction.references:
        marker = f"[{reference.marker}] " if reference.marker else ""
        if reference.source:
            advice = f"already in the catalog as {reference.source}"
        elif reference.identifier:
            advice = f"add it with: kclaims source add {reference.identifier}"
        else:
            advice = "no identifier found; add it by hand with: kclaims source new"
        typer.echo(f"reference {marker}{reference.text}: {advice}", err=True)


def _review(session: Any) -> bool:
    """Ask about each proposal on stderr; accepted ones are written at once. True after Ctrl-C."""
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    console.print(f"For each proposal: {REVIEW_KEYS}.")
    number = 1
    try:
        for number, candidate in enumerate(session.candidates, 1):
            _review_one(console, session, number, candidate)
    except _Quit:
        pass
    except EOFError:
        console.print()  # the prompt's line is still open
        console.print(f"stopped at end of input ({_not_reviewed(session, number)})")
    except KeyboardInterrupt:
        console.print()
        console.print(f"interrupted ({_not_reviewed(session, number)}); what was accepted is written; "
                      f"exit code {INTERRUPTED}")
        return True
    return False


def _not_reviewed(session: Any, number: int) -> str:
    left = session.unreviewed(number - 1)
    return f"{left} proposal{'' if left == 1 else 's'} not reviewed"


def _review_one(console: Any, session: Any, number: int, candidate: Any) -> None:
    from kclaims.errors import KclaimsError

    total = len(session.candidates)
    recorded = session.already_recorded(candidate)
    if recorded:
        console.print(f"[dim]{number}/{total} already recorded under {recorded}[/dim]")
        return
    _show_candidate(console, number, total, candidate, session.model)
    try:
        outcome = _ask_about(console, session, candidate)
    except KclaimsError as error:
        console.print(f"[red]not written:[/red] {_escape(str(error))}")
        return
    if outcome is not None:
        console.print(_escape(_outcome_line(outcome)))


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _show_candidate(console: Any, number: int, total: int, candidate: Any, model: Any) -> None:
    console.print()
    console.print(f"[bold]{number}/{total}[/bold] score {candidate.score:g}  "
                  f"[dim]{_escape('; '.join(candidate.cues))}[/dim]")
    console.print(f"  [cyan]{_escape(candidate.sentence)}[/cyan]")
    if candidate.quote != candidate.sentence:
        console.print(f"  recorded as: {_escape(candidate.quote)}")
    if candidate.citations:
        console.print(f"  cites: {_escape(', '.join(candidate.citations))}")
    if candidate.match:
        statement = model.claims[candidate.match.claim].statement
        console.print(f"  restates [bold]{candidate.match.claim}[/bold] ({candidate.match.score:g}): "
                      f"{_escape(statement)}")
    else:
        console.print("  new: no catalog claim says this")


def _ask_about(console: Any, session: Any, candidate: Any) -> Any:
    """One proposal's answer, acted on: the Outcome, or None when skipped. Raises _Quit on q."""
    from rich.prompt import Prompt

    choices = ["m", "n", "e", "s", "q"] if candidate.match else ["n", "e", "s", "q"]
    answer = Prompt.ask("Accept?", choices=choices, default="s", console=console)
    if answer == "q":
        raise _Quit
    if answer == "s":
        return None
    if answer == "m":
        return session.accept_match(candidate)
    quote = candidate.quote if answer == "n" else _ask_quote(console, session, candidate.quote)
    if quote is None:
        return None
    suggested = candidate.match.claim if candidate.match and answer == "e" else None
    claim_id = _ask_claim_id(console, session, quote, suggested, existing_ok=answer == "e")
    if claim_id is None:
        return None
    if session.is_claim(claim_id):
        return session.accept_quote(claim_id, quote)
    return _ask_new_claim(console, session, candidate, quote, claim_id)


def _ask_or_leave(console: Any, question: str, default: str, show_default: bool = True) -> str | None:
    """An answer; None for '-' (skip this proposal); _Quit for 'q'."""
    from rich.prompt import Prompt

    answer = Prompt.ask(f"{question}; {LEAVE_KEYS}", default=default, show_default=show_default,
                        console=console).strip()
    if answer == "q":
        raise _Quit
    return None if answer == "-" else answer


def _ask_quote(console: Any, session: Any, default: str) -> str | None:
    while True:
        quote = _ask_or_leave(console, "The article's exact words (Enter keeps the whole sentence)", default,
                              show_default=False)
        if quote is None:
            return None
        problem = session.quote_problem(quote)
        if problem is None:
            return quote
        console.print(f"[red]Not accepted: {_escape(problem)}; copy the words from the sentence.[/red]")


def _ask_claim_id(console: Any, session: Any, quote: str, suggested: str | None, existing_ok: bool) -> str | None:
    from kclaims.catalog.edit import validate_new_id
    from kclaims.errors import BadInput

    question = "Claim id (an existing id adds the words to that claim; a new id makes a claim)" if existing_ok \
        else "New claim id"
    while True:
        claim_id = _ask_or_leave(console, question, suggested or session.suggest_id(quote))
        if claim_id is None:
            return None
        if session.is_claim(claim_id) and not existing_ok:
            console.print(f"[red]{claim_id} already exists; choose another id (or 'e' to quote it there).[/red]")
            continue
        try:
            return claim_id if session.is_claim(claim_id) else validate_new_id(claim_id)
        except BadInput as error:
            console.print(f"[red]{_escape(error.message)}[/red]")


def _ask_new_claim(console: Any, session: Any, candidate: Any, quote: str, claim_id: str) -> Any:
    from rich.prompt import Prompt

    from kclaims.model import CLAIM_KINDS

    statement = Prompt.ask("Statement, one neutral sentence (Enter keeps the article's words)", default=quote,
                           show_default=False, console=console).strip()
    kind = Prompt.ask("Kind", choices=list(CLAIM_KINDS), default=candidate.kind, console=console)
    topics = Prompt.ask("Topics, comma-separated", default=", ".join(session.suggest_topics(quote)), console=console)
    chosen = [t.strip() for t in topics.split(",") if t.strip()]
    return session.accept_new(candidate, quote, claim_id, statement, kind, chosen)


def _year_of(date: str) -> int:
    """The year of a YYYY, YYYY-MM or YYYY-MM-DD date that exists on the calendar."""
    import datetime as dt

    from kclaims.errors import BadInput

    padded = {4: "-01-01", 7: "-01", 10: ""}.get(len(date))
    try:
        if padded is None:
            raise ValueError
        return dt.date.fromisoformat(date + padded).year
    except ValueError:
        raise BadInput(f"--date {date!r} is not a date like 2020-09-01, 2020-09 or 2020") from None


def run() -> None:
    """Console-script entry point."""
    # A short-lived process that builds tens of thousands of small objects and no cycles worth
    # collecting: the cyclic collector's repeated scans would cost more than the memory it frees.
    gc.disable()
    app(prog_name="kclaims")
