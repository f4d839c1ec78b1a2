"""The GRADE Summary of Findings (sof, sof-html, sof-csv), and the reader of grade.py's reasons it rests on:
every step down the rubric can take is read back with the sources that caused it."""

from __future__ import annotations

import csv
import io

from report_fixtures import Page, write_catalog, write_report_catalog

from kclaims.catalog.files import load_catalog
from kclaims.catalog.query import select_claims
from kclaims.export import FORMATS, exporter
from kclaims.export.bodies import caused_by, claim_bodies
from kclaims.export.html import STYLE
from kclaims.export.sof import export_sof, export_sof_csv, export_sof_html, sof_tables

RCT = ["Randomized Controlled Trial"]
SOURCES = [
    {"id": "big2020", "title": "Big", "authors": ["Big B"], "year": 2020, "n": 500, "publication_types": RCT},
    {"id": "biased2021", "title": "Biased", "authors": ["Bias B"], "year": 2021, "n": 90, "risk_of_bias": "high",
     "publication_types": RCT},
    {"id": "fair2021", "title": "Fair", "authors": ["Fair F"], "year": 2021, "n": 30, "publication_types": RCT},
    {"id": "cases2019", "title": "Cases", "authors": ["Case C"], "year": 2019, "n": 8, "publication_types": ["Case Reports"]},
    {"id": "obs2018", "title": "Cohort", "authors": ["Obs O"], "year": 2018, "n": 60,
     "publication_types": ["Observational Study"]},
    {"id": "review2022", "title": "Review", "authors": ["Rev R"], "year": 2022, "publication_types": ["Meta-Analysis"]},
]
CLAIMS = [
    {"id": "biased", "statement": "Ketamine helps A.", "kind": "efficacy", "topics": ["a"],
     "evidence": [{"source": "biased2021", "stance": "supports"}, {"source": "fair2021", "stance": "supports"},
                  {"source": "obs2018", "stance": "supports"}]},
    {"id": "outweighed", "statement": "Ketamine helps B.", "kind": "efficacy", "topics": ["a", "b"],
     "evidence": [{"source": "big2020", "stance": "supports", "indirect": ["population"]},
                  {"source": "cases2019", "stance": "contradicts"}],
     "grade": {"verdict": "supported", "certainty": "low", "because": "Another population."}},
    {"id": "reported", "statement": "Ketamine helps C.", "kind": "efficacy", "topics": ["b"],
     "evidence": [{"source": "review2022", "stance": "supports", "certainty": "low"}]},
]


def _rows(tmp_path, claims=CLAIMS, sources=SOURCES):
    catalog = load_catalog(write_catalog(tmp_path / "c", claims, sources))
    return catalog, select_claims(catalog)


def test_bodies_read_back_every_step_down_with_its_sources(tmp_path):
    catalog, rows = _rows(tmp_path)
    biased, outweighed, reported = rows
    body = claim_bodies(biased, catalog.sources)["supports"]
    assert (body.start, body.certainty, body.body, body.others) == ("high", "low", ["biased2021", "fair2021"], ["obs2018"])
    assert [(d.domain, caused_by(d, biased, catalog.sources)) for d in body.downgrades] == [
        ("risk of bias", ("biased2021",)), ("imprecision", ("biased2021", "fair2021"))]
    sides = claim_bodies(outweighed, catalog.sources)
    assert outweighed.strength.key == "supported-low"  # high - indirectness = moderate, - inconsistency = low
    assert [(d.domain, caused_by(d, outweighed, catalog.sources)) for d in sides["supports"].downgrades] == [
        ("indirectness", ("big2020",)), ("inconsistency", ("cases2019",))]
    assert sides["contradicts"].certainty == "very-low" and sides["contradicts"].counted == ["cases2019"]
    assert claim_bodies(reported, catalog.sources)["supports"].reported == ["review2022"]


def test_sof_markdown_is_a_table_per_topic_with_footnotes(tmp_path):
    catalog, rows = _rows(tmp_path)
    text = export_sof(rows, list(catalog.sources.values()))
    assert text.startswith("# Summary of findings\n")
    assert text.index("## a\n") < text.index("## b\n")
    assert ("| Ketamine helps A. (`biased`) | 3 studies (180) | supported, ⊕⊕◯◯ low ¹ ² | This may be true. | · |"
            in text)
    assert ("- ¹ Risk of bias, down one step (supporting evidence): studies at high risk (biased2021) hold 90 of "
            "120 participants, more than half. Caused by Bias 2021 (biased2021).") in text
    assert "Caused by Bias 2021 (biased2021), Fair 2021 (fair2021)." in text   # imprecision: the body recording n
    assert ("| Ketamine helps B. (`outweighed`) | 2 studies (508): 1 for (500), 1 against (8) | supported, ⊕⊕◯◯ low "
            "³ ⁴ | This may be true. | supported, ⊕⊕◯◯ low, because Another population. |") in text
    assert "(contradicting evidence)" not in text, "the outweighed side's steps did not lower the certainty reported"
    assert "- ⁴ Inconsistency, down one step (supporting evidence): supporting evidence (moderate) is 2 steps more" in text
    table_b = text[text.index("## b\n"):]
    assert "supported, ⊕⊕◯◯ low ¹ ²" in table_b, "footnotes are numbered within each table"
    assert ("certainty as reported by the review (Rev 2022 (review2022)); not downgraded again for risk of bias or "
            "imprecision.") in table_b


def test_sof_of_the_report_catalog_shows_conflicting_sides_and_nothing_counted(tmp_path):
    catalog = load_catalog(write_report_catalog(tmp_path / "c"))
    rows = select_claims(catalog)
    text = export_sof(rows, list(catalog.sources.values()))
    assert "| Ketamine reduces PTSD symptoms. (`ptsd-relief`) | 2 studies: 1 for, 1 against | conflicting (supporting " \
           "⊕⊕⊕◯ moderate, contradicting ⊕⊕⊕⊕ high) ¹ | The evidence points both ways. | · |" in text
    assert "| none counted | no-evidence-found | A search found no study that tests this. | · |" in text
    assert [t.topic for t in sof_tables(rows, catalog.sources)] == [
        "chronic-pain", "depression", "ptsd", "side-effects", "(no topic)"]


def test_sof_html_and_csv(tmp_path):
    catalog, rows = _rows(tmp_path)
    sources = list(catalog.sources.values())
    html = export_sof_html(rows, sources)
    page = Page(html)
    assert page.raw_blocks["style"] == [STYLE] and page.raw_blocks["script"] == [], "the report's style, no script"
    assert [s.get("class") for s in page.all("section")] == ["sof", "sof"]
    assert {"id": "note-a-1"} in page.all("li") and {"href": "#note-a-1"} in page.all("a")
    assert "Ketamine helps A. biased 3 studies (180) supported, ⊕⊕◯◯ low 1 2 This may be true." in page.text
    table = list(csv.reader(io.StringIO(export_sof_csv(rows, sources))))
    assert table[0] == ["topic", "id", "statement", "studies", "participants", "verdict", "certainty", "downgrades",
                        "meaning", "grade_verdict", "grade_certainty", "grade_because"]
    assert table[1][:7] == ["a", "biased", "Ketamine helps A.", "3", "180", "supported", "low"]
    assert table[1][7].startswith("Risk of bias, down one step") and " | Imprecision, down one step" in table[1][7]
    assert [r[1] for r in table[1:]] == ["biased", "outweighed", "outweighed", "reported"]
    assert {name: FORMATS[name].split(":")[1] for name in ("sof", "sof-html", "sof-csv")} == {
        "sof": "export_sof", "sof-html": "export_sof_html", "sof-csv": "export_sof_csv"}
    assert exporter("sof")(rows, sources) == export_sof(rows, sources)
