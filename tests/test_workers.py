"""The worker processes that share a large job: results in order, a worker's error raised in the
command, a worker killed from outside reported rather than waited for, and none left behind when
the command stops early."""

import os
import signal
import sys
import time
from pathlib import Path

import pytest

import kclaims.workers as workers_module
from kclaims.workers import WorkerDied, in_order_from_workers, in_workers

# Two workers are asked for whatever the cores (`two_workers`); the tests count them in /proc
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="Linux only: the tests find the worker processes in /proc")


@pytest.fixture(autouse=True)
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers_module, "worker_count", lambda items, worth_it_from=0: 2)


def _children() -> set[int]:
    """This process's child processes that are still running (not zombies)."""
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.add(int(pid))
    return found


def _pids(numbers: list[int]) -> list[int]:
    return [os.getpid() for _ in numbers]


def _fails_at_seven(numbers: list[int]) -> list[int]:
    if 7 in numbers:
        raise ValueError("seven is not allowed")
    return numbers


def _big(numbers: list[int]) -> list[bytes]:
    return [bytes(1_000_000) for _ in numbers]  # each result fills a pipe many times over


def _pids_first_slow(numbers: list[int]) -> list[int]:
    time.sleep(1.0 if 0 in numbers else 0.02)
    return [os.getpid() for _ in numbers]


def test_the_results_come_in_order_from_workers_each_taking_the_next_chunk_when_free() -> None:
    with in_order_from_workers(_pids_first_slow, list(range(20)), pieces=5) as results:
        pids = list(results)  # ten chunks of two: the first takes a second, the others a moment
    assert len(pids) == 20 and len(set(pids)) == 2 and os.getpid() not in pids
    assert set(pids[2:]) == {pids[2]} != {pids[0]}  # the other worker made all the rest meanwhile
    assert not _children()


def test_quick_chunks_come_in_order_whichever_worker_made_them() -> None:
    with in_order_from_workers(_fails_at_seven, list(range(7)), pieces=5) as results:
        assert list(results) == list(range(7))
    with in_order_from_workers(_pids, list(range(1000)), pieces=100) as results:
        assert len(list(results)) == 1000
    assert not _children()


def test_an_error_in_a_worker_is_raised_in_the_command_when_its_results_are_due() -> None:
    got = []
    with pytest.raises(ValueError, match="seven is not allowed"):
        with in_order_from_workers(_fails_at_seven, list(range(20)), pieces=5) as results:
            got.extend(results)
    assert got == list(range(6))  # the chunks before the failing one: 0-1, 2-3, 4-5
    assert not _children()


def _slow_first_then_failing(numbers: list[int]) -> list[int]:
    if 0 in numbers:
        time.sleep(0.5)  # the first chunk's worker: the other worker fails and ends meanwhile
    if 2 in numbers:
        raise ValueError("the second chunk fails")
    return numbers


def test_an_error_is_raised_as_itself_though_its_worker_ended_before_an_earlier_chunk_came() -> None:
    with pytest.raises(ValueError, match="the second chunk fails"):
        with in_order_from_workers(_slow_first_then_failing, list(range(20)), pieces=5) as results:
            list(results)
    assert not _children()


class _TwoPartError(Exception):
    def __init__(self, what: str, why: str):  # pickles, but does not unpickle: args holds one text
        super().__init__(f"{what}: {why}")


def _unpicklable_failure(numbers: list[int]) -> list[int]:
    raise _TwoPartError("parser", "bad state")


def test_an_error_that_cannot_cross_the_pipe_comes_as_a_runtime_error_naming_it() -> None:
    with pytest.raises(RuntimeError, match="_TwoPartError: parser: bad state"):
        with in_order_from_workers(_unpicklable_failure, list(range(20)), pieces=5) as results:
            list(results)


def _hangup_handling(numbers: list[int]) -> list[bool]:
    return [signal.getsignal(signal.SIGHUP) is signal.SIG_IGN for _ in numbers]


def test_a_hangup_ignored_by_nohup_stays_ignored_in_the_workers() -> None:
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with in_order_from_workers(_hangup_handling, list(range(20)), pieces=5) as results:
            assert all(results)
    finally:
        signal.signal(signal.SIGHUP, previous)
    with in_order_from_workers(_hangup_handling, list(range(20)), pieces=5) as results:
        assert not any(results)  # otherwise a worker dies on SIGHUP as a process should


def test_a_worker_killed_from_outside_is_reported_not_waited_for() -> None:
    def slow(numbers: list[int]) -> list[int]:
        time.sleep(0.2)
        return numbers

    started = time.monotonic()
    with pytest.raises(WorkerDied, match="ended before its work was done"):
        with in_order_from_workers(slow, list(range(40)), pieces=10) as results:
            assert next(results) == 0
            for pid in _children():
                os.kill(pid, signal.SIGKILL)
            list(results)
    assert time.monotonic() - started < 30
    assert not _children()


def test_stopping_while_the_workers_send_leaves_none_behind() -> None:
    """The command stops (an error, Ctrl-C, SIGTERM) while both workers are in the middle of sending
    large results: the block ends at once, and both workers are gone."""
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        with in_order_from_workers(_big, list(range(40)), pieces=20) as results:
            next(results)
            time.sleep(0.2)  # the workers are now blocked writing to their full pipes
            assert len(_children()) == 2
            raise KeyboardInterrupt
    assert time.monotonic() - started < 30
    assert not _children()


def test_a_worker_killed_mid_import_is_one_line_exit_71_and_nothing_written(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import invoke, snapshot_files
    from kclaims.errors import ExitCode
    from kclaims.literature import bibtex

    root = tmp_path / "catalog"
    invoke(["init", str(root)])
    bib = tmp_path / "library.bib"
    bib.write_text("".join(f"@article{{key{n},\n  title = {{Paper {n}}},\n  year = {{2020}}\n}}\n\n" for n in range(40)),
                   encoding="utf-8")
    piece_blocks = bibtex._piece_blocks

    def killed_on_its_second_piece(piece: str, prepare):  # runs in the worker: it kills itself
        if "{key10," in piece or "{key30," in piece:
            os.kill(os.getpid(), signal.SIGKILL)
        return piece_blocks(piece, prepare)

    monkeypatch.setattr(bibtex, "_piece_blocks", killed_on_its_second_piece)
    before = snapshot_files(root)
    result = invoke(["source", "import", str(bib)], code=ExitCode.SYSTEM, catalog=root)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "worker process" in result.stderr and "Nothing was written" in result.stderr
    assert snapshot_files(root) == before
    assert not _children()


def test_done_in_the_command_the_function_gets_all_the_items_in_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers_module, "worker_count", lambda items, worth_it_from=0: 1)
    calls: list[list[int]] = []

    def doubled(numbers: list[int]) -> list[int]:
        calls.append(list(numbers))
        return [number * 2 for number in numbers]

    with in_workers(doubled, list(range(5))) as results:
        assert calls == []  # nothing is done until the results are asked for
        assert results() == [0, 2, 4, 6, 8]
    assert calls == [[0, 1, 2, 3, 4]] and not _children()
