"""Extraction proposes near-duplicates: a new claim, or two catalog claims, that say nearly the same
thing are named with the `kclaims claim merge KEEP OTHER` that would join them; nothing is merged
until a person runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import invoke, snapshot_files
from kclaims.catalog.files import load_catalog
from kclaims.extract.index import ClaimIndex
from kclaims.model import Claim

ARTICLE = "A clinical trial has shown that ketamine reduces PTSD symptoms in veterans within a week.\n"
TWIN = """\
  - id: ptsd-symptoms-reduced
    statement: PTSD symptoms are reduced by ketamine.
    kind: efficacy
    topics: [ptsd]
"""


def _claim(claim_id: str, statement: str) -> Claim:
    return Claim(id=claim_id, statement=statement, kind="efficacy", topics=[])


def test_near_duplicates_share_most_words_and_every_negation():
    index = ClaimIndex([_claim("a", "Ketamine reduces PTSD symptoms."),
                        _claim("b", "Ketamine does not reduce PTSD symptoms."),
                        _claim("c", "Ketamine blocks NMDA receptors.")])
    assert index.near_duplicates("PTSD symptoms are reduced by ketamine") == ["a"]
    assert index.near_duplicates("Ketamine reduces the symptoms of PTSD in veterans.") == ["a"]
    assert index.near_duplicates("Ketamine did not reduce PTSD symptoms.") == ["b"]
    assert index.near_duplicates("Ketamine reduces PTSD symptoms.", exclude="a") == []
    assert index.near_duplicates("Ketamine reduces depression.") == []


@pytest.fixture
def twin_catalog(small_catalog: Path) -> tuple[Path, Path]:
    """The small catalog with a second claim saying what ptsd-relief says, and an article restating it."""
    with (small_catalog / "claims.yaml").open("a", encoding="utf-8") as claims:
        claims.write(TWIN)
    invoke(["source", "new", "blog2", "--title", "Ketamine news"], catalog=small_catalog)
    article = small_catalog / "sources" / "blog2.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    return small_catalog, article


def test_json_names_two_catalog_claims_that_say_the_same(twin_catalog: tuple[Path, Path]):
    root, article = twin_catalog
    before = snapshot_files(root)
    document = json.loads(invoke(["extract", str(article), "--json"], catalog=root).stdout)
    assert document["duplicates"] == [{"keep": "ptsd-relief", "other": "ptsd-symptoms-reduced",
                                       "command": "kclaims claim merge ptsd-relief ptsd-symptoms-reduced"}]
    (candidate,) = document["candidates"]
    if candidate["match"] is None:  # a new proposal: the claims it nearly restates
        assert set(candidate["near_duplicates"]) == {"ptsd-relief", "ptsd-symptoms-reduced"}
    assert snapshot_files(root) == before


def test_apply_says_so_and_merges_nothing(twin_catalog: tuple[Path, Path]):
    root, article = twin_catalog
    result = invoke(["extract", str(article), "--source", "blog2", "--apply", "--threshold", "0"], catalog=root)
    assert ("near-duplicates: ptsd-relief and ptsd-symptoms-reduced say nearly the same thing; "
            "to merge them: kclaims claim merge ptsd-relief ptsd-symptoms-reduced") in result.stderr
    assert {"ptsd-relief", "ptsd-symptoms-reduced"} <= {c.id for c in load_catalog(root).claims}
    invoke(["claim", "merge", "ptsd-relief", "ptsd-symptoms-reduced"], catalog=root)  # the person's choice
    assert "ptsd-symptoms-reduced" not in {c.id for c in load_catalog(root).claims}


def test_a_new_claim_that_says_what_one_says_gets_the_merge_command(small_catalog: Path):
    invoke(["source", "new", "blog2", "--title", "Ketamine news"], catalog=small_catalog)
    article = small_catalog / "sources" / "blog2.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    answers = "n\nptsd-veterans\nKetamine reduces PTSD symptoms in veterans.\nefficacy\nptsd\n"
    result = invoke(["extract", str(article), "--source", "blog2"], catalog=small_catalog, input=answers)
    assert "nearly the same as ptsd-relief: kclaims claim merge ptsd-relief ptsd-veterans" in result.stderr
    claims = {c.id: c for c in load_catalog(small_catalog).claims}
    assert claims["ptsd-veterans"].statement == "Ketamine reduces PTSD symptoms in veterans."
    assert "ptsd-relief" in claims  # nothing merged


def test_a_distinct_new_claim_gets_no_merge_hint(small_catalog: Path):
    invoke(["source", "new", "blog2", "--title", "Ketamine news"], catalog=small_catalog)
    article = small_catalog / "sources" / "blog2.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    answers = "n\nptsd-veterans-week\nKetamine eases PTSD in veterans within one week of infusion.\nefficacy\nptsd\n"
    result = invoke(["extract", str(article), "--source", "blog2"], catalog=small_catalog, input=answers)
    assert "claim merge" not in result.stderr
