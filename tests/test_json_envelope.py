"""Every --json output is one envelope, `{"kclaims": SCHEMA_VERSION, ...}`, and a top-level
`claims` or `sources` holds the same records everywhere (docs/json.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import invoke
from kclaims.export.json import SCHEMA_VERSION

CLAIM_KEYS = {"id", "statement", "kind", "topics", "quotes", "evidence", "strength", "grade", "searched", "note"}
SOURCE_KEYS = {"id", "kind", "title", "authors", "year", "journal", "pmid", "pmcid", "doi", "url", "design", "level",
               "retracted", "n", "risk_of_bias", "includes"}
BIB = "@article{lee2020,\n  title = {A trial},\n  author = {Lee, Ann},\n  journal = {J},\n  year = {2020}\n}\n"


def _document(args: list[str], catalog: Path, code: int = 0) -> dict:
    document = json.loads(invoke(args, code=code, catalog=catalog).stdout)
    assert document["kclaims"] == SCHEMA_VERSION
    assert list(document)[0] == "kclaims"
    for claim in document.get("claims", []):
        assert set(claim) == CLAIM_KEYS
    for source in document.get("sources", []):
        assert set(source) == SOURCE_KEYS
    return document


@pytest.mark.parametrize(("args", "keys"), [
    (["check", "--json"], {"kclaims", "problems"}),
    (["list", "--json"], {"kclaims", "claims"}),
    (["show", "ptsd-relief", "--json"], {"kclaims", "claims", "sources"}),
    (["export", "--format", "json"], {"kclaims", "claims", "sources"}),
    (["source", "list", "--json"], {"kclaims", "sources"}),
    (["source", "show", "feder2014", "--json"], {"kclaims", "sources", "claims"}),
    (["source", "show", "blog", "--json"], {"kclaims", "sources", "claims", "scorecard"}),
])
def test_every_json_output_is_the_envelope(small_catalog: Path, args: list[str], keys: set[str]):
    assert set(_document(args, small_catalog)) == keys


def test_source_reports_are_the_envelope(small_catalog: Path, tmp_path: Path):
    bib = tmp_path / "lib.bib"
    bib.write_text(BIB, encoding="utf-8")
    imported = _document(["source", "import", str(bib), "--json"], small_catalog)
    assert set(imported) == {"kclaims", "outcomes", "warnings", "requests", "from_cache"}
    offline = _document(["source", "add", "pmid:1", "--offline", "--json"], small_catalog, code=2)
    assert offline["outcomes"][0]["action"] == "failed"


def test_extract_json_is_the_envelope(small_catalog: Path, tmp_path: Path):
    article = tmp_path / "article.txt"
    article.write_text("Ketamine reduces PTSD symptoms in veterans, a trial found.\n", encoding="utf-8")
    document = _document(["extract", str(article), "--json"], small_catalog)
    assert {"kclaims", "candidates", "references"} <= set(document)
