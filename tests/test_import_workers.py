"""`source import` of a large .bib file has worker processes read it and make each new source's
file; the catalog it leaves and what it prints are what one process gives, however the records
meet: ids two workers both guessed, the same paper in two pieces, a key already in the catalog, a
record that cannot be stored."""

from __future__ import annotations

from pathlib import Path

import pytest

import kclaims.workers as workers_module
from conftest import DATA, invoke, snapshot_files


def _entry(key: str, title: str, extra: str = "", author: str = "Doe, Jane") -> str:
    return f"@article{{{key},\n  title = {{{title}}},\n  author = {{{author}}},\n  year = {{2020}},{extra}\n}}\n\n"


def _library() -> str:
    entries = [_entry(f"paper{n}", f"Paper number {n}") for n in range(40)]
    entries[3] = _entry("Smith2020", "Smith's first", author="Smith, Ann")
    entries[30] = _entry("smith2020", "Smith's second: the same id once made a slug", author="Smith, Ann")
    entries[5] = _entry("early", "A paper with a DOI", "\n  doi = {10.1000/shared.1},")
    entries[35] = _entry("late", "The same paper, found again", "\n  doi = {10.1000/shared.1},\n  volume = {7},")
    entries[10] = _entry("badurl", "A record that cannot be stored", "\n  url = {citeseer.example.org/x.html},")
    entries[20] = _entry("kept", "Its key is an id the catalog has already")
    entries[15] = _entry("\x1b[31mJones2021", "A key with a terminal escape in it")
    entries[25] = "@article{broken,\n  title = {Never closed,\n\n"  # aborted by the next line's @article
    return "".join(entries)


def _import(tmp_path: Path, name: str, workers: int, monkeypatch: pytest.MonkeyPatch, bib: Path) -> tuple:
    monkeypatch.setattr(workers_module, "worker_count", lambda items, worth_it_from=0: workers)
    made_by_workers.clear()
    root = tmp_path / name
    invoke(["init", str(root)])
    (root / "sources" / "kept.yaml").write_text(
        "id: kept\nkind: journal-article\ntitle: A source already here\nretrieved: '2024-01-01'\n", encoding="utf-8")
    result = invoke(["source", "import", str(bib)], catalog=root)
    return snapshot_files(root), result.stdout, result.stderr.replace(str(root), "ROOT")


made_by_workers: list[Path] = []


@pytest.fixture(autouse=True)
def count_files_made_by_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each new source whose file the command kept as a worker made it (its id the one guessed)."""
    from kclaims.literature.writer import SourceWriter

    add = SourceWriter.add

    def counted(self: SourceWriter, given, record, preferred_id=None, prepared=None):
        outcome = add(self, given, record, preferred_id, prepared)
        if prepared is not None and outcome.action == "added" and outcome.source_id == record.id:
            made_by_workers.append(Path("sources", f"{record.id}.yaml"))
        return outcome

    monkeypatch.setattr(SourceWriter, "add", counted)


@pytest.mark.parametrize("bib", ["crafted", "zbb_issue97_jabref_911_entries_unicode.bib",
                                 "zbb_issue2660_biblatex_types_plus_fieldname.bib"])
def test_an_import_read_by_workers_leaves_what_one_process_leaves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  bib: str) -> None:
    if bib == "crafted":
        path = tmp_path / "library.bib"
        path.write_text(_library(), encoding="utf-8")
    else:
        path = DATA / "bibtex" / bib
    alone = _import(tmp_path, "alone", 1, monkeypatch, path)
    assert not made_by_workers
    shared = _import(tmp_path, "shared", 2, monkeypatch, path)
    assert shared == alone
    files, stdout, stderr = shared
    assert len(made_by_workers) > len(files) // 2  # most files were made by the workers
    if bib == "crafted":
        assert {"sources/smith2020.yaml", "sources/smith2020b.yaml", "sources/kept-2.yaml"} <= set(files)
        assert "sources/badurl.yaml" not in files and "cannot be stored" in stdout + stderr
        assert "sources/jones2021.yaml" in files  # the key as it prints, the escape gone
        assert "the same paper as early" in stdout + stderr
        assert b"volume: '7'" in files["sources/early.yaml"] or b"volume: 7" in files["sources/early.yaml"]
