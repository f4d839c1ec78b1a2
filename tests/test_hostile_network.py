"""A hostile server, served from 127.0.0.1 (issue 12, "Network"): bodies over their limit (gzip bombs,
huge Content-Length, endless streams), servers that trickle, JSON of the wrong shape, redirects off a
service's host and into private networks. Every case asserts the exit code, the time taken, memory
where it matters, and that the catalog was left as it was. No packet leaves 127.0.0.0/8: other hosts
are names the tests resolve themselves, reached through the replay server acting as a proxy.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, invoke, snapshot_files
from httpserver import LiteratureFakes, Reply, ReplayServer, literature, replay  # noqa: F401 (fixtures)
from test_web_sources import CLINIC_PAGE, UTF8

from kclaims.errors import NOTHING_WRITTEN, NetworkError
from kclaims.literature import client as client_module
from kclaims.literature import resolve as resolve_module
from kclaims.literature.client import MAX_ATTEMPTS, command_deadline
from kclaims.literature.ids import Identifier
from kclaims.literature.webpage.addresses import AddressRefused, address_kind, allowed_address

MB = 1024 * 1024
JSON = {"Content-Type": "application/json"}
PMID, DOI, PMCID = "11748933", "10.1002/hpja.70059", "PMC5442267"
CROSSREF_ONLY_DOI = "10.3389/fgene.2017.00147"  # not among the recorded Europe PMC results


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    invoke(["init", str(root)])
    return root


@functools.lru_cache(maxsize=None)
def gzip_bomb(gigabytes: int = 2) -> bytes:
    """About 1 MB per GB: gzip members of 8 MB of zeros, one after another (a valid gzip stream)."""
    return gzip.compress(bytes(8 * MB), compresslevel=9) * (128 * gigabytes)


def _bomb(content_type: str) -> Reply:
    return Reply(200, {"Content-Type": content_type, "Content-Encoding": "gzip"}, gzip_bomb())


def _timed(args: list[str], code: int, catalog: Path):
    started = time.monotonic()
    result = invoke(args, code=code, catalog=catalog)
    return result, time.monotonic() - started


def _cap(monkeypatch: pytest.MonkeyPatch, name: str, max_bytes: int) -> None:
    monkeypatch.setattr(resolve_module, name, dataclasses.replace(getattr(resolve_module, name), max_bytes=max_bytes))


# --- sizes: every body is counted as it arrives, decompressed ----------------------------------------


def test_a_gzip_bomb_from_a_service_stops_at_its_limit(literature: LiteratureFakes, catalog: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    _cap(monkeypatch, "EUTILS", 4 * MB)
    literature.server.route("POST", "/eutils/efetch.fcgi", _bomb("text/xml"))
    before = snapshot_files(catalog)
    tracemalloc.start()
    try:
        result, took = _timed(["source", "add", PMID], 3, catalog)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "PubMed (NCBI E-utilities) sent an answer over the 4 MB limit" in result.stderr
    assert NOTHING_WRITTEN in result.stderr and literature.server.count() == 1  # not asked again
    assert peak < 16 * MB and took < 10
    assert snapshot_files(catalog) == before


SUBPROCESS = """
import resource, sys
from kclaims.cli.app import app
try:
    app(sys.argv[1:])
finally:
    print("MAXRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _run_measured(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, int]:
    """(exit code, stderr, peak resident memory in bytes) of `kclaims args` in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", SUBPROCESS, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env, "PYTHONPATH": str(REPO)}, cwd=cwd)
    peak = int(done.stderr.rsplit("MAXRSS ", 1)[1].split()[0]) * 1024
    return done.returncode, done.stderr, peak


@pytest.mark.parametrize("target", ["service", "page"])
def test_a_2_gb_gzip_bomb_costs_no_more_memory_than_the_limit(target: str, literature: LiteratureFakes,
                                                               catalog: Path):
    """The issue's case, with the real limits, measured in a fresh process: 6.3 GB of RAM before."""
    server, env = literature.server, {**literature.environment(), "KCLAIMS_CACHE_DIR": str(catalog.parent / "c")}
    server.route("POST", "/eutils/efetch.fcgi", _bomb("text/xml"))
    server.route("GET", "/bomb", _bomb("text/html"))
    code, _, baseline = _run_measured(["source", "list", "--catalog", str(catalog)], env, catalog)
    assert code == 0
    before = snapshot_files(catalog)
    given = PMID if target == "service" else f"{server.url}/bomb"
    started = time.monotonic()
    code, stderr, peak = _run_measured(["source", "add", given, "--catalog", str(catalog)], env, catalog)
    assert code == (3 if target == "service" else 2), stderr
    assert "over the 64 MB limit" in stderr if target == "service" else "over the 5 MB limit" in stderr
    assert peak - baseline < 160 * MB, f"{peak / MB:.0f} MB at peak, {baseline / MB:.0f} MB to start"
    assert time.monotonic() - started < 30
    assert snapshot_files(catalog) == before


def test_a_huge_content_length_is_refused_before_a_byte_is_read(literature: LiteratureFakes, catalog: Path):
    literature.server.route("GET", "/europepmc/search", Reply(200, JSON, b'{"resultList": ', length=2 * 1024 ** 3))
    literature.server.route("GET", "/page", Reply(200, UTF8, b"<html>", length=2 * 1024 ** 3))
    before = snapshot_files(catalog)
    result, took = _timed(["source", "add", DOI], 3, catalog)
    assert "Europe PMC sent an answer over the 32 MB limit (it says 2,147,483,648 bytes)" in result.stderr
    page, page_took = _timed(["source", "add", f"{literature.server.url}/page"], 2, catalog)
    assert "over the 5 MB limit for a web page (it says 2,147,483,648 bytes)" in page.stderr
    assert literature.server.count() == 2 and took < 3 and page_took < 3
    assert snapshot_files(catalog) == before


def test_an_endless_body_without_a_length_is_cut_at_the_limit(literature: LiteratureFakes, catalog: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    _cap(monkeypatch, "CROSSREF", 2 * MB)
    endless = Reply(200, JSON, pieces=lambda: (b"[" + b" " * (MB - 1) for _ in range(1024)))  # 1 GB, never held
    literature.server.route("GET", "/crossref/works", endless)
    before = snapshot_files(catalog)
    result, took = _timed(["source", "add", CROSSREF_ONLY_DOI], 3, catalog)
    assert "Crossref sent an answer over the 2 MB limit (" in result.stderr and took < 10
    assert literature.server.count("/crossref/works") == 1
    assert snapshot_files(catalog) == before


# --- deadlines: per request, and for the command -------------------------------------------------------


def _drip(seconds: float, pieces: int = 200) -> Reply:
    """A server that sends one byte every `seconds` (never silent long enough for a read timeout)."""
    return Reply(200, {"Content-Type": "text/xml"}, pieces=lambda: (b"<" for _ in range(pieces)), interval=seconds,
                 length=pieces)


def test_a_service_dripping_a_byte_every_2_seconds_is_given_up_at_the_command_deadline(
        literature: LiteratureFakes, catalog: Path, monkeypatch: pytest.MonkeyPatch):
    """The issue's case (alive past 420 s before), with the command's deadline shrunk from 90 s to 5 s;
    the read timeout stays the real one (30 s), so it is the deadline that ends it."""
    monkeypatch.setattr(client_module, "COMMAND_DEADLINE_SECONDS", 5.0)
    monkeypatch.setattr(client_module, "TIMEOUT", (10.0, 30.0))
    literature.server.route("POST", "/eutils/efetch.fcgi", _drip(2.0))
    before = snapshot_files(catalog)
    result, took = _timed(["source", "add", PMID], 3, catalog)
    assert "the command's 5 seconds for the network ran out" in result.stderr and NOTHING_WRITTEN in result.stderr
    assert 5 <= took < 5 + 2 + 1.5  # the deadline, plus at most the read under way
    assert snapshot_files(catalog) == before


def test_a_request_past_its_own_deadline_is_tried_again(literature: LiteratureFakes, catalog: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(client_module, "REQUEST_DEADLINE_SECONDS", 0.5)
    good = literature.efetch  # the recorded answer, after one that trickles for 3 s
    literature.server.route("POST", "/eutils/efetch.fcgi",
                            lambda seen: _drip(0.1, pieces=30) if literature.server.count() == 1 else good(seen))
    result, took = _timed(["source", "add", PMID], 0, catalog)
    assert "added" in result.stderr and literature.server.count() == 2 and took < 5


def test_a_page_dripping_a_byte_every_2_seconds_is_given_up(literature: LiteratureFakes, catalog: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(client_module, "COMMAND_DEADLINE_SECONDS", 3.0)
    literature.server.route("GET", "/slow", Reply(200, UTF8, pieces=lambda: (b" " for _ in range(100)), interval=2.0))
    before = snapshot_files(catalog)
    result, took = _timed(["source", "add", f"{literature.server.url}/slow"], 3, catalog)
    assert "still arriving after" in result.stderr and took < 3 + 2 + 1.5
    assert snapshot_files(catalog) == before


def test_the_clients_of_one_command_share_its_deadline(literature: LiteratureFakes):
    with command_deadline(0.3):
        time.sleep(0.35)  # as if the command's web pages had taken its time
        with pytest.raises(NetworkError, match="the command's .* seconds for the network ran out"):
            resolve_module.resolve([Identifier("pmid", PMID)])
    assert literature.server.count() == 0
    assert resolve_module.resolve([Identifier("pmid", PMID)]).records  # outside it, a fresh deadline


# --- JSON of the wrong shape is a bad answer: retried, then exit 3 -------------------------------------

NESTED = "[" * 200_000 + "]" * 200_000


@pytest.mark.parametrize("path, given, body", [
    ("/idconv/", PMCID, '"a string where an object belongs"'),
    ("/idconv/", PMCID, '{"status": "ok", "records": ["PMC5442267"]}'),
    ("/idconv/", PMCID, NESTED),
    ("/europepmc/search", DOI, '["resultList"]'),
    ("/europepmc/search", DOI, '{"resultList": {"result": [{"journalInfo": "not an object"}]}}'),
    ("/europepmc/search", DOI, NESTED),
    ("/europepmc/search", DOI, '{"resultList": ' * 100_000 + "{}" + "}" * 100_000),
    ("/crossref/works", CROSSREF_ONLY_DOI, '{"message": "a string"}'),
    ("/crossref/works", CROSSREF_ONLY_DOI, '{"message": {"items": [{"issued": "2020", "DOI": "x"}]}}'),
    ("/crossref/works", CROSSREF_ONLY_DOI, NESTED),
], ids=["idconv-string", "idconv-records-strings", "idconv-nested", "europepmc-list", "europepmc-journal-string",
        "europepmc-nested", "europepmc-nested-objects", "crossref-string", "crossref-issued-string", "crossref-nested"])
def test_json_of_the_wrong_shape_is_retried_then_exit_3(path: str, given: str, body: str, literature: LiteratureFakes,
                                                        catalog: Path):
    literature.server.route("GET", path, Reply(200, JSON, body))
    before = snapshot_files(catalog)
    result, took = _timed(["source", "add", given], 3, catalog)
    assert f"did not answer after {MAX_ATTEMPTS} tries" in result.stderr and "an unreadable answer" in result.stderr
    assert "internal error" not in result.stderr and result.stderr.count("\n") == 1
    assert literature.server.count(path) == MAX_ATTEMPTS and took < 10
    assert snapshot_files(catalog) == before


def test_deeply_nested_xml_is_read_or_refused_never_a_crash(literature: LiteratureFakes, catalog: Path):
    article = literature.articles[PMID]
    deep = article.replace(b"<ArticleTitle>", b"<ArticleTitle>" + b"<i>" * 200_000, 1).replace(
        b"</ArticleTitle>", b"</i>" * 200_000 + b"</ArticleTitle>", 1)
    literature.articles[PMID] = deep
    result, took = _timed(["source", "add", PMID, "--json"], 0, catalog)
    assert json.loads(result.stdout)["outcomes"][0]["action"] == "added" and took < 20


# --- redirects: a service only on its own host, credentials nowhere else ----------------------------


@pytest.fixture
def elsewhere() -> Iterator[ReplayServer]:
    """Another host (127.0.0.2): where a hostile service would send its redirects."""
    server = ReplayServer("127.0.0.2").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("method, path, given, status", [("POST", "/eutils/efetch.fcgi", PMID, 307),
                                                         ("GET", "/europepmc/search", DOI, 302)])
def test_a_service_redirect_to_another_host_is_refused_and_sends_no_credentials(
        method: str, path: str, given: str, status: int, literature: LiteratureFakes, elsewhere: ReplayServer,
        catalog: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NCBI_API_KEY", "secret-key")
    monkeypatch.setenv("KCLAIMS_EMAIL", "me@example.org")
    literature.server.route(method, path, Reply(status, {"Location": f"{elsewhere.url}/steal"}))
    elsewhere.route(method, "/steal", Reply(200, JSON, "{}"))
    before = snapshot_files(catalog)
    result, took = _timed(["source", "add", given], 3, catalog)
    assert f"redirected {literature.server.url}{path} to another host ({elsewhere.url}/steal)" in result.stderr
    assert elsewhere.count() == 0 and literature.server.count() == 1 and took < 3
    assert snapshot_files(catalog) == before


def test_a_service_redirect_on_its_own_host_is_followed(literature: LiteratureFakes, catalog: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NCBI_API_KEY", "secret-key")
    server = literature.server
    server.route("POST", "/eutils/efetch.fcgi", Reply(307, {"Location": "/eutils/v2/efetch.fcgi"}))
    server.route("POST", "/eutils/v2/efetch.fcgi", literature.efetch)
    invoke(["source", "add", PMID], catalog=catalog)
    assert [r.path for r in server.requests] == ["/eutils/efetch.fcgi", "/eutils/v2/efetch.fcgi"]
    assert server.requests[1].param("api_key") == "secret-key" and server.requests[1].param("id") == PMID


def test_web_sites_are_not_told_the_users_email(literature: LiteratureFakes, catalog: Path,
                                                monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KCLAIMS_EMAIL", "me@example.org")
    literature.server.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE))
    invoke(["source", "add", f"{literature.server.url}/clinic", PMID], catalog=catalog)
    agents = {r.path: r.headers["User-Agent"] for r in literature.server.requests}
    assert "mailto:me@example.org" in agents["/eutils/efetch.fcgi"]
    assert "me@example.org" not in agents["/clinic"]


# --- web pages: no redirect from a public address into a private one, no link-local address ---------

NAMES = {"public.example": ["93.184.216.34"], "cdn.example": ["93.184.216.35"], "intranet.example": ["10.0.0.7"],
         "wiki.intranet.example": ["10.0.0.9"], "metadata.example": ["169.254.169.254"],
         "mixed.example": ["10.0.0.8", "93.184.216.36"]}


def fake_resolve(host: str, port: int) -> list[str]:
    """Names from NAMES, address literals as themselves; anything else is not found (no real lookup)."""
    try:
        address_kind(host)
        return [host]
    except ValueError:
        pass
    if host not in NAMES:
        raise OSError(f"no such test host: {host}")
    return NAMES[host]


@pytest.fixture
def outside(replay: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> ReplayServer:
    """Pages "on other hosts": names resolved by `fake_resolve`, every request sent to the replay server
    as a proxy, and any connection outside 127.0.0.0/8 a failed test rather than a packet."""
    import urllib3.util.connection

    real = urllib3.util.connection.create_connection

    def loopback_only(address: tuple[str, int], *args: object, **kwargs: object):
        assert address[0].startswith("127."), f"a test tried to connect to {address}"
        return real(address, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(urllib3.util.connection, "create_connection", loopback_only)
    monkeypatch.setattr(client_module, "resolve_host", fake_resolve)
    monkeypatch.setattr(client_module, "BACKOFF_SECONDS", 0.01)
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", replay.url)
    monkeypatch.setenv("http_proxy", replay.url)
    return replay


@pytest.mark.parametrize("target, shown", [
    ("http://127.0.0.1:{port}/secret", "a public site redirected to 127.0.0.1, a private address"),
    ("http://intranet.example/secret", "a public site redirected to intranet.example (10.0.0.7), a private address"),
    ("http://[::ffff:10.0.0.7]/secret", "a private address"),
    ("http://metadata.example/secret", "metadata.example (169.254.169.254) is a link-local address"),
    ("http://169.254.169.254/secret", "169.254.169.254 is a link-local address"),
], ids=["loopback", "private-name", "mapped-ipv6", "metadata-name", "metadata-address"])
def test_a_redirect_from_a_public_site_into_a_private_network_is_refused(target: str, shown: str,
                                                                         outside: ReplayServer, catalog: Path):
    port = outside.url.rsplit(":", 1)[1]
    outside.route("GET", "/start", Reply(302, {"Location": target.format(port=port)}))
    outside.route("GET", "/secret", Reply(200, UTF8, CLINIC_PAGE))
    before = snapshot_files(catalog)
    result, took = _timed(["source", "add", "http://public.example/start"], 3, catalog)
    assert shown in result.stderr and NOTHING_WRITTEN in result.stderr
    assert outside.count("/start") == 1 and outside.count("/secret") == 0 and took < 3
    assert snapshot_files(catalog) == before


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://metadata.example/latest",
                                 "http://[fe80::1]/latest"])
def test_a_link_local_address_is_never_fetched_even_when_typed(url: str, outside: ReplayServer, catalog: Path):
    before = snapshot_files(catalog)
    result = invoke(["source", "add", url], code=2, catalog=catalog)
    assert "not a web page kclaims will fetch" in result.stderr and "link-local" in result.stderr
    assert outside.count() == 0 and snapshot_files(catalog) == before


def test_a_typed_private_address_is_fetched_and_may_redirect_within_its_network(outside: ReplayServer,
                                                                              catalog: Path):
    outside.route("GET", "/mirror", Reply(301, {"Location": "http://wiki.intranet.example/page"}))
    outside.route("GET", "/page", Reply(200, UTF8, CLINIC_PAGE))
    result = invoke(["source", "add", "http://intranet.example/mirror", "--json"], catalog=catalog)
    assert json.loads(result.stdout)["outcomes"][0]["action"] == "added"
    assert [r.host for r in outside.requests] == ["intranet.example", "wiki.intranet.example"]
    outside.route("GET", "/mirror", Reply(302, {"Location": "http://metadata.example/x"}))
    before = snapshot_files(catalog)
    refused = invoke(["source", "add", "http://intranet.example/mirror"], code=3, catalog=catalog)
    assert "it redirects to metadata.example (169.254.169.254) is a link-local address" in refused.stderr
    assert snapshot_files(catalog) == before


def test_a_redirect_between_public_sites_is_followed(outside: ReplayServer, catalog: Path):
    outside.route("GET", "/moved", Reply(301, {"Location": "http://cdn.example/clinic"}))
    outside.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE))
    result = invoke(["source", "add", "http://public.example/moved", "--json"], catalog=catalog)
    assert json.loads(result.stdout)["outcomes"][0]["action"] == "added"
    assert [r.host for r in outside.requests] == ["public.example", "cdn.example"]


def test_a_page_connects_to_the_address_that_was_checked(replay: ReplayServer, catalog: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    """No proxy here: mirror.example exists only in the test's resolver, so the page can only be had by
    connecting to the address `resolve_host` gave (a second lookup would find nothing)."""
    monkeypatch.setattr(client_module, "resolve_host", lambda host, port: ["127.0.0.1"])
    port = replay.url.rsplit(":", 1)[1]
    replay.route("GET", "/clinic", Reply(200, UTF8, CLINIC_PAGE))
    invoke(["source", "add", f"http://mirror.example:{port}/clinic"], catalog=catalog)
    assert replay.requests[0].host == f"mirror.example:{port}"


def test_the_address_policy():
    assert [address_kind(a) for a in ("93.184.216.34", "10.1.2.3", "127.0.0.1", "::1", "fc00::1", "100.64.0.1",
                                      "169.254.169.254", "fe80::1%eth0", "::ffff:169.254.1.1", "::ffff:8.8.8.8")] == \
        ["public", "private", "private", "private", "private", "private",
         "link-local", "link-local", "link-local", "public"]
    mixed = ["10.0.0.8", "93.184.216.36"]
    assert allowed_address("http://mixed.example/", mixed, None) == "10.0.0.8"  # typed: the first, a mirror
    assert allowed_address("http://mixed.example/", mixed, "93.184.216.34") == "93.184.216.36"  # public only
    assert allowed_address("http://mixed.example/", ["169.254.0.1", "10.0.0.8"], None) == "10.0.0.8"
    assert allowed_address("http://x.example/", ["10.0.0.8"], "10.0.0.7") == "10.0.0.8"
    with pytest.raises(AddressRefused) as refused:
        allowed_address("http://x.example/", ["10.0.0.8"], "93.184.216.34")
    assert not refused.value.typed and "give its address directly" in str(refused.value)
    with pytest.raises(AddressRefused) as refused:
        allowed_address("http://x.example/", ["169.254.169.254"], None)
    assert refused.value.typed
