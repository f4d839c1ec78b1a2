"""The per-article scorecard: counts by verdict and certainty, contradicted claims first with the strongest
study against each, as a pure function and at the top of the Markdown and HTML reports."""

from __future__ import annotations

import json

from report_fixtures import REPORT_CLAIMS, REPORT_SOURCES, Page, write_catalog

from kclaims.catalog.files import load_catalog
from kclaims.catalog.query import select_claims
from kclaims.export.html import export_html
from kclaims.export.markdown import export_markdown
from kclaims.export.scorecard import scorecard, scorecard_lines, scorecard_record, scorecards


def _catalog(tmp_path):
    claims = json.loads(json.dumps(REPORT_CLAIMS))
    first = next(c for c in claims if c["id"] == "no-topic")
    first["made_in"] = [{"source": "news", "quote": "first made in 1962"}]
    sources = json.loads(json.dumps(REPORT_SOURCES)) + [
        {"id": "small2020", "title": "A small trial", "authors": ["Small S"], "year": 2020, "n": 12,
         "publication_types": ["Randomized Controlled Trial"]},
        {"id": "cases2010", "title": "Some cases", "authors": ["Case C"], "year": 2010, "n": 900,
         "publication_types": ["Case Reports"]}]
    first["evidence"] += [{"source": "small2020", "stance": "contradicts"}, {"source": "cases2010", "stance": "contradicts"}]
    catalog = load_catalog(write_catalog(tmp_path / "c", claims, sources))
    return catalog, select_claims(catalog)


def test_scorecard_counts_each_verdict_and_lists_contradicted_claims_first(tmp_path):
    catalog, rows = _catalog(tmp_path)
    card = scorecard("news", rows, catalog.sources)
    assert [r.claim.id for r in card.rows] == ["no-topic", "ptsd-relief", "bladder-harm", "rapid-relief"]
    record = scorecard_record(card)
    assert record["claims"] == 4 and record["conflicting"] == 1
    assert record["supported"] == {"high": 0, "moderate": 1, "low": 0, "very-low": 0}
    assert record["contradicted"] == {"high": 0, "moderate": 1, "low": 0, "very-low": 0}  # imprecision: 12
    assert record["word_alone"] == {"no-evidence-found": 0, "not-assessed": 1}
    # the strongest of the contradicting body: the best design (two RCTs start high, the case series does not),
    # then the most participants (null2021 records none, small2020 records 12)
    assert record["contradicted_claims"] == [{"claim": "no-topic", "certainty": "moderate", "strongest_against": "small2020"}]
    assert scorecard_lines(card, catalog.sources) == [
        "Scorecard: 4 claims: 1 supported (1 ⊕⊕⊕◯ moderate), 1 conflicting, 1 contradicted (1 ⊕⊕⊕◯ moderate), "
        "1 on its word alone",
        "  contradicted, ⊕⊕⊕◯ moderate: Ketamine was first made in 1962. (no-topic); strongest against: "
        "Small 2020 (small2020, n=12)"]
    blog = scorecard("blog", rows, catalog.sources)
    assert scorecard_record(blog)["word_alone"] == {"no-evidence-found": 1, "not-assessed": 0} and not blog.against
    assert [c.article for c in scorecards(rows, catalog.sources)] == ["news", "blog"], "most contradicted first"
    assert scorecard("rct2018", rows, catalog.sources).rows == [], "a paper that makes no claim has an empty card"


def test_every_report_opens_with_the_scorecard(tmp_path):
    catalog, rows = _catalog(tmp_path)
    sources = list(catalog.sources.values())
    markdown = export_markdown(rows, sources)
    assert markdown.index("## Which articles hold up") < markdown.index("## Summary")
    assert ("| [Jane 2023](#source-news) | 4 | · | 1 | · | · | 1 | 1 | 1 |") in markdown
    assert ("  - [contradicted, ⊕⊕⊕◯ moderate: Ketamine was first made in 1962. (no-topic); strongest against: "
            "Small 2020 (small2020, n=12)](#claim-no-topic)") in markdown
    html = export_html(rows, sources)
    page = Page(html[html.index('<section id="scorecard">'):html.index('<section id="legend">')])
    assert page.text.startswith("Which articles hold up")
    assert "Jane 2023 4 · 1 · · 1 1 1" in page.text
    assert {"href": "#claim-no-topic"} in page.all("a")
    assert html.index('id="scorecard"') < html.index('id="map"')


def test_list_article_selects_the_claims_an_article_makes(shipped_catalog):
    import json

    from conftest import invoke

    made = json.loads(invoke(["list", "--json", "--article", "nwtms-ketamine-chronic-pain"],
                             catalog=shipped_catalog).stdout)["claims"]
    assert made and all(any(q["source"] == "nwtms-ketamine-chronic-pain" for q in c["quotes"]) for c in made)
    assert "no source with id 'nope'" in invoke(["list", "--article", "nope"], code=2, catalog=shipped_catalog).stderr


def test_source_show_prints_the_articles_scorecard_and_json_carries_it(shipped_catalog):
    import json

    from conftest import invoke

    out = invoke(["source", "show", "ketamine-ptsd-anxiety"], catalog=shipped_catalog).stdout
    assert "Scorecard:" in out and "strongest against:" in out
    document = json.loads(invoke(["source", "show", "ketamine-ptsd-anxiety", "--json"], catalog=shipped_catalog).stdout)
    card = document["scorecard"]
    assert card["claims"] == len(document["claims"])
    paper = json.loads(invoke(["source", "show", "feder2014", "--json"], catalog=shipped_catalog).stdout)
    assert paper.get("scorecard") is None  # a paper makes no claims of its own


def test_every_article_s_card_is_the_one_it_gets_alone(tmp_path):
    """`scorecards` puts each article's claims in order in one pass over all of them; `scorecard`
    sorts one article's: the same cards, claims in the same order, the same studies against."""
    catalog, rows = _catalog(tmp_path)
    rows = rows + [row for row in reversed(rows)]  # claims met again, in another order
    cards = scorecards(rows, catalog.sources)
    assert len(cards) == 2 and any(card.against for card in cards)
    for card in cards:
        alone = scorecard(card.article, rows, catalog.sources)
        assert [id(row) for row in card.rows] == [id(row) for row in alone.rows]
        assert [(id(a.row), a.source_id) for a in card.against] == [(id(a.row), a.source_id) for a in alone.against]
        assert card.keys == alone.keys and card.verdicts == alone.verdicts
        assert card.verdict_count("contradicted") == len(card.against)
