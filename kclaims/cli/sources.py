"""The `source` commands: list, show, new, add by identifier or URL, refresh, import BibTeX."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from kclaims.cli.app import source_app
from kclaims.cli.options import (
    AuthorOption,
    DateOption,
    DesignOption,
    DoiOption,
    IncludesOption,
    IssueOption,
    JournalOption,
    NOption,
    PagesOption,
    PmcidOption,
    PmidOption,
    PopulationOption,
    PublicationTypeOption,
    PublisherOption,
    RetractedOption,
    RiskOfBiasOption,
    SiteOption,
    SourceNoteOption,
    TitleOption,
    UrlOption,
    VolumeOption,
    YearOption,
    CatalogOption,
    JsonOption,
    OfflineOption,
    RefreshCacheOption,
    catalog_root,
    load_at,
    print_plain,
)
from kclaims.errors import ExitCode
from kclaims.text import printable

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import ExitStack

    from kclaims.literature.results import SourcesResult


@source_app.command("list")
def source_list(catalog: CatalogOption = None, json: JsonOption = False, text: Annotated[Optional[str], typer.Option(
        "--text", help="Only sources whose title, authors, journal or site, id, citation key, PMID, PMCID or "
                       "DOI contain this text (any case).", show_default=False)] = None) -> None:
    """List the catalog's sources with their kind, year, identifiers and evidence level."""
    from kclaims.catalog.query import select_sources

    sources = select_sources(load_at(catalog), text)
    if json:
        from kclaims.export.json import export_sources_json

        print_plain(export_sources_json(sources))
        return
    from kclaims.cli import render

    render.sources_table(sources)


@source_app.command("show")
def source_show(
    source_id: Annotated[str, typer.Argument(metavar="ID", help="The source's id.")],
    catalog: CatalogOption = None, json: JsonOption = False,
) -> None:
    """Show one source: its metadata, evidence level, and the claims that quote or cite it; for an article,
    its scorecard (how the claims it makes stand)."""
    from kclaims.catalog.query import ClaimFilter, select_claims
    from kclaims.export.scorecard import scorecard, scorecard_lines, scorecard_record

    loaded = load_at(catalog)
    source = loaded.source(source_id)
    claims = [c for c in loaded.claims if source_id in c.source_ids()]
    card = scorecard(source_id, select_claims(loaded, ClaimFilter(articles=[source_id])), loaded.sources)
    if json:
        from kclaims.export.json import export_sources_json

        rows = [r for r in select_claims(loaded) if source_id in r.claim.source_ids()]
        print_plain(export_sources_json([source], rows, scorecard_record(card) if card.rows else None))
        return
    from kclaims.cli import render

    render.source_detail(source, claims)
    for line in scorecard_lines(card, loaded.sources) if card.rows else []:
        typer.echo(printable(line))


@source_app.command("new")
def source_new(
    source_id: Annotated[str, typer.Argument(metavar="ID", help="New source id, e.g. clinic-blog-2020 or zarate2006.")],
    title: TitleOption = None, kind: Annotated[str, typer.Option(
        "--kind", help="web-article, journal-article, book, book-chapter, report, preprint, thesis, ...")] = "web-article",
    author: AuthorOption = None, date: DateOption = None, year: YearOption = None, url: UrlOption = None,
    site: SiteOption = None, journal: JournalOption = None, publisher: PublisherOption = None,
    volume: VolumeOption = None, issue: IssueOption = None, pages: PagesOption = None,
    pmid: PmidOption = None, pmcid: PmcidOption = None, doi: DoiOption = None,
    publication_type: PublicationTypeOption = None, population: PopulationOption = None,
    design: DesignOption = None, n: NOption = None, risk_of_bias: RiskOfBiasOption = None,
    includes: IncludesOption = None, retracted: RetractedOption = None, note: SourceNoteOption = None,
    catalog: CatalogOption = None,
) -> None:
    """Enter a source by hand (no network): by default a web article with its url, title, site and date;
    a paper with --kind journal-article and its identifiers, design and appraisal keys.

    Every value is checked by the rules the catalog is loaded with (docs/catalog-files.md); to look a
    paper up by its identifier instead, use `kclaims source add`.
    """
    from kclaims.catalog.edit import new_source, validate_new_id
    from kclaims.errors import BadInput

    if not title:
        raise BadInput("--title is required for a new source")
    fields = _source_fields(locals())  # the year from --date too
    fields.update({"id": validate_new_id(source_id), "kind": kind})
    fields.setdefault("population", "unknown")
    source = new_source(catalog_root(catalog), fields)
    typer.echo(f"Added source {source.id} (sources/{source.id}.yaml).", err=True)


SOURCE_FIELD_OPTIONS = {"title": "title", "author": "authors", "date": "date", "year": "year", "url": "url",
                        "site": "site", "journal": "journal", "publisher": "publisher", "volume": "volume",
                        "issue": "issue", "pages": "pages", "pmid": "pmid", "pmcid": "pmcid", "doi": "doi",
                        "publication_type": "publication_types", "population": "population", "design": "design",
                        "n": "n", "risk_of_bias": "risk_of_bias", "includes": "includes",
                        "retracted": "retracted", "note": "note"}


def _source_fields(given: dict[str, Any]) -> dict[str, Any]:
    """The source keys set by a command's options (those given), authors as the catalog writes them."""
    from kclaims.catalog.source_edits import person_name

    fields = {key: given[option] for option, key in SOURCE_FIELD_OPTIONS.items() if given.get(option) is not None}
    if "authors" in fields:
        fields["authors"] = [person_name(a) for a in fields["authors"]]
    for key in ("pmid", "pmcid", "doi"):
        if fields.get(key):
            fields[key] = _identifier(key, fields[key])
    if fields.get("date"):
        from kclaims.catalog.edit import year_of_date

        fields.setdefault("year", year_of_date(fields["date"]))
    return fields


def _identifier(kind: str, text: str) -> str:
    from kclaims.errors import BadInput
    from kclaims.literature.ids import normalize_doi, normalize_pmcid, normalize_pmid

    normal = {"pmid": normalize_pmid, "pmcid": normalize_pmcid, "doi": normalize_doi}[kind](text)
    if normal is None:
        raise BadInput(f"--{kind} {text!r} is not a {kind.upper()}")
    return normal


@source_app.command("edit")
def source_edit(
    source_id: Annotated[str, typer.Argument(metavar="ID", help="The source's id.")],
    title: TitleOption = None, kind: Annotated[Optional[str], typer.Option(
        "--kind", help="journal-article, web-article, book, ...", show_default=False)] = None,
    author: AuthorOption = None, date: DateOption = None, year: YearOption = None, url: UrlOption = None,
    site: SiteOption = None, journal: JournalOption = None, publisher: PublisherOption = None,
    volume: VolumeOption = None, issue: IssueOption = None, pages: PagesOption = None,
    pmid: PmidOption = None, pmcid: PmcidOption = None, doi: DoiOption = None,
    publication_type: PublicationTypeOption = None, population: PopulationOption = None,
    design: DesignOption = None, n: NOption = None, risk_of_bias: RiskOfBiasOption = None,
    includes: IncludesOption = None, retracted: RetractedOption = None, note: SourceNoteOption = None,
    unset: Annotated[Optional[list[str]], typer.Option(
        "--unset", metavar="KEY", help="Remove a key, e.g. --unset design (repeat for several).",
        show_default=False)] = None,
    catalog: CatalogOption = None,
) -> None:
    """Change a source's keys (those given; a list option replaces the whole list), or remove them
    with --unset. Comments and key order in sources/ID.yaml are kept; the result must load."""
    from kclaims.catalog.source_edits import edit_source

    fields = _source_fields(locals())
    if kind is not None:
        fields["kind"] = kind
    changed = edit_source(catalog_root(catalog), source_id, fields, [k.replace("-", "_") for k in unset or []])
    typer.echo(f"Changed {', '.join(changed)} of {source_id}." if changed else f"{source_id} already says that.",
               err=True)


@source_app.command("rm")
def source_rm(
    source_id: Annotated[str, typer.Argument(metavar="ID", help="The source's id.")],
    force: Annotated[bool, typer.Option(
        "--force", help="Also take out the claims' links to it and quotes from it (listed).")] = False,
    catalog: CatalogOption = None,
) -> None:
    """Remove a source: sources/ID.yaml and its kept text and page. Refused while a claim links or
    quotes it (the claims are named) unless --force, which takes those out first and says so."""
    from kclaims.catalog.source_edits import remove_source

    removal = remove_source(catalog_root(catalog), source_id, force)
    if removal.unlinked:
        typer.echo(f"Unlinked {source_id} from {', '.join(removal.unlinked)}.", err=True)
    if removal.unquoted:
        typer.echo(f"Removed the quotes from {source_id} of {', '.join(removal.unquoted)}.", err=True)
    typer.echo(f"Removed {', '.join(removal.files)}.", err=True)


PROGRESS_AFTER = 5  # identifiers; fewer resolve too fast for a bar to help


def _progress_callback(stack: "ExitStack") -> "Callable[[int, int], None]":
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


def render_report(report: "SourcesResult", json: bool) -> None:
    """Each outcome and warning on stderr (or the report as JSON on stdout), then a summary; exit 2
    when nothing at all succeeded."""
    if json:
        from kclaims.export.json import envelope

        print_plain(envelope(**report.as_dict()))
    else:
        lines = [printable(f"warning: {warning}") for warning in report.warnings]
        for outcome in report.outcomes:
            target = f" {outcome.source_id}" if outcome.source_id and outcome.action != "failed" else ""
            detail = f": {outcome.detail}" if outcome.detail else ""
            lines.append(printable(f"{outcome.action}{target} <- {outcome.given}{detail}"))
        if lines:  # in one write: an import of 10,000 entries printed a line at a time took 0.04 s more
            typer.echo("\n".join(lines), err=True)
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
        from kclaims.literature.search import REFRESH_OR_OFFLINE

        raise BadInput(REFRESH_OR_OFFLINE)
    if html is not None or url is not None:
        from kclaims.literature.web import add_saved_page

        if html is None or url is None or identifiers or from_file:
            raise BadInput("--html FILE and --url URL go together, without other identifiers: "
                           "the saved page and the address it came from")
        render_report(add_saved_page(catalog_root(catalog), html, url), json)
        return
    texts = list(identifiers or []) + (read_identifier_file(from_file) if from_file else [])
    root = catalog_root(catalog)
    with ExitStack() as stack:
        report = add_sources(root, texts, refresh=refresh, offline=offline, progress=_progress_callback(stack))
    render_report(report, json)


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

    root = catalog_root(catalog)
    with ExitStack() as stack:
        report = refresh_sources(root, source_ids or None, progress=_progress_callback(stack),
                                 snapshot_only=snapshot_only)
    render_report(report, json)


@source_app.command("import")
def source_import(
    bib_file: Annotated[Path, typer.Argument(metavar="FILE", dir_okay=False,
                                             help="A BibTeX/biblatex, RIS, PubMed MEDLINE (.nbib) or CSL-JSON file, "
                                                  "e.g. exported from Zotero, JabRef, EndNote or PubMed.")],
    catalog: CatalogOption = None, json: JsonOption = False,
) -> None:
    """Import every entry of a bibliography file as a source (no network).

    The format is told by the content. Each source keeps its citation key exactly (the id is its
    file-safe form), its entry type, names in parts and every other field, so `export --format
    bibtex` gives the entry back. An entry for a paper already in the catalog (same DOI, PMID or
    PMCID) fills what its source lacks instead of adding a second one. What cannot be read is
    named with its line.
    """
    from kclaims.literature.add import import_library

    report = import_library(catalog_root(catalog), bib_file)
    render_report(report, json)
