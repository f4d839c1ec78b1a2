"""`kclaims source add / refresh` through the real command against the local replay server, and the
source id rule."""

from __future__ import annotations

import re

import json
from pathlib import Path

import yaml

from conftest import invoke, snapshot_files
from httpserver import LiteratureFakes, Reply, ReplayServer, literature, replay  # noqa: F401 (fixtures)
from kclaims.catalog.files import load_catalog
from kclaims.model import Source
from kclaims.catalog.source_file import safe_source_path
from kclaims.literature.source_ids import new_source_id, slugify


def _source(root: Path, source_id: str) -> dict:
    return yaml.safe_load((root / "sources" / f"{source_id}.yaml").read_text(encoding="utf-8"))


def test_add_by_pmcid_doi_and_url_one_source_per_paper(small_catalog: Path, literature: LiteratureFakes):
    result = invoke(["source", "add", "PMC5442267", "10.1136/gutjnl-2016-312510",
                     "https://pubmed.ncbi.nlm.nih.gov/27797938/", "10.1371/journal.pone.0033693"], catalog=small_catalog)
    assert "added bao2017 <- PMC5442267" in result.stderr
    assert "merged bao2017 <- doi:10.1136/gutjnl-2016-312510: the same paper as bao2017 (added above)" in result.stderr
    assert "merged bao2017 <- pmid:27797938" in result.stderr
    assert "added sadasivan2012 <- doi:10.1371/journal.pone.0033693" in result.stderr
    written = _source(small_catalog, "bao2017")
    assert (written["pmid"], written["pmcid"], written["doi"]) == ("27797938", "PMC5442267", "10.1136/gutjnl-2016-312510")
    assert written["population"] == "human" and written["retracted"] is False and written["retrieved"]
    assert "Observational Study" in written["publication_types"]
    assert list(written)[:4] == ["id", "kind", "title", "authors"]
    catalog = load_catalog(small_catalog)  # strict: what was written is a valid catalog
    assert {"bao2017", "sadasivan2012"} <= set(catalog.sources)
    # the evidence level is computed at once from the publication types
    shown = json.loads(invoke(["source", "show", "bao2017", "--json"], catalog=small_catalog).stdout)
    assert shown["sources"][0]["level"] == 3


def test_partial_success_lists_what_failed(small_catalog: Path, literature: LiteratureFakes):
    # (a web URL is now fetched and added as a web article: tests/test_web_sources.py)
    result = invoke(["source", "add", "11748933", "10.1371/notarealdoi", "--json"], catalog=small_catalog)
    report = json.loads(result.stdout)
    actions = {o["given"]: (o["action"], o["detail"]) for o in report["outcomes"]}
    assert actions["pmid:11748933"][0] == "added"
    assert actions["doi:10.1371/notarealdoi"] == ("failed", "not found in Europe PMC or Crossref")
    assert (small_catalog / "sources" / "taddei2001.yaml").is_file()


def test_network_failure_exits_3_and_leaves_the_catalog_as_it_was(small_catalog: Path, literature: LiteratureFakes,
                                                                   replay: ReplayServer):
    replay.route("POST", "/eutils/efetch.fcgi", Reply(503, {}, "Service Unavailable"))
    before = snapshot_files(small_catalog)
    result = invoke(["source", "add", "11748933", "10.1002/hpja.70059"], code=3, catalog=small_catalog)
    assert "did not answer after 4 tries" in result.stderr and result.stderr.count("\n") == 1
    assert snapshot_files(small_catalog) == before


def test_a_malformed_identifier_exits_2_before_any_request(small_catalog: Path, literature: LiteratureFakes):
    before = snapshot_files(small_catalog)
    result = invoke(["source", "add", "11748933", "not-an-id"], code=2, catalog=small_catalog)
    assert "not an identifier: 'not-an-id'" in result.stderr
    assert literature.server.count() == 0 and snapshot_files(small_catalog) == before


def test_second_run_sends_no_request_and_merges(small_catalog: Path, literature: LiteratureFakes, tmp_path: Path):
    listing = tmp_path / "ids.txt"
    listing.write_text("# my papers\n11748933\n\n10.1002/hpja.70059\n", encoding="utf-8")
    invoke(["source", "add", "--from-file", str(listing)], catalog=small_catalog)
    sent = literature.server.count()
    assert sent == 2
    again = invoke(["source", "add", "--from-file", str(listing)], catalog=small_catalog)
    assert literature.server.count() == sent
    assert "2 merged (0 requests, 2 answered from the cache)" in again.stderr
    invoke(["source", "add", "11748933", "--refresh"], catalog=small_catalog)
    assert literature.server.count() == sent + 1


def test_offline_with_an_empty_cache(small_catalog: Path, literature: LiteratureFakes):
    before = snapshot_files(small_catalog)
    result = invoke(["source", "add", "11748933", "--offline"], code=2, catalog=small_catalog)
    assert "not in the cache" in result.stderr
    assert literature.server.count() == 0 and snapshot_files(small_catalog) == before


def test_an_existing_source_is_filled_not_doubled(small_catalog: Path, literature: LiteratureFakes):
    path = small_catalog / "sources" / "mine.yaml"
    path.write_text("# my notes\nid: mine\nkind: journal-article\ntitle: My title\ndoi: 10.1006/cryo.2001.2328\n"
                    "note: keep this\n", encoding="utf-8")
    result = invoke(["source", "add", "11748933"], catalog=small_catalog)
    assert "merged mine <- pmid:11748933: the same paper as mine (already in the catalog); filled authors" in result.stderr
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# my notes\nid: mine\n") and "title: My title" in text and "note: keep this" in text
    assert "pmid: '11748933'" in text and "population: animal" in text
    assert not (small_catalog / "sources" / "taddei2001.yaml").exists()


def test_refresh_reports_a_retraction(small_catalog: Path, literature: LiteratureFakes):
    invoke(["source", "add", "11748933"], catalog=small_catalog)
    article = literature.articles["11748933"].decode("utf-8")
    literature.articles["11748933"] = article.replace(
        "<PublicationType UI=\"D016428\">Journal Article</PublicationType>",
        "<PublicationType UI=\"D016428\">Journal Article</PublicationType>"
        "<PublicationType UI=\"D016441\">Retracted Publication</PublicationType>").encode("utf-8")
    result = invoke(["source", "refresh", "taddei2001", "anis1983"], catalog=small_catalog)
    assert "updated taddei2001 <- pmid:11748933: publication_types: +Retracted Publication; RETRACTED" in result.stderr
    assert _source(small_catalog, "taddei2001")["retracted"] is True
    quiet = invoke(["source", "refresh", "taddei2001"], catalog=small_catalog)
    assert "unchanged taddei2001" in quiet.stderr


def test_refresh_never_clears_a_retraction_or_a_curated_population(small_catalog: Path, literature: LiteratureFakes):
    invoke(["source", "add", "11748933"], catalog=small_catalog)
    path = small_catalog / "sources" / "taddei2001.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^retracted: \w+$", "retracted: true  # notice seen on the journal site", text)
    path.write_text(re.sub(r"(?m)^population: \w+$", "population: mixed", text), encoding="utf-8")
    invoke(["source", "refresh", "taddei2001"], catalog=small_catalog)
    kept = _source(small_catalog, "taddei2001")
    assert kept["retracted"] is True and kept["population"] == "mixed"
    assert "# notice seen on the journal site" in path.read_text(encoding="utf-8")


def test_commands_have_help():
    for command in ("add", "refresh", "import"):
        text = invoke(["source", command, "--help"]).stdout
        assert "Usage" in text and len(text) > 200


# --- the id rule ---------------------------------------------------------------------------


def test_id_rule_author_year_and_collisions():
    record = Source(id="", authors=["Zarate CA", "Singh JB"], year=2006, title="A randomized trial")
    assert new_source_id(record, set()) == "zarate2006"
    assert new_source_id(record, {"zarate2006"}) == "zarate2006b"
    taken = {"zarate2006"} | {f"zarate2006{c}" for c in "bcdefghijklmnopqrstuvwxyz"}
    assert new_source_id(record, taken) == "zarate2006-2"
    assert new_source_id(Source(id="", authors=["De Vivo I"], year=2017), set()) == "devivo2017"
    assert new_source_id(Source(id="", authors=["Müller-Lüdenscheidt Ø"], year=1999), set()) == "mullerludenscheidt1999"
    assert new_source_id(Source(id="", title="The effect of ketamine", year=2001), set()) == "effect2001"
    assert new_source_id(Source(id=""), set()) == "source"
    assert new_source_id(Source(id=""), {"source"}) == "source-2"


def test_nothing_in_metadata_can_leave_sources_dir(tmp_path: Path):
    hostile = Source(id="", authors=["../../etc/passwd X"], year=2020, title="/etc/shadow")
    source_id = new_source_id(hostile, set())
    assert source_id == "etcpasswd2020"
    assert slugify("../../../evil") == "evil" and slugify("a/b\\c") == "a-b-c" and slugify("..") == ""
    assert slugify("Schank:80") == "schank-80"
    sources = tmp_path / "sources"
    sources.mkdir()
    assert safe_source_path(sources, "zarate2006") == sources / "zarate2006.yaml"
    for bad in ("../x", "a/b", ".hidden", ""):
        try:
            safe_source_path(sources, bad)
        except Exception as error:  # BadInput
            assert "plain file name" in str(error)
        else:
            raise AssertionError(f"{bad!r} was accepted")


def test_heavy_libraries_stay_in_their_modules():
    import subprocess
    import sys

    from conftest import REPO

    def loaded(module: str) -> set[str]:
        code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
        return set(json.loads(done.stdout))

    for module in ("kclaims.literature.add", "kclaims.literature.pubmed", "kclaims.literature.europepmc", "kclaims.literature.crossref",
                   "kclaims.literature.bibtex", "kclaims.export.bibtex"):
        names = loaded(module)
        assert not {"typer", "rich", "requests", "bibtexparser", "kclaims.cli"} & names, module


def test_many_identifiers_draw_a_progress_bar_on_stderr_only(small_catalog: Path, literature: LiteratureFakes):
    literature.synthesize_pmids = True
    wanted = [str(33000000 + i) for i in range(8)]
    result = invoke(["source", "add", *wanted, "--json"], catalog=small_catalog)
    report = json.loads(result.stdout)  # stdout stays pure JSON
    ids = [o["source_id"] for o in report["outcomes"] if o["action"] == "added"]
    assert ids == ["taddei2001", *(f"taddei2001{c}" for c in "bcdefgh")]  # different PMIDs: different papers
    assert report["requests"] == 1
