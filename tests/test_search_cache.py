"""The answer to a search is cached: the same search again sends no request (a search with no
results is asked again after a day), `--refresh` asks again and `--offline` asks nothing; against
the recorded answers replayed from a local server, counting its requests."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import invoke, snapshot_files
from httpserver import JSON, XML, LiteratureFakes, Reply, ReplayServer, literature, replay  # noqa: F401 (fixtures)
from kclaims.catalog.cache import cache_dir
from kclaims.literature.answers import CACHE_FILE, NEGATIVE_ANSWER_SECONDS, SEARCH_ANSWER_SECONDS
from test_search import CORE, ESEARCH, ESEARCH_NONE, NO_RESULTS


@pytest.fixture
def both(literature: LiteratureFakes, replay: ReplayServer) -> ReplayServer:
    replay.route("GET", "/europepmc/search", Reply(200, JSON, CORE))
    replay.route("POST", "/eutils/esearch.fcgi", Reply(200, XML, ESEARCH))
    return replay


def _age_cached_searches(seconds: float) -> None:
    with sqlite3.connect(cache_dir() / CACHE_FILE) as connection:
        connection.execute("UPDATE answers SET stored = stored - ? WHERE key LIKE '%:search:%'", (seconds,))


@pytest.mark.parametrize("database", ["europepmc", "pubmed"])
def test_the_same_search_again_sends_no_request(both: ReplayServer, small_catalog: Path, database: str):
    first = invoke(["search", "cancer", "-d", database, "--json"], catalog=small_catalog)
    asked = len(both.requests)
    assert asked >= 1
    second = invoke(["search", "cancer", "-d", database, "--json"], catalog=small_catalog)
    assert len(both.requests) == asked
    assert json.loads(second.stdout) == json.loads(first.stdout)
    assert "(from the cache)" in invoke(["search", "cancer", "-d", database], catalog=small_catalog).stderr
    invoke(["search", "cancer", "-d", database, "--limit", "3"], catalog=small_catalog)  # another search
    assert len(both.requests) > asked


def test_refresh_asks_again_and_offline_asks_nothing(both: ReplayServer, small_catalog: Path):
    before = snapshot_files(small_catalog)
    missing = invoke(["search", "cancer", "--offline"], code=2, catalog=small_catalog)
    assert "not in the cache, and --offline sends no request" in missing.stderr
    assert both.requests == []
    invoke(["search", "cancer"], catalog=small_catalog)
    invoke(["search", "cancer", "--refresh"], catalog=small_catalog)
    assert len(both.requests) == 2
    assert "(from the cache)" in invoke(["search", "cancer", "--offline"], catalog=small_catalog).stderr
    assert len(both.requests) == 2
    both_given = invoke(["search", "cancer", "--offline", "--refresh"], code=2, catalog=small_catalog)
    assert "choose one" in both_given.stderr
    assert snapshot_files(small_catalog) == before


def test_claim_find_uses_the_cached_search_too(both: ReplayServer, small_catalog: Path):
    args = ["claim", "find", "ptsd-relief", "--json", "--limit", "4"]
    first = invoke(args, catalog=small_catalog)
    second = invoke(args, catalog=small_catalog)
    assert len(both.requests) == 1
    assert second.stdout == first.stdout
    invoke(args + ["--refresh"], catalog=small_catalog)
    assert len(both.requests) == 2
    invoke(["search", "ketamine AND ptsd AND symptoms", "--limit", "4"], catalog=small_catalog)  # the same search
    assert len(both.requests) == 2


@pytest.mark.parametrize("database", ["europepmc", "pubmed"])
def test_a_search_with_no_results_is_asked_again_after_a_day(literature: LiteratureFakes, replay: ReplayServer,
                                                             small_catalog: Path, database: str):
    replay.route("GET", "/europepmc/search", Reply(200, JSON, NO_RESULTS))
    replay.route("POST", "/eutils/esearch.fcgi", Reply(200, XML, ESEARCH_NONE))
    args = ["search", "abcXYZ", "-d", database]
    invoke(args, catalog=small_catalog)
    invoke(args, catalog=small_catalog)
    assert len(replay.requests) == 1
    _age_cached_searches(NEGATIVE_ANSWER_SECONDS - 60)
    invoke(args, catalog=small_catalog)
    assert len(replay.requests) == 1
    _age_cached_searches(120)
    invoke(args, catalog=small_catalog)
    assert len(replay.requests) == 2


def test_a_search_with_results_is_kept_longer(both: ReplayServer, small_catalog: Path):
    invoke(["search", "cancer"], catalog=small_catalog)
    _age_cached_searches(NEGATIVE_ANSWER_SECONDS * 2)
    invoke(["search", "cancer"], catalog=small_catalog)
    assert len(both.requests) == 1
    _age_cached_searches(SEARCH_ANSWER_SECONDS)
    invoke(["search", "cancer"], catalog=small_catalog)
    assert len(both.requests) == 2


def test_a_damaged_cached_search_is_asked_again(both: ReplayServer, small_catalog: Path):
    invoke(["search", "cancer"], catalog=small_catalog)
    with sqlite3.connect(cache_dir() / CACHE_FILE) as connection:
        connection.execute("UPDATE answers SET record = '{\"total\": 1}' WHERE key LIKE '%:search:%'")
    invoke(["search", "cancer"], catalog=small_catalog)
    assert len(both.requests) == 2
