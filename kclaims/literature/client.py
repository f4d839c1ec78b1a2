"""The HTTP client: the only code that talks to the network. One `requests.Session`, each service's
published rate limit, retries with backoff (timeouts, 429 with Retry-After, 5xx), timeouts, a size
cap and a deadline for web pages.
"""

from __future__ import annotations

import email.utils
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload
from urllib.parse import urlsplit

from kclaims import __version__
from kclaims.errors import NOTHING_WRITTEN, BadInput, NetworkError
from kclaims.literature.pubmed import PayloadError
from kclaims.literature.webpage import SAVE_FROM_BROWSER

if TYPE_CHECKING:
    from requests import Response

T = TypeVar("T")
MAX_ATTEMPTS = 4


BACKOFF_SECONDS = 1.0       # 1, 2, 4 s between attempts unless the service says Retry-After


MAX_RETRY_AFTER = 60.0


TIMEOUT = (10.0, 60.0)      # connect, read (seconds)


MAX_PAGE_BYTES = 5 * 1024 * 1024  # a web article is rarely over 1 MB; the download stops beyond this


PAGE_CHUNK = 64 * 1024


PAGE_DEADLINE_SECONDS = 60.0  # a page still arriving after this is given up (a server that trickles bytes)


HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"


TOOL = "kclaims"


EMAIL_ENV = "KCLAIMS_EMAIL"


API_KEY_ENV = "NCBI_API_KEY"


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


WEB = Service("the web site", "", "", 2.0, "web")  # web pages: their own address, no base URL


def rate_limit(service: Service) -> float:
    """Requests per second allowed to `service` now: NCBI allows 10 with an API key, Crossref's
    polite pool (requests naming an email) 10."""
    if service.limiter == "ncbi" and os.environ.get(API_KEY_ENV):
        return 10.0
    if service.limiter == "crossref" and os.environ.get(EMAIL_ENV):
        return 10.0
    return service.per_second


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

    @overload
    def get_json(self, service: Service, url: str, params: dict[str, str], parse: Callable[[Any], T],
                 missing_ok: Literal[False] = False) -> T: ...

    @overload
    def get_json(self, service: Service, url: str, params: dict[str, str], parse: Callable[[Any], T],
                 missing_ok: bool) -> T | None: ...

    def get_json(self, service: Service, url: str, params: dict[str, str], parse: Callable[[Any], T],
                 missing_ok: bool = False) -> T | None:
        """GET `url` and return `parse(decoded JSON)`; None on 404 when `missing_ok`."""
        return self._call(service, "GET", url, params, None, lambda body: parse(_json(body)), missing_ok)

    def post_xml(self, service: Service, url: str, form: dict[str, str], parse: Callable[[bytes], T]) -> T:
        """POST a form to `url` and return `parse(body bytes)`."""
        return self._call(service, "POST", url, None, form, parse, False)

    @overload
    def _call(self, service: Service, method: str, url: str, params: dict[str, str] | None,
              form: dict[str, str] | None, read: Callable[[bytes], T], missing_ok: Literal[False]) -> T: ...

    @overload
    def _call(self, service: Service, method: str, url: str, params: dict[str, str] | None,
              form: dict[str, str] | None, read: Callable[[bytes], T], missing_ok: bool) -> T | None: ...

    def _call(self, service: Service, method: str, url: str, params: dict[str, str] | None,
              form: dict[str, str] | None, read: Callable[[bytes], T], missing_ok: bool) -> T | None:
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


def _page_or_retry(response: Response, url: str) -> FetchedPage:
    status = response.status_code
    if status == 429 or status >= 500:
        raise _Retry(f"HTTP {status} {response.reason or ''}".strip(), response.headers.get("Retry-After"))
    if status >= 400:
        raise _NotRetried(f"HTTP {status} {response.reason or ''}".strip())
    return _read_page(response, url)


def _read_page(response: Response, url: str) -> FetchedPage:
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


def _read_body(response: Response, url: str) -> bytes:
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


def _arriving(response: Response) -> Iterator[bytes]:
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
