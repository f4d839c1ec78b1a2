"""Search the literature: Europe PMC's `search`, or PubMed (E-utilities `esearch`, then `efetch`
in batches). Results come back as records (the same `Source`s `source add` writes), ranked best
design first, each marked when the catalog already holds the paper.

Same network rules as `source add` (client.py): rate limits, retries, size caps, one deadline;
a service that keeps failing raises NetworkError (exit code 3) before anything is written. The
records are cached per identifier, so adding one later (`search --add`, `source add`, `claim
find`) sends no second request; and the answer to the search itself is cached (answers.py), so
the same search again sends none either (`refresh` asks again; `offline` asks nothing).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kclaims.catalog.files import Catalog, load_catalog
from kclaims.catalog.writing import catalog_writes
from kclaims.errors import BadInput
from kclaims.grade import source_level
from kclaims.literature.europepmc import parse_search
from kclaims.literature.pubmed import PayloadError, parse_efetch
from kclaims.literature.results import SourcesResult
from kclaims.literature.writer import SourceWriter
from kclaims.model import Source
from kclaims.text import STOPWORDS

DATABASES = ("europepmc", "pubmed")
DESIGNS = ("review", "rct", "clinical")  # systematic review or meta-analysis; randomized trial; any clinical study
MAX_LIMIT = 1000
EUROPEPMC_PAGE = 1000  # Europe PMC's largest pageSize
EFETCH_BATCH = 200

_EUROPEPMC_TYPES = {
    "review": ["systematic review", "meta-analysis"],
    "rct": ["randomized controlled trial"],
    "clinical": ["clinical trial", "randomized controlled trial", "controlled clinical trial", "observational study",
                 "comparative study", "systematic review", "meta-analysis"],
}
_PUBMED_TYPES = {
    "review": ["systematic review[pt]", "meta-analysis[pt]"],
    "rct": ["randomized controlled trial[pt]"],
    "clinical": ["clinical trial[pt]", "randomized controlled trial[pt]", "controlled clinical trial[pt]",
                 "observational study[pt]", "comparative study[pt]", "systematic review[pt]", "meta-analysis[pt]"],
}


@dataclass
class SearchRequest:
    """What to search for: the query as a person writes it, and the filters."""

    text: str
    database: str = "europepmc"
    design: str | None = None
    since: int | None = None
    until: int | None = None
    limit: int = 25

    def check(self) -> None:
        if not self.text.strip():
            raise BadInput("the search query is empty")
        if self.database not in DATABASES:
            raise BadInput(f"--database {self.database!r} is not one of: {', '.join(DATABASES)}")
        if self.design is not None and self.design not in DESIGNS:
            raise BadInput(f"--design {self.design!r} is not one of: {', '.join(DESIGNS)}")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise BadInput(f"--limit must be from 1 to {MAX_LIMIT}, not {self.limit}")
        for name, year in (("--since", self.since), ("--until", self.until)):
            if year is not None and not 1000 <= year <= 2999:
                raise BadInput(f"{name} {year} is not a year")
        if self.since and self.until and self.since > self.until:
            raise BadInput(f"--since {self.since} is after --until {self.until}")

    def cache_key(self) -> str:
        """What makes two searches the same answer: the database, the query as sent, the limit."""
        return f"{self.database}:{self.limit}:{self.query()}"

    def query(self) -> str:
        """The query as sent to the database, filters included."""
        parts = [f"({self.text.strip()})"]
        if self.database == "europepmc":
            if self.design:
                parts.append("(" + " OR ".join(f'PUB_TYPE:"{t}"' for t in _EUROPEPMC_TYPES[self.design]) + ")")
            if self.since or self.until:
                parts.append(f"(PUB_YEAR:[{self.since or 1000} TO {self.until or 2999}])")
        else:
            if self.design:
                parts.append("(" + " OR ".join(_PUBMED_TYPES[self.design]) + ")")
            if self.since or self.until:
                parts.append(f'("{self.since or 1000}"[dp] : "{self.until or 3000}"[dp])')
        return parts[0][1:-1] if len(parts) == 1 else " AND ".join(parts)


@dataclass
class Hit:
    """One result: the record, its design level (None: not evidence), the catalog source it already
    is (if any), and its abstract when the answer carried one."""

    source: Source
    level: int | None
    design: str
    in_catalog: str | None = None
    abstract: str = ""


@dataclass
class SearchResult:
    database: str
    query: str
    total: int  # hits the database counts (more than it returned when over the limit)
    hits: list[Hit] = field(default_factory=list)
    requests: int = 0
    from_cache: bool = False


def search(request: SearchRequest, catalog: Catalog | None = None, *, refresh: bool = False,
           offline: bool = False) -> SearchResult:
    """Ask the database, or the answer cache when the same search was answered before; return its
    results ranked best design first (the database's order within a level), each marked when
    `catalog` already holds the paper. `refresh` ignores a cached answer (and stores the new one);
    `offline` uses only the cache (BadInput when the search is not there)."""
    from kclaims.literature.answers import AnswerCache
    from kclaims.literature.resolve import NOT_CACHED

    request.check()
    if refresh and offline:
        raise BadInput(REFRESH_OR_OFFLINE)
    cache = AnswerCache.open()
    try:
        cached = None if refresh else cache.get_search(request.cache_key())
        answer = _answer_from(cached) if cached is not None else None
        if answer is None and offline:
            raise BadInput(f"this search is {NOT_CACHED}")
        requests = 0
        if answer is None:
            answer, requests = _ask(request)
            cache.put_records([r for r in answer[1] if r.pmid or r.pmcid or r.doi])
            cache.put_search(request.cache_key(), _answer_values(answer), empty=not answer[1])
    finally:
        cache.close()
    total, records, abstracts = answer
    return SearchResult(request.database, request.query(), total, rank(records, abstracts, catalog), requests,
                        from_cache=requests == 0)


REFRESH_OR_OFFLINE = "--refresh asks the services again and --offline forbids it: choose one"
Answer = tuple[int, list[Source], list[str]]  # the hit count, the records, their abstracts


def _ask(request: SearchRequest) -> tuple[Answer, int]:
    from kclaims.literature.client import HttpClient

    client = HttpClient()
    try:
        answer = _europepmc(client, request) if request.database == "europepmc" else _pubmed(client, request)
        return answer, client.requests
    finally:
        client.close()


def _answer_values(answer: Answer) -> dict[str, Any]:
    from kclaims.literature.answers import record_values

    total, records, abstracts = answer
    return {"total": total, "records": [record_values(r) for r in records], "abstracts": abstracts}


def _answer_from(values: Any) -> Answer | None:
    """A cached answer back as records; None when it does not read (then the database is asked)."""
    from kclaims.literature.answers import record_from

    try:
        records = [record_from(r) for r in values["records"]]
        abstracts = [str(a) for a in values["abstracts"]]
        total = int(values["total"])
    except (KeyError, TypeError, ValueError):
        return None
    return (total, records, abstracts) if len(records) == len(abstracts) else None


def rank(records: list[Source], abstracts: list[str], catalog: Catalog | None) -> list[Hit]:
    """Best design first; records that are not evidence (notices, retracted) last."""
    known = _study_index(catalog)
    hits = []
    for record, abstract in zip(records, abstracts):
        level = source_level(record)
        owner = next((known[k] for k in sorted(record.study_keys()) if k in known), None)
        hits.append(Hit(record, level.level, level.design, owner, abstract))
    return sorted(hits, key=lambda h: h.level or 9)  # stable: the database's relevance order within a level


def _study_index(catalog: Catalog | None) -> dict[str, str]:
    index: dict[str, str] = {}
    for source in (catalog.sources.values() if catalog else []):
        for key in source.study_keys():
            index.setdefault(key, source.id)
    return index


# --- Europe PMC -------------------------------------------------------------------------------


def _europepmc(client: Any, request: SearchRequest) -> tuple[int, list[Source], list[str]]:
    from kclaims.literature.resolve import EUROPEPMC

    records: list[Source] = []
    abstracts: list[str] = []
    cursor, total = "*", 0
    while len(records) < request.limit:
        params = {"query": request.query(), "resultType": "core", "format": "json", "cursorMark": cursor,
                  "pageSize": str(min(EUROPEPMC_PAGE, request.limit - len(records)))}
        page = client.get_json(EUROPEPMC, EUROPEPMC.base_url() + "/search", params, parse_search_page)
        total, found, texts, following = page
        records += found
        abstracts += texts
        if not found or not following or following == cursor:
            break
        cursor = following
    return total, records[:request.limit], abstracts[:request.limit]


def parse_search_page(payload: Any) -> tuple[int, list[Source], list[str], str | None]:
    """A Europe PMC search answer: the hit count, the records, their abstracts, the next cursor."""
    records = parse_search(payload)
    results = [r for r in payload["resultList"].get("result") or [] if isinstance(r, dict)]
    abstracts = [_plain(r.get("abstractText")) for r in results]
    count = payload.get("hitCount")
    total = count if isinstance(count, int) and not isinstance(count, bool) else len(records)
    following = payload.get("nextCursorMark")
    return total, records, abstracts, following if isinstance(following, str) else None


def _plain(text: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).split()) if isinstance(text, str) else ""


# --- PubMed -----------------------------------------------------------------------------------


def _pubmed(client: Any, request: SearchRequest) -> tuple[int, list[Source], list[str]]:
    from kclaims.literature.resolve import EUTILS, ncbi_params, batches

    form = ncbi_params(db="pubmed", term=request.query(), retmax=str(request.limit), retmode="xml", sort="relevance")
    total, pmids = client.post_xml(EUTILS, EUTILS.base_url() + "/esearch.fcgi", form, parse_esearch)
    by_pmid: dict[str, tuple[Source, str]] = {}
    for batch in batches(pmids, EFETCH_BATCH):
        fetch = ncbi_params(db="pubmed", id=",".join(batch), retmode="xml")
        records, abstracts = client.post_xml(EUTILS, EUTILS.base_url() + "/efetch.fcgi", fetch, parse_efetch_abstracts)
        by_pmid.update({r.pmid: (r, a) for r, a in zip(records, abstracts) if r.pmid in batch})
    found = [by_pmid[p] for p in pmids if p in by_pmid]  # in esearch's relevance order
    return total, [r for r, _ in found], [a for _, a in found]


def parse_esearch(body: str | bytes) -> tuple[int, list[str]]:
    """An esearch answer (XML): the hit count and the PMIDs. An `<ERROR>` answer is refused."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise PayloadError(f"esearch answered with unreadable XML: {error}") from None
    if root.tag != "eSearchResult":
        raise PayloadError(f"esearch answered with <{root.tag}>, not a search result")
    message = root.findtext("ERROR")
    if message:
        raise PayloadError(f"esearch answered with an error: {message.strip()}")
    count = (root.findtext("Count") or "0").strip()
    pmids = [(e.text or "").strip() for e in root.findall("IdList/Id")]
    return int(count) if count.isdigit() else len(pmids), [p for p in pmids if p.isdigit()]


def parse_efetch_abstracts(body: str | bytes) -> tuple[list[Source], list[str]]:
    """The records of an efetch answer, with each one's abstract (paragraphs joined)."""
    records = parse_efetch(body)
    abstracts: dict[str, str] = {}
    for article in ET.fromstring(body).iter("MedlineCitation"):
        pmid = (article.findtext("PMID") or "").strip()
        parts = [" ".join("".join(p.itertext()).split()) for p in article.iter("AbstractText")]
        abstracts[pmid] = " ".join(p for p in parts if p)
    return records, [abstracts.get(r.pmid or "", "") for r in records]


# --- adding results as sources ------------------------------------------------------------------


def add_hits(root: Path, hits: list[Hit]) -> SourcesResult:
    """Write the results as sources, from the records the search returned (no request); a paper
    the catalog holds already fills what its source lacks, as `source add` does."""
    report = SourcesResult()
    with catalog_writes(root) as writes:
        writer = SourceWriter(load_catalog(root))
        today = dt.date.today().isoformat()
        report.outcomes += [writer.add(given_as(hit.source), replace(hit.source, retrieved=today)) for hit in hits]
        writer.flush(writes)
    return report


def given_as(source: Source) -> str:
    """How a result is named in reports: its PMID, else PMCID, else DOI."""
    if source.pmid:
        return f"pmid:{source.pmid}"
    return source.pmcid or (f"doi:{source.doi}" if source.doi else source.title or "?")


# --- the query for a claim --------------------------------------------------------------------

CLAIM_VERBS = frozenset("""
reduce reduces reduced relieve relieves relieved improve improves improved increase increases increased
cause causes caused treat treats treated help helps helped work works block blocks blocked ease eases
make makes made produce produces lead leads effective used use uses become becomes became
""".split())


def claim_query(statement: str, topics: list[str]) -> str:
    """Key terms of a claim, ANDed: the statement's words less stopwords and claim verbs, then each
    topic not already among them ("chronic-pain" as the phrase "chronic pain")."""
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", statement)
    terms = list(dict.fromkeys(w.lower() for w in words
                               if w.lower() not in STOPWORDS and w.lower() not in CLAIM_VERBS and len(w) > 2))
    for topic in topics:
        phrase = topic.replace("-", " ")
        if phrase not in terms and not set(phrase.split()) <= set(terms):
            terms.append(f'"{phrase}"' if " " in phrase else phrase)
    return " AND ".join(terms)
