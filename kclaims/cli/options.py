"""The options and arguments every command shares, declared once: spelling, environment and help."""

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from kclaims.catalog.files import Catalog
    from kclaims.catalog.query import ClaimFilter

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


def catalog_root(catalog: Path | None) -> Path:
    from kclaims.catalog.files import find_catalog

    return find_catalog(catalog)


def load_at(catalog: Path | None) -> "Catalog":
    from kclaims.catalog.files import load_catalog

    return load_catalog(catalog_root(catalog))


def claim_filter(topic: list[str] | None, kind: list[str] | None, label: list[str] | None,
            source: list[str] | None, text: str | None) -> "ClaimFilter":
    from kclaims.catalog.query import ClaimFilter
    from kclaims.model import CLAIM_KINDS, LABELS

    check_choices("--kind", kind, CLAIM_KINDS)
    check_choices("--label", label, LABELS)
    return ClaimFilter(topics=topic or [], kinds=kind or [], labels=label or [], sources=source or [], text=text)


def check_choices(option: str, given: list[str] | None, allowed: tuple[str, ...]) -> None:
    from kclaims.errors import BadInput

    for value in given or []:
        if value not in allowed:
            raise BadInput(f"{option} {value!r} is not one of: {', '.join(allowed)}")


def print_plain(text: str) -> None:
    sys.stdout.write(text)


class ArticleFormat(str, Enum):
    auto = "auto"
    text = "text"
    markdown = "markdown"
    html = "html"


RefreshCacheOption = Annotated[bool, typer.Option(
    "--refresh", help="Ask the services again even for identifiers answered before (ignore the cache).")]
OfflineOption = Annotated[bool, typer.Option(
    "--offline", help="Send no request: use only answers cached by earlier runs.")]
