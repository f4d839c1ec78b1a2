"""Time kclaims beside its peers (papis, pubs, coBib) on one synthetic BibTeX library, side by side.

    python bench/peers.py [--entries 10000] [--repeat 5] [--seed 7] [--timeout 300] [--only papis,pubs]

Checks claims such as "kclaims lists and filters faster than every peer". Everything lives in
bench/out/peers/ (git-ignored):

1. venvs/: each peer in its own virtual environment, installed with pip on the first run and reused
   afterwards (--reinstall to redo it): papis; pubs with bibtexparser<2 (pubs needs the 1.x API);
   coBib. kclaims is the one this script runs from (its venv's `kclaims`, or --kclaims PATH).
2. library-N-seed.bib: one BibTeX file of --entries entries made by random.Random(--seed), so the
   same arguments give the same file: authors as "Family, Given and ...", title, journal, year,
   volume, pages, DOI, a PMID for most, keywords; a few conference papers and books. Exactly 1% of
   the titles hold the word "zebrafish", which nothing else holds: that is the 1% filter.
3. libs/: the library built in each tool from that file, timed once (the "import" row):
   kclaims init + source import; papis bibtex read ... import --all; pubs init + import;
   cobib init + import --bibtex. Rebuilt on every run, from an empty fake home; with --reuse, a
   tool's library (and fake home) is kept when an earlier run built it from the same file with the
   same version (kclaims's includes its git revision), and the import row shows the time recorded
   then (libs/state.json). papis adds one entry at a time,
   querying and saving its whole cache for each, so its import grows with the square of the entries;
   by default it also forks a process pool per query, which --papis-np 0 (the default here: PAPIS_NP=0,
   papis's own switch) turns off for the import only. Its list and filter run with papis's defaults.
4. Then, interleaved round-robin for --repeat rounds (the order of the tools turning each round, so
   all run under the same machine load), after one untimed warm run of each command:
   list (every entry), 1% filter (titles holding the word) and --version. Medians are reported.

Each tool runs with HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_CACHE_HOME and XDG_STATE_HOME in a
folder of its own, bench/out/peers/home/TOOL, so nothing reads or writes the real user's configuration. Output goes to a
pipe (stdout is /dev/null), stdin is /dev/null, COLUMNS is 120. Each command has a timeout: a tool
that fails or times out is reported as failed, not waited for; a row a tool cannot do is "n/a",
with the reason below the table. Ratios are peer / kclaims: above 1, kclaims is faster.

The list commands are each tool's own listing of every entry: `kclaims source list`,
`papis list --all` (its default output, one folder per document, the cheapest it has: with a
--format printing each entry's metadata it took 16 s for 10,000 entries where this took 0.35 s),
`pubs list`, `cobib list`. Each sample is saved in results.json beside the libraries.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out" / "peers"
HOME = OUT / "home"
VENVS = OUT / "venvs"
LIBS = OUT / "libs"
STATE = LIBS / "state.json"
WORD = "zebrafish"
TOOLS = ("kclaims", "papis", "pubs", "cobib")
PEERS: dict[str, tuple[str, ...]] = {"papis": ("papis",), "pubs": ("pubs", "bibtexparser<2"), "cobib": ("cobib",)}
DISTS: dict[str, tuple[str, ...]] = {
    "kclaims": ("kclaims",), "papis": ("papis",), "pubs": ("pubs", "bibtexparser"), "cobib": ("cobib", "bibtexparser"),
}
TIMED_ROWS = ("list", "1% filter", "--version")
ROWS = ("list", "1% filter", "import", "--version")
LABELS = {"kclaims": "kclaims", "papis": "papis", "pubs": "pubs", "cobib": "coBib"}

FAMILIES = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Wilson "
            "Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker "
            "Young Allen King Wright Scott Nguyen Hill Green Adams Baker Nelson Carter Mitchell Zhang Wang Li Liu "
            "Chen Yang Huang Zhao Wu Zhou Kim Park Choi Tanaka Suzuki Sato Kowalski Nowak Novak Rossi Russo Ferrari "
            "Esposito Bianchi Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Jensen Nielsen "
            "Hansen Johansson Andersson Larsen Dubois Lefebvre Moreau Laurent Petrov Ivanov Kuznetsov Singh Kumar "
            "Sharma Patel Gupta Cohen Levi Silva Santos Oliveira Pereira").split()
ODD_FAMILIES = ("van der Berg", "de Jong", "O'Brien", "Müller", "García-Márquez", "Łukasz", "Søndergaard", "Nuñez")
GIVEN = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
         "Joseph Jessica Thomas Sarah Wei Fang Hiroshi Yuki Ahmed Fatima Olga Ivan Anna Lars Ingrid Pierre "
         "Camille Giulia Marco Ana João Priya Rahul Min-jun Ji-woo Sven Katarzyna").split()
TITLE_WORDS = ("ketamine esketamine receptor glutamate synapse dendrite infusion relief symptom dose patient trial "
               "onset remission neuron plasticity inflammation response rapid lasting depression treatment-resistant "
               "randomized controlled double-blind placebo cohort outcomes adolescents adults elderly anxiety "
               "suicidal ideation cortex hippocampus NMDA antagonist antidepressant effects single repeated "
               "meta-analysis systematic review efficacy safety tolerability mechanisms biomarkers imaging "
               "connectivity prefrontal mice rats model chronic stress pain postoperative delirium anesthesia "
               "sedation outpatient clinic real-world evidence").split()
JOINERS = ("of", "in", "for", "and", "with", "after", "versus", "during")
JOURNALS = ("Journal of Affective Disorders", "American Journal of Psychiatry", "Biological Psychiatry",
            "Molecular Psychiatry", "JAMA Psychiatry", "Neuropsychopharmacology", "The Lancet Psychiatry",
            "Psychopharmacology", "Translational Psychiatry", "Frontiers in Psychiatry", "Nature Neuroscience",
            "Neuron", "Anesthesia and Analgesia", "British Journal of Anaesthesia", "Pain", "PLoS One",
            "Scientific Reports", "Journal of Clinical Psychiatry", "Depression and Anxiety", "BMC Psychiatry")
CONFERENCES = ("Proceedings of the Annual Meeting of the Society for Neuroscience",
               "Proceedings of the International Conference on Psychopharmacology")
PUBLISHERS = ("Oxford University Press", "Springer", "Elsevier", "Cambridge University Press")
KEYWORDS = ("ketamine", "esketamine", "depression", "NMDA receptor", "glutamate", "suicide", "anesthesia",
            "chronic pain", "PTSD", "neuroplasticity", "randomized controlled trial", "meta-analysis",
            "biomarkers", "adolescents", "safety", "dissociation", "infusion", "intranasal")


@dataclass
class Plan:
    """How to build one tool's library and what to time in it: argv lists, or a reason for n/a."""

    setup: list[list[str]]
    import_argv: list[str]
    rows: dict[str, list[str] | str]
    env: dict[str, str]
    import_env: dict[str, str] = field(default_factory=dict)


@dataclass
class Cell:
    """One tool's timings for one row: seconds per sample, or why there are none."""

    samples: list[float] = field(default_factory=list)
    note: str = ""
    lines: int | None = None

    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples and not self.note else None


# ---------------------------------------------------------------- the library


def make_bib(path: Path, n: int, seed: int) -> None:
    """Write n synthetic but realistic BibTeX entries; exactly n // 100 (at least 1) titles hold WORD."""
    rng = random.Random(seed)
    marked = set(rng.sample(range(n), max(1, n // 100)))
    keys: set[str] = set()
    entries = [_entry(i, rng, i in marked, keys) for i in range(n)]
    path.write_text("\n".join(entries), encoding="utf-8")


def _entry(i: int, rng: random.Random, marked: bool, keys: set[str]) -> str:
    authors = [_author(rng) for _ in range(rng.choice((1, 2, 3, 3, 4, 5, 6, 8, 12)))]
    year = rng.randint(1990, 2025)
    title = _title(rng, marked)
    key = _citekey(authors[0], year, title, keys)
    kind = rng.choices(("article", "inproceedings", "book"), weights=(90, 7, 3))[0]
    fields = {"author": " and ".join(authors), "title": title, "year": str(year)}
    if kind == "article":
        first = rng.randint(1, 2000)
        fields.update(journal=rng.choice(JOURNALS), volume=str(rng.randint(1, 120)),
                      number=str(rng.randint(1, 12)), pages=f"{first}--{first + rng.randint(3, 25)}")
    elif kind == "inproceedings":
        fields.update(booktitle=rng.choice(CONFERENCES), pages=f"{rng.randint(1, 300)}--{rng.randint(301, 600)}")
    else:
        fields.update(publisher=rng.choice(PUBLISHERS), address="Oxford")
    fields["doi"] = f"10.{1000 + i % 9000}/bench.{year}.{i:06d}"
    if kind == "article" and rng.random() < 0.7:
        fields["pmid"] = str(20_000_000 + i * 13 + rng.randrange(13))
    fields["keywords"] = ", ".join(rng.sample(KEYWORDS, rng.randint(2, 5)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
    return f"@{kind}{{{key},\n{body}\n}}\n"


def _author(rng: random.Random) -> str:
    family = rng.choice(ODD_FAMILIES) if rng.random() < 0.05 else rng.choice(FAMILIES)
    given = rng.choice(GIVEN)
    if rng.random() < 0.3:
        given = f"{given[0]}. {rng.choice(GIVEN)[0]}."
    return f"{family}, {given}"


def _title(rng: random.Random, marked: bool) -> str:
    words = [rng.choice(TITLE_WORDS) for _ in range(rng.randint(5, 12))]
    for at in range(2, len(words), 4):
        words.insert(at, rng.choice(JOINERS))
    if marked:
        words.insert(rng.randint(1, len(words)), WORD)
    title = " ".join(words)
    if rng.random() < 0.2:
        title += ": a " + rng.choice(("randomized trial", "cohort study", "systematic review", "pilot study"))
    return title[0].upper() + title[1:]


def _citekey(first_author: str, year: int, title: str, keys: set[str]) -> str:
    family = first_author.split(",")[0]
    ascii_family = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode()
    stem = "".join(c for c in ascii_family.lower() if c.isalnum()) + str(year)
    stem += "".join(c for c in title.split()[0].lower() if c.isalnum())
    key, suffix = stem, 0
    while key in keys:
        suffix += 1
        key = f"{stem}{chr(ord('a') + suffix % 26)}{suffix // 26 or ''}"
    keys.add(key)
    return key


# ---------------------------------------------------------------- environments


def tool_env(name: str) -> dict[str, str]:
    """The environment a tool runs in: the real one, but with its own fake home and XDG folders."""
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"}
    env = {k: v for k, v in os.environ.items()
           if k not in drop and not k.startswith(("KCLAIMS_", "PAPIS", "PUBS", "COBIB"))}
    home = HOME / name
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_STATE_HOME=str(home / ".local/state"), COLUMNS="120",
               PIP_CACHE_DIR=str(OUT / "pip-cache"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def reset(name: str) -> None:
    """Empty a tool's fake home and library, so that it builds from nothing (its venv stays)."""
    for folder in (HOME / name, LIBS / name):
        shutil.rmtree(folder, ignore_errors=True)
    for sub in (".config", ".local/share", ".local/state", ".cache"):
        (HOME / name / sub).mkdir(parents=True, exist_ok=True)


def ensure_venv(name: str, reinstall: bool, env: dict[str, str]) -> Path:
    """The bin folder of the peer's venv, made and filled with pip unless it already holds the same packages."""
    venv = VENVS / name
    marker = venv / "bench-packages.txt"
    wanted = "\n".join(PEERS[name])
    if not reinstall and marker.is_file() and marker.read_text() == wanted:
        return venv / "bin"
    shutil.rmtree(venv, ignore_errors=True)
    print(f"installing {' '.join(PEERS[name])} in {venv.relative_to(REPO)} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *PEERS[name]]
    subprocess.run(pip, check=True, env=env, stdin=subprocess.DEVNULL, timeout=1800)
    marker.write_text(wanted)
    return venv / "bin"


def kclaims_bin(given: str | None) -> Path:
    """The folder of the kclaims executable: --kclaims's, else this interpreter's, else the repo's .venv."""
    if given:
        return Path(given).resolve().parent
    for folder in (Path(sys.executable).parent, REPO / ".venv" / "bin"):
        if (folder / "kclaims").is_file():
            return folder
    sys.exit("kclaims not found: run this with the project's venv python, or pass --kclaims PATH")


def versions(bins: dict[str, Path], env: dict[str, str]) -> dict[str, str]:
    """Each tool's installed distribution versions (and Python's), read by its own interpreter."""
    code = ("import importlib.metadata as m, platform, sys\n"
            "print(', '.join(f'{d} {m.version(d)}' for d in sys.argv[1:]) + ', Python ' + platform.python_version())")
    found = {}
    for name, folder in bins.items():
        done = subprocess.run([str(folder / "python"), "-c", code, *DISTS[name]], capture_output=True, text=True,
                              env=env, timeout=60)
        found[name] = done.stdout.strip() or f"unknown ({done.stderr.strip()[-200:]})"
    rev = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True, text=True)
    if rev.returncode == 0 and "kclaims" in found:
        found["kclaims"] += f", git {rev.stdout.strip()}"
    return found


# ---------------------------------------------------------------- the commands


def plan_kclaims(bin_dir: Path, bib: Path) -> Plan:
    exe, lib, env = str(bin_dir / "kclaims"), LIBS / "kclaims", tool_env("kclaims")
    listing = [exe, "source", "list", "-C", str(lib)]
    return Plan(setup=[[exe, "init", str(lib)]],
                import_argv=[exe, "source", "import", str(bib), "--catalog", str(lib)],
                rows={"list": listing, "1% filter": kclaims_filter(listing, env), "--version": [exe, "--version"]},
                env=env)


def kclaims_filter(listing: list[str], env: dict[str, str]) -> list[str] | str:
    """`source list` with its text or title filter, if its --help offers one; else why not."""
    done = subprocess.run([*listing[:3], "--help"], capture_output=True, text=True, env=env, timeout=60)
    for option in ("--title", "--text", "--query", "--grep", "--match"):
        if option in done.stdout.split():
            return [*listing, option, WORD]
    options = sorted({word.rstrip(",") for word in done.stdout.split() if word.startswith("--")} - {"--help"})
    return f"`kclaims source list` has no filter (its --help offers only {', '.join(options)})"


def plan_papis(bin_dir: Path, bib: Path, papis_np: str) -> Plan:
    exe, lib = str(bin_dir / "papis"), LIBS / "papis"
    config = HOME / "papis" / ".config" / "papis" / "config"  # where papis looks, under its fake XDG_CONFIG_HOME
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[settings]\ndefault-library = bench\n\n[bench]\ndir = {lib}\n")
    lib.mkdir(parents=True, exist_ok=True)
    return Plan(setup=[], import_argv=[exe, "bibtex", "read", str(bib), "import", "--all", "--batch"],
                rows={"list": [exe, "list", "--all"], "1% filter": [exe, "list", "--all", f"title:{WORD}"],
                      "--version": [exe, "--version"]},
                env=tool_env("papis"), import_env={} if papis_np == "default" else {"PAPIS_NP": papis_np})


def plan_pubs(bin_dir: Path, bib: Path) -> Plan:
    exe, lib, config = str(bin_dir / "pubs"), LIBS / "pubs", str(HOME / "pubs" / ".pubsrc")
    return Plan(setup=[[exe, "-c", config, "init", "-p", str(lib)]], import_argv=[exe, "-c", config, "import", str(bib)],
                rows={"list": [exe, "-c", config, "list"], "1% filter": [exe, "-c", config, "list", f"title:{WORD}"],
                      "--version": [exe, "--version"]},
                env=tool_env("pubs"))


def plan_cobib(bin_dir: Path, bib: Path) -> Plan:
    exe = str(bin_dir / "cobib")  # its database is $XDG_DATA_HOME/cobib/literature.yaml, in its fake home
    return Plan(setup=[[exe, "init"]], import_argv=[exe, "import", "--bibtex", "--", str(bib)],
                rows={"list": [exe, "list"], "1% filter": [exe, "list", "++title", WORD],
                      "--version": [exe, "--version"]},
                env=tool_env("cobib"))


def run(argv: list[str], env: dict[str, str], timeout: float, keep_output: bool = False) -> tuple[float, str, int]:
    """Run once with stdin from /dev/null and stdout to a pipe: (seconds, error or "", stdout lines if kept)."""
    start = time.perf_counter()
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, env=env, timeout=timeout, stderr=subprocess.PIPE,
                              stdout=subprocess.PIPE if keep_output else subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, f"failed: timed out after {timeout:g} s", 0
    seconds = time.perf_counter() - start
    lines = done.stdout.count(b"\n") if keep_output else 0
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["(no message)"]
        return seconds, f"failed: exit {done.returncode}: {tail[0][:160]}", lines
    return seconds, "", lines


# ---------------------------------------------------------------- the runs


def build(plans: dict[str, Plan], timeout: float) -> dict[str, Cell]:
    """Set up each library from nothing and time its import once; a failure leaves a note."""
    cells = {}
    for name, plan in plans.items():
        cell = Cell()
        for argv in plan.setup:
            _, error, _ = run(argv, plan.env, 120)
            if error:
                cell.note = f"{error} (in `{Path(argv[0]).name} {argv[1]}`)"
                break
        if not cell.note:
            print(f"importing into {LABELS[name]} ...", end=" ", flush=True)
            seconds, cell.note, _ = run(plan.import_argv, {**plan.env, **plan.import_env}, timeout)
            cell.samples.append(seconds)
            print(cell.note or f"{seconds:.1f} s", flush=True)
        cells[name] = cell
    return cells


def load_state() -> dict[str, dict[str, object]]:
    """What the earlier runs recorded of each library they built (file, version, settings, import)."""
    try:
        state = json.loads(STATE.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(state, dict):
        return {}
    return {name: record for name, record in state.items() if name in TOOLS and isinstance(record, dict)}


def reusable(state: dict[str, dict[str, object]], names: list[str], record: dict[str, dict[str, object]]
             ) -> dict[str, Cell]:
    """The recorded imports of the tools whose library was built from this file, by this version, this way."""
    kept = {}
    for name in names:
        old = state.get(name, {})
        cell = old.get("import")
        if {k: v for k, v in old.items() if k != "import"} == record[name] and isinstance(cell, dict):
            if not cell.get("note") and (HOME / name).is_dir():
                kept[name] = Cell(samples=list(cell["samples"]))
    return kept


def remember(state: dict[str, dict[str, object]], built: dict[str, Cell], record: dict[str, dict[str, object]]
             ) -> None:
    for name, cell in built.items():
        state[name] = {**record[name], "import": {"samples": cell.samples, "note": cell.note}}
    STATE.parent.mkdir(parents=True, exist_ok=True)
    STATE.write_text(json.dumps(state, indent=1) + "\n")


def warm(plans: dict[str, Plan], built: dict[str, Cell], timeout: float) -> dict[str, dict[str, Cell]]:
    """One untimed run of each command (builds the tools' caches), counting its output lines."""
    table: dict[str, dict[str, Cell]] = {row: {} for row in TIMED_ROWS}
    for row in TIMED_ROWS:
        for name, plan in plans.items():
            argv = plan.rows[row]
            if isinstance(argv, str):
                table[row][name] = Cell(note=f"n/a: {argv}")
            elif built[name].note:
                table[row][name] = Cell(note="failed: no library (the import failed)")
            else:
                _, error, lines = run(argv, plan.env, timeout, keep_output=True)
                table[row][name] = Cell(note=error, lines=lines)
    return table


def rounds(plans: dict[str, Plan], table: dict[str, dict[str, Cell]], repeat: int, timeout: float) -> None:
    """Time every command that worked, round-robin, the tools' order turning each round."""
    names = list(plans)
    for number in range(repeat):
        order = names[number % len(names):] + names[:number % len(names)]
        for row in TIMED_ROWS:
            for name in order:
                cell, argv = table[row][name], plans[name].rows[row]
                if cell.note or isinstance(argv, str):
                    continue
                seconds, cell.note, _ = run(argv, plans[name].env, timeout)
                cell.samples.append(seconds)
        print(f"round {number + 1}/{repeat} done", flush=True)


# ---------------------------------------------------------------- the report


def report(table: dict[str, dict[str, Cell]], names: list[str], found: dict[str, str], args: argparse.Namespace,
           reused: list[str]) -> None:
    imported = "import: one run"
    if "papis" in names and args.papis_np != "default":
        imported += f", papis's with PAPIS_NP={args.papis_np}"
    if reused:
        imported += f"; recorded by an earlier run (--reuse) for {', '.join(LABELS[name] for name in reused)}"
    print(f"\n{args.entries:,} entries; seconds, medians of {args.repeat} interleaved runs ({imported});\n"
          f"ratio = peer / kclaims (above 1: kclaims faster)\n")
    peers = [name for name in names if name != "kclaims"]
    header = ["", *(LABELS[name] for name in names), *(f"{LABELS[p]}/kclaims" for p in peers)]
    lines: list[list[str]] = [header]
    notes: list[str] = []
    for row in ROWS:
        cells = table[row]
        line = [row]
        for name in names:
            line.append(_seconds(cells[name], f"{LABELS[name]} {row}", notes))
        base = cells["kclaims"].median() if "kclaims" in cells else None
        for peer in peers:
            value = cells[peer].median()
            line.append(f"{value / base:.1f}x" if value is not None and base else "n/a")
        lines.append(line)
    widths = [max(len(line[col]) for line in lines) for col in range(len(header))]
    for line in lines:
        print("  ".join(text.ljust(width) if col == 0 else text.rjust(width)
                        for col, (text, width) in enumerate(zip(line, widths))))
    for number, note in enumerate(notes, 1):
        print(f"[{number}] {note}")
    print("\nstdout lines of the warm run (list, 1% filter): " + "; ".join(
        f"{LABELS[name]} {_lines(table['list'][name])}, {_lines(table['1% filter'][name])}" for name in names))
    print(f"\nversions ({platform.system()} {platform.machine()}, {os.cpu_count()} CPUs):")
    for name in names:
        print(f"  {LABELS[name]}: {found.get(name, '?')}")


def _lines(cell: Cell) -> str:
    return "-" if cell.lines is None else str(cell.lines)


def _seconds(cell: Cell, what: str, notes: list[str]) -> str:
    value = cell.median()
    if value is not None:
        return f"{value:.3f}"
    notes.append(f"{what}: {cell.note}")
    return f"{cell.note.split(':')[0]} [{len(notes)}]"


def save(path: Path, table: dict[str, dict[str, Cell]], found: dict[str, str], args: argparse.Namespace) -> None:
    data = {"entries": args.entries, "seed": args.seed, "repeat": args.repeat, "versions": found,
            "rows": {row: {name: {"samples": cell.samples, "note": cell.note, "lines": cell.lines}
                           for name, cell in cells.items()} for row, cells in table.items()}}
    path.write_text(json.dumps(data, indent=1) + "\n")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="See the module docstring (bench/peers.py) for what each row runs.")
    parser.add_argument("--entries", type=int, default=10_000, help="entries in the library (default 10000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds, after one warm run (default 5)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic library (default 7)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed per list/filter/--version run (default 300)")
    parser.add_argument("--import-timeout", type=float, default=14400, help="seconds allowed per import (default 14400)")
    parser.add_argument("--only", default="", help="comma-separated peers to run beside kclaims (default: all)")
    parser.add_argument("--kclaims", help="the kclaims executable (default: the one beside this python)")
    parser.add_argument("--reinstall", action="store_true", help="make the peers' venvs again")
    parser.add_argument("--papis-np", default="0", metavar="N",
                        help="PAPIS_NP for papis's import only (default 0: no process pool forked per entry, about "
                             "3x faster on 2 cores; 'default' leaves papis's own, a pool of one process per CPU)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep each library an earlier run built from the same file with the same version "
                             "of its tool, and the import time it recorded")
    args = parser.parse_args()
    if args.entries < 1 or args.repeat < 1:
        parser.error("--entries and --repeat must be at least 1")
    return args


def chosen_tools(only: str) -> list[str]:
    peers = [name.strip().lower() for name in only.split(",") if name.strip()] or list(PEERS)
    unknown = [name for name in peers if name not in PEERS]
    if unknown:
        sys.exit(f"unknown peer(s): {', '.join(unknown)}; choose from {', '.join(PEERS)}")
    return ["kclaims", *[name for name in TOOLS if name in peers]]


def make_plans(names: list[str], bins: dict[str, Path], bib: Path, papis_np: str) -> dict[str, Plan]:
    plans = {"kclaims": plan_kclaims(bins["kclaims"], bib)}
    if "papis" in names:
        plans["papis"] = plan_papis(bins["papis"], bib, papis_np)
    if "pubs" in names:
        plans["pubs"] = plan_pubs(bins["pubs"], bib)
    if "cobib" in names:
        plans["cobib"] = plan_cobib(bins["cobib"], bib)
    return plans


def records(names: list[str], bib: Path, found: dict[str, str], args: argparse.Namespace) -> dict[str, dict[str, object]]:
    """What makes a library reusable: the file it came from, the tool's version and the import's settings."""
    digest = hashlib.sha256(bib.read_bytes()).hexdigest()
    made: dict[str, dict[str, object]] = {name: {"bib": digest, "version": found[name]} for name in names}
    if "papis" in made:
        made["papis"]["papis_np"] = args.papis_np
    return made


def main() -> None:
    args = parse_args()
    names = chosen_tools(args.only)
    bins = {"kclaims": kclaims_bin(args.kclaims)}
    bins.update({name: ensure_venv(name, args.reinstall, tool_env("pip")) for name in names if name != "kclaims"})
    found = versions(bins, tool_env("pip"))
    bib = OUT / f"library-{args.entries}-{args.seed}.bib"
    make_bib(bib, args.entries, args.seed)
    state, record = load_state(), records(names, bib, found, args)
    kept = reusable(state, names, record) if args.reuse else {}
    for name in names:
        if name not in kept:
            reset(name)
    plans = make_plans(names, bins, bib, args.papis_np)
    built = build({name: plan for name, plan in plans.items() if name not in kept}, args.import_timeout)
    remember(state, built, record)
    built.update(kept)
    table = warm(plans, built, args.timeout)
    rounds(plans, table, args.repeat, args.timeout)
    table["import"] = built
    report(table, names, found, args, [name for name in names if name in kept])
    save(OUT / "results.json", table, found, args)


if __name__ == "__main__":
    main()
