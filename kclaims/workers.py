"""Work shared among worker processes, one per core, where the system can fork them (Linux): the
parsing of thousands of catalog files read for the first time, and the sections of a large report.

`in_order_from_workers(function, items)` starts `function` over chunks of `items` in the workers
and gives the block the results, in order, as they are ready; `in_workers` gives a function that
waits for all of them. With few items, or where fork is not safe, the work is done in this
process when the results are asked for. A worker leaves Ctrl-C to
the command (which stops the pool on its way out) and dies on SIGTERM as a process should.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

WORTH_IT_FROM = 2000  # fewer items are done here: starting workers costs more than they save
MOST_WORKERS = 4


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
    much work, so the workers finish together. Done here (where workers are not worth it or not
    safe), each result is made when asked for."""
    workers = worker_count(len(items), worth_it_from)
    if workers < 2 or len(items) < 2:
        yield (result for item in items for result in function([item]))
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker) as pool:
        yield (result for chunk in pool.imap(function, _dealt(items, workers, pieces)) for result in chunk)


def _dealt(items: Sequence[Any], workers: int, pieces: int) -> list[list[Any]]:
    size = -(-len(items) // (workers * pieces))  # a few chunks each, so a slow one does not hold the rest
    return [list(items[start:start + size]) for start in range(0, len(items), size)]


def worker_count(items: int, worth_it_from: int = WORTH_IT_FROM) -> int:
    """How many workers `in_workers` starts for this many items (1: none)."""
    if items < worth_it_from or not sys.platform.startswith("linux"):  # fork is safe on Linux
        return 1
    return min(MOST_WORKERS, len(os.sched_getaffinity(0)))


def _quiet_worker() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
