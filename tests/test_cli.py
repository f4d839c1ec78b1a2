"""The command line as a user meets it: list, show, sources, export, version and help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, invoke
from kclaims import __version__
from kclaims.cli.app import app
from kclaims.export.json import SCHEMA_VERSION


def test_version():
    assert invoke(["--version"]).stdout.strip() == f"kclaims {__version__}"


def test_list_table_shows_each_claim_with_verdict_certainty_and_counts(small_catalog: Path):
    out = invoke(["list"], catalog=small_catalog).stdout
    lines = [line for line in out.splitlines() if "nmda-antagonism" in line or "ptsd-relief" in line]
    assert len(lines) == 2
    assert "Ketamine blocks NMDA glutamate receptors." in lines[0]
    assert "supported" in lines[0] and "low" in lines[0] and "mechanism" in lines[0]  # an animal study
    assert "efficacy" in lines[1] and "ptsd" in lines[1] and "high" in lines[1]  # one RCT, no n recorded


def test_list_shows_certainty_in_words_where_the_terminal_cannot_print_the_symbols(small_catalog: Path):
    code = ("import sys; sys.argv = ['kclaims', 'list', '--catalog', sys.argv[1]]; from kclaims.cli import run; run()")
    done = subprocess.run([sys.executable, "-c", code, str(small_catalog)], capture_output=True,
                          env={**os.environ, "PYTHONIOENCODING": "ascii"}, check=True)
    assert b"supported  low" in done.stdout and b"\xe2" not in done.stdout  # no UTF-8 bytes at all
    done = subprocess.run([sys.executable, "-c", code, str(small_catalog)], capture_output=True,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, check=True)
    assert "⊕⊕◯◯ low" in done.stdout.decode("utf-8")


def test_list_shows_the_curators_grade_beside_the_computed_verdict(small_catalog: Path):
    invoke(["claim", "grade", "ptsd-relief", "supported", "--certainty", "low", "--because", "One small trial."],
           catalog=small_catalog)
    line = next(x for x in invoke(["list"], catalog=small_catalog).stdout.splitlines() if "ptsd-relief" in x)
    assert "⊕⊕⊕⊕ high" in line and "supported ⊕⊕◯◯" in line


def _ids(args: list[str], catalog: Path) -> list[str]:
    return [c["id"] for c in json.loads(invoke(["list", "--json", *args], catalog=catalog).stdout)["claims"]]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["nmda-antagonism", "ptsd-relief"]),
        (["--topic", "ptsd"], ["ptsd-relief"]),
        (["--topic", "ptsd", "--topic", "chronic-pain"], ["nmda-antagonism", "ptsd-relief"]),
        (["--kind", "mechanism"], ["nmda-antagonism"]),
        (["--verdict", "supported"], ["nmda-antagonism", "ptsd-relief"]),
        (["--verdict", "conflicting"], []),
        (["--certainty", "high"], ["ptsd-relief"]),
        (["--certainty", "low", "--certainty", "moderate"], ["nmda-antagonism"]),
        (["--verdict", "supported", "--certainty", "very-low"], []),
        (["--sort", "strength"], ["ptsd-relief", "nmda-antagonism"]),
        (["--source", "feder2014"], ["ptsd-relief"]),
        (["--text", "PAIN TRANSMISSION"], ["nmda-antagonism"]),
        (["--text", "reduces ptsd"], ["ptsd-relief"]),
        (["--sort", "id"], ["nmda-antagonism", "ptsd-relief"]),
        (["--sort", "statement"], ["nmda-antagonism", "ptsd-relief"]),
        (["--sort", "kind"], ["ptsd-relief", "nmda-antagonism"]),
    ],
)
def test_list_filters_and_sorts(small_catalog: Path, args, expected):
    assert _ids(args, small_catalog) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "opinion"], "--kind 'opinion' is not one of"),
        (["--verdict", "great"], "--verdict 'great' is not one of"),
        (["--certainty", "very low"], "--certainty 'very low' is not one of"),
        (["--sort", "label"], "cannot sort by 'label'"),
        (["--source", "zarate2006"], "no source with id 'zarate2006'"),
    ],
)
def test_list_rejects_unknown_filter_values(small_catalog: Path, args, message):
    assert message in invoke(["list", *args], code=2, catalog=small_catalog).stderr


def test_list_json_contract_has_exact_keys(small_catalog: Path):
    document = json.loads(invoke(["list", "--json"], catalog=small_catalog).stdout)
    assert document["kclaims"] == SCHEMA_VERSION == 3
    assert set(document) == {"kclaims", "claims"}
    claim = document["claims"][0]
    assert set(claim) == {"id", "statement", "kind", "topics", "quotes", "evidence", "strength", "grade", "searched",
                          "note"}
    assert claim["quotes"] == [{"source": "blog", "text": "By blocking this receptor, ketamine can reduce pain transmission"}]
    assert claim["evidence"][0] == {"source": "anis1983", "stance": "supports",
                                    "note": "Ketamine selectively reduced NMDA-evoked excitation of spinal neurones."}
    assert (claim["strength"]["verdict"], claim["strength"]["certainty"]) == ("supported", "low")
    assert set(claim["strength"]) == {"verdict", "certainty", "reasons"}
    assert claim["searched"] == []


def test_json_carries_the_appraisal_keys(small_catalog: Path):
    text = (small_catalog / "claims.yaml").read_text(encoding="utf-8")
    text = text.replace("      - source: feder2014\n        stance: supports\n",
                        "      - source: feder2014\n        stance: supports\n        indirect: [population]\n"
                        "        certainty: low\n")
    (small_catalog / "claims.yaml").write_text(text, encoding="utf-8")
    with (small_catalog / "sources" / "feder2014.yaml").open("a", encoding="utf-8") as f:
        f.write("n: 41\nrisk_of_bias: some\n")
    document = json.loads(invoke(["export", "--topic", "ptsd"], catalog=small_catalog).stdout)
    link = document["claims"][0]["evidence"][0]
    assert (link["indirect"], link["certainty"]) == (["population"], "low")
    feder = next(s for s in document["sources"] if s["id"] == "feder2014")
    assert (feder["n"], feder["risk_of_bias"], feder["includes"]) == (41, "some", [])
    assert (document["claims"][0]["strength"]["verdict"], document["claims"][0]["strength"]["certainty"]) == \
        ("supported", "very-low")  # starts low (reported), indirect: -1


def test_export_json_contract_and_sources(small_catalog: Path, tmp_path: Path):
    out = tmp_path / "report.json"
    invoke(["export", "--format", "json", "--output", str(out)], catalog=small_catalog)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert set(document) == {"kclaims", "claims", "sources"}
    source = next(s for s in document["sources"] if s["id"] == "feder2014")
    assert set(source) == {"id", "kind", "title", "authors", "year", "journal", "pmid", "pmcid", "doi", "url",
                           "design", "level", "retracted", "n", "risk_of_bias", "includes"}
    assert (source["level"], source["design"], source["pmid"]) == (2, "randomized controlled trial", "24740528")
    anis = next(s for s in document["sources"] if s["id"] == "anis1983")
    assert anis["level"] == 5  # animal work, as for a clinical claim
    blog = next(s for s in document["sources"] if s["id"] == "blog")
    assert blog["level"] is None


def test_export_filters_select_claims_and_their_sources(small_catalog: Path):
    document = json.loads(invoke(["export", "--topic", "ptsd"], catalog=small_catalog).stdout)
    assert [c["id"] for c in document["claims"]] == ["ptsd-relief"]
    assert [s["id"] for s in document["sources"]] == ["blog", "feder2014"]


def test_export_to_unwritable_path_is_one_line_and_leaves_nothing(small_catalog: Path, tmp_path: Path):
    target = tmp_path / "no-such-folder" / "out.json"
    result = invoke(["export", "--output", str(target)], code=2, catalog=small_catalog)
    assert len(result.stderr.strip().splitlines()) == 1 and "no-such-folder" in result.stderr
    assert not target.parent.exists()


def test_show_prints_quotes_evidence_and_reasons(small_catalog: Path):
    out = invoke(["show", "nmda-antagonism"], catalog=small_catalog).stdout
    assert "Ketamine blocks NMDA glutamate receptors." in out
    assert "By blocking this receptor, ketamine can reduce pain transmission" in out
    assert "anis1983" in out and "supports" in out
    assert "Verdict: supported, certainty ⊕⊕◯◯ low. This may be true." in out
    assert "supported, low: only supporting studies count" in out
    assert "supporting: start low: 1 animal study: anis1983 (animal study)" in out
    assert "supporting: imprecision: not assessed, no study of the body records n" in out
    assert "anis1983 is level 3: animal study: direct evidence for a mechanism claim" in out


def test_show_grade_is_beside_the_computed_verdict(small_catalog: Path):
    invoke(["claim", "grade", "ptsd-relief", "supported", "--certainty", "moderate", "--because", "Two RCTs agree."],
           catalog=small_catalog)
    out = invoke(["show", "ptsd-relief"], catalog=small_catalog).stdout
    assert "Verdict: supported, certainty ⊕⊕⊕⊕ high" in out
    assert "Curator's grade: supported, ⊕⊕⊕◯ moderate — Two RCTs agree." in out
    document = json.loads(invoke(["show", "ptsd-relief", "--json"], catalog=small_catalog).stdout)
    assert document["claims"][0]["grade"] == {"verdict": "supported", "certainty": "moderate",
                                              "because": "Two RCTs agree."}
    assert document["claims"][0]["strength"]["certainty"] == "high"
    assert [s["id"] for s in document["sources"]] == ["blog", "feder2014"]


def test_show_unknown_claim_suggests(small_catalog: Path):
    result = invoke(["show", "ptsd-releif"], code=2, catalog=small_catalog)
    assert result.stderr.strip() == "error: no claim with id 'ptsd-releif' (did you mean: ptsd-relief?)"


def test_source_list_and_show(small_catalog: Path):
    out = invoke(["source", "list"], catalog=small_catalog).stdout
    assert "anis1983" in out and "PMID 6317114" in out
    document = json.loads(invoke(["source", "list", "--json"], catalog=small_catalog).stdout)
    assert [s["id"] for s in document["sources"]] == ["anis1983", "blog", "feder2014"]
    shown = invoke(["source", "show", "feder2014"], catalog=small_catalog).stdout
    assert "randomized controlled trial" in shown and "ptsd-relief" in shown
    shown_json = json.loads(invoke(["source", "show", "blog", "--json"], catalog=small_catalog).stdout)
    assert set(shown_json) == {"kclaims", "sources", "claims", "scorecard"}
    assert [c["id"] for c in shown_json["claims"]] == ["nmda-antagonism", "ptsd-relief"]
    listed = json.loads(invoke(["list", "--json"], catalog=small_catalog).stdout)["claims"]
    assert shown_json["claims"] == listed  # a claim has one shape everywhere


def test_source_list_text_finds_sources_by_title_author_or_identifier(shipped_catalog: Path):
    def found(text: str) -> list[str]:
        document = json.loads(invoke(["source", "list", "--text", text, "--json"], catalog=shipped_catalog).stdout)
        return [s["id"] for s in document["sources"]]

    assert "zarate2006" in found("zarate ca")  # an author, any case
    assert found("10.1001/ARCHPSYC.63.8.856") == found("10.1001/archpsyc.63.8.856") == ["zarate2006"]
    assert found("no source says this") == []
    assert len(found("ketamine")) < len(found(""))  # a filter, not the whole list
    table = invoke(["source", "list", "--text", "zarate2006"], catalog=shipped_catalog).stdout
    assert "zarate2006" in table and "feder2014" not in table


def test_no_catalog_anywhere_says_how_to_get_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(["list"], code=2)
    assert "kclaims init" in result.stderr and "--catalog" in result.stderr


def test_init_command(tmp_path: Path):
    invoke(["init", str(tmp_path / "fresh")])
    assert invoke(["list", "--json"], catalog=tmp_path / "fresh").stdout.startswith('{\n  "kclaims": 3')


def _all_commands(group, prefix=()):
    for name, command in group.commands.items():
        path = (*prefix, name)
        yield path, command
        if hasattr(command, "commands"):
            yield from _all_commands(command, path)


def test_every_command_and_option_has_help():
    import typer

    root = typer.main.get_command(app)
    missing = []
    for path, command in _all_commands(root):
        if not (command.help or "").strip():
            missing.append(" ".join(path))
        for param in command.params:
            if param.param_type_name == "option" and not (getattr(param, "help", "") or "").strip():
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert missing == []


def test_cli_reference_doc_is_current():
    from docs import cli_reference

    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == cli_reference(), \
        "docs/cli.md is stale: run `python tools/docs.py`"


def test_installed_console_script_runs(small_catalog: Path):
    result = subprocess.run([sys.executable, "-m", "kclaims", "list", "--json", "--catalog", str(small_catalog)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["claims"]) == 2


def test_traceback_switch_reraises(small_catalog: Path):
    from typer.testing import CliRunner

    from kclaims.errors import BadInput

    result = CliRunner().invoke(app, ["--traceback", "show", "nope", "--catalog", str(small_catalog)])
    assert isinstance(result.exception, BadInput)


def test_unfiltered_export_includes_sources_no_claim_cites_yet(small_catalog: Path):
    invoke(["source", "new", "uncited-2024", "--title", "Not cited yet"], catalog=small_catalog)
    everything = json.loads(invoke(["export"], catalog=small_catalog).stdout)
    assert "uncited-2024" in [s["id"] for s in everything["sources"]]
    filtered = json.loads(invoke(["export", "--kind", "efficacy"], catalog=small_catalog).stdout)
    assert "uncited-2024" not in [s["id"] for s in filtered["sources"]]


def test_unknown_topic_is_an_error_with_a_hint(small_catalog: Path):
    assert "did you mean: ptsd?" in invoke(["list", "--topic", "PTSD"], code=2, catalog=small_catalog).stderr
    assert "topics: chronic-pain, depression, ptsd" in invoke(["export", "--topic", "x"], code=2,
                                                              catalog=small_catalog).stderr


def test_a_source_id_given_to_show_points_at_source_show(small_catalog: Path):
    result = invoke(["show", "feder2014"], code=2, catalog=small_catalog)
    assert "'feder2014' is a source, not a claim: try 'kclaims source show feder2014'" in result.stderr


def test_missing_catalog_folder_says_it_does_not_exist(tmp_path: Path):
    assert "does not exist" in invoke(["list"], code=2, catalog=tmp_path / "nowhere").stderr


def test_impossible_dates_are_refused(small_catalog: Path):
    for date in ("2021-13-45", "2021-02-30", "20", "2021-1"):
        assert "is not a date" in invoke(["source", "new", "x-1", "--title", "X", "--date", date], code=2,
                                         catalog=small_catalog).stderr


def test_bibliographic_export_counts_sources(small_catalog: Path, tmp_path: Path):
    out = tmp_path / "s.json"
    result = invoke(["export", "--format", "csl-json", "--output", str(out)], catalog=small_catalog)
    assert f"Wrote 3 sources to {out}" in result.stderr


def test_source_list_piped_is_a_plain_table_with_whole_values(small_catalog: Path):
    out = invoke(["source", "list"], catalog=small_catalog).stdout.splitlines()
    assert out[0].split() == ["id", "kind", "year", "level", "identifiers", "title"]
    feder = next(line for line in out if line.startswith("feder2014"))
    assert "PMID 24740528 doi:10.1001/jamapsychiatry.2014.62" in feder
    assert feder.endswith("Efficacy of intravenous ketamine for treatment of chronic posttraumatic stress disorder")


def test_an_unexpected_error_is_one_line_with_its_own_exit_code(small_catalog: Path, monkeypatch: pytest.MonkeyPatch):
    import kclaims.catalog.query

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(kclaims.catalog.query, "select_claims", broken)
    result = invoke(["list"], code=70, catalog=small_catalog)
    assert result.stderr.strip() == "internal error: ZeroDivisionError: boom (rerun with --traceback and report it)"


def test_rich_tables_keep_every_label_and_title_visible_in_a_narrow_terminal():
    from rich.console import Console

    from kclaims.cli import render
    from kclaims.catalog.files import load_catalog
    from kclaims.catalog.query import select_claims

    catalog = load_catalog(REPO)
    console = Console(width=80, record=True, highlight=False)
    rows = select_claims(catalog)[:5]
    render._rich_claims_table(rows, console)
    sources = [catalog.sources[k] for k in sorted(catalog.sources)][:3]
    cells = [(s.id, s.kind, str(s.year or ""), render._level_cell(s), render._identifiers(s), s.title or "")
             for s in sources]
    render._rich_sources_table(cells, console)
    lines = console.export_text().splitlines()
    text = " ".join(" ".join(lines).split())
    assert all(row.strength.verdict in text for row in rows)
    for row in rows:  # each claim: its whole id on one line with its verdict, its statement below
        line = next(x for x in lines if x.startswith(row.claim.id + " "))
        assert row.strength.verdict in line
        assert row.claim.statement.split()[0] in lines[lines.index(line) + 1]
    assert "kind and identifiers hidden" in text
    assert "Dose-related effects of ketamine for" in text
    wide = Console(width=150, record=True, highlight=False)
    render._rich_claims_table(rows, wide)
    wide_text = " ".join(wide.export_text().split())
    assert "; topics hidden in this narrow window" in wide_text and "kind and topics" not in wide_text


# --- the conventions users bring (issue 13) ------------------------------------------------------


def test_catalog_before_the_subcommand(small_catalog: Path, monkeypatch: pytest.MonkeyPatch):
    from typer.testing import CliRunner

    monkeypatch.chdir(small_catalog.parent)
    result = CliRunner().invoke(app, ["-C", str(small_catalog), "list", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert [c["id"] for c in json.loads(result.stdout)["claims"]] == ["nmda-antagonism", "ptsd-relief"]
    assert "KCLAIMS_CATALOG" not in os.environ  # lent for the one command only


def test_shell_completion_options_are_offered():
    result = invoke(["--help"])
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


@pytest.mark.parametrize(("name", "start"), [("out.bib", "@"), ("out.md", "#"), ("out.csv", "id,"),
                                             ("out.csl.json", "["), ("out.json", "{")])
def test_export_output_infers_the_format_from_the_extension(small_catalog: Path, tmp_path: Path, name, start):
    target = tmp_path / name
    invoke(["export", "--output", str(target)], catalog=small_catalog)
    assert target.read_text(encoding="utf-8").lstrip().startswith(start)


def test_export_to_another_extension_writes_the_json_contract(small_catalog: Path, tmp_path: Path):
    invoke(["export", "--output", str(tmp_path / "out.txt")], catalog=small_catalog)
    assert json.loads((tmp_path / "out.txt").read_text(encoding="utf-8"))["kclaims"] == SCHEMA_VERSION


def test_export_with_a_bad_format_exits_2_and_writes_nothing(small_catalog: Path, tmp_path: Path):
    result = invoke(["export", "--format", "docx", "--output", str(tmp_path / "out.bib")], code=2,
                    catalog=small_catalog)
    assert "--format 'docx' is not one of" in result.stderr
    assert not (tmp_path / "out.bib").exists()


def test_show_piped_into_head_exits_0(small_catalog: Path):
    command = (f"{sys.executable} -m kclaims show ptsd-relief --catalog {small_catalog} | head -1; "
               "exit ${PIPESTATUS[0]}")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ptsd-relief")


def test_map_refuses_to_print_svg_into_a_terminal(small_catalog: Path):
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "kclaims", "map", "--catalog", str(small_catalog)],
                              stdout=follower, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert "--output map.svg" in done.stderr


def test_license_and_metadata():
    import tomllib

    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == {"text": "MIT"} and "License :: OSI Approved :: MIT License" in project["classifiers"]
