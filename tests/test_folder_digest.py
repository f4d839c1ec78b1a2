"""What the source files add up to (cache.folder_digest): the key of the sources' pack. It changes
with any file's name or stamp, is the same whether the command or its workers look, and is withheld
while a file is too new to trust."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

import kclaims.catalog.cache as cache_module
import kclaims.workers as workers_module
from kclaims.catalog.files import is_source_file_name, source_file_names


def _folder(tmp_path: Path, count: int = 30) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    for number in range(count):
        (folder / f"src{number:03d}.yaml").write_text(f"id: src{number:03d}\n", encoding="utf-8")
    _age(folder)
    return folder


def _age(folder: Path) -> None:
    """The files and the folder (its time changes as files come and go) made old enough to trust."""
    past = time.time() - 10
    for path in [*folder.iterdir(), folder]:
        os.utime(path, (past, past))


def _digest(folder: Path) -> str | None:
    return cache_module.folder_digest(str(folder), is_source_file_name)


def test_the_digest_of_the_folder_is_that_of_its_names_and_stamps(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / ".src000.yaml.123-abcdefgh.tmp").write_text("an edit's temporary file", encoding="utf-8")
    (folder / "notes.txt").write_text("not a source", encoding="utf-8")
    _age(folder)
    names = source_file_names(tmp_path)
    digest = _digest(folder)
    assert digest is not None and len(names) == 30
    assert digest == cache_module.names_digest(names, cache_module.stamps_of([str(folder / n) for n in names]))


@pytest.mark.parametrize("change", ["edited", "renamed", "added", "removed"])
def test_any_change_to_a_source_file_changes_the_digest(tmp_path: Path, change: str) -> None:
    folder = _folder(tmp_path)
    before = _digest(folder)
    path = folder / "src007.yaml"
    if change == "edited":
        path.write_text("id: src007\ntitle: edited\n", encoding="utf-8")
    elif change == "renamed":
        path.rename(folder / "src999.yaml")
    elif change == "added":
        (folder / "new.yaml").write_text("id: new\n", encoding="utf-8")
    else:
        path.unlink()
    _age(folder)
    after = _digest(folder)
    assert after is not None and after != before


def test_a_file_too_new_to_trust_withholds_the_digest(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "src003.yaml").write_text("id: src003\ntitle: just now\n", encoding="utf-8")
    assert _digest(folder) is None
    assert cache_module.names_digest(["a.yaml"], [None]) is None  # a file that could not be looked at


def test_an_empty_or_missing_folder_has_a_digest(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    _age(empty)
    assert _digest(empty) == _digest(tmp_path / "missing") == cache_module.names_digest([], [])


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="worker processes are forked on Linux only (kclaims.workers.worker_count)")
def test_workers_that_look_at_their_share_of_the_files_give_the_same_digest(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path, count=60)
    alone = _digest(folder)
    lookers = tmp_path / "lookers"
    lookers.mkdir()
    hashed = cache_module._file_hash

    def file_hash(name: str, stamp: bytes) -> int:
        (lookers / str(os.getpid())).touch()
        return hashed(name, stamp)

    monkeypatch.setattr(cache_module, "STAMPED_BY_WORKERS", 2)
    monkeypatch.setattr(workers_module, "worker_count", lambda items, worth_it_from=0: 2 if items >= worth_it_from else 1)
    monkeypatch.setattr(cache_module, "_file_hash", file_hash)
    assert _digest(folder) == alone
    looked_by = {int(p.name) for p in lookers.iterdir()}
    assert looked_by and os.getpid() not in looked_by  # the workers looked, not the command


def test_a_file_gone_while_the_folder_is_listed_withholds_the_digest(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        if str(path).endswith("src004.yaml"):
            raise FileNotFoundError(path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    assert _digest(folder) is None


def test_a_folder_changed_while_it_is_listed_withholds_the_digest(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    assert _digest(folder) is not None
    summed = cache_module._shares_summed

    def add_a_file_meanwhile(*args):
        (folder / "added.yaml").write_text("id: added\n", encoding="utf-8")
        return summed(*args)

    monkeypatch.setattr(cache_module, "_shares_summed", add_a_file_meanwhile)
    assert _digest(folder) is None
