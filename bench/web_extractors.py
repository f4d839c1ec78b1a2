"""Measure main-text extractors on the real saved pages in ../shared/fixtures/html/.

    .venv/bin/python bench/web_extractors.py [FIXTURES_HTML_DIR]   # default: tests/data/html

For each page and extractor: precision and recall of 4-word shingles against the page's expected
text (readability's expected.html, the article-extraction-benchmark's articleBody), how many of
trafilatura's `with` snippets are found and `without` (boilerplate) snippets leak, and the time
per page. The table it prints is the one in docs/web-articles.md.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "tests" / "data" / "html"  # copies of ../shared/fixtures/html (see ORIGIN.md there)
_WORD = re.compile(r"\w+", re.UNICODE)


def load_pages(folder: Path) -> list[dict]:
    pages = []
    for page in sorted(folder.iterdir()):
        if page.name.startswith("readability-"):
            pages.append(_readability_page(page))
        elif page.name.startswith("trafilatura-"):
            pages.append(_trafilatura_page(page))
        elif page.name.startswith("aeb-"):
            pages.append(_aeb_page(page))
    return pages


def _expected(page: Path, name: str) -> Path:
    """The expected-data file, beside the page (tests/data) or in its derived/ folder (shared/fixtures)."""
    return page / name if (page / name).is_file() else page / "derived" / name


def _readability_page(page: Path) -> dict:
    from lxml import html as lxml_html

    expected = lxml_html.fromstring((page / "expected.html").read_bytes()).text_content()
    source = (page / "source.html").read_bytes()
    match = re.search(rb'og:url" content="([^"]+)"', source)
    url = match.group(1).decode() if match else "http://fakehost/test/page.html"
    return {"name": page.name, "html": source.decode("utf-8"), "url": url, "reference": expected}


def _trafilatura_page(page: Path) -> dict:
    (url, entry), = json.loads(_expected(page, "evaldata-entry.json").read_text(encoding="utf-8")).items()
    data = (page / entry["file"]).read_bytes()
    encoding = "iso-8859-1" if "nachrichten" in page.name else "utf-8"
    return {"name": page.name, "html": data.decode(encoding), "url": url, "with": entry["with"],
            "without": entry["without"] + entry.get("comments", [])[1:]}


def _aeb_page(page: Path) -> dict:
    (_, entry), = json.loads(_expected(page, "ground-truth-entry.json").read_text(encoding="utf-8")).items()
    data = gzip.decompress(next(page.glob("*.html.gz")).read_bytes())
    return {"name": page.name, "html": data.decode("utf-8"), "url": entry["url"], "reference": entry["articleBody"]}


# --- the extractors ---------------------------------------------------------------------------


def with_trafilatura(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, include_tables=True) or ""


def with_trafilatura_precision(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, favor_precision=True) or ""


def with_readability(html: str, url: str) -> str:
    from lxml import html as lxml_html
    from readability import Document

    summary = Document(html, url=url).summary(html_partial=True)
    tree = lxml_html.fromstring(summary)
    return "\n\n".join(" ".join(block.text_content().split()) for block in
                       tree.iter("p", "h1", "h2", "h3", "h4", "li", "blockquote", "pre") if block.text_content().strip())


def with_justext(html: str, url: str) -> str:
    import justext

    lang = "German" if ("nachrichten" in url or "publikum" in url) else "Russian" if "vse-diety" in url else "English"
    paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist(lang), encoding="utf-8")
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


EXTRACTORS: dict[str, Callable[[str, str], str]] = {
    "trafilatura 2.3 (default)": with_trafilatura,
    "trafilatura 2.3 (favor_precision)": with_trafilatura_precision,
    "readability-lxml 0.9": with_readability,
    "jusText 3.0": with_justext,
}


# --- scoring ----------------------------------------------------------------------------------


def shingles(text: str, size: int = 4) -> Counter:
    words = [w.casefold() for w in _WORD.findall(text)]
    return Counter(tuple(words[i:i + size]) for i in range(max(0, len(words) - size + 1)))


def precision_recall(found: str, reference: str) -> tuple[float, float]:
    got, want = shingles(found), shingles(reference)
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    return precision, recall


def _squash(text: str) -> str:
    return " ".join(text.split())


def score(pages: list[dict]) -> dict[str, dict]:
    results: dict[str, dict] = {}
    for name, extract in EXTRACTORS.items():
        rows = {}
        started = time.perf_counter()
        for page in pages:
            text = extract(page["html"], page["url"])
            row: dict = {"chars": len(text)}
            if "reference" in page:
                row["precision"], row["recall"] = precision_recall(text, page["reference"])
            else:
                flat = _squash(text)
                row["with"] = (sum(1 for s in page["with"] if _squash(s) in flat), len(page["with"]))
                row["leaks"] = (sum(1 for s in page["without"] if _squash(s) in flat), len(page["without"]))
            rows[page["name"]] = row
        results[name] = {"pages": rows, "seconds": time.perf_counter() - started}
    return results


def print_tables(pages: list[dict], results: dict[str, dict]) -> None:
    names = list(results)
    print("| page | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for page in pages:
        cells = []
        for name in names:
            row = results[name]["pages"][page["name"]]
            if "precision" in row:
                cells.append(f"P {row['precision']:.2f} / R {row['recall']:.2f}")
            else:
                cells.append(f"with {row['with'][0]}/{row['with'][1]}, leaks {row['leaks'][0]}/{row['leaks'][1]}")
        print(f"| {page['name']} | " + " | ".join(cells) + " |")
    summary = []
    for name in names:
        rows = [r for r in results[name]["pages"].values() if "precision" in r]
        p = sum(r["precision"] for r in rows) / len(rows)
        r_ = sum(r["recall"] for r in rows) / len(rows)
        f1 = 2 * p * r_ / (p + r_) if p + r_ else 0.0
        found = sum(r["with"][0] for r in results[name]["pages"].values() if "with" in r)
        wanted = sum(r["with"][1] for r in results[name]["pages"].values() if "with" in r)
        leaks = sum(r["leaks"][0] for r in results[name]["pages"].values() if "leaks" in r)
        leakable = sum(r["leaks"][1] for r in results[name]["pages"].values() if "leaks" in r)
        empty = sum(1 for r in results[name]["pages"].values() if r["chars"] == 0)
        ms = 1000 * results[name]["seconds"] / len(pages)
        summary.append(f"| {name} | {p:.3f} | {r_:.3f} | {f1:.3f} | {found}/{wanted} | {leaks}/{leakable} | "
                       f"{empty} | {ms:.0f} |")
    print()
    print("| extractor | mean precision | mean recall | F1 | `with` found | `without` leaked | empty | ms/page |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(summary))


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES
    pages = load_pages(folder)
    for extract in EXTRACTORS.values():  # warm up: imports and lazy initialisation are not per page
        extract(pages[0]["html"], pages[0]["url"])
    print_tables(pages, score(pages))


if __name__ == "__main__":
    main()
