"""Where the cache lives (platformdirs, KCLAIMS_CACHE_DIR first) and how it stays bounded: old
catalogs' row caches and stale answers are pruned, at most once a day."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from kclaims.catalog import cache as cache_module
from kclaims.catalog.cache import cache_dir, open_store, prune_catalog_caches, prune_due
from kclaims.literature.answers import CACHE_FILE, NEGATIVE_ANSWER_SECONDS, AnswerCache
from kclaims.literature.ids import Identifier
from kclaims.model import Source

DAY = 86400


def test_kclaims_cache_dir_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("KCLAIMS_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "mine"


def test_otherwise_where_platformdirs_says(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    import platformdirs

    monkeypatch.delenv("KCLAIMS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == Path(platformdirs.user_cache_dir("kclaims", appauthor=False))
    if sys.platform.startswith("linux"):
        assert cache_dir() == tmp_path / "xdg" / "kclaims"


def _catalog_files(folder: Path, digest: str, size: int, age_days: float) -> None:
    for name in (f"catalog-{digest}.marshal", f"catalog-{digest}-verdicts.marshal", f"catalog-{digest}-sources.pack"):
        path = folder / name
        path.write_bytes(b"x" * size)
        moment = time.time() - age_days * DAY
        os.utime(path, (moment, moment))


def test_row_caches_of_catalogs_unused_for_long_are_pruned(tmp_path: Path):
    _catalog_files(tmp_path, "a" * 16, 10, age_days=1)
    _catalog_files(tmp_path, "b" * 16, 10, age_days=90)
    _catalog_files(tmp_path, "c" * 16, 10, age_days=200)
    (tmp_path / "resolver.sqlite3").write_bytes(b"not ours to prune here")
    assert prune_catalog_caches(tmp_path, keep="c" * 16) == ["b" * 16]
    assert sorted(p.name for p in tmp_path.iterdir()) == [  # the sources' pack goes with its catalog's rows
        f"catalog-{'a' * 16}-sources.pack", f"catalog-{'a' * 16}-verdicts.marshal", f"catalog-{'a' * 16}.marshal",
        f"catalog-{'c' * 16}-sources.pack", f"catalog-{'c' * 16}-verdicts.marshal", f"catalog-{'c' * 16}.marshal",
        "resolver.sqlite3"]


def test_then_the_least_recently_used_until_they_fit(tmp_path: Path):
    for digest, age in (("a" * 16, 1), ("b" * 16, 3), ("c" * 16, 2), ("d" * 16, 5)):
        _catalog_files(tmp_path, digest, 100, age_days=age)
    assert prune_catalog_caches(tmp_path, keep="d" * 16, max_bytes=650) == ["b" * 16, "c" * 16]
    assert len(list(tmp_path.glob("catalog-*"))) == 6


def test_opening_a_catalog_marks_its_cache_used_and_prunes_once_a_day(small_catalog: Path):
    store = open_store(small_catalog)
    store.rows.put("claims.yaml", (None, []))
    store.save()
    folder, own = cache_dir(), store.rows.location_of("claims.yaml")
    old = time.time() - 100 * DAY
    os.utime(own, (old, old))
    _catalog_files(folder, "f" * 16, 10, age_days=100)
    open_store(small_catalog)
    assert own.stat().st_mtime > time.time() - 60  # used now
    assert list(folder.glob(f"catalog-{'f' * 16}*")) != []  # pruned already today
    (folder / ".pruned-catalogs").unlink()
    open_store(small_catalog)
    assert list(folder.glob(f"catalog-{'f' * 16}*")) == []
    assert own.exists()


def test_prune_due_once_per_period(tmp_path: Path):
    assert prune_due(tmp_path, "x")
    assert not prune_due(tmp_path, "x")
    assert prune_due(tmp_path, "x", every=0)


def _answers(cache: AnswerCache) -> set[str]:
    assert cache.connection is not None
    return {key for (key,) in cache.connection.execute("SELECT key FROM answers")}


def test_stale_answers_are_pruned():
    cache = AnswerCache.open()
    now = time.time()
    cache.put_records([Source(id="", kind="journal-article", title="Kept", pmid="1")])
    cache.put_records([Source(id="", kind="journal-article", title="Unused", pmid="2")])
    cache.put_missing([(Identifier("pmid", "3"), "not found"), (Identifier("pmid", "4"), "not found")])
    cache.put_search("europepmc:25:old", {"total": 0, "records": [], "abstracts": []}, empty=True)
    cache.put_search("europepmc:25:new", {"total": 0, "records": [], "abstracts": []}, empty=True)
    assert cache.connection is not None
    cache.connection.executemany("UPDATE answers SET stored = ?, used = ? WHERE key LIKE ?", [
        (now - 400 * DAY, now - 400 * DAY, "%pmid:2"), (now - 2 * NEGATIVE_ANSWER_SECONDS, None, "%pmid:3"),
        (now - 2 * NEGATIVE_ANSWER_SECONDS, None, "%search:europepmc:25:old")])
    cache.connection.execute("INSERT INTO answers VALUES ('v0:pmid:5', '{}', NULL, ?, ?)", (now, now))
    assert cache.prune() == 4
    assert _answers(cache) == {"v1:pmid:1", "v1:pmid:4", "v1:search:europepmc:25:new"}
    assert cache.get(Identifier("pmid", "1")) is not None


def test_beyond_the_cap_the_least_recently_used_answers_go():
    cache = AnswerCache.open()
    assert cache.connection is not None
    now = time.time()
    for number in range(1, 6):
        cache.put_records([Source(id="", kind="journal-article", title=f"T{number}", pmid=str(number))])
        cache.connection.execute("UPDATE answers SET used = ? WHERE key = ?", (now - number * DAY, f"v1:pmid:{number}"))
    assert cache.get(Identifier("pmid", "5")) is not None  # looked at now: the most recently used
    assert cache.prune(max_answers=2) == 3
    assert _answers(cache) == {"v1:pmid:1", "v1:pmid:5"}


def test_a_cache_from_before_pruning_is_upgraded():
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(folder / CACHE_FILE) as old:
        old.execute("CREATE TABLE answers (key TEXT PRIMARY KEY, record TEXT, reason TEXT, stored REAL NOT NULL)")
        old.execute("INSERT INTO answers VALUES ('v1:pmid:7', NULL, 'not found', ?)", (time.time(),))
    cache = AnswerCache.open()
    assert cache.get(Identifier("pmid", "7")) == (None, "not found")
    cache.put_records([Source(id="", kind="journal-article", title="T", pmid="8")])
    assert cache.get(Identifier("pmid", "8")) is not None


def test_pruning_is_bounded_by_named_limits():
    assert cache_module.UNUSED_CATALOG_DAYS > 0 and cache_module.CATALOG_CACHE_BYTES > 0
