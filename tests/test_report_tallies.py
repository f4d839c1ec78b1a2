"""The report's top counted a chunk at a time (export/tallies.py): the same counts, scorecard order
and contradicted lines as the summaries over all the rows, however the claims are cut into chunks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_fixtures import REPORT_CLAIMS, REPORT_SOURCES, write_catalog

from kclaims.catalog.files import load_catalog
from kclaims.catalog.query import select_claims
from kclaims.export.markdown import against_line
from kclaims.export.scorecard import (Against, cells_of, scorecard_cells, scorecard_order, scorecards,
                                      strongest_against, verdict_counts)
from kclaims.export.tallies import ReportTallies
from kclaims.export.view import Bibliography, strength_counts, topic_strength_counts


def _rows(tmp_path: Path):
    claims = json.loads(json.dumps(REPORT_CLAIMS))
    no_topic = next(c for c in claims if c["id"] == "no-topic")
    no_topic["made_in"] = [{"source": "news", "quote": "first made in 1962"}]  # a contradicted claim of news's
    catalog = load_catalog(write_catalog(tmp_path / "c", claims, REPORT_SOURCES))
    return select_claims(catalog), Bibliography(catalog.sources.values())


def _line_maker(bibliography: Bibliography):
    return lambda row: against_line(Against(row, strongest_against(row, bibliography)), bibliography, {})


@pytest.mark.parametrize("cut", [1, 2, 3, 100])
def test_tallies_merged_chunk_by_chunk_are_the_summaries_of_all_the_rows(tmp_path: Path, cut: int) -> None:
    rows, bibliography = _rows(tmp_path)
    tallies = ReportTallies()
    spools: list[bytes] = []  # each chunk's contradicted lines, as its spool file would hold them after its sections
    for start in range(0, len(rows), cut):
        chunk = ReportTallies()
        chunk.add(rows[start:start + cut], _line_maker(bibliography))
        sections = b"sections first\n"
        spools.append(sections + b"".join(chunk.lines_to_spool(len(spools), len(sections))))
        tallies.merge(chunk)
    assert tallies.claims == len(rows)
    assert tallies.strength_counts() == strength_counts(rows)
    expected_topics = topic_strength_counts(rows)
    assert list(tallies.topic_rows()) == list(expected_topics)  # topics A to Z, none last
    assert all(tallies.topic_rows()[topic].by_key == cell.by_key and tallies.topic_rows()[topic].claims == cell.claims
               for topic, cell in expected_topics.items())
    cards = scorecards(rows, bibliography)
    assert list(tallies.articles) == list(dict.fromkeys(q.source for row in rows for q in row.claim.made_in))
    for card in cards:
        keys = tallies.keys(card.article)
        assert keys == {key: count for key, count in card.keys.items() if count}
        lines = tallies.lines(card.article, lambda place: spools[place[0]][place[1]:place[2]])
        assert list(lines) == [against_line(item, bibliography, {}) for item in card.against]
        assert cells_of(keys, verdict_counts(keys)) == scorecard_cells(card)
    placed = sorted(tallies.articles, key=lambda article: scorecard_order(
        article, bibliography.get(article), verdict_counts(tallies.keys(article))))
    assert placed == [card.article for card in cards]  # the scorecard's order
    assert any(card.against for card in cards)  # the fixture has contradicted claims
    assert all(b"- [contradicted" in spool for spool in spools if spool != b"sections first\n")


def test_no_claims_tally_nothing(tmp_path: Path) -> None:
    tallies = ReportTallies()
    tallies.merge(ReportTallies())
    assert tallies.claims == 0 and not tallies.articles and not tallies.topic_rows()
    assert set(tallies.strength_counts().values()) == {0}


def test_tallies_whose_lines_were_never_spooled_are_not_merged(tmp_path: Path) -> None:
    rows, bibliography = _rows(tmp_path)
    chunk = ReportTallies()
    chunk.add(rows, _line_maker(bibliography))  # it has contradicted claims: their lines are held
    with pytest.raises(ValueError):
        ReportTallies().merge(chunk)  # merged, they would be lost
    chunk.lines_to_spool(0, 0)
    merged = ReportTallies()
    merged.merge(chunk)
    assert merged.claims == len(rows)
