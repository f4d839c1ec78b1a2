"""A library goes in and comes out intact: every BibTeX fixture survives import, export and import
again (same entries, keys and fields) and renders in Pandoc's citeproc without a warning; names keep
their parts; RIS, MEDLINE and CSL-JSON files from other projects' test suites import, told apart
by their content; any encoding is read."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import DATA, REPO, invoke

from kclaims.catalog.files import init_catalog, load_catalog
from kclaims.export.bibtex import write_bibtex
from kclaims.export.csl import csl_item
from kclaims.literature.bibtex import read_bibtex
from kclaims.literature.library import decode, detect_format, read_library

sys.path.insert(0, str(REPO / "bench"))
from library_fidelity import comparable, round_trip, with_ids  # noqa: E402

BIB_FILES = sorted(p.name for p in (DATA / "bibtex").glob("*.bib"))
# Records that still differ after the round trip, each understood: names BibTeX itself cannot tell
# apart once written ("project team", a family name that is all lower case), a value read twice.
KNOWN_DIFFERENCES = {"pybtex_tugboat_2720_entries.bib": 8, "zbb_issue1436_506_entries_month_macros.bib": 2,
                     "zbb_issue873_988_entries_dupkeys_crossref.bib": 2, "zbb_mendeley_export_434_entries_dupkeys.bib": 2,
                     "zbb_issue97_jabref_911_entries_unicode.bib": 1}


@pytest.mark.parametrize("name", BIB_FILES)
def test_every_bib_fixture_round_trips(name):
    text = decode((DATA / "bibtex" / name).read_bytes()).text
    counts = round_trip(text)
    keys = [e.key.lower() for e in read_bibtex(text).entries if e.key]  # an empty key goes out as the id
    unique = sum(keys.count(k) == 1 for k in keys) + len({k for k in keys if keys.count(k) > 1})
    assert counts["exported"] == counts["entries"]
    assert counts["keys"] >= unique  # every key kept exactly, but a repeated key's second use (it becomes the id)
    assert counts["entries"] - counts["equal"] <= KNOWN_DIFFERENCES.get(name, 0), counts["differences"][:5]
    assert counts["warnings"] == 0


def _pandoc(bibliography: Path) -> subprocess.CompletedProcess:
    from test_export_csl import _render_with_pandoc

    return _render_with_pandoc(bibliography)


@pytest.mark.parametrize("name", ["pybtex_xampl.bib", "bibtexparser_biber-examples.bib", "jabref_complex.bib",
                                  "zbb_mendeley_export_434_entries_dupkeys.bib",
                                  "zbb_issue2660_biblatex_types_plus_fieldname.bib",
                                  "zbb_issue3514_crossref_incollection.bib"])
def test_exported_fixtures_render_in_pandoc_without_warning(name, tmp_path):
    text = decode((DATA / "bibtex" / name).read_bytes()).text
    sources = with_ids([e.record for e in read_bibtex(text).entries])
    bibliography = tmp_path / "out.bib"
    bibliography.write_text(write_bibtex(sources), encoding="utf-8")
    done = _pandoc(bibliography)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert len([b for b in done.stdout.split("\n\n") if b.strip()]) == len(sources)


NAMES = r"""
@string{pat = "Patterson, David"}
@inproceedings{Solache-Carranco_2009,
  author = pat # { and } # "Brise{\~n}o-Garc{\'\i}a, Jr, Jos{\'e} and {Barnes and Noble} and family=Maaten, given=Laurens, prefix=van der, useprefix=true and H{\aa}kan Johansson",
  editor = {Ludwig van Beethoven},
  title = {The {NMDA} Receptor and N-Methyl-D-Aspartate in ``Practice''},
  booktitle = {Proceedings of {ACM} {CHI}}, address = {Boston}, series = {LNCS}, edition = {2},
  isbn = {978-3-16-148410-0}, issn = {1234-5678}, abstract = {50\% of $\alpha$}, keywords = {a; b},
  note = {Invited}, eprint = {1234.5678}, archiveprefix = {arXiv}, month = aug, year = 2009,
  url = {http://doi.acm.org/10.1145/1234.5678}, pmid = {16894061},
}
@online{Year2019, title = {Only a year}, date = {2019}}
"""


def test_keys_names_types_and_fields_are_kept():
    entry, year_only = read_bibtex(NAMES).entries
    record = entry.record
    assert record.key == "Solache-Carranco_2009" and record.entry_type == "inproceedings"
    assert record.author_parts == [
        {"family": "Patterson", "given": "David"},
        {"family": "Briseño-García", "given": "José", "suffix": "Jr"},
        {"literal": "Barnes and Noble"},
        {"family": "Maaten", "given": "Laurens", "particle": "van der"},
        {"family": "Johansson", "given": "Håkan"},
    ]
    assert record.editor_parts == [{"family": "Beethoven", "given": "Ludwig", "particle": "van"}]
    assert record.authors[:2] == ["Patterson D", "Briseño-García Jr J"]
    assert record.doi == "10.1145/1234.5678" and record.date == "2009-08"
    assert record.title == "The NMDA Receptor and N-Methyl-D-Aspartate in “Practice”"
    assert {k: record.extra[k] for k in ("booktitle", "address", "series", "edition", "isbn", "issn", "abstract",
                                          "keywords", "note", "eprint", "archiveprefix")} == {
        "booktitle": "Proceedings of ACM CHI", "address": "Boston", "series": "LNCS", "edition": "2",
        "isbn": "978-3-16-148410-0", "issn": "1234-5678", "abstract": "50% of α", "keywords": "a; b",
        "note": "Invited", "eprint": "1234.5678", "archiveprefix": "arXiv"}
    assert (year_only.record.year, year_only.record.date) == (2019, None)


def test_export_writes_the_key_parts_and_protected_capitals():
    records = [dataclasses.replace(e.record, id=f"s{i}") for i, e in enumerate(read_bibtex(NAMES).entries)]
    text = write_bibtex(records)
    assert "@inproceedings{Solache-Carranco_2009," in text
    assert "title = {The {NMDA} Receptor and {N-Methyl-D-Aspartate} in “Practice”}" in text
    assert "author = {Patterson, David and Briseño-García, Jr, José and {Barnes and Noble} and van der Maaten, " \
           "Laurens and Johansson, Håkan}" in text
    assert "pmid = {16894061}" in text and "eprint = {1234.5678}" in text  # an arXiv eprint is not overwritten
    again = [e.record for e in read_bibtex(text).entries]
    assert [comparable(r) for r in again] == [comparable(r) for r in records]
    lone = write_bibtex([dataclasses.replace(records[1], pmid="123", pmcid="PMC9")])
    assert "eprint = {123}" in lone and "eprinttype = {pubmed}" in lone


def test_csl_gets_name_parts_type_and_fields():
    record = read_bibtex(NAMES).entries[0].record
    item = csl_item(dataclasses.replace(record, id="s"))
    assert item["type"] == "paper-conference" and item["container-title"] == "Proceedings of ACM CHI"
    assert item["author"][3] == {"family": "Maaten", "given": "Laurens", "non-dropping-particle": "van der"}
    assert item["author"][1] == {"family": "Briseño-García", "given": "José", "suffix": "Jr"}
    assert item["editor"] == [{"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}]
    assert (item["publisher-place"], item["ISBN"], item["collection-title"]) == ("Boston", "978-3-16-148410-0", "LNCS")


# --- other formats, from other projects' test suites (tests/data/*/ORIGIN.md) ------------------


@pytest.mark.parametrize("folder, expected, count", [
    ("ris", "ris", {"rispy_example_full.ris": 2, "rispy_example_urls.ris": 4, "rispy_example_bom.ris": 1,
                    "rispy_example_utf_chars.ris": 1}),
    ("medline", "medline", {"rispy_example_pubmed.nbib": 10}),
    ("csljson", "csl-json", {"zbb_Pandoc_Citation.csl.json": 4, "zbb_Date_export_to_Better_CSL_JSON_360_811.csl.json": 15,
                             "zbb_Export_of_creator_type_fields_from_embedded_CSL_variables_365_uppercase_DOI_825.csl.json": 7}),
])
def test_other_formats_are_detected_and_read(folder, expected, count):
    for name, entries in count.items():
        text = decode((DATA / folder / name).read_bytes()).text
        assert detect_format(text) == expected, name
        read = read_library(text)
        assert len(read.entries) == entries and not read.warnings, name


def test_ris_keeps_names_journal_and_fields():
    record = read_library((DATA / "ris" / "rispy_example_full.ris").read_text(encoding="utf-8")).entries[0].record
    assert record.author_parts == [{"family": "Marx", "given": "Karl"}, {"family": "Lindgren", "given": "Astrid"}]
    assert (record.title, record.journal, record.year, record.volume, record.issue) == (
        "Title of reference", "Lorem", 2014, "9", "3")
    assert record.extra["issn"] == "1932-6208" and record.extra["address"] == "United States"


def test_medline_gives_the_pubmed_record():
    record = read_library((DATA / "medline" / "rispy_example_pubmed.nbib").read_text(encoding="utf-8")).entries[0].record
    assert (record.pmid, record.pmcid, record.doi, record.date) == (
        "30922926", "PMC7026692", "10.1016/j.ejmg.2019.03.004", "2020-02")
    assert record.author_parts[0] == {"family": "Griffin", "given": "Darren K"} and record.authors[0] == "Griffin DK"
    assert record.population == "mixed" and "Review" in record.publication_types


def test_csl_json_keeps_the_citation_key_and_parts():
    read = read_library((DATA / "csljson" / "zbb_Export_of_creator_type_fields_from_embedded_CSL_variables_365_"
                         "uppercase_DOI_825.csl.json").read_text(encoding="utf-8"))
    record = read.entries[0].record
    assert (record.key, record.entry_type, record.year) == ("Author2015", "techreport", 2015)
    assert record.editor_parts == [{"family": "Editrix", "given": "Emma"}, {"family": "Editor", "given": "Ed"}]


def test_source_import_reads_every_format_and_merges_the_same_paper(tmp_path):
    root = init_catalog(tmp_path / "c")
    nbib = DATA / "medline" / "rispy_example_pubmed.nbib"
    invoke(["source", "import", str(nbib)], catalog=root)
    assert len(load_catalog(root).sources) == 10
    bib = tmp_path / "same.bib"
    bib.write_text("@article{Griffin2020, author = {Griffin, Darren K.}, title = {Time lapse},"
                   " doi = {10.1016/j.ejmg.2019.03.004}, isbn = {x}}\n", encoding="utf-8")
    result = invoke(["source", "import", str(bib)], catalog=root)
    assert "the same paper as" in result.stderr and len(load_catalog(root).sources) == 10
    merged = next(s for s in load_catalog(root).sources.values() if s.doi == "10.1016/j.ejmg.2019.03.004")
    assert merged.key == "Griffin2020" and merged.extra["isbn"] == "x"
    invoke(["source", "import", str(DATA / "ris" / "rispy_example_urls.ris")], catalog=root)
    invoke(["source", "import", str(DATA / "csljson" / "zbb_Pandoc_Citation.csl.json")], catalog=root)
    sources = load_catalog(root).sources
    assert "adams2001" in sources and sources["adams2001"].key == "Adams2001"
    saved = yaml.safe_load((root / "sources" / "adams2001.yaml").read_text(encoding="utf-8"))
    assert saved["key"] == "Adams2001" and saved["author_parts"][0] == {"family": "Adams", "given": "Nancy K"}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_with_and_without_bom_is_read(encoding):
    text = "@article{Müller2020, author = {Müller, Jürgen}, title = {Über alles}, year = 2020}\n"
    decoded = decode(text.encode(encoding))
    assert decoded.warning is None and read_bibtex(decoded.text).entries[0].record.title == "Über alles"


def test_a_legacy_encoding_is_detected_and_named():
    text = ("@article{a, author = {Müller, Jürgen and Øster, Åse}, title = {Über die Größe der Städte und "
            "Flüsse in Österreich, Dänemark und Schweden}, year = 2020}\n")
    decoded = decode(text.encode("latin-1"))
    assert decoded.warning and "not UTF-8" in decoded.warning
    assert read_bibtex(decoded.text).entries[0].record.title.startswith("Über die Größe")
