"""The options and arguments every command shares, declared once: spelling, environment and help."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from kclaims.vocabulary import ARTICLE_FORMATS, CERTAINTIES, CLAIM_KINDS, SORT_KEYS, STANCES, VERDICTS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from kclaims.catalog.files import Catalog
    from kclaims.catalog.query import ClaimFilter

CatalogOption = Annotated[Optional[Path], typer.Option(
    "--catalog", "-C", envvar="KCLAIMS_CATALOG", file_okay=False,
    help="Catalog folder (holds claims.yaml). Default: the nearest folder upward from here that has one.",
    show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]
TopicOption = Annotated[Optional[list[str]], typer.Option(
    "--topic", "-t", help="Only claims with this topic (repeat for any of several).", show_default=False)]


def one_of(values: tuple[str, ...]) -> str:
    """"a, b or c": the choices of an option, as its help says them."""
    return f"{', '.join(values[:-1])} or {values[-1]}"


KindOption = Annotated[Optional[list[str]], typer.Option(
    "--kind", "-k", help=f"Only claims of this kind: {one_of(CLAIM_KINDS)}.", show_default=False)]
VerdictOption = Annotated[Optional[list[str]], typer.Option(
    "--verdict", help=f"Only claims with this computed verdict: {one_of(VERDICTS)} (repeat for several).",
    show_default=False)]
CertaintyOption = Annotated[Optional[list[str]], typer.Option(
    "--certainty", help=f"Only claims with this computed certainty: {one_of(CERTAINTIES)} (repeat for several).",
    show_default=False)]
SourceFilterOption = Annotated[Optional[list[str]], typer.Option(
    "--source", "-s", help="Only claims that quote or link this source id.", show_default=False)]
ArticleFilterOption = Annotated[Optional[list[str]], typer.Option(
    "--article", "-a", help="Only claims made in this article (a source id of their made_in).", show_default=False)]
TextOption = Annotated[Optional[str], typer.Option(
    "--text", help="Only claims whose statement or quotes contain this text (any case).", show_default=False)]


SortOption = Annotated[str, typer.Option(
    "--sort", metavar="KEY", help=f"Order: {one_of(SORT_KEYS)} (catalog: as the file keeps them; strength: "
                                  "supported and most certain first).")]
StanceOption = Annotated[str, typer.Option(
    "--stance", metavar="STANCE", help=f"Does the paper support, contradict or only mention it? ({one_of(STANCES)})")]
ArticleFormatOption = Annotated[str, typer.Option(
    "--format", "-f", metavar="FORMAT",
    help=f"How to read the file ({one_of(ARTICLE_FORMATS)}); auto goes by its suffix and sniffs HTML.")]


def catalog_root(catalog: Path | None) -> Path:
    from kclaims.catalog.files import find_catalog

    return find_catalog(catalog)


def load_at(catalog: Path | None) -> "Catalog":
    from kclaims.catalog.files import load_catalog

    return load_catalog(catalog_root(catalog))


def claim_filter(topic: list[str] | None, kind: list[str] | None, verdict: list[str] | None,
                 certainty: list[str] | None, source: list[str] | None, text: str | None,
                 article: list[str] | None = None) -> "ClaimFilter":
    from kclaims.catalog.query import ClaimFilter

    check_choices("--kind", kind, CLAIM_KINDS)
    check_choices("--verdict", verdict, VERDICTS)
    check_choices("--certainty", certainty, CERTAINTIES)
    return ClaimFilter(topics=topic or [], kinds=kind or [], verdicts=verdict or [], certainties=certainty or [],
                       sources=source or [], articles=article or [], text=text)


def check_choices(option: str, given: list[str] | None, allowed: tuple[str, ...]) -> None:
    from kclaims.errors import BadInput

    for value in given or []:
        if value not in allowed:
            raise BadInput(f"{option} {value!r} is not one of: {', '.join(allowed)}")


def print_plain(text: str) -> None:
    sys.stdout.write(text)


def print_chunks(chunks: "Iterable[str | bytes]") -> None:
    """Print text made in pieces (an exporter's `..._chunks`) as it comes, a batch at a time. Pieces
    already encoded (UTF-8) go to the byte stream under stdout when it is UTF-8 too."""
    from kclaims.export import batched

    raw = getattr(sys.stdout, "buffer", None) if (sys.stdout.encoding or "").lower().replace("-", "") == "utf8" else None
    for text in batched(chunks):
        if isinstance(text, str):
            sys.stdout.write(text)
        elif raw is not None:
            sys.stdout.flush()  # the text written before these bytes goes first
            raw.write(text)
        else:
            sys.stdout.write(text.decode("utf-8"))


RefreshCacheOption = Annotated[bool, typer.Option(
    "--refresh", help="Ask the services again even for identifiers answered before (ignore the cache).")]
OfflineOption = Annotated[bool, typer.Option(
    "--offline", help="Send no request: use only answers cached by earlier runs.")]
UncheckedOption = Annotated[bool, typer.Option(
    "--unchecked", help="Record the words even if they are not in the article's text snapshot.")]


def _text_option(name: str, help: str) -> object:
    return typer.Option(name, help=help, show_default=False)


# The keys of sources/ID.yaml, for `source new` and `source edit` (docs/catalog-files.md).
TitleOption = Annotated[Optional[str], _text_option("--title", "The title.")]
UrlOption = Annotated[Optional[str], _text_option("--url", "Where it is on the web.")]
SiteOption = Annotated[Optional[str], _text_option("--site", "Site name (web articles).")]
PublisherOption = Annotated[Optional[str], _text_option("--publisher", "Publisher.")]
JournalOption = Annotated[Optional[str], _text_option("--journal", "Journal.")]
DateOption = Annotated[Optional[str], _text_option("--date", "Publication date, YYYY-MM-DD (or YYYY-MM, YYYY); sets the year.")]
YearOption = Annotated[Optional[int], _text_option("--year", "Publication year, when there is no date.")]
AuthorOption = Annotated[Optional[list[str]], _text_option(
    "--author", "An author, as 'Family, Given' or 'Family GN' (repeat for several, in order).")]
VolumeOption = Annotated[Optional[str], _text_option("--volume", "Volume.")]
IssueOption = Annotated[Optional[str], _text_option("--issue", "Issue.")]
PagesOption = Annotated[Optional[str], _text_option("--pages", "Pages, e.g. 856-864.")]
PmidOption = Annotated[Optional[str], _text_option("--pmid", "PubMed id, e.g. 16894061.")]
PmcidOption = Annotated[Optional[str], _text_option("--pmcid", "PubMed Central id, e.g. PMC4810965.")]
DoiOption = Annotated[Optional[str], _text_option("--doi", "DOI, e.g. 10.1001/archpsyc.63.8.856.")]
PublicationTypeOption = Annotated[Optional[list[str]], _text_option(
    "--publication-type", "A PubMed publication type, e.g. 'Randomized Controlled Trial' (repeat for several).")]
PopulationOption = Annotated[Optional[str], _text_option("--population", "human, animal, in-vitro, mixed or unknown.")]
DesignOption = Annotated[Optional[int], _text_option(
    "--design", "Design level 1-5 (docs/evidence.md), which wins over the publication types.")]
NOption = Annotated[Optional[int], _text_option("--n", "Participants analysed (a review: in all the studies it pools).")]
RiskOfBiasOption = Annotated[Optional[str], _text_option("--risk-of-bias", "low, some or high, as the paper or a review assesses it.")]
IncludesOption = Annotated[Optional[list[str]], _text_option(
    "--includes", "A review: a catalog source it pools (repeat for several).")]
RetractedOption = Annotated[Optional[bool], typer.Option(
    "--retracted/--not-retracted", help="Whether the paper was retracted.", show_default=False)]
SourceNoteOption = Annotated[Optional[str], _text_option("--note", "A note about the source.")]
