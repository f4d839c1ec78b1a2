"""Time kclaims on a synthetic catalog of 10,000 claims and 20,000 sources, beside its floors.

    python bench/run.py [--claims 10000] [--sources 20000] [--repeat 7] [--baseline DIR]

Each command runs `--repeat` times, interleaved with its floors (`python -c pass`,
`python -c "import typer"`, and loading the same YAML files with PyYAML's C loader), so the
ratios compare runs made under the same machine load. Output goes to a pipe, as in a script.
The catalog and cache live in bench/out/ (git-ignored); the first `list` builds the cache.

`--baseline DIR` also times the kclaims package of another revision, checked out in DIR (e.g.
`git worktree add /tmp/kclaims-before REV`), interleaved with this one and with its own cache, so
a change is measured as a ratio against what it replaces.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TOPICS = ["depression", "ptsd", "chronic-pain", "anxiety", "ocd", "substance-use", "suicidality", "cognition"]
KINDS = ["mechanism", "efficacy", "safety", "dosing", "background"]
TYPES = [["Journal Article", "Meta-Analysis"], ["Randomized Controlled Trial"], ["Clinical Trial"],
         ["Case Reports"], ["Review"], ["Journal Article"]]
WORDS = ("ketamine esketamine receptor glutamate synapse dendrite infusion relief symptom dose patient "
         "trial onset remission neuron plasticity inflammation response week hour rapid lasting").split()


def _sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def generate(root: Path, n_claims: int, n_sources: int, seed: int = 7) -> None:
    """Write a catalog of synthetic but valid claims and sources (and a few snapshots)."""
    rng = random.Random(seed)
    sources = root / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    articles = max(1, n_sources // 20)
    texts = [[_sentence(rng) for _ in range(40)] for _ in range(articles)]
    for i in range(n_sources):
        _write_source(sources, i, texts[i] if i < articles else None, rng)
    lines = ["# synthetic benchmark catalog", "claims:"]
    for i in range(n_claims):
        lines += _claim_lines(i, rng, texts, n_sources)
    (root / "claims.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_source(folder: Path, i: int, article: list[str] | None, rng: random.Random) -> None:
    sid = f"s{i:05d}"
    if article is not None:
        text = (f"id: {sid}\nkind: web-article\ntitle: Clinic article {i}\nauthors: []\nyear: 2020\n"
                f"site: Clinic {i}\nurl: https://clinic{i}.example/ketamine\npopulation: unknown\n"
                f"retracted: false\nretrieved: 2026-11-22\nreferences: {{}}\n")
        (folder / f"{sid}.txt").write_text(" ".join(article), encoding="utf-8")
    else:
        types = rng.choice(TYPES)
        text = (f"id: {sid}\nkind: journal-article\ntitle: {_sentence(rng)}\nauthors: [Author{i} A, Second B]\n"
                f"year: {1990 + i % 35}\njournal: Journal {i % 50}\npmid: \"{1000000 + i}\"\npmcid: null\n"
                f"doi: 10.1000/bench.{i}\nurl: null\npublication_types: [{', '.join(types)}]\n"
                f"population: {rng.choice(['human', 'human', 'animal'])}\ndesign: null\nretracted: false\n"
                f"retrieved: 2026-11-22\nreferences: {{}}\n")
        if rng.random() < 0.6:  # rubric 2's appraisal keys, on most papers
            text += f"n: {rng.randint(8, 900)}\nrisk_of_bias: {rng.choice(['low', 'some', 'high'])}\n"
    (folder / f"{sid}.yaml").write_text(text, encoding="utf-8")


def _claim_lines(i: int, rng: random.Random, texts: list[list[str]], n_sources: int) -> list[str]:
    articles = len(texts)
    topics = ", ".join(rng.sample(TOPICS, 2))
    lines = [f"  - id: claim-{i:05d}", f"    statement: {_sentence(rng)} Number {i}.",
             f"    kind: {rng.choice(KINDS)}", f"    topics: [{topics}]", "    made_in:"]
    for _ in range(rng.randint(1, 3)):
        article = rng.randrange(articles)
        quote = rng.choice(texts[article])[:-1]  # a verbatim sentence of that article, so check is clean
        lines += [f"      - source: s{article:05d}", f"        quote: \"{quote}\""]
    lines.append("    evidence:")
    for _ in range(rng.randint(0, 4)):
        lines += [f"      - source: s{rng.randrange(articles, n_sources):05d}",
                  f"        stance: {rng.choice(['supports', 'supports', 'contradicts', 'mentions'])}",
                  f"        note: {_sentence(rng, 8)}"]
        if rng.random() < 0.3:
            lines.append(f"        indirect: [{rng.choice(['population', 'intervention', 'outcome'])}]")
    return lines


PYYAML_FLOOR = """
import sys, yaml
from pathlib import Path
root = Path(sys.argv[1])
yaml.load((root / "claims.yaml").read_text(), Loader=yaml.CSafeLoader)
for p in sorted((root / "sources").glob("*.yaml")):
    yaml.load(p.read_text(), Loader=yaml.CSafeLoader)
"""


def floors(root: Path) -> dict[str, list[str]]:
    py = sys.executable
    return {
        "floor: python -c pass": [py, "-c", "pass"],
        "floor: import typer": [py, "-c", "import typer"],
        "floor: PyYAML C loader, all files": [py, "-c", PYYAML_FLOOR, str(root)],
    }


def commands(root: Path) -> dict[str, list[str]]:
    kclaims = [sys.executable, "-m", "kclaims"]
    cat = ["--catalog", str(root)]
    return {
        "kclaims --version": kclaims + ["--version"],
        "kclaims list": kclaims + ["list", *cat],
        "kclaims list --topic ptsd": kclaims + ["list", "--topic", "ptsd", *cat],
        "kclaims list --json": kclaims + ["list", "--json", *cat],
        "kclaims show claim-04242": kclaims + ["show", "claim-04242", *cat],
        "kclaims check": kclaims + ["check", *cat],
    }


def run_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv[:6])} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def touch_one_source(root: Path, round_number: int) -> None:
    """Change one source file (its title), as a person editing it would."""
    path = root / "sources" / "s19999.yaml"
    if not path.exists():
        path = sorted((root / "sources").glob("*.yaml"))[-1]
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = f"title: Edited title {round_number}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    old = time.time() - 5  # older than the cache's "just written" guard, as an edit a moment ago would be
    os.utime(path, (old + round_number * 1e-3, old + round_number * 1e-3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--sources", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--baseline", type=Path, help="a checkout of another revision, timed beside this one")
    args = parser.parse_args()
    root = OUT / f"catalog-v4-{args.claims}-{args.sources}"
    if not (root / "claims.yaml").exists():
        print(f"generating {root} ...", file=sys.stderr)
        generate(root, args.claims, args.sources)
        old = time.time() - 60
        for path in [root / "claims.yaml", *(root / "sources").iterdir()]:
            os.utime(path, (old, old))
    versions = {"": (HERE.parent, OUT / "cache")}
    if args.baseline:
        versions["baseline: "] = (args.baseline.resolve(), OUT / "cache-baseline")
    runs = {name: (argv, os.environ.copy()) for name, argv in floors(root).items()}
    for prefix, (code, cache) in versions.items():
        env = {**os.environ, "KCLAIMS_CACHE_DIR": str(cache), "PYTHONPATH": str(code)}
        runs.update({prefix + name: (argv, env) for name, argv in commands(root).items()})
        run_once(runs[prefix + "kclaims list"][0], env)  # warm the cache and the OS file cache
    times: dict[str, list[float]] = {name: [] for name in runs}
    for prefix in versions:
        times[prefix + "kclaims list, one source changed"] = []
    for round_number in range(args.repeat):
        for name, (argv, env) in runs.items():
            times[name].append(run_once(argv, env))
        touch_one_source(root, round_number)
        for prefix in versions:
            argv, env = runs[prefix + "kclaims list"]
            times[prefix + "kclaims list, one source changed"].append(run_once(argv, env))
    report(times)


def report(times: dict[str, list[float]]) -> None:
    medians = {name: statistics.median(values) for name, values in times.items()}
    typer_floor = medians["floor: import typer"]
    yaml_floor = medians["floor: PyYAML C loader, all files"]
    print(f"{'command':50} {'median s':>9} {'x typer':>8} {'x PyYAML':>9} {'x baseline':>11}")
    for name, value in medians.items():
        baseline = medians.get(f"baseline: {name}")
        versus = f"{value / baseline:11.2f}" if baseline else ""
        print(f"{name:50} {value:9.3f} {value / typer_floor:8.2f} {value / yaml_floor:9.2f} {versus}")


if __name__ == "__main__":
    main()
