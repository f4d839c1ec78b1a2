"""The catalog this repository ships stays trustworthy: clean under `check`, quotes verbatim,
every id resolving, the articles' snapshots unchanged."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, invoke
from kclaims.catalog.files import load_catalog
from kclaims.catalog.check import check_catalog
from kclaims.catalog.query import select_claims
from kclaims.text import normalise_quote_text

SEEDS = REPO.parent / "shared" / "seeds"
# which seed article (shared/seeds/NNN_*.txt) each snapshot copies byte for byte
SEED_NUMBER = {
    "swpm-ketamine-neuroplasticity": "000",
    "ketamine-therapy-benefits": "001",
    "rtr-ketamine-neurological-damage": "002",
    "nwtms-ketamine-chronic-pain": "003",
    "ketamine-ptsd-anxiety": "004",
}


def test_shipped_catalog_checks_clean(shipped_catalog: Path):
    assert check_catalog(shipped_catalog) == []
    assert "clean" in invoke(["check"], catalog=shipped_catalog).stderr


def test_every_quote_is_verbatim_and_every_id_resolves():
    catalog = load_catalog(REPO)
    assert len(catalog.claims) >= 50
    for claim in catalog.claims:
        assert claim.made_in, claim.id
        for quote in claim.made_in:
            snapshot = catalog.snapshot_path(quote.source).read_text(encoding="utf-8")
            assert normalise_quote_text(quote.text) in normalise_quote_text(snapshot), (claim.id, quote.text)
        for item in claim.evidence:
            assert item.source in catalog.sources, (claim.id, item.source)
    for source in catalog.sources.values():
        for target in source.references.values():
            assert target in catalog.sources


def test_snapshots_are_the_seed_articles_byte_for_byte():
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    for source_id, number in SEED_NUMBER.items():
        snapshot = (REPO / "sources" / f"{source_id}.txt").read_bytes()
        assert load_catalog(REPO).source(source_id).kind == "web-article"
        matching = [s for s in seeds if s.name.startswith(f"{number}_")]
        if matching:  # shared/ sits beside the repository in CI and on developer machines
            assert snapshot == matching[0].read_bytes()


def _rows() -> dict:
    return {row.claim.id: row for row in select_claims(load_catalog(REPO))}


def test_every_claim_without_counted_evidence_records_a_search():
    rows = _rows()
    unsearched = [claim_id for claim_id, row in rows.items() if row.strength.verdict == "not-assessed"
                  and not (row.claim.grade and row.claim.grade.verdict == "not-assessed")]
    assert unsearched == []
    assert sum(1 for row in rows.values() if row.strength.verdict == "no-evidence-found") >= 30


def test_the_literature_is_appraised_not_only_linked():
    catalog = load_catalog(REPO)
    papers = [s for s in catalog.sources.values() if s.kind == "journal-article"]
    links = [e for c in catalog.claims for e in c.evidence]
    assert len(papers) >= 70
    assert sum(1 for s in papers if s.n) >= 50
    assert sum(1 for e in links if e.indirect) >= 100
    assert sum(1 for e in links if e.certainty) >= 3
    for source in catalog.sources.values():
        for pooled in source.includes:
            assert pooled in catalog.sources, (source.id, pooled)


def test_esketamine_and_s_ketamine_trials_are_indirect_for_ketamine_claims():
    catalog = load_catalog(REPO)
    esketamine = {"daly2018", "daly2019", "fedgchin2019", "popova2019", "ochsross2020", "wajs2020", "fu2020",
                  "ionescu2021", "sigtermans2009"}
    for claim in catalog.claims:
        if "esketamine" in claim.statement.lower():
            continue
        for item in claim.evidence:
            if item.source in esketamine and item.stance != "mentions":
                assert "intervention" in item.indirect, (claim.id, item.source)


def test_ptsd_is_conflicting_because_of_the_veterans_trial():
    ptsd = _rows()["ptsd-symptom-reduction"]
    assert ptsd.strength.verdict == "conflicting"
    assert "contradicting: start high: 1 RCT: abdallah2022 (RCT, n=158)" in ptsd.strength.reasons


def test_every_curator_grade_says_why_in_rubric_2_terms():
    for claim in load_catalog(REPO).claims:
        if claim.grade:
            assert claim.grade.label is None and claim.grade.verdict, claim.id
            assert len(claim.grade.because) > 40, claim.id
