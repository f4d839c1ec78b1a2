"""The evidence map: topics against verdict and certainty, one dot per claim; SVG read back by an XML parser, PNG
by its header."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import REPO, invoke, snapshot_files
from report_fixtures import HOSTILE, write_hostile_catalog, write_report_catalog

from kclaims.catalog.files import load_catalog
from kclaims.errors import BadInput
from kclaims.export.evidence_map import build_map, layout, render_png, render_svg
from kclaims.catalog.query import select_claims

SVG = "{http://www.w3.org/2000/svg}"
COLUMNS = ["supported-high", "supported-moderate", "supported-low", "supported-very-low", "conflicting",
           "contradicted-very-low", "contradicted-low", "contradicted-moderate", "contradicted-high",
           "no-evidence-found", "not-assessed"]


def _map(root):
    return build_map(select_claims(load_catalog(root)))


def test_map_counts_claims_by_topic_verdict_and_certainty(tmp_path):
    emap = _map(write_report_catalog(tmp_path / "c"))
    assert emap.topics == ["chronic-pain", "depression", "ptsd", "side-effects", "(no topic)"]
    assert emap.columns == COLUMNS, "every verdict and certainty a column, empty ones too, supported first"
    assert [c.id for c in emap.cell("depression", "no-evidence-found")] == ["cures-everything"]
    assert [c.id for c in emap.cell("depression", "supported-moderate")] == ["rapid-relief"]
    assert [c.id for c in emap.cell("chronic-pain", "supported-low")] == ["nmda-antagonism"]
    assert [c.id for c in emap.cell("depression", "supported-low")] == ["nmda-antagonism"]
    assert [c.id for c in emap.cell("side-effects", "not-assessed")] == ["bladder-harm"]
    assert [c.id for c in emap.cell("(no topic)", "contradicted-high")] == ["no-topic"]
    assert emap.cell("depression", "not-assessed") == []
    assert emap.totals == {"supported-high": 0, "supported-moderate": 1, "supported-low": 1, "supported-very-low": 0,
                           "conflicting": 1, "contradicted-very-low": 0, "contradicted-low": 0,
                           "contradicted-moderate": 0, "contradicted-high": 1, "no-evidence-found": 1,
                           "not-assessed": 1}
    assert emap.claim_count == 6, "a claim with two topics is one claim"


def test_svg_parses_with_one_dot_per_claim_and_topic(tmp_path):
    svg = render_svg(_map(write_report_catalog(tmp_path / "c")))
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == 7  # six claims, one of them in two topics
    tooltips = {c.find(f"{SVG}title").text for c in circles}
    assert "rapid-relief (supported, moderate; curator: supported, low): Ketamine gives rapid relief from depression." in tooltips
    assert "cures-everything (no-evidence-found): Ketamine cures every mood disorder." in tooltips
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for expected in ("chronic-pain", "side-effects", "(no topic)", "supported", "⊕⊕⊕◯ moderate", "conflicting",
                     "contradicted", "⊕◯◯◯ very low", "no evidence", "found", "not", "assessed", "all claims"):
        assert expected in texts
    assert root.find(f"{SVG}title").text == "Evidence map: 6 claims by topic, verdict and certainty"
    assert root.find(f"{SVG}desc").text == (
        "Claims by topic, verdict and certainty: 1 supported, moderate, 1 supported, low, 1 conflicting, "
        "1 contradicted, high, 1 no-evidence-found, 1 not-assessed.")
    # each dot sits under its column's heading, in its column's colour
    headings: dict[str, list[str]] = {}
    fills = {r.get("x"): r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("rx")}
    for text in root.iter(f"{SVG}text"):
        if text.get("font-size") == "11":
            headings.setdefault(text.get("x"), []).append(text.text)
    assert len(headings) == len(COLUMNS)
    under = {c.find(f"{SVG}title").text.split(" ")[0]: (headings[c.get("cx")], c.get("fill")) for c in circles}
    assert under["rapid-relief"] == (["supported", "⊕⊕⊕◯ moderate"], "#388e3c")
    assert under["nmda-antagonism"] == (["supported", "⊕⊕◯◯ low"], "#81c784")
    assert under["ptsd-relief"][0] == ["conflicting"]
    assert under["no-topic"] == (["contradicted", "⊕⊕⊕⊕ high"], "#7f0000")
    assert under["cures-everything"][0] == ["no evidence", "found"]
    assert under["bladder-harm"][0] == ["not", "assessed"]
    assert len(set(fills.values())) == len(COLUMNS), "every column has its own colour"
    assert not root.findall(f".//{SVG}a"), "the standalone map has no links to a page it is not in"


def test_svg_for_the_html_page_links_each_dot_to_its_claim(tmp_path):
    root = ET.fromstring(render_svg(_map(write_report_catalog(tmp_path / "c")), links=True))
    assert {a.get("href") for a in root.iter(f"{SVG}a")} == {
        "#claim-rapid-relief", "#claim-nmda-antagonism", "#claim-ptsd-relief", "#claim-cures-everything",
        "#claim-bladder-harm", "#claim-no-topic"}


def test_svg_is_the_same_every_time_and_escapes_text(tmp_path):
    emap = _map(write_hostile_catalog(tmp_path / "c"))
    svg = render_svg(emap)
    assert svg == render_svg(emap)
    root = ET.fromstring(svg)
    assert [e.tag for e in root.iter() if e.tag.endswith("script")] == []
    assert [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")] == [
        f"hostile (supported, moderate; curator: supported, low): {HOSTILE}", "hostile-search (no-evidence-found): Nothing tests this."]


def test_many_claims_in_a_cell_become_one_disc_with_the_count(tmp_path):
    from report_fixtures import write_catalog

    from kclaims.export.evidence_map import MAX_DOTS

    claims = [{"id": f"c{i}", "statement": f"Claim {i}.", "kind": "efficacy", "topics": ["depression"]}
              for i in range(MAX_DOTS + 5)]
    root = ET.fromstring(render_svg(_map(write_catalog(tmp_path / "c", claims, []))))
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == 1 and circles[0].find(f"{SVG}title").text == "25 claims in depression: not-assessed"
    assert "25" in [t.text for t in root.iter(f"{SVG}text")]


def test_an_empty_map_still_renders(tmp_path):
    from report_fixtures import write_catalog

    root = ET.fromstring(render_svg(_map(write_catalog(tmp_path / "c", [], []))))
    assert "No claims match." in [t.text for t in root.iter(f"{SVG}text")]


def test_map_command_writes_svg_to_stdout_or_a_file(tmp_path):
    root = write_report_catalog(tmp_path / "c")
    result = invoke(["map", "--topic", "ptsd"], catalog=root)
    assert ET.fromstring(result.stdout).find(f"{SVG}title").text == (
        "Evidence map: 1 claim by topic, verdict and certainty")
    assert [c.find(f"{SVG}title").text for c in ET.fromstring(result.stdout).iter(f"{SVG}circle")] == [
        "ptsd-relief (conflicting): Ketamine reduces PTSD symptoms."]
    searched = invoke(["map", "--verdict", "no-evidence-found", "--verdict", "not-assessed"], catalog=root)
    assert ET.fromstring(searched.stdout).find(f"{SVG}title").text == (
        "Evidence map: 2 claims by topic, verdict and certainty")
    out = tmp_path / "map.svg"
    result = invoke(["map", "--output", str(out)], catalog=root)
    assert "Wrote the evidence map of 6 claims" in result.stderr
    assert out.read_text(encoding="utf-8") == render_svg(_map(root))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _need_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("matplotlib is not installed: CI must `pip install matplotlib`")
        pytest.skip("matplotlib is not installed (pip install matplotlib); CI runs this test")


def test_map_command_writes_png(tmp_path):
    _need_matplotlib()
    out = tmp_path / "map.png"
    invoke(["map", "--output", str(out)], catalog=write_report_catalog(tmp_path / "c"))
    width, height = _png_size(out.read_bytes())
    svg = ET.fromstring(render_svg(_map(write_report_catalog(tmp_path / "d"))))
    assert abs(width - float(svg.get("width")) * 2) <= 1 and abs(height - float(svg.get("height")) * 2) <= 1


def test_png_column_headings_fit_their_boxes(tmp_path):
    """The PNG draws the headings with matplotlib's sans-serif: "⊕⊕⊕◯ moderate" must stay inside its box."""
    _need_matplotlib()
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    from kclaims.export.evidence_map import Label, Rect

    plan = layout(_map(write_report_catalog(tmp_path / "c")))
    boxes = [s for s in plan.shapes if isinstance(s, Rect) and s.radius]
    measure = TextToPath()
    checked = []
    for label in (s for s in plan.shapes if isinstance(s, Label)):
        box = next((b for b in boxes if b.x <= label.x <= b.x + b.width and b.y <= label.y <= b.y + b.height), None)
        if box is None:
            continue
        font = FontProperties(family="sans-serif", size=label.size, weight="bold" if label.bold else "normal")
        width = measure.get_text_width_height_descent(label.text, font, ismath=False)[0]
        assert box.x <= label.x - width / 2 and label.x + width / 2 <= box.x + box.width, (label.text, width, box)
        checked.append(label.text)
    assert len(checked) == 21 and "⊕⊕⊕◯ moderate" in checked


def test_png_without_matplotlib_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    with pytest.raises(BadInput, match="pip install matplotlib"):
        render_png(_map(write_report_catalog(tmp_path / "c")))


def test_map_refuses_other_suffixes_and_writes_nothing(tmp_path):
    root = write_report_catalog(tmp_path / "c")
    result = invoke(["map", "--output", str(tmp_path / "map.gif")], code=2, catalog=root)
    assert "the map is written as .svg or .png; .gif is neither" in result.stderr
    assert not (tmp_path / "map.gif").exists()


@pytest.mark.parametrize("command", [["map"], ["export", "--format", "html"], ["export", "--format", "md"]])
def test_an_output_that_cannot_be_written_is_a_clear_error_and_leaves_nothing(tmp_path, command):
    root = write_report_catalog(tmp_path / "c")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    before = snapshot_files(tmp_path)
    suffix = ".svg" if command == ["map"] else ".out"
    for target, why in ((tmp_path / "missing" / f"r{suffix}", "does not exist"),
                        (blocker / f"r{suffix}", "is not a folder")):
        result = invoke([*command, "--output", str(target)], code=2, catalog=root)
        assert result.stderr.strip() == f"{target}: cannot write here: {target.parent} {why}"
        assert "Traceback" not in result.stderr
    assert snapshot_files(tmp_path) == before


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    import kclaims.catalog.files as catalog

    def fail_midway(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(catalog.os, "replace", fail_midway)
    out = tmp_path / "out" / "report.html"
    out.parent.mkdir()
    result = invoke(["export", "--format", "html", "--output", str(out)], code=2,
                    catalog=write_report_catalog(tmp_path / "c"))
    assert result.stderr.strip() == f"{out}: cannot write here: No space left on device"
    assert list(out.parent.iterdir()) == []


def test_report_modules_import_nothing_heavy():
    modules = ["kclaims.export.view", "kclaims.export.evidence_map", "kclaims.export.markdown", "kclaims.export.html",
               "kclaims.export.csv", "kclaims.export.csl"]
    code = f"import sys, json, {', '.join(modules)}; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                           check=True, cwd=REPO).stdout))
    assert not {"matplotlib", "typer", "rich", "requests", "kclaims.cli"} & loaded


def test_the_map_in_docs_is_current(shipped_catalog, tmp_path):
    out = tmp_path / "map.svg"
    invoke(["map", "--output", str(out)], catalog=shipped_catalog)
    example = REPO / "docs" / "evidence-map.svg"
    regenerate = "kclaims map --output docs/evidence-map.svg"
    assert example.exists(), f"docs/evidence-map.svg is missing: run `{regenerate}` at the repo root"
    assert example.read_text(encoding="utf-8") == out.read_text(encoding="utf-8"), (
        f"docs/evidence-map.svg is stale: run `{regenerate}` at the repo root")
