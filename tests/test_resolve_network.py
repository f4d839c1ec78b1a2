"""The resolver against a local replay server: batching, rate limits, retries, the cache, offline."""

from __future__ import annotations

import pytest

from httpserver import LiteratureFakes, Reply, ReplayServer, literature, replay  # noqa: F401 (fixtures)
from kclaims.literature import client as client_module
from kclaims.literature import resolve as resolve_module
from kclaims.errors import NetworkError
from kclaims.literature.ids import Identifier
from kclaims.literature.client import MAX_ATTEMPTS
from kclaims.literature.resolve import EFETCH_BATCH, resolve


def pmids(*values: str) -> list[Identifier]:
    return [Identifier("pmid", v) for v in values]


def test_thousand_pmids_cost_five_requests(literature: LiteratureFakes):
    literature.synthesize_pmids = True
    wanted = pmids(*(str(30000000 + i) for i in range(1000)))
    seen: list[tuple[int, int]] = []
    result = resolve(wanted, progress=lambda done, total: seen.append((done, total)))
    assert len(result.records) == 1000 and not result.failures
    assert literature.server.count() == result.requests == 1000 // EFETCH_BATCH == 5
    assert all(r.method == "POST" and len(r.param("id").split(",")) == 200 for r in literature.server.requests)
    assert seen[-1] == (1000, 1000)


def test_ncbi_rate_limit_and_usage_parameters(literature: LiteratureFakes, monkeypatch: pytest.MonkeyPatch):
    literature.synthesize_pmids = True
    monkeypatch.setenv("KCLAIMS_EMAIL", "curator@example.org")
    resolve(pmids(*(str(31000000 + i) for i in range(3 * EFETCH_BATCH))))
    times = [r.time for r in literature.server.requests]
    assert len(times) == 3
    assert all(later - earlier >= 1 / 3 - 0.02 for earlier, later in zip(times, times[1:]))  # 3 per second
    first = literature.server.requests[0]
    assert first.param("tool") == "kclaims" and first.param("email") == "curator@example.org"
    assert first.param("api_key") is None


def test_api_key_raises_the_ncbi_limit_to_ten(literature: LiteratureFakes, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NCBI_API_KEY", "secret-key")
    monkeypatch.setattr(resolve_module, "EFETCH_BATCH", 1)  # one tiny request per PMID: the limiter sets the pace
    resolve(pmids("11748933", "11700088", "12091962", "9997", "27797938", "19008416"))
    requests = literature.server.requests
    gaps = [b.time - a.time for a, b in zip(requests, requests[1:])]
    assert len(requests) == 6 and all(gap >= 0.1 - 0.02 for gap in gaps)
    assert requests[-1].time - requests[0].time < 5 / 3 - 0.3  # faster than 3 per second allows
    assert requests[0].param("api_key") == "secret-key"
    assert client_module.rate_limit(resolve_module.EUTILS) == 10.0


def test_every_route_in_one_run(literature: LiteratureFakes):
    wanted = [
        Identifier("pmcid", "PMC5442267"),                         # ID converter -> PubMed
        Identifier("doi", "10.1002/hpja.70059"),                    # Europe PMC
        Identifier("doi", "10.1371/journal.pone.0033693"),          # Crossref
        Identifier("pmid", "11748933"),                             # PubMed
        Identifier("doi", "10.1371/notarealdoi"),                   # nowhere
        Identifier("pmcid", "PMC999999999"),                        # nowhere
        Identifier("url", "https://example.org/blog"),              # a web page
    ]
    result = resolve(wanted)
    assert result.records[wanted[0]].pmid == "27797938"
    assert result.records[wanted[1]].pmid == "40437959" and result.records[wanted[1]].population == "human"
    assert result.records[wanted[2]].journal == "PLoS ONE"
    assert result.records[wanted[3]].population == "animal"
    assert result.failures[wanted[4]] == "not found in Europe PMC or Crossref"
    assert result.failures[wanted[5]] == "not found in PubMed Central or Europe PMC"
    assert "web page" in result.failures[wanted[6]]
    paths = [r.path for r in literature.server.requests]
    assert paths == ["/idconv/", "/eutils/efetch.fcgi", "/europepmc/search", "/crossref/works"]


def test_429_with_retry_after_then_success(literature: LiteratureFakes, replay: ReplayServer):
    ok = literature.efetch
    replay.route("POST", "/eutils/efetch.fcgi", [Reply(429, {"Retry-After": "1"}, "Too Many Requests"), ok])
    replay.routes[("POST", "/eutils/efetch.fcgi")][1] = Reply(200, {}, ok(_fake_seen("11748933")).body)
    result = resolve(pmids("11748933"))
    assert result.records[pmids("11748933")[0]].pmid == "11748933"
    first, second = replay.requests
    assert second.time - first.time >= 1.0 - 0.05


def _fake_seen(pmid: str):
    from httpserver import Seen

    return Seen("POST", "/eutils/efetch.fcgi", {}, {"id": [pmid]}, {}, 0.0)


def test_server_errors_until_the_retries_run_out(literature: LiteratureFakes, replay: ReplayServer):
    replay.route("POST", "/eutils/efetch.fcgi", Reply(500, {}, "Internal Server Error"))
    with pytest.raises(NetworkError, match=r"PubMed \(NCBI E-utilities\) did not answer after 4 tries.*HTTP 500"):
        resolve(pmids("11748933"))
    assert replay.count() == MAX_ATTEMPTS


def test_timeouts_and_truncated_bodies_are_retried(literature: LiteratureFakes, replay: ReplayServer,
                                                    monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(client_module, "TIMEOUT", (1.0, 0.2))
    good = literature.efetch(_fake_seen("11748933"))
    replay.route("POST", "/eutils/efetch.fcgi", [Reply(200, {}, good.body, delay=0.6),
                                                 Reply(200, {}, good.data()[:300]), good])
    result = resolve(pmids("11748933"))
    assert list(result.records.values())[0].pmid == "11748933"
    assert replay.count() == 3


def test_a_refused_request_is_not_retried(literature: LiteratureFakes, replay: ReplayServer):
    replay.route("GET", "/europepmc/search", Reply(400, {}, "bad query"))
    with pytest.raises(NetworkError, match="Europe PMC refused the request: HTTP 400 bad query"):
        resolve([Identifier("doi", "10.1002/hpja.70059")])
    assert replay.count() == 1


def test_the_cache_answers_a_second_run_and_refresh_bypasses_it(literature: LiteratureFakes):
    wanted = [Identifier("pmid", "11748933"), Identifier("doi", "10.1002/hpja.70059"),
              Identifier("doi", "10.1371/notarealdoi")]
    first = resolve(wanted)
    sent = literature.server.count()
    assert sent == first.requests == 3
    second = resolve(wanted)
    assert literature.server.count() == sent and second.requests == 0 and second.from_cache == 3
    assert second.records == first.records and second.failures == first.failures
    # the PubMed record carries its DOI, so asking by DOI is answered from the cache too
    assert resolve([Identifier("doi", "10.1006/cryo.2001.2328")]).requests == 0
    third = resolve(wanted, refresh=True)
    assert third.requests == 3 and literature.server.count() == sent + 3


def test_offline_uses_only_the_cache(literature: LiteratureFakes):
    resolve(pmids("11748933"))
    before = literature.server.count()
    result = resolve(pmids("11748933", "9997"), offline=True)
    assert literature.server.count() == before
    assert pmids("11748933")[0] in result.records
    assert result.failures[pmids("9997")[0]].startswith("not in the cache")


def test_base_urls_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    assert resolve_module.EUTILS.base_url() == "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    monkeypatch.setenv("KCLAIMS_CROSSREF_URL", "http://mirror.example/crossref/")
    assert resolve_module.CROSSREF.base_url() == "http://mirror.example/crossref"


def test_retry_after_forms():
    assert client_module._retry_after("3", 1.0) == 3.0
    assert client_module._retry_after("100000", 1.0) == client_module.MAX_RETRY_AFTER
    assert client_module._retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1.0) == 0.0
    assert client_module._retry_after("soon", 1.5) == 1.5
