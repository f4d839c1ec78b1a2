"""The CSV export: RFC 4180 text read back by Python's csv module, one row per claim."""

from __future__ import annotations

import csv
import io

from conftest import invoke
from report_fixtures import HOSTILE, write_catalog, write_hostile_catalog, write_report_catalog

from kclaims.export.csv import COLUMNS


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_has_one_row_per_claim_with_counts_and_sources(tmp_path):
    out = tmp_path / "claims.csv"
    invoke(["export", "--format", "csv", "--output", str(out)], catalog=write_report_catalog(tmp_path / "c"))
    raw = out.read_bytes()
    assert raw.startswith(b"id,statement,kind,topics,verdict,certainty,grade_verdict,grade_certainty,grade_because,")
    assert raw.count(b"\r\n") == 7 and b"\n" not in raw.replace(b"\r\n", b""), "CRLF line ends (RFC 4180)"
    rows = _read(raw.decode("utf-8"))
    assert list(rows[0]) == list(COLUMNS)
    by_id = {row["id"]: row for row in rows}
    assert list(by_id) == ["rapid-relief", "nmda-antagonism", "ptsd-relief", "cures-everything", "bladder-harm",
                           "no-topic"]
    relief = by_id["rapid-relief"]
    assert relief == {"id": "rapid-relief", "statement": "Ketamine gives rapid relief from depression.",
                      "kind": "efficacy", "topics": "depression", "verdict": "supported", "certainty": "moderate",
                      "grade_verdict": "supported", "grade_certainty": "low",
                      "grade_because": "The trials followed patients for a day only.",
                      "articles": "2", "papers_for": "2", "papers_against": "0",
                      "sources": "blog; news; meta2020; rct2018"}
    assert by_id["nmda-antagonism"]["topics"] == "depression; chronic-pain"
    assert (by_id["ptsd-relief"]["papers_for"], by_id["ptsd-relief"]["papers_against"]) == ("1", "1")
    verdicts = {claim_id: (row["verdict"], row["certainty"]) for claim_id, row in by_id.items()}
    assert verdicts == {"rapid-relief": ("supported", "moderate"), "nmda-antagonism": ("supported", "low"),
                        "ptsd-relief": ("conflicting", ""), "cures-everything": ("no-evidence-found", ""),
                        "bladder-harm": ("not-assessed", ""), "no-topic": ("contradicted", "high")}
    assert by_id["no-topic"]["topics"] == ""
    ungraded = by_id["no-topic"]
    assert (ungraded["grade_verdict"], ungraded["grade_certainty"], ungraded["grade_because"]) == ("", "", "")


def test_csv_shows_a_rubric_1_grade_as_such(tmp_path):
    claim = {"id": "old", "statement": "Ketamine is old.", "kind": "background",
             "grade": {"label": "moderate", "because": "Graded before rubric 2."}}
    rows = _read(invoke(["export", "--format", "csv"], catalog=write_catalog(tmp_path / "c", [claim], [])).stdout)
    assert (rows[0]["verdict"], rows[0]["certainty"]) == ("not-assessed", "")
    assert (rows[0]["grade_verdict"], rows[0]["grade_certainty"], rows[0]["grade_because"]) == (
        "", "", "(rubric-1 label moderate) Graded before rubric 2.")


def test_csv_quotes_what_needs_quoting_and_defuses_formulas(tmp_path):
    root = write_hostile_catalog(tmp_path / "c")
    result = invoke(["export", "--format", "csv"], catalog=root)
    rows = _read(result.stdout)
    assert rows[0]["statement"] == HOSTILE and rows[0]["grade_because"] == HOSTILE
    formula = '=HYPERLINK("http://x", "a, ""b""")'
    claim = {"id": "formula", "statement": formula, "kind": "efficacy", "topics": ["depression"],
             "grade": {"verdict": "supported", "certainty": "low", "because": "@SUM(A1:A9)\nsecond line"}}
    write_catalog(root, [claim], [])
    text = invoke(["export", "--format", "csv"], catalog=root).stdout_bytes.decode("utf-8")
    assert '"\'=HYPERLINK(""http://x"", ""a, """"b"""""")"' in text
    assert _read(text)[0]["statement"] == "'" + formula
    assert _read(text)[0]["grade_because"] == "'@SUM(A1:A9) second line", "a reason is text on one line too"


def test_csv_of_no_claims_is_just_the_header(tmp_path):
    root = write_report_catalog(tmp_path / "c")
    result = invoke(["export", "--format", "csv", "--verdict", "supported", "--certainty", "high"], catalog=root)
    assert result.stdout_bytes == (",".join(COLUMNS) + "\r\n").encode()
    moderate = invoke(["export", "--format", "csv", "--verdict", "supported", "--certainty", "moderate"], catalog=root)
    assert [row["id"] for row in _read(moderate.stdout)] == ["rapid-relief"], "the filters do select"


def test_csv_keeps_unicode(tmp_path):
    root = write_report_catalog(tmp_path / "c")
    claims = (root / "claims.yaml").read_text(encoding="utf-8").replace("rapid relief", "schnelle Linderung – ≥ 50 %")
    (root / "claims.yaml").write_text(claims, encoding="utf-8")
    rows = _read(invoke(["export", "--format", "csv"], catalog=root).stdout)
    assert rows[0]["statement"] == "Ketamine gives schnelle Linderung – ≥ 50 % from depression."
