"""A small replay server for network tests: real HTTP on 127.0.0.1, port 0, no internet.

A route table maps (method, path) to a reply, a list of replies served in turn (the last one
repeats), or a function of the request. Every request is recorded with its arrival time, so
tests can count requests (batching) and measure gaps (rate limits). Faults are replies too:
`Reply(500)`, `Reply(429, {"Retry-After": "1"})`, `Reply(delay=2)` for a timeout, `Reply(trickle=0.5)`
for a server that sends its body a little at a time. Hostile ones as well: `Reply(pieces=..., interval=2)`
streams a body it never holds (a byte every 2 s, gigabytes of a gzip bomb), `Reply(length=2**31)`
claims a Content-Length it never sends. The server also answers as an HTTP proxy (a request for
`http://any.host/path` is routed by its path), so tests can fetch pages "from" other hosts without
a packet leaving 127.0.0.1.

Also: `cassette_bodies(path)` decodes the response bodies of a vcrpy or R-vcr cassette.
"""

from __future__ import annotations

import functools
import gzip
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Union
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str = b""
    delay: float = 0.0  # seconds to wait before answering (for timeouts)
    trickle: float = 0.0  # seconds between the TRICKLE_PIECES pieces of the body (for a slow server)
    pieces: Callable[[], Iterable[bytes]] | None = None  # a body streamed piece by piece instead of `body`
    interval: float = 0.0  # seconds before each of `pieces`
    length: int | None = None  # the Content-Length to claim (none, and the connection closes, for `pieces`)

    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]
    time: float  # time.monotonic() on arrival
    host: str = ""  # the host asked for (from a proxy request's URL, else the Host header)

    def param(self, name: str) -> str | None:
        values = self.form.get(name) or self.query.get(name)
        return values[0] if values else None


TRICKLE_PIECES = 20
Handler = Callable[[Seen], Reply]
Route = Union[Reply, list[Reply], Handler]


class ReplayServer:
    def __init__(self, address: str = "127.0.0.1") -> None:
        assert address.startswith("127."), "test servers listen on loopback only"
        self.routes: dict[tuple[str, str], Route] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((address, 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, method: str, path: str, reply: Route) -> None:
        """Answer `method path` with `reply` (a Reply, a list served in turn, or a function).
        A path ending in "*" matches every path that starts with the rest."""
        self.routes[(method.upper(), path)] = list(reply) if isinstance(reply, list) else reply

    def count(self, path: str | None = None) -> int:
        return sum(1 for r in self.requests if path is None or r.path == path)

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _answer(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            route = self.routes.get((seen.method, seen.path))
            if route is None:  # a route ending in "*" answers every path it is a prefix of
                route = next((r for (m, p), r in self.routes.items()
                              if m == seen.method and p.endswith("*") and seen.path.startswith(p[:-1])), None)
            if isinstance(route, list):
                reply = route.pop(0) if len(route) > 1 else route[0]
                return reply
        if route is None:
            return Reply(404, {"Content-Type": "text/plain"}, f"no route for {seen.method} {seen.path}")
        return route if isinstance(route, Reply) else route(seen)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def handle(self) -> None:
                # A client that closed a kept-alive connection (or gave up on a slow body) is no error:
                # the traceback socketserver would print lands in whatever test's stderr is captured.
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _serve(self) -> None:
                arrived = time.monotonic()
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                seen = Seen(self.command, parts.path, parse_qs(parts.query), parse_qs(body),
                            dict(self.headers.items()), arrived, parts.netloc or self.headers.get("Host", ""))
                reply = server._answer(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.data()
                length = reply.length if reply.length is not None or reply.pieces else len(data)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if length is not None:
                        self.send_header("Content-Length", str(length))
                    else:  # the body ends when the connection does
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    if reply.pieces is not None:
                        _send_pieces(self.wfile, reply.pieces(), reply.interval)
                    else:
                        _send_body(self.wfile, data, reply.trickle)
                    if reply.length is not None:
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    self.close_connection = True

            do_GET = do_POST = _serve

        return _Handler


def _send_body(stream: Any, data: bytes, trickle: float) -> None:
    if not trickle:
        stream.write(data)
        return
    size = -(-len(data) // TRICKLE_PIECES)
    for start in range(0, len(data), size):
        stream.write(data[start:start + size])
        stream.flush()
        time.sleep(trickle)


def _send_pieces(stream: Any, pieces: Iterable[bytes], interval: float) -> None:
    for piece in pieces:
        if interval:
            time.sleep(interval)
        stream.write(piece)
        stream.flush()


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    """A running replay server, stopped after the test."""
    server = ReplayServer().start()
    try:
        yield server
    finally:
        server.stop()


@functools.lru_cache(maxsize=None)
def cassette_bodies(path: Path) -> list[tuple[str, int, bytes]]:
    """(request uri, status, body bytes) of each interaction of a vcrpy or R-vcr cassette, gunzipped."""
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    interactions = document.get("interactions") or document.get("http_interactions") or []
    out = []
    for interaction in interactions:
        response = interaction["response"]
        status = response["status"].get("code") or response["status"].get("status_code")
        body = response["body"].get("string", "")
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        out.append((interaction["request"]["uri"], int(status), data))
    return out


# --- fakes of the literature services, answering from recorded responses ----------------------

DATA = Path(__file__).resolve().parent / "data"
XML = {"Content-Type": "text/xml; charset=UTF-8"}
JSON = {"Content-Type": "application/json;charset=UTF-8"}


@functools.lru_cache(maxsize=None)
def recorded_pubmed_articles() -> dict[str, bytes]:
    """PMID -> the recorded <PubmedArticle> (or book article) XML, from every efetch file in tests/data."""
    import xml.etree.ElementTree as ET

    articles: dict[str, bytes] = {}
    for path in sorted((DATA / "eutils").iterdir()):
        if path.name.startswith("efetch_"):
            body = path.read_bytes()
        elif path.name.startswith("hawc_efetch"):
            body = cassette_bodies(path)[0][2]
        else:
            continue
        for element in ET.fromstring(body):
            pmid = element.findtext("MedlineCitation/PMID") or element.findtext("BookDocument/PMID")
            if pmid:
                articles[pmid] = ET.tostring(element, encoding="utf-8")
    return articles


@functools.lru_cache(maxsize=None)
def recorded_europepmc_results() -> list[dict]:
    import json

    payload = json.loads((DATA / "europepmc" / "pyeuropepmc_search_cancer_core.json").read_text(encoding="utf-8"))
    return payload["resultList"]["result"]


@functools.lru_cache(maxsize=None)
def recorded_crossref_works() -> dict[str, dict]:
    """DOI (lower-case) -> the recorded Crossref work message."""
    import json

    works = {}
    bodies = [p.read_bytes() for p in sorted((DATA / "crossref").glob("works_*.json"))]
    for name in ("habanero_works_5_dois.yaml", "rcrossref_works_10.3389_fgene.2017.00147.yml"):
        bodies += [body for _, status, body in cassette_bodies(DATA / "crossref" / name) if status == 200]
    for body in bodies:
        message = json.loads(body)["message"]
        works[message["DOI"].lower()] = message
    return works


class LiteratureFakes:
    """PubMed efetch, the PMC ID converter, Europe PMC search and Crossref works on one replay
    server, answering from recorded responses. `synthesize_pmids` makes efetch answer any PMID
    (a recorded article with its PMID swapped and its DOI and PMCID removed), for batching tests."""

    def __init__(self, server: ReplayServer, synthesize_pmids: bool = False):
        self.server = server
        self.articles = dict(recorded_pubmed_articles())  # a copy: tests edit it
        self.europepmc = recorded_europepmc_results()
        self.crossref = recorded_crossref_works()
        self.synthesize_pmids = synthesize_pmids
        # The ID converter's answer shape is the recorded one (tests/data/idconv); these links come
        # from the recorded PubMed records that carry a PMCID.
        self.pmc_links = {"PMC5442267": {"pmcid": "PMC5442267", "pmid": "27797938", "doi": "10.1136/gutjnl-2016-312510"},
                          "PMC2684823": {"pmcid": "PMC2684823", "pmid": "19008416", "doi": "10.1126/science.1165395"}}
        server.route("POST", "/eutils/efetch.fcgi", self.efetch)
        server.route("GET", "/idconv/", self.idconv)
        server.route("GET", "/europepmc/search", self.search)
        server.route("GET", "/crossref/works", self.works)
        server.route("GET", "/crossref/works/*", self.work)

    def environment(self) -> dict[str, str]:
        url = self.server.url
        return {"KCLAIMS_EUTILS_URL": f"{url}/eutils", "KCLAIMS_IDCONV_URL": f"{url}/idconv",
                "KCLAIMS_EUROPEPMC_URL": f"{url}/europepmc", "KCLAIMS_CROSSREF_URL": f"{url}/crossref"}

    def efetch(self, seen: Seen) -> Reply:
        parts = []
        for pmid in (seen.param("id") or "").split(","):
            if pmid in self.articles:
                parts.append(self.articles[pmid])
            elif self.synthesize_pmids:
                parts.append(self._synthetic(pmid))
        body = b'<?xml version="1.0" ?>\n<PubmedArticleSet>' + b"".join(parts) + b"</PubmedArticleSet>"
        return Reply(200, XML, body)

    def _synthetic(self, pmid: str) -> bytes:
        import re

        text = self.articles["11748933"].decode("utf-8")
        text = re.sub(r"<PMID Version=\"1\">11748933</PMID>", f'<PMID Version="1">{pmid}</PMID>', text, count=1)
        text = re.sub(r"<ArticleIdList>.*?</ArticleIdList>", "", text, count=1, flags=re.S)
        text = re.sub(r'<ELocationID EIdType="doi"[^>]*>[^<]*</ELocationID>', "", text)
        return text.encode("utf-8")

    def idconv(self, seen: Seen) -> Reply:
        import json

        records = [self.pmc_links.get(i, {"pmcid": i, "status": "error", "errmsg": "invalid article id"})
                   for i in (seen.param("ids") or "").split(",")]
        return Reply(200, JSON, json.dumps({"status": "ok", "records": records}))

    def search(self, seen: Seen) -> Reply:
        import json
        import re

        query = seen.param("query") or ""
        dois = {d.lower() for d in re.findall(r'DOI:"([^"]+)"', query)}
        pmcids = set(re.findall(r"PMCID:(PMC\d+)", query))
        hits = [r for r in self.europepmc if (r.get("doi") or "").lower() in dois or r.get("pmcid") in pmcids]
        return Reply(200, JSON, json.dumps({"version": "6.9", "hitCount": len(hits), "resultList": {"result": hits}}))

    def works(self, seen: Seen) -> Reply:
        import json

        wanted = [f.split(":", 1)[1].lower() for f in (seen.param("filter") or "").split(",") if f.startswith("doi:")]
        items = [self.crossref[d] for d in wanted if d in self.crossref]
        return Reply(200, JSON, json.dumps({"status": "ok", "message-type": "work-list",
                                            "message": {"total-results": len(items), "items": items}}))

    def work(self, seen: Seen) -> Reply:
        import json
        from urllib.parse import unquote

        doi = unquote(seen.path.removeprefix("/crossref/works/")).lower()
        if doi not in self.crossref:
            return Reply(404, {"Content-Type": "text/plain"}, (DATA / "crossref" / "works_10.1371_notarealdoi.404.txt").read_bytes())
        return Reply(200, JSON, json.dumps({"status": "ok", "message-type": "work", "message": self.crossref[doi]}))


@pytest.fixture
def literature(replay: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> LiteratureFakes:
    """The fake services, with the base-URL variables pointing at them and retries made quick."""
    from kclaims.literature import client

    fakes = LiteratureFakes(replay)
    for name, value in fakes.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(client, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(client, "TIMEOUT", (2.0, 2.0))
    return fakes
