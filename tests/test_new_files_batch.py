"""Many new files are created by a few threads and made durable together: all of them land, or,
on a full disk, a name already taken or Ctrl-C part-way, none does and no temporary file stays."""

from __future__ import annotations

import errno
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from kclaims.catalog import atomic
from kclaims.errors import BadInput


def _batch(folder: Path, count: int) -> dict[Path, bytes]:
    folder.mkdir(exist_ok=True)
    return {folder / f"source{number}.yaml": f"id: source{number}\n".encode() for number in range(count)}


def _left(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_a_large_batch_lands_whole_with_every_file_as_given(tmp_path: Path) -> None:
    files = _batch(tmp_path / "sources", 1000)
    atomic.write_new_files(files)
    assert {path: path.read_bytes() for path in files} == files
    assert len(_left(tmp_path / "sources")) == 1000


def test_a_full_disk_part_way_leaves_no_file_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _batch(tmp_path / "sources", 1000)
    write_new, made = atomic._write_new, []

    def filling(name: str, data: bytes) -> None:
        if len(made) >= 600:
            raise OSError(errno.ENOSPC, "No space left on device", name)
        write_new(name, data)
        made.append(name)

    monkeypatch.setattr(atomic, "_write_new", filling)
    with pytest.raises(OSError, match="No space left"):
        atomic.write_new_files(files)
    assert len(made) >= 600 and _left(tmp_path / "sources") == []


def test_a_temporary_name_taken_by_another_file_is_left_alone_and_the_rest_removed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kclaims.catalog import temporaries

    files = _batch(tmp_path / "sources", 500)
    monkeypatch.setattr(atomic.secrets, "token_hex", lambda size: "abcd1234")
    taken = tmp_path / "sources" / f"{temporaries.temporary_prefix(tmp_path / 'sources' / 'source250.yaml')}abcd1234.tmp"
    taken.write_text("someone else's\n", encoding="utf-8")
    monkeypatch.setattr(temporaries, "remove_stale_temporaries", lambda folder: None)  # it is not stale: just made
    with pytest.raises(FileExistsError):
        atomic.write_new_files(files)
    assert _left(tmp_path / "sources") == [taken.name] and taken.read_text(encoding="utf-8") == "someone else's\n"


def test_a_final_name_taken_meanwhile_is_refused_with_no_temporary_left(tmp_path: Path) -> None:
    files = _batch(tmp_path / "sources", 500)
    (tmp_path / "sources" / "source250.yaml").write_text("someone else's\n", encoding="utf-8")
    with pytest.raises(BadInput, match="already exists"):
        atomic.write_new_files(files)
    left = _left(tmp_path / "sources")
    assert not [name for name in left if name.endswith(".tmp")]  # those renamed before are the caller's to undo
    assert (tmp_path / "sources" / "source250.yaml").read_text(encoding="utf-8") == "someone else's\n"


def test_ctrl_c_while_the_threads_create_leaves_nothing_and_no_thread_running_on(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    files = _batch(tmp_path / "sources", 2000)
    write_new, made, main = atomic._write_new, [], threading.main_thread().ident
    assert main == threading.get_ident()

    def interrupted(name: str, data: bytes) -> None:
        write_new(name, data)
        made.append(name)
        if len(made) == 300:
            signal.pthread_kill(main, signal.SIGINT)  # Ctrl-C lands in the command's thread, as it would
        time.sleep(0.0005)

    monkeypatch.setattr(atomic, "_write_new", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_new_files(files)
    count = len(made)
    assert 300 <= count < 2000
    time.sleep(0.2)
    assert len(made) == count  # every thread had stopped when the error came out
    assert _left(tmp_path / "sources") == []
