"""Defects a review found, each held by a test through the real command where a person sees it:
`includes` loops (grading and `check`), a source linked twice, stale names in parts after
`source edit --author`, the section heading above a removed first claim, the Summary of
Findings' footnotes, the floor of the certainty scale, a not-assessed claim whose links do not
count, the note of `claim edit`, and the report's caveat on animal and in-vitro work."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import invoke
from kclaims.catalog import claim_edits
from kclaims.catalog.files import load_catalog
from report_fixtures import write_catalog

RCT = ["Randomized Controlled Trial"]


def _source(source_id: str, types: list[str], **fields) -> dict:
    return {"id": source_id, "title": source_id.title(), "authors": [f"{source_id.title()} A"], "year": 2020,
            "publication_types": types, **fields}


def _claim(claim_id: str, evidence: list[dict], **fields) -> dict:
    return {"id": claim_id, "statement": f"Ketamine helps {claim_id}.", "kind": "efficacy", "topics": ["a"],
            "evidence": evidence, **fields}


# 1. a loop in `includes`


@pytest.mark.parametrize("links", [["rev", "rct1"], ["rct1", "rev"]])
def test_an_includes_loop_keeps_the_review_and_counts_the_trial_inside_it(tmp_path: Path, links):
    root = write_catalog(tmp_path / "c", [_claim("loop", [{"source": s, "stance": "supports"} for s in links])], [
        _source("rev", ["Meta-Analysis"], n=300, includes=["rct1"]),
        _source("rct1", RCT, n=50, includes=["rev"])])
    shown = invoke(["show", "loop"], catalog=root).stdout
    assert "supported, certainty ⊕⊕⊕◯ moderate" in shown  # before the fix: both dropped, not-assessed
    assert "supporting: start high: 1 review: rev (review, n=300)" in shown
    assert "counted inside rev: rct1 (supports) is one of the studies it pools" in shown
    assert "counted inside rct1" not in shown


def test_a_review_pooled_by_a_dropped_review_still_counts(tmp_path: Path):
    """rct is inside rev1 only while rev1 counts; rev1 is inside rev2, so rct counts on its own (not lost)."""
    root = write_catalog(tmp_path / "c", [_claim("chain", [{"source": s, "stance": "supports"}
                                                          for s in ("rct", "rev1", "rev2")])], [
        _source("rev2", ["Meta-Analysis"], n=500, includes=["rev1"]),
        _source("rev1", ["Meta-Analysis"], n=200, includes=["rct"]),
        _source("rct", RCT, n=40)])
    shown = invoke(["show", "chain"], catalog=root).stdout
    assert "counted inside rev2: rev1 (supports)" in shown
    assert "counted inside rev1" not in shown
    assert "supporting: start high: 2 studies: rct (RCT, n=40); rev2 (review, n=500)" in shown


def test_check_reports_an_includes_loop_of_any_length_with_its_line(tmp_path: Path):
    root = write_catalog(tmp_path / "c", [], [
        _source("a", ["Meta-Analysis"], includes=["b"]),
        _source("b", ["Meta-Analysis"], includes=["x", "c"]),
        _source("c", RCT, includes=["a"]),
        _source("x", RCT),
        _source("p", ["Meta-Analysis"], includes=["q"]),
        _source("q", RCT, includes=["p"])])
    lines = invoke(["check"], code=1, catalog=root).stdout.strip().splitlines()
    loops = [line for line in lines if "'includes' loop" in line]
    assert loops[0].startswith(f"{root / 'sources' / 'a.yaml'}:")
    assert "'includes' loop: a includes b, b includes c, c includes a" in loops[0]
    line = int(loops[0].split(":")[1])
    assert (root / "sources" / "a.yaml").read_text(encoding="utf-8").splitlines()[line - 1].strip() == '"b"'
    assert "'includes' loop: p includes q, q includes p" in loops[1]
    assert len(loops) == 2


# 2. the same source linked twice


def test_check_reports_a_claim_that_links_the_same_source_twice(small_catalog: Path):
    claims = small_catalog / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text + "      - source: feder2014\n        stance: contradicts\n", encoding="utf-8")
    lines = invoke(["check"], code=1, catalog=small_catalog).stdout.strip().splitlines()
    line = len(text.splitlines()) + 1  # the second link's `source:`
    assert lines == [f"{claims}:{line}: claim 'ptsd-relief' links source 'feder2014' twice (evidence entries 1 and 2): "
                     "keep one link ('claim unlink' and 'claim link' change only the first)"]


# 3. `source edit --author` and the names in parts


def test_new_authors_drop_the_old_names_in_parts_so_exports_show_the_new_ones(tmp_path: Path):
    root = write_catalog(tmp_path / "c", [_claim("a", [{"source": "paper", "stance": "supports"}])], [
        _source("paper", RCT, authors=["Old O"], author_parts=[{"family": "Old", "given": "Otto"}])])
    result = invoke(["source", "edit", "paper", "--author", "New, Nora", "--author", "Second S"], catalog=root)
    assert "author_parts" in result.stderr
    source = load_catalog(root).source("paper")
    assert (source.authors, source.author_parts) == (["New N", "Second S"], [])
    assert "author_parts" not in (root / "sources" / "paper.yaml").read_text(encoding="utf-8")
    for form in ("bibtex", "csl-json"):
        exported = invoke(["export", "--format", form], catalog=root).stdout
        assert "New" in exported and "Second" in exported and "Otto" not in exported, exported


def test_an_edit_that_keeps_the_authors_keeps_the_names_in_parts(tmp_path: Path):
    root = write_catalog(tmp_path / "c", [], [_source("paper", RCT, authors=["Old O"],
                                                      author_parts=[{"family": "Old", "given": "Otto"}])])
    invoke(["source", "edit", "paper", "--title", "A new title"], catalog=root)
    assert load_catalog(root).source("paper").author_parts == [{"family": "Old", "given": "Otto"}]


# 4. the section heading above a removed first claim

SECTIONED = """\
claims:

  # ---- first section
  - id: one
    statement: Ketamine blocks NMDA glutamate receptors.
    kind: mechanism
    topics: [depression]
    made_in:
      - source: blog
        quote: "By blocking this receptor, ketamine can reduce pain transmission"
    evidence:
      - source: anis1983
        stance: supports

  # ---- second section
  - id: two
    statement: Ketamine reduces PTSD symptoms.
    kind: efficacy
    topics: [ptsd]
    made_in:
      - {source: blog, quote: "ketamine may ease the symptoms of PTSD"}
    evidence:
      - {source: feder2014, stance: supports}
"""


@pytest.mark.parametrize("args", [["claim", "rm", "one"], ["claim", "merge", "two", "one"]])
@pytest.mark.parametrize("heading", [True, False])
def test_removing_the_first_claim_keeps_the_heading_above_the_next(small_catalog: Path, args, heading):
    claims = small_catalog / "claims.yaml"
    text = SECTIONED if heading else SECTIONED.replace("claims:\n\n  # ---- first section\n", "claims:\n")
    claims.write_text(text, encoding="utf-8")
    invoke(args, catalog=small_catalog)
    after = claims.read_text(encoding="utf-8")
    assert "- id: one" not in after
    assert "\n  # ---- second section\n  - id: two\n" in after, after
    assert ("  # ---- first section\n" in after) == heading
    assert [c.id for c in load_catalog(small_catalog).claims] == ["two"]


# 5. the Summary of Findings' footnotes; the floor of the scale


def test_sof_footnotes_only_the_steps_the_reported_certainty_took(tmp_path: Path):
    root = write_catalog(tmp_path / "c", [
        _claim("won", [{"source": "big", "stance": "supports"}, {"source": "small", "stance": "contradicts"}]),
        _claim("mixed", [{"source": "fair", "stance": "supports"}, {"source": "fair2", "stance": "contradicts"}]),
    ], [_source("big", RCT, n=500), _source("small", ["Observational Study"], n=10),
        _source("fair", RCT, n=30), _source("fair2", RCT, n=20)])
    sof = invoke(["export", "--format", "sof"], catalog=root).stdout
    row = next(line for line in sof.splitlines() if "(`won`)" in line)
    assert "supported, ⊕⊕⊕◯ moderate ¹ |" in row  # the inconsistency step only
    notes = [line for line in sof.splitlines() if line.startswith("- ")]
    assert notes[0].startswith("- ¹ Inconsistency, down one step (supporting evidence)")
    assert not any("contradicting evidence): 10 participants" in n for n in notes)  # the losing side's step
    mixed = next(line for line in sof.splitlines() if "(`mixed`)" in line)
    assert "conflicting (supporting ⊕⊕⊕◯ moderate, contradicting ⊕⊕⊕◯ moderate) ² ³ |" in mixed  # both sides


def test_at_the_floor_no_step_is_taken_or_footnoted(tmp_path: Path):
    root = write_catalog(tmp_path / "c", [_claim("cases", [{"source": "series", "stance": "supports"}])],
                         [_source("series", ["Case Reports"], n=8)])
    shown = invoke(["show", "cases"], catalog=root).stdout
    assert "supporting: imprecision: would be -1, very low already, the floor: 8 participants (< 400)" in shown
    assert "- 1 =" not in shown and "imprecision -1" not in shown
    sof = invoke(["export", "--format", "sof"], catalog=root).stdout
    assert "Imprecision, down one step" not in sof


# 6. a not-assessed claim whose links do not count


def test_not_assessed_with_links_that_do_not_count_says_so(tmp_path: Path):
    root = write_catalog(tmp_path / "c", [
        _claim("one", [{"source": "site", "stance": "supports"}]),
        _claim("several", [{"source": "gone", "stance": "supports"}, {"source": "big", "stance": "mentions"}]),
    ], [_source("site", [], kind="web-article", url="https://example.org/x"), _source("gone", RCT, retracted=True),
        _source("big", RCT, n=500)])
    one = invoke(["show", "one"], catalog=root).stdout
    assert "not-assessed: the one linked source does not count (why below), and no search is recorded" in one
    assert "not counted: site" in one
    several = invoke(["show", "several"], catalog=root).stdout
    assert "not-assessed: none of the 2 linked sources counts (why below)" in several
    assert "is linked, and no search" not in one + several


# 7. dead code


def test_claim_edits_has_no_unused_copies():
    assert not hasattr(claim_edits, "record_search")
    assert not hasattr(claim_edits, "validate_claim_id")


# 8. the note of `claim edit`


def test_claim_edit_says_a_new_note_was_added(small_catalog: Path):
    added = invoke(["claim", "edit", "ptsd-relief", "--note", "First."], catalog=small_catalog)
    assert "note added" in added.stderr and "note changed" not in added.stderr
    changed = invoke(["claim", "edit", "ptsd-relief", "--note", "Second."], catalog=small_catalog)
    assert "note changed" in changed.stderr


# 9. the report's caveat on animal and in-vitro work


def test_report_caveat_places_animal_work_by_the_kind_of_claim(small_catalog: Path):
    report = invoke(["export", "--format", "md"], catalog=small_catalog).stdout
    caveat = next(line for line in report.splitlines() if line.startswith("> A verdict rates"))
    assert "level 5 for a clinical claim and level 3 for a mechanism claim" in caveat
    assert "5 narrative review, opinion or indirect (animal, in-vitro) evidence" not in caveat
