"""Deterministic synthetic inputs for bench/run.py: a catalog (claims.yaml and sources/) and a .bib file.

Both are cached in bench/out/ (git-ignored) under names that carry the size and a generator version:
change what a generator writes and bump its version, so a stale copy is never reused.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

CATALOG_VERSION = "v4"
BIB_VERSION = "v1"

TOPICS = ["depression", "ptsd", "chronic-pain", "anxiety", "ocd", "substance-use", "suicidality", "cognition"]
KINDS = ["mechanism", "efficacy", "safety", "dosing", "background"]
TYPES = [["Journal Article", "Meta-Analysis"], ["Randomized Controlled Trial"], ["Clinical Trial"],
         ["Case Reports"], ["Review"], ["Journal Article"]]
WORDS = ("ketamine esketamine receptor glutamate synapse dendrite infusion relief symptom dose patient "
         "trial onset remission neuron plasticity inflammation response week hour rapid lasting").split()


def catalog_path(out: Path, n_claims: int, n_sources: int) -> Path:
    return out / f"catalog-{CATALOG_VERSION}-{n_claims}-{n_sources}"


def bib_path(out: Path, n_entries: int) -> Path:
    return out / f"bib-{BIB_VERSION}-{n_entries}.bib"


def ensure_catalog(root: Path, n_claims: int, n_sources: int) -> None:
    """Generate the catalog at `root` unless a complete one is there (written aside, then renamed)."""
    if (root / "claims.yaml").exists():
        return
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    generate(partial, n_claims, n_sources)
    old = time.time() - 60  # well past the cache's "just written" guard
    for path in [partial / "claims.yaml", *(partial / "sources").iterdir()]:
        os.utime(path, (old, old))
    shutil.rmtree(root, ignore_errors=True)
    partial.rename(root)


def ensure_bib(path: Path, n_entries: int) -> None:
    if path.exists():
        return
    partial = path.with_name(path.name + ".partial")
    partial.write_text(bibtex(n_entries), encoding="utf-8")
    partial.rename(path)


# --- the catalog ---------------------------------------------------------------------------------

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


# --- the .bib file -------------------------------------------------------------------------------

# (as written in LaTeX, as ASCII for the citation key)
FAMILIES = [("Zarate", "zarate"), ("Berman", "berman"), ("Murrough", "murrough"), ("Krystal", "krystal"),
            ("Sanacora", "sanacora"), ("M{\\\"u}ller", "muller"), ("Garc{\\'\\i}a", "garcia"), ("Nguyen", "nguyen"),
            ("O'Brien", "obrien"), ("van der Berg", "vanderberg"), ("Smith", "smith"), ("Kim", "kim"),
            ("Johansson", "johansson"), ("Rossi", "rossi"), ("Dupont", "dupont"), ("Tanaka", "tanaka")]
GIVENS = ["Carlos A.", "Robert M.", "James W.", "John H.", "Gerard", "J{\\\"o}rg", "Mar{\\'\\i}a", "Linh",
          "Siobhan", "Pieter", "Jane", "Min-Jun", "Anna K.", "Giulia", "{\\'E}lodie", "Hiroshi"]
JOURNALS = ["American Journal of Psychiatry", "Biological Psychiatry", "JAMA Psychiatry", "The Lancet Psychiatry",
            "Molecular Psychiatry", "Neuropsychopharmacology", "Journal of Affective Disorders", "Pain"]
VENUES = ["Proceedings of the Annual Meeting of the Society of Biological Psychiatry",
          "International Conference on Neuropsychopharmacology", "Workshop on Rapid-Acting Antidepressants"]
PUBLISHERS = [("Oxford University Press", "Oxford"), ("Springer", "Cham"), ("Elsevier", "Amsterdam"),
              ("Cambridge University Press", "Cambridge")]


def bibtex(n_entries: int, seed: int = 11) -> str:
    """A .bib file of `n_entries` entries, as a reference manager exports it: mostly @article, some
    @inproceedings and @book; names "Family, Given and ..." with LaTeX accents; DOIs; PMIDs on half,
    arXiv and PubMed eprints on a few; keywords; abstracts on a third."""
    rng = random.Random(seed)
    return "\n".join(_bib_entry(i, rng) for i in range(n_entries))


def _bib_entry(i: int, rng: random.Random) -> str:
    entry_type = rng.choices(["article", "inproceedings", "book"], weights=[8, 1, 1])[0]
    authors = [rng.choice(FAMILIES) for _ in range(rng.randint(1, 6))]
    year = 1995 + i % 30
    words = _sentence(rng, rng.randint(6, 14))[:-1].split()
    title = " ".join("{K}etamine" if word == "ketamine" else word for word in words)  # braces keep a capital
    first_word = "".join(c for c in title.split()[0].lower() if c.isalnum())
    key = f"{authors[0][1]}{year}{first_word}{i}"
    fields = [("author", " and ".join(f"{family}, {rng.choice(GIVENS)}" for family, _ in authors)),
              ("title", title), ("year", str(year))]
    if entry_type == "article":
        fields += [("journal", rng.choice(JOURNALS)), ("volume", str(rng.randint(1, 180))),
                   ("number", str(rng.randint(1, 12))), _pages(rng)]
    elif entry_type == "inproceedings":
        fields += [("booktitle", rng.choice(VENUES)), _pages(rng), ("publisher", rng.choice(PUBLISHERS)[0])]
    else:
        publisher, address = rng.choice(PUBLISHERS)
        fields += [("publisher", publisher), ("address", address), ("edition", str(rng.randint(1, 4))),
                   ("isbn", f"978-{rng.randint(0, 9)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}-{i % 10}")]
    fields.append(("doi", f"10.{1000 + i % 9000}/bib.{i}"))
    fields += _identifiers(i, rng)
    fields.append(("keywords", ", ".join(rng.sample(TOPICS, rng.randint(1, 3)))))
    if rng.random() < 1 / 3:
        fields.append(("abstract", " ".join(_sentence(rng) for _ in range(rng.randint(4, 10)))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def _pages(rng: random.Random) -> tuple[str, str]:
    first = rng.randint(1, 2000)
    return ("pages", f"{first}--{first + rng.randint(3, 30)}")


def _identifiers(i: int, rng: random.Random) -> list[tuple[str, str]]:
    roll = rng.random()
    if roll < 0.5:
        return [("pmid", str(20000000 + i))]
    if roll < 0.6:
        return [("eprint", f"{2000 + i % 400}.{i % 100000:05d}"), ("archiveprefix", "arXiv"),
                ("primaryclass", "q-bio.NC")]
    if roll < 0.65:
        return [("eprint", str(30000000 + i)), ("eprinttype", "pubmed")]
    return []
