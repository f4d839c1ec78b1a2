"""Exports stream: each format's pieces are its whole text, a file appears only complete (a failure or a
stop part-way leaves no file and the old one as it was), standard output gets the text as it is made, and
the fast JSON writer writes exactly what json.dumps(indent=2) would."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import signal
from pathlib import Path

import pytest
from conftest import invoke
from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import write_hostile_catalog, write_report_catalog

from kclaims.catalog.files import load_catalog
from kclaims.catalog.query import ClaimRow, linked_sources, select_claims
from kclaims.cli.options import print_chunks
from kclaims.errors import ExitCode, Stopped
from kclaims.export import BATCH_CHARACTERS, FORMATS, STREAMS, exporter, exporter_chunks
from kclaims.export.csv import ROWS_PER_PIECE, csv_text
from kclaims.export.json import SCHEMA_VERSION, claim_record, claim_text, document, json_text
from kclaims.export.markdown import inline
from kclaims.export.output import write_chunks
from kclaims.export.scorecard import articles_of, scorecard, scorecards
from kclaims.export.view import Bibliography, citation_names, is_one_line, one_line
from kclaims.grade import Strength
from kclaims.model import Claim, Evidence, Grade, Quote, Search, Source


def _rows_and_sources(root: Path) -> tuple[list[ClaimRow], list[Source]]:
    catalog = load_catalog(root)
    rows = select_claims(catalog)
    return rows, linked_sources(catalog, rows)


@pytest.fixture
def report_catalog(tmp_path: Path) -> Path:
    return write_report_catalog(tmp_path / "report")


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- the pieces are the report ------------------------------------------------------------------------


def test_every_format_has_a_streaming_form() -> None:
    assert STREAMS.keys() == FORMATS.keys()


def test_a_format_without_a_streaming_form_streams_its_whole_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMATS, "plain", "kclaims.export.csv:export_csv")
    assert list(exporter_chunks("plain")([], [])) == [exporter("csv")([], [])]


@pytest.mark.parametrize("name", list(FORMATS))
@pytest.mark.parametrize("write", [write_report_catalog, write_hostile_catalog])
def test_the_pieces_joined_are_the_whole_report(tmp_path: Path, name: str, write) -> None:
    rows, sources = _rows_and_sources(write(tmp_path / "catalog"))
    assert "".join(exporter_chunks(name)(rows, sources)) == exporter(name)(rows, sources)


@pytest.mark.parametrize("name", list(FORMATS))
def test_an_empty_selection_streams_the_same_text(name: str) -> None:
    assert "".join(exporter_chunks(name)([], [])) == exporter(name)([], [])


def test_the_written_file_is_the_printed_report(report_catalog: Path, tmp_path: Path) -> None:
    printed = invoke(["export", "--format", "md"], catalog=report_catalog).stdout
    invoke(["export", "--format", "md", "--output", str(tmp_path / "report.md")], catalog=report_catalog)
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == printed


# --- all or nothing on disk -------------------------------------------------------------------------------


def _failing(pieces: list[str], error: BaseException):
    def chunks(*args: object, **kwargs: object):
        yield from pieces
        raise error
    return chunks


@pytest.mark.parametrize("error", [RuntimeError("a bug half-way"), KeyboardInterrupt(), Stopped(signal.SIGTERM)])
def test_a_failure_mid_write_leaves_the_old_file_as_it_was(tmp_path: Path, error: BaseException) -> None:
    target = tmp_path / "out" / "report.md"
    target.parent.mkdir()
    target.write_text("the report of yesterday\n", encoding="utf-8")
    with pytest.raises(type(error)):
        write_chunks(target, _failing(["# Claims\n", "x" * (3 * BATCH_CHARACTERS)], error)())
    assert target.read_text(encoding="utf-8") == "the report of yesterday\n"
    assert _files(target.parent) == ["report.md"]  # no temporary file left beside it


def test_a_failure_mid_write_creates_no_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        write_chunks(tmp_path / "report.md", _failing(["x" * (2 * BATCH_CHARACTERS)], RuntimeError("bug"))())
    assert _files(tmp_path) == []


def test_the_file_keeps_its_old_text_until_the_new_one_is_complete(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old\n", encoding="utf-8")
    seen = []

    def chunks():
        for index in range(4):
            yield f"part {index} " * BATCH_CHARACTERS
            seen.append(target.read_text(encoding="utf-8"))

    write_chunks(target, chunks())
    assert seen == ["old\n"] * 4
    assert target.read_text(encoding="utf-8") == "".join(f"part {index} " * BATCH_CHARACTERS for index in range(4))


def test_export_stopped_by_sigterm_mid_write_keeps_the_old_report(report_catalog: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import kclaims.export.markdown as markdown

    target = tmp_path / "out" / "report.md"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(markdown, "markdown_chunks", _failing(["# Claims", "x" * BATCH_CHARACTERS],
                                                              Stopped(signal.SIGTERM)))
    result = invoke(["export", "--format", "md", "--output", str(target)], code=ExitCode.TERMINATED,
                    catalog=report_catalog)
    assert "rolled back" in result.stderr
    assert target.read_text(encoding="utf-8") == "old\n"
    assert _files(target.parent) == ["report.md"]


def test_a_bug_mid_export_leaves_no_file(report_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kclaims.export.json as json_module

    monkeypatch.setattr(json_module, "json_chunks", _failing(["{"], ValueError("half-way")))
    (tmp_path / "out").mkdir()
    invoke(["export", "--format", "json", "--output", str(tmp_path / "out" / "out.json")], code=ExitCode.INTERNAL,
           catalog=report_catalog)
    assert _files(tmp_path / "out") == []


def test_an_unwritable_folder_is_refused_before_any_work(report_catalog: Path, tmp_path: Path) -> None:
    result = invoke(["export", "--format", "md", "--output", str(tmp_path / "missing" / "report.md")],
                    code=ExitCode.BAD_INPUT, catalog=report_catalog)
    assert "does not exist" in result.stderr


# --- standard output gets the report as it is made -----------------------------------------------------------


def test_standard_output_gets_each_batch_before_the_next_is_made(capsys: pytest.CaptureFixture[str]) -> None:
    printed_before_second = []

    def chunks():
        yield "a" * BATCH_CHARACTERS
        printed_before_second.append(capsys.readouterr().out)
        yield "b"

    print_chunks(chunks())
    assert printed_before_second == ["a" * BATCH_CHARACTERS]
    assert capsys.readouterr().out == "b"


# --- JSON: the same text as json.dumps(indent=2), quicker ------------------------------------------------------


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def test_list_json_is_the_contract_as_json_dumps_writes_it(report_catalog: Path) -> None:
    rows, sources = _rows_and_sources(report_catalog)
    listed = invoke(["list", "--json"], catalog=report_catalog).stdout
    assert listed == _dumps({"kclaims": SCHEMA_VERSION, **document(rows, None)}) + "\n"
    assert json.loads(listed)["claims"] == document(rows, None)["claims"]
    exported = invoke(["export", "--format", "json", "--topic", "depression"], catalog=report_catalog).stdout
    depression = [row for row in rows if "depression" in row.claim.topics]
    assert exported == _dumps({"kclaims": SCHEMA_VERSION, **document(depression, linked_sources(
        load_catalog(report_catalog), depression))}) + "\n"


def test_an_empty_list_is_an_empty_array(report_catalog: Path) -> None:
    listed = invoke(["list", "--json", "--kind", "dosing"], catalog=report_catalog).stdout
    assert listed == _dumps({"kclaims": SCHEMA_VERSION, "claims": []}) + "\n"


JSON_KEYS = st.one_of(st.text(max_size=6), st.integers(-3, 3), st.booleans(), st.none(),
                      st.floats(allow_nan=False, width=16))
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4),
                            st.dictionaries(JSON_KEYS, inner, max_size=3)),
    max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES, st.sampled_from(["", "  ", "    "]))
def test_json_text_is_what_json_dumps_writes(value: object, pad: str) -> None:
    assert json_text(value, pad) == _dumps(value).replace("\n", "\n" + pad)


def test_json_text_writes_special_numbers_and_controls_as_json_dumps() -> None:
    for value in ({"x": math.nan, "y": [math.inf, -math.inf]}, ["\x00\n\t\u2028\"\\", "🟢 ⊕"], {1: {True: None}}):
        assert json_text(value) == _dumps(value)


TEXT = st.text(max_size=12)
CLAIMS = st.builds(
    Claim, id=TEXT, statement=TEXT, kind=TEXT, topics=st.lists(TEXT, max_size=3),
    made_in=st.lists(st.builds(Quote, source=TEXT, text=TEXT), max_size=3),
    evidence=st.lists(st.builds(Evidence, source=TEXT, stance=TEXT, note=TEXT, indirect=st.lists(TEXT, max_size=2),
                                certainty=st.none() | TEXT), max_size=3),
    grade=st.none() | st.builds(Grade, because=TEXT, verdict=st.none() | TEXT, certainty=st.none() | TEXT,
                                label=st.none() | TEXT),
    note=st.none() | TEXT,
    searched=st.lists(st.builds(Search, on=TEXT, database=TEXT, query=TEXT, screened=st.none() | st.integers(0, 99),
                                relevant=st.none() | st.integers(0, 9)), max_size=2))
STRENGTHS = st.builds(Strength, verdict=TEXT, certainty=st.none() | TEXT, reasons=st.lists(TEXT, max_size=4))


@settings(max_examples=300, deadline=None)
@given(CLAIMS, STRENGTHS, st.sampled_from(["", "    "]))
def test_a_claim_is_written_as_its_record(claim: Claim, strength: Strength, pad: str) -> None:
    row = ClaimRow(claim, strength)
    assert claim_text(row, pad) == json_text(claim_record(row), pad)


# --- what the quicker code must keep -------------------------------------------------------------------------


_OLD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&$])")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r\x0b\x1c\x85\xa0\u3000\u2028*_[]\\`<>|#~&$⊕🟢")), max_size=10))
def test_markdown_escaping_is_unchanged(text: str) -> None:
    assert inline(text) == _OLD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    assert is_one_line(text) == (one_line(text) == text)


def test_bibliography_names_are_the_citation_names() -> None:
    sources = [Source(id="b", authors=["Smith J"], year=2013), Source(id="a", authors=["Smith K"], year=2013),
               Source(id="c", authors=["Smith L"]), Source(id="d", authors=["Smith M"]),
               Source(id="e", site="Clinic", year=2020), Source(id="f", title="Untitled")]
    bibliography = Bibliography(sources)
    assert {s.id: bibliography.name(s.id) for s in sources} == citation_names(sources)
    assert bibliography.name("a") == "Smith 2013a" and bibliography.name("b") == "Smith 2013b"
    assert bibliography.name("missing") == "missing"


def test_scorecards_are_each_articles_scorecard(report_catalog: Path) -> None:
    rows, sources = _rows_and_sources(report_catalog)
    by_id = {s.id: s for s in sources}
    cards = {card.article: card for card in scorecards(rows, by_id)}
    assert set(cards) == set(articles_of(rows))
    for article, card in cards.items():
        alone = scorecard(article, rows, by_id)
        assert (card.rows, card.against, card.keys) == (alone.rows, alone.against, alone.keys)


@pytest.mark.parametrize("count", [0, 1, ROWS_PER_PIECE, ROWS_PER_PIECE + 1, 2 * ROWS_PER_PIECE])
def test_csv_in_pieces_is_one_csv(count: int) -> None:
    records = [[index, f"cell, with \"quotes\"\n{index}"] for index in range(count)]
    buffer = io.StringIO()
    csv.writer(buffer, dialect="excel", lineterminator="\r\n").writerows([["n", "text"], *records])
    assert "".join(csv_text(("n", "text"), records)) == buffer.getvalue()
