"""The Markdown report: rendered by a real CommonMark parser (markdown-it-py, with GFM tables) and checked."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO, invoke
from markdown_it import MarkdownIt
from report_fixtures import HOSTILE, REPORT_TITLES, Page, write_catalog, write_hostile_catalog, write_report_catalog

from kclaims.catalog.files import load_catalog
from kclaims.export.markdown import block, export_markdown, inline
from kclaims.catalog.query import linked_sources, select_claims

EXAMPLE = REPO / "docs" / "report-example.md"
REGENERATE = "kclaims export --format md --output docs/report-example.md"


def render(markdown: str) -> Page:
    """Markdown as GitHub would read it (CommonMark, tables, raw HTML allowed), parsed into a page."""
    parser = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    return Page(parser.render(markdown))


def _export(root: Path) -> str:
    catalog = load_catalog(root)
    rows = select_claims(catalog)
    return export_markdown(rows, linked_sources(catalog, rows))


def _table_rows(markdown: str, header: str) -> dict[str, list[str]]:
    """A summary table as {first cell: other cells}, read from the Markdown text."""
    lines = markdown[markdown.index(header):].splitlines()[2:]
    rows = {}
    for line in lines:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        rows[cells[0]] = cells[1:]
    return rows


def test_markdown_report_structure(tmp_path):
    text = _export(write_report_catalog(tmp_path / "c"))
    page = render(text)
    headings = [t for t, _ in page.elements if t in ("h1", "h2", "h3")]
    assert headings[0] == "h1"
    assert text.index("## Summary") < text.index("## Claims by topic") < text.index("## Bibliography")
    for topic in ("chronic-pain", "depression", "ptsd", "side-effects"):
        assert f"\n### {topic}\n" in text
    assert "\n### No topic\n" in text
    statements = re.findall(r"^#### (.+)$", text, flags=re.M)
    assert len(statements) == 6, "each claim is shown in full once, under its first topic"
    assert "Also in this topic, shown under another: [Ketamine blocks NMDA glutamate receptors.]" in text


def test_markdown_summary_counts_by_verdict_certainty_and_topic(tmp_path):
    text = _export(write_report_catalog(tmp_path / "c"))
    by_strength = _table_rows(text, "| verdict and certainty | claims | meaning |")
    assert list(by_strength) == [
        "🟢 **supported, ⊕⊕⊕⊕ high**", "🟢 **supported, ⊕⊕⊕◯ moderate**", "🟢 **supported, ⊕⊕◯◯ low**",
        "🟢 **supported, ⊕◯◯◯ very low**", "🟣 **conflicting**", "🔴 **contradicted, ⊕◯◯◯ very low**",
        "🔴 **contradicted, ⊕⊕◯◯ low**", "🔴 **contradicted, ⊕⊕⊕◯ moderate**", "🔴 **contradicted, ⊕⊕⊕⊕ high**",
        "⚪ **no-evidence-found**", "▫️ **not-assessed**"], "supported most certain first, then the troubled ones"
    assert [cells[0] for cells in by_strength.values()] == ["0", "1", "1", "0", "1", "0", "0", "0", "1", "1", "1"]
    assert by_strength["🟢 **supported, ⊕⊕⊕◯ moderate**"][1].startswith("This is probably true. (only supporting")
    assert by_strength["🔴 **contradicted, ⊕⊕⊕⊕ high**"][1].startswith("The evidence shows this is not true.")
    assert by_strength["⚪ **no-evidence-found**"][1].startswith("A search found no study that tests this.")
    assert by_strength["▫️ **not-assessed**"][1].startswith("No study that tests this is linked yet.")
    matrix = _table_rows(text, "| topic | supported, ⊕⊕⊕⊕ high | supported, ⊕⊕⊕◯ moderate |")
    assert matrix["[depression](#topic-depression)"] == ["·", "1", "1", "·", "·", "·", "·", "·", "·", "1", "·", "3"]
    assert matrix["[(no topic)](#topic-none)"] == ["·"] * 8 + ["1", "·", "·", "1"]
    assert matrix["**all claims**"] == [f"**{n}**" for n in (0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 6)]
    assert render(text).all("table"), "the tables parse as tables"


def test_markdown_claim_has_verdict_grade_reasons_quotes_and_papers(tmp_path):
    text = _export(write_report_catalog(tmp_path / "c"))
    section = text[text.index('<a id="claim-rapid-relief">'):text.index('<a id="claim-nmda-antagonism">')]
    assert ("Evidence: 🟢 **supported, ⊕⊕⊕◯ moderate**. This is probably true. · curator's grade: "
            "**supported, ⊕⊕◯◯ low**, because The trials followed patients for a day only.") in section
    assert "How the verdict and certainty were reached:\n\n- supported, moderate: only supporting studies count" in section
    assert "\n- supporting: imprecision -1: 67 participants (\\< 400)\n" in section, "a downgrade, escaped"
    assert "> ketamine works within hours for many patients" in section
    assert "> relief within a day" in section
    assert ("[Smith 2020](#source-meta2020), *Journal of Affective Disorders* "
            "([doi:10.1000/meta.2020](https://doi.org/10.1000/meta.2020)): level 1, "
            "systematic review or meta-analysis (certainty reported by the review: ⊕⊕⊕◯ moderate). "
            "Pooled response at 24 hours.") in section
    assert ("([PMID 11111111](https://pubmed.ncbi.nlm.nih.gov/11111111/)): level 2, randomized controlled trial. "
            "Response at 24 hours") in section, "a link without appraisal keys shows none"
    assert "**Contradicted by:** no paper linked." in section
    searched = text[text.index('<a id="claim-cures-everything">'):text.index('<a id="topic-ptsd">')]
    assert "Evidence: ⚪ **no-evidence-found**. A search found no study that tests this." in searched
    assert ("- no-evidence-found: searched europepmc on 2026-11-30 for 'ketamine AND cure AND mood disorder': "
            "12 screened, 0 relevant") in searched
    conflicting = text[text.index('<a id="claim-ptsd-relief">'):text.index('<a id="topic-side-effects">')]
    assert "Evidence: 🟣 **conflicting**. The evidence points both ways." in conflicting
    assert "- conflicting: supporting evidence moderate, contradicting evidence high" in conflicting
    assert "- supporting: indirectness -1: every study differs from the claim (rct2019: population)" in conflicting
    assert "level 2, randomized controlled trial (indirect: population). Fewer symptoms at one week." in conflicting
    assert "**Contradicted by:**\n\n- [Abdallah 2021](#source-null2021)" in conflicting
    retracted = text[text.index('<a id="claim-bladder-harm">'):]
    assert ("Evidence: ▫️ **not-assessed**. No study that tests this is linked yet. · "
            "**links a retracted source:** `retracted2015`") in retracted
    assert "- RETRACTED: retracted2015 (Roe 2015) is retracted and counts for nothing" in retracted
    assert "**Mentioned by:**" in retracted
    assert "Evidence: 🔴 **contradicted, ⊕⊕⊕⊕ high**. The evidence shows this is not true." in text


def test_markdown_shows_a_rubric_1_grade_as_such(tmp_path):
    claim = {"id": "old", "statement": "Ketamine is old.", "kind": "background",
             "grade": {"label": "strong", "because": "Graded before rubric 2."}}
    text = _export(write_catalog(tmp_path / "c", [claim], []))
    assert ("Evidence: ▫️ **not-assessed**. No study that tests this is linked yet. · curator's grade: "
            "**strong (a rubric-1 label)**, because Graded before rubric 2.") in text


def test_markdown_bibliography_lists_every_linked_source(tmp_path):
    text = _export(write_report_catalog(tmp_path / "c"))
    bibliography = text[text.index("## Bibliography"):]
    entries = [line for line in bibliography.splitlines() if line.startswith("- ")]
    assert len(entries) == len(REPORT_TITLES)
    for source_id, title in REPORT_TITLES.items():
        assert f'<a id="source-{source_id}"></a>' in bibliography
        assert inline(title) in bibliography
    assert "Abdallah CG, Roache JD, Gueorguieva R, Averill LA, Young-McCaughan S, Shiroma PR, et al." in bibliography
    assert "*Journal of Affective Disorders* 270(1):1-10." in bibliography
    assert "**RETRACTED.**" in bibliography
    page = render(text)
    anchors = {a.get("id") for a in page.all("a") if a.get("id")}
    links = {a["href"][1:] for a in page.all("a") if (a.get("href") or "").startswith("#")}
    assert links <= anchors, f"links to nowhere: {links - anchors}"


def test_hostile_text_stays_text_in_markdown(tmp_path):
    text = _export(write_hostile_catalog(tmp_path / "c"))
    page = render(text)
    assert not page.all("script") and not page.all("img")
    for tag, attrs in page.elements:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript:"), (tag, attrs)
    # *bold*, _it_, $x$, `code` and &amp; included: no emphasis, math, code or entity made of them
    assert page.text.count(HOSTILE) >= 10, "statement, quote, notes, grade, title, authors, journal... as text"
    assert f"no-evidence-found: searched {HOSTILE} on 2026-11-30 for '{HOSTILE}'" in page.text, "a recorded search"
    assert [t for t, _ in page.elements].count("table") == 3, "a pipe in a text does not break a table (scorecard, summary, matrix)"


def test_escaping_helpers():
    assert inline("a|b *c* <d> [e](f) $g$ `h` &amp;") == r"a\|b \*c\* \<d\> \[e\](f) \$g\$ \`h\` \&amp;"
    assert block("1. first") == r"1\. first"
    assert block("- item") == r"\- item"
    assert inline("two\n  lines") == "two lines"


def test_export_md_command_and_filters(tmp_path):
    root = write_report_catalog(tmp_path / "c")
    result = invoke(["export", "--format", "md", "--topic", "ptsd"], catalog=root)
    assert "#### Ketamine reduces PTSD symptoms." in result.stdout
    assert "rapid relief" not in result.stdout
    assert result.stderr == ""


def test_the_rendered_example_in_docs_is_current(shipped_catalog, tmp_path):
    out = tmp_path / "report.md"
    invoke(["export", "--format", "md", "--output", str(out)], catalog=shipped_catalog)
    assert EXAMPLE.exists(), f"docs/report-example.md is missing: run `{REGENERATE}` at the repo root"
    assert EXAMPLE.read_text(encoding="utf-8") == out.read_text(encoding="utf-8"), (
        f"docs/report-example.md is stale: run `{REGENERATE}` at the repo root")
