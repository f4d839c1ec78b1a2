"""Stop signals and kill -9 during a write, through a real `python -m kclaims` process.

SIGTERM and SIGHUP roll a command back as Ctrl-C does (exit 143 and 129, catalog byte for byte as
before); after kill -9, which nothing can catch, running the same import again finishes it and
doubles nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO, invoke, snapshot_files
from kclaims.errors import ExitCode

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")

ENTRIES = 3000
# entries in the kill -9 test, which imports the file three times: enough that the kill lands mid-import
# on a loaded machine (with 1,200, a busy run once wrote them all before the kill landed)
RESUMED = 4000


def write_big_bib(path: Path, count: int = ENTRIES) -> Path:
    """`count` entries, all distinct papers: a third with a DOI; a sixth with only a title and year; a
    sixth with neither identifier nor title (only an author); a third under a key Windows cannot use
    as a file name, or a key used before."""
    blocks = []
    for n in range(count):
        if n % 3 == 0:
            blocks.append(f"@article{{paper{n},\n  author = {{Author{n}, Ann}},\n  title = {{Paper number {n}}},\n"
                          f"  journal = {{J}},\n  year = {{2001}},\n  doi = {{10.5555/test.{n}}}\n}}\n")
        elif n % 6 == 1:
            blocks.append(f"@misc{{note{n},\n  title = {{A note without identifiers, number {n}}},\n"
                          f"  year = {{2002}}\n}}\n")
        elif n % 6 == 4:
            blocks.append(f"@misc{{anon,\n  author = {{Nobody{n}, Ann}},\n  year = {{2002}}\n}}\n")
        else:
            blocks.append(f"@book{{{'con' if n % 2 else 'dup'},\n  title = {{Book number {n}}},\n  year = {{2003}}\n}}\n")
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def start_import(catalog: Path, bib: Path) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "kclaims", "source", "import", str(bib), "--catalog", str(catalog)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment, cwd=catalog)


def wait_for_writes(process: subprocess.Popen, sources: Path, before: int, at_least: int = 50) -> None:
    """Return once the import has written `at_least` new source files (it is then mid-flush)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the import finished before it could be stopped: {process.stderr.read().decode()[-2000:]}")
        if sum(1 for name in os.listdir(sources) if name.endswith(".yaml")) >= before + at_least:
            return
        time.sleep(0.01)
    process.kill()
    pytest.fail("the import wrote nothing within two minutes")


def catalog_files(root: Path) -> dict[str, bytes]:
    """The catalog's files and their bytes, without hidden temporaries: a signal that lands between
    a temporary file's creation and the write's own clean-up can leave one, which no listing reads
    and the next write deletes (see `assert_next_write_cleans_up`)."""
    return {name: data for name, data in snapshot_files(root).items()
            if not (Path(name).name.startswith(".") and name.endswith(".tmp"))}


def assert_next_write_cleans_up(root: Path) -> None:
    invoke(["source", "new", "after-the-signal", "--title", "Written after the stop"], catalog=root)
    assert not [p for p in (root / "sources").iterdir() if p.name.endswith(".tmp")]


def yaml_files(sources: Path) -> list[str]:
    return [name for name in os.listdir(sources) if name.endswith(".yaml") and not name.startswith(".")]


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, ExitCode.TERMINATED), (signal.SIGHUP, ExitCode.HANGUP)])
def test_a_stop_signal_mid_import_rolls_back_and_exits_128_plus_the_signal(small_catalog: Path, tmp_path: Path,
                                                                            signum: int, code: int):
    bib = write_big_bib(tmp_path / "big.bib")
    before = snapshot_files(small_catalog)
    process = start_import(small_catalog, bib)
    wait_for_writes(process, small_catalog / "sources", len(yaml_files(small_catalog / "sources")))
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == code, stderr.decode()[-2000:]
    assert f"stopped by {signal.Signals(signum).name}" in stderr.decode()
    after = catalog_files(small_catalog)
    assert after.keys() == before.keys(), sorted(set(after) ^ set(before))[:10]
    assert after == before
    assert_next_write_cleans_up(small_catalog)


def test_a_second_signal_does_not_cut_the_roll_back_short(small_catalog: Path, tmp_path: Path):
    bib = write_big_bib(tmp_path / "big.bib")
    before = snapshot_files(small_catalog)
    process = start_import(small_catalog, bib)
    wait_for_writes(process, small_catalog / "sources", len(yaml_files(small_catalog / "sources")), at_least=300)
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGTERM):
        process.send_signal(signum)
        time.sleep(0.005)
    process.communicate(timeout=120)
    assert process.returncode == ExitCode.TERMINATED
    assert catalog_files(small_catalog) == before
    assert_next_write_cleans_up(small_catalog)


def test_after_kill_9_the_same_import_again_adds_the_rest_and_doubles_nothing(small_catalog: Path, tmp_path: Path):
    bib = write_big_bib(tmp_path / "big.bib", RESUMED)
    sources = small_catalog / "sources"
    existing = len(yaml_files(sources))
    process = start_import(small_catalog, bib)
    wait_for_writes(process, sources, existing, at_least=200)
    process.kill()
    process.communicate(timeout=60)
    half = len(yaml_files(sources)) - existing
    assert 0 < half < RESUMED
    again = start_import(small_catalog, bib)
    _, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr.decode()[-2000:]
    assert len(yaml_files(sources)) - existing == RESUMED
    files = [yaml.safe_load((sources / name).read_text(encoding="utf-8")) for name in yaml_files(sources)]
    imported = [data.get("title") or data["authors"][0] for data in files]
    imported = [marker for marker in imported if " number " in marker or marker.startswith("Nobody")]
    assert len(imported) == RESUMED and len(set(imported)) == RESUMED
    third = start_import(small_catalog, bib)  # and once more: every entry is already there
    _, stderr = third.communicate(timeout=300)
    assert third.returncode == 0 and len(yaml_files(sources)) - existing == RESUMED
    assert f"{RESUMED} merged" in stderr.decode()


def test_stop_codes_are_named_and_stopped_is_ctrl_c():
    from kclaims.errors import Stopped

    assert (ExitCode.HANGUP, ExitCode.INTERRUPTED, ExitCode.TERMINATED) == (129, 130, 143)
    stopped = Stopped(signal.SIGTERM)
    assert isinstance(stopped, KeyboardInterrupt) and stopped.exit_code == ExitCode.TERMINATED
    assert Stopped(signal.SIGHUP).name == "SIGHUP"


def test_handlers_leave_an_ignored_sighup_ignored():
    """`nohup kclaims source import big.bib` asks for the import to outlive the terminal."""
    from kclaims.cli.app import install_stop_handlers, stop_like_ctrl_c

    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        install_stop_handlers()
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is stop_like_ctrl_c
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
