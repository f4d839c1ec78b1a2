"""The evidence rubric (rubric 2): every row of the level table, each step of verdict and certainty,
and each boundary (399/400 participants, exactly half at high risk, one direct link among indirect
ones, a two-step gap against a one-step gap)."""

from __future__ import annotations

import pytest

from kclaims.grade import (
    STRENGTH_KEYS,
    VERDICT_TABLE,
    certainty_table_markdown,
    claim_strength,
    design_table_markdown,
    downgrade_table_markdown,
    plain_language,
    source_level,
    split_strength_key,
    start_table_markdown,
    strength_key,
    verdict_table_markdown,
)
from kclaims.model import Claim, Evidence, Search, Source
from kclaims.vocabulary import CERTAINTIES, VERDICTS


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


# --- verdict and certainty ------------------------------------------------------------------------


def grade_of(links: list[tuple[Source, str] | tuple[Source, str, dict]], kind: str = "efficacy",
             searched: list[Search] | None = None):
    """The strength of a claim linking these sources; a third item gives the link's appraisal keys."""
    sources = {link[0].id: link[0] for link in links}
    evidence = [Evidence(link[0].id, link[1], **(link[2] if len(link) > 2 else {})) for link in links]
    claim = Claim(id="c", statement="s", kind=kind, evidence=evidence, searched=searched or [])
    return claim_strength(claim, sources)


def verdict(links, **kwargs) -> tuple[str, str | None]:
    strength = grade_of(links, **kwargs)
    return strength.verdict, strength.certainty


META = ["Meta-Analysis"]
RCT = ["Randomized Controlled Trial"]
TRIAL = ["Clinical Trial"]
CASE = ["Case Reports"]
REVIEW = ["Review"]
SEARCH = Search(on="2026-11-30", database="europepmc", query="ketamine AND neurogenesis", screened=37, relevant=0)


def big(source_id: str, types=RCT, n: int = 500, **fields) -> Source:
    """A study large enough that imprecision does not downgrade it."""
    return paper(source_id, types, n=n, **fields)


def test_not_assessed_when_nothing_counts_and_no_search_is_recorded():
    assert verdict([]) == ("not-assessed", None)
    assert verdict([(paper("blog", [], kind="web-article"), "supports")]) == ("not-assessed", None)
    assert verdict([(big("m", META), "mentions")]) == ("not-assessed", None)


def test_no_evidence_found_when_a_search_is_recorded():
    strength = grade_of([(big("m", META), "mentions")], searched=[SEARCH])
    assert (strength.verdict, strength.certainty) == ("no-evidence-found", None)
    assert "searched europepmc on 2026-11-30 for 'ketamine AND neurogenesis': 37 screened, 0 relevant" in strength.reasons[0]


@pytest.mark.parametrize(("types", "start"), [(META, "high"), (RCT, "high"), (TRIAL, "low"), (CASE, "very-low"),
                                              (REVIEW, "very-low"), ([], "very-low")])
def test_a_link_starts_from_its_design_level(types, start):
    assert verdict([(big("a", types), "supports")]) == ("supported", start)


def test_a_reviews_reported_certainty_is_the_start_and_covers_bias_and_imprecision():
    tiny_biased = paper("cochrane", META, n=20, risk_of_bias="high")
    strength = grade_of([(tiny_biased, "supports", {"certainty": "low"})])
    assert (strength.verdict, strength.certainty) == ("supported", "low")
    assert any("reported certainty covers them (cochrane)" in r for r in strength.reasons)
    assert not any(r.startswith("supporting: imprecision") for r in strength.reasons)


def test_animal_work_starts_low_for_a_mechanism_claim_and_very_low_for_a_clinical_one():
    rat = paper("rat", ["Journal Article"], population="animal", n=500)
    assert verdict([(rat, "supports")], kind="mechanism") == ("supported", "low")
    assert verdict([(rat, "supports")], kind="efficacy") == ("supported", "very-low")


def test_contradicted_when_only_contradictions_count():
    assert verdict([(big("a"), "contradicts")]) == ("contradicted", "high")


def test_the_body_is_the_best_starting_links_only():
    strength = grade_of([(big("rct"), "supports"), (paper("case", CASE, n=3), "supports")])
    assert strength.certainty == "high"  # the case series starts lower and is not in the body
    assert any("not in the body (starts lower): case" in r for r in strength.reasons)


# imprecision: 399 / 400 participants


def test_imprecision_downgrades_below_400_participants():
    assert verdict([(paper("a", RCT, n=399), "supports")]) == ("supported", "moderate")
    assert verdict([(paper("a", RCT, n=400), "supports")]) == ("supported", "high")
    assert verdict([(paper("a", RCT, n=200), "supports"), (paper("b", RCT, n=200), "supports")]) == ("supported", "high")


def test_imprecision_counts_only_the_links_that_record_n_and_is_not_assessed_without_any():
    assert verdict([(paper("a", RCT, n=41), "supports"), (paper("b", RCT), "supports")]) == ("supported", "moderate")
    strength = grade_of([(paper("a", RCT), "supports")])
    assert strength.certainty == "high"
    assert "supporting: imprecision: not assessed, no study of the body records n" in strength.reasons


def test_the_reason_walks_the_path_with_ids_and_sizes():
    strength = grade_of([(paper("feder2014", RCT, n=41), "supports"), (paper("feder2021", RCT, n=30), "supports")])
    assert "supporting: start high: 2 RCTs: feder2014 (RCT, n=41); feder2021 (RCT, n=30)" in strength.reasons
    assert "supporting: imprecision -1: 71 participants (< 400)" in strength.reasons
    assert strength.reasons[0] == "supported, moderate: only supporting studies count"


# risk of bias: exactly half at high risk


def test_risk_of_bias_downgrades_when_high_risk_links_hold_more_than_half_the_participants():
    high, low = paper("h", RCT, n=300, risk_of_bias="high"), paper("l", RCT, n=300, risk_of_bias="low")
    assert verdict([(high, "supports"), (low, "supports")]) == ("supported", "high")  # exactly half: no
    bigger = paper("h2", RCT, n=301, risk_of_bias="high")
    assert verdict([(bigger, "supports"), (low, "supports")]) == ("supported", "moderate")


def test_risk_of_bias_counts_links_when_any_link_lacks_n():
    high, unknown = paper("h", RCT, n=900, risk_of_bias="high"), paper("u", RCT, risk_of_bias="some")
    strength = grade_of([(high, "supports"), (unknown, "supports")])
    assert strength.certainty == "high"  # 1 of 2 links: exactly half
    assert any("1 of 2 studies (counted by study" in r for r in strength.reasons)
    assert verdict([(high, "supports")]) == ("supported", "moderate")


# indirectness: one direct link among indirect ones


def test_indirectness_downgrades_only_when_every_link_of_the_body_is_indirect():
    esk = (big("esk"), "supports", {"indirect": ["intervention"]})
    ptsd = (big("ptsd"), "supports", {"indirect": ["population"]})
    assert verdict([esk, ptsd]) == ("supported", "moderate")
    assert verdict([esk, ptsd, (big("direct"), "supports")]) == ("supported", "high")


def test_downgrades_add_up_and_stop_at_very_low():
    worst = paper("w", TRIAL, n=10, risk_of_bias="high")
    strength = grade_of([(worst, "supports", {"indirect": ["outcome"]})])
    assert (strength.verdict, strength.certainty) == ("supported", "very-low")
    assert "supporting: indirectness: would be -1, very low already, the floor: every study differs from the claim " \
        "(w: outcome)" in strength.reasons
    assert "supporting: low - 1 = very low" in strength.reasons  # the steps taken, not the ones the floor stopped
    assert verdict([(paper("w", RCT, n=10, risk_of_bias="high"), "supports", {"indirect": ["outcome"]})]) == \
        ("supported", "very-low")  # high - 3 steps


# both directions: a two-step gap against a one-step gap


def test_two_steps_more_certain_wins_one_step_down_for_inconsistency():
    strength = grade_of([(big("rct"), "supports"), (big("obs", TRIAL), "contradicts")])
    assert (strength.verdict, strength.certainty) == ("supported", "moderate")
    assert "inconsistency -1" in strength.reasons[0]
    assert verdict([(big("rct"), "contradicts"), (big("obs", TRIAL), "supports")]) == ("contradicted", "moderate")


def test_one_step_apart_is_conflicting_with_no_certainty_and_both_sides_in_the_reasons():
    strength = grade_of([(big("a"), "supports"), (paper("b", RCT, n=399), "contradicts")])
    assert (strength.verdict, strength.certainty) == ("conflicting", None)
    assert strength.reasons[0] == ("conflicting: supporting evidence high, contradicting evidence moderate "
                                   "(fewer than two steps apart)")
    assert verdict([(big("a"), "supports"), (big("b"), "contradicts")]) == ("conflicting", None)


def test_a_narrative_review_against_two_animal_studies_is_no_real_contest():
    rats = [(paper(f"rat{i}", ["Journal Article"], population="animal"), "contradicts") for i in range(2)]
    assert verdict([(paper("rev", REVIEW), "supports"), *rats]) == ("conflicting", None)  # both very low
    assert verdict([(big("rct"), "supports"), *rats]) == ("supported", "moderate")


# counting once


def test_a_study_a_linked_review_includes_counts_inside_the_review_not_again():
    review = paper("orhurhu2019", META, n=211, includes=["sigtermans2009"])
    trial = paper("sigtermans2009", RCT, n=60)
    strength = grade_of([(review, "supports"), (trial, "supports")])
    assert "counted inside orhurhu2019: sigtermans2009 (supports) is one of the studies it pools" in strength.reasons
    assert "supporting: imprecision -1: 211 participants (< 400)" in strength.reasons  # not 271


def test_an_included_study_counts_when_the_review_itself_does_not():
    review = paper("rev", META, includes=["t"], retracted=True)
    assert verdict([(review, "supports"), (big("t"), "supports")]) == ("supported", "high")


def test_same_study_is_counted_once():
    strength = grade_of([(paper("a", RCT, pmid="123", n=300), "supports"),
                         (paper("a-again", RCT, pmid="123", n=300), "supports")])
    assert strength.certainty == "moderate"  # 300, not 600
    assert any("same study" in r for r in strength.reasons)


def test_same_study_by_doi_ignores_case():
    strength = grade_of([(paper("a", RCT, doi="10.1/ABC", n=300), "supports"),
                         (paper("b", RCT, doi="10.1/abc", n=300), "supports")])
    assert strength.certainty == "moderate"


def test_of_two_records_of_one_study_the_better_placed_counts():
    bare = paper("bare", [], doi="10.1/x", n=500)
    typed = paper("typed", META, doi="10.1/x", n=500)
    assert verdict([(bare, "supports"), (typed, "supports")]) == ("supported", "high")
    assert verdict([(typed, "supports"), (bare, "supports")]) == ("supported", "high")


def test_the_same_source_linked_twice_counts_once():
    rct = paper("no-ids", RCT, n=300)
    assert verdict([(rct, "supports"), (rct, "supports")]) == ("supported", "moderate")


def test_retracted_source_is_flagged_and_not_counted():
    strength = grade_of([(paper("gone", META, retracted=True), "supports"), (paper("b", CASE), "supports")])
    assert (strength.verdict, strength.certainty) == ("supported", "very-low")
    assert strength.retracted == ["gone"]
    assert any(r.startswith("RETRACTED: gone") for r in strength.reasons)


def test_unknown_source_is_not_counted():
    claim = Claim(id="c", statement="s", kind="efficacy", evidence=[Evidence("ghost", "supports")])
    strength = claim_strength(claim, {})
    assert strength.verdict == "not-assessed"
    assert "not counted: ghost is not in the catalog" in strength.reasons


# tables and words


def test_tables_render_every_row():
    design = design_table_markdown()
    for level in range(1, 6):
        assert f"| {level} |" in design
    verdicts = verdict_table_markdown()
    for name in VERDICTS:
        assert f"| {name} |" in verdicts
    assert [v for v, _ in VERDICT_TABLE] == list(VERDICTS)
    assert "| 1, 2 | ⊕⊕⊕⊕ high |" in start_table_markdown()
    assert "| imprecision |" in downgrade_table_markdown() and "400" in downgrade_table_markdown()
    assert "| very low | ⊕◯◯◯ |" in certainty_table_markdown()


def test_strength_keys_round_trip_and_every_verdict_has_plain_words():
    for key in STRENGTH_KEYS:
        assert strength_key(*split_strength_key(key)) == key
    assert split_strength_key("supported-very-low") == ("supported", "very-low")
    assert plain_language("supported", "moderate") == "This is probably true."
    assert plain_language("contradicted", "low") == "This may not be true."
    for certainty in CERTAINTIES:
        assert plain_language("supported", certainty)
