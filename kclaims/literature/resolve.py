"""Resolve PMIDs, PMCIDs and DOIs to records: the only module of kclaims that touches the network.

Route (docs/sources.md says why):

- PMIDs: NCBI E-utilities `efetch` (PubMed XML: bibliographic fields, publication types, MeSH,
  retraction), up to EFETCH_BATCH ids per POST.
- PMCIDs: the PMC ID converter (EFETCH_BATCH ids per call) finds their PMIDs, which join the
  efetch batches; a PMCID without a PMID is asked of Europe PMC.
- DOIs: Europe PMC `search` (resultType=core answers with publication types and MeSH in one call),
  EUROPEPMC_BATCH DOIs per query; DOIs outside PubMed and Europe PMC go to Crossref `/works`
  with a `doi:` filter, CROSSREF_BATCH per call.

Every call waits its turn under the service's published rate limit, and timeouts, connection
errors, 429 (honouring Retry-After), 5xx and unreadable bodies (JSON of the wrong shape included)
are retried with backoff; after the last try, an answer over the service's size limit, a redirect
off its host, or at the command's deadline, a NetworkError (exit code 3) is raised (client.py). Answers are cached on disk per identifier
(`AnswerCache`), so asking again sends no request.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from kclaims.literature.answers import (
    AnswerCache,
    identifiers_of,
)
from kclaims.literature.client import (
    API_KEY_ENV,
    EMAIL_ENV,
    TOOL,
    HttpClient,
    Service,
    T,
)
from kclaims.literature.crossref import parse_work_answer, parse_work_list
from kclaims.literature.europepmc import parse_search
from kclaims.literature.ids import Identifier
from kclaims.literature.pubmed import IdLink, parse_efetch, parse_idconv
from kclaims.literature.webpage import SAVE_FROM_BROWSER
from kclaims.model import Source

Progress = Callable[[int, int], None]


EFETCH_BATCH = 200          # NCBI: "more than about 200 UIDs" should be POSTed; 200 keeps replies small


IDCONV_BATCH = 200          # the ID converter's documented maximum per request


EUROPEPMC_BATCH = 50        # DOIs ORed in one query; keeps the GET URL far below 8 KB


CROSSREF_BATCH = 50         # DOIs ORed in one `filter=doi:…,doi:…`


WEB_PAGE = f"a web page, not a paper identifier: add it with 'kclaims source add URL', or {SAVE_FROM_BROWSER}"


NOT_CACHED = "not in the cache, and --offline sends no request"


NOT_FOUND = {
    "pmid": "not found in PubMed",
    "pmcid": "not found in PubMed Central or Europe PMC",
    "doi": "not found in Europe PMC or Crossref",
}


EUTILS = Service("PubMed (NCBI E-utilities)", "KCLAIMS_EUTILS_URL",
                 "https://eutils.ncbi.nlm.nih.gov/entrez/eutils", 3.0, "ncbi",
                 64 * 1024 * 1024)  # 200 PubMed records are 2-10 MB of XML; a generous ceiling


IDCONV = Service("the PMC ID converter (NCBI)", "KCLAIMS_IDCONV_URL",
                 "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles", 3.0, "ncbi")


EUROPEPMC = Service("Europe PMC", "KCLAIMS_EUROPEPMC_URL",
                    "https://www.ebi.ac.uk/europepmc/webservices/rest", 5.0, "europepmc")


CROSSREF = Service("Crossref", "KCLAIMS_CROSSREF_URL", "https://api.crossref.org", 5.0, "crossref")


SERVICES = (EUTILS, IDCONV, EUROPEPMC, CROSSREF)


@dataclass
class Resolution:
    """What resolving gave: a record or a reason per identifier, and what it cost."""

    records: dict[Identifier, Source] = field(default_factory=dict)
    failures: dict[Identifier, str] = field(default_factory=dict)
    requests: int = 0
    from_cache: int = 0


def resolve(identifiers: Iterable[Identifier], *, refresh: bool = False, offline: bool = False,
            progress: Progress | None = None) -> Resolution:
    """Resolve each identifier to a record, in as few requests as the services allow.

    `refresh` ignores cached answers (and stores the new ones); `offline` uses only the cache.
    `progress(done, total)` is called as identifiers are settled. Raises NetworkError when a
    service keeps failing; what was received before that stays cached.
    """
    wanted = list(dict.fromkeys(identifiers))
    cache = AnswerCache.open()
    client = None if offline else HttpClient()
    try:
        return _Resolver(cache, client, refresh, progress).run(wanted)
    finally:
        cache.close()
        if client is not None:
            client.close()


class _Resolver:
    def __init__(self, cache: AnswerCache, client: HttpClient | None, refresh: bool, progress: Progress | None):
        self.cache = cache
        self.client = client
        self.refresh = refresh
        self.progress = progress
        self.result = Resolution()
        self.done = 0
        self.total = 0

    def run(self, identifiers: list[Identifier]) -> Resolution:
        pending = [i for i in identifiers if not self._answered_without_network(i)]
        self.total = len(pending)
        self._report()
        if pending:
            self._resolve_online(pending)
        self.result.records = {i: self.result.records[i] for i in identifiers if i in self.result.records}
        self.result.failures = {i: self.result.failures[i] for i in identifiers if i in self.result.failures}
        return self.result

    @property
    def _online(self) -> HttpClient:
        """The HTTP client: only the online steps use it, and they run only when there is one."""
        assert self.client is not None
        return self.client

    def _answered_without_network(self, identifier: Identifier) -> bool:
        if identifier.kind == "url":
            self.result.failures[identifier] = WEB_PAGE
            return True
        answer = None if self.refresh else self.cache.get(identifier)
        if answer is not None:
            record, reason = answer
            if record is not None:
                self.result.records[identifier] = record
            else:
                self.result.failures[identifier] = reason or NOT_FOUND[identifier.kind]
            self.result.from_cache += 1
            return True
        if self.client is None:
            self.result.failures[identifier] = NOT_CACHED
            return True
        return False

    def _resolve_online(self, pending: list[Identifier]) -> None:
        assert self.client is not None
        pmids = [i.value for i in pending if i.kind == "pmid"]
        pmcids = [i.value for i in pending if i.kind == "pmcid"]
        dois = [i.value for i in pending if i.kind == "doi"]
        links = self._convert_pmcids(pmcids)
        pmid_of = {p: pmid for p in pmcids if p in links and (pmid := links[p].pmid)}
        by_pmid = self._fetch_pubmed(pmids, pmid_of)
        found: dict[str, Source] = {f"pmid:{p}": r for p, r in by_pmid.items()}
        for pmcid, pmid in pmid_of.items():
            if pmid in by_pmid:
                found[f"pmcid:{pmcid}"] = by_pmid[pmid]
        for record in by_pmid.values():  # a PubMed record answers for its own DOI and PMCID too
            for identifier in identifiers_of(record):
                found.setdefault(f"{identifier.kind}:{identifier.value}", record)
        dois = [d for d in dois if f"doi:{d}" not in found]
        self._advance(len(pending) - len(dois) - len(pmids) - len(pmcids))
        rest_pmcids = [p for p in pmcids if f"pmcid:{p}" not in found]
        found.update(self._search_europepmc(dois, rest_pmcids))
        found.update(self._fetch_crossref([d for d in dois if f"doi:{d}" not in found]))
        for identifier in pending:
            self._settle(identifier, found.get(f"{identifier.kind}:{identifier.value}"))
        asked = set(pending)
        self.cache.put_missing([(i, r) for i, r in self.result.failures.items() if i in asked])
        self.result.requests = self.client.requests

    def _settle(self, identifier: Identifier, record: Source | None) -> None:
        if record is None:
            self.result.failures[identifier] = NOT_FOUND[identifier.kind]
        else:
            self.result.records[identifier] = record
            if identifier not in identifiers_of(record):  # e.g. a PMCID PubMed does not list
                self.cache.put_records([record], also=identifier)

    def _advance(self, settled: int) -> None:
        self.done = min(self.total, self.done + settled)
        self._report()

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total)

    # each step: one service, in batches

    def _convert_pmcids(self, pmcids: list[str]) -> dict[str, IdLink]:
        links: dict[str, IdLink] = {}
        for batch in batches(pmcids, IDCONV_BATCH):
            for link in self._online.get_json(IDCONV, IDCONV.base_url() + "/", ncbi_params(
                    ids=",".join(batch), idtype="pmcid", format="json", versions="no"), parse_idconv):
                if link.pmcid and not link.error:
                    links[link.pmcid] = link
        return links

    def _fetch_pubmed(self, pmids: list[str], pmid_of: dict[str, str]) -> dict[str, Source]:
        wanted = list(dict.fromkeys(pmids + list(pmid_of.values())))
        found: dict[str, Source] = {}
        for batch in batches(wanted, EFETCH_BATCH):
            form = ncbi_params(db="pubmed", id=",".join(batch), retmode="xml")
            records = self._online.post_xml(EUTILS, EUTILS.base_url() + "/efetch.fcgi", form, parse_efetch)
            asked = set(batch)
            kept = [r for r in records if r.pmid in asked]
            self.cache.put_records(kept)
            found.update({r.pmid: r for r in kept if r.pmid is not None})  # all of them: each pmid was asked
            self._advance(sum(1 for p in pmids if p in asked) + sum(1 for p in pmid_of.values() if p in asked))
        return found

    def _search_europepmc(self, dois: list[str], pmcids: list[str]) -> dict[str, Source]:
        found: dict[str, Source] = {}
        queries = [(f"doi:{d}", f'DOI:"{_quote_term(d)}"') for d in dois]
        queries += [(f"pmcid:{p}", f"PMCID:{p}") for p in pmcids]
        for batch in batches(queries, EUROPEPMC_BATCH):
            params = {"query": " OR ".join(q for _, q in batch), "resultType": "core", "format": "json",
                      "pageSize": str(2 * len(batch)), "synonym": "false"}
            records = self._online.get_json(EUROPEPMC, EUROPEPMC.base_url() + "/search", params, parse_search)
            keys = {k for k, _ in batch}
            before = set(found)
            for record in sorted(records, key=lambda r: r.pmid is None):  # PubMed-indexed records first
                for key in (f"doi:{record.doi}", f"pmcid:{record.pmcid}"):
                    if key in keys and key not in found:
                        found[key] = record
            self.cache.put_records(list({id(found[k]): found[k] for k in set(found) - before}.values()))
            self._advance(sum(1 for k in keys if k in found or k.startswith("pmcid:")))
        return found

    def _fetch_crossref(self, dois: list[str]) -> dict[str, Source]:
        found: dict[str, Source] = {}
        listable = [d for d in dois if "," not in d]
        for batch in batches(listable, CROSSREF_BATCH):
            params = _crossref_params(filter=",".join(f"doi:{d}" for d in batch), rows=str(len(batch)))
            records = self._online.get_json(CROSSREF, CROSSREF.base_url() + "/works", params, parse_work_list)
            kept = [r for r in records if r.doi in set(batch)]
            self.cache.put_records(kept)
            found.update({f"doi:{r.doi}": r for r in kept})
            self._advance(len(batch))
        for doi in [d for d in dois if "," in d]:  # a comma would split the filter: ask for this one alone
            url = f"{CROSSREF.base_url()}/works/{quote(doi, safe='/')}"
            record = self._online.get_json(CROSSREF, url, _crossref_params(), parse_work_answer, missing_ok=True)
            if record is not None:
                found[f"doi:{doi}"] = record
                self.cache.put_records([record])
            self._advance(1)
        return found


def batches(items: list[T], size: int) -> Iterator[list[T]]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _quote_term(doi: str) -> str:
    return doi.replace("\\", "\\\\").replace('"', '\\"')


def ncbi_params(**params: str) -> dict[str, str]:
    """NCBI asks every caller to name its tool and a contact email; an API key raises the limit."""
    params["tool"] = TOOL
    if os.environ.get(EMAIL_ENV):
        params["email"] = os.environ[EMAIL_ENV]
    if os.environ.get(API_KEY_ENV):
        params["api_key"] = os.environ[API_KEY_ENV]
    return params


def _crossref_params(**params: str) -> dict[str, str]:
    if os.environ.get(EMAIL_ENV):
        params["mailto"] = os.environ[EMAIL_ENV]  # Crossref's "polite pool"
    return params
