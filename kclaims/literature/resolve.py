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
errors, 429 (honouring Retry-After), 5xx and unreadable bodies are retried with backoff; after the
last try a NetworkError (exit code 3) is raised. Answers are cached on disk per identifier
(`AnswerCache`), so asking again sends no request.
"""

from __future__ import annotations

import dataclasses
import email.utils
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from kclaims import __version__
from kclaims.catalog.cache import cache_dir
from kclaims.errors import NOTHING_WRITTEN, BadInput, NetworkError
from kclaims.literature.crossref import parse_work_answer, parse_work_list
from kclaims.literature.europepmc import parse_search
from kclaims.literature.ids import Identifier
from kclaims.literature.pubmed import IdLink, PayloadError, parse_efetch, parse_idconv
from kclaims.literature.webpage import SAVE_FROM_BROWSER
from kclaims.model import Source

T = TypeVar("T")
Progress = Callable[[int, int], None]

EFETCH_BATCH = 200          # NCBI: "more than about 200 UIDs" should be POSTed; 200 keeps replies small
IDCONV_BATCH = 200          # the ID converter's documented maximum per request
EUROPEPMC_BATCH = 50        # DOIs ORed in one query; keeps the GET URL far below 8 KB
CROSSREF_BATCH = 50         # DOIs ORed in one `filter=doi:…,doi:…`
MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 1.0       # 1, 2, 4 s between attempts unless the service says Retry-After
MAX_RETRY_AFTER = 60.0
TIMEOUT = (10.0, 60.0)      # connect, read (seconds)
NEGATIVE_ANSWER_SECONDS = 24 * 3600  # "not found" is asked again after a day: new papers get indexed
CACHE_FILE = "resolver.sqlite3"
CACHE_VERSION = "1"         # bump when a parser changes what it returns
MAX_PAGE_BYTES = 5 * 1024 * 1024  # a web article is rarely over 1 MB; the download stops beyond this
PAGE_CHUNK = 64 * 1024
PAGE_DEADLINE_SECONDS = 60.0  # a page still arriving after this is given up (a server that trickles bytes)
HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"

TOOL = "kclaims"
EMAIL_ENV = "KCLAIMS_EMAIL"
API_KEY_ENV = "NCBI_API_KEY"

WEB_PAGE = f"a web page, not a paper identifier: add it with 'kclaims source add URL', or {SAVE_FROM_BROWSER}"
NOT_CACHED = "not in the cache, and --offline sends no request"
NOT_FOUND = {
    "pmid": "not found in PubMed",
    "pmcid": "not found in PubMed Central or Europe PMC",
    "doi": "not found in Europe PMC or Crossref",
}


@dataclass(frozen=True)
class Service:
    """A remote service: its name for messages, base-URL variable and default, and rate limit."""

    name: str
    url_env: str
    default_url: str
    per_second: float
    limiter: str  # services that share a rate limit share a limiter

    def base_url(self) -> str:
        return (os.environ.get(self.url_env) or self.default_url).rstrip("/")


EUTILS = Service("PubMed (NCBI E-utilities)", "KCLAIMS_EUTILS_URL",
                 "https://eutils.ncbi.nlm.nih.gov/entrez/eutils", 3.0, "ncbi")
IDCONV = Service("the PMC ID converter (NCBI)", "KCLAIMS_IDCONV_URL",
                 "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles", 3.0, "ncbi")
EUROPEPMC = Service("Europe PMC", "KCLAIMS_EUROPEPMC_URL",
                    "https://www.ebi.ac.uk/europepmc/webservices/rest", 5.0, "europepmc")
CROSSREF = Service("Crossref", "KCLAIMS_CROSSREF_URL", "https://api.crossref.org", 5.0, "crossref")
SERVICES = (EUTILS, IDCONV, EUROPEPMC, CROSSREF)
WEB = Service("the web site", "", "", 2.0, "web")  # web pages: their own address, no base URL


def rate_limit(service: Service) -> float:
    """Requests per second allowed to `service` now: NCBI allows 10 with an API key, Crossref's
    polite pool (requests naming an email) 10."""
    if service.limiter == "ncbi" and os.environ.get(API_KEY_ENV):
        return 10.0
    if service is CROSSREF and os.environ.get(EMAIL_ENV):
        return 10.0
    return service.per_second


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


# --- orchestration -------------------------------------------------------------------------


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
        pmid_of = {p: links[p].pmid for p in pmcids if p in links and links[p].pmid}
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
            for link in self.client.get_json(IDCONV, IDCONV.base_url() + "/", _ncbi_params(
                    ids=",".join(batch), idtype="pmcid", format="json", versions="no"), parse_idconv):
                if link.pmcid and not link.error:
                    links[link.pmcid] = link
        return links

    def _fetch_pubmed(self, pmids: list[str], pmid_of: dict[str, str]) -> dict[str, Source]:
        wanted = list(dict.fromkeys(pmids + list(pmid_of.values())))
        found: dict[str, Source] = {}
        for batch in batches(wanted, EFETCH_BATCH):
            form = _ncbi_params(db="pubmed", id=",".join(batch), retmode="xml")
            records = self.client.post_xml(EUTILS, EUTILS.base_url() + "/efetch.fcgi", form, parse_efetch)
            asked = set(batch)
            kept = [r for r in records if r.pmid in asked]
            self.cache.put_records(kept)
            found.update({r.pmid: r for r in kept})
            self._advance(sum(1 for p in pmids if p in asked) + sum(1 for p in pmid_of.values() if p in asked))
        return found

    def _search_europepmc(self, dois: list[str], pmcids: list[str]) -> dict[str, Source]:
        found: dict[str, Source] = {}
        queries = [(f"doi:{d}", f'DOI:"{_quote_term(d)}"') for d in dois]
        queries += [(f"pmcid:{p}", f"PMCID:{p}") for p in pmcids]
        for batch in batches(queries, EUROPEPMC_BATCH):
            params = {"query": " OR ".join(q for _, q in batch), "resultType": "core", "format": "json",
                      "pageSize": str(2 * len(batch)), "synonym": "false"}
            records = self.client.get_json(EUROPEPMC, EUROPEPMC.base_url() + "/search", params, parse_search)
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
            records = self.client.get_json(CROSSREF, CROSSREF.base_url() + "/works", params, parse_work_list)
            kept = [r for r in records if r.doi in set(batch)]
            self.cache.put_records(kept)
            found.update({f"doi:{r.doi}": r for r in kept})
            self._advance(len(batch))
        for doi in [d for d in dois if "," in d]:  # a comma would split the filter: ask for this one alone
            url = f"{CROSSREF.base_url()}/works/{quote(doi, safe='/')}"
            record = self.client.get_json(CROSSREF, url, _crossref_params(), parse_work_answer, missing_ok=True)
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


def _ncbi_params(**params: str) -> dict[str, str]:
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


# --- HTTP: one session, rate limits, retries -----------------------------------------------


class HttpClient:
    """One requests.Session; each call waits its service's turn and is retried on transient faults."""

    def __init__(self) -> None:
        import requests

        self._requests = requests
        self.session = requests.Session()
        contact = os.environ.get(EMAIL_ENV)
        self.session.headers["User-Agent"] = f"{TOOL}/{__version__}" + (f" (mailto:{contact})" if contact else "")
        self.last_start: dict[str, float] = {}
        self.requests = 0

    def close(self) -> None:
        self.session.close()

    def get_json(self, service: Service, url: str, params: dict[str, str], parse: Callable[[Any], T],
                 missing_ok: bool = False) -> Any:
        """GET `url` and return `parse(decoded JSON)`; None on 404 when `missing_ok`."""
        return self._call(service, "GET", url, params, None, lambda body: parse(_json(body)), missing_ok)

    def post_xml(self, service: Service, url: str, form: dict[str, str], parse: Callable[[bytes], T]) -> T:
        """POST a form to `url` and return `parse(body bytes)`."""
        return self._call(service, "POST", url, None, form, parse, False)

    def _call(self, service: Service, method: str, url: str, params: dict | None, form: dict | None,
              read: Callable[[bytes], T], missing_ok: bool) -> Any:
        problem = "no answer"
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self._wait_turn(service)
            delay = BACKOFF_SECONDS * 2 ** (attempt - 1)
            try:
                response = self.session.request(method, url, params=params, data=form, timeout=TIMEOUT)
                body = response.content
            except (self._requests.exceptions.InvalidURL, self._requests.exceptions.MissingSchema,
                    self._requests.exceptions.InvalidSchema) as error:
                raise NetworkError(f"{service.url_env}={service.base_url()!r} is not a usable URL ({error})") from None
            except self._requests.RequestException as error:
                problem = _describe(error)
            else:
                status = response.status_code
                if status == 429 or status >= 500:
                    problem = f"HTTP {status} {response.reason or ''}".strip()
                    delay = _retry_after(response.headers.get("Retry-After"), delay)
                elif status == 404 and missing_ok:
                    return None
                elif status >= 400:
                    raise NetworkError(f"{service.name} refused the request: HTTP {status} "
                                       f"{_snippet(body)} ({_where(url)})")
                else:
                    try:
                        return read(body)
                    except PayloadError as error:
                        problem = f"an unreadable answer: {error}"
            if attempt < MAX_ATTEMPTS:
                time.sleep(delay)
        raise NetworkError(f"{service.name} did not answer after {MAX_ATTEMPTS} tries ({_where(url)}: {problem}). "
                           f"{NOTHING_WRITTEN}; answers already received are cached, so run the command again later.")

    def get_page(self, url: str) -> FetchedPage:
        """GET one web page (see `fetch_page`); pages of one host wait their turn under WEB's limit."""
        _check_host(url)
        problem = "no answer"
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self._wait_turn(WEB, f"{WEB.limiter}:{urlsplit(url).hostname}")
            delay = BACKOFF_SECONDS * 2 ** (attempt - 1)
            try:
                return self._try_page(url)
            except _Retry as fault:
                problem, delay = fault.problem, _retry_after(fault.retry_after, delay)
            if attempt < MAX_ATTEMPTS:
                time.sleep(delay)
        raise NetworkError(f"could not get {url} after {MAX_ATTEMPTS} tries ({problem}). {NOTHING_WRITTEN}; "
                           f"try again later, or {SAVE_FROM_BROWSER}.")

    def _try_page(self, url: str) -> FetchedPage:
        """One attempt at a page: the page, _Retry for a transient fault, or the error a definitive
        answer (a 404, a redirect loop, a failed TLS handshake, an unusable address) deserves."""
        import urllib3

        exceptions = self._requests.exceptions
        try:
            with self.session.get(url, timeout=TIMEOUT, stream=True, headers={"Accept": HTML_ACCEPT}) as response:
                return _page_or_retry(response, url)
        except _NotRetried as error:
            raise NetworkError(f"could not get {url}: {error}. {NOTHING_WRITTEN}.") from None
        except exceptions.TooManyRedirects:
            raise NetworkError(f"could not get {url}: it redirects in a loop (over "
                               f"{self.session.max_redirects} redirects). {NOTHING_WRITTEN}.") from None
        except exceptions.SSLError as error:  # a certificate or protocol problem: trying again would not help
            raise NetworkError(f"could not get {url}: its secure connection failed ({_ssl_reason(error)}). "
                               f"{NOTHING_WRITTEN}; if you trust the site, {SAVE_FROM_BROWSER}.") from None
        except (exceptions.InvalidURL, exceptions.MissingSchema, exceptions.InvalidSchema,
                urllib3.exceptions.LocationValueError) as error:
            raise BadInput(f"not a usable web address: {url!r} ({error})") from None
        except exceptions.RequestException as error:
            raise _Retry(_describe(error)) from None

    def _wait_turn(self, service: Service, limiter: str | None = None) -> None:
        limiter = limiter or service.limiter
        interval = 1.0 / rate_limit(service)
        last = self.last_start.get(limiter)
        if last is not None:
            wait = last + interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self.last_start[limiter] = time.monotonic()
        self.requests += 1


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as error:
        raise PayloadError(f"not JSON ({error})") from None


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, min(when.timestamp() - time.time(), MAX_RETRY_AFTER))


def _describe(error: Exception) -> str:
    name = type(error).__name__
    return {"ReadTimeout": "timed out", "ConnectTimeout": "connection timed out",
            "ConnectionError": "could not connect"}.get(name, name)


def _snippet(body: bytes) -> str:
    return " ".join(body[:200].decode("utf-8", "replace").split())


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


# --- web pages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchedPage:
    """A downloaded HTML page: its bytes as received, where it ended up, and the declared charset."""

    url: str                 # as asked
    final_url: str           # after redirects
    data: bytes
    content_type: str
    charset: str | None      # from the Content-Type header, if any


@contextmanager
def web_client() -> Iterator[HttpClient]:
    """One HTTP session for the pages of one command (pass it to `fetch_page`), closed afterwards."""
    client = HttpClient()
    try:
        yield client
    finally:
        client.close()


def fetch_page(url: str, client: HttpClient | None = None) -> FetchedPage:
    """Download one web page through `client` (or a session of its own): redirects followed,
    MAX_PAGE_BYTES and PAGE_DEADLINE_SECONDS at most, transient faults retried. NetworkError (exit 3)
    when it cannot be had; BadInput (exit 2) when the URL is unusable or the answer is not an HTML page."""
    if client is not None:
        return client.get_page(url)
    with web_client() as own:
        return own.get_page(url)


class _NotRetried(Exception):
    """A definitive answer (a 404, a redirect loop, a stalled download): trying again would not change it."""


class _Retry(Exception):
    """A transient fault (a timeout, a 503): worth another try, after Retry-After if the server says."""

    def __init__(self, problem: str, retry_after: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


def _check_host(url: str) -> None:
    """BadInput for a host name no resolver accepts (an empty part as in a..b, one over 63 characters)."""
    host = urlsplit(url).hostname or ""
    try:
        host.encode("idna")
    except UnicodeError:
        raise BadInput(f"not a usable web address: {url!r} (the host name {host!r} has an empty part "
                       "or one over 63 characters)") from None


def _ssl_reason(error: Exception) -> str:
    text = str(error)
    for reason in ("CERTIFICATE_VERIFY_FAILED", "WRONG_VERSION_NUMBER", "UNSUPPORTED_PROTOCOL", "HANDSHAKE_FAILURE"):
        if reason in text:
            return reason.replace("_", " ").lower()
    return "TLS error"


def _page_or_retry(response: Any, url: str) -> FetchedPage:
    status = response.status_code
    if status == 429 or status >= 500:
        raise _Retry(f"HTTP {status} {response.reason or ''}".strip(), response.headers.get("Retry-After"))
    if status >= 400:
        raise _NotRetried(f"HTTP {status} {response.reason or ''}".strip())
    return _read_page(response, url)


def _read_page(response: Any, url: str) -> FetchedPage:
    from kclaims.literature.webpage import HTML_TYPES, looks_like_html

    header = response.headers.get("Content-Type", "")
    content_type, _, params = header.partition(";")
    content_type = content_type.strip().lower()
    charset = next((p.split("=", 1)[1].strip().strip("\"'") for p in params.split(";")
                    if p.strip().lower().startswith("charset=")), None)
    if content_type and content_type not in HTML_TYPES:
        raise BadInput(f"{_where(url)} is {_kind_of(content_type)}, not an HTML page; kclaims adds web articles "
                       "(for a paper, give its PMID, PMCID or DOI)")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_PAGE_BYTES:
        raise BadInput(f"{_where(url)} is {int(declared) // 1024 // 1024} MB, over the {MAX_PAGE_BYTES // 1024 // 1024} MB "
                       f"limit for a web page. {NOTHING_WRITTEN}.")
    data = _read_body(response, url)
    if not content_type and not looks_like_html(data):
        raise BadInput(f"{_where(url)} did not answer with an HTML page (no content type, and not markup)")
    if _binary_signature(data):
        raise BadInput(f"{_where(url)} is {_binary_signature(data)}, not an HTML page (whatever the server says)")
    return FetchedPage(url, response.url or url, data, content_type or "text/html", charset)


def _read_body(response: Any, url: str) -> bytes:
    """The body, decompressed: MAX_PAGE_BYTES at most, and given up PAGE_DEADLINE_SECONDS after its
    download began, however steadily a server trickles it (at worst one read timeout later)."""
    deadline = time.monotonic() + PAGE_DEADLINE_SECONDS
    chunks, size = [], 0
    for chunk in _arriving(response):
        size += len(chunk)
        if size > MAX_PAGE_BYTES:
            raise BadInput(f"{_where(url)} is over the {MAX_PAGE_BYTES // 1024 // 1024} MB limit for a web page; "
                           f"the download was stopped. {NOTHING_WRITTEN}.")
        if time.monotonic() > deadline:
            raise _NotRetried(f"the page was still arriving after {PAGE_DEADLINE_SECONDS:g} seconds (a stalled or "
                              f"very slow server); try again later, or {SAVE_FROM_BROWSER}")
        chunks.append(chunk)
    return b"".join(chunks)


def _arriving(response: Any) -> Iterator[bytes]:
    """The body as it arrives, one socket read per piece (a buffered read of a fixed size would wait
    for all of it, however slowly it came); urllib3's errors raised as requests' (retried as any)."""
    import requests
    import urllib3

    while True:
        try:
            chunk = response.raw.read1(PAGE_CHUNK, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError as error:
            raise requests.exceptions.ReadTimeout(error) from None
        except urllib3.exceptions.DecodeError as error:
            raise requests.exceptions.ContentDecodingError(error) from None
        except urllib3.exceptions.SSLError as error:
            raise requests.exceptions.SSLError(error) from None
        except urllib3.exceptions.HTTPError as error:  # a broken connection, an incomplete body
            raise requests.exceptions.ChunkedEncodingError(error) from None
        if not chunk:
            return
        yield chunk


def _kind_of(content_type: str) -> str:
    if content_type == "application/pdf":
        return "a PDF document"
    if content_type.startswith("image/"):
        return f"an image ({content_type})"
    return f"{content_type!r}"


def _binary_signature(data: bytes) -> str | None:
    for magic, kind in ((b"%PDF-", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
                        (b"GIF8", "a GIF image"), (b"PK\x03\x04", "a ZIP archive")):
        if data.startswith(magic):
            return kind
    return None


# --- the on-disk answer cache --------------------------------------------------------------


class AnswerCache:
    """Answers per identifier in one SQLite file under kclaims.cache.cache_dir(); safe to delete.

    A found record is kept until `--refresh` or `kclaims source refresh` replaces it; a "not
    found" answer for NEGATIVE_ANSWER_SECONDS. A cache that cannot be opened or written only
    costs requests, never an error.
    """

    def __init__(self, connection: sqlite3.Connection | None):
        self.connection = connection

    @classmethod
    def open(cls) -> AnswerCache:
        try:
            folder = cache_dir()
            folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(folder / CACHE_FILE, timeout=10, isolation_level=None)
            connection.execute("PRAGMA synchronous = OFF")  # a lost cache write only costs a request
            connection.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, record TEXT, "
                               "reason TEXT, stored REAL NOT NULL)")
            return cls(connection)
        except (OSError, sqlite3.Error):
            return cls(None)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()

    def get(self, identifier: Identifier) -> tuple[Source | None, str | None] | None:
        """(record, None) or (None, reason) if an answer is cached, else None."""
        if self.connection is None:
            return None
        try:
            row = self.connection.execute("SELECT record, reason, stored FROM answers WHERE key = ?",
                                          (_key(identifier),)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        record, reason, stored = row
        if record is None:
            return None if time.time() - stored > NEGATIVE_ANSWER_SECONDS else (None, reason)
        try:
            return Source(**json.loads(record)), None
        except (TypeError, ValueError):
            return None

    def put_records(self, records: list[Source], also: Identifier | None = None) -> None:
        """Store each record under each identifier it carries (and `also`), as soon as it arrives,
        so a later failure in the same run does not cost it again."""
        now, rows = time.time(), []
        for record in records:
            text = json.dumps({f.name: getattr(record, f.name) for f in _FIELDS}, ensure_ascii=False)
            keys = set(identifiers_of(record)) | ({also} if also else set())
            rows += [(_key(k), text, None, now) for k in keys]
        self._write(rows)

    def put_missing(self, answers: list[tuple[Identifier, str]]) -> None:
        now = time.time()
        self._write([(_key(identifier), None, reason, now) for identifier, reason in answers])

    def _write(self, rows: list[tuple]) -> None:
        if self.connection is None:
            return
        try:
            self.connection.executemany("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error:
            return


_FIELDS = dataclasses.fields(Source)


def identifiers_of(record: Source) -> list[Identifier]:
    """The PMID, PMCID and DOI a record carries, as identifiers."""
    found = []
    if record.pmid:
        found.append(Identifier("pmid", record.pmid))
    if record.pmcid:
        found.append(Identifier("pmcid", record.pmcid.upper()))
    if record.doi:
        found.append(Identifier("doi", record.doi.lower()))
    return found


def _key(identifier: Identifier) -> str:
    return f"v{CACHE_VERSION}:{identifier.kind}:{identifier.value}"
