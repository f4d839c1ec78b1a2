"""`kclaims search` and `kclaims claim find`: find the papers that bear on a claim."""

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from kclaims.cli.app import app, claim_app
from kclaims.cli.options import CatalogOption, JsonOption, catalog_root, load_at, print_plain
from kclaims.text import printable, shorten

if TYPE_CHECKING:
    from pathlib import Path

    from kclaims.catalog.files import Catalog
    from kclaims.literature.search import Hit, SearchRequest, SearchResult

DatabaseOption = Annotated[str, typer.Option(
    "--database", "-d", metavar="DB", help="europepmc (Europe PMC) or pubmed (PubMed, via NCBI E-utilities).")]
DesignOption = Annotated[Optional[str], typer.Option(
    "--design", metavar="DESIGN", help="Only review (systematic review or meta-analysis), rct (randomized "
                                       "trial) or clinical (any clinical study).", show_default=False)]
SinceOption = Annotated[Optional[int], typer.Option("--since", metavar="YEAR", help="Published in or after YEAR.",
                                                    show_default=False)]
UntilOption = Annotated[Optional[int], typer.Option("--until", metavar="YEAR", help="Published in or before YEAR.",
                                                    show_default=False)]
LimitOption = Annotated[int, typer.Option("--limit", "-n", help="At most this many results (1-1000).")]
RefreshSearchOption = Annotated[bool, typer.Option(
    "--refresh", help="Ask the database again even if this search was answered before (ignore the cache).")]
OfflineSearchOption = Annotated[bool, typer.Option(
    "--offline", help="Send no request: use only this search's answer cached by an earlier run.")]


def _request(text: str, database: str, design: Optional[str], since: Optional[int], until: Optional[int],
             limit: int) -> "SearchRequest":
    from kclaims.literature.search import SearchRequest

    request = SearchRequest(text, database, design, since, until, limit)
    request.check()
    return request


def hit_line(number: int, hit: "Hit") -> str:
    source = hit.source
    author = source.first_author_surname() or "?"
    ids = " ".join(x for x in (f"PMID {source.pmid}" if source.pmid else "", source.pmcid or "",
                               f"doi:{source.doi}" if source.doi else "") if x)
    level = f"level {hit.level}" if hit.level else "not evidence"
    mark = f"  [in catalog: {hit.in_catalog}]" if hit.in_catalog else ""
    lines = [f"{number:>3}. {level} ({hit.design})  {author} {source.year or ''}, {source.journal or ''}",
             f"     {shorten(source.title or '(no title)', 110)}", f"     {ids}{mark}"]
    return "\n".join(printable(line) for line in lines)


def _render(result: "SearchResult", hits: list["Hit"]) -> None:
    typer.echo(printable(f"{result.database}: {result.query}"), err=True)
    for number, hit in enumerate(hits, 1):
        typer.echo(hit_line(number, hit))
    shown = f"{len(hits)} of {result.total}" if result.total > len(hits) else f"{len(hits)}"
    asked = "from the cache" if result.from_cache else f"{result.requests} requests"
    typer.echo(f"{shown} results, best design first ({asked}).", err=True)


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(metavar="QUERY", help="Words as the database takes them, e.g. "
                                                               "'ketamine AND (PTSD OR \"posttraumatic stress\")'.")],
    database: DatabaseOption = "europepmc", design: DesignOption = None, since: SinceOption = None,
    until: UntilOption = None, limit: LimitOption = 25,
    add: Annotated[bool, typer.Option("--add", help="Add every result not yet in the catalog as a source "
                                                    "(from the search's own answer: no second request).")] = False,
    refresh: RefreshSearchOption = False, offline: OfflineSearchOption = False,
    catalog: CatalogOption = None, json: JsonOption = False,
) -> None:
    """Search Europe PMC (or PubMed) for papers; results show the design level the rubric would give
    them, best design first, marked when already in the catalog.

    Network rules as for `source add`: rate-limited, retried, cached (the same search again sends
    no request; one with no results is asked again after a day, others after 30 days);
    exit code 3 when the database keeps failing, with nothing written.
    """
    from kclaims.literature.search import search

    request = _request(query, database, design, since, until, limit)
    root = catalog_root(catalog) if (add or catalog is not None) else None
    loaded = load_at(catalog) if root is not None else _optional_catalog()
    result = search(request, loaded, refresh=refresh, offline=offline)
    report = None
    if add and root is not None:
        from kclaims.literature.search import add_hits

        report = add_hits(root, [h for h in result.hits if h.in_catalog is None])
    if json:
        from kclaims.export.json import envelope, search_record

        parts = {"search": search_record(result.database, result.query, result.total, result.hits)}
        print_plain(envelope(**parts, **({"added": report.as_dict()} if report else {})))
    else:
        _render(result, result.hits)
        if report is not None:
            from kclaims.cli.sources import render_report

            render_report(report, json=False)


def _optional_catalog() -> "Catalog | None":
    """The catalog around here if there is one (to mark results it holds); a search needs none."""
    from kclaims.errors import CatalogNotFound

    try:
        return load_at(None)
    except CatalogNotFound:
        return None


CHOICES = {"s": "supports", "c": "contradicts", "m": "mentions", "k": "skip", "a": "abstract", "q": "quit"}
PROMPT = "[s]upports, [c]ontradicts, [m]entions, s[k]ip, [a]bstract, [q]uit"


@claim_app.command("find")
def claim_find(
    claim_id: Annotated[str, typer.Argument(metavar="CLAIM", help="The claim's id.")],
    query: Annotated[Optional[str], typer.Option(
        "--query", "-q", help="The query to send (default: built from the claim's key terms and topics, "
                              "shown for editing).", show_default=False)] = None,
    database: DatabaseOption = "europepmc", design: DesignOption = None, since: SinceOption = None,
    until: UntilOption = None, limit: LimitOption = 25,
    refresh: RefreshSearchOption = False, offline: OfflineSearchOption = False,
    catalog: CatalogOption = None, json: JsonOption = False,
) -> None:
    """Search the literature for a claim and screen what it finds: for each paper not yet linked,
    say whether it supports, contradicts or mentions the claim, skip it, or read its abstract.

    The papers chosen are added as sources (from the search's own answer) and linked; then the
    search is recorded on the claim (`searched`: date, database, query, how many screened, how
    many linked), so the rubric can say `no-evidence-found` rather than `not-assessed`. With
    --json, prints the query and the candidates and changes nothing: nothing is ever linked
    without a person's choice.
    """
    from kclaims.literature.search import claim_query, search

    root = catalog_root(catalog)
    loaded = load_at(catalog)
    claim = loaded.claim(claim_id)
    text = query if query is not None else claim_query(claim.statement, claim.topics)
    if query is None and not json:
        text = _ask("Query", text)
    request = _request(text, database, design, since, until, limit)
    result = search(request, loaded, refresh=refresh, offline=offline)
    linked = {e.source for e in claim.evidence}
    candidates = [h for h in result.hits if h.in_catalog is None or h.in_catalog not in linked]
    if json:
        from kclaims.export.json import envelope, search_record

        print_plain(envelope(claim=claim_id, search=search_record(result.database, result.query, result.total,
                                                                  candidates)))
        return
    typer.echo(printable(f"{result.database}: {result.query}: {result.total} found, "
                         f"{len(candidates)} not linked to {claim_id}."), err=True)
    decided = _screen(candidates)
    if candidates and not decided:
        typer.echo("Nothing screened, so no search is recorded.", err=True)
        return
    _record(root, claim_id, result, decided)


NO_ANSWERS = ("claim find asks about each paper on standard input, and none came: answer in a terminal, "
              "or use --json to list the candidates without asking")


def _ask(prompt: str, default: str) -> str:
    """One answer from standard input; a one-line error (exit 2) when there is none to read."""
    try:
        return str(typer.prompt(prompt, default=default, err=True))
    except typer.Abort:
        from kclaims.errors import BadInput

        typer.echo(err=True)  # end the prompt's line, so the error stands on its own
        raise BadInput(NO_ANSWERS) from None


def _screen(candidates: list["Hit"]) -> list[tuple["Hit", str]]:
    """Ask about each candidate; (hit, stance or 'skip') for each one decided, until quit."""
    decided: list[tuple["Hit", str]] = []
    for number, hit in enumerate(candidates, 1):
        typer.echo(hit_line(number, hit))
        while True:
            answer = CHOICES.get(_ask(PROMPT, "k").strip().lower()[:1], "")
            if answer == "abstract":
                from kclaims.catalog.query import source_page

                typer.echo(printable(hit.abstract or "(no abstract in the answer)", multiline=True))
                typer.echo(printable(source_page(hit.source) or ""))
            elif answer == "quit":
                return decided
            elif answer:
                decided.append((hit, answer))
                break
    return decided


def _record(root: "Path", claim_id: str, result: "SearchResult", decided: list[tuple["Hit", str]]) -> None:
    import datetime as dt

    from kclaims.catalog.claim_edits import record_findings
    from kclaims.literature.search import add_hits
    from kclaims.model import Search

    chosen = [(hit, stance) for hit, stance in decided if stance != "skip"]
    new = [hit for hit, _ in chosen if hit.in_catalog is None]
    ids = {id(hit): hit.in_catalog for hit, _ in chosen}
    if new:
        report = add_hits(root, new)
        for hit, outcome in zip(new, report.outcomes):
            ids[id(hit)] = outcome.source_id
            typer.echo(printable(f"{outcome.action} {outcome.source_id} <- {outcome.given}"), err=True)
    links = [(str(ids[id(hit)]), stance) for hit, stance in chosen if ids[id(hit)]]
    relevant = sum(1 for _, stance in links if stance in ("supports", "contradicts"))  # what the rubric counts
    search = Search(dt.date.today().isoformat(), result.database, result.query, len(decided), relevant)
    record_findings(root, claim_id, links, search)
    for source_id, stance in links:
        typer.echo(f"Linked {source_id} to {claim_id} ({stance}).", err=True)
    typer.echo(f"Recorded the search on {claim_id}: {len(decided)} screened, {len(links)} linked.", err=True)
