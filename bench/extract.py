"""Time `kclaims extract` on about 1 MB of article-like text against the shipped catalog, beside a floor.

    python bench/extract.py [--megabytes 1] [--repeat 3]

The text is the five seed articles (sources/*.txt) over and over, each copy varied: about one
word in twenty swapped for another word of the same article and the sentences of each paragraph
shuffled, so that no two copies are alike (nothing can be answered from a cache) but the prose
stays as claim-dense as real clinic articles. The floor, timed in the same run, is reading the
text and splitting it into sentences with one regular expression: what any extractor pays.
Loading the catalog is timed apart (the cache makes it fast after the first run). CPU time is
printed too: extraction is single-threaded, so on a busy machine it shows what the wall clock
would be on an idle one.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ARTICLES = ("swpm-ketamine-neuroplasticity", "ketamine-therapy-benefits", "rtr-ketamine-neurological-damage",
            "nwtms-ketamine-chronic-pain", "ketamine-ptsd-anxiety")
_FLOOR_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def article_like_text(size: int, seed: int = 6) -> str:
    """At least `size` bytes of varied copies of the five seed articles, blank lines between copies."""
    rng = random.Random(seed)
    texts = [(REPO / "sources" / f"{a}.txt").read_text(encoding="utf-8") for a in ARTICLES]
    parts: list[str] = []
    total = 0
    while total < size:
        copy = _vary(texts[len(parts) % len(texts)], rng)
        parts.append(copy)
        total += len(copy.encode("utf-8")) + 2
    return "\n\n".join(parts)


def _vary(text: str, rng: random.Random) -> str:
    lines = []
    for line in text.split("\n"):
        sentences = _FLOOR_SPLIT.split(line)
        rng.shuffle(sentences)
        words = " ".join(sentences).split(" ")
        for _ in range(len(words) // 20):
            words[rng.randrange(len(words))] = words[rng.randrange(len(words))]
        lines.append(" ".join(words))
    return "\n".join(lines)


def _floor(text: str) -> int:
    from kclaims.extract.reading import article_from_text

    article = article_from_text(text)
    return sum(len(_FLOOR_SPLIT.split(line)) for line in article.text.split("\n") if line.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from kclaims.catalog.files import load_catalog
    from kclaims.extract.extraction import extract
    from kclaims.extract.index import ClaimIndex
    from kclaims.extract.reading import article_from_text

    text = article_like_text(int(args.megabytes * 1_000_000))
    size = len(text.encode("utf-8"))
    started = time.perf_counter()
    catalog = load_catalog(REPO)
    load_seconds = time.perf_counter() - started
    floors: list[float] = []
    runs: list[float] = []
    cpu: list[float] = []
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        started = time.perf_counter()
        sentences = _floor(text)
        floors.append(time.perf_counter() - started)
        started, cpu_started = time.perf_counter(), time.process_time()
        extraction = extract(article_from_text(text), catalog.claims, catalog.sources,
                             model=ClaimIndex(catalog.claims))
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    best, floor = min(runs), min(floors)
    print(f"text: {size / 1e6:.2f} MB, {extraction.sentences} sentences ({sentences} by the floor's regex); "
          f"catalog: {len(catalog.claims)} claims, loaded in {load_seconds:.3f} s")
    print(f"floor (read + regex sentence split): best {floor:.3f} s, median {statistics.median(floors):.3f} s")
    print(f"extract: best {best:.3f} s, median {statistics.median(runs):.3f} s, "
          f"{size / 1e6 / best:.2f} MB/s, {best / floor:.1f}x the floor; CPU time best {min(cpu):.3f} s "
          f"(one thread: the wall clock of an idle machine)")
    print(f"proposed {len(extraction.candidates)} sentences, "
          f"{sum(1 for c in extraction.candidates if c.match)} matched to a claim, "
          f"{len(extraction.references)} reference entries")


if __name__ == "__main__":
    main()
