"""The catalog this repository ships stays trustworthy: clean under `check`, quotes verbatim,
every id resolving, the articles' snapshots unchanged."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, invoke
from kclaims.catalog.files import load_catalog
from kclaims.catalog.check import check_catalog, normalise_quote_text
from kclaims.catalog.query import select_claims

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


def test_every_label_occurs_and_ptsd_is_contested_by_the_veterans_trial():
    rows = select_claims(load_catalog(REPO))
    labels = {row.strength.label for row in rows}
    assert {"unsupported", "limited", "moderate", "strong"} <= labels
    ptsd = next(row for row in rows if row.claim.id == "ptsd-symptom-reduction")
    assert ptsd.strength.label == "contested"
    assert any("abdallah2022" in reason for reason in ptsd.strength.reasons)
