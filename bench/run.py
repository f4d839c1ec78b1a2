"""Time kclaims on synthetic catalogs of several sizes, each command beside its floor, in one interleaved run.

    python bench/run.py [--sizes 1000,10000] [--repeat 7] [--repeat-large 3] [--baseline DIR] [--only WORDS]
                        [--scratch DIR]
    python bench/run.py --sizes 1000,10000,100000 --repeat 3 --repeat-large 1   # the full table

For each size N (claims; sources = 2N, `--sources-per-claim`) the catalog, and a .bib file of N
entries, are generated once and kept in bench/out/ (git-ignored) under names carrying N and the
generator's version (bench/generate.py). Then every command runs `--repeat` times (`--repeat-large`
from 100,000 claims on), interleaved round by round with its floor, so each ratio compares runs
made under the same machine load. Progress goes to standard error; one table per size goes to
standard output: median wall-clock seconds, peak memory (the child's max RSS, from os.wait4, the
largest over the rounds), the floor, the ratio to the floor's median, the goal and whether it is met.

The rows and what their ratio means:

  kclaims --version                  x `python -c "import typer"`: start-up, beside the CLI library's.
  kclaims list                       x the PyYAML floor (for information): warm, the cache built.
  kclaims list, one source changed   x warm `kclaims list`, goal <= 1.3x: one source file edited
                                     (its mtime set 5 s back, older than the cache's 2 s racy guard).
  kclaims list, cold                 x the PyYAML floor, goal <= 1.2x: a fresh empty KCLAIMS_CACHE_DIR
                                     every round. The floor loads claims.yaml and every sources/*.yaml
                                     with PyYAML's C loader, gc disabled first, as kclaims runs.
  kclaims list --json                x warm `kclaims list`, goal <= 1.2x.
  kclaims list --topic ptsd          x warm `kclaims list` (for information).
  kclaims show CLAIM                 beside `python -c pass`, goal < 0.5 s absolute (the middle claim).
  kclaims export --format md         x warm `kclaims list`, goal <= 2x and peak < 500 MB: warm, an
                                     untimed export run first (the sources' pack, every source in
                                     the bibliography's order, is kept while no source changes);
                                     below the tables, its peak across the sizes: flat if the
                                     largest size's peak is at most 1.5x the smallest size's (and
                                     its growth over the last size step, for information).
  ... export, one source changed     x warm export (for information): one source file edited, as above,
                                     so the sources' pack is patched.
  kclaims source import (N entries)  x bibtexparser v2's `parse_string` of the same file in a fresh
                                     `python -c` (gc disabled first, as kclaims runs), goal <= 3x:
                                     into a catalog just made by `kclaims init`, with a fresh cache.
  N files as an import's, bare       for information, no ratio: a `python -c` that creates N files of
                                     the .bib's mean entry size in a new folder, one by one, then
                                     syncs: what the disk asks of any tool that writes a file per
                                     entry, at that moment of the run (on a busy disk it has taken
                                     from 0.2 s to 4 s for 10,000 files).
  kclaims check                      x warm `kclaims list` (for information; exit status 1 is fine).

A command that fails is not run again at that size; the table says FAILED and what it printed.

`--baseline DIR` also times the kclaims package of another revision, checked out in DIR (e.g.
`git worktree add /tmp/kclaims-before REV`), interleaved with this one and with its own caches;
its rows are prefixed "baseline:" and the "x baseline" column gives this revision's ratio to it.
`--scratch DIR` puts what the commands write (the imported catalog, fresh caches, the export) in a
new folder of the run's own inside DIR instead of bench/out/scratch: on a tmpfs such as /dev/shm it
times the import without the disk. What the rounds write (imported catalogs, bare files) is set aside,
not deleted, until the end of the run: on this machine's disk, creating files is several times
slower for a while after many files were deleted, which would time the bench's own clean-up.
`--only export,import` runs only the rows whose command holds one of those words, with the rows
they are divided by (and the warm `list`, which warms the cache): a quicker check of one goal.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generate import bib_path, catalog_path, ensure_bib, ensure_catalog
from measure import Result, run_once

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
LARGE = 100_000  # from this many claims on, --repeat-large applies
FLAT_FACTOR = 1.5  # export's peak memory counts as flat if the largest size's is at most this times the smallest's

PASS = "python -c pass"
TYPER = "import typer"
PYYAML = "PyYAML C loader, gc off"
BIBTEX = "bibtexparser parse, gc off"
LIST = "kclaims list"
EXPORT = "kclaims export --format md"

PYYAML_FLOOR = """
import gc
gc.disable()
import sys, yaml
from pathlib import Path
root = Path(sys.argv[1])
yaml.load((root / "claims.yaml").read_text(), Loader=yaml.CSafeLoader)
for p in sorted((root / "sources").glob("*.yaml")):
    yaml.load(p.read_text(), Loader=yaml.CSafeLoader)
"""

BIBTEX_FLOOR = """
import gc
gc.disable()
import sys, bibtexparser
from pathlib import Path
bibtexparser.parse_string(Path(sys.argv[1]).read_text(encoding="utf-8"))
"""


FILES_FLOOR = """
import gc
gc.disable()
import os, sys
folder, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(folder)
data = b"x" * size
for number in range(count):
    descriptor = os.open(f"{folder}/source{number}.yaml", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(descriptor, data)
    os.close(descriptor)
os.sync()
"""


@dataclass(frozen=True)
class Goal:
    text: str
    max_ratio: float | None = None
    max_seconds: float | None = None
    max_mb: float | None = None

    def verdict(self, seconds: float, ratio: float | None, peak_mb: float) -> str:
        misses = []
        if self.max_ratio is not None and (ratio is None or ratio > self.max_ratio):
            misses.append("time")
        if self.max_seconds is not None and seconds > self.max_seconds:
            misses.append("time")
        if self.max_mb is not None and peak_mb > self.max_mb:
            misses.append("memory")
        return f"NO ({', '.join(misses)})" if misses else "yes"


@dataclass
class Row:
    """One command of the table, and what its rounds gave."""

    name: str
    argv: list[str]
    env: dict[str, str]
    floor: str | None = None  # the name of the row it is divided by
    goal: Goal | None = None
    ok_codes: tuple[int, ...] = (0,)
    prepare: Callable[[], str | None] | None = None  # before each round, untimed; returns a failure or None
    results: list[Result] = field(default_factory=list)
    failure: str | None = None

    def median(self) -> float | None:
        return statistics.median(r.seconds for r in self.results) if self.results else None

    def peak(self) -> float | None:
        return max(r.peak_mb for r in self.results) if self.results else None


@dataclass(frozen=True)
class Version:
    """A kclaims checkout to time: its rows are named with `prefix`, and it keeps its own caches."""

    prefix: str
    code: Path
    cache: Path  # the warm cache, kept between runs of the bench
    scratch: Path  # fresh caches, the imported catalogs, the export: removed at the end of the run

    def env(self, cache: Path) -> dict[str, str]:
        return {**os.environ, "KCLAIMS_CACHE_DIR": str(cache), "PYTHONPATH": str(self.code)}

    @staticmethod
    def kclaims() -> list[str]:
        """The command, its package found on PYTHONPATH (`env`): -P keeps `python -m` from putting the
        current folder first, which made every baseline run this checkout's kclaims instead."""
        return [sys.executable, "-P", "-m", "kclaims"]


# --- the rows ------------------------------------------------------------------------------------

def floor_rows(catalog: Path, bib: Path, n_entries: int, scratch: Path) -> list[Row]:
    py, env = sys.executable, os.environ.copy()
    created = scratch / "created-files"
    return [Row(PASS, [py, "-c", "pass"], env),
            Row(TYPER, [py, "-c", "import typer"], env),
            Row(PYYAML, [py, "-c", PYYAML_FLOOR, str(catalog)], env),
            Row(BIBTEX, [py, "-c", BIBTEX_FLOOR, str(bib)], env),
            Row(f"{n_entries} files as an import's, bare", [py, "-c", FILES_FLOOR, str(created), str(n_entries),
                                                             str(bib.stat().st_size // n_entries)], env,
                prepare=lambda: set_aside(created))]


def set_aside(folder: Path) -> None:
    """Move the last round's `folder` out of the way, to be removed with the scratch folder after the
    size's rounds: on this machine's ext4 disk, creating 10,000 files took 2-4 s of kernel time for
    a while after 10,000 others were deleted (even 20 s later, after a sync), and 0.2 s otherwise.
    A round deleting the last round's files would time the file system catching up with the bench."""
    if folder.exists():
        folder.rename(folder.with_name(f"{folder.name}-old-{time.monotonic_ns()}"))


def kclaims_rows(version: Version, catalog: Path, bib: Path, n_claims: int,
                 touch: Callable[[], str | None] | None) -> list[Row]:
    """This version's rows, in the order they run in a round. `touch` (one version's only) edits a
    source before the "one source changed" rows, so every version's warm rows stay warm."""
    kclaims, cat, p = version.kclaims(), ["--catalog", str(catalog)], version.prefix
    warm, cold_cache = version.env(version.cache), version.scratch / "cold-cache"
    imported, import_cache = version.scratch / "import-catalog", version.scratch / "import-cache"
    claim = f"claim-{n_claims // 2:05d}"  # exists at every size
    export = kclaims + ["export", "--format", "md", "--output", str(version.scratch / "export.md"), *cat]
    return [
        Row(p + "kclaims --version", kclaims + ["--version"], warm, TYPER),
        Row(p + LIST, kclaims + ["list", *cat], warm, PYYAML),
        Row(p + "kclaims list, one source changed", kclaims + ["list", *cat], warm, p + LIST,
            Goal("<= 1.3x", max_ratio=1.3), prepare=touch),
        Row(p + "kclaims list, cold", kclaims + ["list", *cat], version.env(cold_cache), PYYAML,
            Goal("<= 1.2x", max_ratio=1.2), prepare=lambda: empty(cold_cache)),
        Row(p + "kclaims list --json", kclaims + ["list", "--json", *cat], warm, p + LIST,
            Goal("<= 1.2x", max_ratio=1.2)),
        Row(p + "kclaims list --topic ptsd", kclaims + ["list", "--topic", "ptsd", *cat], warm, p + LIST),
        Row(p + f"kclaims show {claim}", kclaims + ["show", claim, *cat], warm, PASS,
            Goal("< 0.5 s", max_seconds=0.5)),
        Row(p + EXPORT, export, warm, p + LIST, Goal("<= 2x, < 500 MB", max_ratio=2, max_mb=500),
            prepare=lambda: run_once(export, warm).failure((0,))),
        Row(p + f"{EXPORT}, one source changed", export, warm, p + EXPORT, prepare=touch),
        Row(p + f"kclaims source import ({n_claims} entries)",
            kclaims + ["source", "import", str(bib), "--catalog", str(imported)], version.env(import_cache), BIBTEX,
            Goal("<= 3x", max_ratio=3), prepare=lambda: fresh_catalog(version, imported, import_cache)),
        Row(p + "kclaims check", kclaims + ["check", *cat], warm, p + LIST, ok_codes=(0, 1)),
    ]


def empty(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def settle() -> None:
    """Put what the rows before wrote or deleted on disk before the timed run (a cold cache, bare
    files, imports): a command's own sync (an export's, an import's) would wait for it, as ext4
    commits all pending data with its journal (an export of 100,000 claims right after 800 MB were
    written: 8.6 s against 7.4 s), and deleting 10,000 files leaves the journal busy."""
    if hasattr(os, "sync"):
        os.sync()


def fresh_catalog(version: Version, folder: Path, cache: Path) -> str | None:
    """`kclaims init` a new empty catalog in `folder` (the last one set aside), and empty `cache`."""
    set_aside(folder)
    result = run_once(version.kclaims() + ["init", str(folder)], version.env(cache))
    empty(cache)
    failure = result.failure((0,))
    return f"kclaims init: {failure}" if failure else None


def toucher(catalog: Path, n_sources: int) -> Callable[[], str | None]:
    rounds = itertools.count()

    def touch() -> None:
        touch_one_source(catalog, n_sources, next(rounds))

    return touch


def touch_one_source(root: Path, n_sources: int, round_number: int) -> None:
    """Change one source file (its title), as a person editing it would."""
    path = root / "sources" / f"s{n_sources - 1:05d}.yaml"
    if not path.exists():
        path = sorted((root / "sources").glob("*.yaml"))[-1]
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = f"title: Edited title {round_number}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    old = time.time() - 5  # older than the cache's "just written" guard, as an edit a moment ago would be
    os.utime(path, (old + round_number * 1e-3, old + round_number * 1e-3))


def interleave(per_version: list[list[Row]]) -> list[Row]:
    """Each command for every version before the next command."""
    return [row for same_command in zip(*per_version) for row in same_command]


# --- running -------------------------------------------------------------------------------------

def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_row(row: Row) -> Result | None:
    """One timed run of `row` (after its untimed preparation); a failure is kept and stops the row."""
    if row.prepare is not None and (failure := row.prepare()):
        row.failure = f"preparing: {failure}"
        return None
    settle()
    result = run_once(row.argv, row.env)
    row.failure = result.failure(row.ok_codes)
    if row.failure is None:
        row.results.append(result)
    return result


def run_rounds(rows: list[Row], repeat: int, label: str) -> None:
    for round_number in range(1, repeat + 1):
        for row in rows:
            if row.failure is not None:
                continue
            result = run_row(row)
            outcome = f"{result.seconds:7.2f} s {result.peak_mb:6.0f} MB" if result and not row.failure else "FAILED"
            say(f"[{label}] round {round_number}/{repeat} {row.name:45} {outcome}")


def warm_up(rows: list[Row], versions: list[Version], label: str) -> None:
    """Build each version's cache (and fill the OS file cache) with one untimed `kclaims list`."""
    by_name = {row.name: row for row in rows}
    for version in versions:
        row = by_name[version.prefix + LIST]
        start = time.perf_counter()
        row.failure = run_once(row.argv, row.env).failure(row.ok_codes)
        say(f"[{label}] warm-up {row.name}: {time.perf_counter() - start:.1f} s{' FAILED' if row.failure else ''}")


def prepare_inputs(n_claims: int, n_sources: int) -> tuple[Path, Path]:
    catalog, bib = catalog_path(OUT, n_claims, n_sources), bib_path(OUT, n_claims)
    for path, make in ((catalog, lambda: ensure_catalog(catalog, n_claims, n_sources)),
                       (bib, lambda: ensure_bib(bib, n_claims))):
        if not path.exists():
            say(f"generating {path} ...")
            start = time.perf_counter()
            make()
            say(f"generated {path.name} in {time.perf_counter() - start:.0f} s")
    return catalog, bib


def selected(rows: list[Row], only: list[str]) -> list[Row]:
    """The rows whose command holds one of the words in `only` (all rows if none), with the rows
    they are divided by, and each version's warm `list` (the warm-up runs it)."""
    if not only:
        return rows
    wanted = {row.name for row in rows if row.name.endswith(LIST) or any(word in row.name for word in only)}
    while True:
        floors = {row.floor for row in rows if row.name in wanted and row.floor and row.floor not in wanted}
        if not floors:
            return [row for row in rows if row.name in wanted]
        wanted |= floors


def bench_size(n_claims: int, n_sources: int, repeat: int, baseline: Path | None,
               only: list[str] | None = None, scratch: Path = OUT / "scratch") -> list[Row]:
    catalog, bib = prepare_inputs(n_claims, n_sources)
    versions = [Version("", HERE.parent, OUT / f"cache-{n_claims}", scratch / "this")]
    if baseline is not None:
        versions.append(Version("baseline: ", baseline.resolve(), OUT / f"cache-baseline-{n_claims}",
                                scratch / "baseline"))
    touch = toucher(catalog, n_sources)
    per_version = [kclaims_rows(v, catalog, bib, n_claims, touch if i == 0 else None) for i, v in enumerate(versions)]
    rows = selected(floor_rows(catalog, bib, n_claims, scratch) + interleave(per_version), only or [])
    label = f"{n_claims:,}"
    for version in versions:
        version.scratch.mkdir(parents=True, exist_ok=True)  # where the export goes, whatever rows run
    warm_up(rows, versions, label)
    run_rounds(rows, repeat, label)
    return rows


# --- the report ----------------------------------------------------------------------------------

def report(n_claims: int, n_sources: int, repeat: int, rows: list[Row]) -> None:
    by_name = {row.name: row for row in rows}
    baseline = any(name.startswith("baseline: ") for name in by_name)
    print(f"\n{n_claims:,} claims, {n_sources:,} sources, {repeat} round(s)")
    header = f"{'command':46} {'median s':>9} {'peak MB':>8}  {'floor':27} {'x floor':>8}  {'goal':17} {'met?':10}"
    print(header + (f" {'x baseline':>10}" if baseline else ""))
    for row in rows:
        print(_line(row, by_name, baseline))
    for row in rows:
        if row.failure is not None:
            print(f"\nFAILED: {row.name}: {row.failure}")


def _line(row: Row, by_name: dict[str, Row], baseline: bool) -> str:
    median, peak = row.median(), row.peak()
    if median is None or peak is None:
        return f"{row.name:46} {'FAILED':>9}"
    floor = by_name.get(row.floor) if row.floor else None
    floor_median = floor.median() if floor else None
    ratio = median / floor_median if floor_median else None
    text = (f"{row.name:46} {median:9.3f} {peak:8.0f}  {row.floor or '':27} "
            f"{f'{ratio:8.3f}' if ratio is not None else ' ' * 8}  {row.goal.text if row.goal else '':17} "
            f"{row.goal.verdict(median, ratio, peak) if row.goal else '':10}")
    other = by_name.get(f"baseline: {row.name}")
    other_median = other.median() if other else None
    if baseline and other_median:
        text += f" {median / other_median:10.3f}"
    return text.rstrip()


def report_flatness(peaks: dict[int, float]) -> None:
    """Whether export's peak memory stays flat as the catalog grows."""
    if len(peaks) < 2:
        return
    sizes = sorted(peaks)
    small, large = peaks[sizes[0]], peaks[sizes[-1]]
    listed = ", ".join(f"{size:,}: {peaks[size]:.0f} MB" for size in sizes)
    verdict = "yes" if large <= FLAT_FACTOR * small else "NO"
    last_step = (f"; x{large / peaks[sizes[-2]]:.2f} over the last x{sizes[-1] / sizes[-2]:.0f} claims"
                 if len(sizes) > 2 else "")
    print(f"\n{EXPORT} peak by size: {listed}; x{large / small:.2f} over x{sizes[-1] / sizes[0]:.0f} claims"
          f"{last_step}; flat (<= {FLAT_FACTOR}x)? {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", "--claims", default="1000,10000",
                        help="claims per catalog, comma-separated (default: 1000,10000)")
    parser.add_argument("--sources-per-claim", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=7, help="rounds per size")
    parser.add_argument("--repeat-large", type=int, default=3, help=f"rounds from {LARGE:,} claims on")
    parser.add_argument("--baseline", type=Path, help="a checkout of another revision, timed beside this one")
    parser.add_argument("--scratch", type=Path, default=OUT / "scratch",
                        help="where imported catalogs, fresh caches and exports go: a new folder of the run's "
                             "own inside it, removed at the end (e.g. /dev/shm: an import timed without the disk)")
    parser.add_argument("--only", default="", metavar="WORDS",
                        help="only the commands holding one of these comma-separated words (e.g. 'export,import'), "
                             "with their floors")
    args = parser.parse_args()
    only = [word.strip() for word in args.only.split(",") if word.strip()]
    sizes = [int(size) for size in args.sizes.replace("_", "").split(",") if size.strip()]
    export_peaks: dict[int, float] = {}
    args.scratch.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="kclaims-bench-", dir=args.scratch))  # only ever this one is removed
    try:  # what the rounds wrote is removed at the end (see `set_aside`), each size in a folder of its own
        for n_claims in sizes:
            n_sources = n_claims * args.sources_per_claim
            repeat = args.repeat_large if n_claims >= LARGE else args.repeat
            rows = bench_size(n_claims, n_sources, repeat, args.baseline, only, scratch / f"{n_claims}")
            report(n_claims, n_sources, repeat, rows)
            peak = next((row.peak() for row in rows if row.name == EXPORT), None)
            if peak is not None:
                export_peaks[n_claims] = peak
            sys.stdout.flush()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report_flatness(export_peaks)


if __name__ == "__main__":
    main()
