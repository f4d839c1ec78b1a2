"""Source files read for the first time are parsed by worker processes when there are many: the
catalog, its problems and their order are what one process would give."""

import json
from pathlib import Path

import pytest

import kclaims.workers as workers_module
from conftest import invoke
from kclaims.catalog.check import check_catalog
from kclaims.catalog.files import load_catalog, parse_source_files
from kclaims.errors import BadInput


def _break(root: Path, name: str) -> None:
    path = root / "sources" / name
    path.write_text(path.read_text(encoding="utf-8").replace("kind: ", "kind: [", 1), encoding="utf-8")


def test_workers_parse_as_one_process_does(shipped_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    paths = sorted(str(p) for p in (shipped_catalog / "sources").glob("*.yaml"))
    serial = parse_source_files(paths)
    monkeypatch.setattr(workers_module, "worker_count", lambda items, worth_it_from=0: 2)
    assert parse_source_files(paths) == serial and len(serial) > 50
    listed = invoke(["list", "--json"], catalog=shipped_catalog).stdout  # cold: the workers read every file
    assert [c["id"] for c in json.loads(listed)["claims"]] == [c.id for c in load_catalog(shipped_catalog).claims]


def test_a_broken_file_is_reported_as_one_process_reports_it(shipped_catalog: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    _break(shipped_catalog, "zarate2006.yaml")
    _break(shipped_catalog, "anis1983.yaml")
    monkeypatch.setattr(workers_module, "worker_count", lambda items, worth_it_from=0: 2)
    with pytest.raises(BadInput) as raised:
        load_catalog(shipped_catalog)
    assert raised.value.path is not None and Path(raised.value.path).name == "anis1983.yaml"  # the first in order
    in_workers = [str(p) for p in check_catalog(shipped_catalog)]
    monkeypatch.setattr(workers_module, "worker_count", lambda items, worth_it_from=0: 1)
    assert in_workers == [str(p) for p in check_catalog(shipped_catalog)]
    broken = [line for line in in_workers if "anis1983.yaml:" in line or "zarate2006.yaml:" in line]
    assert len(broken) >= 2 and all(line.split(":")[1].isdigit() for line in broken)


def _squares_with_pid(numbers: list[int]) -> list[tuple[int, int]]:
    import os

    return [(number * number, os.getpid()) for number in numbers]


def test_results_in_order_come_in_order_from_workers_or_one_at_a_time_here() -> None:
    import os
    import sys

    numbers = list(range(40))
    with workers_module.in_order_from_workers(_squares_with_pid, numbers, worth_it_from=2, pieces=10) as results:
        got = list(results)
    assert [square for square, _ in got] == [n * n for n in numbers]
    if sys.platform.startswith("linux") and workers_module.worker_count(40, 2) > 1:
        assert os.getpid() not in {pid for _, pid in got}  # made by the workers
    asked: list[int] = []

    def counted(chunk: list[int]) -> list[tuple[int, int]]:
        asked.extend(chunk)
        return _squares_with_pid(chunk)

    with workers_module.in_order_from_workers(counted, numbers, worth_it_from=1000) as here:
        assert next(here) == (0, os.getpid()) and asked == [0]  # made when asked for, not before
        assert [square for square, _ in here] == [n * n for n in numbers[1:]]
