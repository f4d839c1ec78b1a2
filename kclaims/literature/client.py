"""The HTTP client: the only code that talks to the network. One `requests.Session`, each service's
published rate limit, retries with backoff (timeouts, 429 with Retry-After, 5xx, unreadable
answers), and limits nothing a server sends can get past (docs/security.md):

- every body is streamed and counted after decompression: a service's answer stops at its
  `Service.max_bytes`, a web page at MAX_PAGE_BYTES;
- each request has REQUEST_DEADLINE_SECONDS, every request of a command COMMAND_DEADLINE_SECONDS
  in all (one socket read may overrun it by at most TIMEOUT's read timeout);
- a service's redirects are followed only on its own host, so its API key and email never go
  elsewhere; a web page may not redirect from a public address into a private, loopback or
  link-local one, and a link-local address is never fetched. Web pages connect to the address
  that was checked, looked up through `resolve_host` (tests replace it).
"""

from __future__ import annotations

import email.utils
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload
from urllib.parse import urljoin, urlsplit

from kclaims import __version__
from kclaims.errors import NOTHING_WRITTEN, BadInput, NetworkError
from kclaims.literature.pubmed import PayloadError
from kclaims.literature.webpage import SAVE_FROM_BROWSER
from kclaims.literature.webpage.addresses import AddressRefused, allowed_address

if TYPE_CHECKING:
    from requests import Response

T = TypeVar("T")
MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 1.0       # 1, 2, 4 s between attempts unless the service says Retry-After
MAX_RETRY_AFTER = 60.0
TIMEOUT = (10.0, 30.0)      # connect, read (seconds): the longest one socket operation may wait
REQUEST_DEADLINE_SECONDS = 60.0  # one request, its body included, however steadily a server trickles it
COMMAND_DEADLINE_SECONDS = 90.0  # every request of a command; with one read timeout over it, 2 minutes at most
MAX_ANSWER_BYTES = 32 * 1024 * 1024  # a service's answer (decompressed); Service.max_bytes may say otherwise
MAX_PAGE_BYTES = 5 * 1024 * 1024  # a web article is rarely over 1 MB; the download stops beyond this
MAX_REDIRECTS = 10
READ_CHUNK = 64 * 1024
HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
TOOL = "kclaims"
EMAIL_ENV = "KCLAIMS_EMAIL"
API_KEY_ENV = "NCBI_API_KEY"


@dataclass(frozen=True)
class Service:
    """A remote service: its name for messages, base-URL variable and default, rate limit, and the
    largest answer (decompressed bytes) it may send."""

    name: str
    url_env: str
    default_url: str
    per_second: float
    limiter: str  # services that share a rate limit share a limiter
    max_bytes: int = MAX_ANSWER_BYTES

    def base_url(self) -> str:
        return (os.environ.get(self.url_env) or self.default_url).rstrip("/")


WEB = Service("the web site", "", "", 2.0, "web", MAX_PAGE_BYTES)  # web pages: their own address, no base URL


def rate_limit(service: Service) -> float:
    """Requests per second allowed to `service` now: NCBI allows 10 with an API key, Crossref's
    polite pool (requests naming an email) 10."""
    if service.limiter == "ncbi" and os.environ.get(API_KEY_ENV):
        return 10.0
    if service.limiter == "crossref" and os.environ.get(EMAIL_ENV):
        return 10.0
    return service.per_second


_COMMAND_DEADLINE: ContextVar[float | None] = ContextVar("kclaims_command_deadline", default=None)


@contextmanager
def command_deadline(seconds: float | None = None) -> Iterator[None]:
    """Every HttpClient made inside shares one deadline, COMMAND_DEADLINE_SECONDS from now (or an
    enclosing one, if sooner): wrap a command that makes more than one client (pages, then lookups)."""
    now = time.monotonic()
    mine = now + (COMMAND_DEADLINE_SECONDS if seconds is None else seconds)
    outer = _COMMAND_DEADLINE.get()
    token = _COMMAND_DEADLINE.set(mine if outer is None else min(outer, mine))
    try:
        yield
    finally:
        _COMMAND_DEADLINE.reset(token)


class HttpClient:
    """One requests.Session; each call waits its service's turn and is retried on transient faults,
    all within one deadline (the enclosing `command_deadline`, else COMMAND_DEADLINE_SECONDS from now)."""

    def __init__(self) -> None:
        import requests

        self._requests = requests
        self.session = requests.Session()
        self.session.mount("http://", _pinning_adapter())
        self.session.mount("https://", _pinning_adapter())
        self.session.headers["User-Agent"] = f"{TOOL}/{__version__}"
        contact = os.environ.get(EMAIL_ENV)  # for the services that ask for it, never for web sites
        self.api_headers = {"User-Agent": f"{TOOL}/{__version__}" + (f" (mailto:{contact})" if contact else "")}
        self.deadline = _COMMAND_DEADLINE.get() or time.monotonic() + COMMAND_DEADLINE_SECONDS
        self.last_start: dict[str, float] = {}
        self.requests = 0
        self.pins: dict[tuple[str, int], str] = {}  # (host, port) -> the checked address web pages connect to

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
        """GET `url` and return `parse(decoded JSON)`; None on 404 when `missing_ok`. JSON of the
        wrong shape (what `parse` cannot take, or nested too deep to decode) is retried as unreadable."""
        call = _ApiCall(service, "GET", url, params, None)
        read: Callable[[bytes], T] = lambda body: parse(_json(body))  # noqa: E731
        return self._retrying(service, service.limiter, url, lambda: self._try_api(call, read, missing_ok), call.give_up)

    def post_xml(self, service: Service, url: str, form: dict[str, str], parse: Callable[[bytes], T]) -> T:
        """POST a form to `url` and return `parse(body bytes)`."""
        call = _ApiCall(service, "POST", url, None, form)
        result = self._retrying(service, service.limiter, url, lambda: self._try_api(call, parse, False), call.give_up)
        assert result is not None
        return result

    def get_page(self, url: str) -> FetchedPage:
        """GET one web page (see `fetch_page`); pages of one host wait their turn under WEB's limit."""
        _check_host(url)

        def give_up(problem: str) -> NetworkError:
            return NetworkError(f"could not get {url} after {MAX_ATTEMPTS} tries ({problem}). {NOTHING_WRITTEN}; "
                                f"try again later, or {SAVE_FROM_BROWSER}.")

        return self._retrying(WEB, f"{WEB.limiter}:{urlsplit(url).hostname}", url, lambda: self._try_page(url), give_up)

    def _retrying(self, service: Service, limiter: str, url: str, attempt: Callable[[], T],
                  give_up: Callable[[str], NetworkError]) -> T:
        problem = "no answer"
        for number in range(1, MAX_ATTEMPTS + 1):
            self._wait_turn(service, limiter, url, problem)
            delay = BACKOFF_SECONDS * 2 ** (number - 1)
            try:
                return attempt()
            except _Retry as fault:
                problem, delay = fault.problem, _retry_after(fault.retry_after, delay)
            if number < MAX_ATTEMPTS:
                self._sleep(delay, url, problem)
        raise give_up(problem)

    def _try_api(self, call: _ApiCall, read: Callable[[bytes], T], missing_ok: bool) -> T | None:
        exceptions = self._requests.exceptions
        try:
            with self._api_response(call) as response:
                status = response.status_code
                if status == 429 or status >= 500:
                    raise _Retry(f"HTTP {status} {response.reason or ''}".strip(), response.headers.get("Retry-After"))
                if status == 404 and missing_ok:
                    return None
                if status >= 400:
                    raise NetworkError(f"{call.service.name} refused the request: HTTP {status} "
                                       f"{_snippet(next(_arriving(response), b''))} ({_where(call.url)})")
                body = self._read_body(response, call.service.max_bytes)
        except _TooBig as error:
            raise NetworkError(f"{call.service.name} sent an answer over the {_megabytes(call.service.max_bytes)} "
                               f"limit{error.declared} ({_where(call.url)}); the download was stopped. "
                               f"{NOTHING_WRITTEN}.") from None
        except _Stalled as error:
            raise _Retry(f"the answer was still arriving after {error.seconds:g} seconds") from None
        except (exceptions.InvalidURL, exceptions.MissingSchema, exceptions.InvalidSchema) as error:
            raise NetworkError(f"{call.service.url_env}={call.service.base_url()!r} is not a usable URL "
                               f"({error})") from None
        except exceptions.RequestException as error:
            raise _Retry(_describe(error)) from None
        try:
            return read(body)
        except PayloadError as error:
            raise _Retry(f"an unreadable answer: {error}") from None
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as error:
            # Well-formed but not what the service documents (a string where an object belongs,
            # brackets nested past the recursion limit): as unreadable as a truncated body.
            raise _Retry(f"an unreadable answer: not the shape {call.service.name} answers with "
                         f"({type(error).__name__})") from None

    def _api_response(self, call: _ApiCall) -> Response:
        """The response to `call`, following redirects only on the service's own host (the request
        carries its API key and email): a redirect anywhere else is refused, not followed."""
        url, params = call.url, call.params
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.request(call.method, url, params=params, data=call.form, headers=self.api_headers,
                                            timeout=self._timeout(url), stream=True, allow_redirects=False)
            if not response.is_redirect:
                return response
            target = urljoin(response.url or url, response.headers.get("Location", ""))
            response.close()
            if not _same_origin(url, target):
                raise NetworkError(f"{call.service.name} redirected {_where(url)} to another host ({_where(target)}); "
                                   f"kclaims follows a service only on its own host, and sends it your API key or "
                                   f"email nowhere else (is {call.service.url_env} right?). {NOTHING_WRITTEN}.")
            url, params = target, None
        raise NetworkError(f"{call.service.name} redirects in a loop (over {MAX_REDIRECTS} redirects, "
                           f"{_where(call.url)}). {NOTHING_WRITTEN}.")

    def _try_page(self, url: str) -> FetchedPage:
        """One attempt at a page: the page, _Retry for a transient fault, or the error a definitive
        answer (a 404, a redirect loop or into a private network, a failed TLS handshake, an
        unusable address) deserves."""
        import urllib3

        exceptions = self._requests.exceptions
        try:
            response, final_url = self._page_response(url)
            with response:
                return self._page_or_retry(response, url, final_url)
        except _NotRetried as error:
            raise NetworkError(f"could not get {url}: {error}. {NOTHING_WRITTEN}.") from None
        except _TooBig as error:
            raise BadInput(f"{_where(url)} is over the {_megabytes(MAX_PAGE_BYTES)} limit for a web page"
                           f"{error.declared}; the download was stopped. {NOTHING_WRITTEN}.") from None
        except _Stalled as error:
            raise NetworkError(f"could not get {url}: the page was still arriving after {error.seconds:g} seconds "
                               f"(a stalled or very slow server). {NOTHING_WRITTEN}; try again later, or "
                               f"{SAVE_FROM_BROWSER}.") from None
        except exceptions.SSLError as error:  # a certificate or protocol problem: trying again would not help
            raise NetworkError(f"could not get {url}: its secure connection failed ({_ssl_reason(error)}). "
                               f"{NOTHING_WRITTEN}; if you trust the site, {SAVE_FROM_BROWSER}.") from None
        except (exceptions.InvalidURL, exceptions.MissingSchema, exceptions.InvalidSchema,
                urllib3.exceptions.LocationValueError) as error:
            raise BadInput(f"not a usable web address: {url!r} ({error})") from None
        except exceptions.RequestException as error:
            raise _Retry(_describe(error)) from None

    def _page_response(self, url: str) -> tuple[Response, str]:
        """The response at the end of `url`'s redirects (and where that is), each hop's address
        checked (`allowed_address`) and connected to as checked."""
        current, came_from = url, None
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(current)
            host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
            came_from = self._pin(host, port, current, came_from)
            token = _PINS.set(self.pins)
            try:
                response = self.session.get(current, timeout=self._timeout(url), stream=True, allow_redirects=False,
                                            headers={"Accept": HTML_ACCEPT})
            finally:
                _PINS.reset(token)
            if not response.is_redirect:
                return response, current
            target = urljoin(current, response.headers.get("Location", ""))
            response.close()
            if urlsplit(target).scheme not in ("http", "https"):
                raise _NotRetried(f"it redirects to {target[:200]!r}, which is not a web address")
            current = target
        raise _NotRetried(f"it redirects in a loop (over {MAX_REDIRECTS} redirects)")

    def _pin(self, host: str, port: int, url: str, came_from: str | None) -> str:
        if (host, port) not in self.pins or came_from is not None:
            try:
                addresses = resolve_host(host, port)
            except OSError:
                addresses = []
            if not addresses:
                raise _Retry(f"could not find the host {host}")
            try:
                self.pins[(host, port)] = allowed_address(url, addresses, came_from)
            except AddressRefused as refused:
                if refused.typed:
                    raise BadInput(f"not a web page kclaims will fetch: {refused}. {NOTHING_WRITTEN}.") from None
                raise _NotRetried(str(refused)) from None
        return self.pins[(host, port)]

    def _page_or_retry(self, response: Response, url: str, final_url: str) -> FetchedPage:
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Retry(f"HTTP {status} {response.reason or ''}".strip(), response.headers.get("Retry-After"))
        if status >= 400:
            raise _NotRetried(f"HTTP {status} {response.reason or ''}".strip())
        content_type, charset = _content_type(response, url)
        data = self._read_body(response, MAX_PAGE_BYTES)
        return _page(url, final_url, data, content_type, charset)

    def _read_body(self, response: Response, limit: int) -> bytes:
        """The body, decompressed: `limit` bytes at most (_TooBig beyond), and given up (_Stalled)
        REQUEST_DEADLINE_SECONDS after it began or at the command's deadline, however steadily a
        server trickles it (at worst one read timeout later)."""
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise _TooBig(f" (it says {int(declared):,} bytes)")
        began = time.monotonic()
        deadline = min(began + REQUEST_DEADLINE_SECONDS, self.deadline)
        chunks, size = [], 0
        for chunk in _arriving(response):
            size += len(chunk)
            if size > limit:
                raise _TooBig()
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _Stalled(round(time.monotonic() - began, 1))
        return b"".join(chunks)

    def _timeout(self, url: str) -> tuple[float, float]:
        left = self._left(url, "no answer")
        return min(TIMEOUT[0], left), min(TIMEOUT[1], left)

    def _left(self, url: str, problem: str) -> float:
        """Seconds left before the command's deadline; NetworkError when there are none."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _out_of_time(url, problem)
        return left

    def _sleep(self, seconds: float, url: str, problem: str) -> None:
        if seconds >= self._left(url, problem):  # waiting would only end at the deadline
            raise _out_of_time(url, problem)
        time.sleep(seconds)

    def _wait_turn(self, service: Service, limiter: str, url: str, problem: str) -> None:
        interval = 1.0 / rate_limit(service)
        last = self.last_start.get(limiter)
        if last is not None:
            wait = last + interval - time.monotonic()
            if wait > 0:
                self._sleep(wait, url, problem)
        self._left(url, problem)
        self.last_start[limiter] = time.monotonic()
        self.requests += 1


@dataclass(frozen=True)
class _ApiCall:
    service: Service
    method: str
    url: str
    params: dict[str, str] | None
    form: dict[str, str] | None

    def give_up(self, problem: str) -> NetworkError:
        return NetworkError(f"{self.service.name} did not answer after {MAX_ATTEMPTS} tries ({_where(self.url)}: "
                            f"{problem}). {NOTHING_WRITTEN}; answers already received are cached, so run the "
                            f"command again later.")


def _out_of_time(url: str, problem: str) -> NetworkError:
    return NetworkError(f"gave up on {_where(url)}: the command's {COMMAND_DEADLINE_SECONDS:g} seconds for the "
                        f"network ran out ({problem}). {NOTHING_WRITTEN}; answers already received are cached, so "
                        f"run the command again later.")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as error:
        raise PayloadError(f"not JSON ({error})") from None
    except RecursionError:
        raise PayloadError("JSON nested too deep to read") from None


def _same_origin(url: str, target: str) -> bool:
    """`target` is on `url`'s host and port, by the same scheme (or upgraded from http to https)."""
    a, b = urlsplit(url), urlsplit(target)
    if a.hostname != b.hostname:
        return False
    if (a.scheme, b.scheme) == ("http", "https"):
        return b.port in (None, 443)
    return a.scheme == b.scheme and (a.port or 0) == (b.port or 0)


# --- where web pages may be fetched from ---------------------------------------------------------


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to: the one place a web page's host name is looked up (tests
    replace it, so the address policy is tested without traffic outside 127.0.0.0/8)."""
    return list(dict.fromkeys(str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))


_PINS: ContextVar[dict[tuple[str, int], str] | None] = ContextVar("kclaims_pinned_addresses", default=None)


def _pinning_adapter() -> Any:
    """A requests adapter whose connections go to the address `allowed_address` chose for their
    host (while a page is fetched), not to whatever a second name lookup would say."""
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    def new_conn(base: type[HTTPConnection]) -> Callable[[HTTPConnection], socket.socket]:
        def _new_conn(connection: HTTPConnection) -> socket.socket:
            pinned = (_PINS.get() or {}).get((str(connection.host), int(connection.port or 0)))
            if pinned is None:
                return base._new_conn(connection)
            resolved = connection._dns_host
            connection._dns_host = pinned
            try:
                return base._new_conn(connection)
            finally:
                connection._dns_host = resolved
        return _new_conn

    plain = type("PinnedHTTPConnection", (HTTPConnection,), {"_new_conn": new_conn(HTTPConnection)})
    secure = type("PinnedHTTPSConnection", (HTTPSConnection,), {"_new_conn": new_conn(HTTPSConnection)})
    pools = {"http": type("PinnedPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
             "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": secure})}

    class PinningAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

    return PinningAdapter()


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


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


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
    """Download one web page through `client` (or a session of its own): redirects followed (as
    `allowed_address` allows), MAX_PAGE_BYTES and REQUEST_DEADLINE_SECONDS at most, transient faults
    retried. NetworkError (exit 3) when it cannot be had; BadInput (exit 2) when the URL is unusable
    or the answer is not an HTML page."""
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


class _TooBig(Exception):
    """A body over its limit (said by Content-Length, or counted as it arrived)."""

    def __init__(self, declared: str = ""):
        super().__init__(declared)
        self.declared = declared


class _Stalled(Exception):
    """A body still arriving at its deadline."""

    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


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


def _content_type(response: Response, url: str) -> tuple[str, str | None]:
    from kclaims.literature.webpage import HTML_TYPES, content_kind

    header = response.headers.get("Content-Type", "")
    content_type, _, params = header.partition(";")
    content_type = content_type.strip().lower()
    charset = next((p.split("=", 1)[1].strip().strip("\"'") for p in params.split(";")
                    if p.strip().lower().startswith("charset=")), None)
    if content_type and content_type not in HTML_TYPES:
        raise BadInput(f"{_where(url)} is {content_kind(content_type)}, not an HTML page; kclaims adds web articles "
                       "(for a paper, give its PMID, PMCID or DOI)")
    return content_type, charset


def _page(url: str, final_url: str, data: bytes, content_type: str, charset: str | None) -> FetchedPage:
    from kclaims.literature.webpage import binary_kind, looks_like_html

    if not content_type and not looks_like_html(data):
        raise BadInput(f"{_where(url)} did not answer with an HTML page (no content type, and not markup)")
    if binary_kind(data):
        raise BadInput(f"{_where(url)} is {binary_kind(data)}, not an HTML page (whatever the server says)")
    return FetchedPage(url, final_url, data, content_type or "text/html", charset)


def _arriving(response: Response) -> Iterator[bytes]:
    """The body as it arrives, decompressed, one socket read per piece (a buffered read of a fixed
    size would wait for all of it, however slowly it came; urllib3 inflates at most READ_CHUNK bytes
    a read, so a gzip bomb is counted before it is held); urllib3's errors raised as requests'."""
    import requests
    import urllib3

    while True:
        try:
            chunk = response.raw.read1(READ_CHUNK, decode_content=True)
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
