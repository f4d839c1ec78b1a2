"""The sources' pack patched with the source files changed since the last report
(catalog/pack_patching.py): the same pack, and so the same report, as one made from every source,
whatever the edit does to the order and to the names that need a letter."""

from __future__ import annotations

import copy
import json
import os
import sys
import time
from pathlib import Path

import pytest
from report_fixtures import REPORT_CLAIMS, REPORT_SOURCES, write_catalog

from kclaims.catalog import chunks as chunks_module, pack_patching, source_pack
from kclaims.catalog.chunks import ClaimChunks
from kclaims.catalog.source_pack import SourcePack
from kclaims.catalog.files import load_catalog
from kclaims.catalog.query import select_claims
from kclaims.export.markdown import export_markdown
from kclaims.export.streamed import markdown_from_chunks
from kclaims.export.view import ReportArranger


def _sources() -> list[dict]:
    """Sources sharing short names, so that letters come and go as they are edited."""
    same = [{"id": f"same{n:02d}", "title": f"Study {n}", "authors": ["Same S"], "year": 2001} for n in range(27)]
    same.append({"id": "lower01", "title": "Lower", "authors": ["same S"], "year": 2001})  # another name, one block
    other = [{"id": f"other{n:02d}", "title": f"Trial {n}", "authors": ["Other O"], "year": 2001 + n % 2}
             for n in range(5)]
    sites = [{"id": f"page{n:02d}", "kind": "web-article", "title": f"Page {n}", "site": "Clinic", "year": 2020}
             for n in range(3)]
    yearless = [{"id": "clinic2020", "kind": "web-article", "title": "About", "site": "Clinic 2020"}]  # reads "Clinic 2020" too
    return REPORT_SOURCES + same + other + sites + yearless


def _catalog(tmp_path: Path) -> Path:
    claims = copy.deepcopy(REPORT_CLAIMS)
    for number, claim in enumerate(claims):
        claim["evidence"] = claim.get("evidence", []) + [{"source": f"same{number:02d}", "stance": "supports"},
                                                         {"source": f"other{number % 5:02d}", "stance": "mentions"}]
    root = write_catalog(tmp_path / "catalog", claims, _sources())
    _age(root)
    return root


def _age(root: Path) -> None:
    past = time.time() - 10
    for path in [*root.rglob("*"), root]:
        os.utime(path, (past, past))


def _open(root: Path) -> ClaimChunks:
    chunks = chunks_module.open_chunks(root, ReportArranger())
    assert chunks is not None
    return chunks


def _report(chunks: ClaimChunks) -> str:
    return "".join(p if isinstance(p, str) else p.decode("utf-8") for p in markdown_from_chunks(chunks))


def _in_memory(root: Path) -> str:
    catalog = load_catalog(root)
    return export_markdown(select_claims(catalog), list(catalog.sources.values()))


def _records(root: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> list:
    """The pack made from every source, in a cache of its own."""
    with monkeypatch.context() as patched:
        patched.setenv("KCLAIMS_CACHE_DIR", str(cache_dir))
        _in_memory(root)  # caches the rows
        chunks = _open(root)
        _report(chunks)  # makes the pack from every source
        again = _open(root)
        assert again.pack is not None
        records = list(again.pack.records_in_order(0, len(again.pack)))
        again.pack.close()
        return records


def _edit(root: Path, source_id: str, change: dict | None) -> None:
    """The source's file edited, added or removed, and it and the folder aged (no other file touched:
    setting a file's times changes its stamp)."""
    path = root / "sources" / f"{source_id}.yaml"
    if change is None:
        path.unlink()
    else:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"id": source_id}
        data.update(change)
        data = {key: value for key, value in data.items() if value is not None}
        path.write_text(json.dumps(data) + "\n", encoding="utf-8")
    past = time.time() - 10
    for aged in ([path] if path.exists() else []) + [path.parent]:
        os.utime(aged, (past, past))


EDITS = {
    "a title": [("same03", {"title": "Renamed study"})],
    "joins a lettered group": [("other01", {"authors": ["Same S"], "year": 2001})],
    "leaves a lettered group": [("same02", {"authors": ["Aardvark A"]})],
    "loses its year": [("same04", {"year": None})],
    "a new source in a group": [("same99", {"title": "A later study", "authors": ["Same S"], "year": 2001})],
    "a source removed": [("same01", None)],
    "the 27th of a group leaves": [("same26", {"year": 2002})],
    "two new sources in one place": [("same05a", {"title": "A", "authors": ["Same S"], "year": 2001}),
                                     ("same05b", {"title": "B", "authors": ["Same S"], "year": 2001})],
    "a site's year": [("page01", {"year": 2021})],
    "a site whose name reads as another's, with no year": [("page02", {"title": "Page two again"})],
    "the yearless site leaves": [("clinic2020", None)],
    "several at once": [("same00", {"year": 1999}), ("other02", None), ("zed01", {"title": "Z", "authors": ["Zed Z"]})],
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_patched_pack_is_the_pack_made_from_every_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          edit: str) -> None:
    root = _catalog(tmp_path)
    _in_memory(root)
    first = _open(root)
    _report(first)  # the last report's pack
    assert _open(root).pack is not None
    for source_id, change in EDITS[edit]:
        _edit(root, source_id, change)
    patched_packs: list[int] = []
    patching = pack_patching.patched_pack

    def patched_pack(*args, **kwargs):
        made = patching(*args, **kwargs)
        patched_packs.append(made is not None)
        return made

    with monkeypatch.context() as patched:
        patched.setattr(chunks_module, "patched_pack", patched_pack)
        patched.setattr(chunks_module, "_held", lambda *args: pytest.fail("every source was read and held"))
        chunks = _open(root)
        assert patched_packs == [True] and chunks.pack is not None
        text = _report(chunks)
        assert _open(root).pack is not None and patched_packs == [True]  # the next run finds it as it is
    assert text == _in_memory(root)
    reopened = SourcePack.open(chunks.pack.location, chunks.pack.key)  # (the report closed it)
    assert reopened is not None
    patched = list(reopened.records_in_order(0, len(reopened)))
    reopened.close()
    assert patched == _records(root, tmp_path / "fresh-cache", monkeypatch)


def test_a_changed_source_that_does_not_parse_gives_the_loaded_catalog(tmp_path: Path) -> None:
    root = _catalog(tmp_path)
    _in_memory(root)
    _report(_open(root))
    path = root / "sources" / "same03.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "year: [not, a, year]\n", encoding="utf-8")
    past = time.time() - 10
    os.utime(path, (past, past))
    assert chunks_module.open_chunks(root, ReportArranger()) is None


def test_many_changes_make_the_pack_from_every_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _catalog(tmp_path)
    _in_memory(root)
    _report(_open(root))
    monkeypatch.setattr(pack_patching, "MOST_CHANGED", 1)
    _edit(root, "same01", {"title": "One"})
    _edit(root, "same02", {"title": "Two"})
    chunks = _open(root)
    assert chunks.pack is None  # held, and the pack made by the report from them
    assert _report(chunks) == _in_memory(root)
    assert _open(root).pack is not None


def test_a_last_pack_damaged_in_a_record_is_not_patched_and_the_report_is_right(tmp_path: Path) -> None:
    root = _catalog(tmp_path)
    _in_memory(root)
    _report(_open(root))
    chunks = _open(root)
    assert chunks.pack is not None
    location = chunks.pack.location
    chunks.pack.close()
    data = bytearray(location.read_bytes())
    data[len(source_pack.MAGIC) + 5] ^= 0xFF  # a record: the index is whole, so it opens
    location.write_bytes(bytes(data))
    _edit(root, "same03", {"title": "Renamed study"})
    after = _open(root)  # the patch meets the damage: the sources are held instead
    assert after.pack is None
    assert _report(after) == _in_memory(root)
    assert not [path for path in location.parent.iterdir() if path.name.endswith(".tmp")]


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="worker processes are forked on Linux only (kclaims.workers.worker_count)")
def test_files_compared_by_worker_processes_patch_the_same_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kclaims.workers as workers_module
    from kclaims.catalog import cache

    root = _catalog(tmp_path)
    _in_memory(root)
    _report(_open(root))
    _edit(root, "same03", {"authors": ["Other O"], "year": 2002})
    _edit(root, "added01", {"title": "Added", "authors": ["Same S"], "year": 2001})
    monkeypatch.setattr(cache, "STAMPED_BY_WORKERS", 2)
    monkeypatch.setattr(workers_module, "worker_count", lambda items, worth_it_from=0: 2 if items >= worth_it_from else 1)
    with monkeypatch.context() as patched:
        patched.setattr(chunks_module, "_held", lambda *args: pytest.fail("every source was read and held"))
        chunks = _open(root)
        assert chunks.pack is not None
        text = _report(chunks)
    assert text == _in_memory(root)


def test_the_last_pack_is_closed_before_the_patched_one_takes_its_place(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows refuses to replace a file that is open: the patched pack must be written whole while
    the last one is read, and put in its place only once the last one is closed."""
    root = _catalog(tmp_path)
    _in_memory(root)
    _report(_open(root))
    _edit(root, "same03", {"title": "Renamed study"})
    opened: list[SourcePack] = []
    opening, replacing = SourcePack.open_matching.__func__, os.replace  # type: ignore[attr-defined]

    def open_matching(cls, location, matches):
        pack = opening(cls, location, matches)
        if pack is not None:
            opened.append(pack)
        return pack

    def replace_as_windows_does(source, destination):
        if any(Path(pack.location) == Path(destination) and not pack._file.closed for pack in opened):
            raise PermissionError(13, "The process cannot access the file because it is being used")
        replacing(source, destination)

    with monkeypatch.context() as patched:
        patched.setattr(SourcePack, "open_matching", classmethod(open_matching))
        patched.setattr(source_pack.os, "replace", replace_as_windows_does)
        patched.setattr(chunks_module, "_held", lambda *args: pytest.fail("the patch was not kept"))
        chunks = _open(root)
        assert chunks.pack is not None and opened  # the last pack was read, and the patched one is open
        assert _report(chunks) == _in_memory(root)
