"""BibTeX in and out: every real-world .bib imports without losing an entry, identifiers in bib
fields are normalised, duplicates merge across routes, and exports read back."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import bibtexparser
import pytest
import yaml
from bibtexparser.model import Entry

from conftest import DATA, invoke, snapshot_files
from httpserver import LiteratureFakes, literature, replay  # noqa: F401 (fixtures)
from kclaims.export.bibtex import write_bibtex
from kclaims.literature.bibtex import read_bibtex
from kclaims.catalog.files import load_catalog
from kclaims.model import Source

BIB_FILES = sorted(p.name for p in (DATA / "bibtex").glob("*.bib"))


@functools.lru_cache(maxsize=None)
def _read(name: str):
    return read_bibtex((DATA / "bibtex" / name).read_text(encoding="utf-8-sig", errors="replace"))


def _bibtexparser_count(path: Path) -> int:
    """Entries bibtexparser itself reads, counting those it reads despite an error (a repeated key,
    a repeated field), which it hands back as `ignore_error_block`."""
    library = bibtexparser.parse_string(path.read_text(encoding="utf-8-sig", errors="replace"))
    return len(library.entries) + sum(isinstance(getattr(b, "ignore_error_block", None), Entry)
                                      for b in library.failed_blocks)


KNOWN_COUNTS = {"pybtex_tugboat_2720_entries.bib": 2720, "zbb_issue873_988_entries_dupkeys_crossref.bib": 988,
                "zbb_issue97_jabref_911_entries_unicode.bib": 911, "pybtex_xampl.bib": 36}


@pytest.mark.parametrize("name", BIB_FILES)
def test_every_fixture_reads_without_losing_an_entry(name: str):
    read = _read(name)
    assert len(read.entries) == _bibtexparser_count(DATA / "bibtex" / name) > 0
    assert len(read.entries) == KNOWN_COUNTS.get(name, len(read.entries))
    assert all(entry.line and entry.line >= 1 for entry in read.entries)


def test_warnings_name_the_line():
    broken = _read("typst_biblatex_incorrect_syntax.bib")
    assert broken.warnings == [(11, "could not read this entry, skipped: Expected a `=` after entry key, but found `{`.")]
    duplicates = _read("zbb_issue873_988_entries_dupkeys_crossref.bib")
    assert sum("was used before" in message for _, message in duplicates.warnings) == 14
    assert (10301, "Duplicate field keys on entry: 'keywords'; imported with the first value") in duplicates.warnings


def test_fields_names_accents_and_identifiers():
    text = r"""
@article{Zarate2006,
  author = {Zarate, Jr., Carlos A. and Singh, Jaskaran B. and van der Berg, Jean-Pierre and {National Toxicology Program} and others},
  title = {A Randomized Trial of an {N}-methyl-{D}-aspartate Antagonist in {Caract\'{e}risation} \& {B\"{o}str\"{o}m}},
  journal = {Archives of General Psychiatry},
  year = {2006}, month = aug, volume = 63, number = {8}, pages = {856--864},
  doi = {https://doi.org/10.1001/ARCHPSYC.63.8.856},
  note = {PMID: 16894061},
  url = {https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4810965/},
}
@misc{web, title = {A page}, url = {https://example.org/ketamine~info}, eprint = {27797938}, eprinttype = {pubmed}}
"""
    first, second = read_bibtex(text).entries
    record = first.record
    assert record.authors == ["Zarate Jr. CA", "Singh JB", "van der Berg JP", "National Toxicology Program"]
    assert record.title == "A Randomized Trial of an N-methyl-D-aspartate Antagonist in Caractérisation & Böström"
    assert (record.year, record.date, record.volume, record.issue, record.pages) == (2006, "2006-08", "63", "8", "856-864")
    assert (record.doi, record.pmid, record.pmcid) == ("10.1001/archpsyc.63.8.856", "16894061", "PMC4810965")
    assert record.kind == "journal-article"
    assert second.record.pmid == "27797938" and second.record.url == "https://example.org/ketamine~info"


def test_import_through_the_command(small_catalog: Path):
    path = DATA / "bibtex" / "pybtex_xampl.bib"
    result = invoke(["source", "import", str(path), "--json"], catalog=small_catalog)
    report = json.loads(result.stdout)
    assert len(report["outcomes"]) == _bibtexparser_count(path)
    assert {o["action"] for o in report["outcomes"]} <= {"added", "merged"}
    catalog = load_catalog(small_catalog)
    added = [o["source_id"] for o in report["outcomes"] if o["action"] == "added"]
    assert set(added) <= set(catalog.sources) and len(added) == len(set(added))
    assert all((small_catalog / "sources" / f"{i}.yaml").is_file() for i in added)


def test_import_names_unreadable_entries_and_duplicate_keys(small_catalog: Path):
    path = DATA / "bibtex" / "typst_biblatex_gral_rep_key_duplicate.bib"
    result = invoke(["source", "import", str(path)], catalog=small_catalog)
    assert f"warning: {path}:" in result.stderr and "'ishihara2012' was used before" in result.stderr
    assert "ishihara2012b" in load_catalog(small_catalog).sources
    broken = DATA / "bibtex" / "typst_biblatex_incorrect_syntax.bib"
    assert f"{broken}:11: could not read this entry" in invoke(["source", "import", str(broken)],
                                                               catalog=small_catalog).stderr


def test_an_unreadable_bib_path_is_bad_input(small_catalog: Path):
    before = snapshot_files(small_catalog)
    invoke(["source", "import", str(small_catalog / "missing.bib")], code=2, catalog=small_catalog)
    assert snapshot_files(small_catalog) == before


def test_duplicate_across_bib_and_pmid_lookup_is_merged(small_catalog: Path, literature: LiteratureFakes,
                                                        tmp_path: Path):
    bib = tmp_path / "mine.bib"
    bib.write_text("@article{Taddei01, title={Is cryopreservation a homogeneous process?}, "
                   "author={Taddei, A. R.}, year={2001}, doi={10.1006/cryo.2001.2328}}\n"
                   "@article{again, title={Same paper, second entry}, note={PMID: 11748933}}\n", encoding="utf-8")
    imported = invoke(["source", "import", str(bib)], catalog=small_catalog)
    assert "added taddei01" in imported.stderr and "added again" in imported.stderr
    result = invoke(["source", "add", "11748933"], catalog=small_catalog)
    assert "merged taddei01 <- pmid:11748933: the same paper as taddei01 (already in the catalog)" in result.stderr
    written = yaml.safe_load((small_catalog / "sources" / "taddei01.yaml").read_text(encoding="utf-8"))
    assert written["pmid"] == "11748933" and written["population"] == "animal" and written["title"].startswith("Is cryo")
    assert not (small_catalog / "sources" / "taddei2001.yaml").exists()


def test_same_paper_twice_in_one_bib_is_merged(small_catalog: Path, tmp_path: Path):
    bib = tmp_path / "twice.bib"
    bib.write_text("@article{a1, title={One}, doi={10.1234/abc}}\n@article{a2, title={One again}, doi={https://doi.org/10.1234/ABC},"
                   " journal={J}}\n", encoding="utf-8")
    result = invoke(["source", "import", str(bib)], catalog=small_catalog)
    assert "merged a1 <- twice.bib:2 a2: the same paper as a1 (added above); filled journal" in result.stderr
    assert not (small_catalog / "sources" / "a2.yaml").exists()


def test_export_bibtex_round_trips(small_catalog: Path):
    text = invoke(["export", "--format", "bibtex"], catalog=small_catalog).stdout
    assert "@article{anis1983," in text and "@online{blog," in text
    entries = {e.key: e.record for e in read_bibtex(text).entries}
    catalog = load_catalog(small_catalog)
    for key, record in entries.items():
        source = catalog.sources[key]
        assert (record.title, record.authors, record.year, record.doi, record.pmid, record.pmcid) == (
            source.title, source.authors, source.year, source.doi, source.pmid, source.pmcid)


def test_write_escapes_and_marks_retractions():
    text = write_bibtex([Source(id="x2020", title="50% of A & B_{1}", authors=["WHO"], year=2020, retracted=True,
                                pages="1-9")])
    assert "title = {50\\% of A \\& B\\_\\{1\\}}" in text and "author = {{WHO}}" in text
    assert "pages = {1--9}" in text and "note = {Retracted publication}" in text
    assert read_bibtex(text).entries[0].record.title == "50% of A & B_{1}"


def test_export_keeps_entries_whole_when_fields_hold_braces():
    import bibtexparser

    from kclaims.export.bibtex import export_bibtex
    from kclaims.model import Source

    hostile = Source(id="odd", kind="web-article", title="A {braced} title", date="2020}", url="https://x.example/a}b",
                     doi="10.1/a}b", retrieved="2026-11-22")
    library = bibtexparser.parse_string(export_bibtex([], [hostile]))
    entry = library.entries[0]
    assert not library.failed_blocks
    assert entry.fields_dict["url"].value == "https://x.example/a%7Db"
    assert entry.fields_dict["doi"].value == "10.1/a%7Db"
    assert entry.fields_dict["urldate"].value == "2026-11-22"


def test_importing_the_same_file_twice_adds_nothing_the_second_time(tmp_path):
    from conftest import DATA, invoke
    from kclaims.catalog.files import init_catalog, load_catalog

    root = init_catalog(tmp_path / "c")
    bib = DATA / "bibtex" / "pybtex_xampl.bib"
    invoke(["source", "import", str(bib)], catalog=root)
    first = set(load_catalog(root).sources)
    again = invoke(["source", "import", str(bib)], catalog=root)
    # entries with neither identifier, URL nor title are recognised by the rest of their record
    assert again.stderr.rstrip().endswith("36 merged.")
    assert set(load_catalog(root).sources) == first


def test_a_file_with_no_entries_is_bad_input(tmp_path):
    from conftest import invoke
    from kclaims.catalog.files import init_catalog

    root = init_catalog(tmp_path / "c")
    not_bib = tmp_path / "notes.csv"
    not_bib.write_text("a,b\n1,2\n", encoding="utf-8")
    assert "no BibTeX entries found" in invoke(["source", "import", str(not_bib)], code=2, catalog=root).stderr
