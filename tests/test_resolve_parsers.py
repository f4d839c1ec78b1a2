"""The pure parsers against real recorded responses, with the expected records beside them
(tests/data/<service>/expected/). Regenerate a golden file only after reading its diff."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from conftest import DATA, REPO
from httpserver import cassette_bodies
from kclaims.literature.crossref import parse_work_answer, parse_work_list
from kclaims.literature.europepmc import parse_search
from kclaims.literature.pubmed import PayloadError, expand_pages, parse_efetch, parse_idconv, population_from_mesh

SHARED = REPO.parent / "shared" / "fixtures"


def _plain(records) -> list[dict]:
    return [{k: v for k, v in dataclasses.asdict(r).items() if k != "id"} for r in records]


def _expected(service: str, name: str) -> list[dict]:
    return json.loads((DATA / service / "expected" / f"{name}.json").read_text(encoding="utf-8"))


def _efetch_body(path: Path) -> bytes:
    return cassette_bodies(path)[0][2] if path.suffix == ".yaml" else path.read_bytes()


EFETCH_FILES = sorted(p.name for p in (DATA / "eutils").iterdir() if p.name.startswith(("efetch_", "hawc_efetch")))


@pytest.mark.parametrize("name", EFETCH_FILES)
def test_efetch_matches_expected_records(name: str):
    path = DATA / "eutils" / name
    assert _plain(parse_efetch(_efetch_body(path))) == _expected("eutils", path.stem)


def test_efetch_fields_of_a_full_record():
    [record] = parse_efetch((DATA / "eutils" / "efetch_pubmed_biopython_pubmed4.xml").read_bytes())
    assert (record.pmid, record.pmcid, record.doi) == ("27797938", "PMC5442267", "10.1136/gutjnl-2016-312510")
    assert record.title.startswith("Leucocyte telomere length, genetic variants at the TERT gene")  # <i> dropped
    assert record.authors[:2] == ["Bao Y", "Prescott J"] and "De Vivo I" in record.authors
    assert (record.journal, record.year, record.volume, record.issue, record.pages) == ("Gut", 2017, "66", "6", "1116-1122")
    assert "Observational Study" in record.publication_types
    assert record.population == "human" and not record.retracted


def test_efetch_animal_study_book_collective_author_and_entities():
    animal = parse_efetch((DATA / "eutils" / "efetch_pubmed_biopython_pubmed2.xml").read_bytes())[0]
    assert animal.population == "animal"
    [book] = parse_efetch(_efetch_body(DATA / "eutils" / "hawc_efetch_book_26468569.yaml"))
    assert book.kind == "book" and book.pmid == "26468569" and book.doi == "10.17226/21775"
    [group] = parse_efetch(_efetch_body(DATA / "eutils" / "hawc_efetch_collective_author_21860499.yaml"))
    assert group.authors == ["National Toxicology Program"]
    utf8 = parse_efetch(_efetch_body(DATA / "eutils" / "hawc_efetch_utf8_23878845_16080930.yaml"))
    assert utf8[1].authors[0] == "González-Reyes S"


def test_efetch_retracted_publication_is_detected():
    # a recorded record with the publication type PubMed gives retracted papers added
    text = (DATA / "eutils" / "efetch_pubmed_biopython_pubmed4.xml").read_text(encoding="utf-8")
    text = text.replace("<PublicationType UI=\"D016428\">Journal Article</PublicationType>",
                        "<PublicationType UI=\"D016441\">Retracted Publication</PublicationType>", 1)
    assert "Retracted Publication" in text
    assert parse_efetch(text)[0].retracted is True


@pytest.mark.skipif(not (SHARED / "eutils").is_dir(), reason="needs ../shared/fixtures (AGPL file, not copied)")
def test_efetch_baseline_sample_retractions():
    records = parse_efetch((SHARED / "eutils" / "pubmed_baseline_sample_fatcat_pubmedsample_2019.xml").read_bytes())
    assert len(records) == 176
    assert sorted(r.pmid for r in records if r.retracted) == ["11543891", "8655018", "8863847"]
    notices = {r.pmid for r in records if "Retraction of Publication" in r.publication_types}
    assert {"9634358", "11600210"} <= notices


def test_efetch_error_documents_and_garbage_are_payload_errors():
    with pytest.raises(PayloadError):
        parse_efetch((DATA / "eutils" / "esummary_error_biopython_esummary8.xml").read_bytes())
    with pytest.raises(PayloadError):
        parse_efetch(b"<PubmedArticleSet><PubmedArticle><MedlineCit")  # truncated


def test_population_rule():
    assert population_from_mesh(["Humans", "Male"]) == "human"
    assert population_from_mesh(["Animals", "Rats"]) == "animal"
    assert population_from_mesh(["Animals", "Humans"]) == "mixed"
    assert population_from_mesh(["Cells, Cultured"]) == "in-vitro"
    assert population_from_mesh(["Cells, Cultured", "Humans"]) == "human"
    assert population_from_mesh([]) == "unknown"


def test_page_ranges_are_written_out():
    assert expand_pages("856-64") == "856-864"
    assert expand_pages("1116-22") == "1116-1122"
    assert expand_pages("e33693") == "e33693"
    assert expand_pages("S1-S5") == "S1-S5"


def test_idconv_records_and_error():
    payload = json.loads((DATA / "idconv" / "idconv_10.1038_ng.590.json").read_text())
    [link] = parse_idconv(payload)
    assert (link.pmcid, link.pmid, link.doi, link.error) == ("PMC2883744", "20495566", "10.1038/ng.590", None)
    error = json.loads((DATA / "idconv" / "idconv_error_idtype_mismatch.404.json").read_text())
    with pytest.raises(PayloadError, match="ID type 'doi' mismatch"):
        parse_idconv(error)
    [unknown] = parse_idconv({"records": [{"pmcid": "PMC1", "status": "error", "errmsg": "invalid article id"}]})
    assert unknown.error == "invalid article id"


def test_europepmc_core_matches_expected_records():
    payload = json.loads((DATA / "europepmc" / "pyeuropepmc_search_cancer_core.json").read_text())
    records = parse_search(payload)
    assert _plain(records) == _expected("europepmc", "pyeuropepmc_search_cancer_core")
    erratum = next(r for r in records if r.pmid == "39709208")
    assert erratum.publication_types == ["Published Erratum"]  # the JATS type "correction" is dropped
    assert erratum.pmcid == "PMC12124214"
    with_mesh = next(r for r in records if r.pmid == "40437959")
    assert with_mesh.population == "human" and with_mesh.authors == ["Kwok C", "Xu X"]


def test_europepmc_no_results_and_garbage():
    assert parse_search(json.loads((DATA / "europepmc" / "pyeuropepmc_search_no_results.json").read_text())) == []
    with pytest.raises(PayloadError):
        parse_search({"hitCount": 0})


@pytest.mark.parametrize("name", sorted(p.name for p in (DATA / "crossref").glob("works_*.json")))
def test_crossref_work_matches_expected_record(name: str):
    payload = json.loads((DATA / "crossref" / name).read_text(encoding="utf-8"))
    assert _plain([parse_work_answer(payload)]) == _expected("crossref", Path(name).stem)


@pytest.mark.parametrize("name", ["habanero_works_5_dois.yaml", "rcrossref_works_10.3389_fgene.2017.00147.yml"])
def test_crossref_cassette_works_match_expected_records(name: str):
    records = [parse_work_answer(json.loads(body)) for _, status, body in cassette_bodies(DATA / "crossref" / name)
               if status == 200]
    assert _plain(records) == _expected("crossref", Path(name).stem)


def test_crossref_kinds_correction_and_retraction():
    payload = json.loads((DATA / "crossref" / "works_10.1371_journal.pone.0033693.json").read_text())
    record = parse_work_answer(payload)
    assert record.retracted is False  # its update is a correction, not a retraction
    assert (record.journal, record.year, record.pages, record.authors[0]) == ("PLoS ONE", 2012, "e33693", "Sadasivan S")
    payload["message"]["updated-by"][0]["type"] = "retraction"
    assert parse_work_answer(payload).retracted is True
    notice = dict(payload["message"], **{"update-to": [{"type": "retraction", "DOI": "10.1/x"}], "updated-by": []})
    assert parse_work_list({"message": {"items": [notice]}})[0].publication_types == ["Retraction of Publication"]
    bodies = cassette_bodies(DATA / "crossref" / "habanero_works_5_dois.yaml")
    kinds = {parse_work_answer(json.loads(b)).doi: parse_work_answer(json.loads(b)).kind for _, s, b in bodies if s == 200}
    assert kinds["10.1109/icdcsw.2003.1203662"] == "other"  # a proceedings article
