"""Change and undo anything: claim edit, rm, unlink, unquote, merge; link replacing a link; source
new/edit/rm; quotes checked against the snapshot; `kclaims open`. Through the real command."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import invoke, snapshot_files
from kclaims.catalog.files import load_catalog

GAPPED_CLAIMS = """\
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
    note: A note that ends the claim.

  # ---- second section
  - id: two
    statement: Ketamine reduces PTSD symptoms.
    kind: efficacy
    topics: [ptsd]
    made_in:
      - {source: blog, quote: "ketamine may ease the symptoms of PTSD"}
    evidence:
      - {source: feder2014, stance: supports}

  - id: three
    statement: Ketamine eases pain.
    kind: efficacy
    topics: [chronic-pain]
    made_in:
      - source: blog
        quote: "ketamine can reduce pain transmission"
    evidence: []
    searched:
      - {on: '2026-11-30', database: pubmed, query: 'ketamine pain', screened: 3, relevant: 0}

  - id: four
    statement: Ketamine eases chronic pain.
    kind: efficacy
    topics: [pain]
    made_in:
      - source: blog
        quote: "ketamine can reduce pain"
"""


@pytest.fixture
def gapped(small_catalog: Path) -> Path:
    (small_catalog / "claims.yaml").write_text(GAPPED_CLAIMS, encoding="utf-8")
    return small_catalog


def claims_text(root: Path) -> str:
    return (root / "claims.yaml").read_text(encoding="utf-8")


def assert_gaps_kept(text: str) -> None:
    assert "\n\n  # ---- second section\n  - id: two\n" in text
    for claim_id in ("three", "four"):
        if f"- id: {claim_id}\n" in text:
            assert f"\n\n  - id: {claim_id}\n" in text, text


@pytest.mark.parametrize("args", [
    ["claim", "grade", "one", "supported", "--certainty", "low", "--because", "One old study."],
    ["claim", "grade", "two", "supported", "--certainty", "low", "--because", "One trial."],
    ["claim", "grade", "three", "conflicting", "--because", "Mixed."],
    ["claim", "link", "one", "feder2014", "--stance", "mentions"],
    ["claim", "link", "two", "anis1983", "--stance", "mentions"],
    ["claim", "link", "three", "anis1983", "--stance", "mentions"],
    ["claim", "quote", "two", "blog", "Some say ketamine"],
    ["claim", "edit", "one", "--note", ""],
    ["claim", "edit", "three", "--note", "A new last key."],
    ["claim", "unlink", "two", "feder2014"],
    ["claim", "unlink", "one", "anis1983"],
    ["claim", "rm", "three"],
    ["claim", "merge", "three", "four"],
    ["claim", "merge", "two", "three"],
])
def test_every_edit_keeps_the_blank_line_and_section_comment_before_the_next_claim(gapped: Path, args):
    invoke(args, catalog=gapped)
    assert_gaps_kept(claims_text(gapped))
    load_catalog(gapped)


def test_grade_appends_its_block_inside_the_claim(gapped: Path):
    invoke(["claim", "grade", "one", "supported", "--certainty", "low", "--because", "Old."], catalog=gapped)
    assert ("    note: A note that ends the claim.\n    grade:\n      verdict: supported\n"
            "      certainty: low\n      because: Old.\n\n  # ---- second section\n") in claims_text(gapped)


def test_removing_the_first_claim_of_a_section_keeps_the_section_heading(gapped: Path):
    invoke(["claim", "rm", "two"], catalog=gapped)
    text = claims_text(gapped)
    assert "- id: two" not in text
    assert "    note: A note that ends the claim.\n\n  # ---- second section\n  - id: three\n" in text


def test_link_again_replaces_stance_note_and_appraisal(small_catalog: Path):
    invoke(["claim", "link", "ptsd-relief", "feder2014", "--stance", "supports", "--indirect", "population",
            "--indirect", "outcome", "--certainty", "low"], catalog=small_catalog)
    link = load_catalog(small_catalog).claim("ptsd-relief").evidence[0]
    assert (link.stance, link.note, link.indirect, link.certainty) == ("supports", "", ["population", "outcome"], "low")
    assert "indirect: [population, outcome]" in claims_text(small_catalog)
    result = invoke(["claim", "link", "ptsd-relief", "feder2014", "--stance", "contradicts", "--note", "Re-read."],
                    catalog=small_catalog)
    assert "Replaced the link of feder2014 to ptsd-relief: supports -> contradicts" in result.stderr
    link = load_catalog(small_catalog).claim("ptsd-relief").evidence[0]
    assert (link.stance, link.note, link.indirect, link.certainty) == ("contradicts", "Re-read.", [], None)


def test_claim_edit_changes_fields_and_topics(small_catalog: Path):
    result = invoke(["claim", "edit", "nmda-antagonism", "--statement", "Ketamine blocks NMDA receptors.",
                     "--kind", "mechanism", "--topic", "anaesthesia", "--remove-topic", "depression",
                     "--note", "Edited."], catalog=small_catalog)
    assert "statement: Ketamine blocks NMDA receptors." in result.stderr
    claim = load_catalog(small_catalog).claim("nmda-antagonism")
    assert (claim.statement, claim.topics, claim.note) == (
        "Ketamine blocks NMDA receptors.", ["chronic-pain", "anaesthesia"], "Edited.")
    assert "    curator_extra: an unknown key a person added\n" in claims_text(small_catalog)


def test_rm_unlink_unquote(small_catalog: Path):
    invoke(["claim", "unlink", "nmda-antagonism", "anis1983"], catalog=small_catalog)
    invoke(["claim", "unquote", "ptsd-relief", "blog"], catalog=small_catalog)
    invoke(["claim", "rm", "ptsd-relief"], catalog=small_catalog)
    catalog = load_catalog(small_catalog)
    assert [c.id for c in catalog.claims] == ["nmda-antagonism"]
    assert catalog.claims[0].evidence == []
    assert "feder2014" in catalog.sources  # removing a claim leaves its sources


def test_merge_combines_and_drops_duplicates(small_catalog: Path):
    invoke(["claim", "quote", "ptsd-relief", "blog", "By blocking this receptor, ketamine can reduce pain transmission"],
           catalog=small_catalog)
    result = invoke(["claim", "merge", "nmda-antagonism", "ptsd-relief"], catalog=small_catalog)
    assert "dropped quote from blog (already recorded)" in result.stderr
    claim = load_catalog(small_catalog).claim("nmda-antagonism")
    assert [q.text for q in claim.made_in][-1] == "ketamine may ease the symptoms of PTSD"
    assert [e.source for e in claim.evidence] == ["anis1983", "feder2014"]
    assert claim.topics == ["depression", "chronic-pain", "ptsd"]
    assert [c.id for c in load_catalog(small_catalog).claims] == ["nmda-antagonism"]


def test_quote_is_checked_against_the_snapshot(small_catalog: Path):
    before = snapshot_files(small_catalog)
    result = invoke(["claim", "quote", "ptsd-relief", "blog", "ketamine may ease symptoms of PTSD"], code=2,
                    catalog=small_catalog)
    assert "not in sources/blog.txt" in result.stderr and "Some say ketamine may ease the symptoms" in result.stderr
    assert snapshot_files(small_catalog) == before
    invoke(["claim", "add", "x", "Statement.", "--kind", "efficacy", "--from", "blog", "--quote", "not there"],
           code=2, catalog=small_catalog)
    assert snapshot_files(small_catalog) == before
    invoke(["claim", "quote", "ptsd-relief", "blog", "ketamine may ease symptoms of PTSD", "--unchecked"],
           catalog=small_catalog)
    invoke(["claim", "quote", "ptsd-relief", "blog", "Some  say\nketamine"], catalog=small_catalog)  # spacing ignored
    # a source without a snapshot cannot be checked: the words are recorded
    invoke(["claim", "quote", "ptsd-relief", "feder2014", "Ketamine rapidly reduced symptoms"], catalog=small_catalog)


def test_source_new_takes_every_documented_key(small_catalog: Path):
    invoke(["source", "new", "zarate2006", "--title", "A randomized trial", "--kind", "journal-article",
            "--author", "Zarate, Carlos A.", "--author", "Singh JB", "--date", "2006-08", "--journal", "Arch Gen Psychiatry",
            "--volume", "63", "--issue", "8", "--pages", "856-864", "--pmid", "PMID: 16894061", "--pmcid", "pmc123",
            "--doi", "https://doi.org/10.1001/archpsyc.63.8.856", "--publication-type", "Randomized Controlled Trial",
            "--population", "human", "--design", "2", "--n", "18", "--risk-of-bias", "some",
            "--includes", "feder2014", "--not-retracted", "--note", "Entered by hand."], catalog=small_catalog)
    source = load_catalog(small_catalog).source("zarate2006")
    assert (source.authors, source.year, source.pmid, source.pmcid, source.doi) == (
        ["Zarate CA", "Singh JB"], 2006, "16894061", "PMC123", "10.1001/archpsyc.63.8.856")
    assert (source.design, source.n, source.risk_of_bias, source.includes, source.population) == (
        2, 18, "some", ["feder2014"], "human")
    assert invoke(["check"], catalog=small_catalog).exit_code == 0


def test_source_edit_sets_and_unsets_keeping_comments(small_catalog: Path):
    path = small_catalog / "sources" / "feder2014.yaml"
    path.write_text("# curated by hand\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = invoke(["source", "edit", "feder2014", "--n", "41", "--risk-of-bias", "low", "--design", "2"],
                    catalog=small_catalog)
    assert "Changed design, n, risk_of_bias of feder2014." in result.stderr
    invoke(["source", "edit", "feder2014", "--unset", "design", "--retracted"], catalog=small_catalog)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# curated by hand\n") and "n: 41\n" in text and "design" not in text
    source = load_catalog(small_catalog).source("feder2014")
    assert (source.n, source.design, source.retracted) == (41, None, True)


def test_source_rm_refuses_while_used_then_force_unlinks(small_catalog: Path):
    before = snapshot_files(small_catalog)
    result = invoke(["source", "rm", "blog"], code=2, catalog=small_catalog)
    assert "quoted by nmda-antagonism, ptsd-relief" in result.stderr
    assert snapshot_files(small_catalog) == before
    invoke(["source", "new", "spare", "--title", "Unused"], catalog=small_catalog)
    invoke(["source", "rm", "spare"], catalog=small_catalog)
    assert not (small_catalog / "sources" / "spare.yaml").exists()
    result = invoke(["source", "rm", "anis1983", "--force"], catalog=small_catalog)
    assert "Unlinked anis1983 from nmda-antagonism." in result.stderr
    catalog = load_catalog(small_catalog)
    assert "anis1983" not in catalog.sources and catalog.claim("nmda-antagonism").evidence == []
    invoke(["source", "rm", "blog", "--force"], catalog=small_catalog)
    assert not (small_catalog / "sources" / "blog.txt").exists()


def test_open_prints_the_address_when_not_a_terminal(small_catalog: Path):
    assert invoke(["open", "anis1983"], catalog=small_catalog).stdout == "https://doi.org/10.1111/j.1476-5381.1983.tb11031.x\n"
    assert invoke(["open", "blog", "--print"], catalog=small_catalog).stdout == "https://example.org/ketamine\n"


@pytest.mark.parametrize(("args", "message"), [
    (["claim", "edit", "nmda-antagonism"], "nothing to change"),
    (["claim", "edit", "nmda-antagonism", "--kind", "magic"], "'kind' is 'magic'"),
    (["claim", "edit", "nmda-antagonism", "--remove-topic", "ptsd"], "has no topic 'ptsd'"),
    (["claim", "edit", "nmda-antagonism", "--topic", "Bad Topic"], "topic"),
    (["claim", "edit", "nmda-antagonism", "--statement", " "], "'statement' must not be empty"),
    (["claim", "rm", "nope"], "no claim with id 'nope'"),
    (["claim", "unlink", "nmda-antagonism", "feder2014"], "does not link 'feder2014'"),
    (["claim", "unquote", "nmda-antagonism", "blog", "other words"], "no such quote"),
    (["claim", "unquote", "nmda-antagonism", "feder2014"], "has no quote from 'feder2014'"),
    (["claim", "merge", "ptsd-relief", "ptsd-relief"], "into itself"),
    (["claim", "merge", "ptsd-relief", "nope"], "no claim with id 'nope'"),
    (["claim", "link", "ptsd-relief", "anis1983", "--stance", "supports", "--indirect", "dose"], "--indirect 'dose'"),
    (["claim", "link", "ptsd-relief", "anis1983", "--stance", "supports", "--certainty", "good"], "--certainty 'good'"),
    (["source", "new", "x1", "--title", "T", "--n", "0"], "'n' must be a whole number above 0"),
    (["source", "new", "x1", "--title", "T", "--design", "7"], "design"),
    (["source", "new", "x1", "--title", "T", "--pmid", "abc"], "--pmid 'abc' is not a PMID"),
    (["source", "new", "x1", "--title", "T", "--population", "martian"], "'population' is 'martian'"),
    (["source", "new", "x1", "--title", "T", "--includes", "ghost"], "'includes' names 'ghost'"),
    (["source", "new", "x1"], "--title is required"),
    (["source", "edit", "feder2014"], "nothing to change"),
    (["source", "edit", "feder2014", "--risk-of-bias", "awful"], "'risk_of_bias' is 'awful'"),
    (["source", "edit", "feder2014", "--unset", "id"], "'id' is not a key"),
    (["source", "edit", "ghost", "--n", "3"], "no source with id 'ghost'"),
    (["source", "rm", "ghost"], "no source with id 'ghost'"),
    (["source", "rm", "feder2014"], "linked by ptsd-relief"),
    (["open", "ghost"], "no source with id 'ghost'"),
])
def test_bad_changes_exit_2_and_leave_every_file_as_it_was(small_catalog: Path, args, message):
    before = snapshot_files(small_catalog)
    result = invoke(args, code=2, catalog=small_catalog)
    assert message in result.stderr
    assert snapshot_files(small_catalog) == before


def test_source_rm_refuses_while_a_review_includes_it(small_catalog: Path):
    invoke(["source", "edit", "anis1983", "--includes", "feder2014"], catalog=small_catalog)
    before = snapshot_files(small_catalog)
    result = invoke(["source", "rm", "feder2014", "--force"], code=2, catalog=small_catalog)
    assert "in the 'includes' of anis1983" in result.stderr
    assert snapshot_files(small_catalog) == before
    assert yaml.safe_load((small_catalog / "sources" / "anis1983.yaml").read_text())["includes"] == ["feder2014"]


def test_a_source_url_must_be_a_web_address(small_catalog):
    from conftest import invoke, snapshot_files

    before = snapshot_files(small_catalog)
    result = invoke(["source", "new", "x4", "--title", "t", "--url", "javascript:alert(1)"], code=2,
                    catalog=small_catalog)
    assert "'url' must be a web address starting http:// or https://" in result.stderr
    assert snapshot_files(small_catalog) == before
