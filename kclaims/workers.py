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
import struct
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
    order (`in_order_from_workers`, waited for at once). Done here, `function` gets all the items in
    one call, when the results are asked for."""
    if not forks(len(items), worth_it_from):
        yield lambda: function(list(items))
        return
    # one chunk per worker: its results wait in its pipe, which holds 64 KB, until the block asks for
    # them; with more, a worker would stop at its first chunk's send until then
    with in_order_from_workers(function, items, worth_it_from, pieces=1) as results:
        yield lambda: list(results)


@contextmanager
def in_order_from_workers(function: Callable[[list[Any]], list[Result]], items: Sequence[Any],
                          worth_it_from: int = WORTH_IT_FROM, pieces: int = 4) -> Iterator[Iterator[Result]]:
    """`function` applied to chunks of `items` (it takes a list and returns a list of as many), in
    worker processes while the block goes on; the block gets the results one at a time, in order,
    each as soon as it and those before it are done, so it can use the first while the workers make
    the rest. The items are cut into about `pieces` chunks per worker, and each worker takes the
    next chunk when it is free: more chunks when each item is much work, so the workers finish
    together even where one has a busier core. An exception `function` raises in a worker is
    raised here when its chunk's results are due. Done here (where workers are not worth it or not
    safe), each result is made when asked for."""
    if not forks(len(items), worth_it_from):
        yield (result for item in items for result in function([item]))
        return
    workers = worker_count(len(items), worth_it_from)
    chunks = _dealt(items, workers, pieces)
    crew = _Crew(function, chunks, min(workers, len(chunks)))
    try:
        yield crew.results()
    finally:
        crew.stop()


MOST_CHUNKS = 1024  # their numbers fit in a pipe however small the system makes it (4,096 bytes)


def _dealt(items: Sequence[Any], workers: int, pieces: int) -> list[list[Any]]:
    size = -(-len(items) // min(workers * pieces, MOST_CHUNKS))  # a few chunks each: a busy core takes fewer
    return [list(items[start:start + size]) for start in range(0, len(items), size)]


def forks(items: int, worth_it_from: int = WORTH_IT_FROM) -> bool:
    """Whether `in_workers` and `in_order_from_workers` do this many items in forked worker
    processes, which have their own copy of everything the command held when they started."""
    return items >= 2 and worker_count(items, worth_it_from) >= 2


def worker_count(items: int, worth_it_from: int = WORTH_IT_FROM) -> int:
    """How many workers `in_workers` starts for this many items (1: none)."""
    if items < worth_it_from or not sys.platform.startswith("linux"):  # fork is safe on Linux
        return 1
    return min(MOST_WORKERS, len(os.sched_getaffinity(0)))


class _Crew:
    """Forked workers, each taking the next chunk still to be made from a pipe of chunk numbers (a
    worker on a busy core takes fewer), making it and sending its results (or the exception that
    stopped it) down a pipe of its own, then a last None once no chunk is left."""

    def __init__(self, function: Callable[[list[Any]], list[Any]], chunks: list[list[Any]], count: int):
        from multiprocessing.connection import Pipe

        self.chunks = len(chunks)
        self.pids: list[int] = []
        self.pipes: list[Connection] = []
        self.working = set(range(count))  # workers that have not said they are done
        self.ready: dict[int, tuple[bool, Any]] = {}  # chunk number -> (made, results or exception)
        tickets = _tickets(len(chunks))
        try:
            for _ in range(count):
                reader, writer = Pipe(duplex=False)
                self.pipes.append(reader)
                try:
                    with stop_signals_held():  # a stop between the fork and noting the worker would orphan it
                        pid = os.fork()
                        if pid == 0:
                            try:  # never back into the command's code, whatever happens before `_work`
                                for other in self.pipes:  # the command's ends: a send fails once it is gone
                                    other.close()
                                _work(function, chunks, tickets, writer)
                            finally:
                                os._exit(1)
                        self.pids.append(pid)
                finally:
                    writer.close()
        except BaseException:
            self.stop()
            raise
        finally:
            os.close(tickets)

    def results(self) -> Iterator[Any]:
        for number in range(self.chunks):
            while number not in self.ready:
                self._receive()
            made, value = self.ready.pop(number)
            if not made:
                raise value
            yield from value

    def _receive(self) -> None:
        """Wait for any worker still working, and take what it sent."""
        from multiprocessing.connection import wait

        waiting = [self.pipes[k] for k in sorted(self.working)]
        if not waiting:  # (each chunk is taken by a worker that sends it, or dies: not reached)
            raise RuntimeError("the worker processes are done, and a chunk of their work is missing")
        sent = wait(waiting)
        for worker, pipe in enumerate(self.pipes):
            if pipe in sent:
                self._take(worker, pipe)

    def _take(self, worker: int, pipe: Connection) -> None:
        try:
            message = pipe.recv()
        except (EOFError, OSError):  # (OSError: killed halfway through a send)
            raise WorkerDied(f"a worker process ({self.pids[worker]}) ended before its work was done: "
                             f"was it killed, or out of memory? {NOTHING_WRITTEN}.") from None
        if message is None:
            self.working.discard(worker)
        else:
            number, made, value = message
            self.ready[number] = (made, value)  # an error is raised when that chunk is due

    def stop(self) -> None:
        """End every worker (those done have ended already) and reap it; close the pipes."""
        with stop_signals_held():
            for pid in self.pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            for pid in self.pids:
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:  # reaped already (SIGCHLD ignored): nothing to wait for
                    pass
            self.pids = []
            for pipe in self.pipes:
                pipe.close()


_TICKET = struct.Struct("=i")  # a chunk number, as a worker reads it from the pipe of tickets


def _tickets(count: int) -> int:
    """A pipe's reading end holding the chunk numbers 0 .. count - 1 (at most MOST_CHUNKS), written
    all at once, the writing end closed: a worker's read of 4 bytes takes the next number whole
    (Linux reads a pipe under its lock), and an empty read says none is left."""
    reader, writer = os.pipe()
    try:
        os.write(writer, b"".join(_TICKET.pack(number) for number in range(count)))
    finally:
        os.close(writer)
    return reader


def _work(function: Callable[[list[Any]], list[Any]], chunks: list[list[Any]], tickets: int,
          pipe: Connection) -> None:
    """A worker's life: the next chunk still to be made taken from `tickets` and its results sent
    down `pipe`, until none is left or one fails; then None, and out without running anything of
    the command's (no exit handlers, no buffers flushed twice)."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for number in STOP_SIGNALS:
            if number != signal.SIGINT and signal.getsignal(number) is not signal.SIG_IGN:  # nohup's stays
                signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # held while it was forked
        while True:
            ticket = os.read(tickets, _TICKET.size)
            if not ticket:
                break
            (number,) = _TICKET.unpack(ticket)
            if not _send_made(function, number, chunks[number], pipe):
                break
        pipe.send(None)
        status = 0
    finally:
        os._exit(status)


def _send_made(function: Callable[[list[Any]], list[Any]], number: int, chunk: list[Any], pipe: Connection) -> bool:
    """Send (number, True, the chunk's results), or (number, False, the exception that stopped
    them): False then."""
    made: tuple[int, bool, Any]
    try:
        made = (number, True, function(chunk))
    except Exception as error:  # raised in the command when this chunk's results are due
        made = (number, False, _portable(error))
    try:
        pipe.send(made)
    except Exception as error:  # results or an exception that cannot be pickled
        pipe.send((number, False, RuntimeError(f"a worker's results could not be sent: {error!r}")))
        return False
    return made[1]


def _portable(error: Exception) -> Exception:
    """`error`, or a RuntimeError saying what it was if it would not come out of the pipe whole."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error

