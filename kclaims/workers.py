"""Work shared among worker processes, one per core, where the system can fork them (Linux): the
parsing of thousands of catalog files read for the first time, looking at the files of a large
catalog, reading a large .bib file, and the sections of a large report.

`in_order_from_workers(function, items)` starts `function` over chunks of `items` in the workers
and gives the block the results, in order, as they are ready; `in_workers` gives a function that
waits for all of them. With few items, or where fork is not safe, the work is done in this
process when the results are asked for.

The workers are forked here rather than kept by `multiprocessing.Pool`: a pool's workers share the
locks of its queues, and ending the pool on a stop (Ctrl-C, SIGTERM) kills a worker that may hold
one, after which the pool waits for it forever. Each worker here has a pipe of its own to send its
results down, so a stop kills the workers and reaps them, and nothing waits on a dead one. A
worker leaves Ctrl-C to the command and dies on SIGTERM as a process should.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from kclaims.errors import NOTHING_WRITTEN, STOP_SIGNALS, ExitCode, KclaimsError, stop_signals_held

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

Result = TypeVar("Result")

WORTH_IT_FROM = 2000  # fewer items are done here: starting workers costs more than they save
MOST_WORKERS = 4


class WorkerDied(KclaimsError):
    """A worker process ended without handing over its results (killed from outside, out of memory)."""

    exit_code = ExitCode.SYSTEM


@contextmanager
def in_workers(function: Callable[[list[Any]], list[Result]], items: Sequence[Any],
               worth_it_from: int = WORTH_IT_FROM) -> Iterator[Callable[[], list[Result]]]:
    """`function` applied to chunks of `items` (it takes a list and returns a list of as many), in
    worker processes while the block goes on; the block gets a function returning all results, in
    order (`in_order_from_workers`, waited for at once)."""
    with in_order_from_workers(function, items, worth_it_from) as results:
        yield lambda: list(results)


@contextmanager
def in_order_from_workers(function: Callable[[list[Any]], list[Result]], items: Sequence[Any],
                          worth_it_from: int = WORTH_IT_FROM, pieces: int = 4) -> Iterator[Iterator[Result]]:
    """`function` applied to chunks of `items` (it takes a list and returns a list of as many), in
    worker processes while the block goes on; the block gets the results one at a time, in order,
    each as soon as it and those before it are done, so it can use the first while the workers make
    the rest. The items are dealt out in about `pieces` chunks per worker: more when each item is
    much work, so the workers finish together. An exception `function` raises in a worker is
    raised here when its chunk's results are due. Done here (where workers are not worth it or not
    safe), each result is made when asked for."""
    workers = worker_count(len(items), worth_it_from)
    if workers < 2 or len(items) < 2:
        yield (result for item in items for result in function([item]))
        return
    chunks = _dealt(items, workers, pieces)
    crew = _Crew(function, chunks, min(workers, len(chunks)))
    try:
        yield crew.results()
    finally:
        crew.stop()


def _dealt(items: Sequence[Any], workers: int, pieces: int) -> list[list[Any]]:
    size = -(-len(items) // (workers * pieces))  # a few chunks each, so a slow one does not hold the rest
    return [list(items[start:start + size]) for start in range(0, len(items), size)]


def worker_count(items: int, worth_it_from: int = WORTH_IT_FROM) -> int:
    """How many workers `in_workers` starts for this many items (1: none)."""
    if items < worth_it_from or not sys.platform.startswith("linux"):  # fork is safe on Linux
        return 1
    return min(MOST_WORKERS, len(os.sched_getaffinity(0)))


class _Crew:
    """Forked workers, worker k making chunks k, k + n, k + 2n... in turn and sending each chunk's
    results (or the exception that stopped it) down a pipe of its own."""

    def __init__(self, function: Callable[[list[Any]], list[Any]], chunks: list[list[Any]], count: int):
        from multiprocessing.connection import Pipe

        self.chunks = len(chunks)
        self.count = count
        self.pids: list[int] = []
        self.pipes: list[Connection] = []
        self.received = [0] * count  # chunks each worker has sent so far
        self.failed: set[int] = set()  # workers that sent an exception: they send nothing more
        self.ready: dict[int, tuple[bool, Any]] = {}  # chunk number -> (made, results or exception)
        try:
            for number in range(count):
                reader, writer = Pipe(duplex=False)
                self.pipes.append(reader)
                try:
                    with stop_signals_held():  # a stop between the fork and noting the worker would orphan it
                        pid = os.fork()
                        if pid == 0:
                            for other in self.pipes:  # the command's ends: a worker's send fails once it is gone
                                other.close()
                            _work(function, chunks[number::count], writer)
                        self.pids.append(pid)
                finally:
                    writer.close()
        except BaseException:
            self.stop()
            raise

    def results(self) -> Iterator[Any]:
        for number in range(self.chunks):
            while number not in self.ready:
                self._receive()
            made, value = self.ready.pop(number)
            if not made:
                raise value
            yield from value

    def _receive(self) -> None:
        """Wait for any worker with chunks still to come, and take what it sent."""
        from multiprocessing.connection import wait

        waiting = [self.pipes[k] for k in range(self.count)
                   if self._next_chunk(k) < self.chunks and k not in self.failed]
        sent = wait(waiting)
        for worker, pipe in enumerate(self.pipes):
            if pipe in sent:
                self._take(worker, pipe)

    def _take(self, worker: int, pipe: Connection) -> None:
        try:
            made = self.ready[self._next_chunk(worker)] = pipe.recv()
            if not made[0]:
                self.failed.add(worker)  # it stopped there; its error is raised when that chunk is due
        except EOFError:
            raise WorkerDied(f"a worker process ({self.pids[worker]}) ended before its work was done: "
                             f"was it killed, or out of memory? {NOTHING_WRITTEN}.") from None
        self.received[worker] += 1

    def _next_chunk(self, worker: int) -> int:
        return worker + self.received[worker] * self.count

    def stop(self) -> None:
        """End every worker (those done have ended already) and reap it; close the pipes."""
        with stop_signals_held():
            for pid in self.pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            for pid in self.pids:
                os.waitpid(pid, 0)
            self.pids = []
            for pipe in self.pipes:
                pipe.close()


def _work(function: Callable[[list[Any]], list[Any]], chunks: list[list[Any]], pipe: Connection) -> None:
    """A worker's life: each chunk's results sent down `pipe` in turn, then out without running
    anything of the command's (no exit handlers, no buffers flushed twice)."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for number in STOP_SIGNALS:
            if number != signal.SIGINT and signal.getsignal(number) is not signal.SIG_IGN:  # nohup's stays
                signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # held while it was forked
        for chunk in chunks:
            if not _send_made(function, chunk, pipe):
                break
        status = 0
    finally:
        os._exit(status)


def _send_made(function: Callable[[list[Any]], list[Any]], chunk: list[Any], pipe: Connection) -> bool:
    """Send (True, the chunk's results), or (False, the exception that stopped them): False then."""
    made: tuple[bool, Any]
    try:
        made = (True, function(chunk))
    except Exception as error:  # raised in the command when this chunk's results are due
        made = (False, _portable(error))
    try:
        pipe.send(made)
    except Exception as error:  # results or an exception that cannot be pickled
        pipe.send((False, RuntimeError(f"a worker's results could not be sent: {error!r}")))
        return False
    return made[0]


def _portable(error: Exception) -> Exception:
    """`error`, or a RuntimeError saying what it was if it would not come out of the pipe whole."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error

