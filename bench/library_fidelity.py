"""How much of a bibliography survives kclaims: import every .bib fixture, export it as BibTeX, import
the export again, and count per file: entries, keys kept exactly, records equal after the round trip,
and the fields (by name) that the first import kept nowhere.

    python bench/library_fidelity.py [DIR ...]    # default: tests/data/bibtex

Prints a Markdown table; the totals line is what docs/sources.md and the issue report quote.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kclaims.export.bibtex import write_bibtex  # noqa: E402
from kclaims.literature.bibtex import read_bibtex  # noqa: E402
from kclaims.literature.library import decode  # noqa: E402
from kclaims.literature.source_ids import new_source_id  # noqa: E402

# fields a record holds in its own columns (the rest must be in `extra` to count as kept)
COLUMNS = {"title", "author", "editor", "year", "date", "month", "journal", "publisher", "volume", "number",
           "issue", "pages", "doi", "pmid", "pmcid", "url", "crossref", "eprint", "eprinttype", "archiveprefix"}
IGNORED = ("id", "retrieved", "key")


def with_ids(records: list) -> list:
    taken: set[str] = set()
    sources = []
    for record in records:
        source_id = new_source_id(record, taken, record.key)
        taken.add(source_id)
        sources.append(dataclasses.replace(record, id=source_id))
    return sources


def comparable(record) -> dict:
    return {k: v for k, v in dataclasses.asdict(record).items() if k not in IGNORED}


def round_trip(text: str) -> dict:
    """Counts for one file's text; `differences` lists (key, field) pairs that changed."""
    first = read_bibtex(text)
    sources = with_ids([e.record for e in first.entries])
    exported = write_bibtex(sources)
    second = read_bibtex(exported)
    differences = []
    for source, again in zip(sources, [e.record for e in second.entries]):
        a, b = comparable(source), comparable(again)
        differences += [(source.key, name) for name in a if a[name] != b[name]]
    keys = sum(1 for s, e in zip(sources, second.entries) if s.key == e.key)
    equal = sum(1 for s, e in zip(sources, second.entries) if comparable(s) == comparable(e.record))
    return {"entries": len(first.entries), "exported": len(second.entries), "keys": keys, "equal": equal,
            "differences": differences, "warnings": len(second.warnings)}


def lost_fields(text: str) -> Counter[str]:
    """Field names of the file that the import kept in no column and not in `extra`."""
    import bibtexparser

    library = bibtexparser.parse_string(text.lstrip("\ufeff"), parse_stack=[])
    records = {e.line: e.record for e in read_bibtex(text).entries}
    lost: Counter[str] = Counter()
    for entry in library.entries:
        record = records.get(entry.start_line + 1)
        if record is None:
            continue
        for item in entry.fields:
            name = item.key.lower()
            if name not in COLUMNS and name not in record.extra:
                lost[name] += 1
    return lost


def main(folders: list[Path]) -> None:
    totals: Counter[str] = Counter()
    lost_total: Counter[str] = Counter()
    print("| file | entries | keys kept | round-trip equal | fields lost |\n|---|---|---|---|---|")
    started = time.perf_counter()
    for path in sorted(p for folder in folders for p in folder.glob("*.bib")):
        text = decode(path.read_bytes()).text
        counts = round_trip(text)
        lost = lost_fields(text)
        lost_total += lost
        totals.update({k: counts[k] for k in ("entries", "keys", "equal")})
        shown = ", ".join(f"{name} ({n})" for name, n in lost.most_common(4)) or "none"
        print(f"| {path.name} | {counts['entries']} | {counts['keys']} | {counts['equal']} | {shown} |")
        for key, name in counts["differences"][:3]:
            print(f"|  differs: {key} {name} | | | | |")
    print(f"| **all** | {totals['entries']} | {totals['keys']} | {totals['equal']} | "
          f"{sum(lost_total.values())} values: {', '.join(f'{k} ({n})' for k, n in lost_total.most_common(6))} |")
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]] or [REPO / "tests" / "data" / "bibtex"])
