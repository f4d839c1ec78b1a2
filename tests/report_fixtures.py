"""Catalogs for the report tests: one that exercises every part of a report, one with hostile text.

Files are written as JSON, which is YAML too, so hostile strings need no YAML quoting by hand.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

# markup, script, an event handler, a javascript: link, a table pipe, emphasis, math and an entity
HOSTILE = ('<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> '
           "[click](javascript:window.__pwned=3) | *bold* _it_ $x$ `code` &amp; #tag")

REPORT_CLAIMS = [
    {"id": "rapid-relief", "statement": "Ketamine gives rapid relief from depression.", "kind": "efficacy",
     "topics": ["depression"],
     "made_in": [{"source": "blog", "quote": "ketamine works within hours for many patients"},
                 {"source": "news", "quote": "relief within a day"}],
     "evidence": [{"source": "meta2020", "stance": "supports", "note": "Pooled response at 24 hours.",
                   "certainty": "moderate"},
                  {"source": "rct2018", "stance": "supports", "note": "Response at 24 hours versus midazolam."}],
     "grade": {"verdict": "supported", "certainty": "low",
               "because": "The trials followed patients for a day only."}},
    {"id": "nmda-antagonism", "statement": "Ketamine blocks NMDA glutamate receptors.", "kind": "mechanism",
     "topics": ["depression", "chronic-pain"],
     "made_in": [{"source": "blog", "quote": "By blocking this receptor, ketamine can reduce pain"}],
     "evidence": [{"source": "anis1983", "stance": "supports", "note": "NMDA-evoked excitation fell."}]},
    {"id": "ptsd-relief", "statement": "Ketamine reduces PTSD symptoms.", "kind": "efficacy", "topics": ["ptsd"],
     "made_in": [{"source": "news", "quote": "ketamine may ease the symptoms of PTSD"}],
     "evidence": [{"source": "rct2019", "stance": "supports", "note": "Fewer symptoms at one week.",
                   "indirect": ["population"]},
                  {"source": "null2021", "stance": "contradicts", "note": "No difference at four weeks."}]},
    {"id": "cures-everything", "statement": "Ketamine cures every mood disorder.", "kind": "efficacy",
     "topics": ["depression"], "made_in": [{"source": "blog", "quote": "a cure for every mood disorder"}],
     "searched": [{"on": "2026-11-30", "database": "europepmc", "query": "ketamine AND cure AND mood disorder",
                   "screened": 12, "relevant": 0}]},
    {"id": "bladder-harm", "statement": "Frequent ketamine use damages the bladder.", "kind": "safety",
     "topics": ["side-effects"],
     "made_in": [{"source": "news", "quote": "heavy users can damage their bladder"}],
     "evidence": [{"source": "retracted2015", "stance": "supports", "note": "Case series (retracted)."},
                  {"source": "meta2020", "stance": "mentions", "note": "Lists urinary symptoms."}]},
    {"id": "no-topic", "statement": "Ketamine was first made in 1962.", "kind": "background",
     "evidence": [{"source": "null2021", "stance": "contradicts", "note": "Says 1963."}]},
]

REPORT_SOURCES = [
    {"id": "blog", "kind": "web-article", "title": "Ketamine for chronic pain", "site": "Example Clinic",
     "url": "https://example.org/ketamine", "year": 2021, "retrieved": "2026-11-22"},
    {"id": "news", "kind": "web-article", "title": "The ketamine boom", "authors": ["Jane Doe"],
     "site": "Daily News", "url": "https://news.example.com/k?id=1&x=2", "year": 2023, "date": "2023-05-04",
     "retrieved": "2026-11-20"},
    {"id": "meta2020", "title": "Ketamine for depression: a meta-analysis", "authors": ["Smith J", "Jones AB"],
     "year": 2020, "journal": "Journal of Affective Disorders", "volume": "270", "issue": "1", "pages": "1-10",
     "doi": "10.1000/meta.2020", "pmid": "22222222", "publication_types": ["Journal Article", "Meta-Analysis"],
     "population": "human"},
    {"id": "rct2018", "title": "Intravenous ketamine versus midazolam", "authors": ["Lee K"], "year": 2018,
     "journal": "American Journal of Psychiatry", "pmid": "11111111",
     "publication_types": ["Randomized Controlled Trial"], "population": "human", "n": 67},
    {"id": "rct2019", "title": "Ketamine for chronic PTSD", "authors": ["Feder A", "Costi S"], "year": 2019,
     "journal": "JAMA Psychiatry", "doi": "10.1000/rct.2019", "pmcid": "PMC1234567",
     "publication_types": ["Randomized Controlled Trial"], "population": "human"},
    {"id": "anis1983", "title": "The dissociative anaesthetics reduce excitation by N-methyl-aspartate",
     "authors": ["Anis NA", "Berry SC", "Burton NR", "Lodge D"], "year": 1983,
     "journal": "British Journal of Pharmacology", "pmid": "6317114", "pmcid": "PMC2044888",
     "doi": "10.1111/j.1476-5381.1983.tb11031.x", "publication_types": ["Journal Article"], "population": "animal"},
    {"id": "null2021", "title": "Repeated ketamine in PTSD: a randomized trial",
     "authors": ["Abdallah CG", "Roache JD", "Gueorguieva R", "Averill LA", "Young-McCaughan S", "Shiroma PR",
                 "Krystal JH"],
     "year": 2021, "journal": "Neuropsychopharmacology", "doi": "10.1000/null.2021",
     "publication_types": ["Randomized Controlled Trial"], "population": "human"},
    {"id": "retracted2015", "title": "Ketamine cystitis in ten users", "authors": ["Roe R"], "year": 2015,
     "journal": "Urology Case Reports", "doi": "10.1000/retracted.2015", "publication_types": ["Case Reports"],
     "population": "human", "retracted": True},
]

REPORT_TITLES = {s["id"]: s["title"] for s in REPORT_SOURCES}


def write_catalog(root: Path, claims: list[dict], sources: list[dict]) -> Path:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "claims.yaml").write_text(json.dumps({"claims": claims}, indent=1), encoding="utf-8")
    for source in sources:
        (root / "sources" / f"{source['id']}.yaml").write_text(json.dumps(source, indent=1), encoding="utf-8")
    return root


def write_report_catalog(root: Path) -> Path:
    """Six claims with six different verdicts and certainties (supported moderate and low, conflicting,
    contradicted high, no-evidence-found, not-assessed), a curator's grade, a downgrade for imprecision and
    one for indirectness, a review's reported certainty, a retracted source, a claim without topic."""
    return write_catalog(root, REPORT_CLAIMS, REPORT_SOURCES)


def write_hostile_catalog(root: Path) -> Path:
    """HOSTILE in every free-text field that reaches a report (ids and topics are slugs by rule), a recorded
    search's database and query included."""
    claims = [{"id": "hostile", "statement": HOSTILE, "kind": "efficacy", "topics": ["depression"],
               "made_in": [{"source": "site", "quote": HOSTILE}],
               "evidence": [{"source": "paper", "stance": "supports", "note": HOSTILE},
                            {"source": "other", "stance": "contradicts", "note": HOSTILE}],
               "grade": {"verdict": "supported", "certainty": "low", "because": HOSTILE}, "note": HOSTILE},
              {"id": "hostile-search", "statement": "Nothing tests this.", "kind": "efficacy", "topics": ["depression"],
               "searched": [{"on": "2026-11-30", "database": HOSTILE, "query": HOSTILE}]}]
    sources = [
        {"id": "site", "kind": "web-article", "title": HOSTILE, "authors": [HOSTILE], "site": HOSTILE,
         "publisher": HOSTILE, "url": "https://x.example/\"><script>window.__pwned=4</script>", "year": 2020},
        {"id": "paper", "title": HOSTILE, "authors": [HOSTILE, "Smith J"], "journal": HOSTILE, "volume": HOSTILE,
         "issue": HOSTILE, "pages": HOSTILE, "doi": f"10.1000/{HOSTILE}", "year": 2019,
         "publication_types": ["Randomized Controlled Trial"], "population": "human"},
        {"id": "other", "kind": "report", "title": HOSTILE, "publisher": HOSTILE,
         "url": "https://example.org/\"><script>window.__pwned=5</script>", "year": 2018},
    ]
    return write_catalog(root, claims, sources)


class Page(HTMLParser):
    """A small DOM summary: every element with its attributes, the text inside each, scripts and styles."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text_parts: list[str] = []
        self.raw_blocks: dict[str, list[str]] = {"script": [], "style": []}
        self._in_raw: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in self.raw_blocks:
            self._in_raw = tag
            self.raw_blocks[tag].append("")

    def handle_endtag(self, tag):
        if tag == self._in_raw:
            self._in_raw = None

    def handle_data(self, data):
        if self._in_raw:
            self.raw_blocks[self._in_raw][-1] += data
        else:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]
