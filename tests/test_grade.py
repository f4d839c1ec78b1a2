"""The evidence rubric: every row of the level table and the label table, and the tie-breaks."""

from __future__ import annotations

import pytest

from kclaims.grade import claim_strength, design_table_markdown, label_table_markdown, source_level
from kclaims.model import Claim, Evidence, Source


def paper(source_id: str, types: list[str] | None = None, **fields) -> Source:
    return Source(id=source_id, kind=fields.pop("kind", "journal-article"), publication_types=types or [],
                  population=fields.pop("population", "human"), **fields)


@pytest.mark.parametrize(
    ("types", "level", "design"),
    [
        (["Journal Article", "Meta-Analysis"], 1, "systematic review or meta-analysis"),
        (["Systematic Review"], 1, "systematic review or meta-analysis"),
        (["Randomized Controlled Trial"], 2, "randomized controlled trial"),
        (["Clinical Trial"], 3, "other controlled or observational clinical study"),
        (["Clinical Trial, Phase II"], 3, "other controlled or observational clinical study"),
        (["Controlled Clinical Trial"], 3, "other controlled or observational clinical study"),
        (["Observational Study"], 3, "other controlled or observational clinical study"),
        (["Comparative Study"], 3, "other controlled or observational clinical study"),
        (["Case Reports"], 4, "case report, case series, uncontrolled open-label study"),
        (["Review"], 5, "narrative review, editorial, comment, letter, expert opinion, or no design type"),
        (["Editorial"], 5, "narrative review, editorial, comment, letter, expert opinion, or no design type"),
        (["Comment"], 5, "narrative review, editorial, comment, letter, expert opinion, or no design type"),
        (["Letter"], 5, "narrative review, editorial, comment, letter, expert opinion, or no design type"),
        (["News"], 5, "narrative review, editorial, comment, letter, expert opinion, or no design type"),
        (["Journal Article"], 5, "no design type"),
        ([], 5, "no design type"),
    ],
)
def test_level_of_each_publication_type(types, level, design):
    found = source_level(paper("p", types))
    assert (found.level, found.design) == (level, design)


def test_best_design_wins_whatever_the_order_of_types():
    assert source_level(paper("p", ["Review", "Randomized Controlled Trial", "Meta-Analysis"])).level == 1
    assert source_level(paper("p", ["Case Reports", "Comparative Study"])).level == 3


@pytest.mark.parametrize("types", [["Retraction of Publication"], ["Published Erratum"]])
def test_notices_are_not_evidence(types):
    assert source_level(paper("p", types)).level is None


def test_web_articles_are_not_evidence():
    found = source_level(paper("blog", [], kind="web-article"))
    assert found.level is None and "web" in found.why


def test_hand_set_design_overrides_publication_types():
    found = source_level(paper("p", ["Review"], design=2))
    assert found.level == 2 and "by hand" in found.why


@pytest.mark.parametrize("population", ["animal", "in-vitro"])
def test_animal_and_in_vitro_work_is_level_5_for_clinical_and_3_for_mechanism(population):
    source = paper("rat", ["Journal Article"], population=population)
    assert source_level(source, "efficacy").level == 5
    assert source_level(source, "safety").level == 5
    assert source_level(source, "mechanism").level == 3
    rct_in_mice = paper("mice", ["Randomized Controlled Trial"], population=population)
    assert source_level(rct_in_mice, "efficacy").level == 5


def test_retracted_source_counts_for_nothing_either_way():
    assert source_level(paper("r", ["Randomized Controlled Trial"], retracted=True)).level is None
    assert source_level(paper("r", ["Randomized Controlled Trial", "Retracted Publication"])).level is None


# --- labels ----------------------------------------------------------------------------------


def label_of(evidence: list[tuple[Source, str]], kind: str = "efficacy"):
    sources = {s.id: s for s, _ in evidence}
    claim = Claim(id="c", statement="s", kind=kind,
                  evidence=[Evidence(s.id, stance) for s, stance in evidence])
    return claim_strength(claim, sources)


META = ["Meta-Analysis"]
RCT = ["Randomized Controlled Trial"]
TRIAL = ["Clinical Trial"]
CASE = ["Case Reports"]
REVIEW = ["Review"]


def test_unsupported_when_nothing_counts():
    assert label_of([]).label == "unsupported"
    assert label_of([(paper("blog", [], kind="web-article"), "supports")]).label == "unsupported"
    assert label_of([(paper("m", META), "mentions")]).label == "unsupported"


def test_contradicted_when_only_contradictions_count():
    assert label_of([(paper("a", RCT), "contradicts")]).label == "contradicted"


def test_contested_when_contradiction_at_least_as_strong():
    assert label_of([(paper("a", RCT), "supports"), (paper("b", RCT, doi="10.1/b"), "contradicts")]).label == "contested"
    assert label_of([(paper("a", RCT), "supports"), (paper("b", META), "contradicts")]).label == "contested"


def test_weaker_contradiction_keeps_label_and_is_listed():
    strength = label_of([(paper("a", META), "supports"), (paper("b", TRIAL), "contradicts")])
    assert strength.label == "moderate"
    assert any(r.startswith("weaker contradiction: b") for r in strength.reasons)


def test_strong_needs_two_at_level_1_2_with_a_level_1():
    assert label_of([(paper("a", META), "supports"), (paper("b", RCT), "supports")]).label == "strong"
    assert label_of([(paper("a", META), "supports"), (paper("b", META), "supports")]).label == "strong"


def test_moderate_from_one_level_1_or_two_level_2():
    assert label_of([(paper("a", META), "supports")]).label == "moderate"
    assert label_of([(paper("a", RCT), "supports"), (paper("b", RCT), "supports")]).label == "moderate"
    assert label_of([(paper("a", META), "supports"), (paper("c", CASE), "supports")]).label == "moderate"


def test_limited_from_one_level_2_or_any_level_3():
    assert label_of([(paper("a", RCT), "supports")]).label == "limited"
    assert label_of([(paper("a", TRIAL), "supports")]).label == "limited"
    assert label_of([(paper("a", TRIAL), "supports"), (paper("b", TRIAL), "supports")]).label == "limited"


def test_preliminary_from_only_level_4_5():
    assert label_of([(paper("a", CASE), "supports")]).label == "preliminary"
    assert label_of([(paper("a", REVIEW), "supports"), (paper("b", CASE), "supports")]).label == "preliminary"


def test_animal_study_gives_mechanism_claim_limited_but_clinical_claim_preliminary():
    rat = paper("rat", ["Journal Article"], population="animal")
    assert label_of([(rat, "supports")], kind="mechanism").label == "limited"
    assert label_of([(rat, "supports")], kind="efficacy").label == "preliminary"


def test_same_study_is_counted_once():
    first = paper("a", RCT, pmid="123")
    twin = paper("a-again", RCT, pmid="123")
    strength = label_of([(first, "supports"), (twin, "supports")])
    assert strength.label == "limited"  # would be moderate if counted twice
    assert any("same study" in r for r in strength.reasons)


def test_same_study_by_doi_ignores_case():
    strength = label_of([(paper("a", RCT, doi="10.1/ABC"), "supports"), (paper("b", RCT, doi="10.1/abc"), "supports")])
    assert strength.label == "limited"


def test_retracted_source_is_flagged_and_not_counted():
    strength = label_of([(paper("gone", META, retracted=True), "supports"), (paper("b", CASE), "supports")])
    assert strength.label == "preliminary"
    assert strength.retracted == ["gone"]
    assert any(r.startswith("RETRACTED: gone") for r in strength.reasons)


def test_reasons_name_the_rule_and_each_counted_source():
    strength = label_of([(paper("wilkinson2018", META, authors=["Wilkinson ST"], year=2018), "supports")])
    assert strength.reasons[0] == "moderate: one supporting level-1 source, or two or more at level 2"
    assert "wilkinson2018 (Wilkinson 2018), level 1, systematic review or meta-analysis" in strength.reasons[1]


def test_unknown_source_is_not_counted():
    claim = Claim(id="c", statement="s", kind="efficacy", evidence=[Evidence("ghost", "supports")])
    strength = claim_strength(claim, {})
    assert strength.label == "unsupported"
    assert "not counted: ghost is not in the catalog" in strength.reasons


def test_tables_render_every_row():
    design = design_table_markdown()
    labels = label_table_markdown()
    for level in range(1, 6):
        assert f"| {level} |" in design
    for label in ("unsupported", "contradicted", "contested", "strong", "moderate", "limited", "preliminary"):
        assert f"| {label} |" in labels


def test_the_same_source_linked_twice_counts_once():
    rct = paper("no-ids", RCT)
    assert label_of([(rct, "supports"), (rct, "supports")]).label == "limited"


def test_of_two_records_of_one_study_the_better_placed_counts():
    bare = paper("bare", [], doi="10.1/x")
    typed = paper("typed", META, doi="10.1/x")
    assert label_of([(bare, "supports"), (typed, "supports")]).label == "moderate"
    assert label_of([(typed, "supports"), (bare, "supports")]).label == "moderate"
