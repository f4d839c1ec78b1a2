"""`kclaims search` and `kclaims claim find`, against recorded Europe PMC and E-utilities answers
replayed from a local server (tests/data/europepmc, tests/data/eutils; origins in ORIGIN.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATA, invoke, snapshot_files
from httpserver import JSON, XML, LiteratureFakes, Reply, ReplayServer, literature, replay  # noqa: F401 (fixtures)
from kclaims.catalog.files import load_catalog
from kclaims.literature import search as search_module
from kclaims.literature.search import SearchRequest, claim_query, parse_esearch

CORE = (DATA / "europepmc" / "pyeuropepmc_search_cancer_core.json").read_text(encoding="utf-8")
NO_RESULTS = (DATA / "europepmc" / "pyeuropepmc_search_no_results.json").read_text(encoding="utf-8")
ESEARCH = (DATA / "eutils" / "esearch_pubmed_6_ids.xml").read_bytes()
ESEARCH_NONE = (DATA / "eutils" / "esearch_noresults_biopython_esearch8.xml").read_bytes()
ERROR_ANSWER = (DATA / "eutils" / "esummary_error_biopython_esummary8.xml").read_bytes()
REVIEW_PMID = "39212676"  # the recorded answer's one systematic review (level 1), 16th in relevance order


@pytest.fixture
def europepmc(literature: LiteratureFakes, replay: ReplayServer) -> ReplayServer:
    replay.route("GET", "/europepmc/search", Reply(200, JSON, CORE))
    return replay


@pytest.fixture
def pubmed(literature: LiteratureFakes, replay: ReplayServer) -> ReplayServer:
    replay.route("POST", "/eutils/esearch.fcgi", Reply(200, XML, ESEARCH))
    return replay


def test_results_best_design_first_and_marked_when_in_the_catalog(europepmc: ReplayServer, small_catalog: Path):
    invoke(["source", "new", "known", "--title", "Known", "--kind", "journal-article", "--pmid", "39709209"],
           catalog=small_catalog)
    result = invoke(["search", "cancer", "--limit", "25"], catalog=small_catalog)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("  1. level 1 (systematic review or meta-analysis)")
    assert f"PMID {REVIEW_PMID}" in lines[2]
    assert "PMID 39709209 doi:10.1016/s0140-6736(24)02600-x  [in catalog: known]" in result.stdout
    assert lines[-3].startswith(" 25. not evidence")  # notices last
    assert "25 of 5059039 results, best design first (1 requests)." in result.stderr
    seen = europepmc.requests[-1]
    assert (seen.param("query"), seen.param("resultType"), seen.param("pageSize")) == ("cancer", "core", "25")


def test_json_is_one_envelope_with_the_query_and_results(europepmc: ReplayServer, small_catalog: Path):
    result = invoke(["search", "cancer", "--json"], catalog=small_catalog)
    document = json.loads(result.stdout)
    assert set(document) == {"kclaims", "search"}
    assert set(document["search"]) == {"database", "query", "total", "results"}
    first = document["search"]["results"][0]
    assert (first["pmid"], first["level"], first["in_catalog"], first["id"]) == (REVIEW_PMID, 1, False, None)
    assert first["abstract"].startswith("")


def test_filters_go_into_the_query(europepmc: ReplayServer, pubmed: ReplayServer, small_catalog: Path):
    invoke(["search", "ketamine", "--design", "review", "--since", "2010", "--until", "2020", "-n", "3"],
           catalog=small_catalog)
    assert europepmc.requests[-1].param("query") == (
        '(ketamine) AND (PUB_TYPE:"systematic review" OR PUB_TYPE:"meta-analysis") AND (PUB_YEAR:[2010 TO 2020])')
    invoke(["search", "ketamine", "--database", "pubmed", "--design", "rct", "--since", "2015"], catalog=small_catalog)
    esearch = [r for r in pubmed.requests if r.path.endswith("esearch.fcgi")][-1]
    assert esearch.param("term") == '(ketamine) AND (randomized controlled trial[pt]) AND ("2015"[dp] : "3000"[dp])'
    assert (esearch.param("db"), esearch.param("tool")) == ("pubmed", "kclaims")


def test_add_takes_the_results_without_a_second_request(europepmc: ReplayServer, small_catalog: Path):
    result = invoke(["search", "cancer", "--limit", "3", "--add"], catalog=small_catalog)
    assert len(europepmc.requests) == 1
    assert "3 added" in result.stderr
    catalog = load_catalog(small_catalog)
    assert {s.pmid for s in catalog.sources.values()} >= {"40468710", "39709209", "39709208"}
    invoke(["source", "add", "40468710"], catalog=small_catalog)  # the cache answers: still one request
    assert len(europepmc.requests) == 1


def test_pubmed_esearch_then_efetch_in_batches(pubmed: ReplayServer, small_catalog: Path,
                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(search_module, "EFETCH_BATCH", 4)
    result = invoke(["search", "breast cancer", "--database", "pubmed", "--json"], catalog=small_catalog)
    paths = [r.path for r in pubmed.requests]
    assert paths == ["/eutils/esearch.fcgi", "/eutils/efetch.fcgi", "/eutils/efetch.fcgi"]
    results = json.loads(result.stdout)["search"]["results"]
    assert sorted(r["pmid"] for r in results) == sorted(["19008416", "18927361", "18787170", "18487186",
                                                          "18239126", "18239125"])


@pytest.mark.parametrize("database", ["europepmc", "pubmed"])
def test_no_results(literature: LiteratureFakes, replay: ReplayServer, small_catalog: Path, database: str):
    replay.route("GET", "/europepmc/search", Reply(200, JSON, NO_RESULTS))
    replay.route("POST", "/eutils/esearch.fcgi", Reply(200, XML, ESEARCH_NONE))
    result = invoke(["search", "abcXYZ", "--database", database], catalog=small_catalog)
    assert result.stdout == ""
    assert "0 results" in result.stderr
    assert len(replay.requests) == 1  # no efetch for no PMIDs


@pytest.mark.parametrize(("route", "reply"), [
    (("GET", "/europepmc/search"), Reply(500, JSON, "{}")),
    (("POST", "/eutils/esearch.fcgi"), Reply(200, XML, ERROR_ANSWER)),
])
def test_an_error_answer_exits_3_and_writes_nothing(literature: LiteratureFakes, replay: ReplayServer,
                                                    small_catalog: Path, route, reply):
    replay.route(*route, reply)
    database = "europepmc" if "europepmc" in route[1] else "pubmed"
    before = snapshot_files(small_catalog)
    result = invoke(["search", "ketamine", "--database", database, "--add"], code=3, catalog=small_catalog)
    assert result.stderr.strip()
    invoke(["claim", "find", "ptsd-relief", "--database", database, "--query", "ketamine"], code=3,
           catalog=small_catalog)
    assert snapshot_files(small_catalog) == before


@pytest.mark.parametrize(("args", "message"), [
    (["search", "x", "--limit", "0"], "--limit must be from 1 to 1000"),
    (["search", "x", "--design", "cohort"], "--design 'cohort' is not one of"),
    (["search", "x", "--database", "scholar"], "--database 'scholar' is not one of"),
    (["search", " "], "the search query is empty"),
    (["search", "x", "--since", "2020", "--until", "2010"], "after --until"),
    (["claim", "find", "nope", "--query", "x"], "no claim with id 'nope'"),
    (["claim", "find", "ptsd-relief", "--query", "x", "--limit", "5000"], "--limit must be"),
])
def test_bad_search_input_exits_2_before_any_request(europepmc: ReplayServer, small_catalog: Path, args, message):
    before = snapshot_files(small_catalog)
    result = invoke(args, code=2, catalog=small_catalog)
    assert message in result.stderr
    assert europepmc.requests == []
    assert snapshot_files(small_catalog) == before


def test_claim_find_json_prints_query_and_candidates_and_changes_nothing(europepmc: ReplayServer,
                                                                         small_catalog: Path):
    before = snapshot_files(small_catalog)
    result = invoke(["claim", "find", "ptsd-relief", "--json", "--limit", "4"], catalog=small_catalog)
    document = json.loads(result.stdout)
    assert document["claim"] == "ptsd-relief"
    assert document["search"]["query"] == "ketamine AND ptsd AND symptoms"
    assert len(document["search"]["results"]) == 4
    assert snapshot_files(small_catalog) == before


def test_claim_find_walks_the_candidates_then_records_the_search(europepmc: ReplayServer, small_catalog: Path):
    # accept the query as built; read an abstract, then: supports, skip, contradicts, quit
    result = invoke(["claim", "find", "ptsd-relief", "--limit", "6"], catalog=small_catalog,
                    input="\na\ns\nk\nc\nq\n")
    assert "Recorded the search on ptsd-relief: 3 screened, 2 linked." in result.stderr
    assert len(europepmc.requests) == 1
    claim = load_catalog(small_catalog).claim("ptsd-relief")
    catalog = load_catalog(small_catalog)
    stances = [(catalog.sources[e.source].pmid, e.stance) for e in claim.evidence]
    assert stances[0] == ("24740528", "supports")  # feder2014, linked before
    assert stances[1] == ("40493882", "supports")  # the observational study (level 3) ranks first of the six
    assert stances[2][1] == "contradicts"
    search = claim.searched[-1]
    assert (search.database, search.query, search.screened, search.relevant) == (
        "europepmc", "ketamine AND ptsd AND symptoms", 3, 2)
    assert "      - {on: '" in (small_catalog / "claims.yaml").read_text(encoding="utf-8")


def test_claim_find_quit_before_deciding_records_nothing(europepmc: ReplayServer, small_catalog: Path):
    before = snapshot_files(small_catalog)
    result = invoke(["claim", "find", "ptsd-relief", "--limit", "6"], catalog=small_catalog, input="\nq\n")
    assert "Nothing screened, so no search is recorded." in result.stderr
    assert snapshot_files(small_catalog) == before


def test_claim_find_counts_only_supporting_and_contradicting_papers_as_relevant(europepmc: ReplayServer,
                                                                                 small_catalog: Path):
    invoke(["claim", "find", "ptsd-relief", "--limit", "6"], catalog=small_catalog, input="\nm\nq\n")
    search = load_catalog(small_catalog).claim("ptsd-relief").searched[-1]
    assert (search.screened, search.relevant) == (1, 0)


def test_claim_find_without_answers_on_stdin_is_one_line_and_exit_2(europepmc: ReplayServer, small_catalog: Path):
    before = snapshot_files(small_catalog)
    result = invoke(["claim", "find", "ptsd-relief"], code=2, catalog=small_catalog, input="")
    assert result.stderr.strip().splitlines()[-1].startswith("error: claim find asks about each paper on standard input")
    assert snapshot_files(small_catalog) == before


def test_claim_find_with_nothing_found_records_no_evidence_found(literature: LiteratureFakes, replay: ReplayServer,
                                                                 small_catalog: Path):
    replay.route("GET", "/europepmc/search", Reply(200, JSON, NO_RESULTS))
    invoke(["claim", "unlink", "ptsd-relief", "feder2014"], catalog=small_catalog)
    invoke(["claim", "find", "ptsd-relief", "--query", "ketamine AND ptsd"], catalog=small_catalog)
    show = json.loads(invoke(["show", "ptsd-relief", "--json"], catalog=small_catalog).stdout)
    assert show["claims"][0]["strength"]["verdict"] == "no-evidence-found"
    assert show["claims"][0]["searched"][-1]["screened"] == 0


def test_claim_query_takes_key_terms_and_topics():
    assert claim_query("Ketamine reduces PTSD symptoms.", ["ptsd"]) == "ketamine AND ptsd AND symptoms"
    assert claim_query("Ketamine eases pain.", ["chronic-pain"]) == 'ketamine AND pain AND "chronic pain"'


def test_parse_esearch_reads_count_and_ids_and_refuses_an_error():
    assert parse_esearch(ESEARCH)[0] == 6
    assert parse_esearch(ESEARCH_NONE) == (0, [])
    with pytest.raises(Exception, match="not a search result"):
        parse_esearch(ERROR_ANSWER)


def test_search_request_query_without_filters_is_the_text():
    assert SearchRequest("a OR b").query() == "a OR b"
