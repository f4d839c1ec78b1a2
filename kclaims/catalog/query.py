"""Select, sort and summarise claims: what `kclaims list` and the exports show."""

from __future__ import annotations

from dataclasses import dataclass, field

from kclaims.catalog.files import Catalog
from kclaims.catalog.labels import all_strengths, strengths_of
from kclaims.errors import BadInput
from kclaims.grade import STRENGTH_KEYS, Strength
from kclaims.model import Claim, Source
from kclaims.vocabulary import SORT_KEYS


@dataclass
class ClaimFilter:
    """The filters `kclaims list` and `kclaims export` share; empty fields do not filter."""

    topics: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)
    certainties: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)  # claims made in these articles (their `made_in`)
    text: str | None = None

    def is_empty(self) -> bool:
        return not (self.topics or self.kinds or self.verdicts or self.certainties or self.sources or self.articles or self.text)


@dataclass(slots=True)
class ClaimRow:
    """A claim with its computed strength and the counts a table shows."""

    claim: Claim
    strength: Strength

    @property
    def articles(self) -> int:
        return len({q.source for q in self.claim.made_in})

    @property
    def papers(self) -> int:
        return len({e.source for e in self.claim.evidence})


def select_claims(catalog: Catalog, wanted: ClaimFilter | None = None, sort: str = "catalog") -> list[ClaimRow]:
    """The claims that pass every filter, with their strength, in the order asked for."""
    wanted = wanted or ClaimFilter()
    if sort not in SORT_KEYS:
        raise BadInput(f"cannot sort by {sort!r}; choose one of: {', '.join(SORT_KEYS)}")
    for source_id in [*wanted.sources, *wanted.articles]:
        catalog.source(source_id)  # an unknown id is a typo worth reporting, not an empty table
    _check_topics(catalog, wanted.topics)
    text = wanted.text.casefold() if wanted.text else None
    strengths = all_strengths(catalog)
    rows = []
    for claim, strength in zip(catalog.claims, strengths):
        if not _passes(claim, wanted, text):
            continue
        if wanted.verdicts and strength.verdict not in wanted.verdicts:
            continue
        if wanted.certainties and strength.certainty not in wanted.certainties:
            continue
        rows.append(ClaimRow(claim, strength))
    return _sorted(rows, sort)


def claim_row(catalog: Catalog, claim_id: str) -> ClaimRow:
    """One claim with its strength (its cached label where the cache has it)."""
    index = catalog.claim_index(claim_id)
    [strength] = strengths_of(catalog, [index])
    return ClaimRow(catalog.claims[index], strength)


def _check_topics(catalog: Catalog, topics: list[str]) -> None:
    known = {topic for claim in catalog.claims for topic in claim.topics}
    for topic in topics:
        if topic not in known:
            import difflib

            close = difflib.get_close_matches(topic.lower(), sorted(known), n=3, cutoff=0.6)
            hint = f" (did you mean: {', '.join(close)}?)" if close else f" (topics: {', '.join(sorted(known)) or 'none yet'})"
            raise BadInput(f"no claim has the topic {topic!r}{hint}")


def _passes(claim: Claim, wanted: ClaimFilter, text: str | None) -> bool:
    if wanted.topics and not set(wanted.topics) & set(claim.topics):
        return False
    if wanted.kinds and claim.kind not in wanted.kinds:
        return False
    if wanted.sources and not set(wanted.sources) & claim.source_ids():
        return False
    if wanted.articles and not set(wanted.articles) & {q.source for q in claim.made_in}:
        return False
    if text and text not in claim.statement.casefold() and not any(text in q.text.casefold() for q in claim.made_in):
        return False
    return True


def _sorted(rows: list[ClaimRow], sort: str) -> list[ClaimRow]:
    keys = {
        "catalog": None,
        "id": lambda r: r.claim.id,
        "strength": lambda r: (STRENGTH_KEYS.index(r.strength.key), r.claim.id),
        "kind": lambda r: (r.claim.kind, r.claim.id),
        "articles": lambda r: (-r.articles, r.claim.id),
        "papers": lambda r: (-r.papers, r.claim.id),
        "statement": lambda r: r.claim.statement.casefold(),
    }
    key = keys[sort]
    return rows if key is None else sorted(rows, key=key)


def linked_sources(catalog: Catalog, rows: list[ClaimRow]) -> list:
    """The sources the given claims name, in catalog (id) order, each once."""
    wanted = set().union(*(row.claim.source_ids() for row in rows)) if rows else set()
    return [catalog.sources[source_id] for source_id in sorted(wanted) if source_id in catalog.sources]


def sources_for_export(catalog: Catalog, rows: list[ClaimRow], wanted: ClaimFilter) -> list:
    """Every source when nothing is filtered (a paper no claim cites yet still belongs in the
    bibliography); otherwise only the sources the selected claims name."""
    if wanted.is_empty():
        return [catalog.sources[source_id] for source_id in sorted(catalog.sources)]
    return linked_sources(catalog, rows)


def select_sources(catalog: Catalog, text: str | None = None) -> list[Source]:
    """The catalog's sources in id order; with `text`, those whose title, authors, journal or site,
    id, citation key or identifiers contain it (any case)."""
    ids = sorted(catalog.sources)
    if not text:
        return [catalog.sources[source_id] for source_id in ids]
    wanted = text.casefold()
    return [source for source in (catalog.sources[source_id] for source_id in ids)
            if wanted in _searchable(source)]


def _searchable(source: Source) -> str:
    parts = [source.id, source.title, source.journal, source.site, source.key, source.pmid, source.pmcid,
             source.doi, *source.authors]
    return "\n".join(part for part in parts if part).casefold()


def source_page(source: Source) -> str | None:
    """The address that shows a source best: its DOI, else its PubMed, PMC or own page."""
    if source.doi:
        return f"https://doi.org/{source.doi}"
    if source.pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{source.pmid}/"
    if source.pmcid:
        return f"https://pmc.ncbi.nlm.nih.gov/articles/{source.pmcid}/"
    return source.url or None
