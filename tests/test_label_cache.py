"""Labels are cached per claim: one changed source regrades only the claims that cite it, and the
cache is updated in the shards that changed, not rewritten."""

import os
import sys
import time
from pathlib import Path

import pytest

import kclaims.catalog.labels as labels_module
from kclaims.catalog.files import load_catalog
from kclaims.catalog.query import select_claims
from kclaims.grade import claim_strength


def _age(root: Path, seconds: float = 10) -> None:
    past = time.time() - seconds
    for path in root.rglob("*"):
        os.utime(path, (past, past))


def _edit(path: Path, old: str, new: str, age: float = 5) -> None:
    """Change a file as a person would, a few seconds ago (older than the cache's racy guard)."""
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    past = time.time() - age
    os.utime(path, (past, past))


@pytest.fixture
def graded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the claims graded (not taken from the cache) from now on."""
    calls: list[str] = []

    def counting(claim, sources, memo=None):
        calls.append(claim.id)
        return claim_strength(claim, sources, memo)

    monkeypatch.setattr(labels_module, "claim_strength", counting)
    return calls


def _labels(root: Path) -> dict[str, tuple]:
    return {row.claim.id: row.strength.as_tuple() for row in select_claims(load_catalog(root))}


def _fresh_labels(root: Path) -> dict[str, tuple]:
    catalog = load_catalog(root)
    return {claim.id: claim_strength(claim, catalog.sources).as_tuple() for claim in catalog.claims}


def test_one_changed_source_regrades_only_the_claims_that_cite_it(shipped_catalog: Path, graded: list[str]):
    _age(shipped_catalog)
    first = _labels(shipped_catalog)
    assert len(graded) == len(first) > 50  # the first run grades every claim
    graded.clear()
    assert _labels(shipped_catalog) == first and graded == []  # nothing changed: nothing graded

    catalog = load_catalog(shipped_catalog)
    citing = {claim.id for claim in catalog.claims if "zarate2006" in {e.source for e in claim.evidence}}
    assert citing
    _edit(shipped_catalog / "sources" / "zarate2006.yaml", "retracted: false", "retracted: true")
    after = _labels(shipped_catalog)
    assert set(graded) == citing
    assert after == _fresh_labels(shipped_catalog)  # the cached labels are the labels
    assert any(after[claim_id] != first[claim_id] for claim_id in citing)  # a retraction moves a verdict


def test_a_change_rewrites_only_the_shards_it_touches(shipped_catalog: Path, clean_environment: Path):
    _age(shipped_catalog)
    _labels(shipped_catalog)
    shards = sorted(clean_environment.glob("catalog-*-*.marshal"))
    assert len(shards) > 40  # rows and labels, spread over many small files
    before = {path: path.stat().st_mtime_ns for path in shards}
    time.sleep(0.01)
    _edit(shipped_catalog / "sources" / "zarate2006.yaml", "retracted: false", "retracted: true")
    _labels(shipped_catalog)
    rewritten = [path for path in shards if path.stat().st_mtime_ns != before[path]]
    citing = sum("zarate2006" in {e.source for e in c.evidence} for c in load_catalog(shipped_catalog).claims)
    assert 1 <= len(rewritten) <= 1 + citing  # the source's row shard and the shards of the labels that moved


def test_an_edited_claims_file_regrades_and_a_just_written_file_is_not_trusted(shipped_catalog: Path,
                                                                               graded: list[str]):
    _age(shipped_catalog)
    _labels(shipped_catalog)
    graded.clear()
    _edit(shipped_catalog / "claims.yaml", "stance: supports", "stance: contradicts")
    assert _labels(shipped_catalog) == _fresh_labels(shipped_catalog)
    assert graded  # claims.yaml changed: its claims are graded again
    graded.clear()
    _edit(shipped_catalog / "sources" / "zarate2006.yaml", "retracted: false", "retracted: true", age=0)
    _labels(shipped_catalog)
    first_pass = list(graded)
    graded.clear()
    _labels(shipped_catalog)
    assert first_pass and graded == first_pass  # written a moment ago: graded again, not cached yet


def test_a_contradicted_claims_strongest_study_against_is_kept_with_its_label(shipped_catalog: Path,
                                                                            graded: list[str]) -> None:
    """Reports name the strongest study against each contradicted claim; the label keeps it, so a
    report read from the cache does not grade the claim again to find it."""
    from kclaims.export.bodies import strongest
    from kclaims.export.scorecard import _contradicting, strongest_against

    _age(shipped_catalog)
    select_claims(load_catalog(shipped_catalog))  # grades every claim and keeps the labels
    graded.clear()
    catalog = load_catalog(shipped_catalog)
    rows = select_claims(catalog)
    assert graded == []  # every label came from the cache
    contradicted = [row for row in rows if row.strength.verdict == "contradicted"]
    assert len(contradicted) >= 5
    for row in rows:
        worked_out = strongest(_contradicting(row, catalog.sources), catalog.sources, row)
        assert row.strength.against == (worked_out if row in contradicted else None)
        assert strongest_against(row, catalog.sources) == worked_out
    assert all(row.strength.against for row in contradicted)


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="worker processes are forked on Linux only (kclaims.workers.worker_count)")
def test_files_looked_at_by_worker_processes_are_checked_as_by_the_command(shipped_catalog: Path,
                                                                           graded: list[str],
                                                                           monkeypatch: pytest.MonkeyPatch,
                                                                           tmp_path: Path) -> None:
    """A large catalog's files are looked at by worker processes while the command reads the cache:
    an unchanged file is taken from the cache, a changed one read again, as when the command looks."""
    import kclaims.catalog.cache as cache_module
    import kclaims.workers as workers_module

    lookers = tmp_path / "lookers"
    lookers.mkdir()
    looked = cache_module.stamps_of

    def stamps_of(paths: list[str]) -> list:
        (lookers / str(os.getpid())).touch()
        return looked(paths)

    parsed: list[str] = []  # the files read again, not taken from the cache
    keep = cache_module.Store.put

    def put(store, key, value, stamp) -> None:
        parsed.append(key)
        keep(store, key, value, stamp)

    monkeypatch.setattr(cache_module, "STAMPED_BY_WORKERS", 2)
    monkeypatch.setattr(cache_module, "STAMP_GROUP", 4)  # several groups of files to share out
    monkeypatch.setattr(workers_module, "worker_count",  # two workers whatever the cores; none below the threshold
                        lambda items, worth_it_from=0: 2 if items >= worth_it_from else 1)
    monkeypatch.setattr(cache_module, "stamps_of", stamps_of)
    monkeypatch.setattr(cache_module.Store, "put", put)
    _age(shipped_catalog)
    first = _labels(shipped_catalog)
    graded.clear()
    parsed.clear()
    assert _labels(shipped_catalog) == first and graded == [] and parsed == []  # unchanged: all from the cache
    assert {int(p.name) for p in lookers.iterdir()} - {os.getpid()}  # looked at by other processes
    _edit(shipped_catalog / "sources" / "zarate2006.yaml", "retracted: false", "retracted: true")
    assert _labels(shipped_catalog) == _fresh_labels(shipped_catalog)
    assert "sources/zarate2006.yaml" in parsed and graded  # the edit was seen
    assert load_catalog(shipped_catalog).sources["zarate2006"].retracted


def test_stamps_handed_over_packed_by_workers_are_the_stamps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kclaims.catalog.cache as cache_module

    files = []
    for number in range(9):
        path = tmp_path / f"file-{number}.yaml"
        path.write_text("x" * number, encoding="utf-8")
        files.append(str(path))
    os.utime(files[3], ns=(0, -1_500_000_000))  # modified before 1970: a negative time
    files.insert(5, str(tmp_path / "gone.yaml"))  # cannot be looked at
    monkeypatch.setattr(cache_module, "STAMPED_BY_WORKERS", 2)
    monkeypatch.setattr(cache_module, "STAMP_GROUP", 3)
    with cache_module._looking_at(files) as stamped:
        handed_over = list(stamped())
    assert handed_over == cache_module.stamps_of(files)
    assert handed_over[5] is None and cache_module.modified_ns(handed_over[3]) == -1_500_000_000
    assert cache_module._STAMP.unpack(handed_over[9])[0] == 8  # its size


def test_a_128_bit_inode_is_stamped_whole() -> None:
    """Windows gives files on ReFS inodes wider than 64 bits (os.stat since Python 3.12)."""
    from types import SimpleNamespace

    import kclaims.catalog.cache as cache_module

    def stamp(inode: int) -> bytes:
        return cache_module.stamp_of(SimpleNamespace(st_size=10, st_mtime_ns=5, st_ino=inode, st_ctime_ns=6))

    low = 12345
    assert stamp(low) != stamp(low + (1 << 64)) != stamp(low + (7 << 100))
    assert cache_module.modified_ns(stamp(low + (1 << 127))) == 5
